//! After a deviation a campaign allows, the model follows what the target
//! did, so that later segments are judged as that target sees them (fuzz
//! campaign 9 triage). The deviation itself is still reported when the
//! target shows it; a target that did not deviate is still judged strictly.

use crate::oracle::tests::lines::{expect_after, rfc, CLOSE_WAIT, ESTABLISHED};
use crate::oracle::tests::segments::rst;
use crate::oracle::tests::segments::text;
use crate::oracle::tests::*;

// ---- text past the harness's FIN (ack-past-fin) ----
// smoltcp 0.14 takes text after the peer's FIN in CLOSE-WAIT and CLOSING,
// and in LAST-ACK on a segment whose ACK moves SND.UNA: RCV.NXT moves past
// it. Its ACK, often delayed, shows it; segments in between were judged
// against the RFC's RCV.NXT (segment-on-closed-connection,
// rst-at-rcv-nxt-ignored, reply-to-rst of campaigns 8 and 9).

/// profiles (RFC 9293); ack-past-fin (RFC 9293 §3.10.7.4); rst-at-rcv-nxt-ignored (RFC 9293
/// §3.10.7.4, RFC 5961 §3.2).
#[test]
fn rst_at_the_rfc_rcv_nxt_after_text_past_the_fin_may_be_out_of_a_window_past_it() {
    // CLOSE-WAIT at r(2); text r(2)..r(12) past the FIN; a RST at r(2),
    // which a stack that took the text has out of its window; its ACK of
    // the text. Reduced from campaign 9 rst-at-rcv-nxt-ignored.
    let mut t = close_wait();
    send!(t, text(r(2), l(1), 10));
    send!(t, rst(r(2)));
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(12),
            ..recv_tmpl()
        },
        RuleId::AckPastFin
    );
    assert!(f.is_failure(), "the deviation is still reported: {f:#?}");
    t.now += ms(1);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(1),
            ack: r(12),
            flags: PSH | ACK,
            payload: vec![b'e'; 5],
            ..recv_tmpl()
        },
    );
    assert!(
        f.iter().all(|f| f.rule != RuleId::RstAtRcvNxtIgnored),
        "{f:#?}"
    );
}

/// ESTABLISHED, the target sent 10 octets (unacknowledged), the harness's
/// FIN (acknowledging none of them), the target's FIN: LAST-ACK with
/// SND.UNA l(1) and the FIN at l(11).
///
/// As lines: 2 to 8; a test's lines start at line 9.
const LAST_ACK_WITH_DATA_IN_FLIGHT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > P. 1:11(10) ack 1 win 64240
    < F. 1:1(0) ack 1 win 65535
    > F. 11:11(0) ack 2 win 64240
    state LAST-ACK
";

/// ESTABLISHED, the target sent 10 octets (unacknowledged), the harness's
/// FIN (acknowledging none of them), the target's FIN: LAST-ACK with
/// SND.UNA l(1) and the FIN at l(11).
fn last_ack_with_data_in_flight() -> T {
    let mut t = established_with(Profile::smoltcp());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![b'd'; 10],
            ..recv_tmpl()
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
    recv!(
        t,
        Segment {
            seq: l(11),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::LastAck]);
    t
}

/// profiles (RFC 9293); ack-past-fin (RFC 9293 §3.10.7.4).
#[test]
fn last_ack_text_past_the_fin_with_a_partial_ack_then_ack_of_fin_may_be_dropped() {
    let judged = expect_after(
        Profile::smoltcp(),
        LAST_ACK_WITH_DATA_IN_FLIGHT,
        "// Reduced from campaign 8 segment-on-closed-connection: the text came
         // with an ACK that moved SND.UNA (smoltcp takes both), so the ACK of its
         // FIN at the old RCV.NXT is below its window: dropped, LAST-ACK stays,
         // and its (delayed) ACK of the text follows.
         < P. 2:12(10) ack 5 win 65535
         < . 2:2(0) ack 12 win 65535
         > . 12:12(0) ack 12 win 64240",
        &["15 ack-past-fin"],
    );
    let f = judged.finding("15 ack-past-fin");
    assert!(f.is_failure(), "{f:#?}");
}

/// profiles (RFC 9293); segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_text_past_the_fin_without_new_ack_then_segment_after_ack_of_fin_violates() {
    expect_after(
        Profile::smoltcp(),
        LAST_ACK_WITH_DATA_IN_FLIGHT,
        "// The text's ACK moved nothing: even a stack that takes text after the
         // FIN (smoltcp) answers it with a challenge ACK and drops it, so the
         // ACK of the FIN closes LAST-ACK and nothing may follow.
         < P. 2:12(10) ack 1 win 65535
         < . 2:2(0) ack 12 win 65535
         state CLOSED
         > . 12:12(0) ack 12 win 64240",
        &["15 segment-on-closed-connection"],
    );
}

