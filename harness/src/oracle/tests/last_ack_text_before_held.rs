//! The segment whose ACK closes LAST-ACK carries text past the harness's
//! FIN up to text the target held out of order beyond it (fuzz campaign 11,
//! segment-on-closed-connection): smoltcp 0.14 takes that text with the
//! held text and, counting the FIN below the held text (ack-of-unsent-data,
//! cases/regressions/smoltcp-fin-acked-past-queued-data), acknowledges one
//! past all the harness sent as it closes: `ack-past-fin`, not a segment on
//! a closed connection.

use super::*;

fn text(seq: SeqNumber, ack: SeqNumber, n: usize) -> Segment {
    Segment {
        seq,
        ack,
        flags: PSH | ACK,
        payload: vec![b't'; n],
        ..send_tmpl()
    }
}

/// ESTABLISHED; text r(20)..r(30) held out of order (`held`), the
/// harness's FIN at r(1), the target's ACK and FIN: LAST-ACK.
fn last_ack(held: bool) -> T {
    let mut t = established_with(Profile::smoltcp());
    if held {
        send!(t, text(r(20), l(1), 10));
        recv!(
            t,
            Segment {
                seq: l(1),
                ack: r(1),
                ..recv_tmpl()
            }
        );
    }
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::LastAck]);
    // Text r(2)..r(22) past the FIN, acknowledging the target's FIN.
    send!(t, text(r(2), l(2), 20));
    assert!(t.states().is_empty(), "{:?}", t.states());
    t
}

fn ack(upto: SeqNumber) -> Segment {
    Segment {
        seq: l(2),
        ack: upto,
        ..recv_tmpl()
    }
}

#[test]
fn closing_text_up_to_held_text_then_ack_one_past_all_sent_is_ack_past_fin() {
    let mut t = last_ack(true);
    let f = recv!(t, ack(r(31)), RuleId::AckPastFin);
    assert!(f.is_failure(), "{f:#?}");
}

#[test]
fn closing_text_up_to_held_text_then_ack_two_past_all_sent_violates() {
    let mut t = last_ack(true);
    recv!(t, ack(r(32)), RuleId::SegmentOnClosedConnection);
}

#[test]
fn closing_text_without_held_text_then_ack_one_past_it_violates() {
    let mut t = last_ack(false);
    recv!(t, ack(r(23)), RuleId::SegmentOnClosedConnection);
}
