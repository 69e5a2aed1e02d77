//! `either` blocks: the runner follows every branch the target's segments
//! allow and takes the first that completes (a child of the runner, so it
//! shares the case run's state).

use super::{script_numbers, secs, CaseRun, Stop, Window};
use crate::run::event::{Dir, Entry, EntryKind};
use crate::run::matcher::match_segment;
use crate::script::{Line, LineKind};
use std::time::Duration;

impl CaseRun<'_> {
    /// An `either` block: follows every branch the target's segments allow,
    /// and takes the first that completes.
    pub(super) fn either(&mut self, branches: &[Vec<Line>], block_line: u32) -> Result<(), Stop> {
        struct Cursor {
            branch: usize,
            pos: usize,
            prev: Duration,
            why: Option<String>,
        }
        let mut cursors: Vec<Cursor> = (0..branches.len())
            .map(|branch| Cursor {
                branch,
                pos: 0,
                prev: self.prev,
                why: None,
            })
            .collect();
        let harness = self.session.info().harness;
        loop {
            // A cursor at a `state` line reads the state once the line's time
            // has come (and records what it read).
            let now = self.session.now();
            // What the target sent before a due `state` line's time comes
            // first, in time order: a harness late to read the state must not
            // let the branch that reads it win over a segment that came
            // before it (a retransmission while the thread was descheduled).
            let due_state = cursors
                .iter()
                .filter(|c| c.why.is_none())
                .filter_map(|c| {
                    let line = branches[c.branch].get(c.pos)?;
                    matches!(line.kind, LineKind::State(_))
                        .then(|| self.window(line.time.node, c.prev).at)
                })
                .filter(|&at| at <= now)
                .min();
            // (Strictly before: at the line's own time the read wins, as
            // it always has; a virtual clock has no late harness.)
            let early = match due_state {
                Some(t) if !self.session.info().virtual_time && !t.is_zero() => {
                    self.recv(t - Duration::from_micros(1), Some(block_line))?
                }
                _ => None,
            };
            for c in cursors
                .iter_mut()
                .filter(|c| c.why.is_none() && early.is_none())
            {
                while c.why.is_none() {
                    let Some(line) = branches[c.branch].get(c.pos) else {
                        break;
                    };
                    let LineKind::State(s) = &line.kind else {
                        break;
                    };
                    if self.window(line.time.node, c.prev).at > now {
                        break;
                    }
                    let state = self.session.socket_state(harness)?;
                    self.transcript.push(Entry {
                        at: now,
                        line: Some(line.span.line),
                        what: EntryKind::State {
                            state,
                            expected: Some(vec![s.state]),
                        },
                    });
                    if state == s.state {
                        c.pos += 1;
                        c.prev = now;
                    } else {
                        c.why = Some(format!("socket.state: expected {}, got {state}", s.state));
                    }
                }
            }
            if let Some(done) = cursors
                .iter()
                .find(|c| c.why.is_none() && c.pos == branches[c.branch].len())
            {
                self.prev = done.prev;
                self.transcript.push(Entry {
                    at: self.session.now(),
                    line: Some(block_line),
                    what: EntryKind::Note(format!(
                        "either: branch {} of {} taken",
                        done.branch + 1,
                        branches.len()
                    )),
                });
                return Ok(());
            }
            let live: Vec<usize> = (0..cursors.len())
                .filter(|&i| cursors[i].why.is_none())
                .collect();
            if live.is_empty() {
                let why: Vec<String> = cursors
                    .iter()
                    .map(|c| {
                        format!(
                            "branch {}: {}",
                            c.branch + 1,
                            c.why.as_deref().unwrap_or("?")
                        )
                    })
                    .collect();
                let last = self
                    .transcript
                    .iter()
                    .rposition(|e| matches!(e.what, EntryKind::Packet { dir: Dir::Out, .. }));
                let actual = last.and_then(|i| self.entry_script(i));
                self.mismatch(
                    Some(block_line),
                    format!("no alternative matches: {}", why.join("; ")),
                    None,
                    actual,
                    last,
                );
                return Err(Stop::Failed);
            }
            // Packet lines wait for a segment inside their window; state lines
            // for their time, with no segment arriving before it.
            let mut windows: Vec<(usize, Window, u32)> = Vec::new();
            let mut state_at: Option<Duration> = None;
            for &i in &live {
                let c = &cursors[i];
                let line = &branches[c.branch][c.pos];
                let w = self.window(line.time.node, c.prev);
                match &line.kind {
                    LineKind::State(_) => state_at = Some(state_at.map_or(w.at, |t| t.min(w.at))),
                    _ => windows.push((i, w, line.span.line)),
                }
            }
            let packet_hi = windows.iter().map(|(_, w, _)| w.hi).max();
            let until = match (state_at, packet_hi) {
                (Some(t), Some(hi)) => t.min(hi),
                (Some(t), None) => t,
                (None, Some(hi)) => hi,
                (None, None) => self.session.now(),
            };
            let first_line = windows.first().map(|(_, _, l)| *l);
            // The numbers a target SYN is learned from (its ISN): those of a
            // branch that expects a SYN when one does, not of the first
            // branch (a retransmitted SYN-ACK met with `> .` first was read
            // one past its ISN).
            let hint = |want_syn: bool| {
                windows.iter().find_map(|(i, _, _)| {
                    let c = &cursors[*i];
                    match &branches[c.branch][c.pos].kind {
                        LineKind::Packet(p)
                            if !want_syn || p.flags.node.exact().is_some_and(|f| f.syn()) =>
                        {
                            Some(script_numbers(p))
                        }
                        _ => None,
                    }
                })
            };
            let seq_hint = hint(true).or_else(|| hint(false));
            let got = match early {
                Some(pkt) => Some(pkt),
                None => self.recv(until, Some(block_line))?,
            };
            let Some(pkt) = got else {
                for (i, w, _) in &windows {
                    if w.hi <= until {
                        cursors[*i].why = Some(format!(
                            "expected a segment by t={}, got nothing",
                            secs(w.hi)
                        ));
                    }
                }
                continue;
            };
            // A retransmission the harness's lateness explains, which no
            // branch's line takes (`late.rs`).
            if self.late_retransmission(&pkt, false) {
                let mut taken = false;
                for (i, _, _) in &windows {
                    let c = &cursors[*i];
                    if let LineKind::Packet(p) = &branches[c.branch][c.pos].kind {
                        taken |= self.matches_line(p, &pkt);
                    }
                }
                if !taken {
                    self.record_late(pkt, first_line, Duration::ZERO)?;
                    continue;
                }
            }
            // A segment before a branch's state line is one it did not expect.
            for &i in &live {
                let c = &mut cursors[i];
                if matches!(branches[c.branch][c.pos].kind, LineKind::State(_)) {
                    c.why = Some("a segment arrived before its `state` line".into());
                }
            }
            let at = pkt.at;
            let late = self.late_and_retransmitted(&pkt);
            let before = self.violations.len();
            let entry = self.record_target(pkt, first_line, seq_hint);
            if late {
                self.late_matched(before, entry);
            }
            let EntryKind::Packet { segment, .. } = &self.transcript[entry].what else {
                unreachable!("record_target pushes a packet entry")
            };
            let segment = segment.clone();
            for (i, w, _) in windows {
                let c = &mut cursors[i];
                let LineKind::Packet(p) = &branches[c.branch][c.pos].kind else {
                    continue;
                };
                let Some(seg) = &segment else {
                    c.why = Some("unparseable packet".into());
                    continue;
                };
                self.map.ts_val_slack =
                    super::super::pdscript::ts_val_slack(self.case, self.session.now());
                let fields = match_segment(p, seg, &self.map);
                if !fields.is_empty() {
                    c.why = Some(
                        fields
                            .iter()
                            .map(|f| f.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                } else if at < w.lo || at > w.hi {
                    c.why = Some(format!(
                        "timing: expected at {}..{} s, got at {} s",
                        secs(w.lo),
                        secs(w.hi),
                        secs(at)
                    ));
                } else {
                    c.pos += 1;
                    c.prev = at;
                }
            }
        }
    }
}
