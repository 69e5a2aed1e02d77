//! packetdrill's outbound aggregation, for scripts in its form: a `>` line
//! that writes more payload than the first segment the target sent is
//! matched against the run of consecutive segments that add up to it, as
//! packetdrill does unless `--strict_segments` is given (its `run_packet.c`,
//! the sniffing loop of `do_outbound_script_packet`). The kernel decides how
//! much one TSO super-segment carries (`tcp_tso_autosize`: two MSS at a
//! low pacing rate), so `> P. 1:10001(10000)` may leave as 1:2001, 2001:4001
//! … a few hundred microseconds apart; packetdrill takes them as one.
//!
//! The rules are packetdrill's: each later fragment has the header layers,
//! data offset and SYN/RST/ACK/URG/ECE/AE bits of the one before it (FIN, PSH
//! and CWR may differ); every fragment but the last carries as much payload
//! as the one before it; the fragments' payloads add up to the line's
//! exactly. The aggregate takes its headers from the last fragment, its
//! sequence number and CWR from the first, and its time from the last.
//! Every fragment is still recorded and judged by the oracle on its own.

use super::*;
use crate::wire::{IpEnvelope, Segment, TcpFlags};

fn is_v4(ip: &IpEnvelope) -> bool {
    matches!(ip, IpEnvelope::V4 { .. })
}

/// The flags a later fragment must share with the one before it.
const SAME_FLAGS: [TcpFlags; 6] = [
    TcpFlags::AE,
    TcpFlags::SYN,
    TcpFlags::RST,
    TcpFlags::ACK,
    TcpFlags::URG,
    TcpFlags::ECE,
];

/// The payload length a `>` line writes (`seq:end(len)`), when it writes one.
pub(super) fn expected_len(p: &PacketLine) -> Option<usize> {
    match p.seq.as_ref().map(|s| &s.node) {
        Some(Value::Exact(range)) => usize::try_from(range.len).ok(),
        _ => None,
    }
}

/// Why `next` cannot follow `prev` in one aggregate, if it cannot.
/// `remaining` is the payload still missing before `next`.
pub(super) fn fragment_mismatch(
    prev: &Segment,
    next: &Segment,
    remaining: usize,
) -> Option<String> {
    if (prev.src_port, prev.dst_port) != (next.src_port, next.dst_port) {
        return Some("a segment of another connection".into());
    }
    if is_v4(&prev.ip) != is_v4(&next.ip) || prev.data_offset != next.data_offset {
        return Some("its headers differ from the previous fragment's".into());
    }
    for f in SAME_FLAGS {
        if prev.flags.contains(f) != next.flags.contains(f) {
            return Some(format!(
                "its {f} bit differs from the previous fragment's ({} then {})",
                prev.flags, next.flags
            ));
        }
    }
    if next.payload.len() < remaining && next.payload.len() != prev.payload.len() {
        return Some(format!(
            "fragment payload: expected {} bytes, got {}",
            prev.payload.len(),
            next.payload.len()
        ));
    }
    None
}

/// The aggregate of `fragments` (at least one), as packetdrill builds it.
pub(super) fn aggregate(fragments: &[Segment]) -> Option<Segment> {
    let (first, last) = (fragments.first()?, fragments.last()?);
    let mut seg = last.clone();
    seg.seq = first.seq;
    seg.flags = seg.flags.without(TcpFlags::CWR);
    if first.flags.contains(TcpFlags::CWR) {
        seg.flags |= TcpFlags::CWR;
    }
    seg.payload = fragments
        .iter()
        .flat_map(|f| f.payload.iter().copied())
        .collect();
    Some(seg)
}

