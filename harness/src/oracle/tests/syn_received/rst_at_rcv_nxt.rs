//! SYN-RECEIVED (RFC 9293 §3.10.7.4 second check): a RST at RCV.NXT returns a passive
//! open to LISTEN.

use crate::oracle::tests::lines::{rfc, SYN_RECEIVED};

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_rst_at_rcv_nxt_returns_to_listen() {
    rfc(
        SYN_RECEIVED,
        "< R 1:1(0) win 65535
         state CLOSED
         < S 100:100(0) win 65535
         > S. 9:9(0) ack 101 win 64240 <mss 1460>",
        &[],
    );
}
