//! A FIN the model is unsure of (inside the RCV.NXT range a SYN's data
//! leaves) and a close by the application (a built-in service told as one:
//! echo reads the text before the FIN, echoes it, closes) after it: the
//! target's ACK decides the FIN only later, but it arrived before the close,
//! so the target is in CLOSE-WAIT and its FIN makes LAST-ACK (RFC 9293
//! §3.10.7.4 eighth check, §3.10.4), not CLOSING and TIME-WAIT. A close
//! before the FIN arrived still makes CLOSING (campaign 8, with the service
//! close reported: 14 time-wait-too-short such as crash-c75664be…, 3
//! time-wait-sends such as crash-0f433015…).

use crate::oracle::tests::*;

/// ESTABLISHED (by the FIN segment's ACK) after a SYN carrying 10 octets:
/// RCV.NXT r(1) if the target dropped them, r(11) if it queued them. The
/// application's close and 4 octets echoed come at `close_first` before
/// 4 octets and a FIN at r(1), the FIN at r(5) inside that range; at
/// `!close_first` after it.
fn fin_inside_the_range_and_close(close_first: bool) -> T {
    let mut t = syn_received_after_syn_data(Profile::smoltcp());
    let close = |t: &mut T| {
        t.oracle.on_app(t.now, peer(), AppEvent::Write(4));
        t.oracle.on_app(t.now, peer(), AppEvent::Close);
    };
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    if close_first {
        close(&mut t);
    }
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | PSH | ACK,
            payload: vec![b'e'; 4],
            ..send_tmpl()
        }
    );
    if !close_first {
        close(&mut t);
    }
    // The target took the FIN (ACK r(6)) and sends the 4 octets and its FIN.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(6),
            flags: FIN | PSH | ACK,
            payload: vec![b'e'; 4],
            ..recv_tmpl()
        }
    );
    t
}

/// The harness ACKs the target's FIN, then sends its FIN again (its ACK
/// lost, as far as the harness knows): the target that closed in LAST-ACK
/// has no connection and resets (RFC 9293 §3.10.7.1, seq = SEG.ACK); one in
/// TIME-WAIT must ACK it again (§3.10.7.4, TIME-WAIT), not reset.
fn ack_of_the_fin_then_the_fin_again_draws_a_reset(t: &mut T) -> Vec<Finding> {
    send!(
        *t,
        Segment {
            seq: r(6),
            ack: l(6),
            ..send_tmpl()
        }
    );
    send!(
        *t,
        Segment {
            seq: r(5),
            ack: l(6),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(6),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        },
    )
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn close_after_a_fin_its_ack_decides_later_makes_last_ack_and_a_reset_after_it() {
    let mut t = fin_inside_the_range_and_close(false);
    assert_eq!(t.states()[0], TcpState::LastAck, "{:?}", t.states());
    let f = ack_of_the_fin_then_the_fin_again_draws_a_reset(&mut t);
    expect_none(f);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn close_before_a_fin_its_ack_decides_later_makes_closing() {
    let t = fin_inside_the_range_and_close(true);
    // The second: a target that queued the SYN's data found the FIN
    // segment old (RCV.NXT r(11)) and dropped it; what follows decides.
    assert_eq!(
        t.states(),
        vec![TcpState::Closing, TcpState::FinWait1],
        "the FIN came after the close"
    );
}

// ---- the same with a FIN whose ACK is below SND.UNA ----
// MAY-12: a stack may drop such a segment, FIN and all (smoltcp), so the
// target's ACK of the FIN decides whether it was taken, as above.

/// ESTABLISHED, the target's 4 octets ACKed (SND.UNA l(5)); 4 octets and a
/// FIN at r(5) whose ACK is l(1), and the application's close and 4 octets
/// more before (`close_first`) or after it; the target ACKs the FIN (r(6))
/// with its octets and FIN.
fn fin_with_an_old_ack_and_close(close_first: bool) -> T {
    let mut t = established_with(Profile::smoltcp());
    t.oracle.on_app(t.now, peer(), AppEvent::Write(4));
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![b'w'; 4],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(5),
            ..send_tmpl()
        }
    );
    let close = |t: &mut T| {
        t.oracle.on_app(t.now, peer(), AppEvent::Write(4));
        t.oracle.on_app(t.now, peer(), AppEvent::Close);
    };
    if close_first {
        close(&mut t);
    }
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | PSH | ACK,
            payload: vec![b'e'; 4],
            ..send_tmpl()
        }
    );
    if !close_first {
        close(&mut t);
    }
    recv!(
        t,
        Segment {
            seq: l(5),
            ack: r(6),
            flags: FIN | PSH | ACK,
            payload: vec![b'e'; 4],
            ..recv_tmpl()
        }
    );
    // The harness ACKs the target's FIN.
    send!(
        t,
        Segment {
            seq: r(6),
            ack: l(10),
            ..send_tmpl()
        }
    );
    t
}

/// The harness's FIN again: a RST (RFC 9293 §3.10.7.1, seq = SEG.ACK).
fn fin_again_draws_a_reset(t: &mut T) -> Vec<Finding> {
    send!(
        *t,
        Segment {
            seq: r(5),
            ack: l(10),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(10),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        },
    )
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn close_after_a_fin_with_an_old_ack_the_target_took_leaves_last_ack_closed() {
    let mut t = fin_with_an_old_ack_and_close(false);
    assert_eq!(t.states(), Vec::new(), "LAST-ACK, then its ACK: CLOSED");
    expect_none(fin_again_draws_a_reset(&mut t));
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn close_before_a_fin_with_an_old_ack_the_target_took_leaves_time_wait_that_must_not_reset() {
    let mut t = fin_with_an_old_ack_and_close(true);
    assert_eq!(
        t.states(),
        vec![TcpState::TimeWait],
        "CLOSING, then its ACK"
    );
    let f = expect_rule(fin_again_draws_a_reset(&mut t), RuleId::TimeWaitTooShort);
    assert!(f.is_failure(), "{f:#?}");
}
