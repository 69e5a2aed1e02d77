//! The harness's window as the target may see it (RFC 9293 §3.8.6,
//! §3.10.7.4; RFC 7323 §2.3). From fuzz findings (data-beyond-window):
//! smoltcp takes every acceptable ACK's window, not only those passing the
//! SND.WL1/SND.WL2 test; takes the last of several Window Scale options;
//! probes a zero window with one octet of new data.

use crate::oracle::tests::lines::{expect_after, rfc, ESTABLISHED};
use crate::oracle::tests::*;

fn data(seq: SeqNumber, len: usize) -> Segment {
    Segment {
        seq,
        ack: r(1),
        payload: vec![b'd'; len],
        ..recv_tmpl()
    }
}

/// ESTABLISHED; an out-of-order segment (SND.WL1 moves past RCV.NXT) shuts
/// the window, then a pure ACK at RCV.NXT offers 1000 octets: the
/// §3.10.7.4 test skips it (SEG.SEQ < SND.WL1), a stack updating from
/// every ACK takes it.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const WINDOW_REOPENED_BELOW_SND_WL1: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < . 11:16(5) ack 1 win 0
    < . 1:1(0) ack 1 win 1000
";

/// RFC 9293 §3.8.6.
#[test]
fn window_of_the_latest_ack_below_snd_wl1_may_be_used() {
    rfc(
        WINDOW_REOPENED_BELOW_SND_WL1,
        "> . 1:1001(1000) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_beyond_the_latest_acks_window_violates() {
    rfc(
        WINDOW_REOPENED_BELOW_SND_WL1,
        "> . 1:1002(1001) ack 1 win 64240",
        &["7 data-beyond-window"],
    );
}

/// ESTABLISHED with 100 octets in flight, then the harness's zero window.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const ZERO_WINDOW_WITH_DATA_IN_FLIGHT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > . 1:101(100) ack 1 win 64240
    < . 1:1(0) ack 1 win 0
";

/// RFC 9293 §3.8.6.
#[test]
fn zero_window_probe_with_one_new_octet_is_allowed() {
    rfc(
        ZERO_WINDOW_WITH_DATA_IN_FLIGHT,
        "// §3.8.6.1: \"at least one octet of new data even if the send window is zero\".
         // The first probe waits a retransmission timeout (SHLD-29, `zero-window-probe-early`).
         +1.001 > . 101:102(1) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn two_new_octets_into_a_zero_window_violate() {
    rfc(
        ZERO_WINDOW_WITH_DATA_IN_FLIGHT,
        "> . 101:103(2) ack 1 win 64240",
        &["7 data-beyond-window"],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn one_octet_past_a_full_but_open_window_violates() {
    rfc(
        ESTABLISHED,
        "< . 1:1(0) ack 1 win 100
         > . 1:101(100) ack 1 win 64240
         > . 101:102(1) ack 1 win 64240",
        &["7 data-beyond-window"],
    );
}

/// SYN with Window Scale 0 then 2; the SYN-ACK scales too; the harness's
/// final ACK offers window 25.
///
/// As lines: 2 to 4; a test's lines start at line 5.
const ESTABLISHED_WITH_TWO_SHIFTS: &str = "
    < S 0:0(0) win 65535 <mss 1460,wscale 0,wscale 2>
    > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 0>
    < . 1:1(0) ack 1 win 25
";

/// RFC 9293 §3.8.6.
#[test]
fn several_window_scale_options_the_largest_shift_bounds_the_window() {
    rfc(
        ESTABLISHED_WITH_TWO_SHIFTS,
        "// RFC 7323 does not say which of several a stack takes (smoltcp: the last).
         > . 1:101(100) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn several_window_scale_options_data_beyond_the_largest_violates() {
    rfc(
        ESTABLISHED_WITH_TWO_SHIFTS,
        "> . 1:102(101) ack 1 win 64240",
        &["5 data-beyond-window"],
    );
}

/// RFC 9293 §3.8.6.
#[test]
fn several_timestamps_options_either_tsval_may_be_echoed() {
    let mut t = listen();
    let ts = |tsval, tsecr| TcpOption::Timestamps { tsval, tsecr };
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460), ts(100, 0), ts(200, 0)],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460), ts(9000, 200)],
            ..recv_tmpl()
        }
    );
}

/// After a SYN with 10 octets (RCV.NXT r(1) or r(11)), a segment below
/// r(11) is acceptable only if the SYN's data was dropped.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const ESTABLISHED_AFTER_SYN_WITH_DATA: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 1000
    // Old data if the SYN's was queued: the target may drop it, window and all.
    < . 1:6(5) ack 1 win 0
";

/// RFC 9293 §3.8.6.
#[test]
fn zero_window_on_a_segment_the_target_may_drop_does_not_shrink_it() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "> . 1:1001(1000) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn zero_window_on_a_segment_every_candidate_accepts_shrinks_it() {
    rfc(
        ESTABLISHED_AFTER_SYN_WITH_DATA,
        "< . 11:11(0) ack 1 win 0
         > . 1:3(2) ack 1 win 64240",
        &["8 data-beyond-window"],
    );
}

/// ESTABLISHED, the harness's window shut and probed with one octet
/// (SND.NXT l(2)); then the harness acknowledges l(12), ten octets the
/// target never sent, with window 4. RFC 9293 §3.10.7.4 drops that ACK;
/// smoltcp takes it (any ACK within its send buffer) and sends from l(12)
/// (fuzz: data-beyond-window after seq-gap, campaign 8).
///
/// As lines: 2 to 8; a test's lines start at line 9.
const ACKED_BEYOND_SND_NXT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < . 1:1(0) ack 1 win 0
    // The first probe waits a retransmission timeout (SHLD-29, `zero-window-probe-early`).
    +1.001 > . 1:2(1) ack 1 win 64240
    < . 1:1(0) ack 12 win 4
