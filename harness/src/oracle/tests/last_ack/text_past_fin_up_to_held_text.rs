//! The segment whose ACK closes LAST-ACK carries text past the harness's
//! FIN up to text the target held out of order beyond it (fuzz campaign 11,
//! segment-on-closed-connection): smoltcp 0.14 takes that text with the
//! held text and, counting the FIN below the held text (ack-of-unsent-data,
//! cases/regressions/smoltcp-fin-acked-past-queued-data), acknowledges one
//! past all the harness sent as it closes: `ack-past-fin`, not a segment on
//! a closed connection.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// ESTABLISHED; text 20..30 held out of order (when `held`), the harness's
/// FIN at 1, the target's ACK and FIN: LAST-ACK; then text 2..22 past the
/// FIN, acknowledging the target's FIN (CLOSED), and the target's `ack`.
/// The ACK is line 12 with the held text, 11 without (an empty line).
fn last_ack_then(held: bool, ack: u32) -> String {
    let held = if held {
        "< P. 20:30(10) ack 1 win 65535
        > . 1:1(0) ack 1 win 64240"
    } else {
        ""
    };
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        {held}
        < F. 1:1(0) ack 1 win 65535
        > F. 1:1(0) ack 2 win 64240
        state LAST-ACK
        < P. 2:22(20) ack 2 win 65535
        state CLOSED
        > . 2:2(0) ack {ack} win 64240
        "
    )
}

/// LAST-ACK: RFC 9293 §3.10.7.4; ack-past-fin (RFC 9293 §3.10.7.4).
#[test]
fn closing_text_up_to_held_text_then_ack_one_past_all_sent_is_ack_past_fin() {
    let f = expect_findings(
        Profile::smoltcp(),
        &last_ack_then(true, 31),
        &["12 ack-past-fin"],
    );
    assert!(f[0].is_failure(), "{f:#?}");
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn closing_text_up_to_held_text_then_ack_two_past_all_sent_violates() {
    expect_findings(
        Profile::smoltcp(),
        &last_ack_then(true, 32),
        &["12 segment-on-closed-connection"],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn closing_text_without_held_text_then_ack_one_past_it_violates() {
    expect_findings(
        Profile::smoltcp(),
        &last_ack_then(false, 23),
        &["11 segment-on-closed-connection"],
    );
}
