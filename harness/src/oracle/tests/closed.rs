//! CLOSED and LISTEN: reset generation (RFC 9293 §3.5.2, §3.10.7.1, §3.10.7.2).

use super::*;

fn to_closed() -> Segment {
    Segment {
        dst_port: CLOSED_PORT,
        ..send_tmpl()
    }
}
fn from_closed() -> Segment {
    Segment {
        src_port: CLOSED_PORT,
        ..recv_tmpl()
    }
}

// ---- rst-closed-numbers ----

#[test]
fn closed_syn_draws_rst_ack_with_seq_zero_and_ack_seq_plus_len() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            ..to_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: SeqNumber(0),
            ack: r(1),
            flags: RST | ACK,
            window: 0,
            ..from_closed()
        }
    );
}

#[test]
fn closed_syn_answered_with_wrong_ack_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            ..to_closed()
        }
    );
    let f = recv!(
        t,
        Segment {
            seq: SeqNumber(0),
            ack: REMOTE_SEQ,
            flags: RST | ACK,
            ..from_closed()
        },
        RuleId::RstClosedNumbers
    );
    assert!(
        f.message
            .contains(&format!("expected <SEQ=0><ACK={}><CTL=RST,ACK>", r(1))),
        "{f}"
    );
}

#[test]
fn closed_ack_draws_rst_with_seq_of_seg_ack() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1000),
            ..to_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1000),
            ack: SeqNumber(0),
            flags: RST,
            window: 0,
            ..from_closed()
        }
    );
}

#[test]
fn closed_ack_answered_with_an_ack_bearing_rst_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1000),
            ..to_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1000),
            ack: r(1),
            flags: RST | ACK,
            ..from_closed()
        },
        RuleId::RstClosedNumbers
    );
}

#[test]
fn closed_data_with_fin_counts_both_in_the_rst_ack() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: FIN,
            payload: vec![1; 10],
            ..to_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: SeqNumber(0),
            ack: r(12),
            flags: RST | ACK,
            ..from_closed()
        }
    );
}

#[test]
fn closed_every_stray_segment_draws_its_own_rst() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(10),
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(20),
            ..to_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(10),
            flags: RST,
            ..from_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(20),
            flags: RST,
            ..from_closed()
        }
    );
    expect_none(t.wait(Duration::from_secs(5)));
}

// ---- rst-not-sent ----

#[test]
fn next_deadline_says_when_a_missing_reply_is_judged() {
    let mut t = listen();
    assert_eq!(t.oracle.next_deadline(), None);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(10),
            dst_port: CLOSED_PORT,
            ..send_tmpl()
        }
    );
    let due = t.oracle.next_deadline().expect("a RST is owed");
    assert_eq!(due, t.now + Profile::rfc9293().reply_grace);
    expect_none(t.oracle.on_time(due));
    expect_rule(t.oracle.on_time(due + ms(1)), RuleId::RstNotSent);
    assert_eq!(t.oracle.next_deadline(), None);
}

#[test]
fn closed_segment_without_rst_reply_violates_after_the_grace_time() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(10),
            ..to_closed()
        }
    );
    expect_none(t.wait(ms(500)));
    let f = expect_rule(t.wait(ms(600)), RuleId::RstNotSent);
    assert!(
        f.message.contains(&format!("<SEQ={}><CTL=RST>", l(10))),
        "{f}"
    );
}

// ---- rst-listen-numbers ----

#[test]
fn listen_ack_draws_rst_with_seq_of_seg_ack() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(5),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(5),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(Duration::from_secs(5)));
}

#[test]
fn listen_ack_answered_with_wrong_seq_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(5),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(6),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstListenNumbers
    );
}

#[test]
fn syn_received_bad_final_ack_draws_rst_and_the_handshake_can_still_complete() {
    let mut t = syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(50),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(50),
            flags: RST,
            ..recv_tmpl()
        }
    );
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

#[test]
fn syn_received_bad_final_ack_answered_with_wrong_rst_violates() {
    let mut t = syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(50),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstListenNumbers
    );
}

// ---- rst-for-rst / reply-to-rst ----

#[test]
fn closed_rst_draws_nothing() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: RST,
            ..to_closed()
        }
    );
    expect_none(t.wait(Duration::from_secs(5)));
}

#[test]
fn closed_rst_answered_by_rst_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: RST,
            ..to_closed()
        }
    );
    recv!(
        t,
        Segment {
            seq: SeqNumber(0),
            ack: r(1),
            flags: RST | ACK,
            ..from_closed()
        },
        RuleId::RstForRst
    );
}

#[test]
fn listen_rst_answered_by_an_ack_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: RST | ACK,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        },
        RuleId::ReplyToRst
    );
}

#[test]
fn established_out_of_window_rst_answered_by_rst_violates() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1_000_000),
            flags: RST,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstForRst
    );
}

// ---- segment-on-closed-connection ----

#[test]
fn established_target_abort_then_silence_is_allowed() {
    let mut t = established();
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: RST | ACK,
            ..recv_tmpl()
        }
    );
    assert!(t.states().is_empty());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        }
    );
}