";

/// ESTABLISHED, the harness's window shut and probed with one octet
/// (SND.NXT l(2)); then the harness acknowledges l(12), ten octets the
/// target never sent, with window 4. RFC 9293 §3.10.7.4 drops that ACK;
/// smoltcp takes it (any ACK within its send buffer) and sends from l(12)
/// (fuzz: data-beyond-window after seq-gap, campaign 8).
fn acked_beyond_snd_nxt() -> T {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 0,
            ..send_tmpl()
        }
    );
    // The first probe waits a retransmission timeout (SHLD-29, `zero-window-probe-early`).
    t.now += RFC_MIN_RTO;
    recv!(t, data(l(1), 1));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(12),
            window: 4,
            ..send_tmpl()
        }
    );
    t
}

/// RFC 9293 §3.8.6; seq-gap (RFC 9293 §3.3.1); data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_from_a_taken_ack_of_unsent_data_is_judged_by_its_window() {
    let mut t = acked_beyond_snd_nxt();
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &data(l(12), 4));
    let rules: Vec<RuleId> = f.iter().map(|x| x.rule).collect();
    assert!(
        rules.contains(&RuleId::SeqGap),
        "the gap is reported: {f:#?}"
    );
    assert!(
        !rules.contains(&RuleId::DataBeyondWindow),
        "window 4 from l(12) holds 4 octets: {f:#?}"
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6); seq-gap (RFC 9293 §3.3.1).
#[test]
fn data_past_a_taken_ack_of_unsent_datas_window_violates() {
    rfc(
        ACKED_BEYOND_SND_NXT,
        "> . 12:17(5) ack 1 win 64240",
        &["9 data-beyond-window", "9 seq-gap"],
    );
}

/// RFC 9293 §3.8.6; seq-gap (RFC 9293 §3.3.1); data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_after_a_taken_ack_of_unsent_data_fills_its_window_then_violates() {
    let judged = expect_after(
        Profile::rfc9293(),
        ACKED_BEYOND_SND_NXT,
        "> . 12:16(4) ack 1 win 64240
         > . 16:18(2) ack 1 win 64240",
        &["9 seq-gap", "10 data-beyond-window"],
    );
    let _ = judged.finding("9 seq-gap");
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6); seq-gap (RFC 9293 §3.3.1).
#[test]
fn data_beyond_snd_nxt_without_a_harness_ack_there_keeps_the_old_window() {
    rfc(
        ACKED_BEYOND_SND_NXT,
        "// The target did not take the ACK of l(12): a jump to l(13) is a gap
         // judged against the shut window.
         > . 13:16(3) ack 1 win 64240",
        &["11 data-beyond-window", "11 seq-gap"],
    );
}

/// ESTABLISHED, 100 octets from the target in flight; the harness sends 10
/// octets acking l(50) (window 20), then, before the target's ACK of them,
/// an old-or-new segment acking l(60): RCV.NXT is r(1) or r(11), so the
/// target may take it or drop it, ACK and all. Its ACK of r(11) shows it
/// dropped it; the harness's next ACK, l(50), is then the target's SND.UNA
/// and its window (1000) counts (fuzz: data-beyond-window, campaign 8).
fn ack_on_a_segment_the_target_may_have_dropped() -> T {
    let mut t = established();
    recv!(t, data(l(1), 100));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(50),
            window: 20,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(60),
            window: 20,
            payload: vec![b'x'; 5],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(101),
            ack: r(11),
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(50),
            window: 1000,
            ..send_tmpl()
        }
    );
    t
}

/// RFC 9293 §3.8.6.
#[test]
fn window_of_an_ack_below_a_maybe_dropped_acks_snd_una_may_be_used() {
    let mut t = ack_on_a_segment_the_target_may_have_dropped();
    recv!(
        t,
        Segment {
            ack: r(11),
            ..data(l(101), 900)
        }
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_beyond_the_window_of_an_ack_below_a_maybe_dropped_ack_violates() {
    let mut t = ack_on_a_segment_the_target_may_have_dropped();
    recv!(
        t,
        Segment {
            ack: r(11),
            ..data(l(101), 950)
        },
        RuleId::DataBeyondWindow
    );
}

fn harness_data(ack: SeqNumber) -> Segment {
    Segment {
        seq: r(1),
        ack,
        flags: PSH | ACK,
        payload: vec![b'x'; 10],
        ..send_tmpl()
    }
}

/// RFC 9293 §3.8.6; old-ack-data-dropped (RFC 9293 §3.10.7.4, MAY-12); ack-delayed-too-long
/// (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn data_with_an_ack_below_a_taken_ack_of_unsent_data_may_be_dropped_as_old() {
    // A target that took l(12) (smoltcp) sees ack l(1) as below SND.UNA and
    // drops the segment, data and all (MAY-12, smoltcp #12): the profile's
    // old-ack-data-dropped, not a late ACK (fuzz: ack-delayed-too-long).
    let mut t = acked_beyond_snd_nxt();
    send!(t, harness_data(l(1)));
    let f = t.wait(ms(2_000));
    assert!(
        f.iter().any(|x| x.rule == RuleId::OldAckDataDropped),
        "{f:#?}"
    );
    assert!(
        !f.iter().any(|x| x.rule == RuleId::AckDelayedTooLong),
        "{f:#?}"
    );
}

/// RFC 9293 §3.8.6; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn data_with_a_current_ack_left_unacknowledged_violates() {
    rfc(
        ESTABLISHED,
        "< P. 1:11(10) ack 1 win 65535",
        &["end ack-delayed-too-long"],
    );
}
