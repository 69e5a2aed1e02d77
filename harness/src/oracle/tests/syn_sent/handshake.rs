//! SYN-SENT (RFC 9293 §3.10.7.3): the active open's handshake with `Segment` literals.

use crate::oracle::tests::lines::{rfc, LISTEN};

// ---- the target's active open (SYN-SENT) ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn syn_sent_active_open_completes_and_data_flows() {
    rfc(
        LISTEN,
        "> S 0:0(0) win 64240 <mss 1460>
         +1.001 > S 0:0(0) win 64240 <mss 1460>
         < S. 0:0(0) ack 1 win 65535 <mss 1460>
         state ESTABLISHED
         > . 1:1(0) ack 1 win 64240
         < . 1:11(10) ack 1 win 65535
         > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn syn_sent_ack_beyond_the_peer_syn_violates() {
    rfc(
        LISTEN,
        "> S 0:0(0) win 64240 <mss 1460>
         < S. 0:0(0) ack 1 win 65535 <mss 1460>
         > . 1:1(0) ack 2 win 64240",
        &["4 ack-of-unsent-data"],
    );
}
