//! Where an oracle finding points and what it says, as a reader looks for
//! it (issue #15 item 1): the segment at fault by its transcript index and
//! session time, that segment as the transcript writes it, and the finding's
//! message with its sequence and acknowledgment numbers relative to each
//! side's ISN, as the transcript and the case count them. The oracle types
//! each number it quotes by sequence space (`oracle::finding`); a
//! [`Violation`] keeps the absolute text (`message`, what the JSON report
//! holds) and each number's place, space, absolute and relative value
//! (`numbers`, in the JSON report too); [`Violation::text`] is what the
//! terminal, JUnit, HTML, Markdown and text transcript print, and the
//! snapshots of a virtual-time target ([`stable_text`]).

use super::times::{clock_label, clock_time};
use crate::oracle::{Message, Space};
use crate::run::{CaseReport, Dir, EntryKind, Violation};
use crate::wire::SeqNumber;
use serde::{Deserialize, Serialize};

/// Each side's ISN as the transcript counts from them when a finding is
/// made (the run's mapping: the target's learnt from its SYN, zero until
/// then, as a RST from a port with no connection reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Isns {
    /// The target's ISN (its ISS).
    pub target: SeqNumber,
    /// The peer's ISN (the target's IRS).
    pub peer: SeqNumber,
}

impl Isns {
    /// `n` relative to the ISN of its space.
    pub fn relative(&self, space: Space, n: SeqNumber) -> u32 {
        match space {
            Space::Target => n.offset_from(self.target),
            Space::Peer => n.offset_from(self.peer),
        }
    }
    /// The typed numbers of `m`, placed and made relative.
    pub fn numbers(&self, m: &Message) -> Vec<MessageNumber> {
        m.spans()
            .iter()
            .map(|s| MessageNumber {
                start: s.start,
                end: s.end,
                space: s.num.space,
                absolute: s.num.value.0,
                relative: self.relative(s.num.space, s.num.value),
            })
            .collect()
    }
}

/// One sequence or acknowledgment number of a violation's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageNumber {
    /// Its first byte in `message` (the absolute text).
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// Whose sequence space: `target` or `peer`.
    pub space: Space,
    /// The number on the wire.
    pub absolute: u32,
    /// The number relative to its side's ISN, as the transcript writes it.
    pub relative: u32,
}

impl Violation {
    /// The message as a reader gets it: every typed sequence number relative
    /// to its side's ISN. A number whose place does not fit the message (a
    /// report edited by hand) leaves the message as it is.
    pub fn text(&self) -> String {
        let m = &self.message;
        let mut out = String::with_capacity(m.len());
        let mut at = 0;
        for n in &self.numbers {
            let fits = at <= n.start
                && n.start <= n.end
                && m.get(n.start..n.end) == Some(n.absolute.to_string().as_str());
            if !fits {
                return m.clone();
            }
            out.push_str(&m[at..n.start]);
            out.push_str(&n.relative.to_string());
            at = n.end;
        }
        out.push_str(&m[at..]);
        out
    }
}

/// A violation's message as a snapshot shows it: the reader's text, in
/// relative sequence numbers (which do not change with the ISNs), on a
/// virtual-time target, where everything else in it is deterministic too.
/// `None` on a real-time target: its messages also carry what scheduling and
/// the stack's own randomness move (durations, TSvals, an ephemeral port),
/// so its snapshots keep the rule and where it fired, as before, and
/// stay the same under load.
pub fn stable_text(v: &Violation, virtual_time: bool) -> Option<String> {
    virtual_time.then(|| v.text())
}

/// `segment 5 at 0.012000 real s: > P. 1:1450(1449) ack 1 …` (the
/// transcript's 5th entry, counted from 1 as the judge's RST messages and a
/// capture's frame numbers count; the JSON `entry` is its index from 0), or
/// `None` when the finding concerns no transcript entry (a reply owed at the end).
pub fn at_segment(case: &CaseReport, v: &Violation) -> Option<String> {
    let index = v.entry?;
    let entry = case.transcript.get(index)?;
    let at = format!(
        "segment {} at {} {}",
        index + 1,
        clock_time(entry.at),
        clock_label(case.virtual_time)
    );
    Some(match &entry.what {
        EntryKind::Packet { dir, .. } if !entry.what.script().is_empty() => {
            let script = entry.what.script();
            let arrow = match dir {
                Dir::In => '<',
                Dir::Out => '>',
            };
            format!("{at}: {arrow} {script}")
        }
        _ => at,
    })
}

/// A second line `at segment 5 at …` under a finding's message, or nothing.
pub fn suffix(case: &CaseReport, v: &Violation) -> String {
    at_segment(case, v)
        .map(|s| format!("\n      at {s}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn a_violation_names_its_segment_by_index_time_and_script_line() {
        let case = fixture::closed_port_fail();
        let s = at_segment(&case, &case.violations[0]).expect("points at a segment");
        assert!(
            s.starts_with("segment 2 at 0.000000 ") && s.contains(" s: > R. 0:0(0) ack 2"),
            "{s}"
        );
        let mut end = case.violations[0].clone();
        end.entry = None;
        assert_eq!(at_segment(&case, &end), None);
        assert_eq!(suffix(&case, &end), "");
    }

    #[test]
    fn readers_get_the_message_in_relative_numbers_and_json_keeps_both() {
        let case = fixture::closed_port_fail();
        let v = &case.violations[0];
        // The oracle's absolute text stays in `message` (the JSON report's)…
        assert!(
            v.message.ends_with("= 1001, sent ack 1002"),
            "{}",
            v.message
        );
        // …and readers get the numbers relative to the harness's ISN (1000).
        assert_eq!(
            v.text(),
            "RST to a SYN must acknowledge SEG.SEQ+SEG.LEN = 1, sent ack 2"
        );
        let json = serde_json::to_value(v).expect("serialises");
        assert_eq!(json["numbers"][1]["space"], "peer");
        assert_eq!(json["numbers"][1]["absolute"], 1002);
        assert_eq!(json["numbers"][1]["relative"], 2);
        // A number whose place does not match (a report edited by hand)
        // leaves the message as it is rather than mangling it.
        let mut edited = v.clone();
        edited.message = "RST to a SYN, edited".into();
        assert_eq!(edited.text(), "RST to a SYN, edited");
    }

    #[test]
    fn isns_place_each_number_in_its_own_space_across_the_wrap() {
        use crate::oracle::{peer, tgt, Message};
        let isns = Isns {
            target: SeqNumber(0xffff_fff0),
            peer: SeqNumber(1000),
        };
        let m = Message::from(format!(
            "ack {} beyond SND.NXT {} (RCV.NXT {})",
            tgt(SeqNumber(0xffff_fff0).add(0x12)),
            tgt(SeqNumber(0xffff_fff0).add(0x11)),
            peer(1011u32)
        ));
        let mut v = fixture::closed_port_fail().violations[0].clone();
        v.numbers = isns.numbers(&m);
        v.message = m.text().to_string();
        assert_eq!(v.text(), "ack 18 beyond SND.NXT 17 (RCV.NXT 11)");
        assert_eq!(v.message, "ack 2 beyond SND.NXT 1 (RCV.NXT 1011)");
    }

    #[test]
    fn snapshots_show_the_message_on_a_virtual_clock_only() {
        let v = &fixture::closed_port_fail().violations[0];
        assert_eq!(stable_text(v, true).as_deref(), Some(v.text().as_str()));
        assert_eq!(stable_text(v, false), None);
    }
}
