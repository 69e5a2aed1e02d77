//! RSTs to a CLOSED port or LISTEN (RFC 9293 §3.10.7.1, §3.10.7.2) after
//! segments the target may drop (MUST-7) and after smoltcp's allowed
//! deviations (fuzz campaign 11).

use crate::oracle::tests::closed::rst;
use crate::oracle::tests::closed::short_timestamps;
use crate::oracle::tests::closed::to_closed;
use crate::oracle::tests::segments::short_sack;
use crate::oracle::tests::*;

/// Campaign 11 (rst-closed-numbers, reduced): to a closed port, an
/// ACK-bearing segment smoltcp drops (its RST would be `<SEQ=SEG.ACK>`), a
/// RST, then an ACK-less FIN it takes, answered `<SEQ=0><CTL=RST>` (the
/// allowed rst-closed-ack-missing). The RST answers the FIN's optional
/// RST, not the older dropped one's. Returns the findings on `answer` and
/// up to the end of the reply grace.
fn fin_after_dropped_and_rst(answer: Segment) -> Vec<Finding> {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1000),
            flags: SYN | ACK,
            options: vec![short_sack(), TcpOption::Eol],
            payload: vec![0x61; 100],
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(200),
            flags: RST | ACK,
            ack: l(2000),
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(300),
            ack: SeqNumber(0),
            flags: TcpFlags::FIN,
            options: vec![short_timestamps()],
            ..to_closed()
        }
    );
    t.now += ms(1);
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &answer);
    found.extend(t.wait(ms(5000)));
    found
}

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-ack-missing (RFC 9293 §3.10.7.1).
#[test]
fn closed_port_rst_answers_a_later_optional_rst_with_allowed_numbers() {
    let found = fin_after_dropped_and_rst(rst(SeqNumber(0)));
    assert!(found.iter().all(|f| !f.is_failure()), "{found:?}");
    expect_rule(found, RuleId::RstClosedAckMissing);
}

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-numbers (RFC 9293 §3.10.7.1).
#[test]
fn closed_port_rst_answering_no_optional_rst_after_a_rst_is_caught() {
    let found = fin_after_dropped_and_rst(rst(SeqNumber(5)));
    let f = expect_rule(found, RuleId::RstClosedNumbers);
    assert!(f.is_failure(), "{f}");
}

fn to_listen() -> Segment {
    Segment {
        dst_port: LISTEN_PORT,
        ..send_tmpl()
    }
}

fn from_listen() -> Segment {
    Segment {
        src_port: LISTEN_PORT,
        window: 0,
        ..recv_tmpl()
    }
}

/// Campaign 11 (rst-not-sent, reduced): to LISTEN, a chain of ACK-bearing
/// segments smoltcp drops (a SACK option of length 2), then one it takes.
/// Forked on each, the model cut the branch that dropped them all and
/// blamed the target for the missing RSTs; taken or dropped, such a segment
/// changes nothing but whether a RST answers it. Returns the oracle after
/// the segment it takes (ack `l(5000)`).
fn listen_dropped_chain_then_taken() -> T {
    let mut t = listen_with(Profile::smoltcp());
    for k in 0..12u32 {
        send!(
            t,
            Segment {
                seq: r(1 + 100 * k),
                ack: l(1000 + k),
                options: vec![short_sack(), TcpOption::Eol],
                payload: vec![0x61; 100],
                ..to_listen()
            }
        );
    }
    assert_eq!(t.oracle.branch_count(), 1, "LISTEN forks no branch on them");
    send!(
        t,
        Segment {
            seq: r(2000),
            ack: l(5000),
            ..to_listen()
        }
    );
    t
}

/// CLOSED: RFC 9293 §3.10.7.1.
#[test]
fn listen_dropped_segments_then_a_taken_one_answered_by_its_rst_passes() {
    let mut t = listen_dropped_chain_then_taken();
    recv!(
        t,
        Segment {
            seq: l(5000),
            ack: SeqNumber(0),
            flags: RST,
            ..from_listen()
        }
    );
    expect_none(t.wait(ms(5000)));
}

/// CLOSED: RFC 9293 §3.10.7.1; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn listen_dropped_segments_then_a_taken_one_left_unanswered_is_caught() {
    let mut t = listen_dropped_chain_then_taken();
    expect_rule(t.wait(ms(5000)), RuleId::RstNotSent);
}

