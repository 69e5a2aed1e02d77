//! Segments the target may drop (RFC 9293 §3.1 MUST-7, an illegal option
//! length): a target that drops them (smoltcp) and one that processes them
//! both pass; a violation either way is still caught.

use crate::oracle::tests::lines::{expect_after, rfc, ESTABLISHED, LISTEN, SYN_RECEIVED};
use crate::oracle::tests::segments::bad_option;
use crate::oracle::tests::segments::rst_at;
use crate::oracle::tests::segments::short_sack;
use crate::oracle::tests::*;

/// The harness's final handshake ACK, with an illegal option length.
fn malformed_final_ack() -> Segment {
    Segment {
        seq: r(1),
        ack: l(1),
        options: vec![bad_option()],
        ..send_tmpl()
    }
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn droppable_covers_illegal_option_lengths_and_offsets() {
    use crate::oracle::arrive::droppable;
    let ok = Segment {
        options: vec![TcpOption::Nop, TcpOption::Mss(1460)],
        ..send_tmpl()
    };
    assert!(!droppable(&ok));
    assert!(!droppable(&Segment {
        data_offset: Some(7),
        options: vec![
            TcpOption::Mss(1460),
            TcpOption::Nop,
            TcpOption::Eol,
            TcpOption::Padding(vec![0, 0])
        ],
        ..send_tmpl()
    }));
    assert!(droppable(&Segment {
        options: vec![bad_option()],
        ..send_tmpl()
    }));
    // MSS with a length of 3 (parsed as an unknown option of kind 2).
    assert!(droppable(&Segment {
        options: vec![TcpOption::Unknown {
            kind: 2,
            data: vec![5]
        }],
        ..send_tmpl()
    }));
    assert!(!droppable(&Segment {
        options: vec![TcpOption::Unknown {
            kind: 30,
            data: vec![5]
        }],
        ..send_tmpl()
    }));
    assert!(droppable(&Segment {
        data_offset: Some(4),
        ..send_tmpl()
    }));
    assert!(droppable(&Segment {
        data_offset: Some(6),
        ..send_tmpl()
    }));
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_malformed_final_ack_dropped_then_synack_again_is_allowed() {
    // smoltcp drops the ACK and retransmits its SYN-ACK; the next ACK completes.
    let mut t = syn_received();
    send!(t, malformed_final_ack());
    assert!(t.states().contains(&TcpState::SynReceived));
    t.now += ms(1000);
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    // A repeated SYN-ACK is allowed in ESTABLISHED too: both stay possible.
    assert!(t.states().contains(&TcpState::SynReceived));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_malformed_final_ack_processed_is_allowed() {
    rfc(
        SYN_RECEIVED,
        "// A stack that ignores the bad option completes the handshake and sends data.
         < . 1:1(0) ack 1 win 65535 <raw 09010000>
         > P. 1:11(10) ack 1 win 64240
         state ESTABLISHED",
        &[],
    );
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn established_malformed_data_dropped_owes_no_ack() {
    rfc(
        ESTABLISHED,
        "< P. 1:11(10) ack 1 win 65535 <raw 09010000>
         // The target never had it: it ACKs the old RCV.NXT when the data comes again.
         +2.001 < P. 1:11(10) ack 1 win 65535
         > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn established_malformed_data_processed_is_allowed() {
    rfc(
        ESTABLISHED,
        "< P. 1:11(10) ack 1 win 65535 <raw 09010000>
         > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn established_malformed_rst_at_rcv_nxt_dropped_is_allowed() {
    rfc(
        ESTABLISHED,
        "< R 1:1(0) win 65535 <raw 09010000>
         // smoltcp dropped the RST: the connection carries on.
         > P. 1:6(5) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn listen_malformed_syn_dropped_then_ack_draws_listen_rst() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460,raw 09010000>
         // No SYN-ACK came: the target is still in LISTEN, an ACK draws <SEQ=SEG.ACK><CTL=RST>.
         +3.001 < . 1:1(0) ack 1 win 65535
         > R 1:1(0) win 64240",
        &[],
    );
}

/// RFC 9293 §3.1 (MUST-7); ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn malformed_segment_then_unacked_data_is_still_caught() {
    rfc(
        ESTABLISHED,
        "// Whether or not the target dropped the malformed ACK, the well-formed
         // data after it must be acknowledged within 0.5 s (MUST-40).
         < . 1:1(0) ack 1 win 65535 <raw 09010000>
         < P. 1:11(10) ack 1 win 65535",
        &["end ack-delayed-too-long"],
    );
}

/// RFC 9293 §3.1 (MUST-7); ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn malformed_data_then_ack_of_unsent_data_is_still_caught() {
    rfc(
        ESTABLISHED,
        "< P. 1:11(10) ack 1 win 65535 <raw 09010000>
         > . 1:1(0) ack 20 win 64240",
        &["6 ack-of-unsent-data"],
    );
}

/// RFC 9293 §3.1 (MUST-7); iss-changed (RFC 9293 §3.4); syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn malformed_final_ack_then_synack_with_another_iss_is_still_caught() {
    // Dropped: iss-changed; processed: syn-ack-without-syn. Either is reported.
    let mut t = syn_received();
    send!(t, malformed_final_ack());
    t.now += ms(1);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(5000),
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        },
    );
    assert!(
        f.iter().any(|f| f.deviation.is_none()
            && matches!(f.rule, RuleId::IssChanged | RuleId::SynAckWithoutSyn)),
        "expected a violation, got: {f:#?}"
    );
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn branches_stay_bounded_under_many_malformed_segments() {
    let mut t = established();
    let mut capped = 0;
    for i in 0..20 {
        capped += send_forking!(
            t,
            Segment {
                seq: r(1 + i),
                ack: l(1),
                flags: PSH | ACK,
                options: vec![bad_option()],
                payload: vec![b'x'; 1],
                ..send_tmpl()
            }
        );
    }
    assert!(t.oracle.branch_count() <= crate::oracle::model::MAX_BRANCHES);
    assert_eq!(
        capped, 1,
        "20 droppable segments reach the cap, reported once"
    );
    // Nothing processed (smoltcp): the target still ACKs the old RCV.NXT.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    // Everything processed: the target ACKs all 20 octets.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(21),
            ..recv_tmpl()
        }
    );
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_syn_fin_ack_with_bad_ack_dropped_owes_nothing() {
    // Unacceptable and with a bad ACK: an RFC 9293 stack answers (RST or
    // ACK), but smoltcp's parser drops a segment with SYN and FIN unseen.
    let mut t = syn_received();
    send!(
        t,
        Segment {
            seq: r(0).sub(1000),
            ack: l(50),
            flags: SYN | FIN | ACK,
            ..send_tmpl()
        }
    );
    expect_none(t.wait(ms(3000)));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::Established));
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_fin_rst_ack_dropped_then_handshake_completes() {
    rfc(
        SYN_RECEIVED,
        "< FR. 1:1(0) ack 50 win 65535
         > S. 0:0(0) ack 1 win 64240 <mss 1460>",
        &[],
    );
}

/// RFC 9293 §3.1 (MUST-7); close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn malformed_rst_at_rcv_nxt_then_a_wrong_fin_is_judged_on_the_connection() {
    let judged = expect_after(
        Profile::rfc9293(),
        SYN_RECEIVED,
        "// Fuzz campaign 8: after CLOSE in SYN-RECEIVED, a RST at RCV.NXT with an
         // illegal option; smoltcp drops it and sends its FIN at ISS. Both branches
         // find a violation; the one that still has the connection explains the
         // FIN (close-fin-missing), not \"a connection that does not exist\".
         +0.001 close(4) = 0
         < R. 1:1(0) ack 1 win 65535 <raw 09010000>
         > F. 0:0(0) ack 1 win 64240",
        &["10 close-fin-missing"],
    );
    let f = judged.finding("10 close-fin-missing");
    assert!(f.message.contains("ISS"), "{}", f.message);
}

/// RFC 9293 §3.1 (MUST-7); segment-on-closed-connection (RFC 9293 §3.3.2); ack-of-unsent-data
/// (RFC 9293 §3.4).
#[test]
fn malformed_rst_at_rcv_nxt_then_ack_of_unsent_data_is_judged_on_the_connection() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: RST,
            options: vec![bad_option()],
            ..send_tmpl()
        }
    );
    let f = t.oracle.on_segment(
        t.now + ms(1),
        Direction::FromTarget,
        &Segment {
            seq: l(1),
            ack: r(50),
            ..recv_tmpl()
        },
    );
    assert!(
        f.iter()
            .all(|f| f.rule != RuleId::SegmentOnClosedConnection),
        "{f:#?}"
    );
    expect_rule(f, RuleId::AckOfUnsentData);
}