/// profiles (RFC 9293); rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn rst_at_rcv_nxt_then_segment_violates_when_no_text_passed_the_fin() {
    rfc(
        CLOSE_WAIT,
        "< R 2:2(0) win 65535
         > . 1:1(0) ack 2 win 64240",
        &["8 rst-at-rcv-nxt-ignored"],
    );
}

// ---- a FIN segment's ACK ignored in CLOSING (fin-segment-ack-ignored) ----
// smoltcp 0.14 drops a FIN segment in CLOSING before using its ACK: its FIN
// stays unacknowledged and it stays in CLOSING, retransmitting the FIN
// (campaign 9 time-wait-sends: the model had gone to TIME-WAIT).

/// FIN-WAIT-1 (the target's FIN at l(1)), the harness's FIN without an ACK
/// of it: CLOSING.
///
/// As lines: 2 to 8; a test's lines start at line 9.
const CLOSING: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > F. 1:1(0) ack 1 win 64240
    < F. 1:1(0) ack 1 win 65535
    > . 2:2(0) ack 2 win 64240
    state CLOSING
";

/// FIN-WAIT-1 (the target's FIN at l(1)), the harness's FIN without an ACK
/// of it: CLOSING.
fn closing() -> T {
    let mut t = fin_wait_1_with(Profile::smoltcp());
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
            seq: l(2),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Closing]);
    t
}

/// A FIN segment (a second FIN, at RCV.NXT) acknowledging the target's FIN.
fn fin_segment_acking_fin() -> Segment {
    Segment {
        seq: r(2),
        ack: l(2),
        flags: FIN | ACK,
        ..send_tmpl()
    }
}

fn fin_retransmission() -> Segment {
    Segment {
        seq: l(1),
        ack: r(2),
        flags: FIN | ACK,
        ..recv_tmpl()
    }
}

/// profiles (RFC 9293); time-wait-sends (RFC 9293 §3.10.7.4); fin-segment-ack-ignored (RFC 9293
/// §3.10.7.4); retransmit-below-snd-una (RFC 9293 §3.3.1).
#[test]
fn closing_fin_segment_ack_ignored_the_fin_retransmission_is_that_not_time_wait() {
    let mut t = closing();
    send!(t, fin_segment_acking_fin());
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
    // An ACK at SND.NXT does not tell which SND.UNA the target has.
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    t.now += ms(1000);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &fin_retransmission());
    assert!(f.iter().all(|f| f.rule != RuleId::TimeWaitSends), "{f:#?}");
    let f = expect_rule(f, RuleId::FinSegmentAckIgnored);
    assert!(f.is_failure(), "the deviation is still reported: {f:#?}");
    assert_eq!(t.states(), vec![TcpState::Closing]);
    // Its ACK of the FIN then takes it to TIME-WAIT.
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
    recv!(
        t,
        fin_retransmission(),
        RuleId::TimeWaitSends,
        also[RuleId::RetransmitBelowSndUna]
    );
}

/// profiles (RFC 9293); time-wait-sends (RFC 9293 §3.10.7.4); retransmit-below-snd-una (RFC
/// 9293 §3.3.1).
#[test]
fn closing_fin_segment_then_the_same_ack_alone_leaves_time_wait_sends_a_violation() {
    let judged = expect_after(
        Profile::smoltcp(),
        CLOSING,
        "// The same ACK without a FIN: a stack that ignored the FIN segment's
         // ACK takes this one, so a FIN retransmission after it is in TIME-WAIT.
         < F. 2:2(0) ack 2 win 65535
         < . 2:2(0) ack 2 win 65535
         > F. 1:1(0) ack 2 win 64240",
        &["13 time-wait-sends", "13 retransmit-below-snd-una"],
    );
    let f = judged.finding("13 time-wait-sends");
    assert!(f.is_failure(), "{f:#?}");
}

// ---- a RST in TIME-WAIT that may have been taken (time-wait-too-short) ----
// Campaign 9: a harness RST in TIME-WAIT that some RCV.NXT candidate puts
// at RCV.NXT or in the window, or that a stack may drop (several control
// bits), may end TIME-WAIT; a RST from the target then answers a segment
// on a tuple that RST closed, and times no TIME-WAIT.

