//! Replies owed before a segment that may have reset the connection are
//! void if it did: a reset target sends nothing more on it (RFC 9293
//! §3.10.7.4; fuzz finding ack-delayed-too-long: data, then an in-window
//! RST that smoltcp takes as a reset, then silence). Every sequence in line
//! form (see `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// ESTABLISHED; 10 octets arrive (an ACK is owed within 0.5 s), then, when
/// `rst`, a RST inside the window but not at RCV.NXT: RFC 793 stacks
/// (smoltcp) reset, RFC 5961 §3.2 ones send a challenge ACK.
fn data_then(rst: bool) -> String {
    let rst = if rst { "< R 100:100(0) win 65535" } else { "" };
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        < P. 1:11(10) ack 1 win 65535
        {rst}
        "
    )
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn silence_after_a_rst_that_may_have_reset_is_allowed() {
    // No ack-delayed-too-long: the model in which the RST reset (RFC 793,
    // a deviation smoltcp's profile allows) owes nothing more, and is the
    // one left once the ACK for the data is overdue (`reset_fork.rs`).
    expect_findings(
        Profile::smoltcp(),
        &data_then(true),
        &["end rst-in-window-resets (deviation)"],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn data_left_unacknowledged_without_a_rst_violates() {
    expect_findings(
        Profile::smoltcp(),
        &data_then(false),
        &["end ack-delayed-too-long"],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40), challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn challenge_ack_the_rst_itself_draws_is_still_owed() {
    // RFC 5961 §3.2: the RST draws a challenge ACK. The model in which the
    // RST did not reset owes it and the ACK for the data; the one in which
    // it did (RFC 793) holds `rst-in-window-resets`, as many violations
    // when the challenge ACK is overdue, so the first model's are reported.
    expect_findings(
        Profile::rfc9293(),
        &data_then(true),
        &["end ack-delayed-too-long", "end challenge-ack-not-sent"],
    );
}
