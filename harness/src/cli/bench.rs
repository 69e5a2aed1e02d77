//! `synack bench`: cases per second and segments judged per second on the
//! embedded target, for pre-parsed cases.

use super::args::{BenchArgs, TargetKind};
use super::{exit, CliError};
use crate::run::{self, EntryKind, Outcome};
use crate::target::embedded::Embedded;
use crate::target::lab::Lab;
use crate::target::{Service, SessionSpec, Target};
use crate::wire::{ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};
use std::time::{Duration, Instant};

pub fn bench(args: BenchArgs) -> Result<u8, CliError> {
    match args.target {
        TargetKind::Embedded => embedded(args),
        TargetKind::Lab => lab(args),
        TargetKind::Tap | TargetKind::Tun => super::tap_cmds::bench(
            args.target,
            args.exec.as_deref(),
            args.name.clone(),
            args.samples,
            args.seconds,
        ),
        TargetKind::Link => super::link::bench(&args.link, args.samples, args.seconds),
    }
}

fn embedded(args: BenchArgs) -> Result<u8, CliError> {
    let cases = super::load::cases_for(&args.paths, crate::target::IpFamily::V4)?;
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| c.meta.unsupported.is_none())
        .collect();
    let target = Embedded::new();
    let opts = run::RunOptions::default();
    let budget = Duration::from_secs_f64(args.seconds.max(0.1));
    // Warm up once, and check the cases pass: a benchmark of failures is meaningless.
    for (i, c) in cases.iter().enumerate() {
        let r = run::run_case(&target, c, i as u32, &opts);
        if r.outcome == Outcome::Fail || r.outcome == Outcome::Error {
            eprintln!(
                "warning: {} does not pass ({}); timing it anyway",
                c.id,
                r.reason.unwrap_or_default()
            );
        }
    }
    let start = Instant::now();
    let cpu = super::bench_compare::thread_cpu();
    let (mut runs, mut segments) = (0u64, 0u64);
    while start.elapsed() < budget {
        for (i, c) in cases.iter().enumerate() {
            let r = run::run_case(&target, c, i as u32, &opts);
            runs += 1;
            segments += r
                .transcript
                .iter()
                .filter(|e| matches!(e.what, EntryKind::Packet { .. }))
                .count() as u64;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    // On-CPU time where Linux gives it: a shared core's other work is not ours.
    let secs = match (cpu, super::bench_compare::thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a).as_secs_f64(),
        _ => wall,
    };
    println!(
        "target embedded, {} cases, {:.1} s wall, {:.1} s on a CPU (the figures below count that)",
        cases.len(),
        wall,
        secs
    );
    println!("cases/s:    {:.0}", runs as f64 / secs);
    println!(
        "segments/s: {:.0}  (both directions, each parsed, matched and recorded)",
        segments as f64 / secs
    );
    println!("per case:   {:.1} µs", secs * 1e6 / runs as f64);
    let (n, took) = crate::oracle::bench_fresh_tuples(100_000, "linux");
    println!(
        "one oracle, {n} segments on fresh tuples (on-CPU time): {:.0} segments/s",
        n as f64 / took.as_secs_f64()
    );
    super::bench_compare::harness_vs_raw(&cases, budget);
    super::bench_compare::short_vs_long(budget).map_err(CliError::infra)?;
    Ok(exit::PASS)
}

/// Median, 90th percentile and minimum of a set of samples.
fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    (at(0.5), at(0.9), v[0])
}

