//! CLOSED (RFC 9293 §3.10.7.1, §3.5.2): every segment but a RST draws a RST with the
//! numbers the section gives, within the reply grace.

use crate::oracle::tests::closed::to_closed;
use crate::oracle::tests::*;

fn from_closed() -> Segment {
    Segment {
        src_port: CLOSED_PORT,
        ..recv_tmpl()
    }
}

// ---- rst-closed-numbers ----

/// CLOSED: RFC 9293 §3.10.7.1.
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-numbers (RFC 9293 §3.10.7.1).
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

/// CLOSED: RFC 9293 §3.10.7.1.
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-numbers (RFC 9293 §3.10.7.1).
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

/// CLOSED: RFC 9293 §3.10.7.1.
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

/// CLOSED: RFC 9293 §3.10.7.1.
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-not-sent (RFC 9293 §3.10.7.1).
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-not-sent (RFC 9293 §3.10.7.1).
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

// ---- rst-for-rst / reply-to-rst ----

/// CLOSED: RFC 9293 §3.10.7.1.
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-for-rst (RFC 9293 §3.5.2).
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

/// CLOSED: RFC 9293 §3.10.7.1; segment-on-closed-connection (RFC 9293 §3.3.2).
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-ack-missing (RFC 9293 §3.10.7.1).
#[test]
fn closed_ackless_fin_answered_without_the_ack_violates() {
    let mut t = listen();
    send!(t, ackless_fin_to_closed());
    let f = recv!(t, rst_without_ack(), RuleId::RstClosedAckMissing);
    assert!(f.deviation.is_none(), "{f:#?}");
}

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-ack-missing (RFC 9293 §3.10.7.1).
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

/// CLOSED: RFC 9293 §3.10.7.1.
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

/// CLOSED: RFC 9293 §3.10.7.1; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn flagless_segment_to_closed_port_left_unanswered_is_still_caught() {
    let mut t = listen_with(Profile::smoltcp());
    dropped_syn_fin_then_flagless_segment(&mut t);
    expect_rule(t.wait(ms(2000)), RuleId::RstNotSent);
}
