//! Seed corpora from the case suite: every case's `<` lines and syscall
//! lines' application actions (and the time between lines) as a sequence
//! input, its injected packets as wire seeds,
//! the case file itself as a script seed, its packets as a capture seed.

use super::ops::{encode, AckAnchor, AppOp, Inject, Input, Op, OptOp, Rel, MAX_WRITE};
use crate::run::build::{filler, inject_segment};
use crate::run::mapping::Mapping;
use crate::run::syscall::Call;
use crate::run::Case;
use crate::script::{Item, Line, LineKind, OptSpec, PacketLine, TimeSpec, Value};
use crate::target::{endpoints, AppAction, SessionInfo, SessionSpec};
use crate::wire::SeqNumber;
use std::path::Path;
use std::time::Duration;

/// A file-name-safe name for a case: its id with `/` as `-`.
pub fn seed_name(case: &Case) -> String {
    case.id.replace(['/', '\\'], "-")
}

/// One sequence input per case: its service, its `<` lines as inject ops
/// with script-space numbers, and a wait for every gap between the lines'
/// nominal times (including the time `>` and `state` lines take).
pub fn seed_corpus(cases: &[Case]) -> Vec<(String, Vec<u8>)> {
    cases
        .iter()
        .map(|c| (seed_name(c), encode(&seed_input(c))))
        .collect()
}

/// The input a case becomes.
pub fn seed_input(case: &Case) -> Input {
    let mut ops = Vec::new();
    let mut prev = 0u64;
    let mut clock = 0u64;
    let mut lines: Vec<&Line> = Vec::new();
    for item in &case.script.items {
        match item {
            Item::Line(l) => lines.push(l),
            // Alternatives hold only `>` and `state` lines: their time counts.
            Item::Either { branches, .. } => {
                if let Some(b) = branches.first() {
                    lines.extend(b.iter());
                }
            }
        }
    }
    for line in lines {
        let at = nominal(line.time.node, prev);
        prev = at;
        match &line.kind {
            LineKind::Packet(p) if p.direction == crate::script::Direction::Inject => {
                wait_until(&mut ops, &mut clock, at);
                ops.push(Op::Inject(inject_op(p)));
            }
            LineKind::Syscall(_) => {
                if let Some(Call::Act { action, .. }) = case.calls.calls.get(&line.span.line) {
                    wait_until(&mut ops, &mut clock, at);
                    ops.push(Op::App(app_op(action)));
                }
            }
            _ => {}
        }
    }
    wait_until(&mut ops, &mut clock, prev);
    Input {
        service: case.meta.service,
        seed: 0,
        ops,
    }
}

/// A syscall line's action as an app op (a write's own bytes become the
/// fuzzer's filler of the same length, at most `MAX_WRITE`).
fn app_op(action: &AppAction) -> AppOp {
    let clamp = |n: usize| n.min(MAX_WRITE) as u16;
    match action {
        AppAction::Write(bytes) => AppOp::Write(clamp(bytes.len())),
        AppAction::Read(n) => AppOp::Read(clamp(*n)),
        AppAction::ShutdownWrite => AppOp::ShutdownWrite,
        AppAction::Close => AppOp::Close,
        AppAction::Abort => AppOp::Abort,
    }
}

/// When a line acts, from its time spec and the previous line's time (µs).
fn nominal(t: TimeSpec, prev: u64) -> u64 {
    match t {
        TimeSpec::Any => prev,
        TimeSpec::Absolute(a) | TimeSpec::AbsoluteRange { lo: a, .. } => a,
        TimeSpec::Relative(d) | TimeSpec::RelativeRange { lo: d, .. } => prev + d,
    }
}

/// Wait ops (whole milliseconds, rounded up) from `clock` to `at` (µs).
fn wait_until(ops: &mut Vec<Op>, clock: &mut u64, at: u64) {
    if at <= *clock {
        return;
    }
    let mut ms = (at - *clock).div_ceil(1000);
    *clock += ms * 1000;
    while ms > 0 {
        let step = ms.min(u64::from(u16::MAX));
        ops.push(Op::Wait(step as u16));
        ms -= step;
    }
}