fn us(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

/// The SYN→SYN-ACK round trips of a real-time target's bench, raw (`raw_what`:
/// "TUN", "frames", …) beside through the harness, measured in the same run,
/// and their ratio of medians. Every real-time target's bench prints these.
pub(super) fn print_round_trips(raw_what: &str, raw: Vec<Duration>, harness: Vec<Duration>) {
    let (rm, r90, rmin) = stats(raw);
    let (hm, h90, hmin) = stats(harness);
    let raw_label = format!("SYN→SYN-ACK raw {raw_what}:");
    let via_label = "SYN→SYN-ACK via harness:";
    let ratio_label = "harness / raw (median):";
    let w = raw_label
        .chars()
        .count()
        .max(via_label.chars().count())
        .max(ratio_label.len());
    let pad = |l: &str| format!("{l}{}", " ".repeat(w - l.chars().count()));
    println!(
        "{} median {}  p90 {}  min {}",
        pad(&raw_label),
        us(rm),
        us(r90),
        us(rmin)
    );
    println!(
        "{} median {}  p90 {}  min {}",
        pad(via_label),
        us(hm),
        us(h90),
        us(hmin)
    );
    println!(
        "{} {:.2}×",
        pad(ratio_label),
        hm.as_secs_f64() / rm.as_secs_f64()
    );
}

/// The lab target: the harness's SYN→SYN-ACK round trip against a raw TUN
/// round trip in the same lab; full handshakes per second through sessions;
/// the suite's wall time with one job and with two, beside what its
/// scripted waits account for and synack's CPU time.
fn lab(args: BenchArgs) -> Result<u8, CliError> {
    let lab = Lab::start(Default::default())
        .map_err(|e| CliError::infra(format!("cannot start the lab target: {e}")))?;
    let samples = args.samples.max(10);
    let infra = |e: crate::target::TargetError| CliError::infra(e.to_string());
    // Interleave the two, so both see the same machine.
    let (mut raw, mut harness) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        raw.extend(lab.raw_rtt(samples / 10).map_err(infra)?);
        harness.extend(lab.harness_rtt(samples / 10).map_err(infra)?);
    }
    println!("target lab (Linux kernel via TUN), {samples} samples each");
    print_round_trips("TUN", raw, harness);

    // Full handshakes per second, each on its own 4-tuple, each reset after.
    let budget = Duration::from_secs_f64(args.seconds.max(0.1));
    let start = Instant::now();
    let mut n: u32 = 0;
    while start.elapsed() < budget {
        handshake(&lab, n).map_err(|e| CliError::infra(format!("handshake {n}: {e}")))?;
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "handshakes/s (SYN, SYN-ACK, ACK, accepted by the service, RST; via sessions): {:.0}",
        f64::from(n) / secs
    );

    let cases = super::load::cases_for(&args.paths, crate::target::IpFamily::V4)?;
    // What the cases' own timers cost at the least: each case that runs
    // waits out its script's times, then the quiet period after its last
    // line. A case the lab does not run (unsupported: a timer of hours it
    // cannot wait out, a socket call it lacks) waits for nothing.
    let settle = run::RunOptions::default().settle;
    let script_time: std::collections::HashMap<&str, Duration> = cases
        .iter()
        .map(|c| (c.id.as_str(), case_time(c)))
        .collect();
    for (jobs, seed) in [(1, 1), (2, 2)] {
        // A seed of its own per run: a fresh set of 4-tuples, so sockets the
        // first run left in TIME-WAIT do not meet the second.
        let opts = run::SuiteOptions {
            run: run::RunOptions {
                profile: "linux".into(),
                seed,
                ..run::RunOptions::default()
            },
            jobs,
            ..run::SuiteOptions::default()
        };
        let cpu = process_cpu();
        let (summary, reports) = run::run_suite(&lab, &cases, &opts, &mut [])?;
        let cpu = match (cpu, process_cpu()) {
            (Some(a), Some(b)) => format!("{:.2} s", b.saturating_sub(a).as_secs_f64()),
            _ => "unknown".into(),
        };
        let ran: Vec<_> = reports
            .iter()
            .filter(|r| !matches!(r.outcome, Outcome::Unsupported | Outcome::Skipped))
            .collect();
        let scripted: Duration = ran
            .iter()
            .map(|r| script_time.get(&*r.id).copied().unwrap_or_default() + settle)
            .sum();
        let in_cases: Duration = ran.iter().map(|r| r.wall_time).sum();
        let longest = ran
            .iter()
            .map(|r| script_time.get(&*r.id).copied().unwrap_or_default())
            .max()
            .unwrap_or_default();
        let per_job = |d: Duration| d.as_secs_f64() / jobs as f64;
        println!(
            "suite --jobs {jobs}: {:.2} s wall for {} cases ({} run, {} passed); longest script of a case run {:.2} s",
            summary.wall_time.as_secs_f64(),
            cases.len(),
            ran.len(),
            summary.passed + summary.deviations,
            longest.as_secs_f64()
        );
        println!(
            "  cases' own wall time {:.2} s / {jobs} job(s) = {:.2} s, of which scripted waits (script times + {} ms quiet period) {:.2} s / {jobs} = {:.2} s; synack's CPU time {cpu}",
            in_cases.as_secs_f64(),
            per_job(in_cases),
            settle.as_millis(),
            scripted.as_secs_f64(),
            per_job(scripted),
        );
    }
    Ok(exit::PASS)
}

