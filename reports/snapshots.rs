//! The reviewed transcripts: every case of the suite, normalised
//! (`synack::report::snapshot::normalise`), kept as insta snapshots under
//! `reports/<target>/`. A changed behaviour changes exactly the snapshots of
//! the cases it touches; review with `cargo insta review`.
//!
//! The embedded target always runs. The lab target (the Linux kernel) runs
//! where the lab can start (root); elsewhere its test says why it skips, and
//! with `SYNACK_REQUIRE_LAB=1` it fails instead.

use std::path::PathBuf;
use synack::run::{self, CaseReport, SuiteOptions};
use synack::target::Target;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cases side by side for the grid's cells on a real-time target: a
/// thousand cells of a few tenths of a second each. Four, not eight: at
/// eight on a two-core machine a CLOSING or LAST-ACK cell (the FIN's
/// retransmission ~0.2 s after the case's lines began) flipped in about one
/// run in four (session 11's CI and the lead's regeneration; 0 of 4 runs of
/// the lab test alone). Cause (session 12): a harness thread descheduled
/// past the target's RTO, fixed in `harness/src/run/late.rs` and the
/// `either` (tests/late_harness.rs); four kept until measured at eight.
const GRID_JOBS: usize = 4;

/// The suite on one target, judged by the target's own profile, with the
/// target's waivers applied: the cases one at a time (timing-sensitive ones
/// do not compete for the CPU), then the grid's cells (`cases/grid/`)
/// `grid_jobs` at a time.
fn run_suite(target: &dyn Target, profile: &str, grid_jobs: usize) -> Vec<CaseReport> {
    run_suite_with(target, profile, Some(grid_jobs))
}

/// [`run_suite`], the grid only with `grid_jobs` (`None`: the cases alone).
fn run_suite_with(target: &dyn Target, profile: &str, grid_jobs: Option<usize>) -> Vec<CaseReport> {
    let cases = run::case::load_all(&[root().join("cases")]).expect("cases load");
    let waivers = root().join(format!("cases/waivers/{}.txt", target.name()));
    let opts = SuiteOptions {
        waivers: run::Waivers::load(&waivers).expect("waivers load"),
        run: run::RunOptions {
            profile: profile.into(),
            ..run::RunOptions::default()
        },
        // `long` cases wait minutes to hours of real time (T35, T48, T49):
        // only the embedded target's virtual clock runs them here.
        skip_tags: if target.name() == "embedded" {
            vec!["grid".into()]
        } else {
            vec!["grid".into(), "long".into()]
        },
        ..SuiteOptions::default()
    };
    let (_, mut reports) = run::run_suite(target, &cases, &opts, &mut []).expect("suite runs");
    let Some(grid_jobs) = grid_jobs else {
        return reports;
    };
    // selected by tag from the same list, so every case keeps its index (and
    // its harness address) as in one run
    let grid_opts = SuiteOptions {
        jobs: grid_jobs,
        tags: vec!["grid".into()],
        skip_tags: Vec::new(),
        ..opts
    };
    let (_, grid) = run::run_suite(target, &cases, &grid_opts, &mut []).expect("grid runs");
    reports.extend(grid);
    reports
}

/// A snapshot per case; the grid's cells as one summary of verdicts
/// (`grid.snap`: a thousand transcripts per target would drown the review).
fn check_snapshots(dir: &str, reports: &[CaseReport]) {
    insta::with_settings!({
        snapshot_path => root().join("reports").join(dir),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        for r in reports.iter().filter(|r| !r.id.starts_with("grid/")) {
            let name = r.id.replace('/', "__");
            insta::assert_snapshot!(name, synack::report::snapshot::normalise(r));
        }
        if reports.iter().any(|r| r.id.starts_with("grid/")) {
            // The summary holds verdicts only: say why each failing cell
            // failed, so a changed verdict can be read from the test's output.
            for r in reports
                .iter()
                .filter(|r| r.id.starts_with("grid/") && r.outcome.is_failure())
            {
                eprintln!(
                    "{dir}: {} {:?}: {}",
                    r.id,
                    r.outcome,
                    r.reason.as_deref().unwrap_or("(no reason)")
                );
            }
            insta::assert_snapshot!(
                synack::report::coverage::GRID_SNAPSHOT,
                synack::report::coverage::grid_verdicts(reports)
            );
        }
    });
}

/// The lab, or `None` with the reason printed (a failure under SYNACK_REQUIRE_LAB=1).
fn lab() -> Option<synack::target::lab::Lab> {
    match synack::target::lab::Lab::start(Default::default()) {
        Ok(lab) => Some(lab),
        Err(e) if std::env::var_os("SYNACK_REQUIRE_LAB").is_some_and(|v| v == "1") => {
            panic!("SYNACK_REQUIRE_LAB=1 but the lab target cannot start: {e}")
        }
        Err(e) => {
            eprintln!("skipping: the lab target cannot start here ({e})");
            None
        }
    }
}