#[test]
fn data_after_the_targets_own_reset_violates() {
    let mut t = established();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: RST | ACK,
            ..recv_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![1; 10],
            ..recv_tmpl()
        },
        RuleId::SegmentOnClosedConnection
    );
}

#[test]
fn segment_from_a_port_nobody_talked_to_violates() {
    let mut t = listen();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..from_closed()
        },
        RuleId::SegmentOnClosedConnection
    );
}

// ---- bad-checksum-accepted (MUST-3) ----

#[test]
fn established_data_with_bad_checksum_is_not_acknowledged() {
    let mut t = established();
    let bad = Segment {
        seq: r(1),
        ack: l(1),
        payload: vec![1; 10],
        ..send_tmpl()
    };
    t.oracle.on_corrupt_to_target(t.now, &bad);
    expect_none(t.wait(Duration::from_secs(2)));
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
}

#[test]
fn established_ack_of_data_with_bad_checksum_violates() {
    let mut t = established();
    let bad = Segment {
        seq: r(1),
        ack: l(1),
        payload: vec![1; 10],
        ..send_tmpl()
    };
    t.oracle.on_corrupt_to_target(t.now, &bad);
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        },
        RuleId::BadChecksumAccepted
    );
    assert_eq!(f.requirement, "MUST-3");
}

#[test]
fn listen_syn_ack_for_a_syn_with_bad_checksum_violates() {
    let mut t = listen();
    let bad = Segment {
        seq: REMOTE_SEQ,
        flags: SYN,
        ..send_tmpl()
    };
    t.oracle.on_corrupt_to_target(t.now, &bad);
    expect_none(t.wait(Duration::from_secs(2)));
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            ..recv_tmpl()
        },
        RuleId::BadChecksumAccepted
    );
}

// ---- rst-closed-ack-missing ----

/// A FIN without ACK to the closed port: §3.10.7.1 wants <SEQ=0><ACK=r(1)><CTL=RST,ACK>.
fn ackless_fin_to_closed() -> Segment {
    Segment {
        seq: REMOTE_SEQ,
        flags: FIN,
        ..to_closed()
    }
}

/// smoltcp's answer to it: the right SEQ, no ACK.
fn rst_without_ack() -> Segment {
    Segment {
        seq: SeqNumber(0),
        ack: SeqNumber(0),
        flags: RST,
        window: 0,
        ..from_closed()
    }
}

#[test]
fn closed_ackless_fin_answered_without_the_ack_violates() {
    let mut t = listen();
    send!(t, ackless_fin_to_closed());
    let f = recv!(t, rst_without_ack(), RuleId::RstClosedAckMissing);
    assert!(f.deviation.is_none(), "{f:#?}");
}

#[test]
fn smoltcp_rst_without_ack_for_an_ackless_fin_is_a_deviation() {
    let mut t = listen_with(Profile::smoltcp());
    send!(t, ackless_fin_to_closed());
    let f = recv!(t, rst_without_ack(), RuleId::RstClosedAckMissing);
    assert!(f.deviation.is_some(), "{f:#?}");
}

/// Fuzz campaign 8 (rst-not-sent): a SYN+FIN+ACK with ack 0 (which smoltcp
/// drops unseen; processed, it would draw <SEQ=0><CTL=RST>), then a flagless
/// segment, which smoltcp answers with <SEQ=0><CTL=RST>, its deviation.
fn dropped_syn_fin_then_flagless_segment(t: &mut T) {
    send!(
        *t,
        Segment {
            seq: REMOTE_SEQ,
            ack: SeqNumber(0),
            flags: SYN | FIN | ACK,
            ..to_closed()
        }
    );
    send!(
        *t,
        Segment {
            seq: r(5),
            flags: TcpFlags::empty(),
            ..to_closed()
        }
    );
}

#[test]
fn smoltcp_deviating_rst_is_not_taken_for_the_answer_to_a_dropped_segment() {
    let mut t = listen_with(Profile::smoltcp());
    dropped_syn_fin_then_flagless_segment(&mut t);
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_without_ack());
    assert!(f.iter().all(|f| f.deviation.is_some()), "{f:#?}");
    expect_none(t.wait(ms(2000)));
}

#[test]
fn flagless_segment_to_closed_port_left_unanswered_is_still_caught() {
    let mut t = listen_with(Profile::smoltcp());
    dropped_syn_fin_then_flagless_segment(&mut t);
    expect_rule(t.wait(ms(2000)), RuleId::RstNotSent);
}

// ---- after LAST-ACK: the duplicate ACK for out-of-order data ----

/// LAST-ACK (the target's FIN at l(1), RCV.NXT r(2)), then 10 octets at
/// r(50), out of order, whose ACK acknowledges the target's FIN: the ACK
/// closes the connection, the text draws a duplicate ACK (fuzz campaign 8,
/// segment-on-closed-connection: smoltcp sends both).
fn last_ack_closed_by_out_of_order_data() -> T {
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(50),
            ack: l(2),
            flags: PSH | ACK,
            payload: vec![b'o'; 10],
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty(), "the ACK of its FIN closed it");
    t
}

