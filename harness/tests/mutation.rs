//! The oracle's mutation test (issue #16, items 0 and 5): real traffic,
//! captured between two network namespaces by `tools/capture-traffic.sh --mix mutation`
//! (curl, wget and ab against nginx: downloads, keep-alive, an aborted
//! transfer, a closed port), is judged with each side in turn as the target.
//! Every mutant changes or adds ONE segment of the target's, each mutation a
//! MUST violation by construction; a mutant is caught when the judge fails
//! its connection. The test asserts the share caught is at least the share
//! measured when the test was written (`MIN_CAUGHT_PERCENT`), and prints
//! every survivor; `harness/tests/mutation.md` argues why each kind of
//! survivor survives.
//!
//! Needs root (namespaces, nginx, tcpdump): skipped otherwise, failing
//! instead under `SYNACK_REQUIRE_LAB=1`. `SYNACK_MUTATION_PCAP=FILE` judges
//! an existing capture instead of making one (no root needed).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use synack::run::judge::{judge_packets, JudgeOptions};
use synack::run::Outcome;
use synack::wire::{parse, ChecksumPolicy, Segment, SeqNumber, TcpFlags, TcpOption};

/// The share of mutants caught must stay at least this: 100 % measured after
/// issue #16 item 5 (see mutation.md), less room for a capture whose abort
/// differs by a few segments (85.8 % before).
const MIN_CAUGHT_PERCENT: f64 = 97.0;

const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

/// At most this many mutants of one kind on one connection (first, middle,
/// last of the segments the kind applies to), so no long transfer dominates.
const PER_CONN_KIND: usize = 3;

type Packets = Vec<(Duration, Vec<u8>)>;

fn capture() -> Option<Packets> {
    let path = match std::env::var_os("SYNACK_MUTATION_PCAP") {
        Some(p) => PathBuf::from(p),
        None => {
            let root = std::fs::read_to_string("/proc/self/status")
                .map(|s| s.lines().any(|l| l.starts_with("Uid:\t0\t")))
                .unwrap_or(false);
            let required = std::env::var("SYNACK_REQUIRE_LAB").as_deref() == Ok("1");
            if !root {
                assert!(!required, "the mutation test needs root to capture traffic");
                println!("skipping: the mutation test needs root to capture traffic");
                return None;
            }
            let out =
                std::env::temp_dir().join(format!("synack-mutation-{}.pcap", std::process::id()));
            let script =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/capture-traffic.sh");
            let status = Command::new("bash")
                .arg(&script)
                .args(["--mix", "mutation"])
                .arg(&out)
                .status();
            match status {
                Ok(s) if s.success() => {}
                other => {
                    let _ = std::fs::remove_file(&out);
                    assert!(!required, "{} failed: {other:?}", script.display());
                    println!(
                        "skipping: {} failed ({other:?}): needs nginx, curl, wget, ab, tcpdump",
                        script.display()
                    );
                    return None;
                }
            }
            out
        }
    };
    let cap = synack::report::pcap::read_capture_file(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if std::env::var_os("SYNACK_MUTATION_PCAP").is_none() {
        let _ = std::fs::remove_file(&path);
    }
    Some(
        cap.packets
            .iter()
            .map(|p| (p.ts, p.ip_bytes.clone()))
            .collect(),
    )
}

/// Every kind of mutation, each a MUST violation of the target's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The client's handshake ACK acknowledges the server's ISN, not ISN + 1.
    HandshakeAckIsn,
    /// An ACK 1000 octets beyond anything the peer sent.
    AckBeyond,
    /// An ACK one below the ACK the target last sent (RCV.NXT went back).
    AckBelow,
    /// A sequence number 2^30 below the segment's (below SND.UNA).
    SeqFarBelow,
    /// A full-size segment one octet longer: over the effective MSS (with
    /// timestamps, MSS − 12; RFC 9293 §3.7.1, MUST-16).
    OverEffectiveMss,
    /// A full-size segment made the peer's MSS + 1 octets long.
    OverMss,
    /// A RST answering the peer's RST 200 ms later (§3.10.7: none is sent).
    RstForRstLate,
    /// The same from a client in SYN-SENT, whose connection the RST refused.
    RstForRstSynSent,
    /// A segment of data sent 1 ms after the target's FIN, past it.
    DataAfterFin,
    /// SYN set on a segment in a synchronized state.
    SynInSynchronized,
    /// An MSS option on a non-SYN segment (§3.2: MUST only be sent in SYN).
    MssOnNonSyn,
    /// The timestamps option left off a non-RST segment of a connection that
    /// negotiated it (RFC 7323 §3.2: MUST be sent in every non-RST segment).
    TimestampsMissing,
    /// A window scale option with a shift of 15 in the SYN (RFC 7323 §2.3: 14
    /// at most).
    WindowScale15,
    /// The checksum off by one (MUST-2/3).
    Checksum,
    /// The closed port's RST acknowledges the SYN's sequence number, not
    /// SEG.SEQ + 1 (§3.10.7.1).
    ClosedPortRstAck,
}

