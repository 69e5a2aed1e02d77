//! ESTABLISHED (RFC 9293 §3.3.1, §3.10.7.4): the target acknowledges only what was sent.

use crate::oracle::tests::*;

/// ESTABLISHED: RFC 9293 §3.10.7.4; seq-gap (RFC 9293 §3.3.1).
#[test]
fn established_pure_ack_beyond_snd_nxt_violates() {
    let mut t = established();
    recv!(
        t,
        Segment {
            seq: l(50),
            ack: r(1),
            ..recv_tmpl()
        },
        RuleId::SeqGap
    );
}