fn duplicate_ack() -> Segment {
    Segment {
        seq: l(2),
        ack: r(2),
        ..recv_tmpl()
    }
}

#[test]
fn last_ack_closed_by_out_of_order_data_may_send_one_duplicate_ack() {
    let mut t = last_ack_closed_by_out_of_order_data();
    recv!(t, duplicate_ack());
    recv!(t, duplicate_ack(), RuleId::SegmentOnClosedConnection);
}

#[test]
fn last_ack_closed_by_out_of_order_data_then_data_violates() {
    let mut t = last_ack_closed_by_out_of_order_data();
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(2),
            flags: PSH | ACK,
            payload: vec![b'y'; 3],
            ..recv_tmpl()
        },
        RuleId::SegmentOnClosedConnection
    );
}

#[test]
fn last_ack_closed_by_in_order_ack_allows_no_ack_after() {
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    recv!(t, duplicate_ack(), RuleId::SegmentOnClosedConnection);
}

// ---- after LAST-ACK closed by a FIN segment ----

/// LAST-ACK, closed by a FIN segment that acknowledges the target's FIN
/// (RFC 9293 §3.10.7.4: the ACK comes first), then an ACK of that FIN to
/// what is LISTEN again: <SEQ=SEG.ACK><CTL=RST> is owed.
fn ack_after_fin_segment_closed_last_ack() -> T {
    let mut t = last_ack();
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
    send!(
        t,
        Segment {
            seq: r(3),
            ack: l(2),
            ..send_tmpl()
        }
    );
    t
}

#[test]
fn ack_after_fin_segment_closed_last_ack_draws_the_listen_rst() {
    let mut t = ack_after_fin_segment_closed_last_ack();
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: SeqNumber(0),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(ms(2000)));
}

#[test]
fn silence_after_fin_segment_closed_last_ack_is_the_ignored_fin_segment() {
    // Fuzz campaign 8 (rst-not-sent, 15 inputs): smoltcp dropped the FIN
    // segment, stayed in LAST-ACK and took the later ACK silently.
    let mut t = ack_after_fin_segment_closed_last_ack();
    let f = t.wait(ms(2000));
    assert!(f.iter().all(|f| f.rule != RuleId::RstNotSent), "{f:#?}");
    expect_rule(f, RuleId::FinSegmentAckIgnored);
}

// ---- rst-for-rst: only the harness's latest segment counts ----

/// TIME-WAIT (smoltcp's 10 s), then a RST outside the window, which the
/// target ignores.
fn time_wait_after_an_ignored_rst() -> T {
    let mut t = time_wait_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(100_000),
            flags: RST,
            ..send_tmpl()
        }
    );
    t
}

/// The target's RST for an ACK-bearing segment once TIME-WAIT is over: <SEQ=SEG.ACK>.
fn rst_at(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: SeqNumber(0),
        flags: RST,
        window: 0,
        ..recv_tmpl()
    }
}

#[test]
fn rst_after_a_syn_in_time_wait_does_not_answer_an_earlier_rst() {
    // Fuzz campaign 8 (rst-for-rst): the SYN came after the RST, and the
    // target's RST answers the SYN (its TIME-WAIT over, the tuple CLOSED).
    let mut t = time_wait_after_an_ignored_rst();
    expect_none(t.wait(ms(11_000)));
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_at(l(2)));
    assert!(f.iter().all(|f| f.deviation.is_some()), "{f:#?}");
}

#[test]
fn rst_right_after_an_ignored_rst_in_time_wait_violates() {
    let mut t = time_wait_after_an_ignored_rst();
    recv!(
        t,
        rst_at(l(2)),
        RuleId::RstForRst,
        also[RuleId::TimeWaitTooShort]
    );
}

// ---- a RST that an earlier reset explains ----

#[test]
fn rst_explained_by_an_earlier_in_window_rst_is_not_a_short_time_wait() {
    // Fuzz campaign 8 (time-wait-too-short): smoltcp resets on an in-window
    // RST (its profile's deviation); the model kept the connection in case
    // it had not, and took the harness's FIN to TIME-WAIT. The target's RST
    // then shows the earlier reset, not a TIME-WAIT of 0 s.
    let mut t = fin_wait_1_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(50),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::TimeWait), "{:?}", t.states());
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_at(l(2)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::TimeWaitTooShort),
        "{f:#?}"
    );
    let f = expect_rule(f, RuleId::RstInWindowResets);
    assert!(f.deviation.is_some(), "{f:#?}");
}

#[test]
fn syn_after_an_in_window_rst_in_time_wait_keeps_the_reset_as_the_explanation() {
    // Fuzz campaign 8 (time-wait-too-short): smoltcp resets on an in-window
    // RST in TIME-WAIT; a SYN (here with ACK) then finds the tuple CLOSED and
    // draws <SEQ=SEG.ACK><CTL=RST>. The in-window RST explains it.
    let mut t = time_wait_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(50),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(8000),
            ack: l(7),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_at(l(7)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::TimeWaitTooShort),
        "{f:#?}"
    );
}
