//! The harness's own lateness on a real-time target, and the target's
//! retransmissions it explains.
//!
//! A `>` line's window counts from when the harness actually acted, so a
//! harness thread descheduled on a loaded machine shifts the rest of the
//! case later in real time, while the target's retransmission timer
//! (RFC 6298 §5) keeps running on the real clock. A retransmission the
//! script placed in an `either` at its end then arrives in the middle of
//! the probes: the CLOSING and LAST-ACK grid cells' FIN (RTO ~0.2 s on
//! Linux) raced the case's lines that way (issue #12; reproduced with 150
//! of those cells at `--jobs 48` on a loaded machine, 14 failed).
//!
//! [`Lateness`] keeps the harness's share of that shift: each harness act
//! (an injection by its kernel stamp, a call, a state read) adds how much
//! later than due it came; a `>` line carries the shift of the act it
//! answers. While that share exceeds the case's tolerance, a segment of the
//! target's that only re-sends sequence space it already sent (RFC 9293
//! §3.8.1: retransmission on a timeout is always the sender's right) and
//! that no line expects is recorded and judged by the oracle from its
//! packet times (`rto-too-short`, `rto-no-backoff`: the target's own
//! clock, which the harness's lateness does not move), not matched
//! against the script, and a [`LATE_NOTE`] after it says so. With the
//! harness on time, such a segment stays a mismatch.
//!
//! A deviation the profile allows on such a segment moves into the note:
//! the on-time run would not have seen the segment, so its outcome (pass,
//! not deviation) and snapshot (which leaves the segment and note out) stay
//! those of the on-time run. A violation no profile allows still counts.

use super::{CaseRun, Stop};
use crate::run::event::{Entry, EntryKind};
use crate::run::mapping::Mapping;
use crate::target::Received;
use std::time::Duration;

/// The start of the transcript note that follows a target segment recorded
/// because the harness's lateness explains it (see the module doc). The
/// snapshot form leaves the note and that segment out.
pub const LATE_NOTE: &str = "harness late: ";

/// The start of the transcript note that holds the deviations a profile
/// allows on a retransmission a line took while the harness ran late (see
/// the module doc). The snapshot form leaves the note out.
pub const LATE_DEVIATION_NOTE: &str = "harness late, deviation: ";

/// The harness's share of how much later than the script the case runs.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Lateness {
    /// The share at the runner's `sched` (what harness lines count from).
    at_sched: Duration,
    /// The share at the runner's `prev` (what `>` lines count from).
    at_prev: Duration,
    /// The most it has been in this case.
    pub(super) max: Duration,
}

impl Lateness {
    /// A harness act due at `due` took place at `acted`.
    pub(super) fn act(&mut self, due: Duration, acted: Duration) {
        self.at_prev = self.at_sched + acted.saturating_sub(due);
        self.max = self.max.max(self.at_prev);
    }

    /// A `>` line matched: what follows counts from the target's segment,
    /// which came as late as the act it answered.
    pub(super) fn answered(&mut self) {
        self.at_sched = self.at_prev;
    }

    /// The share now.
    pub(super) fn now(&self) -> Duration {
        self.at_prev.max(self.at_sched)
    }
}

