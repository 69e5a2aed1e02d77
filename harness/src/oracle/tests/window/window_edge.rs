//! The send window in ESTABLISHED (RFC 9293 §3.8.6, §3.8.6.1): data up to its edge, one
//! octet into a zero window.

use crate::oracle::tests::lines::{expect_after, rfc, ESTABLISHED};
use crate::oracle::tests::*;

// ---- data-beyond-window ----

/// RFC 9293 §3.8.6.
#[test]
fn established_data_up_to_the_window_edge_is_allowed() {
    rfc(
        ESTABLISHED,
        "< . 1:1(0) ack 1 win 100
         > . 1:101(100) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn established_data_past_the_window_violates() {
    let judged = expect_after(
        Profile::rfc9293(),
        ESTABLISHED,
        "< . 1:1(0) ack 1 win 100
         > . 1:102(101) ack 1 win 64240",
        &["6 data-beyond-window"],
    );
    let f = judged.finding("6 data-beyond-window");
    assert!(f.message.contains(&format!("right edge {}", l(101))), "{f}");
}

/// RFC 9293 §3.8.6.
#[test]
fn established_one_byte_zero_window_probe_is_allowed() {
    rfc(
        ESTABLISHED,
        "< . 1:1(0) ack 1 win 0
         // The first probe waits a retransmission timeout (SHLD-29, `zero-window-probe-early`).
         +1.001 > . 1:2(1) ack 1 win 64240
         +3.001 > . 1:2(1) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn established_two_byte_zero_window_probe_violates() {
    rfc(
        ESTABLISHED,
        "< . 1:1(0) ack 1 win 0
         > . 1:3(2) ack 1 win 64240",
        &["6 data-beyond-window"],
    );
}
