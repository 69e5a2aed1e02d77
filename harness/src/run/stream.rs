//! `> stream LEN [fin] [ack N]` lines: the target's byte stream, however it
//! cuts it into segments (a child of the runner, so it shares the case
//! run's state). Every segment goes to the oracle as any other does; the
//! line checks that together they make the stream it names.

use super::{secs, CaseRun, Stop, Window};

/// How the note a completed stream leaves in the transcript begins (the
/// snapshot form shows the note in place of the stream's segments).
pub const STREAM_NOTE: &str = "stream: ";
use crate::run::event::EntryKind;
use crate::script::{StreamLine, Value};
use crate::wire::{seq_gt, seq_le, SeqNumber};

impl CaseRun<'_> {
    /// Receives segments inside `w` until the stream is complete: LEN octets
    /// from the target's next sequence number (and its FIN when the line
    /// says `fin`), contiguous, each with ACK set and no flag but ACK, PSH
    /// and FIN. A bare ACK at the stream's next octet is allowed, and a
    /// segment that only repeats octets already received (a
    /// retransmission) is passed over.
    pub(super) fn stream(&mut self, s: &StreamLine, w: Window, line: u32) -> Result<(), Stop> {
        let expected = self
            .source_line(line)
            .map_or_else(|| "a stream".to_string(), |l| l.trim().to_string());
        let start: SeqNumber = self.target_nxt;
        let mut next = start;
        let mut fin_at: Option<SeqNumber> = None;
        let want_len = match s.len {
            Value::Exact(n) => Some(n),
            Value::Any => None,
        };
        loop {
            let got = next.0.wrapping_sub(start.0);
            let done = match (want_len, s.fin) {
                (_, true) => fin_at.is_some(),
                (Some(n), false) => got >= n,
                (None, false) => false,
            };
            if done {
                let fin = if s.fin { " and the FIN" } else { "" };
                self.transcript.push(crate::run::Entry {
                    at: self.prev,
                    line: Some(line),
                    what: EntryKind::Note(format!("{STREAM_NOTE}{got} octets{fin}")),
                });
                return Ok(());
            }
            let Some(pkt) = self.recv(w.hi, Some(line))? else {
                let what = match (want_len, s.fin) {
                    (Some(n), true) => format!("{} more octets and the FIN", n.saturating_sub(got)),
                    (Some(n), false) => format!("{} more octets", n.saturating_sub(got)),
                    (None, _) => "the FIN".to_string(),
                };
                self.mismatch(
                    Some(line),
                    format!(
                        "stream: expected {what} by t={}, got nothing (after {got} octets)",
                        secs(w.hi)
                    ),
                    Some(expected),
                    Some("nothing".into()),
                    None,
                );
                return Err(Stop::Failed);
            };
            let at = pkt.at;
            let entry = self.record_target(pkt, Some(line), None);
            let actual = self.entry_script(entry);
            let EntryKind::Packet {
                segment: Some(seg), ..
            } = &self.transcript[entry].what
            else {
                self.mismatch(
                    Some(line),
                    "the target sent a packet that does not parse".into(),
                    Some(expected),
                    actual,
                    Some(entry),
                );
                return Err(Stop::Failed);
            };
            let seg = seg.clone();
            let fail = |run: &mut Self, why: String| {
                run.mismatch(
                    Some(line),
                    format!("stream: {why}"),
                    Some(expected.clone()),
                    actual.clone(),
                    Some(entry),
                );
                Err(Stop::Failed)
            };
            let f = seg.flags;
            let extra = f.bits()
                & !(crate::wire::TcpFlags::ACK
                    | crate::wire::TcpFlags::PSH
                    | crate::wire::TcpFlags::FIN)
                    .bits();
            if !f.ack() || extra != 0 {
                return fail(
                    self,
                    format!(
                        "a segment of the stream has flags {f}: only ACK, PSH and FIN belong in it"
                    ),
                );
            }
            if let Some(Value::Exact(ack)) = s.ack.as_ref().map(|a| &a.node) {
                let (ack, got_ack) = (*ack, self.map.harness_script(seg.ack));
                if got_ack != ack {
                    return fail(self, format!("tcp.ack: expected {ack}, got {got_ack}"));
                }
            }
            if at < w.lo {
                return fail(
                    self,
                    format!(
                        "timing: expected at {}..{} s, got at {} s (early)",
                        secs(w.lo),
                        secs(w.hi),
                        secs(at)
                    ),
                );
            }
            if let Some(fin) = fin_at {
                return fail(
                    self,
                    format!(
                        "a segment after the stream's FIN (at {})",
                        self.map.target_script(fin)
                    ),
                );
            }
            let end = seg.seq.add(seg.payload.len() as u32);
            if seq_gt(seg.seq, next) {
                return fail(
                    self,
                    format!(
                        "a gap: the segment starts at {}, the stream's next octet is {}",
                        self.map.target_script(seg.seq),
                        self.map.target_script(next)
                    ),
                );
            }
            if seq_le(end, next) && !f.fin() && !seg.payload.is_empty() {
                // Only octets already received: a retransmission.
                self.prev = at;
                continue;
            }
            if seq_gt(end, next) {
                next = end;
            }
            if let Some(n) = want_len {
                if next.0.wrapping_sub(start.0) > n {
                    return fail(
                        self,
                        format!(
                            "{} octets, more than the {n} the line names",
                            next.0.wrapping_sub(start.0)
                        ),
                    );
                }
            }
            if f.fin() {
                if !s.fin {
                    return fail(self, "a FIN the line does not name".into());
                }
                if let Some(n) = want_len {
                    let got = next.0.wrapping_sub(start.0);
                    if got != n {
                        return fail(self, format!("the FIN after {got} octets, not {n}"));
                    }
                }
                fin_at = Some(end);
            }
            self.prev = at;
        }
    }
}