/// LISTEN (smoltcp profile), a SYN with 16 octets and MSS 2560, and the
/// target's SYN-ACK, which it returns.
fn syn_with_data_answered() -> (T, Segment) {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(2560)],
            payload: vec![0x61; 16],
            window: 5,
            ..send_tmpl()
        }
    );
    let syn_ack = Segment {
        seq: LOCAL_SEQ,
        ack: r(1),
        flags: SYN | ACK,
        window: 8192,
        options: vec![TcpOption::Mss(1460)],
        ..recv_tmpl()
    };
    recv!(t, syn_ack.clone());
    (t, syn_ack)
}

/// A segment smoltcp drops for its two SACK options of length 2 (MUST-7).
fn dropped(seq: SeqNumber, ack: SeqNumber, flags: TcpFlags) -> Segment {
    Segment {
        seq,
        ack,
        flags,
        options: vec![short_sack(), short_sack(), TcpOption::Eol],
        payload: vec![0x62; 1374],
        ..send_tmpl()
    }
}

/// The SYN-ACK retransmitted at 1 s, then 1.5 s of silence: what that
/// draws.
fn syn_ack_again(t: &mut T, syn_ack: &Segment) -> Vec<Finding> {
    t.now = ms(1000);
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, syn_ack);
    found.extend(t.wait(ms(1500)));
    found
}

