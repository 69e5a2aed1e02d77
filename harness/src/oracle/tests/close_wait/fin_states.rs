//! CLOSE-WAIT (RFC 9293 §3.6, §3.10.7.4 eighth check): the peer's FIN acknowledged, alone
//! or with the target's FIN; data then FIN. Line form (see `lines.rs`).

use crate::oracle::tests::lines::{rfc, ESTABLISHED};

// ---- ACK and FIN together or apart ----

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn the_peers_fin_acknowledged_with_the_targets_fin_in_one_segment() {
    rfc(
        ESTABLISHED,
        "< F. 1:1(0) ack 1 win 65535
         > F. 1:1(0) ack 2 win 64240
         state LAST-ACK
         < . 2:2(0) ack 2 win 65535
         state CLOSED",
        &[],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn close_wait_data_then_fin_is_allowed() {
    rfc(
        ESTABLISHED,
        "< F. 1:1(0) ack 1 win 65535
         > . 1:1(0) ack 2 win 64240
         state CLOSE-WAIT
         > P. 1:11(10) ack 2 win 64240
         > F. 11:11(0) ack 2 win 64240
         state LAST-ACK",
        &[],
    );
}