/// A SYN to LISTEN that the target may drop still forks: taken, it opens
/// a connection.
///
/// CLOSED: RFC 9293 §3.10.7.1.
#[test]
fn listen_droppable_syn_still_forks() {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(0),
            ack: SeqNumber(0),
            flags: SYN,
            options: vec![short_sack(), TcpOption::Eol],
            ..to_listen()
        }
    );
    assert_eq!(t.oracle.branch_count(), 2);
}

/// Campaign 11 (rst-listen-numbers, reduced): ESTABLISHED with the
/// target's window closed, a RST with text at RCV.NXT, which smoltcp drops
/// (rst-with-text-in-zero-window-ignored, allowed in campaigns) and the
/// model takes, then an ACK-bearing segment to what the model holds a
/// LISTEN port, then (if `abort`) the application's abort; the target's
/// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>` follows. Returns its findings
/// and those up to the end of the reply grace.
fn rst_after_rst_in_zero_window(abort: bool) -> Vec<Finding> {
    let mut t = established_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b't'; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            window: 0,
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            flags: RST | ACK,
            payload: vec![b'r'; 5],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            ..send_tmpl()
        }
    );
    if abort {
        t.now += ms(1);
        t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    }
    t.now += ms(1);
    let answer = Segment {
        seq: l(1),
        ack: r(11),
        flags: RST | ACK,
        ..recv_tmpl()
    };
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &answer);
    found.extend(t.wait(ms(2000)));
    found
}

/// The RST is the abort's: what is left is the deviation that kept the
/// connection (the probe's RST never came), not a wrong LISTEN answer.
///
/// CLOSED: RFC 9293 §3.10.7.1; rst-with-text-in-zero-window-ignored (RFC 9293 §3.10.7.4,
/// MUST-66).
#[test]
fn abort_after_a_rst_in_a_zero_window_is_the_abort_rst_not_a_listen_answer() {
    let found = rst_after_rst_in_zero_window(true);
    assert!(
        found
            .iter()
            .all(|f| f.rule == RuleId::RstWithTextInZeroWindowIgnored),
        "{found:#?}"
    );
    expect_rule(found, RuleId::RstWithTextInZeroWindowIgnored);
}

/// No abort was heard of: the RST answers the ACK to LISTEN, wrongly.
///
/// CLOSED: RFC 9293 §3.10.7.1; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn rst_after_a_rst_in_a_zero_window_without_abort_is_a_wrong_listen_answer() {
    let found = rst_after_rst_in_zero_window(false);
    let f = expect_rule(found, RuleId::RstListenNumbers);
    assert!(f.is_failure(), "{f:#?}");
}

/// Campaign 11 (rst-not-sent, reduced): LAST-ACK, then a segment that
/// acknowledges the target's FIN with an option smoltcp drops it for (one
/// branch takes it and the tuple is LISTEN, one drops it and LAST-ACK
/// stays), an ACK-bearing segment (a LISTEN port owes `<SEQ=SEG.ACK>`), a
/// RST out of the window whose text reaches into it (smoltcp resets on it:
/// rst-in-window-resets), and another ACK-bearing segment, which the
/// target's RST answers, from LISTEN after that reset. The branch that
/// kept LAST-ACK explains it; it used to rank below the LISTEN branch as a
/// RST no segment owed, which then missed the first segment's RST.
fn rst_after_allowed_reset_in_last_ack(profile: Profile) -> Vec<Finding> {
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
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            options: vec![short_sack(), TcpOption::Eol],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(5),
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: SeqNumber(0),
            flags: RST,
            payload: vec![b'r'; 10],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(9),
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let answer = Segment {
        seq: l(9),
        ack: SeqNumber(0),
        flags: RST,
        window: 0,
        ..recv_tmpl()
    };
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &answer);
    found.extend(t.wait(ms(5000)));
    found
}

/// CLOSED: RFC 9293 §3.10.7.1.
#[test]
fn rst_after_a_reset_the_profile_allows_is_explained_by_that_reset() {
    let found = rst_after_allowed_reset_in_last_ack(Profile::smoltcp());
    assert!(found.iter().all(|f| !f.is_failure()), "{found:#?}");
}

/// CLOSED: RFC 9293 §3.10.7.1.
#[test]
fn rst_after_a_reset_the_profile_does_not_allow_is_still_caught() {
    let found = rst_after_allowed_reset_in_last_ack(Profile::rfc9293());
    assert!(found.iter().any(|f| f.is_failure()), "{found:#?}");
}
