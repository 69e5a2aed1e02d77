//! The window of a FIN segment that arrives after the harness's FIN
//! (CLOSE-WAIT, CLOSING, LAST-ACK): RFC 9293 §3.10.7.4 takes its ACK and
//! window before the FIN; smoltcp 0.14 drops the whole segment
//! (`fin-segment-ack-ignored`), so it keeps sending into the window it had.
//! Fuzz: `data-beyond-window` of campaign 10 (45 inputs).

use super::*;

/// CLOSE-WAIT with the harness window 65535, then a second FIN segment at
/// RCV.NXT (`F. r(2) ack l(1) win 0`) that closes the window.
fn close_wait_fin_segment_closes_window() -> T {
    let mut t = close_wait();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(1),
            flags: FIN | ACK,
            window: 0,
            ..send_tmpl()
        }
    );
    t
}

fn data(from: u32, len: usize) -> Segment {
    Segment {
        seq: l(from),
        ack: r(2),
        payload: vec![b'd'; len],
        ..recv_tmpl()
    }
}

fn judge(t: &mut T, seg: &Segment) -> Vec<Finding> {
    t.now += ms(1);
    t.oracle.on_segment(t.now, Direction::FromTarget, seg)
}

#[test]
fn a_zero_window_probe_after_a_fin_segment_closed_the_window_passes() {
    // The RFC reading: the window is zero, one octet probes it (§3.8.6.1).
    let mut t = close_wait_fin_segment_closes_window();
    // The first probe waits a retransmission timeout (SHLD-29, `zero-window-probe-early`).
    t.now += RFC_MIN_RTO;
    recv!(t, data(1, 1));
}

#[test]
fn data_within_the_window_before_a_fin_segment_closed_it_shows_that_segment_was_dropped() {
    // smoltcp drops the FIN segment in CLOSE-WAIT, window and all: it sends
    // into the 65535 octets it had. That is its deviation, not data past
    // every window the target could have.
    let mut t = close_wait_fin_segment_closes_window();
    let f = judge(&mut t, &data(1, 536));
    assert!(
        f.iter().all(|f| f.rule != RuleId::DataBeyondWindow),
        "{f:#?}"
    );
    expect_rule(f, RuleId::FinSegmentAckIgnored);
    // From then on the model follows it: more data in that window passes.
    recv!(t, data(537, 536));
}

#[test]
fn data_past_the_window_before_the_fin_segment_is_beyond_the_window() {
    let mut t = close_wait_fin_segment_closes_window();
    recv!(t, data(1, 536), RuleId::FinSegmentAckIgnored);
    recv!(
        t,
        data(537, 65535),
        RuleId::DataBeyondWindow,
        also[RuleId::SegmentExceedsMss]
    );
}

#[test]
fn data_beyond_a_zero_window_a_later_plain_ack_announced_is_beyond_the_window() {
    // An ACK without FIN after it: every stack takes its window (smoltcp
    // too), so the window before the FIN segment no longer counts.
    let mut t = close_wait_fin_segment_closes_window();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(1),
            window: 0,
            ..send_tmpl()
        }
    );
    recv!(t, data(1, 536), RuleId::DataBeyondWindow);
}

#[test]
fn data_beyond_a_zero_window_a_plain_ack_announced_in_close_wait_is_beyond_the_window() {
    let mut t = close_wait();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(1),
            window: 0,
            ..send_tmpl()
        }
    );
    recv!(t, data(1, 536), RuleId::DataBeyondWindow);
}
