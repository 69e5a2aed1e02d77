//! A FIN the model is unsure of (on a segment whose ACK is below SND.UNA,
//! which smoltcp 0.14 drops whole: MAY-12), then a later segment whose text
//! covers the FIN's sequence number and ends one past it. The target's ACK
//! there is that text's as much as the FIN's, so it does not show the FIN
//! taken: smoltcp took the text, stayed ESTABLISHED, and its close makes
//! FIN-WAIT-1 (fuzz: segment-on-closed-connection of campaign 11, the model
//! in LAST-ACK closed by the ACK of that FIN).

use crate::oracle::tests::lines::ESTABLISHED;
use crate::oracle::tests::*;

fn seg(seq: SeqNumber, ack: SeqNumber, flags: TcpFlags, n: usize) -> Segment {
    Segment {
        seq,
        ack,
        flags,
        payload: vec![b'x'; n],
        ..send_tmpl()
    }
}

/// ESTABLISHED; 10 octets from r(1) with a FIN at r(11) and an ACK below
/// SND.UNA (l(0)): the FIN may or may not have been taken.
fn fin_with_old_ack() -> T {
    let mut t = established_with(Profile::smoltcp());
    send!(t, seg(r(1), l(0), FIN | PSH | ACK, 10));
    t
}

fn ack(upto: SeqNumber) -> Segment {
    Segment {
        seq: l(1),
        ack: upto,
        ..recv_tmpl()
    }
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn ack_one_past_the_fin_after_text_over_it_leaves_the_fin_not_taken() {
    let mut t = fin_with_old_ack();
    send!(t, seg(r(1), l(1), PSH | ACK, 11));
    recv!(t, ack(r(12)));
    // A branch that took the segment with the old ACK (RFC 9293) may
    // have taken the FIN; the one that dropped it has not.
    assert!(
        t.states().contains(&TcpState::Established),
        "{:?}",
        t.states()
    );
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(12),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::FinWait1), "{:?}", t.states());
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn ack_one_past_the_fin_without_text_over_it_shows_the_fin_taken() {
    crate::oracle::tests::lines::expect_findings_after(
        Profile::smoltcp(),
        ESTABLISHED,
        "
        < FP. 1:11(10) ack 0 win 65535
        > . 1:1(0) ack 12 win 64240
        state CLOSE-WAIT
        ",
        &[],
    );
}