/// This process's user and system CPU time so far (`/proc/self/stat`, in
/// clock ticks of 10 ms, Linux's USER_HZ); `None` where there is none.
fn process_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = text.get(text.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime: fields 14 and 15 of the line, 12 and 13 here.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The last line time a case's script names: what its own timers cost.
fn case_time(case: &run::Case) -> Duration {
    use crate::script::{Item, TimeSpec};
    let mut t = 0u64;
    let mut step = |time: &TimeSpec| match *time {
        TimeSpec::Absolute(a) | TimeSpec::AbsoluteRange { lo: a, .. } => t = t.max(a),
        TimeSpec::Relative(d) | TimeSpec::RelativeRange { lo: d, .. } => t += d,
        TimeSpec::Any => {}
    };
    for item in &case.script.items {
        match item {
            Item::Line(l) => step(&l.time.node),
            Item::Either { branches, .. } => {
                if let Some(b) = branches.first() {
                    b.iter().for_each(|l| step(&l.time.node));
                }
            }
        }
    }
    Duration::from_micros(t)
}

/// One full handshake with the lab's echo service, then a RST to free it.
fn handshake(lab: &Lab, n: u32) -> Result<(), crate::target::TargetError> {
    let spec = SessionSpec {
        service: Service::Echo,
        target_port: Service::Echo.port(),
        harness_port: 20000 + (n % 40000) as u16,
        // Source addresses apart from the round-trip samples (which use .1).
        index: 1 + n / 40000,
        ..SessionSpec::default()
    };
    let mut s = lab.open(&spec)?;
    let info = s.info().clone();
    let ip = IpEnvelope::between(info.harness.ip(), info.target.ip())
        .ok_or_else(|| crate::target::TargetError::Broken("address families differ".into()))?;
    let port = (info.harness.port(), info.target.port());
    let mk = |flags, seq: u32, ack: u32| Segment {
        seq: SeqNumber(seq),
        ack: SeqNumber(ack),
        window: 65535,
        ..Segment::new(ip.clone(), port.0, port.1, flags)
    };
    let mut syn = mk(TcpFlags::SYN, 1000, 0);
    syn.options = vec![TcpOption::Mss(1460)];
    s.inject(&syn.to_bytes(ChecksumPolicy::Compute))?;
    let deadline = s.now() + Duration::from_secs(1);
    let synack = loop {
        let Some(r) = s.recv(deadline)? else {
            return Err(crate::target::TargetError::Broken(
                "no SYN-ACK within 1 s".into(),
            ));
        };
        match crate::wire::parse(&r.bytes) {
            Ok(seg) if seg.flags.syn() && seg.flags.ack() => break seg,
            _ => {}
        }
    };
    let isn = synack.seq.0;
    s.inject(&mk(TcpFlags::ACK, 1001, isn.wrapping_add(1)).to_bytes(ChecksumPolicy::Compute))?;
    // Wait until the service has accepted the connection (a read of nothing
    // waits for the accept): a handshake counts once the server has it, and
    // the listener's accept queue never overflows.
    s.app(&crate::target::AppAction::Read(0))?;
    s.inject(&mk(TcpFlags::RST, 1001, 0).to_bytes(ChecksumPolicy::Compute))?;
    Ok(())
}