/// Fuzz campaign 9 (rst-not-sent, reduced): a SYN with data, then segments
/// smoltcp drops for a SACK option of length 2 (one would complete the
/// handshake, one is a SYN) and, between them, an ACK-bearing segment with
/// an unacceptable ACK, which smoltcp, still in SYN-RECEIVED, answers with
/// `<SEQ=SEG.ACK><CTL=RST>` (RFC 9293 §3.10.7.4, fifth check). Up to the
/// end of the chain, the target's RST is either that owed answer or, in
/// branches that took the droppable segments, the end of a connection
/// nothing reset (allowed: an abort). With the branch budget spent, the
/// branches that ended the connection there crowded out the one the
/// target follows, and its retransmitted SYN-ACK and silence then read as
/// `syn-ack-without-syn` and `rst-not-sent`.
fn syn_received_owed_rst_among_droppable_segments(rst: Segment) -> (T, Segment, Vec<Finding>) {
    let (mut t, syn_ack) = syn_with_data_answered();
    send!(t, dropped(r(10), LOCAL_SEQ.sub(45), SYN | ACK));
    send!(t, dropped(r(1), l(1), ACK));
    // The ACK is below ISS+1: unacceptable in SYN-RECEIVED.
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ.sub(79),
            ack: LOCAL_SEQ.sub(79),
            payload: vec![0x63; 1206],
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &rst);
    send!(t, dropped(REMOTE_SEQ.sub(46), LOCAL_SEQ.sub(46), SYN | ACK));
    send!(t, dropped(r(7000), l(1 << 31), ACK));
    found.extend(syn_ack_again(&mut t, &syn_ack));
    (t, rst, found)
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_owed_rst_among_droppable_segments_keeps_the_branch_that_owed_it() {
    let (t, _, found) = syn_received_owed_rst_among_droppable_segments(rst_at(LOCAL_SEQ.sub(79)));
    let failing: Vec<_> = found.iter().filter(|f| f.is_failure()).collect();
    assert!(failing.is_empty(), "{failing:#?}");
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_rst_among_droppable_segments_with_other_numbers_is_still_caught() {
    // <SEQ=ISS+1> answers no segment: the branches that owed
    // <SEQ=SEG.ACK><CTL=RST> find it wrong, the others lose the connection
    // and then find the retransmitted SYN-ACK without a SYN.
    let (_, _, found) = syn_received_owed_rst_among_droppable_segments(rst_at(l(1)));
    assert!(found.iter().any(|f| f.is_failure()), "{found:#?}");
}

/// Fuzz campaign 9 (rst-not-sent, syn-ack-without-syn, reduced): a SYN with
/// data (RCV.NXT is a range), then four segments smoltcp drops for a SACK
/// option of length 2 (two SYNs with ACK, two ACKs, one of which would
/// complete the handshake) and an ACK-bearing segment below ISS+1, which
/// it answers in SYN-RECEIVED with `<SEQ=SEG.ACK><CTL=RST>`. That last
/// segment is ambiguous only in branches that completed the handshake (its
/// text may lie past RCV.NXT or not); in SYN-RECEIVED it must be taken. A
/// fork of every branch on it spent the budget on SYN-RECEIVED copies that
/// never saw it, and cut the one the target follows.
fn syn_received_bad_ack_after_four_droppable_segments(rst: Segment) -> Vec<Finding> {
    let (mut t, syn_ack) = syn_with_data_answered();
    send!(t, dropped(REMOTE_SEQ.sub(46), LOCAL_SEQ.sub(46), SYN | ACK));
    send!(t, dropped(r(1), l(1), ACK));
    send!(t, dropped(REMOTE_SEQ.sub(46), LOCAL_SEQ.sub(46), SYN | ACK));
    send!(t, dropped(r(87), LOCAL_SEQ.sub(46), ACK));
    let branches = t.oracle.branch_count();
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ.sub(79),
            ack: LOCAL_SEQ.sub(79),
            payload: vec![0x63; 1402],
            ..send_tmpl()
        }
    );
    assert!(
        t.oracle.branch_count() < 2 * branches,
        "branches in SYN-RECEIVED do not fork on it"
    );
    t.now += ms(1);
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &rst);
    found.extend(syn_ack_again(&mut t, &syn_ack));
    found
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_bad_ack_after_four_droppable_segments_answered_by_rst_passes() {
    let found = syn_received_bad_ack_after_four_droppable_segments(rst_at(LOCAL_SEQ.sub(79)));
    let failing: Vec<_> = found.iter().filter(|f| f.is_failure()).collect();
    assert!(failing.is_empty(), "{failing:#?}");
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn syn_received_bad_ack_after_four_droppable_segments_answered_by_another_rst_is_caught() {
    let found = syn_received_bad_ack_after_four_droppable_segments(rst_at(l(1)));
    assert!(found.iter().any(|f| f.is_failure()), "{found:#?}");
}
