//! `synack bench`'s comparisons on the embedded target: the harness beside
//! raw smoltcp fed the same packets (a fresh stack per case, creation
//! included: [`raw::drive`]), and the per-segment cost of a short and a
//! long generated case, so quadratic cost in a case's length shows as a
//! ratio.

use crate::oracle::{Direction, Oracle, Profile, TargetModel};
use crate::run::{self, Case, Dir, EntryKind, Outcome, RunOptions};
use crate::target::embedded::raw::{self, RawCase};
use crate::target::embedded::Embedded;
use crate::target::Service;
use crate::wire::Segment;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `f` over and over for `budget` of wall time; returns (µs per call,
/// calls). The µs are this thread's time on a CPU where Linux says
/// ([`thread_cpu`]), so that other processes' turns on a shared core do not
/// count; wall time elsewhere.
fn time<F: FnMut()>(budget: Duration, mut f: F) -> (f64, u64) {
    let start = Instant::now();
    let cpu = thread_cpu();
    let mut n = 0u64;
    while start.elapsed() < budget || n == 0 {
        f();
        n += 1;
    }
    let took = match (cpu, thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => start.elapsed(),
    };
    (took.as_secs_f64() * 1e6 / n as f64, n)
}

/// Time this thread has run on a CPU (the first field of
/// `/proc/thread-self/schedstat`, in ns); `None` where there is none.
pub fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// What the oracle alone is fed for a case: its profile, the target's
/// address and listening port, and every parsed segment both ways.
struct OracleInput {
    profile: Profile,
    model: TargetModel,
    segments: Vec<(Duration, Direction, Segment)>,
}

impl OracleInput {
    fn judge(&self) -> usize {
        let mut oracle = Oracle::new(self.profile.clone(), self.model.clone());
        let mut findings = 0;
        for (at, dir, seg) in &self.segments {
            let what = crate::oracle::Observation::Segment {
                dir: *dir,
                segment: seg,
                checksum: crate::oracle::Checksum::Valid,
            };
            findings += oracle.observe(*at, what).len();
        }
        findings
    }
}

fn oracle_input(case: &Case, report: &run::CaseReport, opts: &RunOptions) -> Option<OracleInput> {
    let profile = Profile::by_name(case.meta.profile.as_deref().unwrap_or(&opts.profile))?;
    let target = report.target_addr.get()?;
    Some(OracleInput {
        profile,
        model: TargetModel {
            addr: target.ip(),
            listening: if case.meta.service == Service::Closed {
                Vec::new()
            } else {
                vec![target.port()]
            },
        },
        segments: report
            .transcript
            .iter()
            .filter_map(|e| match &e.what {
                EntryKind::Packet {
                    dir,
                    segment: Some(seg),
                    ..
                } => Some((
                    e.at,
                    match dir {
                        Dir::In => Direction::ToTarget,
                        Dir::Out => Direction::FromTarget,
                    },
                    seg.clone(),
                )),
                _ => None,
            })
            .collect(),
    })
}

/// The raw input of a case: what the harness injected, when, into a stack
/// seeded as the harness seeds it; and what the oracle saw. T14's
/// statistical case (`//! isn-sample: N`) is N sessions of a SYN and a RST
/// each, which its transcript does not hold: the same N sessions, rebuilt
/// as [`run::isn::sample_with`] builds them.
fn raw_case(case: &Case, index: u32, opts: &RunOptions) -> (Vec<RawCase>, Option<OracleInput>) {
    if let Some(Ok(n)) = run::isn_case::requested(case) {
        let family = case.meta.packetdrill.family.unwrap_or(opts.family);
        let raws = (0..n)
            .filter_map(|i| {
                let spec = run::isn::probe_spec(i, opts.seed, index, family);
                let (target, harness) = crate::target::endpoints(&spec);
                let (syn, rst) = run::isn::probe_segments(i, harness, target)?;
                let bytes = |s: Segment| s.to_bytes(crate::wire::ChecksumPolicy::Compute);
                Some(RawCase {
                    seed: spec.seed,
                    listen: Some(spec.target_port),
                    inputs: vec![(Duration::ZERO, bytes(syn)), (Duration::ZERO, bytes(rst))],
                    end: Duration::ZERO,
                })
            })
            .collect();
        return (raws, None);
    }
    let (spec, _) = run::runner::session_spec(case, index, opts);
    let report = run::run_case(&Embedded::new(), case, index, opts);
    let oracle = oracle_input(case, &report, opts);
    let raw = RawCase {
        seed: spec.seed,
        listen: (spec.service != Service::Closed).then_some(spec.target_port),
        inputs: report
            .transcript
            .iter()
            .filter_map(|e| match &e.what {
                EntryKind::Packet {
                    dir: Dir::In,
                    bytes,
                    ..
                } => Some((e.at, bytes.clone())),
                _ => None,
            })
            .collect(),
        end: report.session_time,
    };
    (vec![raw], oracle)
}

/// Packets both ways in a report's transcript.
fn segments(r: &run::CaseReport) -> u64 {
    r.transcript
        .iter()
        .filter(|e| matches!(e.what, EntryKind::Packet { .. }))
        .count() as u64
}

/// The harness (with and without transcript text) against raw smoltcp on
/// the same packets, per case of the suite.
pub fn harness_vs_raw(cases: &[Case], budget: Duration) {
    let with_text = RunOptions {
        script_text: true,
        ..RunOptions::default()
    };
    let no_text = RunOptions::default();
    let target = Embedded::new();
    let (raws, oracles): (Vec<Vec<RawCase>>, Vec<Option<OracleInput>>) = cases
        .iter()
        .enumerate()
        .map(|(i, c)| raw_case(c, i as u32, &with_text))
        .unzip();
    let n = cases.len().max(1) as f64;
    let (h_text, _) = time(budget, || {
        for (i, c) in cases.iter().enumerate() {
            std::hint::black_box(run::run_case(&target, c, i as u32, &with_text));
        }
    });
    let (h_bare, _) = time(budget, || {
        for (i, c) in cases.iter().enumerate() {
            std::hint::black_box(run::run_case(&target, c, i as u32, &no_text));
        }
    });
    let mut raw_packets = 0;
    let (r, _) = time(budget, || {
        raw_packets = raws.iter().flatten().map(raw::drive).sum::<u64>();
    });
    let (o, _) = time(budget, || {
        let n: usize = oracles.iter().flatten().map(OracleInput::judge).sum();
        std::hint::black_box(n);
    });
    println!(
        "compared with raw smoltcp (same injected packets, a fresh stack per case, creation included;"
    );
    println!(
        "  times below are this thread's on-CPU time{}, so a shared core's other work is not counted;",
        if thread_cpu().is_some() {
            ""
        } else {
            " (unavailable here: wall time)"
        }
    );
    println!(
        "  no script, oracle, recording, service or app actions; {raw_packets} packets per pass,\n  T14's N-session case as its N sessions):"
    );
    println!("raw smoltcp per case:                     {:.1} µs", r / n);
    println!(
        "harness per case (all transcript text):  {:.1} µs  = {:.1}× raw",
        h_text / n,
        h_text / r
    );
    println!(
        "harness per case (text rendered on demand, none asked): {:.1} µs  = {:.1}× raw",
        h_bare / n,
        h_bare / r
    );
    println!(
        "of which the oracle alone (same segments, a fresh oracle per case): {:.1} µs  = {:.0} % of the harness",
        o / n,
        100.0 * o / h_text
    );
}

/// A generated case of about `n` segments: a handshake, then data segments
/// from the harness each acknowledged by the target (after its delayed-ACK
/// time), then a RST.
pub fn generated(n: usize) -> String {
    let pairs = n.saturating_sub(4) / 2;
    let mut s = String::from(
        "//! title: generated bench case\n//! service: silent\n\n\
         0      < S 0:0(0) win 65535 <mss 1460>\n\
         +0     > S. 0:0(0) ack 1 <...>\n\
         +0.01  < . 1:1(0) ack 1 win 65535\n",
    );
    for k in 0..pairs {
        let (a, b) = (1 + 10 * k, 11 + 10 * k);
        s.push_str(&format!("+0.1   < P. {a}:{b}(10) ack 1 win 65535\n"));
        s.push_str(&format!("+0~+0.2 > . 1:1(0) ack {b}\n"));
    }
    s.push_str(&format!(
        "+0.1   < R. {0}:{0}(0) ack 1 win 0\n",
        1 + 10 * pairs
    ));
    s
}

/// Per-segment cost of a generated short and long case, and their ratio.
pub fn short_vs_long(budget: Duration) -> Result<(), String> {
    let opts = RunOptions::default();
    let target = Embedded::new();
    let mut per = Vec::new();
    for n in [10, 200] {
        let path = format!("bench/generated-{n}.pkt");
        let case = run::case::load_source(Path::new(&path), generated(n))
            .map_err(|e| format!("generated {n}-segment case: {e}"))?;
        let r = run::run_case(&target, &case, 0, &opts);
        if r.outcome != Outcome::Pass {
            return Err(format!(
                "the generated {n}-segment case does not pass: {}",
                r.reason.unwrap_or_default()
            ));
        }
        let segs = segments(&r).max(1);
        let (us, _) = time(budget, || {
            std::hint::black_box(run::run_case(&target, &case, 0, &opts));
        });
        println!(
            "generated case, {segs} segments: {us:.1} µs, {:.2} µs per segment",
            us / segs as f64
        );
        per.push(us / segs as f64);
    }
    println!(
        "per-segment cost, long / short: {:.2}  (1.0: linear)",
        per[1] / per[0]
    );
    Ok(())
}
