//! Zero-window probing (RFC 9293 §3.8.6.1): when the peer's window is zero
//! the target probes it with one octet, "the first zero-window probe when a
//! zero window has existed for the retransmission timeout period" (SHLD-29)
//! and "increase exponentially the interval between successive probes"
//! (SHLD-30). Both are SHOULDs: a probe sent earlier, or sooner after the
//! previous one, is a warning. smoltcp probes at the instant the application
//! writes into a zero window (its profile allows `zero-window-probe-early`).
//!
//! MUST-35 (probing is supported) and MUST-36/37 (the connection stays open
//! while the peer acknowledges probes) need the absence of a probe over a
//! long time, which a case of a few seconds cannot show; case T42 runs that
//! as a scripted expectation. They are not checked here.
//!
//! The state per connection is [`Probing`]; [`Oracle::note_window`] runs
//! after each segment to the target, [`Oracle::judge_probe`] on each segment
//! from it.

use super::model::{at_least, Oracle};
use super::rules::{Finding, RuleId};
use crate::wire::{seq_ge, seq_le, Segment};
use std::time::Duration;

/// What the oracle knows of the target's zero-window probing on one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Probing {
    /// When the harness's window became zero (the first ACK announcing it
    /// that the target must have taken); `None` while it is open.
    pub zero_since: Option<Duration>,
    /// The latest probe into this zero window.
    pub last_probe: Option<Duration>,
    /// The interval between the latest two probes.
    pub interval: Option<Duration>,
}

impl Oracle {
    /// After a segment to the target: whether the send window it leaves the
    /// target is zero (the right edge at or below SND.UNA), and since when.
    pub(super) fn note_window(&mut self, now: Duration, seg: &Segment) {
        if seg.ip.dst() != self.target.addr || seg.flags.rst() {
            return;
        }
        let Some(i) = self.conn_index(Self::tuple_to_target(seg)) else {
            return;
        };
        let c = &mut self.conns[i];
        let zero = c
            .send_right_edge()
            .is_some_and(|right| seq_le(right, c.snd.una));
        if !zero {
            c.zwp = Probing::default();
        } else if c.zwp.zero_since.is_none() {
            c.zwp.zero_since = Some(now);
        }
    }

    /// A segment from the target on connection `i`: a one-octet segment at
    /// or past the zero window's edge is a probe; its time is checked.
    pub(super) fn judge_probe(
        &mut self,
        i: usize,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) {
        let (min_rto, tol) = (self.profile.min_rto, self.profile.timer_tolerance);
        let c = &mut self.conns[i];
        let Some(since) = c.zwp.zero_since else {
            return;
        };
        let probe = seg.payload.len() == 1
            && !seg.flags.syn()
            && !seg.flags.rst()
            && c.send_right_edge()
                .is_some_and(|right| seq_ge(seg.seq, right));
        if !probe {
            return;
        }
        let mut found = None;
        match (c.zwp.last_probe, c.zwp.interval) {
            (None, _) => {
                let waited = now.saturating_sub(since);
                if !at_least(waited, min_rto, tol) {
                    found = Some((
                        RuleId::ZeroWindowProbeEarly,
                        format!(
                            "zero-window probe at seq {} {} ms after the window closed, before a retransmission timeout ({} ms at least)",
                            super::finding::tgt(seg.seq),
                            waited.as_millis(),
                            min_rto.as_millis()
                        ),
                    ));
                }
            }
            (Some(last), prev) => {
                let interval = now.saturating_sub(last);
                if let Some(prev) = prev.filter(|&p| !at_least(interval, p, tol)) {
                    found = Some((
                        RuleId::ZeroWindowProbeBackoff,
                        format!(
                            "zero-window probe at seq {} {} ms after the previous one, sooner than the interval before it ({} ms): no back-off",
                            super::finding::tgt(seg.seq),
                            interval.as_millis(),
                            prev.as_millis()
                        ),
                    ));
                }
                c.zwp.interval = Some(interval);
            }
        }
        c.zwp.last_probe = Some(now);
        if let Some((rule, msg)) = found {
            out.push(self.finding_bounded(rule, msg, true));
        }
    }
}
