//! `synack diff --targets A,B,C…`: the cases on three or more targets, and
//! the differences of every pair (e.g. smoltcp, Linux and lwIP:
//! `--targets embedded,lab,tap` with the tap stack in `SYNACK_EXEC`).

use super::fuzz_cmds::DiffArgs;
use super::{exit, CliError};
use crate::fuzzing;
use crate::run::{self, CaseReport, Outcome, RunOptions};
use crate::target::Target;

/// Runs every case once on each target, then compares each pair. Exit 0
/// when every pair answered alike, 1 otherwise.
pub fn diff_many(args: &DiffArgs) -> Result<u8, CliError> {
    if args.fuzz || !args.input.is_empty() || args.fault.is_some() {
        return Err(CliError::usage(
            "--fuzz, --input and --fault compare two targets: give --targets A,B",
        ));
    }
    args.at.check(&args.targets)?;
    let targets: Vec<Box<dyn Target>> = args
        .targets
        .iter()
        .map(|k| super::fuzz_cmds::make_target(*k, &args.at))
        .collect::<Result<_, _>>()?;
    let norm = fuzzing::Normalise {
        windows: args.windows,
        options: args.options,
    };
    let cases = run::case::load_all(&args.paths)?;
    // reports[case][target]
    let mut reports: Vec<Vec<CaseReport>> = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let row = targets
            .iter()
            .map(|t| {
                let opts = RunOptions {
                    seed: args.seed,
                    profile: fuzzing::profile_for(t.as_ref()).name.to_string(),
                    ..RunOptions::default()
                };
                run::run_case(t.as_ref(), case, i as u32, &opts)
            })
            .collect();
        reports.push(row);
    }
    let names: Vec<&str> = targets.iter().map(|t| t.name()).collect();
    let mut total = 0;
    let mut counts = Vec::new();
    for a in 0..targets.len() {
        for b in a + 1..targets.len() {
            println!("a = {}, b = {}", names[a], names[b]);
            let mut n = 0;
            for row in &reports {
                if [row[a].outcome, row[b].outcome].contains(&Outcome::Unsupported) {
                    continue;
                }
                for d in fuzzing::diff_reports_with(&row[a], &row[b], norm) {
                    println!("{d}");
                    println!("    signature: {}", fuzzing::signature(&d));
                    n += 1;
                }
            }
            counts.push(format!("{} vs {}: {n}", names[a], names[b]));
            total += n;
        }
    }
    let compared = |a: usize, b: usize| {
        reports
            .iter()
            .filter(|r| ![r[a].outcome, r[b].outcome].contains(&Outcome::Unsupported))
            .count()
    };
    println!(
        "{total} differences ({}); cases compared per pair: {}",
        counts.join(", "),
        (0..targets.len())
            .flat_map(|a| (a + 1..targets.len()).map(move |b| (a, b)))
            .map(|(a, b)| format!("{}/{} {}", names[a], names[b], compared(a, b)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if total == 0 { exit::PASS } else { exit::FAIL })
}
