//! `synack repro --from-pcap FILE --conn N`: one connection of a capture as
//! a case file, so a bug seen in production becomes a regression case in
//! one command.
//!
//! The peer's segments become `<` lines, sent at the capture's own spacing
//! (`+Δ` from the previous segment), with their payload; the target's
//! become `>` lines, the expectations. Connections are numbered as
//! `synack judge` numbers them (`conn007` is `--conn 7`), and the target is
//! the side the judge picks ([`super::judge_side`]) unless given.
//!
//! What the RFCs let a conforming stack vary is wildcarded on `>` lines: the
//! time (`*`: RTO, delayed ACK and scheduling differ), the window (left
//! out) and the options (`<...>`: MSS, SACK, timestamps and window scale
//! are the stack's choice, RFC 9293 §3.7.1, RFC 7323). Timestamps are left
//! out of the `<` lines as well, so the replay negotiates none and no
//! echoed value goes stale. Sequence and acknowledgment numbers stay as
//! observed, in script space (relative to each side's ISN).
//!
//! The service is the built-in one on the target's port (7 echo, 9
//! discard, 80 http …), `closed` when the target sent nothing but RSTs, else
//! `http` when the peer's first bytes look like an HTTP request, else
//! `echo`; against the server that made the capture, run the case with
//! `--target lab --serve CMD --serve-port PORT`.

use super::mapping::Mapping;
use super::scriptform::{script_line, Sender};
use crate::target::Service;
use crate::wire::{Segment, SeqNumber, TcpOption};
use std::fmt::{self, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Why no case could be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FromCaptureError {
    /// The capture holds no TCP segment.
    NoTcp,
    /// `--conn N` is not a connection of the capture (it holds `count`).
    NoSuchConnection {
        /// The number asked for.
        conn: usize,
        /// The connections the capture holds.
        count: usize,
    },
}

impl fmt::Display for FromCaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FromCaptureError::NoTcp => f.write_str("the capture holds no TCP segment"),
            FromCaptureError::NoSuchConnection { conn, count } => write!(
                f,
                "--conn {conn}: the capture holds {count} connection{} (numbered from 1, as \
                 `synack judge` lists them)",
                if *count == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for FromCaptureError {}

/// The case for connection `conn` (from 1) of `packets` (session times and
/// IP packets, in capture order); `source` names the capture in comments.
pub fn case_from_capture(
    packets: &[(Duration, Vec<u8>)],
    source: &str,
    conn: usize,
    target: Option<IpAddr>,
) -> Result<String, FromCaptureError> {
    let parsed: Vec<(Duration, Segment)> = packets
        .iter()
        .filter_map(|(at, b)| crate::wire::parse(b).ok().map(|s| (*at, s)))
        .collect();
    let refs: Vec<&Segment> = parsed.iter().map(|(_, s)| s).collect();
    let target = match target {
        Some(a) => a,
        None => {
            super::judge_side::infer(&refs)
                .ok_or(FromCaptureError::NoTcp)?
                .addr
        }
    };
    // Connections keyed as the judge keys them, in order of first packet.
    let mut order: Vec<(SocketAddr, SocketAddr)> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, (_, s)) in parsed.iter().enumerate() {
        let src = SocketAddr::new(s.ip.src(), s.src_port);
        let dst = SocketAddr::new(s.ip.dst(), s.dst_port);
        let key = if src.ip() == target {
            (src, dst)
        } else if dst.ip() == target {
            (dst, src)
        } else {
            continue;
        };
        match order.iter().position(|k| *k == key) {
            Some(k) => members[k].push(i),
            None => {
                order.push(key);
                members.push(vec![i]);
            }
        }
    }
    let count = order.len();
    let k = conn
        .checked_sub(1)
        .filter(|&k| k < count)
        .ok_or(FromCaptureError::NoSuchConnection { conn, count })?;
    let (target_ep, peer_ep) = order[k];
    let segs: Vec<&(Duration, Segment)> = members[k].iter().map(|&i| &parsed[i]).collect();
    let from_target = |s: &Segment| s.ip.src() == target;
    let peer_isn = segs
        .iter()
        .find(|(_, s)| !from_target(s) && s.flags.syn())
        .or_else(|| segs.iter().find(|(_, s)| !from_target(s)))
        .map_or(SeqNumber(0), |(_, s)| s.seq);
    let mut map = Mapping::new(peer_isn);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Connection {conn} of {source} ({peer_ep} -> {target_ep}), made by\n\
         // `synack repro --from-pcap`: the peer's segments as `<` lines at the\n\
         // capture's spacing, the target's as `>` expectations with time, window\n\
         // and options wildcarded (the stack's to choose). Edit the expectations\n\
         // to what the RFCs require before keeping it as a regression case."
    );
    let _ = writeln!(out, "//! title: {source} connection {conn}, replayed");
    let _ = writeln!(
        out,
        "//! service: {}",
        service(&segs, target, target_ep.port())
    );
    let _ = writeln!(out, "//! tags: capture");
    out.push('\n');
    let mut prev: Option<Duration> = None;
    for (at, seg) in &segs {
        if from_target(seg) {
            if seg.flags.syn() {
                map.learn_target_isn(seg.seq, 0);
            }
            let seq = map.target_script(seg.seq);
            let len = seg.payload.len() as u32;
            let _ = write!(
                out,
                "*      > {} {seq}:{}({len})",
                seg.flags,
                seq.wrapping_add(len)
            );
            if seg.flags.ack() {
                let _ = write!(out, " ack {}", map.harness_script(seg.ack));
            }
            if !seg.options.is_empty() {
                out.push_str(" <...>");
            }
            out.push('\n');
        } else {
            let delta = prev.map_or(Duration::ZERO, |p| at.saturating_sub(p));
            let time = if prev.is_none() {
                "0".to_string()
            } else {
                format!("+{}.{:06}", delta.as_secs(), delta.subsec_micros())
            };
            let mut sent = seg.clone();
            let before = sent.options.len();
            sent.options
                .retain(|o| !matches!(o, TcpOption::Timestamps { .. }));
            if sent.options.len() != before {
                // The NOPs padded the timestamps: the header is re-laid out.
                sent.options.retain(|o| !matches!(o, TcpOption::Nop));
                sent.data_offset = None;
            }
            let _ = write!(
                out,
                "{time:<6} < {}",
                script_line(&sent, Sender::Harness, &map)
            );
            if !seg.payload.is_empty() {
                let _ = write!(out, " payload \"{}\"", escape(&seg.payload));
            }
            out.push('\n');
        }
        prev = Some(*at);
    }
    Ok(out)
}

/// The built-in service the replay should meet (see the module docs).
fn service(segs: &[&(Duration, Segment)], target: IpAddr, port: u16) -> &'static str {
    if let Some(s) = Service::ALL.into_iter().find(|s| s.port() == port) {
        return s.name();
    }
    let target_segs = || segs.iter().filter(|(_, s)| s.ip.src() == target);
    if target_segs().all(|(_, s)| s.flags.rst()) {
        return Service::Closed.name();
    }
    let request = segs
        .iter()
        .find(|(_, s)| s.ip.src() != target && !s.payload.is_empty())
        .map(|(_, s)| s.payload.as_slice());
    let http = ["GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS "];
    match request {
        Some(p) if http.iter().any(|m| p.starts_with(m.as_bytes())) => Service::Http.name(),
        _ => Service::Echo.name(),
    }
}

/// Payload bytes in the case language's C escapes.
fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s
}
