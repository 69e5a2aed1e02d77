//! ESTABLISHED (RFC 9293 §3.10.7.4 fifth check): data on a duplicate ACK is taken.

use crate::oracle::tests::*;

// ---- old-ack-data-dropped ----

/// ESTABLISHED after the target sent 5 octets and the harness ACKed them.
fn established_after_target_data() -> T {
    let mut t = established();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![1; 5],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(6),
            ..send_tmpl()
        }
    );
    t
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn established_data_with_a_duplicate_ack_is_accepted() {
    let mut t = established_after_target_data();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(6),
            ack: r(11),
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(Duration::from_secs(2)));
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; old-ack-data-dropped (RFC 9293 §3.10.7.4, MAY-12).
#[test]
fn established_data_with_a_duplicate_ack_dropped_warns() {
    let mut t = established_after_target_data();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    let f = expect_rule(t.wait(Duration::from_secs(1)), RuleId::OldAckDataDropped);
    assert_eq!(f.level, Level::Should);
}
