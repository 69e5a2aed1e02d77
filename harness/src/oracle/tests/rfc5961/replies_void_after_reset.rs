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

/// RFC 9293 §3.10.7.4, RFC 5961; challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn silence_after_a_rst_that_may_have_reset_is_allowed() {
    // No ack-delayed-too-long: the ACK owed for the data is void if the RST
    // reset. The missing challenge ACK is a deviation smoltcp's profile allows.
    expect_findings(
        Profile::smoltcp(),
        &data_then(true),
        &["end challenge-ack-not-sent (deviation)"],
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

/// RFC 9293 §3.10.7.4, RFC 5961; challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn challenge_ack_the_rst_itself_draws_is_still_owed() {
    // RFC 5961 §3.2: the RST draws a challenge ACK; only what was owed
    // before it is void if the target reset.
    expect_findings(
        Profile::rfc9293(),
        &data_then(true),
        &["end challenge-ack-not-sent"],
    );
}
