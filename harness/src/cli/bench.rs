//! `synack bench`: cases per second and segments judged per second on the
//! embedded target, for pre-parsed cases.

use super::args::BenchArgs;
use super::{exit, CliError};
use crate::run::{self, EntryKind, Outcome};
use crate::target::embedded::Embedded;
use std::time::{Duration, Instant};

pub fn bench(args: BenchArgs) -> Result<u8, CliError> {
    let cases = run::case::load_all(&args.paths)?;
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
    let secs = start.elapsed().as_secs_f64();
    println!("target embedded, {} cases, {:.1} s", cases.len(), secs);
    println!("cases/s:    {:.0}", runs as f64 / secs);
    println!(
        "segments/s: {:.0}  (both directions, each parsed, matched and recorded)",
        segments as f64 / secs
    );
    println!("per case:   {:.1} µs", secs * 1e6 / runs as f64);
    Ok(exit::PASS)
}
