//! The window of a FIN segment that arrives after the harness's FIN
//! (CLOSE-WAIT, CLOSING, LAST-ACK): RFC 9293 §3.10.7.4 takes its ACK and
//! window before the FIN; smoltcp 0.14 drops the whole segment
//! (`fin-segment-ack-ignored`), so it keeps sending into the window it had.
//! Fuzz: `data-beyond-window` of campaign 10 (45 inputs).

use crate::oracle::tests::lines::{expect_findings, rfc, CLOSE_WAIT};
use crate::oracle::tests::*;

/// CLOSE-WAIT with the harness window 65535, then a second FIN segment at
/// RCV.NXT (`F. 2:2(0) ack 1 win 0`, line 7) that closes the window; then
/// `rest` (line 8 on).
fn close_wait_fin_segment_closes_window_then(rest: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        < F. 1:1(0) ack 1 win 65535
        > . 1:1(0) ack 2 win 64240
        < F. 2:2(0) ack 1 win 0
        {rest}
        "
    )
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn a_zero_window_probe_after_a_fin_segment_closed_the_window_passes() {
    // The RFC reading: the window is zero, one octet probes it (§3.8.6.1),
    // the first probe a retransmission timeout on (SHLD-29,
    // `zero-window-probe-early`).
    let seq = close_wait_fin_segment_closes_window_then("+1.001 > . 1:2(1) ack 2 win 64240");
    expect_findings(Profile::rfc9293(), &seq, &[]);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn data_within_the_window_before_a_fin_segment_closed_it_shows_that_segment_was_dropped() {
    // smoltcp drops the FIN segment in CLOSE-WAIT, window and all: it sends
    // into the 65535 octets it had. That is its deviation, not data past
    // every window the target could have; from then on the model follows
    // it: more data in that window passes.
    let seq = close_wait_fin_segment_closes_window_then(
        "> . 1:537(536) ack 2 win 64240
        > . 537:1073(536) ack 2 win 64240",
    );
    expect_findings(Profile::rfc9293(), &seq, &["8 fin-segment-ack-ignored"]);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; fin-segment-ack-ignored (RFC 9293 §3.10.7.4);
/// data-beyond-window (RFC 9293 §3.8.6); segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15,
/// MUST-16).
#[test]
fn data_past_the_window_before_the_fin_segment_is_beyond_the_window() {
    let seq = close_wait_fin_segment_closes_window_then(
        "> . 1:537(536) ack 2 win 64240
        > . 537:66072(65535) ack 2 win 64240",
    );
    expect_findings(
        Profile::rfc9293(),
        &seq,
        &[
            "8 fin-segment-ack-ignored",
            "9 data-beyond-window",
            "9 segment-exceeds-mss",
        ],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_beyond_a_zero_window_a_later_plain_ack_announced_is_beyond_the_window() {
    // An ACK without FIN after it: every stack takes its window (smoltcp
    // too), so the window before the FIN segment no longer counts.
    let seq = close_wait_fin_segment_closes_window_then(
        "< . 2:2(0) ack 1 win 0
        > . 1:537(536) ack 2 win 64240",
    );
    expect_findings(Profile::rfc9293(), &seq, &["9 data-beyond-window"]);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_beyond_a_zero_window_a_plain_ack_announced_in_close_wait_is_beyond_the_window() {
    rfc(
        CLOSE_WAIT,
        "
        < . 2:2(0) ack 1 win 0
        > . 1:537(536) ack 2 win 64240
        ",
        &["8 data-beyond-window"],
    );
}