impl Kind {
    /// Whether the mutation breaks a MUST (only those count in the score).
    /// RFC 7323 §2.3 limits the shift to 14 in lower case and puts its MUST
    /// on the receiver (use 14): a shift of 15 sent is no MUST violation.
    fn must(self) -> bool {
        self != Kind::WindowScale15
    }
}

const KINDS: [Kind; 15] = [
    Kind::HandshakeAckIsn,
    Kind::AckBeyond,
    Kind::AckBelow,
    Kind::SeqFarBelow,
    Kind::OverEffectiveMss,
    Kind::OverMss,
    Kind::RstForRstLate,
    Kind::RstForRstSynSent,
    Kind::DataAfterFin,
    Kind::SynInSynchronized,
    Kind::MssOnNonSyn,
    Kind::TimestampsMissing,
    Kind::WindowScale15,
    Kind::Checksum,
    Kind::ClosedPortRstAck,
];

/// One connection's segments in capture order.
struct Conn {
    segs: Vec<(Duration, Segment)>,
    target: IpAddr,
}

impl Conn {
    fn sent_by_target(&self, i: usize) -> bool {
        self.segs[i].1.ip.src() == self.target
    }
    fn peer_syn(&self) -> Option<&Segment> {
        self.segs
            .iter()
            .map(|(_, s)| s)
            .find(|s| s.ip.src() != self.target && s.flags.syn())
    }
    fn target_syn(&self) -> Option<&Segment> {
        self.segs
            .iter()
            .map(|(_, s)| s)
            .find(|s| s.ip.src() == self.target && s.flags.syn())
    }
    /// After a SYN-ACK either way: the target is synchronized (or closing).
    fn synchronized_at(&self, i: usize) -> bool {
        self.segs[..i]
            .iter()
            .any(|(_, s)| s.flags.syn() && s.flags.ack())
            && !self.segs[i].1.flags.syn()
    }
    /// The highest SEG.SEQ + SEG.LEN the peer sent before `i`.
    fn peer_max(&self, i: usize) -> Option<SeqNumber> {
        self.segs[..i]
            .iter()
            .filter(|(_, s)| s.ip.src() != self.target)
            .map(|(_, s)| s.seq.add(s.seg_len()))
            .max_by(|a, b| (a.0.wrapping_sub(b.0) as i32).cmp(&0))
    }
    fn effective_mss(&self) -> Option<u32> {
        let mss = u32::from(self.peer_syn()?.mss()?);
        let ts = self.peer_syn()?.timestamps().is_some()
            && self.target_syn().is_some_and(|s| s.timestamps().is_some());
        Some(if ts { mss - 12 } else { mss })
    }
    fn ts_negotiated(&self) -> bool {
        self.peer_syn().is_some_and(|s| s.timestamps().is_some())
            && self.target_syn().is_some_and(|s| s.timestamps().is_some())
    }
}

