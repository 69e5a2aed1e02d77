//! SYN-SENT: the target's active open (RFC 9293 §3.10.1 OPEN, §3.10.7.3
//! SEGMENT ARRIVES in SYN-SENT; RFC 6298 for its SYN's retransmission;
//! RFC 7323 §3.2 for its SYN's TSecr). Every sequence in line form (see
//! `lines.rs`): `<` to the target, `>` from it.

use crate::oracle::tests::lines::{expect_findings, expect_findings_after, rfc, SYN_SENT};
use crate::oracle::tests::*;

// ---- the happy path ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn active_open_completes_with_an_ack_of_the_peer_isn_plus_one() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
        state SYN-SENT
        < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 8>
        state ESTABLISHED
        > . 1:1(0) ack 1 win 502 <nop,nop,TS val 101 ecr 700>
        write(3, ..., 10) = 10
        > P. 1:11(10) ack 1 win 502 <nop,nop,TS val 102 ecr 700>
        < . 1:1(0) ack 11 win 260 <nop,nop,TS val 701 ecr 102>
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn the_handshake_ack_may_come_with_the_first_data() {
    rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        +0.2 > P. 1:11(10) ack 1 win 64240
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn a_syn_ack_never_acknowledged_is_a_missing_ack() {
    rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        ",
        &["end ack-delayed-too-long"],
    );
}

// ---- the target's SYN ----

/// SYN-SENT: RFC 9293 §3.10.7.3; mss-missing (RFC 9293 §3.7.1, SHLD-5).
#[test]
fn a_syn_without_mss_is_a_warning() {
    let f = expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240
        ",
        &["3 mss-missing"],
    );
    assert!(!f[0].is_failure(), "SHLD-5: {}", f[0]);
}