/// lwIP (native/lwip/synack-lwip, built here) on the tap target, named
/// `lwip`, or `None` with the reason printed (a failure under
/// SYNACK_REQUIRE_LAB=1).
fn lwip() -> Option<synack::target::tap::Tap> {
    let required = std::env::var_os("SYNACK_REQUIRE_LAB").is_some_and(|v| v == "1");
    let bin = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("synack-lwip-reports");
    let built = std::process::Command::new("bash")
        .arg(root().join("native/lwip/build.sh"))
        .arg(&bin)
        .output()
        .expect("bash runs");
    if !built.status.success() {
        let why = String::from_utf8_lossy(&built.stderr).into_owned();
        assert!(
            !required,
            "SYNACK_REQUIRE_LAB=1 but lwIP does not build: {why}"
        );
        eprintln!("skipping lwIP: it does not build here ({why})");
        return None;
    }
    let options = synack::target::tap::TapOptions {
        exec: bin.display().to_string(),
        name: Some("lwip".into()),
        ..Default::default()
    };
    match synack::target::tap::Tap::start(options) {
        Ok(t) => Some(t),
        Err(e) if required => panic!("SYNACK_REQUIRE_LAB=1 but lwIP cannot start: {e}"),
        Err(e) => {
            eprintln!("skipping lwIP: the tap target cannot start here ({e})");
            None
        }
    }
}

/// The grid's verdicts recorded for `target` in `reports/<target>/grid.snap`.
fn recorded_grid(target: &str) -> Vec<CaseReport> {
    let cases = run::case::load_all(&[root().join("cases")]).expect("cases load");
    let file = root().join("reports").join(target).join("grid.snap");
    let text = std::fs::read_to_string(&file).expect("the recorded grid reads");
    synack::report::recorded::recorded_grid(&cases, target, &text, &file.display().to_string())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn embedded_transcripts() {
    let reports = run_suite(&synack::target::embedded::Embedded::new(), "smoltcp", 1);
    check_snapshots("embedded", &reports);
}

/// The lab's and lwIP's transcripts, and `reports/MATRIX.md` (which needs
/// every target), from one run of the suite on each: one real-time target
/// at a time, so real-time cases do not compete for the CPU.
#[test]
fn lab_transcripts_and_the_conformance_matrix() {
    let Some(lab) = lab() else { return };
    let lab_reports = run_suite(&lab, "linux", GRID_JOBS);
    check_snapshots("lab", &lab_reports);
    let rows = vec![
        (
            "embedded".to_string(),
            run_suite(&synack::target::embedded::Embedded::new(), "smoltcp", 1),
        ),
        ("lab".to_string(), lab_reports),
    ];
    drop(lab);
    // lwIP on the tap target: its transcripts, and its column. Not a run of
    // the grid: its 1059 cells run one at a time there (about 6 minutes);
    // its column takes the verdicts recorded in reports/lwip/grid.snap,
    // which `.ci/lwip-grid` re-runs a third of (all in .ci/nightly) with
    // lwIP's waivers and compares (`synack report matrix` does the same).
    let Some(lwip) = lwip() else { return };
    let mut lwip_reports = run_suite_with(&lwip, "rfc9293", None);
    lwip_reports.extend(recorded_grid("lwip"));
    // lwIP sends a delayed ACK on its free-running 250-ms timer
    // (tcp_fasttmr), so its times move by up to 250 ms from run to run:
    // its transcripts are kept without times (an hour's resolution).
    let untimed: Vec<CaseReport> = lwip_reports
        .iter()
        .cloned()
        .map(|mut r| {
            r.resolution = std::time::Duration::from_secs(3600);
            r
        })
        .collect();
    check_snapshots("lwip", &untimed);
    let mut rows = rows;
    rows.push(("lwip".to_string(), lwip_reports));
    let fresh = synack::report::matrix(&rows);
    let path = root().join("reports/MATRIX.md");
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("INSTA_UPDATE").is_some_and(|v| v == "always") {
        std::fs::write(&path, &fresh).expect("write MATRIX.md");
        return;
    }
    assert!(
        kept == fresh,
        "reports/MATRIX.md is out of date: run `cargo run -p synack -- report matrix --exec \"$(bash native/lwip/build.sh)\" --name lwip` (as root) and review the diff\n--- kept\n{kept}\n--- fresh\n{fresh}"
    );
}
