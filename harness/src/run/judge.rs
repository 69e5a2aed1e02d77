//! `synack judge`: the oracle over traffic nobody scripted, e.g. a capture
//! from production or from Wireshark. Every TCP connection to or from the
//! stack under test becomes one [`CaseReport`], judged like a run.

use super::event::{CaseReport, Dir, Entry, EntryKind, Outcome};
use super::mapping::Mapping;
use super::runner::{verdict, violation};
use super::scriptform::{script_line, Sender};
use crate::oracle::{Checksum, Direction, Observation, Oracle, Profile, TargetModel};
use crate::wire::{Segment, SeqNumber};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How a capture is judged.
#[derive(Clone, Debug)]
pub struct JudgeOptions {
    /// The stack under test; default: inferred ([`super::judge_side`]).
    pub target_addr: Option<IpAddr>,
    /// The oracle profile's name (`Profile::by_name`).
    pub profile: String,
    /// The target's application neither aborted nor closed: a RST right
    /// after the peer's cannot be an abort that crossed it
    /// ([`super::judge_rst`]).
    pub app_idle: bool,
    /// Do not judge checksums (captures taken on a host with checksum
    /// offload show its outgoing checksums as wrong).
    pub ignore_checksums: bool,
}

/// What the capture held besides the judged connections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JudgeStats {
    /// Packets in the capture.
    pub packets: usize,
    /// Not IPv4/IPv6 TCP, or not parseable.
    pub not_tcp: usize,
    /// TCP, but not to or from the target address.
    pub other_hosts: usize,
    /// Every address a TCP segment in the capture came from or went to.
    pub hosts: BTreeSet<IpAddr>,
    /// The side judged (`None` when the capture holds no TCP).
    pub target: Option<IpAddr>,
    /// Why that side: `--target-addr`, or how it was inferred.
    pub target_why: String,
}