impl CaseRun<'_> {
    /// Whether `>` lines take runs of segments (packetdrill form, not
    /// `--strict_segments`).
    pub(super) fn aggregates(&self) -> bool {
        self.pd_form() && !self.case.meta.packetdrill.strict_segments
    }

    /// Whether the case is a script in packetdrill form (no `//!` metadata).
    pub(super) fn pd_form(&self) -> bool {
        self.case.script.meta.is_empty()
    }

    /// Keeps `entry`, a segment the target sent while no `>` line waited,
    /// for the next `>` line, as packetdrill does (it reads what the target
    /// sent only for `>` lines, and judges each by its arrival time): true
    /// for a script in packetdrill form. It is recorded and judged by the
    /// oracle already; one left at the end is no mismatch.
    pub(super) fn hold(&mut self, entry: usize) -> bool {
        if !self.pd_form() {
            return false;
        }
        self.held.push_back(entry);
        true
    }

    /// The next segment from the target for `line`: a held one first, else
    /// one that arrives by `deadline` (recorded, with `script_seq` as in
    /// [`CaseRun::record_target`]). Its transcript entry, arrival time and
    /// whether it is a retransmission taken while the harness ran late.
    /// With `expected` (the `>` line waiting), a late retransmission that
    /// line would not match is recorded and judged instead (`late.rs`).
    pub(super) fn next_target(
        &mut self,
        deadline: Duration,
        line: u32,
        script_seq: Option<(u32, u32)>,
        expected: Option<&crate::script::PacketLine>,
    ) -> Result<Option<(usize, Duration, bool)>, Stop> {
        loop {
            let (entry, at, late) = match self.held.pop_front() {
                Some(entry) => {
                    self.transcript[entry].line = Some(line);
                    self.learn_from_held(entry, script_seq);
                    (entry, self.transcript[entry].at, false)
                }
                None => {
                    let Some(pkt) = self.recv(deadline, Some(line))? else {
                        return Ok(None);
                    };
                    // A retransmission the harness's lateness explains,
                    // before the segment the line expects (`late.rs`).
                    if let Some(p) = expected {
                        if self.late_retransmission(&pkt, false) && !self.matches_line(p, &pkt) {
                            self.record_late(pkt, Some(line), Duration::ZERO)?;
                            continue;
                        }
                    }
                    let at = pkt.at;
                    let late = expected.is_some() && self.late_and_retransmitted(&pkt);
                    (self.record_target(pkt, Some(line), script_seq), at, late)
                }
            };
            if !self.of_an_older_connection(entry) {
                return Ok(Some((entry, at, late)));
            }
        }
    }

    /// A held SYN a line now takes (`script_seq`: the line's sequence
    /// number and TSval) was recorded before any line named its numbers:
    /// learn its ISN and TSval base again from the line, as packetdrill
    /// learns them from the first segment matched to a line
    /// (`inq/client`: the SYN came while `setsockopt` ran, its TSval was
    /// taken for script 0 instead of the line's 100, and the SYN-ACK's
    /// echo drew a RST).
    fn learn_from_held(&mut self, entry: usize, script_seq: Option<(u32, u32)>) {
        let Some((seq, ts)) = script_seq else { return };
        let EntryKind::Packet {
            segment: Some(seg), ..
        } = &self.transcript[entry].what
        else {
            return;
        };
        if !seg.flags.syn() {
            return;
        }
        let (isn, tsval) = (seg.seq, seg.timestamps().map(|(v, _)| v));
        self.map.learn_target_isn(isn, seq);
        if let Some(v) = tsval {
            self.map.target_ts_known = false;
            self.map.learn_target_ts(v, ts);
        }
    }

    /// Whether transcript `entry` is a segment of a connection the script
    /// has left for a newer one, in packetdrill form: packetdrill matches
    /// `>` lines only with its socket under test (the newest) and drops
    /// what the others send. It is recorded and judged all the same.
    fn of_an_older_connection(&self, entry: usize) -> bool {
        let (Some(peer), true) = (self.peer, self.pd_form()) else {
            return false;
        };
        match &self.transcript[entry].what {
            EntryKind::Packet {
                segment: Some(seg), ..
            } => seg.dst_port != peer.port() || seg.ip.dst() != peer.ip(),
            _ => false,
        }
    }

    /// The first fragment of an aggregate and the payload the line wants,
    /// when `entry` (the segment just recorded for `p`) carries data but
    /// less than the line writes and the case aggregates.
    pub(super) fn short_of(&self, p: &PacketLine, entry: usize) -> Option<(Segment, usize)> {
        let want = expected_len(p)?;
        match &self.transcript[entry].what {
            EntryKind::Packet {
                segment: Some(seg), ..
            } if self.aggregates() && !seg.payload.is_empty() && seg.payload.len() < want => {
                Some((seg.clone(), want))
            }
            _ => None,
        }
    }

    /// Reads further segments after `first` (recorded as `entry`) until their
    /// payloads reach `want`, by `deadline`: the aggregate and the last
    /// fragment's arrival. A segment that cannot join, too much payload, or
    /// nothing more by the deadline fails the line.
    pub(super) fn gather(
        &mut self,
        first: Segment,
        want: usize,
        deadline: Duration,
        line: u32,
    ) -> Result<(Segment, Duration), Stop> {
        let mut got = first.payload.len();
        let mut fragments = vec![first];
        let mut at = Duration::ZERO;
        while got < want {
            let Some((entry, arrived, _)) = self.next_target(deadline, line, None, None)? else {
                let msg = format!(
                    "expected {want} bytes of payload by t={} (packetdrill's aggregation of \
                     consecutive segments), got {got} in {} segment(s)",
                    secs(deadline),
                    fragments.len()
                );
                return Err(self.fragment_failure(line, msg, None));
            };
            at = arrived;
            let next = match &self.transcript[entry].what {
                EntryKind::Packet {
                    segment: Some(seg), ..
                } => seg.clone(),
                _ => {
                    let msg = "the target sent a packet that does not parse".to_string();
                    return Err(self.fragment_failure(line, msg, Some(entry)));
                }
            };
            let prev = fragments.last().unwrap_or(&next);
            if let Some(why) = fragment_mismatch(prev, &next, want - got) {
                let msg = format!("segment {} of an aggregate: {why}", fragments.len() + 1);
                return Err(self.fragment_failure(line, msg, Some(entry)));
            }
            got += next.payload.len();
            fragments.push(next);
        }
        if got != want {
            let msg = format!(
                "live packet payload: expected {want} bytes, got {got} in {} segments",
                fragments.len()
            );
            return Err(self.fragment_failure(line, msg, None));
        }
        let seg = aggregate(&fragments).ok_or(Stop::Failed)?;
        Ok((seg, at))
    }

    fn fragment_failure(&mut self, line: u32, msg: String, entry: Option<usize>) -> Stop {
        let expected = self.expected_text(line);
        let actual = entry.and_then(|e| self.entry_script(e));
        self.mismatch(Some(line), msg, Some(expected), actual, entry);
        Stop::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::SeqNumber;
    use std::net::Ipv4Addr;

    fn seg(seq: u32, len: usize, flags: TcpFlags) -> Segment {
        let ip = IpEnvelope::v4(Ipv4Addr::new(198, 51, 100, 1), Ipv4Addr::new(192, 0, 2, 1));
        let mut s = Segment::new(ip, 8080, 40000, flags);
        s.seq = SeqNumber(seq);
        s.data_offset = Some(5);
        s.payload = vec![7; len];
        s
    }

    #[test]
    fn equal_fragments_and_a_shorter_last_make_one_aggregate() {
        let pa = TcpFlags::PSH | TcpFlags::ACK;
        let a = seg(1, 2000, TcpFlags::ACK);
        let b = seg(2001, 2000, TcpFlags::ACK);
        let c = seg(4001, 400, pa);
        assert_eq!(fragment_mismatch(&a, &b, 2400), None);
        assert_eq!(fragment_mismatch(&b, &c, 400), None);
        let all = aggregate(&[a, b, c]).expect("three fragments");
        assert_eq!(
            (all.seq, all.payload.len(), all.flags),
            (SeqNumber(1), 4400, pa)
        );
    }

    #[test]
    fn a_short_fragment_before_the_last_or_another_flag_breaks_the_run() {
        let a = seg(1, 2000, TcpFlags::ACK);
        let short = seg(2001, 1000, TcpFlags::ACK);
        assert_eq!(
            fragment_mismatch(&a, &short, 8000).as_deref(),
            Some("fragment payload: expected 2000 bytes, got 1000")
        );
        let rst = seg(2001, 2000, TcpFlags::ACK | TcpFlags::RST);
        assert!(fragment_mismatch(&a, &rst, 8000).is_some());
        let mut other = seg(2001, 2000, TcpFlags::ACK);
        other.src_port = 8081;
        assert!(fragment_mismatch(&a, &other, 8000).is_some());
    }

    #[test]
    fn the_aggregate_keeps_the_first_fragments_cwr() {
        let a = seg(1, 1000, TcpFlags::ACK | TcpFlags::CWR);
        let b = seg(1001, 1000, TcpFlags::ACK | TcpFlags::PSH);
        let all = aggregate(&[a, b]).expect("two");
        assert!(all.flags.contains(TcpFlags::CWR));
        assert!(all.flags.contains(TcpFlags::PSH));
    }
}
