//! ESTABLISHED (RFC 9293 §3.10.7.4): the ACK field, acceptability and the
//! target's sequence space, in line form (see `lines.rs`), each test
//! asserting the exact set of findings. The window is in `window/`, RSTs and
//! SYNs (RFC 5961) in `rfc5961/`.

use crate::oracle::tests::lines::{rfc, ESTABLISHED, ESTABLISHED_DATA};
use crate::oracle::tests::*;

// ---- ack-bit-missing (§3.10.7.4: "if the ACK bit is off drop the segment"; the target always sets it) ----

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-bit-missing (RFC 9293 §3.1).
#[test]
fn a_segment_without_the_ack_bit_violates() {
    rfc(ESTABLISHED, "> P 1:6(5) win 64240", &["5 ack-bit-missing"]);
}

// ---- unacceptable segments: unacceptable-ack-numbers / ack-not-sent ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn out_of_window_data_draws_an_ack_with_snd_nxt_and_rcv_nxt() {
    rfc(
        ESTABLISHED_DATA,
        "< . 100000:100010(10) ack 1 win 65535
         > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn old_duplicate_data_draws_an_ack_with_rcv_nxt() {
    rfc(
        ESTABLISHED_DATA,
        "< . 1:11(10) ack 1 win 65535
         > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; unacceptable-ack-numbers (RFC 9293 §3.10.7.4);
/// ack-went-backwards (RFC 9293 §3.3.1).
#[test]
fn the_ack_for_an_unacceptable_segment_with_a_wrong_ack_violates() {
    let f = rfc(
        ESTABLISHED_DATA,
        "< . 100000:100010(10) ack 1 win 65535
         > . 1:1(0) ack 5 win 64240",
        &["8 unacceptable-ack-numbers", "8 ack-went-backwards"],
    );
    let numbers = f
        .iter()
        .find(|f| f.rule == RuleId::UnacceptableAckNumbers)
        .map(|f| f.message.clone());
    let want = format!("expected <SEQ={}><ACK={}>", l(1), r(11));
    assert!(numbers.is_some_and(|m| m.contains(&want)), "{f:#?}");
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; unacceptable-ack-numbers (RFC 9293 §3.10.7.4); seq-gap (RFC
/// 9293 §3.3.1).
#[test]
fn the_ack_for_an_unacceptable_segment_with_a_wrong_seq_violates() {
    rfc(
        ESTABLISHED_DATA,
        "< . 100000:100010(10) ack 1 win 65535
         > . 3:3(0) ack 11 win 64240",
        &["8 unacceptable-ack-numbers", "8 seq-gap"],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-not-sent (RFC 9293 §3.10.7.4).
#[test]
fn an_unacceptable_segment_without_a_reply_is_a_should_warning() {
    let f = rfc(
        ESTABLISHED_DATA,
        "< . 100000:100010(10) ack 1 win 65535",
        &["end ack-not-sent"],
    );
    assert_eq!(f[0].level, Level::Should);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn an_ack_of_unsent_data_draws_an_ack() {
    rfc(
        ESTABLISHED,
        "< . 1:1(0) ack 500 win 65535
         > . 1:1(0) ack 1 win 64240",
        &[],
    );
}

// ---- ack-delayed-too-long (§3.8.6.3, MUST-40: under 0.5 s) ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn data_acknowledged_within_half_a_second_is_allowed() {
    rfc(
        ESTABLISHED,
        "< . 1:11(10) ack 1 win 65535
         +0.4 > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn data_unacknowledged_for_half_a_second_violates() {
    let f = rfc(
        ESTABLISHED,
        "< . 1:11(10) ack 1 win 65535",
        &["end ack-delayed-too-long"],
    );
    assert_eq!(f[0].requirement, "MUST-40");
    assert!(
        f[0].message.contains(&format!("data up to {}", r(11))),
        "{}",
        f[0]
    );
}

// ---- ack-of-unsent-data ----

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn an_ack_beyond_what_the_harness_sent_violates() {
    let f = rfc(
        ESTABLISHED,
        "< . 1:11(10) ack 1 win 65535
         > . 1:1(0) ack 20 win 64240",
        &["6 ack-of-unsent-data"],
    );
    let m = &f[0].message;
    assert!(
        m.contains(&format!("ack {}", r(20))) && m.contains(&r(11).to_string()),
        "{m}"
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn an_ack_of_out_of_order_data_once_the_hole_fills_is_allowed() {
    rfc(
        ESTABLISHED,
        "< . 11:21(10) ack 1 win 65535
         > . 1:1(0) ack 1 win 64240
         < . 1:11(10) ack 1 win 65535
         > . 1:1(0) ack 21 win 64240",
        &[],
    );
}

// ---- ack-went-backwards ----

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-went-backwards (RFC 9293 §3.3.1).
#[test]
fn an_ack_going_backwards_violates() {
    rfc(
        ESTABLISHED_DATA,
        "> . 1:1(0) ack 5 win 64240",
        &["7 ack-went-backwards"],
    );
}

// ---- the target's sequence space: seq-gap / retransmit-below-snd-una ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn data_continues_at_snd_nxt() {
    rfc(
        ESTABLISHED,
        "> . 1:101(100) ack 1 win 64240
         > . 101:201(100) ack 1 win 64240",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; seq-gap (RFC 9293 §3.3.1).
#[test]
fn data_leaving_a_hole_violates() {
    let f = rfc(
        ESTABLISHED,
        "> . 1:101(100) ack 1 win 64240
         > . 111:121(10) ack 1 win 64240",
        &["6 seq-gap"],
    );
    assert!(f[0].message.contains("10 octets never sent"), "{}", f[0]);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; retransmit-below-snd-una (RFC 9293 §3.3.1).
#[test]
fn resending_acknowledged_data_warns() {
    rfc(
        ESTABLISHED,
        "> . 1:101(100) ack 1 win 64240
         < . 1:1(0) ack 101 win 65535
         > . 1:101(100) ack 1 win 64240",
        &["7 retransmit-below-snd-una"],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn a_keepalive_below_snd_una_is_allowed() {
    rfc(
        ESTABLISHED,
        "> . 1:101(100) ack 1 win 64240
         < . 1:1(0) ack 101 win 65535
         > . 100:101(1) ack 1 win 64240",
        &[],
    );
}