/// Judges every connection of the target in `packets` (session times and
/// IP packet bytes, in capture order). `name` prefixes the case ids.
pub fn judge_packets(
    packets: &[(Duration, Vec<u8>)],
    name: &str,
    opts: &JudgeOptions,
) -> Result<(Vec<CaseReport>, JudgeStats), String> {
    let profile = Profile::by_name(&opts.profile)
        .ok_or_else(|| format!("unknown profile `{}`", opts.profile))?;
    let mut stats = JudgeStats {
        packets: packets.len(),
        ..JudgeStats::default()
    };
    // Each packet parsed once, with its checksum verdict; `place[i]` is
    // `parsed[i]`'s place in the capture. TCP that does not parse (a data
    // offset below 5) but whose ports can be read is kept apart: from the
    // target it is a finding on its connection (`malformed-segment`).
    let mut place = Vec::with_capacity(packets.len());
    let mut unparsed: Vec<super::judge_unparsed::Unparsed<'_>> = Vec::new();
    let parsed: Vec<(Duration, &[u8], Segment, bool)> = packets
        .iter()
        .enumerate()
        .filter_map(
            |(n, (at, bytes))| match crate::wire::parse_with_checksum(bytes) {
                Ok((seg, valid)) => {
                    place.push(n);
                    Some((*at, bytes.as_slice(), seg, valid))
                }
                Err(e) => {
                    match super::judge_unparsed::Unparsed::peek(n, *at, bytes, &e) {
                        Some(u) => unparsed.push(u),
                        None => stats.not_tcp += 1,
                    }
                    None
                }
            },
        )
        .collect();
    stats.hosts = parsed
        .iter()
        .flat_map(|(_, _, s, _)| [s.ip.src(), s.ip.dst()])
        .collect();
    let segs: Vec<&Segment> = parsed.iter().map(|(_, _, s, _)| s).collect();
    let inferred = super::judge_side::infer(&segs);
    let (target, mut listening) = match (opts.target_addr, inferred) {
        (Some(a), _) => {
            stats.target_why = "--target-addr".into();
            (a, BTreeSet::new())
        }
        (None, Some(side)) => {
            stats.target_why = side.why;
            (side.addr, side.listening)
        }
        // No TCP at all: no connection to judge.
        (None, None) => return Ok((Vec::new(), stats)),
    };
    stats.target = Some(target);
    // Ports where the target answered a SYN: it listens there.
    listening.extend(
        parsed
            .iter()
            .filter(|(_, _, s, _)| s.ip.src() == target && s.flags.syn() && s.flags.ack())
            .map(|(_, _, s, _)| s.src_port),
    );
    // Connections keyed by (target endpoint, peer endpoint), in order of first packet.
    let mut order: Vec<(SocketAddr, SocketAddr)> = Vec::new();
    let mut conns: BTreeMap<(SocketAddr, SocketAddr), Vec<usize>> = BTreeMap::new();
    for (i, (_, _, s, _)) in parsed.iter().enumerate() {
        let src = SocketAddr::new(s.ip.src(), s.src_port);
        let dst = SocketAddr::new(s.ip.dst(), s.dst_port);
        let key = if s.ip.src() == target {
            (src, dst)
        } else if s.ip.dst() == target {
            (dst, src)
        } else {
            stats.other_hosts += 1;
            continue;
        };
        conns
            .entry(key)
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(i);
    }
    let mut reports = Vec::new();
    for (n, key) in order.iter().enumerate() {
        let model = TargetModel {
            addr: target,
            listening: listening.iter().copied().collect(),
        };
        let mut oracle = Oracle::new(profile.clone(), model);
        let (target_ep, peer_ep) = *key;
        let idx = &conns[key];
        // The peer's ISN: its first SYN, else its first sequence number.
        let first_peer = idx
            .iter()
            .map(|&i| &parsed[i].2)
            .find(|s| s.ip.src() != target);
        let peer_isn = first_peer.map(|s| s.seq).unwrap_or(SeqNumber(0));
        let mut map = Mapping::new(peer_isn);
        let mut transcript = Vec::new();
        let mut violations = Vec::new();
        // The target's unparseable packets on this connection, in capture order.
        let mut bad = unparsed
            .iter()
            .filter(|u| u.src == target_ep && u.dst == peer_ep)
            .peekable();
        let mut entry_of = Vec::with_capacity(idx.len());
        for &i in idx {
            while let Some(u) = bad.next_if(|u| u.index < place[i]) {
                u.judge(&mut oracle, &mut transcript, &mut violations, &map);
            }
            entry_of.push(transcript.len());
            let (at, bytes, seg, checksum_ok) = &parsed[i];
            let from_target = seg.ip.src() == target;
            let entry = transcript.len();
            if from_target && seg.flags.syn() {
                map.learn_target_isn(seg.seq, 0);
            }
            // The peer's checksums are not judged: a capture taken on the
            // peer's host shows them before the NIC fills them in.
            let checksum = if from_target && !opts.ignore_checksums {
                Checksum::checked(*checksum_ok)
            } else {
                Checksum::Unchecked
            };
            let dir = if from_target {
                Direction::FromTarget
            } else {
                Direction::ToTarget
            };
            let what = Observation::Segment {
                dir,
                segment: seg,
                checksum,
            };
            let findings = oracle.observe(*at, what);
            violations.extend(
                findings
                    .into_iter()
                    .map(|f| violation(f, Some(entry), &map)),
            );
            let sender = if from_target {
                Sender::Target
            } else {
                Sender::Harness
            };
            transcript.push(Entry {
                at: *at,
                line: None,
                what: EntryKind::Packet {
                    dir: if from_target { Dir::Out } else { Dir::In },
                    bytes: bytes.to_vec(),
                    segment: Some(seg.clone()),
                    script: script_line(seg, sender, &map).into(),
                    checksum_ok: *checksum_ok,
                },
            });
        }
        for u in bad {
            u.judge(&mut oracle, &mut transcript, &mut violations, &map);
        }
        let seen: Vec<super::judge_rst::Seen<'_>> = idx
            .iter()
            .zip(&entry_of)
            .map(|(&i, &entry)| super::judge_rst::Seen {
                at: parsed[i].0,
                seg: &parsed[i].2,
                from_target: parsed[i].2.ip.src() == target,
                entry,
            })
            .collect();
        super::judge_rst::judge(&seen, opts.app_idle, &mut violations);
        let end = transcript.last().map(|e: &Entry| e.at).unwrap_or_default();
        violations.extend(
            oracle
                .observe(end, Observation::Time)
                .into_iter()
                .map(|f| violation(f, None, &map)),
        );
        // Caught mid-way: no SYN either way, and the target sent more than
        // RSTs, so it had a connection opened before the capture began. The
        // oracle judges from the handshake on (it does not guess a TCB's
        // window scale, MSS or state): not judged, and said so.
        let mid_way = !seen.iter().any(|p| p.seg.flags.syn())
            && seen.iter().any(|p| p.from_target && !p.seg.flags.rst());
        let (outcome, reason) = if mid_way {
            violations.clear();
            (
                Outcome::Unsupported,
                Some(
                    "caught mid-way: the capture holds no handshake of this connection, \
                     and the oracle judges a connection from its SYN on"
                        .to_string(),
                ),
            )
        } else {
            match verdict(&[], &violations) {
                Some((o, r)) => (o, Some(r)),
                None => (Outcome::Pass, None),
            }
        };
        reports.push(CaseReport {
            id: format!("{name}/conn{:03}-{peer_ep}", n + 1).into(),
            path: name.into(),
            title: Some(format!("{peer_ep} ↔ {target_ep}").into()),
            rfc: Default::default(),
            covers: Default::default(),
            tags: vec!["capture".to_string()].into(),
            service: "capture".into(),
            target: format!("capture:{target}").into(),
            profile: profile.name.to_string(),
            seed: 0,
            outcome,
            reason,
            mismatches: Vec::new(),
            violations,
            waiver: None,
            transcript,
            target_addr: target_ep.into(),
            harness_addr: peer_ep.into(),
            virtual_time: false,
            session_time: end,
            wall_time: Duration::ZERO,
            resolution: Duration::from_millis(1),
            script_times: Default::default(),
        });
    }
    Ok((reports, stats))
}
