//! A segment acceptable for one RCV.NXT candidate and not for another
//! (RFC 9293 §3.10.7.4 Table 6): the target may have taken data the model
//! cannot place yet. Whether it processed the segment (its ACK, its FIN) or
//! dropped it as unacceptable, both conform: the model forks, and the
//! target's next segments decide (fuzz campaign 8, time-wait-sends).

use super::*;

/// FIN-WAIT-1 (the target's FIN at l(1)), then 10 octets and a FIN from the
/// harness that the target has not acknowledged yet: RCV.NXT is r(1) or r(12).
fn closing_unacknowledged() -> T {
    let mut t = fin_wait_1_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    t
}

/// A FIN at r(1) that acknowledges the target's FIN: acceptable if RCV.NXT
/// is still r(1), an old duplicate if it is r(12).
fn old_fin_acking_the_targets_fin() -> Segment {
    Segment {
        seq: r(1),
        ack: l(2),
        flags: FIN | ACK,
        ..send_tmpl()
    }
}

#[test]
fn old_fin_dropped_as_unacceptable_leaves_the_targets_fin_unacknowledged() {
    let mut t = closing_unacknowledged();
    send!(t, old_fin_acking_the_targets_fin());
    // The target took the data and FIN (RCV.NXT r(12)), so the second
    // segment was old: it answers with an ACK and never saw the ACK of its FIN.
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(12),
            ..recv_tmpl()
        }
    );
    // Its FIN, retransmitted: CLOSING, not TIME-WAIT.
    t.now += ms(1000);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(12),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::Closing), "{:?}", t.states());
}

#[test]
fn old_fin_processed_leads_to_time_wait() {
    let mut t = closing_unacknowledged();
    send!(t, old_fin_acking_the_targets_fin());
    // The target had not taken the data: the FIN at r(1) is in, and so is
    // the ACK of its FIN (TIME-WAIT); it ACKs the FIN.
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::TimeWait), "{:?}", t.states());
}

#[test]
fn ambiguous_segment_then_a_violation_in_every_branch_is_still_caught() {
    let mut t = closing_unacknowledged();
    send!(t, old_fin_acking_the_targets_fin());
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(30),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
}

#[test]
fn ambiguous_segment_that_moves_nothing_does_not_fork() {
    // A pure ACK at r(1) that acknowledges nothing new: processed or
    // dropped as unacceptable, it owes an ACK at most; one model suffices
    // (and the branch budget stays for segments that matter).
    let mut t = closing_unacknowledged();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert_eq!(t.oracle.branch_count(), 1);
    send!(t, old_fin_acking_the_targets_fin());
    assert_eq!(t.oracle.branch_count(), 2);
}
