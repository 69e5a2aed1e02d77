//! A SYN to a tuple whose connection the model has ended (RFC 9293
//! §3.10.7.2) opens SYN-RECEIVED, but the target may still have the old
//! connection: it ignored the ACK of a FIN segment in LAST-ACK (smoltcp,
//! `fin-segment-ack-ignored`), or dropped a RST the model took. Until the
//! fresh connection's SYN-ACK, a passive open sends nothing else, so
//! another segment is the old connection's; and the first SYN-ACK may
//! answer a later SYN than the one the model opened with, which then
//! opened the connection with its own numbers and options (fuzz:
//! wscale-without-offer, iss-changed, sack-without-permission,
//! data-before-established of campaign 9).

use crate::oracle::tests::*;

/// The harness's second connection attempt starts here (its first ISN is
/// near 2^32).
const NEW_SEQ: SeqNumber = SeqNumber(0x2000_0000);

fn syn(seq: SeqNumber, options: Vec<TcpOption>) -> Segment {
    Segment {
        seq,
        flags: SYN,
        options,
        ..send_tmpl()
    }
}

fn synack(iss: SeqNumber, ack: SeqNumber, options: Vec<TcpOption>) -> Segment {
    Segment {
        seq: iss,
        ack,
        flags: SYN | ACK,
        options,
        ..recv_tmpl()
    }
}

/// LAST-ACK under `profile`: the harness's FIN, the target's ACK and FIN.
fn last_ack_with(profile: Profile) -> T {
    let mut t = established_with(profile);
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
    t
}

/// LAST-ACK, then a FIN segment that acknowledges the target's FIN: the
/// model closes the connection (the ACK is taken before the FIN, §3.10.7.4).
fn closed_by_fin_segment() -> T {
    let mut t = last_ack_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty());
    t
}

/// LAST-ACK, then a RST at RCV.NXT: the model closes the connection.
fn reset_at_rcv_nxt() -> T {
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(2),
            flags: RST,
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty());
    t
}

/// RFC 9293 §3.1 (MUST-7); fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn first_syn_ack_answers_a_later_syn_whose_options_it_answers() {
    // The target ignored the FIN segment's ACK (its FIN retransmitted from
    // LAST-ACK shows it), so the next SYN, without options, reached the old
    // connection; the connection ended and a SYN offering Window Scale
    // opened a new one. Its SYN-ACK's Window Scale answers that SYN.
    let mut t = closed_by_fin_segment();
    t.now += ms(1000);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        },
        RuleId::FinSegmentAckIgnored
    );
    send!(t, syn(NEW_SEQ, vec![]));
    let later = NEW_SEQ.add(5000);
    send!(
        t,
        syn(later, vec![TcpOption::Mss(1460), TcpOption::WindowScale(7)])
    );
    recv!(
        t,
        synack(
            SeqNumber(777),
            later.add(1),
            vec![TcpOption::Mss(1460), TcpOption::WindowScale(0)]
        )
    );
    // The handshake completes on the later SYN's numbers.
    send!(
        t,
        Segment {
            seq: later.add(1),
            ack: SeqNumber(778),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
}

/// RFC 9293 §3.1 (MUST-7); wscale-without-offer (RFC 7323 §2.2).
#[test]
fn first_syn_ack_with_window_scale_for_a_later_syn_without_it_violates() {
    // The first SYN offered Window Scale, the later one, which the
    // SYN-ACK answers, did not: the target may not scale (RFC 7323 §2.2).
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        syn(
            REMOTE_SEQ,
            vec![TcpOption::Mss(1460), TcpOption::WindowScale(7)]
        )
    );
    send!(t, syn(NEW_SEQ, vec![TcpOption::Mss(1460)]));
    recv!(
        t,
        synack(
            LOCAL_SEQ,
            NEW_SEQ.add(1),
            vec![TcpOption::Mss(1460), TcpOption::WindowScale(0)]
        ),
        RuleId::WscaleWithoutOffer
    );
}

/// RFC 9293 §3.1 (MUST-7); rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn first_syn_ack_for_a_later_syn_then_a_new_iss_after_a_reset_is_allowed() {
    // The later SYN's connection is reset by an in-window RST not at its
    // RCV.NXT (smoltcp resets on it, as its profile allows) and a third
    // SYN opens another: a
    // fresh ISS answers that one. Judged against the first SYN's numbers,
    // the RST was out of the window and the new ISS looked changed.
    let mut t = closed_by_fin_segment();
    send!(t, syn(NEW_SEQ, vec![]));
    // Below the first SYN's window: against its numbers the RST is out of it.
    let later = NEW_SEQ.sub(100_000);
    send!(t, syn(later, vec![]));
    recv!(
        t,
        synack(SeqNumber(777), later.add(1), vec![TcpOption::Mss(1460)])
    );
    send!(
        t,
        Segment {
            seq: later.add(40),
            flags: RST,
            ..send_tmpl()
        }
    );
    let third = later.add(100_000);
    send!(t, syn(third, vec![]));
    t.now += ms(1);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &synack(SeqNumber(999_999), third.add(1), vec![TcpOption::Mss(1460)]),
    );
    // The reset is the profile's deviation, and the only finding.
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule, RuleId::RstInWindowResets);
    assert!(f[0].deviation.is_some(), "{f:#?}");
}

/// RFC 9293 §3.1 (MUST-7); rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn segment_of_the_old_connection_before_the_syn_ack_after_a_reset_at_rcv_nxt_violates() {
    // The model took the RST at RCV.NXT; an ACK from the old connection
    // after a new SYN shows the target did not. It is judged as that, not
    // as a segment of the new connection (whose SYN offered no SACK).
    let mut t = reset_at_rcv_nxt();
    send!(t, syn(NEW_SEQ, vec![]));
    let f = recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(2),
            options: vec![TcpOption::Sack(vec![(r(4).0, r(6).0)])],
            ..recv_tmpl()
        },
        RuleId::RstAtRcvNxtIgnored
    );
    assert!(f.message.contains("after the harness reset"), "{f:?}");
    // The new connection's handshake is judged on its own.
    recv!(
        t,
        synack(LOCAL_SEQ, NEW_SEQ.add(1), vec![TcpOption::Mss(1460)])
    );
}

/// RFC 9293 §3.1 (MUST-7); fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn data_of_the_old_connection_before_the_syn_ack_after_a_fin_segment_is_that_deviation() {
    let mut t = closed_by_fin_segment();
    send!(t, syn(NEW_SEQ, vec![]));
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        },
        RuleId::FinSegmentAckIgnored
    );
    assert!(f.message.contains("LAST-ACK"), "{f:?}");
}
