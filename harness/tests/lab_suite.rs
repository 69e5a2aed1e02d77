//! The whole suite (but the grid) against this machine's kernel through the lab target:
//! every case passes (or is waived with a reason), and `--jobs 4` gives the
//! verdicts of `--jobs 1`. Skips without root unless SYNACK_REQUIRE_LAB=1.

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

#[test]
fn the_suite_passes_on_the_kernel_and_jobs_do_not_change_verdicts() {
    let Some(lab) = lab_or_skip() else { return };
    // Each run on fresh 4-tuples (its own seed), so sockets the first left in
    // TIME-WAIT do not meet the second.
    let one = verdicts(&lab, 1, 11);
    let four = verdicts(&lab, 4, 12);
    assert_eq!(one, four);
}
