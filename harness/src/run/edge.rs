//! `//! window-edge: L, …`: `<` lines whose sequence number counts from the
//! right edge of the target's receive window, not from our ISN.
//!
//! The right edge is RCV.NXT + RCV.WND as the target last announced it: the
//! acknowledgment number plus the (unscaled) window field of the latest
//! segment it sent with the ACK bit (RFC 9293 §3.3.1, §3.8.6). On such a
//! line `0:1(1)` is the first octet past the window, `4294967295:0(1)` the
//! last octet inside it (arithmetic modulo 2^32, as everywhere in the case
//! language). Windows differ from stack to stack (smoltcp's buffer, Linux's
//! 64240): this is what lets one case probe both edges on every target. The
//! grid (`synack grid`) writes it; a case that offers window scaling should
//! not use it (the field is read unscaled). Before the target has sent a
//! segment with ACK the line keeps its ordinary meaning. A fuzz seed made
//! from such a case (`synack seeds`) injects the number as written.

use super::mapping::Mapping;
use crate::script::{Item, LineKind, Script};
use crate::wire::{Segment, SeqNumber};
use std::collections::BTreeSet;

/// The metadata key.
pub const META_KEY: &str = "window-edge";

/// The lines a case marks, and the edge learned so far.
#[derive(Clone, Debug, Default)]
pub struct WindowEdge {
    lines: BTreeSet<u32>,
    edge: Option<SeqNumber>,
}

/// The `<` lines the case names under `window-edge`, or why the value is
/// wrong (not a list of line numbers of `<` lines).
pub fn marked_lines(script: &Script) -> Result<BTreeSet<u32>, String> {
    // Most cases mark none: no set of `<` lines built per run for them.
    if script.meta_all(META_KEY).next().is_none() {
        return Ok(BTreeSet::new());
    }
    let inject: BTreeSet<u32> = script
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Line(l) => match &l.kind {
                LineKind::Packet(p) if p.direction == crate::script::Direction::Inject => {
                    Some(l.span.line)
                }
                _ => None,
            },
            Item::Either { .. } => None,
        })
        .collect();
    let mut out = BTreeSet::new();
    for m in script.meta_all(META_KEY) {
        let text = match &m.value {
            crate::script::MetaValue::Text(t) => t.clone(),
            crate::script::MetaValue::List(l) => l.join(","),
            crate::script::MetaValue::Duration(_) => String::new(),
        };
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let n: u32 = word.parse().map_err(|_| {
                format!("`{META_KEY}` takes line numbers of `<` lines, not `{word}`")
            })?;
            if !inject.contains(&n) {
                return Err(format!(
                    "`{META_KEY}` names line {n}, which is not a `<` line"
                ));
            }
            out.insert(n);
        }
    }
    Ok(out)
}

impl WindowEdge {
    /// The lines [`marked_lines`] found (a case keeps them from its load).
    pub fn with_lines(lines: BTreeSet<u32>) -> WindowEdge {
        WindowEdge { lines, edge: None }
    }

    /// The lines `script` marks (none when the value is wrong: loading the
    /// case has reported that already).
    pub fn new(script: &Script) -> WindowEdge {
        WindowEdge {
            lines: marked_lines(script).unwrap_or_default(),
            edge: None,
        }
    }

    /// Learns the right edge from a segment the target sent.
    pub fn observe(&mut self, seg: &Segment) {
        if self.lines.is_empty() || !seg.flags.ack() || seg.flags.rst() {
            return;
        }
        self.edge = Some(seg.ack.add(u32::from(seg.window)));
    }

    /// Moves the sequence number of the segment line `line` injects to the
    /// edge plus the number the line writes.
    pub fn apply(&self, line: u32, seg: &mut Segment, map: &Mapping) {
        if let (true, Some(edge)) = (self.lines.contains(&line), self.edge) {
            seg.seq = edge.add(map.harness_script(seg.seq));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IpEnvelope, TcpFlags};

    fn script(text: &str) -> Script {
        crate::script::parse(text, "t.pkt").expect("parses")
    }

    const CASE: &str = "0 < S 0:0(0) win 100\n+0 > S. 0:0(0) ack 1\n+0 < . 0:1(1) ack 1\n";

    #[test]
    fn names_only_inject_lines() {
        let s = script(&format!("//! window-edge: 4\n{CASE}"));
        assert_eq!(marked_lines(&s), Ok(BTreeSet::from([4])));
        let s = script(&format!("//! window-edge: 3\n{CASE}"));
        assert_eq!(
            marked_lines(&s),
            Err("`window-edge` names line 3, which is not a `<` line".into())
        );
        let s = script(&format!("//! window-edge: x\n{CASE}"));
        assert!(marked_lines(&s).unwrap_err().contains("not `x`"));
    }

    #[test]
    fn a_marked_line_counts_from_the_last_announced_right_edge() {
        let s = script(&format!("//! window-edge: 4\n{CASE}"));
        let map = Mapping::new(SeqNumber(1000));
        let mut edge = WindowEdge::new(&s);
        let ip = IpEnvelope::between([192, 0, 2, 1].into(), [192, 0, 2, 2].into()).unwrap();
        let mut synack = Segment::new(ip.clone(), 1, 2, TcpFlags::SYN | TcpFlags::ACK);
        synack.ack = SeqNumber(1001);
        synack.window = 8192;
        let mut probe = Segment::new(ip.clone(), 2, 1, TcpFlags::ACK);
        probe.seq = map.harness_live(u32::MAX);
        edge.apply(4, &mut probe, &map);
        assert_eq!(probe.seq, SeqNumber(999), "nothing learned yet: unchanged");
        edge.observe(&synack);
        edge.apply(4, &mut probe, &map);
        assert_eq!(probe.seq, SeqNumber(1001 + 8192 - 1));
        let mut other = Segment::new(ip, 2, 1, TcpFlags::ACK);
        other.seq = SeqNumber(5);
        edge.apply(2, &mut other, &map);
        assert_eq!(other.seq, SeqNumber(5), "an unmarked line is left alone");
    }
}