/// A mutant: the connection with one target segment replaced or one added.
enum Edit {
    Replace(usize, Segment),
    Insert(usize, Duration, Segment),
}

fn mutants(c: &Conn, kind: Kind) -> Vec<Edit> {
    let n = c.segs.len();
    let mut out = Vec::new();
    let tgt = |i: usize| c.sent_by_target(i);
    let seg = |i: usize| c.segs[i].1.clone();
    for i in 0..n {
        if !tgt(i) {
            // Insertions answer a peer's RST.
            let s = &c.segs[i].1;
            if s.flags.rst() {
                let synsent = c.target_syn().is_some_and(|t| !t.flags.ack())
                    && !c.segs[..i]
                        .iter()
                        .any(|(_, s)| s.flags.syn() && s.flags.ack());
                let want = if synsent {
                    Kind::RstForRstSynSent
                } else {
                    Kind::RstForRstLate
                };
                if kind == want {
                    let mut r =
                        Segment::new(crate_envelope(s), s.dst_port, s.src_port, TcpFlags::RST);
                    r.seq = if s.flags.ack() { s.ack } else { SeqNumber(0) };
                    let at = c.segs[i].0 + Duration::from_millis(200);
                    let pos = c.segs.iter().position(|(t, _)| *t > at).unwrap_or(n);
                    out.push(Edit::Insert(pos, at, r));
                }
            }
            continue;
        }
        let s = seg(i);
        let f = s.flags;
        let sync = c.synchronized_at(i);
        let mut m = s.clone();
        let ok = match kind {
            Kind::HandshakeAckIsn => {
                let first_ack_after_synack = sync
                    && c.target_syn().is_some_and(|t| !t.flags.ack())
                    && f.ack()
                    && !c.segs[..i]
                        .iter()
                        .any(|(_, p)| p.ip.src() == c.target && !p.flags.syn());
                let isn = c.segs[..i]
                    .iter()
                    .find(|(_, p)| p.flags.syn() && p.flags.ack())
                    .map(|(_, p)| p.seq);
                match (first_ack_after_synack, isn) {
                    (true, Some(isn)) => {
                        m.ack = isn;
                        true
                    }
                    _ => false,
                }
            }
            Kind::AckBeyond => match c.peer_max(i) {
                Some(max) if sync && f.ack() && !f.rst() => {
                    m.ack = max.add(1000);
                    true
                }
                _ => false,
            },
            Kind::AckBelow => {
                let last = c.segs[..i]
                    .iter()
                    .rev()
                    .find(|(_, p)| p.ip.src() == c.target && p.flags.ack())
                    .map(|(_, p)| p.ack);
                if sync && f.ack() && !f.rst() && last == Some(s.ack) {
                    m.ack = s.ack.sub(1);
                    true
                } else {
                    false
                }
            }
            Kind::SeqFarBelow => {
                if sync {
                    m.seq = s.seq.sub(1 << 30);
                    true
                } else {
                    false
                }
            }
            Kind::OverEffectiveMss | Kind::OverMss => {
                let full = c.effective_mss().map(|e| e as usize) == Some(s.payload.len());
                let mss = c.peer_syn().and_then(|p| p.mss()).map(usize::from);
                match (full, mss) {
                    (true, Some(mss)) => {
                        let len = if kind == Kind::OverMss {
                            mss + 1
                        } else {
                            s.payload.len() + 1
                        };
                        if len == s.payload.len() + 1 && kind == Kind::OverMss && !c.ts_negotiated()
                        {
                            false // the same mutant as OverEffectiveMss
                        } else {
                            m.payload.resize(len, b'x');
                            true
                        }
                    }
                    _ => false,
                }
            }
            Kind::DataAfterFin => {
                if f.fin() && !f.rst() {
                    let mut d = s.clone();
                    d.flags = TcpFlags::ACK | TcpFlags::PSH;
                    d.seq = s.seq.add(s.payload.len() as u32 + 1);
                    d.payload = b"x".to_vec();
                    let at = c.segs[i].0 + Duration::from_millis(1);
                    let pos = c.segs.iter().position(|(t, _)| *t > at).unwrap_or(n);
                    out.push(Edit::Insert(pos.max(i + 1), at, d));
                }
                false
            }
            Kind::SynInSynchronized => {
                if sync && !f.rst() {
                    m.flags = f | TcpFlags::SYN;
                    true
                } else {
                    false
                }
            }
            Kind::MssOnNonSyn => {
                if !f.syn() && !f.rst() {
                    m.options.insert(0, TcpOption::Mss(1460));
                    true
                } else {
                    false
                }
            }
            Kind::TimestampsMissing => {
                if sync && !f.rst() && c.ts_negotiated() {
                    m.options
                        .retain(|o| !matches!(o, TcpOption::Timestamps { .. }));
                    m.options.retain(|o| !matches!(o, TcpOption::Nop));
                    true
                } else {
                    false
                }
            }
            Kind::WindowScale15 => {
                if f.syn() && s.window_scale().is_some() {
                    for o in &mut m.options {
                        if let TcpOption::WindowScale(w) = o {
                            *w = 15;
                        }
                    }
                    true
                } else {
                    false
                }
            }
            Kind::Checksum => {
                m.checksum = s.correct_checksum().wrapping_add(1);
                true
            }
            Kind::ClosedPortRstAck => {
                if f.rst()
                    && f.ack()
                    && !c.segs[..i]
                        .iter()
                        .any(|(_, p)| p.flags.syn() && p.flags.ack())
                {
                    m.ack = s.ack.sub(1);
                    true
                } else {
                    false
                }
            }
            Kind::RstForRstLate | Kind::RstForRstSynSent => false,
        };
        if ok {
            m.data_offset = None;
            out.push(Edit::Replace(i, m));
        }
    }
    // First, middle and last.
    if out.len() > PER_CONN_KIND {
        let last = out.len() - 1;
        let keep = [0, last / 2, last];
        out = out
            .into_iter()
            .enumerate()
            .filter(|(k, _)| keep.contains(k))
            .map(|(_, e)| e)
            .collect();
    }
    out
}

