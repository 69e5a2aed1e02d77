//! The states after a FIN (RFC 9293 §3.6, §3.10.4, §3.10.7.4 eighth check):
//! CLOSE-WAIT, LAST-ACK, FIN-WAIT-1 into CLOSING, TIME-WAIT; ACK and FIN
//! together or apart, nothing after the target's FIN (`data-after-fin`,
//! `fin-moved`, `time-wait-sends`), 2×MSL (`time-wait-too-short`). In line
//! form (see `lines.rs`), each test asserting the exact set of findings.
//! Converted from the `Segment` literal tests of `close.rs` (issue #16 item
//! 6); CLOSE in SYN-RECEIVED and the fuzz-found cases there still use them.

use super::lines::expect_findings;
use super::*;

/// A passive open: lines 2 to 4.
const EST: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
";

/// CLOSE-WAIT (the harness's FIN, line 5, acknowledged), then the target's
/// FIN: LAST-ACK from line 7 on.
const LAST_ACK: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < F. 1:1(0) ack 1 win 65535
    > . 1:1(0) ack 2 win 64240
    > F. 1:1(0) ack 2 win 64240
";

/// The target closes first (FIN line 5, acknowledged), the harness's FIN
/// (line 7) is acknowledged: TIME-WAIT, asserted on line 9.
const TIME_WAIT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > F. 1:1(0) ack 1 win 64240
    < . 1:1(0) ack 2 win 65535
    < F. 1:1(0) ack 2 win 65535
    > . 2:2(0) ack 2 win 64240
    state TIME-WAIT
";

fn rfc(open: &str, rest: &str, expected: &[&str]) -> Vec<Finding> {
    expect_findings(Profile::rfc9293(), &format!("{open}{rest}"), expected)
}

// ---- ACK and FIN together or apart ----

#[test]
fn the_peers_fin_acknowledged_with_the_targets_fin_in_one_segment() {
    rfc(
        EST,
        "< F. 1:1(0) ack 1 win 65535
         > F. 1:1(0) ack 2 win 64240
         state LAST-ACK
         < . 2:2(0) ack 2 win 65535
         state CLOSED",
        &[],
    );
}

#[test]
fn close_wait_data_then_fin_is_allowed() {
    rfc(
        EST,
        "< F. 1:1(0) ack 1 win 65535
         > . 1:1(0) ack 2 win 64240
         state CLOSE-WAIT
         > P. 1:11(10) ack 2 win 64240
         > F. 11:11(0) ack 2 win 64240
         state LAST-ACK",
        &[],
    );
}

// ---- LAST-ACK: data-after-fin, fin-moved, segment-on-closed-connection ----

#[test]
fn last_ack_data_after_the_fin_violates() {
    let f = rfc(
        LAST_ACK,
        "> P. 2:12(10) ack 2 win 64240",
        &["8 data-after-fin"],
    );
    assert!(
        f[0].message.contains(&format!("after the FIN at {}", l(1))),
        "{}",
        f[0]
    );
}

#[test]
fn last_ack_fin_retransmission_is_allowed() {
    rfc(LAST_ACK, "+1 > F. 1:1(0) ack 2 win 64240", &[]);
}

#[test]
fn last_ack_fin_at_another_sequence_number_violates() {
    rfc(
        LAST_ACK,
        "+1 > F. 3:3(0) ack 2 win 64240",
        &["8 fin-moved", "8 seq-gap"],
    );
}

#[test]
fn closed_after_last_ack_any_data_violates() {
    rfc(
        LAST_ACK,
        "< . 2:2(0) ack 2 win 65535
         > . 2:5(3) ack 2 win 64240",
        &["9 segment-on-closed-connection"],
    );
}

// ---- TIME-WAIT: time-wait-sends, time-wait-too-short, a new SYN ----

#[test]
fn time_wait_a_retransmitted_fin_draws_an_ack() {
    rfc(
        TIME_WAIT,
        "< F. 1:1(0) ack 2 win 65535
         > . 2:2(0) ack 2 win 64240",
        &[],
    );
}

#[test]
fn time_wait_data_from_the_target_violates() {
    // Past the FIN too: both rules hold.
    rfc(
        TIME_WAIT,
        "> . 2:6(4) ack 2 win 64240",
        &["10 time-wait-sends", "10 data-after-fin"],
    );
}

#[test]
fn time_wait_a_rst_after_two_msl_is_allowed() {
    rfc(
        TIME_WAIT,
        "+241 < . 2:2(0) ack 2 win 65535
         > R 2:2(0) win 64240",
        &[],
    );
}

#[test]
fn time_wait_a_rst_after_thirty_seconds_violates() {
    let f = rfc(
        TIME_WAIT,
        "+30 < . 2:2(0) ack 2 win 65535
         > R 2:2(0) win 64240",
        &["11 time-wait-too-short"],
    );
    assert!(f[0].is_failure());
    assert_eq!(f[0].requirement, "MUST-13");
}

#[test]
fn time_wait_a_new_syn_may_reopen_the_connection() {
    rfc(
        TIME_WAIT,
        "< S 100000:100000(0) win 65535
         > S. 5000:5000(0) ack 100001 win 64240 <mss 1460>
         state SYN-RECEIVED",
        &[],
    );
}

// ---- FIN-WAIT-1 → CLOSING → TIME-WAIT (simultaneous close) ----

#[test]
fn fin_wait_1_simultaneous_close_goes_through_closing_to_time_wait() {
    rfc(
        EST,
        "> F. 1:1(0) ack 1 win 64240
         < F. 1:1(0) ack 1 win 65535
         state CLOSING
         > . 2:2(0) ack 2 win 64240
         < . 2:2(0) ack 2 win 65535
         state TIME-WAIT",
        &[],
    );
}

#[test]
fn closing_data_from_the_target_after_its_fin_violates() {
    rfc(
        EST,
        "> F. 1:1(0) ack 1 win 64240
         < F. 1:1(0) ack 1 win 65535
         > . 2:5(3) ack 2 win 64240",
        &["7 data-after-fin"],
    );
}
