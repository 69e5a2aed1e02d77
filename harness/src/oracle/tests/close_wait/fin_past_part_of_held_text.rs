//! A FIN the model is unsure of, with text past it held out of order, when
//! other text reached further (a segment a stack may drop for its old ACK,
//! MAY-12): smoltcp 0.14 acknowledges the FIN one past the held text only,
//! neither past all the harness sent nor past the highest RCV.NXT
//! candidate. The model follows it into CLOSE-WAIT, so that its FIN makes
//! LAST-ACK, not FIN-WAIT-1 (fuzz: time-wait-sends of campaign 10: a FIN
//! segment smoltcp ignored in LAST-ACK was taken for the end of a
//! TIME-WAIT it never entered, and its retransmissions for segments sent
//! in TIME-WAIT).

use crate::oracle::tests::close_wait::fin_past_held_text::target_fin;
use crate::oracle::tests::*;

/// smoltcp as a campaign runs it: its deviations on the way here allowed.
fn smoltcp_campaign() -> Profile {
    let mut p = Profile::smoltcp();
    p.allowed
        .push((RuleId::AckOfUnsentData, "campaign allow list"));
    p.allowed
        .push((RuleId::FinSegmentAckIgnored, "campaign allow list"));
    p
}

/// ESTABLISHED after a SYN carrying 10 octets (RCV.NXT r(1) if dropped,
/// r(11) if queued); text r(5)..r(20), held out of order by a target at
/// r(1), which answers with a duplicate ACK; text r(1)..r(30) with an ACK
/// below SND.UNA (taken by RFC 9293, dropped by smoltcp: MAY-12); then 4
/// octets and a FIN from r(1): the FIN at r(5) lies inside the RCV.NXT
/// range r(1)..r(30).
fn fin_inside_range_with_text_past_the_held_text() -> T {
    let mut t = syn_received_after_syn_data(smoltcp_campaign());
    for (seq, ack, flags, len) in [
        (r(5), l(1), PSH | ACK, 15),
        (r(1), l(0), ACK, 29),
        (r(1), l(1), FIN | PSH | ACK, 4),
    ] {
        send!(
            t,
            Segment {
                seq,
                ack,
                flags,
                payload: vec![b'h'; len],
                ..send_tmpl()
            }
        );
        if len == 15 {
            recv!(
                t,
                Segment {
                    seq: l(1),
                    ack: r(1),
                    ..recv_tmpl()
                }
            );
        }
    }
    assert_eq!(t.states()[0], TcpState::Established, "not decided yet");
    t
}

/// The harness's FIN at `seq`, acknowledging the target's FIN.
fn harness_fin_acking_target_fin(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: l(2),
        flags: FIN | ACK,
        ..send_tmpl()
    }
}

/// Every finding in `f` is a deviation the profile allows.
#[track_caller]
fn only_deviations(f: &[Finding]) {
    assert!(f.iter().all(|f| f.deviation.is_some()), "{f:#?}");
}

fn judge(t: &mut T, after: Duration, seg: &Segment) -> Vec<Finding> {
    t.now += after;
    t.oracle.on_segment(t.now, Direction::FromTarget, seg)
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4); fin-segment-ack-ignored
/// (RFC 9293 §3.10.7.4).
#[test]
fn fin_counted_past_the_held_text_only_makes_last_ack_not_time_wait() {
    let mut t = fin_inside_range_with_text_past_the_held_text();
    // ACK r(21): the FIN at r(5) counted after the held text r(5)..r(20).
    let ack = Segment {
        seq: l(1),
        ack: r(21),
        ..recv_tmpl()
    };
    let f = judge(&mut t, ms(1), &ack);
    only_deviations(&f);
    expect_rule(f, RuleId::AckOfUnsentData);
    assert_eq!(t.states()[0], TcpState::CloseWait, "{:?}", t.states());
    only_deviations(&judge(&mut t, ms(1), &target_fin(r(21))));
    assert_eq!(t.states()[0], TcpState::LastAck, "{:?}", t.states());
    // smoltcp drops a FIN segment in LAST-ACK, ACK and all, and resends
    // its FIN: not a segment in TIME-WAIT.
    send!(t, harness_fin_acking_target_fin(r(21)));
    let f = judge(&mut t, Duration::from_secs(1), &target_fin(r(21)));
    only_deviations(&f);
    expect_rule(f, RuleId::FinSegmentAckIgnored);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; time-wait-sends (RFC 9293 §3.10.7.4);
/// retransmit-below-snd-una (RFC 9293 §3.3.1); ack-delayed-too-long (RFC 9293 §3.8.6.3,
/// MUST-40).
#[test]
fn fin_resent_after_time_wait_began_is_still_a_segment_in_time_wait() {
    // A conforming stack that took r(1)..r(30): the FIN at r(5) is old, its
    // FIN makes FIN-WAIT-1 and the harness's FIN at r(30) TIME-WAIT.
    let mut t = fin_inside_range_with_text_past_the_held_text();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(30),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states()[0], TcpState::Established, "{:?}", t.states());
    recv!(t, target_fin(r(30)));
    send!(t, harness_fin_acking_target_fin(r(30)));
    assert_eq!(t.states()[0], TcpState::TimeWait, "{:?}", t.states());
    let f = judge(&mut t, Duration::from_secs(1), &target_fin(r(31)));
    expect_rule_also(
        f,
        RuleId::TimeWaitSends,
        &[RuleId::RetransmitBelowSndUna, RuleId::AckDelayedTooLong],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn ack_at_the_fin_takes_it_without_a_finding() {
    // A conforming stack at r(1) that dropped the old-ACK segment: the FIN
    // at r(5) is in order, the held text past it is discarded.
    let mut t = fin_inside_range_with_text_past_the_held_text();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(6),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states()[0], TcpState::CloseWait, "{:?}", t.states());
}