fn crate_envelope(s: &Segment) -> synack::wire::IpEnvelope {
    synack::wire::IpEnvelope::between(s.ip.dst(), s.ip.src()).expect("one family")
}

fn bytes(seg: &Segment, kind: Kind) -> Vec<u8> {
    if kind == Kind::Checksum {
        seg.to_bytes(ChecksumPolicy::Keep)
    } else {
        seg.to_bytes(ChecksumPolicy::Compute)
    }
}

/// Judges one connection's packets with `target` as the target: Fail or not,
/// and the rules that fired.
fn judge(packets: &Packets, target: IpAddr) -> (Outcome, Vec<String>) {
    let opts = JudgeOptions {
        target_addr: Some(target),
        profile: "linux".into(),
        app_idle: false,
        ignore_checksums: false,
    };
    let (reports, _) = judge_packets(packets, "mutant", &opts).expect("judged");
    let worst = if reports.iter().any(|r| r.outcome == Outcome::Fail) {
        Outcome::Fail
    } else if reports.iter().any(|r| r.outcome != Outcome::Pass) {
        Outcome::Deviation
    } else {
        Outcome::Pass
    };
    let rules = reports
        .iter()
        .flat_map(|r| r.violations.iter().map(|v| v.rule.clone()))
        .collect();
    (worst, rules)
}

