//! The whole suite (but the grid) against this machine's kernel through the lab target:
//! every case passes (or is waived with a reason), and `--jobs 4` gives the
//! verdicts of `--jobs 1`. Skips without root unless SYNACK_REQUIRE_LAB=1.
//!
//! The `--jobs 1` verdicts are the reviewed ones, `outcome:` in
//! `reports/lab/<case>.snap`: `reports/snapshots.rs` runs the suite one case
//! at a time on the lab in the same `cargo test` and fails on any change
//! there, so a second run at `--jobs 1` here would check nothing more (it
//! took a third of this test's time).

use std::path::PathBuf;
use synack::run::{self, Outcome, SuiteOptions};
use synack::target::lab::Lab;

fn lab_or_skip() -> Option<Lab> {
    match Lab::start(Default::default()) {
        Ok(lab) => Some(lab),
        Err(e) if std::env::var_os("SYNACK_REQUIRE_LAB").is_some_and(|v| v == "1") => {
            panic!("SYNACK_REQUIRE_LAB=1 but the lab target cannot start: {e}")
        }
        Err(e) => {
            println!("skipping: the lab target cannot start here: {e}");
            None
        }
    }
}

fn verdicts(lab: &Lab, jobs: usize, seed: u64) -> Vec<(String, Outcome)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let cases = run::case::load_all(std::slice::from_ref(&root)).expect("cases load");
    let opts = SuiteOptions {
        run: run::RunOptions {
            profile: "linux".into(),
            seed,
            ..run::RunOptions::default()
        },
        jobs,
        waivers: run::Waivers::load(&root.join("waivers/lab.txt")).expect("waivers"),
        // The grid's thousand cells run (8 at a time) and are checked in
        // reports/snapshots.rs; one at a time here they would take minutes.
        // `long` cases wait minutes to hours of real time (T35, T48, T49).
        skip_tags: vec!["grid".into(), "long".into()],
        ..SuiteOptions::default()
    };
    let (_, reports) = run::run_suite(lab, &cases, &opts, &mut []).expect("suite runs");
    for r in &reports {
        assert!(
            !r.outcome.is_failure(),
            "{} on the kernel: {:?}",
            r.id,
            r.reason
        );
    }
    reports
        .into_iter()
        .map(|r| (r.id.to_string(), r.outcome))
        .collect()
}

/// The reviewed verdicts of the lab's cases (not the grid's cells, kept
/// together in grid.snap): `(case id, outcome name)`, by id.
fn reviewed() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reports/lab");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("reports/lab reads") {
        let path = e.expect("reports/lab lists").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        if stem == "grid" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a snapshot reads");
        let outcome = text
            .lines()
            .find_map(|l| l.strip_prefix("outcome: "))
            .unwrap_or_else(|| panic!("{}: no `outcome:` line", path.display()));
        out.push((stem.replace("__", "/"), outcome.to_string()));
    }
    out.sort();
    out
}

#[test]
fn the_suite_passes_on_the_kernel_and_jobs_do_not_change_verdicts() {
    let Some(lab) = lab_or_skip() else { return };
    // On 4-tuples of its own (its own seed), so sockets left in TIME-WAIT by
    // another run do not meet this one.
    let mut four: Vec<(String, String)> = verdicts(&lab, 4, 12)
        .into_iter()
        .map(|(id, o)| (id, o.name().to_string()))
        .collect();
    four.sort();
    let one = reviewed();
    assert!(one.len() > 50, "only {} reviewed lab verdicts", one.len());
    // Only the differences, each side's entries that the other lacks.
    let only = |a: &[(String, String)], b: &[(String, String)]| -> Vec<String> {
        a.iter()
            .filter(|x| !b.contains(x))
            .map(|(id, o)| format!("{id}: {o}"))
            .collect()
    };
    assert!(
        one == four,
        "--jobs 4 does not give the reviewed --jobs 1 verdicts (reports/lab/*.snap)\n\
         reviewed only: {:?}\n--jobs 4 only: {:?}",
        only(&one, &four),
        only(&four, &one)
    );
}