/// The target's RST for an ACK-bearing segment: <SEQ=SEG.ACK><CTL=RST>.
fn target_rst(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: SeqNumber(0),
        flags: RST,
        window: 0,
        ..recv_tmpl()
    }
}

/// profiles (RFC 9293); time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn time_wait_rst_after_a_rst_that_may_have_been_taken_is_not_a_short_time_wait() {
    let mut t = time_wait_with(Profile::smoltcp());
    // RST+FIN at RCV.NXT: taken by RFC 9293 (RST first), dropped by smoltcp's parser.
    send!(
        t,
        Segment {
            seq: r(2),
            flags: RST | FIN,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &target_rst(l(2)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::TimeWaitTooShort),
        "{f:#?}"
    );
}

/// profiles (RFC 9293); time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn time_wait_rst_after_an_out_of_window_rst_is_a_short_time_wait() {
    let mut t = time_wait();
    send!(t, rst(r(200_000)));
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    let f = recv!(t, target_rst(l(2)), RuleId::TimeWaitTooShort);
    assert!(f.is_failure(), "{f:#?}");
}

/// profiles (RFC 9293); time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn time_wait_rst_after_a_rst_that_may_have_reset_fin_wait_2_is_not_a_short_time_wait() {
    // Campaign 9 (time-wait-too-short): the SYN's data queued or dropped
    // leaves RCV.NXT r(1) or r(11); a RST at r(5) is in the window for one
    // only (smoltcp, which dropped the data, resets on it). The model keeps
    // the connection, takes the FIN to TIME-WAIT; the target's RST for the
    // next segment shows the RST took, not a TIME-WAIT of no length.
    let mut t = syn_received_after_syn_data(Profile::smoltcp());
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
            ack: r(1),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::FinWait2), "{:?}", t.states());
    send!(t, rst(r(5)));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            flags: FIN | ACK,
            payload: vec![b'f'; 20],
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::TimeWait), "{:?}", t.states());
    send!(
        t,
        Segment {
            seq: r(22),
            ack: l(2),
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &target_rst(l(2)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::TimeWaitTooShort),
        "{f:#?}"
    );
}

// ---- a RST with text at RCV.NXT in a zero window (rst-with-text-in-zero-window-ignored) ----
// Campaign 9 (rst-at-rcv-nxt-ignored): smoltcp 0.14 tests a segment with
// text against its window before it looks at RST, so with its window closed
// it drops a RST with text at RCV.NXT and keeps the connection
// (cases/regressions/smoltcp-rst-with-data-in-zero-window-ignored).

/// ESTABLISHED, the harness sent 10 octets, the target ACKed them with a
/// zero window; then a RST with 5 octets of text at RCV.NXT (r(11)).
fn rst_with_text_in_zero_window() -> T {
    let mut t = established_with(Profile::smoltcp());
    send!(t, text(r(1), l(1), 10));
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
    assert!(t.states().is_empty(), "{:?}", t.states());
    // The dead probe: an ACK to the listening port draws <SEQ=SEG.ACK><CTL=RST>.
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            ..send_tmpl()
        }
    );
    t
}

/// profiles (RFC 9293).
#[test]
fn rst_with_text_in_zero_window_then_rst_for_the_probe_is_allowed() {
    let mut t = rst_with_text_in_zero_window();
    recv!(t, target_rst(l(1)));
    expect_none(t.wait(ms(2000)));
}

/// profiles (RFC 9293); rst-with-text-in-zero-window-ignored (RFC 9293 §3.10.7.4, MUST-66).
#[test]
fn rst_with_text_in_zero_window_ignored_then_ack_violates() {
    let mut t = rst_with_text_in_zero_window();
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            window: 0,
            ..recv_tmpl()
        },
        RuleId::RstWithTextInZeroWindowIgnored
    );
    assert!(f.is_failure(), "{f:#?}");
    assert_eq!(f.requirement, "MUST-66");
}

/// profiles (RFC 9293); rst-not-sent (RFC 9293 §3.10.7.1); rst-with-text-in-zero-window-ignored
/// (RFC 9293 §3.10.7.4, MUST-66).
#[test]
fn rst_with_text_in_zero_window_ignored_then_no_rst_for_the_probe_violates() {
    let mut t = rst_with_text_in_zero_window();
    let f = t.wait(ms(2000));
    assert!(f.iter().all(|f| f.rule != RuleId::RstNotSent), "{f:#?}");
    expect_rule(f, RuleId::RstWithTextInZeroWindowIgnored);
}

