//! A SYN's data may be queued or dropped (RFC 9293 §3.10.7.2), so RCV.NXT
//! is a range until the target shows which. A harness FIN inside that range
//! is taken for one candidate and old for the other: the target's ACK of it
//! decides (fuzz finding crash-9876b4a7…, smoltcp drops a SYN's data).

use crate::oracle::tests::lines::{expect_after, rfc, SYN_RECEIVED_AFTER_SYN_DATA};
use crate::oracle::tests::*;

/// SYN-RECEIVED after a SYN carrying 10 octets, ESTABLISHED by the final ACK.
///
/// As lines: 2 to 3; a test's lines start at line 4.
const ESTABLISHED_AFTER_SYN_WITH_DATA: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
";

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn fin_inside_the_syn_data_range_is_taken_when_the_target_acks_it() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "< FP. 1:5(4) ack 1 win 65535
         state ESTABLISHED
         > . 1:1(0) ack 6 win 64240
         state CLOSE-WAIT
         // Its own FIN then makes LAST-ACK; the harness's ACK closes it; a new SYN
         // on the tuple draws a SYN-ACK.
         > F. 1:1(0) ack 6 win 64240
         state LAST-ACK
         < . 6:6(0) ack 2 win 65535
         state CLOSED
         < S 100:100(0) win 65535
         > S. 1000:1000(0) ack 101 win 64240 <mss 1460>",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn fin_inside_the_syn_data_range_not_acked_leaves_the_state_open() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "< FP. 1:5(4) ack 1 win 65535
         // The target ACKs the SYN's data instead: it queued it, the FIN was old.
         > . 1:1(0) ack 11 win 64240
         state ESTABLISHED",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn syn_ack_in_close_wait_reached_through_the_range_is_a_violation() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "< FP. 1:5(4) ack 1 win 65535
         > . 1:1(0) ack 6 win 64240
         > S. 1000:1000(0) ack 6 win 64240 <mss 1460>",
        &["6 syn-ack-without-syn"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_rst_inside_the_syn_data_is_not_at_rcv_nxt() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "// RCV.NXT is r(1) until ESTABLISHED (the SYN's text is only queued,
         // §3.10.7.2), so a RST at r(5) is not exact: the target may ignore it.
         < R. 5:25(20) ack 500 win 65535
         +0.001 close(4) = 0
         > F. 1:1(0) ack 1 win 64240",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn syn_received_rst_at_the_syn_seq_plus_one_still_returns_to_listen() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "< R. 1:21(20) ack 500 win 65535
         state CLOSED
         +0.001 close(4) = 0
         > F. 1:1(0) ack 1 win 64240",
        &["7 segment-on-closed-connection"],
    );
}

// ---- A RST inside the SYN's data, in SYN-RECEIVED (fuzz campaign 8: iss-changed) ----
// RCV.NXT is the SYN's seq + 1 until ESTABLISHED (the text is only queued),
// so such a RST is in the window: RFC 793 stacks (smoltcp) reset on it, and
// a later SYN opens a fresh connection with a new ISS.

/// As lines: 2 to 3; a test's lines start at line 4.
const SYN_RECEIVED_AFTER_SYN_WITH_DATA_SMOLTCP: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
";

fn syn_received_after_syn_with_data_smoltcp() -> T {
    syn_received_after_syn_data(Profile::smoltcp())
}

fn rst_at(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        flags: RST,
        window: 0,
        ..send_tmpl()
    }
}

fn later_syn() -> Segment {
    Segment {
        seq: r(50_000),
        flags: SYN,
        options: vec![TcpOption::Mss(1460)],
        ..send_tmpl()
    }
}

fn syn_ack_with_a_new_iss() -> Segment {
    Segment {
        seq: l(777_777),
        ack: r(50_001),
        flags: SYN | ACK,
        options: vec![TcpOption::Mss(1460)],
        ..recv_tmpl()
    }
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn rst_inside_the_syn_data_may_reset_syn_received_and_a_later_syn_reopens() {
    let mut t = syn_received_after_syn_with_data_smoltcp();
    send!(t, rst_at(r(5)));
    t.now += ms(60_000);
    // The challenge ACK RFC 5961 wanted never came: smoltcp's profile allows it.
    let f = t
        .oracle
        .on_segment(t.now, Direction::ToTarget, &later_syn());
    assert!(f.iter().all(|x| !x.is_failure()), "{f:#?}");
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &syn_ack_with_a_new_iss());
    assert!(
        f.iter().all(|x| !x.is_failure()),
        "smoltcp's reset on an in-window RST is its profile's: {f:#?}"
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; iss-changed (RFC 9293 §3.4).
#[test]
fn rst_past_the_window_in_syn_received_then_a_new_iss_violates() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED_AFTER_SYN_WITH_DATA_SMOLTCP,
        "< R 100000:100000(0) win 0
         +60.001 < S 50000:50000(0) win 65535 <mss 1460>
         > S. 777777:777777(0) ack 50001 win 64240 <mss 1460>",
        &["6 iss-changed"],
    );
}

/// A FIN segment that starts inside the SYN's text but past its first
/// octet (r(5)): in order if the target queued that text, out of order if
/// it dropped it. Its duplicate ACK of 1 shows the text dropped, so the FIN
/// is not taken: ESTABLISHED, not CLOSE-WAIT; close() makes FIN-WAIT-1 and
/// the harness's FIN with the ACK of the target's, TIME-WAIT (campaign 12,
/// `rst-not-sent` 34 inputs: the oracle took the FIN, went to LAST-ACK and
/// CLOSED, and read a later ACK as to LISTEN).
///
/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn a_fin_segment_past_the_syn_texts_first_octet_waits_for_the_targets_ack() {
    crate::oracle::tests::lines::expect_findings_after(
        Profile::rfc9293(),
        SYN_RECEIVED_AFTER_SYN_DATA,
        "
        < F. 5:20(15) ack 1 win 65535
        > . 1:1(0) ack 1 win 64240
        state ESTABLISHED
        close(4) = 0
        > F. 1:1(0) ack 1 win 64240
        < F. 1:1(0) ack 2 win 65535
        > . 2:2(0) ack 2 win 64240
        < . 2:2(0) ack 2 win 65535
        ",
        &[],
    );
}
