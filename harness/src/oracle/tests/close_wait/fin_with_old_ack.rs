//! A FIN on a segment whose ACK is below SND.UNA: RFC 9293 §3.10.7.4 lets
//! a stack ignore the duplicate ACK and go on to the text and the FIN; a
//! stack may drop the whole segment instead (MAY-12, smoltcp 0.14:
//! `old-ack-data-dropped`), FIN and all. The target's ACK of the FIN
//! decides; until then the model stays ESTABLISHED (fuzz: rst-not-sent of
//! campaign 10: the model took such a FIN, so the target's FIN after a
//! close made LAST-ACK, a later ACK of it closed the connection, and the
//! model owed RSTs that the target, in FIN-WAIT-1, rightly never sent).

use crate::oracle::tests::*;

/// ESTABLISHED, the target's 5 octets l(1)..l(6) acknowledged (SND.UNA
/// l(6)), then a FIN at r(1) with `ack l(1)`, below SND.UNA.
fn fin_with_old_ack(profile: Profile) -> T {
    let mut t = established_with(profile);
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
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    t
}

/// The target's FIN at l(6) after a close, ACK at `ack`.
fn target_fin(t: &mut T, ack: SeqNumber) -> Segment {
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    Segment {
        seq: l(6),
        ack,
        flags: FIN | ACK,
        ..recv_tmpl()
    }
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn fin_dropped_with_its_old_ack_leaves_the_target_in_fin_wait_1_after_a_close() {
    let mut t = fin_with_old_ack(Profile::smoltcp());
    let fin = target_fin(&mut t, r(1));
    recv!(t, fin);
    assert_eq!(t.states(), vec![TcpState::FinWait1]);
    // The harness acknowledges that FIN: FIN-WAIT-2, so its text draws an ACK.
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(7),
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(7),
            flags: PSH | ACK,
            payload: vec![b'x'; 16],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(7),
            ack: r(17),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::FinWait2]);
    // The dropped FIN is the profile's deviation, and only that.
    let f = t.wait(Duration::from_secs(1));
    assert!(f.iter().all(|f| f.deviation.is_some()), "{f:#?}");
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn fin_taken_despite_its_old_ack_makes_close_wait_once_acknowledged() {
    let mut t = fin_with_old_ack(Profile::rfc9293());
    recv!(
        t,
        Segment {
            seq: l(6),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::CloseWait]);
    let fin = target_fin(&mut t, r(2));
    recv!(t, fin);
    assert_eq!(t.states(), vec![TcpState::LastAck]);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; old-ack-data-dropped (RFC 9293 §3.10.7.4, MAY-12).
#[test]
fn fin_with_an_old_ack_never_acknowledged_is_reported_as_dropped() {
    let mut t = fin_with_old_ack(Profile::rfc9293());
    let f = expect_rule(t.wait(Duration::from_secs(1)), RuleId::OldAckDataDropped);
    assert_eq!(f.level, Level::Should);
    assert!(f.deviation.is_none());
}
