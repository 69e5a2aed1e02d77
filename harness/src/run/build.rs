//! `<` lines → live segments: script-space numbers mapped to live ones,
//! options and payload as written, the checksum policy the line asks for.

use super::mapping::Mapping;
use crate::script::{OptSpec, PacketLine, Value};
use crate::target::SessionInfo;
use crate::wire::{ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};

/// The window a `<` line gets when it does not write one.
pub const DEFAULT_WINDOW: u16 = 65535;

/// The payload a `<` line gets when it gives only a length: printable and
/// position-dependent, so a misplaced echo shows in a capture.
pub fn filler(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

/// Builds the segment a `<` line injects, and how to checksum it.
///
/// The parser has already rejected `*` on `<` lines except for `ack *`,
/// which acknowledges `target_nxt`: everything the target has sent so far
/// (its highest sequence number, plus one each for SYN and FIN), live.
/// Another `*` should one still get here, is read as zero.
pub fn inject_segment(
    line: &PacketLine,
    info: &SessionInfo,
    map: &Mapping,
    target_nxt: SeqNumber,
) -> (Segment, ChecksumPolicy) {
    let mut ip = IpEnvelope::between(info.harness.ip(), info.target.ip())
        .expect("session endpoints share one address family");
    if let Some(prefix) = &line.ip {
        super::ipinfo::apply(&mut ip, prefix);
    }
    let flags = exact(&line.flags.node)
        .copied()
        .unwrap_or(TcpFlags::empty());
    let mut seg = Segment::new(ip, info.harness.port(), info.target.port(), flags);
    let range = line.seq.as_ref().and_then(|s| exact(&s.node).copied());
    let (start, len) = range.map(|r| (r.start, r.len)).unwrap_or((0, 0));
    seg.seq = map.harness_live_in(start, flags.syn());
    match line.ack.as_ref().map(|a| &a.node) {
        Some(Value::Exact(ack)) => seg.ack = map.target_live_in(*ack, flags.syn()),
        Some(Value::Any) => seg.ack = target_nxt,
        None => {}
    }
    seg.window = line
        .win
        .as_ref()
        .and_then(|w| exact(&w.node).copied())
        .unwrap_or(DEFAULT_WINDOW);
    seg.urgent = line
        .urg
        .as_ref()
        .and_then(|u| exact(&u.node).copied())
        .unwrap_or(0);
    if let Some(list) = &line.options {
        seg.options = list
            .items
            .iter()
            .flat_map(|o| inject_option(&o.node, map))
            .collect();
    }
    seg.payload = match line.payload.as_ref().map(|p| &p.node) {
        Some(Value::Exact(bytes)) => bytes.clone(),
        _ => filler(len as usize),
    };
    let policy = if line.bad_csum {
        ChecksumPolicy::Corrupt
    } else {
        ChecksumPolicy::Compute
    };
    (seg, policy)
}

fn exact<T>(v: &Value<T>) -> Option<&T> {
    v.exact()
}

fn inject_option(o: &OptSpec, map: &Mapping) -> Vec<TcpOption> {
    let num = |v: &Value<u32>| exact(v).copied().unwrap_or(0);
    match o {
        OptSpec::Mss(v) => vec![TcpOption::Mss(exact(v).copied().unwrap_or(0))],
        OptSpec::WScale(v) => vec![TcpOption::WindowScale(exact(v).copied().unwrap_or(0))],
        OptSpec::SackOk => vec![TcpOption::SackPermitted],
        OptSpec::Sack(blocks) => vec![TcpOption::Sack(
            blocks
                .iter()
                .map(|(l, r)| (map.target_live(num(l)).0, map.target_live(num(r)).0))
                .collect(),
        )],
        OptSpec::Ts { val, ecr } => vec![TcpOption::Timestamps {
            tsval: num(val),
            tsecr: map.target_ts_live(num(ecr)),
        }],
        OptSpec::Nop => vec![TcpOption::Nop],
        OptSpec::Eol => vec![TcpOption::Eol],
        OptSpec::Raw(bytes) => crate::wire::parse_options(bytes),
    }
}