impl CaseRun<'_> {
    /// Whether `pkt`, which no line expects, only re-sends what the target
    /// already sent while the harness runs late by more than the case's
    /// tolerance (or `after_due`: it came after the harness's line was due).
    ///
    /// Never in a script in packetdrill's form: packetdrill keeps whatever
    /// the target sent for the next `>` line and judges it there by its
    /// arrival time (`aggregate.rs`), so a retransmission that came early
    /// for a late harness is matched, or fails the line, as there.
    pub(super) fn late_retransmission(&self, pkt: &Received, after_due: bool) -> bool {
        if self.session.info().virtual_time || self.opts.oracle_only || self.pd_form() {
            return false;
        }
        let late = after_due || self.late.now() > self.case.meta.tolerance;
        late && self.is_retransmission(pkt)
    }

    /// A segment with sequence space (data, SYN or FIN), not a RST, ending
    /// at or before the end of what the target has sent.
    fn is_retransmission(&self, pkt: &Received) -> bool {
        let Ok(seg) = crate::wire::parse(&pkt.bytes) else {
            return false;
        };
        resends(&seg, self.target_nxt, &self.map)
    }

    /// Whether packet line `p` would match `pkt` (fields, not time).
    pub(super) fn matches_line(&mut self, p: &crate::script::PacketLine, pkt: &Received) -> bool {
        let Ok(seg) = crate::wire::parse(&pkt.bytes) else {
            return false;
        };
        self.map.ts_val_slack = super::super::pdscript::ts_val_slack(self.case, self.session.now());
        super::match_segment(p, &seg, &self.map).is_empty()
    }

    /// Records `pkt` (see [`Self::late_retransmission`]) as line `line`'s,
    /// judged by the oracle, with a [`LATE_NOTE`] after it.
    /// `behind`: how late the harness is at this point, beyond the share
    /// [`Lateness`] keeps (a line whose act is still to come).
    pub(super) fn record_late(
        &mut self,
        pkt: Received,
        line: Option<u32>,
        behind: Duration,
    ) -> Result<(), Stop> {
        let before = self.violations.len();
        let entry = self.record_target(pkt, line, None);
        let allowed = self.take_allowed(before);
        let at = self.transcript[entry].at;
        self.transcript.push(Entry {
            at,
            line,
            what: EntryKind::Note(format!(
                "{LATE_NOTE}{} ms behind the script: the target's retransmission is judged by the oracle, not matched against the script{allowed}",
                self.late.now().max(behind).as_millis(),
            )),
        });
        Ok(())
    }

    /// Whether a segment a line is about to take is a retransmission seen
    /// while the harness runs late (see [`Self::late_matched`]).
    pub(super) fn late_and_retransmitted(&self, pkt: &Received) -> bool {
        !self.session.info().virtual_time
            && self.late.now() > self.case.meta.tolerance
            && self.is_retransmission(pkt)
    }

    /// A retransmission a line took while the harness ran late (entry
    /// `entry`, its findings from `before` on): the on-time run would have
    /// met an earlier one (a later one backs the timer off further), so a
    /// deviation the profile allows on it goes into a
    /// [`LATE_DEVIATION_NOTE`] instead of the outcome. A violation no
    /// profile allows still counts.
    pub(super) fn late_matched(&mut self, before: usize, entry: usize) {
        let allowed = self.take_allowed(before);
        if allowed.is_empty() {
            return;
        }
        let (at, line) = (self.transcript[entry].at, self.transcript[entry].line);
        self.transcript.push(Entry {
            at,
            line,
            what: EntryKind::Note(format!(
                "{LATE_DEVIATION_NOTE}{} ms behind the script{allowed}",
                self.late.now().as_millis(),
            )),
        });
    }

    /// Takes the deviations a profile allows out of the violations from
    /// `before` on, as the text of a note.
    fn take_allowed(&mut self, before: usize) -> String {
        let before = before.min(self.violations.len());
        let (kept, moved): (Vec<_>, Vec<_>) = self
            .violations
            .drain(before..)
            .partition(|v| v.deviation.is_none());
        self.violations.extend(kept);
        moved
            .iter()
            .map(|v| {
                format!(
                    "; deviation seen on it: {}: {} (allowed by profile: {})",
                    v.rule,
                    v.message,
                    v.deviation.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    /// Test hook (`RunOptions::stall`): the harness sleeps before the line.
    pub(super) fn stall(&self, line: u32) {
        if let Some((l, d)) = self.opts.stall {
            if l == line {
                std::thread::sleep(d);
            }
        }
    }
}

/// Whether `seg` only re-sends sequence space the target already sent,
/// which ends at `target_nxt`. A SYN with another ISN than the one `map`
/// learned opens a new connection (a packetdrill script's next `connect`):
/// its sequence space is not the previous connection's, which `target_nxt`
/// follows, and it is never a retransmission however the two ISNs compare.
fn resends(seg: &crate::wire::Segment, target_nxt: crate::wire::SeqNumber, map: &Mapping) -> bool {
    if seg.flags.syn() && map.target_isn_known && map.pd_numbering && seg.seq != map.target_isn {
        return false;
    }
    !seg.flags.rst()
        && seg.seg_len() > 0
        && !crate::wire::seq_gt(seg.seq.add(seg.seg_len()), target_nxt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_carries_through_answers_and_not_between_harness_lines() {
        let ms = Duration::from_millis;
        let mut l = Lateness::default();
        // Two harness lines, the first 300 ms late: the second, due 10 ms
        // after the first was due, is 290 ms late; the share stays 300.
        l.act(ms(10), ms(310));
        assert_eq!(l.now(), ms(300));
        l.act(ms(20), ms(310));
        assert_eq!(l.now(), ms(290));
        assert_eq!(l.max, ms(300));
        // A `>` line answers the act: the share carries into what follows,
        // and the next late act adds to it.
        l.answered();
        l.act(ms(320), ms(420));
        assert_eq!(l.now(), ms(390));
        // An act on time after an answer keeps the carried share.
        l.answered();
        l.act(ms(500), ms(500));
        assert_eq!(l.now(), ms(390));
    }

    /// synack-data.pkt's third Fast Open connection: its SYN's ISN fell
    /// below where the previous connection's sequence space ended, and
    /// while the harness ran late the SYN was taken for a retransmission
    /// and never matched (`got nothing`).
    #[test]
    fn a_syn_with_a_new_isn_is_no_retransmission() {
        use crate::wire::{IpEnvelope, SeqNumber, TcpFlags};
        let ip = IpEnvelope::v4([198, 51, 100, 1].into(), [192, 0, 2, 1].into());
        let mut map = Mapping::new(SeqNumber(5000)).with_packetdrill_numbering(true);
        map.learn_target_isn(SeqNumber(3_730_696_404), 0);
        let nxt = SeqNumber(3_730_697_406);
        let mut syn = crate::wire::Segment::new(ip.clone(), 20001, 51213, TcpFlags::SYN);
        syn.seq = SeqNumber(3_606_323_158);
        syn.payload = vec![0; 1000];
        assert!(!resends(&syn, nxt, &map), "a new connection's SYN");
        // The same connection's SYN again, and its data again, are.
        syn.seq = SeqNumber(3_730_696_404);
        assert!(resends(&syn, nxt, &map));
        let mut data = crate::wire::Segment::new(ip, 20001, 51212, TcpFlags::ACK);
        data.seq = SeqNumber(3_730_696_405);
        data.payload = vec![0; 1000];
        assert!(resends(&data, nxt, &map));
        data.seq = nxt;
        assert!(!resends(&data, nxt, &map), "new data");
    }
}
