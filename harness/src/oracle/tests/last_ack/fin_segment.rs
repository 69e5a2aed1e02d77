//! LAST-ACK (RFC 9293 §3.10.7.4): closed by a FIN segment whose ACK the target may
//! ignore, and a FIN on old data.

use crate::oracle::tests::lines::{expect_after, rfc, LAST_ACK};
use crate::oracle::tests::*;

// ---- LAST-ACK: the ACK of a FIN segment (fuzz campaign 8, data-before-established) ----

/// LAST-ACK, then a second harness FIN at RCV.NXT acknowledging the target's FIN.
///
/// As lines: 2 to 9; a test's lines start at line 10.
const LAST_ACK_ACKED_BY_A_FIN_SEGMENT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < F. 1:1(0) ack 1 win 65535
    > . 1:1(0) ack 2 win 64240
    > F. 1:1(0) ack 2 win 64240
    < F. 2:2(0) ack 2 win 65535
    state CLOSED
";

/// LAST-ACK, then a second harness FIN at RCV.NXT acknowledging the target's FIN.
fn last_ack_acked_by_a_fin_segment() -> T {
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
    assert!(t.states().is_empty(), "the ACK of the FIN closes it");
    t
}

/// LAST-ACK: RFC 9293 §3.10.7.4.
#[test]
fn last_ack_closed_by_a_fin_segment_then_a_probe_draws_a_rst() {
    rfc(
        LAST_ACK_ACKED_BY_A_FIN_SEGMENT,
        "< . 2:2(0) ack 2 win 65535
         > R 2:2(0) win 0",
        &[],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn last_ack_fin_retransmitted_after_a_fin_segment_acked_it_violates() {
    rfc(
        LAST_ACK_ACKED_BY_A_FIN_SEGMENT,
        "// smoltcp drops the FIN segment, ACK and all, and stays in LAST-ACK.
         +1.001 > F. 1:1(0) ack 2 win 64240",
        &["11 fin-segment-ack-ignored"],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4.
#[test]
fn last_ack_closed_by_a_fin_segment_then_a_new_syn_draws_a_syn_ack() {
    rfc(
        LAST_ACK_ACKED_BY_A_FIN_SEGMENT,
        "< S 100000:100000(0) win 65535
         > S. 5000:5000(0) ack 100001 win 64240 <mss 1460>
         state SYN-RECEIVED",
        &[],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn last_ack_fin_retransmitted_after_a_fin_segment_and_a_new_syn_violates() {
    rfc(
        LAST_ACK_ACKED_BY_A_FIN_SEGMENT,
        "// The old connection's FIN, not a SYN-ACK: the target never closed it.
         < S 100000:100000(0) win 65535
         > F. 1:1(0) ack 2 win 64240",
        &["12 fin-segment-ack-ignored"],
    );
}

/// A RST far outside any window: a target in LAST-ACK drops it (RFC 9293
/// §3.10.7.4, first check), a closed port answers nothing.
fn stray_rst() -> Segment {
    Segment {
        seq: r(1 << 30),
        flags: RST,
        ..send_tmpl()
    }
}

/// LAST-ACK: RFC 9293 §3.10.7.4; reply-to-rst (RFC 9293 §3.10.7.1); fin-segment-ack-ignored
/// (RFC 9293 §3.10.7.4).
#[test]
fn last_ack_fin_retransmitted_after_a_fin_segment_and_a_stray_rst_is_the_ignored_fin_segment() {
    // Fuzz campaign 8 (reply-to-rst, reduced): smoltcp dropped the FIN
    // segment and is still in LAST-ACK; the stray RST met that connection,
    // so its FIN a second later is a retransmission there, not a reply to
    // the RST.
    let mut t = last_ack_acked_by_a_fin_segment();
    send!(t, stray_rst());
    t.now += ms(1_000);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(1),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        },
    );
    assert!(f.iter().all(|f| f.rule != RuleId::ReplyToRst), "{f:#?}");
    expect_rule(f, RuleId::FinSegmentAckIgnored);
}

/// LAST-ACK: RFC 9293 §3.10.7.4; reply-to-rst (RFC 9293 §3.10.7.1).
#[test]
fn last_ack_closed_by_an_ack_then_a_segment_after_a_stray_rst_replies_to_it() {
    // A bare ACK of the FIN closes LAST-ACK for every stack: the target has
    // no connection, and anything after the RST answers it.
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty());
    send!(t, stray_rst());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        },
        RuleId::ReplyToRst
    );
}

/// After a FIN segment closed LAST-ACK in the model: an ACK of the FIN,
/// which a CLOSED port owes `<SEQ=SEG.ACK><CTL=RST>`, and the target's
/// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>`.
fn ack_then_rst_after_a_fin_segment(abort: bool) -> (T, Vec<Finding>) {
    let mut t = last_ack_acked_by_a_fin_segment();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(1),
            ..send_tmpl()
        }
    );
    if abort {
        t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    }
    t.now += ms(1);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(2),
            ack: r(2),
            flags: RST | ACK,
            ..recv_tmpl()
        },
    );
    (t, f)
}

