//! ESTABLISHED (RFC 9293 §3.3.1, §3.10.7.4): the target acknowledges only what was sent.

use crate::oracle::tests::lines::{rfc, ESTABLISHED};

/// ESTABLISHED: RFC 9293 §3.10.7.4; seq-gap (RFC 9293 §3.3.1).
#[test]
fn established_pure_ack_beyond_snd_nxt_violates() {
    rfc(ESTABLISHED, "> . 50:50(0) ack 1 win 64240", &["5 seq-gap"]);
}
