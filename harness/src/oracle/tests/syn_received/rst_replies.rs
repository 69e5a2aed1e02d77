//! SYN-RECEIVED (RFC 9293 §3.10.7.4 fifth check): an unacceptable ACK draws
//! <SEQ=SEG.ACK><CTL=RST> and the handshake goes on.

use crate::oracle::tests::lines::{rfc, SYN_RECEIVED};

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_bad_final_ack_draws_rst_and_the_handshake_can_still_complete() {
    rfc(
        SYN_RECEIVED,
        "< . 1:1(0) ack 50 win 65535
         > R 50:50(0) win 64240
         < . 1:1(0) ack 1 win 65535
         state ESTABLISHED",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn syn_received_bad_final_ack_answered_with_wrong_rst_violates() {
    rfc(
        SYN_RECEIVED,
        "< . 1:1(0) ack 50 win 65535
         > R 1:1(0) win 64240",
        &["5 rst-listen-numbers"],
    );
}