#[test]
fn oracle_catches_single_segment_mutants_of_real_traffic() {
    let Some(packets) = capture() else { return };
    // Connections keyed by (server endpoint, client endpoint).
    let mut conns: BTreeMap<(SocketAddr, SocketAddr), Vec<(Duration, Segment)>> = BTreeMap::new();
    for (at, b) in &packets {
        let s = parse(b).expect("the capture holds TCP only");
        let src = SocketAddr::new(s.ip.src(), s.src_port);
        let dst = SocketAddr::new(s.ip.dst(), s.dst_port);
        let key = if s.ip.src() == SERVER {
            (src, dst)
        } else {
            (dst, src)
        };
        conns.entry(key).or_default().push((*at, s));
    }
    assert!(
        conns.len() >= 6,
        "the capture holds {} connections",
        conns.len()
    );
    let (mut total, mut caught) = (0usize, 0usize);
    let mut by_kind: BTreeMap<(Kind, &str), (usize, usize)> = BTreeMap::new();
    let mut survivors = Vec::new();
    let mut not_must = Vec::new();
    for (key, segs) in &conns {
        for (side, target) in [("server", SERVER), ("client", CLIENT)] {
            let c = Conn {
                segs: segs.clone(),
                target,
            };
            let original: Packets = packets_of(&c.segs, None);
            let (o, rules) = judge(&original, target);
            assert_eq!(
                o,
                Outcome::Pass,
                "{key:?} as {side}: the capture itself draws {rules:?}"
            );
            for kind in KINDS {
                for edit in mutants(&c, kind) {
                    let (judged, at) = match &edit {
                        Edit::Replace(i, _) | Edit::Insert(i, _, _) => {
                            (packets_of(&c.segs, Some((&edit, kind))), *i)
                        }
                    };
                    let (o, rules) = judge(&judged, target);
                    total += 1;
                    if !kind.must() {
                        let only = if o == Outcome::Pass {
                            "nothing".to_string()
                        } else {
                            format!("{rules:?}")
                        };
                        not_must.push(format!(
                            "{kind:?} ({side} as target) {}:{} segment {at}: {only}",
                            key.1,
                            key.0.port()
                        ));
                        total -= 1;
                        continue;
                    }
                    let e = by_kind.entry((kind, side)).or_default();
                    e.0 += 1;
                    if o == Outcome::Fail {
                        caught += 1;
                        e.1 += 1;
                    } else {
                        survivors.push(format!(
                            "{kind:?} ({side} as target) {}:{} segment {at}{}",
                            key.1,
                            key.0.port(),
                            if rules.is_empty() {
                                String::new()
                            } else {
                                format!(", only {rules:?}")
                            }
                        ));
                    }
                }
            }
        }
    }
    println!("mutants by kind (side: caught / total):");
    for ((kind, side), (n, k)) in &by_kind {
        println!("  {kind:?} {side}: {k}/{n}");
    }
    println!("survivors:");
    for s in &survivors {
        println!("  {s}");
    }
    println!("not MUST violations, outside the score (what the oracle said):");
    for s in &not_must {
        println!("  {s}");
    }
    let pct = 100.0 * caught as f64 / total.max(1) as f64;
    println!("caught {caught} of {total} mutants ({pct:.1} %)");
    assert!(
        total >= 100,
        "only {total} mutants: the capture is too small"
    );
    assert!(
        pct >= MIN_CAUGHT_PERCENT,
        "the oracle caught {pct:.1} % of the mutants, below the {MIN_CAUGHT_PERCENT} % measured before"
    );
}

fn packets_of(segs: &[(Duration, Segment)], edit: Option<(&Edit, Kind)>) -> Packets {
    let mut v: Vec<(Duration, Vec<u8>)> = segs
        .iter()
        .map(|(at, s)| (*at, s.to_bytes(ChecksumPolicy::Keep)))
        .collect();
    match edit {
        None => {}
        Some((Edit::Replace(i, s), kind)) => v[*i].1 = bytes(s, kind),
        Some((Edit::Insert(i, at, s), kind)) => v.insert(*i, (*at, bytes(s, kind))),
    }
    v
}
