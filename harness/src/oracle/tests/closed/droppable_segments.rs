//! CLOSED (RFC 9293 §3.10.7.1) and segments the target may drop for an
//! illegal option length (§3.1, MUST-7): one model, the RST optional (see
//! `Oracle::drop_needs_no_branch`).

use crate::oracle::tests::closed::rst;
use crate::oracle::tests::closed::short_timestamps;
use crate::oracle::tests::closed::to_closed;
use crate::oracle::tests::segments::short_sack;
use crate::oracle::tests::*;

/// Fuzz campaign 10 (rst-closed-numbers, reduced): to a closed port, six
/// ACK-bearing segments with a SACK option of length 2, which smoltcp
/// drops, a RST, then an ACK-bearing segment with a Timestamps option of
/// length 8, which it takes and answers `<SEQ=SEG.ACK><CTL=RST>`. Forked
/// on each, the model ran out of branches, and the one that dropped all
/// but the last was cut: what was left took the RST for a wrong answer to
/// a dropped segment, or for a RST answering the harness's RST. Returns
/// every finding up to the end of the reply grace.
fn taken_after_dropped_and_rst(answer: Segment) -> Vec<Finding> {
    let mut t = listen_with(Profile::smoltcp());
    for k in 0..6u32 {
        send!(
            t,
            Segment {
                seq: r(1 + 100 * k),
                ack: l(1000 + k),
                options: vec![short_sack(), TcpOption::Eol],
                payload: vec![0x61; 100],
                ..to_closed()
            }
        );
    }
    assert_eq!(t.oracle.branch_count(), 1, "a closed port forks no branch");
    send!(
        t,
        Segment {
            seq: r(700),
            flags: RST | ACK,
            ack: l(2000),
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(800),
            ack: l(3000),
            options: vec![short_timestamps()],
            ..to_closed()
        }
    );
    t.now += ms(1);
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &answer);
    found.extend(t.wait(ms(5000)));
    found
}

/// CLOSED: RFC 9293 §3.10.7.1.
#[test]
fn closed_port_dropped_segments_then_a_taken_one_answered_by_its_rst_passes() {
    let found = taken_after_dropped_and_rst(rst(l(3000)));
    expect_none(found);
}

/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-numbers (RFC 9293 §3.10.7.1).
#[test]
fn closed_port_dropped_segments_then_a_taken_one_answered_with_wrong_numbers_is_caught() {
    let found = taken_after_dropped_and_rst(rst(l(3001)));
    let f = expect_rule(found, RuleId::RstClosedNumbers);
    assert!(f.is_failure(), "{f}");
}

/// A RST that may answer a required RST (with the numbers the profile
/// allows) or an optional one exactly answers the required one: that one
/// must come, so the target sent it. Campaign 10: an ACK-bearing segment
/// with `ack 0` that smoltcp drops (its RST would be `<SEQ=0><CTL=RST>`),
/// then ACK-less text that smoltcp answers with `<SEQ=0><CTL=RST>` (the
/// allowed `rst-closed-ack-missing`, not `<SEQ=0><ACK=..><CTL=RST,ACK>`).
///
/// CLOSED: RFC 9293 §3.10.7.1; rst-closed-ack-missing (RFC 9293 §3.10.7.1).
#[test]
fn closed_port_rst_answers_a_required_rst_before_an_optional_one() {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: SeqNumber(0),
            flags: SYN | ACK,
            options: vec![short_sack()],
            ..to_closed()
        }
    );
    for k in 0..2u32 {
        send!(
            t,
            Segment {
                seq: r(100 + 100 * k),
                flags: TcpFlags::empty(),
                payload: vec![0x62; 10],
                ..to_closed()
            }
        );
        t.now += ms(1);
        let f = t
            .oracle
            .on_segment(t.now, Direction::FromTarget, &rst(SeqNumber(0)));
        let f = expect_rule(f, RuleId::RstClosedAckMissing);
        assert!(!f.is_failure(), "an allowed deviation: {f}");
    }
    expect_none(t.wait(ms(5000)));
}

/// The segments the target may drop change nothing about one it may not:
/// its RST is still owed.
///
/// CLOSED: RFC 9293 §3.10.7.1; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn closed_port_segment_after_droppable_ones_still_owes_its_rst() {
    let mut t = listen();
    for k in 0..4u32 {
        send!(
            t,
            Segment {
                seq: r(1 + k),
                ack: l(1000 + k),
                options: vec![short_sack()],
                ..to_closed()
            }
        );
    }
    send!(
        t,
        Segment {
            seq: r(10),
            ack: l(2000),
            ..to_closed()
        }
    );
    expect_rule(t.wait(ms(5000)), RuleId::RstNotSent);
}

/// A segment the target may drop leaves the harness's RST before it the
/// last segment: once its optional RST is no longer due, a RST answers
/// that RST.
///
/// CLOSED: RFC 9293 §3.10.7.1; rst-for-rst (RFC 9293 §3.5.2).
#[test]
fn closed_port_rst_after_a_rst_and_a_droppable_segment_long_ago_is_caught() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: RST,
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1000),
            options: vec![short_sack()],
            ..to_closed()
        }
    );
    expect_none(t.wait(ms(5000)));
    recv!(t, rst(l(1000)), RuleId::RstForRst);
}
