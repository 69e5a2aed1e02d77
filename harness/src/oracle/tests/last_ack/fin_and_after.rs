//! LAST-ACK (RFC 9293 §3.10.7.4): nothing after the target's FIN but its retransmission,
//! nothing once CLOSED. Line form (see `lines.rs`).

use crate::oracle::tests::lines::{rfc, LAST_ACK};
use crate::oracle::tests::*;

// ---- LAST-ACK: data-after-fin, fin-moved, segment-on-closed-connection ----

/// LAST-ACK: RFC 9293 §3.10.7.4; data-after-fin (RFC 9293 §3.10.4).
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

/// LAST-ACK: RFC 9293 §3.10.7.4.
#[test]
fn last_ack_fin_retransmission_is_allowed() {
    rfc(LAST_ACK, "+1 > F. 1:1(0) ack 2 win 64240", &[]);
}

/// LAST-ACK: RFC 9293 §3.10.7.4; fin-moved (RFC 9293 §3.6); seq-gap (RFC 9293 §3.3.1).
#[test]
fn last_ack_fin_at_another_sequence_number_violates() {
    rfc(
        LAST_ACK,
        "+1 > F. 3:3(0) ack 2 win 64240",
        &["8 fin-moved", "8 seq-gap"],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn closed_after_last_ack_any_data_violates() {
    rfc(
        LAST_ACK,
        "< . 2:2(0) ack 2 win 65535
         > . 2:5(3) ack 2 win 64240",
        &["9 segment-on-closed-connection"],
    );
}