/// LAST-ACK: RFC 9293 §3.10.7.4; fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn last_ack_abort_after_a_fin_segment_resets_the_connection_the_target_kept() {
    // Fuzz campaign 8 (rst-listen-numbers, reduced): smoltcp ignored the FIN
    // segment, so an abort (SO_LINGER 0, close) resets LAST-ACK with its
    // own numbers; the LISTEN RST the ACK seemed to owe then never comes,
    // which is that deviation.
    let (mut t, f) = ack_then_rst_after_a_fin_segment(true);
    expect_none(f);
    let f = t.wait(ms(2_000));
    assert!(
        !f.is_empty() && f.iter().all(|f| f.rule == RuleId::FinSegmentAckIgnored),
        "{f:#?}"
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn last_ack_closed_by_a_fin_segment_then_an_unowed_rst_has_the_wrong_numbers() {
    let (_, f) = ack_then_rst_after_a_fin_segment(false);
    expect_rule(f, RuleId::RstListenNumbers);
}

// ---- A FIN on old data (fuzz campaign 8, ack-delayed-too-long) ----

/// ESTABLISHED with r(1)..r(11) acknowledged; the harness resends those 10
/// octets with a FIN at r(11) = RCV.NXT: only the FIN is new (SEG.LEN 11).
///
/// As lines: 2 to 7; a test's lines start at line 8.
const FIN_ON_OLD_DATA: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < P. 1:11(10) ack 1 win 65535
    > . 1:1(0) ack 11 win 64240
    < FP. 1:11(10) ack 1 win 65535
";

/// LAST-ACK: RFC 9293 §3.10.7.4.
#[test]
fn fin_on_old_data_is_taken_and_acknowledged() {
    rfc(
        FIN_ON_OLD_DATA,
        "> . 1:1(0) ack 12 win 64240
         state CLOSE-WAIT",
        &[],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; fin-on-old-data-ignored (RFC 9293 §3.3.1).
#[test]
fn fin_on_old_data_left_unacknowledged_violates() {
    let judged = expect_after(
        Profile::rfc9293(),
        FIN_ON_OLD_DATA,
        "// smoltcp judges the segment by its payload (ending at RCV.NXT), drops it and ACKs r(11).
         > . 1:1(0) ack 11 win 64240",
        &["end fin-on-old-data-ignored"],
    );
    let f = judged.finding("end fin-on-old-data-ignored");
    assert!(f.is_failure(), "{f}");
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_an_out_of_order_fin_segment_is_an_ordinary_close() {
    rfc(
        LAST_ACK,
        "// A FIN past a hole is held, not taken: the ACK still closes LAST-ACK,
         // and a target going on is on a closed connection, not this rule.
         < F. 5:8(3) ack 2 win 65535
         state CLOSED
         > F. 1:1(0) ack 2 win 64240",
        &["12 segment-on-closed-connection"],
    );
}
