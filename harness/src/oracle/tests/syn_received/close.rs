//! CLOSE in SYN-RECEIVED (RFC 9293 §3.10.4: "If no SENDs have been issued
//! and there is no pending data to send, then form a FIN segment and send
//! it"; with data queued, the FIN waits for ESTABLISHED), on the smoltcp
//! profile, whose fuzz findings (syn-ack-without-syn, syn-in-window-resets)
//! drew these: smoltcp holds that FIN and later sends it at ISS, in the
//! SYN's place, or never. In line form (see `lines.rs`), each test asserting
//! the exact set of findings; converted from `close.rs` (issue #16 item 6).

use crate::oracle::tests::lines::{expect_findings, SYN_RECEIVED};
use crate::oracle::tests::*;

fn smoltcp(rest: &str, expected: &[&str]) -> Vec<Finding> {
    let sequence = format!("{SYN_RECEIVED}{rest}");
    expect_findings(Profile::smoltcp(), &sequence, expected)
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn close_sends_a_fin_at_iss_plus_one() {
    smoltcp(
        "close(4) = 0
         > F. 1:1(0) ack 1 win 64240
         state FIN-WAIT-1
         < . 1:1(0) ack 1 win 65535
         state FIN-WAIT-1",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn a_fin_at_iss_after_close_violates() {
    // smoltcp sends it at its SYN-ACK retransmission, within the grace.
    let f = smoltcp(
        "close(4) = 0
         +0.9 > F. 0:0(0) ack 1 win 64240",
        &["5 close-fin-missing"],
    );
    assert!(f[0].message.contains("ISS"), "{}", f[0].message);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn close_without_a_fin_violates() {
    // The handshake's ACK (smoltcp takes it as the FIN's), then silence.
    smoltcp(
        "close(4) = 0
         < . 1:1(0) ack 1 win 65535",
        &["end close-fin-missing"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn write_then_close_owes_the_fin_after_the_handshake() {
    smoltcp(
        "write(4, ..., 5) = 5
         close(4) = 0
         +3 < . 1:1(0) ack 1 win 65535
         > FP. 1:6(5) ack 1 win 64240",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn write_then_close_without_a_fin_after_the_handshake_violates() {
    smoltcp(
        "write(4, ..., 5) = 5
         close(4) = 0
         < . 1:1(0) ack 1 win 65535",
        &["end close-fin-missing"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn close_in_established_owes_no_fin_timer() {
    // Only CLOSE in SYN-RECEIVED is timed; in ESTABLISHED queued data may hold the FIN.
    smoltcp(
        "< . 1:1(0) ack 1 win 65535
         close(4) = 0",
        &[],
    );
}
