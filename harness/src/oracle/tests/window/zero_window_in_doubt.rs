//! A zero window the target may or may not have taken forks the model
//! (`Oracle::zero_window_unknown`): a window update with no new ACK,
//! acceptable for some RCV.NXT candidates only (a SYN's text queued or
//! dropped). In the copy that took it the send window is zero, so a
//! one-octet probe past the edge is allowed (RFC 9293 §3.8.6.1); more is
//! beyond the window in both copies. The same for a zero window on an ACK
//! acceptable for some RCV.NXT candidates only.

use crate::oracle::tests::lines::expect_after;
use crate::oracle::tests::*;

/// ESTABLISHED after a SYN with 10 octets of text (RCV.NXT r(1) or
/// r(11)), the target's data `l(1)..l(145)` sent, an ACK of l(33) every
/// candidate accepts (seq r(11)) leaving the edge at l(145), then the same
/// ACK with a zero window at r(1), acceptable only if RCV.NXT is r(1).
///
/// As lines: 2 to 7; a test's lines start at line 8.
const ZERO_WINDOW_UPDATE_MAYBE_TAKEN: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 144
    > . 1:145(144) ack 1 win 64240
    < . 11:11(0) ack 33 win 112
    < . 1:1(0) ack 33 win 0
";

/// ESTABLISHED after a SYN with 10 octets of data (queued or dropped:
/// RCV.NXT is r(1) or r(11)), window 144 filled by `l(1)..l(145)`; then an
/// ACK of l(33) with a zero window at r(1), acceptable only if RCV.NXT is
/// r(1): the target may have taken it or not.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const ZERO_WINDOW_MAYBE_TAKEN: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 144
    > . 1:145(144) ack 1 win 64240
    < . 1:1(0) ack 33 win 0
";

/// A second after `open`, the target sends `octets` from the window's edge
/// at l(145), and that draws exactly `expected`.
fn probe(open: &str, octets: u32, expected: &[&str]) {
    let rest = format!("+1.001 > . 145:{}({octets}) ack 1 win 64240", 145 + octets);
    expect_after(Profile::rfc9293(), open, &rest, expected);
}

/// RFC 9293 §3.8.6.1: with a zero window the sender probes with one new octet.
#[test]
fn one_octet_probe_is_allowed_when_an_ack_the_target_may_have_taken_closed_the_window() {
    probe(ZERO_WINDOW_MAYBE_TAKEN, 1, &[]);
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn more_than_a_probe_past_the_edge_is_beyond_a_window_that_may_be_zero() {
    probe(ZERO_WINDOW_MAYBE_TAKEN, 2, &["7 data-beyond-window"]);
}

/// RFC 9293 §3.8.6.1.
#[test]
fn one_octet_probe_after_a_window_update_the_target_may_have_taken() {
    probe(ZERO_WINDOW_UPDATE_MAYBE_TAKEN, 1, &[]);
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn two_octets_after_a_window_update_the_target_may_have_taken_are_beyond_the_window() {
    probe(ZERO_WINDOW_UPDATE_MAYBE_TAKEN, 2, &["8 data-beyond-window"]);
}