/// SYN-SENT: RFC 9293 §3.10.7.3; tsecr-without-ack (RFC 7323 §3.2).
#[test]
fn a_syn_echoing_a_tsecr_is_a_warning() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240 <mss 1460,TS val 100 ecr 55>
        ",
        &["3 tsecr-without-ack"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; data-before-established (RFC 9293 §3.10.2).
#[test]
fn a_syn_with_payload_violates() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:10(10) win 64240 <mss 1460>
        ",
        &["3 data-before-established"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn syn_retransmissions_back_off_from_one_second() {
    expect_findings_after(
        Profile::linux(),
        SYN_SENT,
        "
        +1 > S 0:0(0) win 64240 <mss 1460>
        +2 > S 0:0(0) win 64240 <mss 1460>
        +4 > S 0:0(0) win 64240 <mss 1460>
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rto-too-short (RFC 6298 §2.4, RFC 6298 §2.1); rto-no-backoff
/// (RFC 6298 §5.5, MUST-19).
#[test]
fn a_syn_retransmitted_early_or_without_back_off_is_judged_by_rfc_6298() {
    let f = expect_findings_after(
        Profile::linux(),
        SYN_SENT,
        "
        +0.3 > S 0:0(0) win 64240 <mss 1460>
        +2 > S 0:0(0) win 64240 <mss 1460>
        +1.5 > S 0:0(0) win 64240 <mss 1460>
        ",
        &["4 rto-too-short", "6 rto-no-backoff"],
    );
    // 0.3 s is below Linux's own 1 s initial RTO too: no deviation.
    assert!(f.iter().all(|f| f.deviation.is_none()), "{f:#?}");
}

/// SYN-SENT: RFC 9293 §3.10.7.3; iss-changed (RFC 9293 §3.4).
#[test]
fn a_syn_retransmitted_at_another_iss_violates() {
    rfc(
        SYN_SENT,
        "
        +1 > S 500:500(0) win 64240 <mss 1460>
        ",
        &["4 iss-changed"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_second_connect_on_the_tuple_opens_a_new_connection() {
    rfc(
        SYN_SENT,
        "
        connect(4, ..., ...) = 0
        +1 > S 500:500(0) win 64240 <mss 1460>
        < S. 0:0(0) ack 501 win 65535 <mss 1460>
        > . 501:501(0) ack 1 win 64240
        state ESTABLISHED
        ",
        &[],
    );
}

// ---- RST in SYN-SENT ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_rst_acknowledging_the_syn_refuses_the_connection() {
    rfc(
        SYN_SENT,
        "
        < R. 0:0(0) ack 1 win 0
        state CLOSED
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn a_segment_after_the_refusing_rst_violates() {
    rfc(
        SYN_SENT,
        "
        < R. 0:0(0) ack 1 win 0
        > . 1:1(0) ack 1 win 64240
        ",
        &["5 segment-on-closed-connection"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_rst_without_ack_is_dropped_and_the_syn_retransmitted() {
    rfc(
        SYN_SENT,
        "
        < R 0:0(0) win 0
        state SYN-SENT
        +1 > S 0:0(0) win 64240 <mss 1460>
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > . 1:1(0) ack 1 win 64240
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_rst_with_an_unacceptable_ack_is_dropped_without_reply() {
    rfc(
        SYN_SENT,
        "
        < R. 0:0(0) ack 7 win 0
        state SYN-SENT
        < R. 0:0(0) ack 0 win 0
        state SYN-SENT
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-for-rst (RFC 9293 §3.5.2).
#[test]
fn a_rst_answering_a_dropped_rst_violates() {
    rfc(
        SYN_SENT,
        "
        < R 0:0(0) win 0
        > R 1:1(0) win 0
        ",
        &["5 rst-for-rst"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-for-rst (RFC 9293 §3.5.2).
#[test]
fn a_rst_answering_the_refusing_rst_violates() {
    rfc(
        SYN_SENT,
        "
        < R. 0:0(0) ack 1 win 0
        > R 1:1(0) win 0
        ",
        &["5 rst-for-rst"],
    );
}

// ---- an unacceptable ACK in SYN-SENT ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn an_ack_past_snd_nxt_draws_a_rst_at_seg_ack() {
    rfc(
        SYN_SENT,
        "
        < . 0:0(0) ack 5 win 65535
        > R 5:5(0) win 0
        state SYN-SENT
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > . 1:1(0) ack 1 win 64240
        state ESTABLISHED
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_syn_ack_acknowledging_the_iss_itself_draws_a_rst_and_syn_sent_stays() {
    rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 0 win 65535 <mss 1460>
        > R 0:0(0) win 0
        state SYN-SENT
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-syn-sent-numbers (RFC 9293 §3.10.7.3).
#[test]
fn a_rst_for_a_bad_ack_with_other_numbers_violates() {
    let f = rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 9 win 65535 <mss 1460>
        > R. 1:1(0) ack 1 win 0
        ",
        &["5 rst-syn-sent-numbers"],
    );
    let expected = format!("expected <SEQ={}><CTL=RST>", l(9));
    assert!(f[0].message.contains(&expected), "{}", f[0]);
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn no_rst_for_a_syn_ack_acknowledging_the_wrong_number_violates() {
    rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 9 win 65535 <mss 1460>
        ",
        &["end rst-not-sent"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; segment-in-syn-sent (RFC 9293 §3.10.7.3).
#[test]
fn an_ack_instead_of_the_rst_for_a_bad_syn_ack_violates() {
    let f = rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 9 win 65535 <mss 1460>
        > . 1:1(0) ack 1 win 64240
        ",
        &["5 segment-in-syn-sent"],
    );
    let expected = format!("drew <SEQ={}><CTL=RST>", l(9));
    assert!(f[0].message.contains(&expected), "{}", f[0]);
}

/// SYN-SENT: RFC 9293 §3.10.7.3; segment-in-syn-sent (RFC 9293 §3.10.7.3).
#[test]
fn data_in_syn_sent_violates() {
    rfc(
        SYN_SENT,
        "
        write(3, ..., 10) = 10
        > P. 1:11(10) ack 0 win 64240
        ",
        &["5 segment-in-syn-sent"],
    );
}

// ---- the ACK that completes the active open ----

/// SYN-SENT: RFC 9293 §3.10.7.3; handshake-ack-numbers (RFC 9293 §3.10.7.3).
#[test]
fn a_handshake_ack_of_the_peer_isn_itself_violates() {
    let f = rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > . 1:1(0) ack 0 win 64240
        ",
        &["5 handshake-ack-numbers"],
    );
    let expected = format!("expected <SEQ={}><ACK={}>", l(1), r(1));
    assert!(f[0].message.contains(&expected), "{}", f[0]);
}

/// SYN-SENT: RFC 9293 §3.10.7.3; handshake-ack-numbers (RFC 9293 §3.10.7.3).
#[test]
fn a_handshake_ack_at_the_iss_violates() {
    rfc(
        SYN_SENT,
        "
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > . 0:0(0) ack 1 win 64240
        ",
        &["5 handshake-ack-numbers"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; sack-without-permission (RFC 2018 §4).
#[test]
fn options_are_used_only_when_both_syns_carried_them() {
    // The peer's SYN-ACK has no TSopt and no SACK-permitted: the target's
    // segments carry neither.
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > . 1:1(0) ack 1 win 64240
        > . 1:1(0) ack 1 win 64240 <sack 1:1>
        ",
        &["6 sack-without-permission"],
    );
}

// ---- a capture: no application events, the client is the target ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_client_in_a_capture_is_judged_from_its_syn() {
    expect_findings(
        Profile::linux(),
        "
        //! service: closed
        0 > S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
        +0.0003 < S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 5000 ecr 1000,nop,wscale 7>
        +0.0001 > . 1:1(0) ack 1 win 502 <nop,nop,TS val 1001 ecr 5000>
        > P. 1:78(77) ack 1 win 502 <nop,nop,TS val 1001 ecr 5000>
        < . 1:1(0) ack 78 win 509 <nop,nop,TS val 5001 ecr 1001>
        < P. 1:201(200) ack 78 win 509 <nop,nop,TS val 5002 ecr 1001>
        > . 78:78(0) ack 201 win 501 <nop,nop,TS val 1002 ecr 5002>
        > F. 78:78(0) ack 201 win 501 <nop,nop,TS val 1003 ecr 5002>
        < F. 201:201(0) ack 79 win 509 <nop,nop,TS val 5003 ecr 1003>
        > . 79:79(0) ack 202 win 501 <nop,nop,TS val 1004 ecr 5003>
        state TIME-WAIT
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; handshake-ack-numbers (RFC 9293 §3.10.7.3).
#[test]
fn a_client_in_a_capture_acknowledging_the_server_isn_itself_violates() {
    expect_findings(
        Profile::linux(),
        "
        //! service: closed
        0 > S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
        +0.0003 < S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 5000 ecr 1000,nop,wscale 7>
        +0.0001 > . 1:1(0) ack 0 win 502 <nop,nop,TS val 1001 ecr 5000>
        > P. 1:78(77) ack 1 win 502 <nop,nop,TS val 1001 ecr 5000>
        ",
        &["5 handshake-ack-numbers"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-for-rst (RFC 9293 §3.5.2).
#[test]
fn a_client_in_a_capture_answering_a_refusal_with_a_rst_violates() {
    expect_findings(
        Profile::linux(),
        "
        //! service: closed
        0 > S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
        +0.0003 < R. 0:0(0) ack 1 win 0
        +0.2 > R 1:1(0) win 0
        ",
        &["5 rst-for-rst"],
    );
}

// ---- a new active open on a tuple in TIME-WAIT ----

/// An active open and close that leaves the target in TIME-WAIT
/// (ten lines: what follows it starts at line 12).
const THROUGH_TIME_WAIT: &str = "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240 <mss 1460>
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > . 1:1(0) ack 1 win 64240
        close(3) = 0
        > F. 1:1(0) ack 1 win 64240
        < F. 1:1(0) ack 2 win 65535
        > . 2:2(0) ack 2 win 64240
        state TIME-WAIT
";

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_syn_from_time_wait_after_two_msl_opens_a_new_connection() {
    expect_findings(
        Profile::rfc9293(),
        &format!(
            "{THROUGH_TIME_WAIT}
        +241 connect(4, ..., ...) = 0
        > S 900:900(0) win 64240 <mss 1460>
        state SYN-SENT
        < S. 0:0(0) ack 901 win 65535 <mss 1460>
        > . 901:901(0) ack 1 win 64240
        state ESTABLISHED
        "
        ),
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn a_syn_from_time_wait_before_two_msl_ends_it_too_early() {
    // Linux's own TIME-WAIT is 60 s: one second is too short even for it.
    expect_findings(
        Profile::linux(),
        &format!(
            "{THROUGH_TIME_WAIT}
        +1 > S 900:900(0) win 64240 <mss 1460>
        state SYN-SENT
        "
        ),
        &["12 time-wait-too-short"],
    );
    expect_findings(
        Profile::linux(),
        &format!(
            "{THROUGH_TIME_WAIT}
        +61 > S 900:900(0) win 64240 <mss 1460>
        "
        ),
        &["12 time-wait-too-short (deviation)"],
    );
}

// ---- CLOSE in SYN-SENT ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn close_in_syn_sent_deletes_the_connection() {
    rfc(
        SYN_SENT,
        "
        close(3) = 0
        state CLOSED
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > R 1:1(0) win 0
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn a_segment_after_close_in_syn_sent_violates() {
    rfc(
        SYN_SENT,
        "
        close(3) = 0
        > F. 1:1(0) ack 0 win 64240
        ",
        &["5 segment-on-closed-connection"],
    );
}

// ---- CLOSE in SYN-SENT (RFC 9293 §3.10.4: delete the TCB, send nothing) ----

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-after-close-in-syn-sent (RFC 9293 §3.10.4).
#[test]
fn close_in_syn_sent_sends_nothing_so_a_rst_after_it_is_a_warning() {
    // smoltcp 0.14 answers close() in SYN-SENT with `R.` (seen by `synack
    // diff` on packetdrill scripts); Linux and lwIP send nothing.
    rfc(
        SYN_SENT,
        "
        close(3) = 0
        > R. 1:1(0) ack 0 win 0
        ",
        &["5 rst-after-close-in-syn-sent"],
    );
    rfc(
        SYN_SENT,
        "
        close(3) = 0
        state CLOSED
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_rst_answering_a_segment_after_close_in_syn_sent_is_the_closed_ports() {
    // The harness's SYN-ACK reaches a tuple with no TCB: <SEQ=SEG.ACK> is owed
    // (§3.10.7.1), not a warning.
    rfc(
        SYN_SENT,
        "
        close(3) = 0
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        > R 1:1(0) win 0
        ",
        &[],
    );
}