/// profiles (RFC 9293); rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn rst_without_text_at_rcv_nxt_in_zero_window_ignored_is_rst_at_rcv_nxt_ignored() {
    expect_after(
        Profile::smoltcp(),
        ESTABLISHED,
        "< P. 1:11(10) ack 1 win 65535
         > . 1:1(0) ack 11 win 0
         < R 11:11(0) win 65535
         > . 1:1(0) ack 11 win 0",
        &["8 rst-at-rcv-nxt-ignored"],
    );
}

// ---- text past the FIN on the segment that closes LAST-ACK ----
// Campaign 8 (segment-on-closed-connection): smoltcp 0.14 takes the ACK of
// its FIN (CLOSED), then the segment's text past the harness's FIN, and
// acknowledges that text once as it closes.

/// LAST-ACK; a segment with text past the FIN whose ACK acknowledges the
/// target's FIN: the connection is closed.
///
/// As lines: 2 to 10; a test's lines start at line 11.
const LAST_ACK_CLOSED_BY_TEXT_PAST_THE_FIN: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > P. 1:11(10) ack 1 win 64240
    < F. 1:1(0) ack 1 win 65535
    > F. 11:11(0) ack 2 win 64240
    state LAST-ACK
    < P. 2:12(10) ack 12 win 65535
    state CLOSED
";

/// LAST-ACK; a segment with text past the FIN whose ACK acknowledges the
/// target's FIN: the connection is closed.
fn last_ack_closed_by_text_past_the_fin() -> T {
    let mut t = last_ack_with_data_in_flight();
    send!(t, text(r(2), l(12), 10));
    assert!(t.states().is_empty(), "{:?}", t.states());
    t
}

fn ack_of_text_past_the_fin() -> Segment {
    Segment {
        seq: l(12),
        ack: r(12),
        ..recv_tmpl()
    }
}

/// profiles (RFC 9293); ack-past-fin (RFC 9293 §3.10.7.4); segment-on-closed-connection (RFC
/// 9293 §3.3.2).
#[test]
fn last_ack_closed_by_text_past_the_fin_then_its_ack_is_ack_past_fin() {
    let mut t = last_ack_closed_by_text_past_the_fin();
    let f = recv!(t, ack_of_text_past_the_fin(), RuleId::AckPastFin);
    assert!(f.is_failure(), "{f:#?}");
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &ack_of_text_past_the_fin());
    // Only once: a second one is on a connection that is gone.
    expect_rule(f, RuleId::SegmentOnClosedConnection);
}

/// profiles (RFC 9293); segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_text_past_the_fin_then_data_violates() {
    expect_after(
        Profile::smoltcp(),
        LAST_ACK_CLOSED_BY_TEXT_PAST_THE_FIN,
        "> P. 12:16(4) ack 12 win 64240",
        &["11 segment-on-closed-connection"],
    );
}

// ---- a FIN counted after the text held past it (ack-of-unsent-data) ----
// Campaign 8 (segment-on-closed-connection): smoltcp 0.14 counts a FIN that
// fills the hole before held text after that text, and acknowledges one
// past all the harness sent (cases/regressions/smoltcp-fin-acked-past-queued-data).
// Its RCV.NXT is there: a later FIN segment at it is in order for it.

/// profiles (RFC 9293); ack-of-unsent-data (RFC 9293 §3.4); segment-on-closed-connection (RFC
/// 9293 §3.3.2); fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn fin_counted_past_held_text_then_fin_segment_at_that_rcv_nxt_is_in_order() {
    let mut t = established_with(Profile::smoltcp());
    // Text r(11)..r(21), out of order (a duplicate ACK for it).
    send!(t, text(r(11), l(1), 10));
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    // The FIN at r(11) fills the hole; the target ACKs r(22).
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | ACK,
            payload: vec![b'f'; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(22),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(22),
            flags: FIN | ACK,
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
    assert_eq!(t.states(), vec![TcpState::LastAck]);
    // A second FIN at the target's RCV.NXT that acknowledges its FIN:
    // smoltcp drops it, ACK and all, and retransmits its FIN.
    send!(
        t,
        Segment {
            seq: r(22),
            ack: l(2),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1000);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(1),
            ack: r(22),
            flags: FIN | ACK,
            ..recv_tmpl()
        },
    );
    assert!(
        f.iter()
            .all(|f| f.rule != RuleId::SegmentOnClosedConnection),
        "{f:#?}"
    );
    expect_rule(f, RuleId::FinSegmentAckIgnored);
}