/// A `<` line as an inject op with script-space numbers.
pub fn inject_op(p: &PacketLine) -> Inject {
    let flags = p
        .flags
        .node
        .exact()
        .copied()
        .unwrap_or(crate::wire::TcpFlags::empty());
    let range = p.seq.as_ref().and_then(|s| s.node.exact().copied());
    let (start, len) = range.map(|r| (r.start, r.len)).unwrap_or((0, 0));
    let ack = p.ack.as_ref().and_then(|a| a.node.exact().copied());
    let mut inj = Inject::script(flags, start, ack);
    if matches!(p.ack.as_ref().map(|a| &a.node), Some(Value::Any)) {
        // `ack *`: whatever the target has sent so far.
        inj.ack = Rel {
            anchor: AckAnchor::SndNxt,
            delta: 0,
        };
    }
    if let Some(w) = p.win.as_ref().and_then(|w| w.node.exact().copied()) {
        inj.window = w;
    }
    inj.urgent = p
        .urg
        .as_ref()
        .and_then(|u| u.node.exact().copied())
        .unwrap_or(0);
    inj.bad_checksum = p.bad_csum;
    inj.options = p
        .options
        .as_ref()
        .map(|l| l.items.iter().map(|o| option_op(&o.node)).collect())
        .unwrap_or_default();
    let payload = match p.payload.as_ref().map(|v| &v.node) {
        Some(Value::Exact(bytes)) => bytes.clone(),
        _ => filler(len as usize),
    };
    inj.len = payload.len().min(super::ops::MAX_PAYLOAD) as u16;
    if payload != filler(payload.len()) {
        inj.payload = Some(payload);
    }
    inj
}

fn option_op(o: &OptSpec) -> OptOp {
    let num = |v: &Value<u32>| v.exact().copied().unwrap_or(0);
    match o {
        OptSpec::Mss(v) => OptOp::Mss(v.exact().copied().unwrap_or(0)),
        OptSpec::WScale(v) => OptOp::WindowScale(v.exact().copied().unwrap_or(0)),
        OptSpec::SackOk => OptOp::SackPermitted,
        OptSpec::Sack(blocks) => {
            OptOp::Sack(blocks.iter().map(|(l, r)| (num(l), num(r))).collect())
        }
        OptSpec::Ts { val, ecr } => OptOp::Timestamps {
            tsval: num(val),
            tsecr: num(ecr),
        },
        OptSpec::Nop => OptOp::Nop,
        OptSpec::Eol => OptOp::Eol,
        OptSpec::Raw(bytes) => OptOp::Raw(bytes.clone()),
    }
}

/// The IP packets a case injects (script numbers over a zero ISN), as
/// `wire_roundtrip` seeds.
pub fn wire_seeds(case: &Case) -> Vec<Vec<u8>> {
    let (target, harness) = endpoints(&SessionSpec::default());
    let info = SessionInfo {
        target,
        harness,
        virtual_time: true,
    };
    let map = Mapping::new(SeqNumber(0));
    let mut out = Vec::new();
    let mut visit = |l: &Line| {
        if let LineKind::Packet(p) = &l.kind {
            if p.direction == crate::script::Direction::Inject {
                let (seg, policy) = inject_segment(p, &info, &map, map.target_live(0));
                out.push(seg.to_bytes(policy));
            }
        }
    };
    for item in &case.script.items {
        match item {
            Item::Line(l) => visit(l),
            Item::Either { branches, .. } => branches.iter().flatten().for_each(&mut visit),
        }
    }
    out
}

/// Writes `out/<target>/<case>…` for every fuzz target: `sequence_embedded`
/// (the encoded inputs), `wire_roundtrip` (each injected packet),
/// `script_parse` (the case file) and `capture_parse` (a pcap of the case's
/// injected packets). Returns the number of files written.
pub fn write_corpus(cases: &[Case], out: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    let mut write = |dir: &str, name: String, bytes: &[u8]| -> std::io::Result<()> {
        let d = out.join(dir);
        std::fs::create_dir_all(&d)?;
        std::fs::write(d.join(name), bytes)?;
        n += 1;
        Ok(())
    };
    for (name, bytes) in seed_corpus(cases) {
        write("sequence_embedded", name, &bytes)?;
    }
    for case in cases {
        let name = seed_name(case);
        let packets = wire_seeds(case);
        for (i, p) in packets.iter().enumerate() {
            write("wire_roundtrip", format!("{name}-{i}"), p)?;
        }
        write(
            "script_parse",
            format!("{name}.pkt"),
            case.source.as_bytes(),
        )?;
        let mut pcap = crate::report::pcap::PcapWriter::new(Vec::new())?;
        for (i, p) in packets.iter().enumerate() {
            pcap.write_packet(Duration::from_millis(i as u64 * 10), p)?;
        }
        write("capture_parse", format!("{name}.pcap"), &pcap.into_inner()?)?;
    }
    Ok(n)
}
