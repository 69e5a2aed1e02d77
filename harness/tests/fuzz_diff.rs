//! Differential fuzzing (`synack diff --fuzz`): the same mutated operation
//! lists on two targets, differences grouped by signature. A target against
//! itself differs nowhere; against a copy with a known fault the differences
//! carry the fault's rule, and the artifact written for them replays it.
//!
//! The lab test skips with a message without CAP_NET_ADMIN, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{lab_or_skip, root, text};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use synack::fuzzing::{
    decode, diff_fuzz, diff_input, repro_case, run_on, seed_corpus, signature, Class, DiffCampaign,
    DiffFuzzOptions, Normalise, Side,
};
use synack::oracle::Profile;
use synack::run;
use synack::target::embedded::Embedded;
use synack::target::fault::{Fault, Faulty};
use synack::target::Target;

/// Seed inputs from the suite (fuzz/corpus is not committed), without the
/// grid's thousand generated cells, which would make most of the seeds.
fn corpus() -> Vec<Vec<u8>> {
    let mut cases = run::case::load_all(&[root().join("cases")]).expect("the suite loads");
    cases.retain(|c| !c.id.starts_with("grid/"));
    seed_corpus(&cases).into_iter().map(|(_, d)| d).collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synack-fuzz-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn options(runs: u64, artifacts: Option<PathBuf>) -> DiffFuzzOptions {
    DiffFuzzOptions {
        seed: 7,
        duration: Duration::from_secs(120),
        max_runs: Some(runs),
        norm: Normalise::default(),
        artifacts,
    }
}

fn campaign(b: &dyn Target, runs: u64, artifacts: Option<PathBuf>) -> DiffCampaign {
    diff_fuzz(
        &Embedded::new(),
        b,
        &corpus(),
        &options(runs, artifacts),
        |_| {},
    )
    .expect("the campaign runs")
}

#[test]
fn embedded_against_itself_differs_nowhere() {
    let c = campaign(&Embedded::new(), 300, None);
    assert_eq!(c.runs, 300);
    assert!(c.groups().is_empty(), "{}", c.summary());
    assert!(!c.has_conformance());
}

#[test]
fn flipped_acks_are_conformance_differences_labelled_on_the_faulty_side() {
    let dir = temp_dir("flip-ack");
    let faulty = Faulty::new(Embedded::new(), Fault::FlipAck);
    let c = campaign(&faulty, 200, Some(dir.clone()));
    assert!(c.has_conformance(), "{}", c.summary());
    let isn = c
        .group("b: syn-ack-acks-isn (MUST violation)")
        .unwrap_or_else(|| panic!("no SYN-ACK group:\n{}", c.summary()));
    assert_eq!(isn.class, Class::Conformance);
    // The SYN-ACK comes before the harness anchors anything to its ACK; later
    // segments anchored to RCV.NXT (the flipped ACK) differ between the runs.
    assert_eq!(isn.after_divergence, 0, "{}", c.summary());
    assert!(
        c.groups().iter().any(|g| g.after_divergence > 0),
        "{}",
        c.summary()
    );
    // A failing label on side a is the unfaulted stack's own finding (it
    // shows on a plain run of the input too); all the others are b's.
    for g in c.groups() {
        let plain = run_on(
            &Embedded::new(),
            &decode(&g.input),
            Profile::smoltcp(),
            false,
        )
        .expect("plain run");
        for l in g
            .example
            .labels
            .iter()
            .filter(|l| l.fails() && l.side == Side::A)
        {
            assert!(
                plain.findings.iter().any(|(_, f)| f.rule.name() == l.rule),
                "{}: {l} is not smoltcp's own finding",
                g.signature
            );
        }
    }
    // The artifact replays the same difference, on a fresh pair of targets.
    let path = isn.artifact.clone().expect("artifact written");
    let data = std::fs::read(&path).expect("artifact readable");
    assert_eq!(data, isn.input);
    let again = diff_input(
        &data,
        &Embedded::new(),
        &Faulty::new(Embedded::new(), Fault::FlipAck),
        0,
        Normalise::default(),
    )
    .expect("replays");
    assert!(
        again.iter().any(|d| signature(d) == isn.signature),
        "{again:#?}"
    );
    // And `synack repro` finds the failure on the faulty target.
    let r = repro_case(&data, &faulty, Profile::smoltcp()).expect("repro runs");
    assert_ne!(r.kind, "none", "{}", r.case);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dropped_resets_are_labelled_rst_not_sent() {
    let faulty = Faulty::new(Embedded::new(), Fault::DropRst);
    let c = campaign(&faulty, 300, None);
    let g = c
        .group("b: rst-not-sent (MUST violation)")
        .unwrap_or_else(|| panic!("no rst-not-sent group:\n{}", c.summary()));
    assert!(g.inputs > 0);
    assert!(g.example.b.as_deref().is_none_or(|b| !b.starts_with('R')));
}

#[test]
fn many_inputs_make_few_distinct_differences() {
    let faulty = Faulty::new(Embedded::new(), Fault::DataAfterFin);
    let c = campaign(&faulty, 300, None);
    let groups = c.groups();
    assert!(c.differing > 0, "{}", c.summary());
    // Nearly every input that differs shows the fault's rule (data the
    // faulty side sends after its FIN can also land after the connection
    // closed, and is then labelled that way), and the report is a handful
    // of lines, not one per input.
    let fault = c
        .group("b: data-after-fin (MUST violation)")
        .unwrap_or_else(|| panic!("no data-after-fin group:\n{}", c.summary()));
    assert!(fault.inputs * 10 >= c.differing * 9, "{}", c.summary());
    assert!(groups.len() as u64 * 4 <= c.differing, "{}", c.summary());
}

fn synack(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("synack runs");
    (out.status.code().unwrap_or(-1), text(&out))
}

#[test]
fn cli_exit_code_is_one_only_for_a_conformance_difference_and_artifacts_replay() {
    let seeds = temp_dir("cli-corpus");
    for (i, d) in corpus().iter().enumerate() {
        std::fs::write(seeds.join(format!("seed-{i:03}")), d).expect("seed written");
    }
    let artifacts = temp_dir("cli-artifacts");
    let c = seeds.to_str().expect("utf-8 temp path");
    let a = artifacts.to_str().expect("utf-8 temp path");
    let common = [
        "diff",
        "--fuzz",
        "--targets",
        "embedded,embedded",
        "--corpus",
        c,
        "--artifacts",
        a,
        "--runs",
        "150",
        "--seconds",
        "60",
    ];
    let (code, text) = synack(&common);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("150 inputs, 0 with differences"), "{text}");
    let mut faulty = common.to_vec();
    faulty.extend(["--fault", "flip-ack"]);
    let (code, text) = synack(&faulty);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("b: syn-ack-acks-isn (MUST violation)"),
        "{text}"
    );
    let written: Vec<PathBuf> = std::fs::read_dir(&artifacts)
        .expect("artifacts dir")
        .map(|e| e.expect("entry").path())
        .collect();
    let isn = written
        .iter()
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("diff-b-syn-ack-acks-isn-must-violation-"))
        })
        .unwrap_or_else(|| panic!("no artifact for the SYN-ACK in {written:?}"));
    let p = isn.to_str().expect("utf-8 temp path");
    let (code, text) = synack(&[
        "diff",
        "--targets",
        "embedded,embedded",
        "--fault",
        "flip-ack",
        "--input",
        p,
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("signature: b: syn-ack-acks-isn (MUST violation)"),
        "{text}"
    );
    let (code, text) = synack(&["diff", "--targets", "embedded,embedded", "--input", p]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = synack(&["diff", "--fuzz", "--targets", "embedded", "--corpus", c]);
    assert_eq!(code, 2, "{text}");
    let (code, text) = synack(&[
        "diff",
        "--fuzz",
        "--targets",
        "embedded,embedded",
        "--fault",
        "no-such",
    ]);
    assert_eq!(code, 2, "{text}");
    let _ = std::fs::remove_dir_all(&seeds);
    let _ = std::fs::remove_dir_all(&artifacts);
}

/// The core cases' seeds against smoltcp and the local kernel: they differ (smoltcp
/// folds its FIN into the last data segment, Linux sends it apart), no
/// input breaks the lab's plumbing, and each difference's artifact exists.
#[test]
fn embedded_against_lab_finds_the_fin_folding_difference() {
    let Some(lab) = lab_or_skip() else {
        return;
    };
    let dir = temp_dir("lab");
    // The core cases' seeds and a few mutations: a few seconds on the lab.
    let cases = run::case::load_all(&[root().join("cases/core")]).expect("the core cases load");
    let seeds: Vec<Vec<u8>> = seed_corpus(&cases).into_iter().map(|(_, d)| d).collect();
    let opts = DiffFuzzOptions {
        seed: 1,
        duration: Duration::from_secs(60),
        max_runs: Some(seeds.len() as u64 + 5),
        norm: Normalise::default(),
        artifacts: Some(dir.clone()),
    };
    let c = diff_fuzz(&Embedded::new(), &lab, &seeds, &opts, |_| {}).expect("the campaign runs");
    assert!(c.runs > 0);
    assert!(c.differing > 0, "{}", c.summary());
    for g in c.groups() {
        let p = g.artifact.as_ref().expect("artifact written");
        assert_eq!(std::fs::read(p).expect("artifact readable"), g.input);
        assert!(!g.signature.contains("error"), "{}", c.summary());
    }
    assert!(
        c.groups()
            .iter()
            .any(|g| g.signature == "a F. / b ." || g.signature == "a F. / b P."),
        "{}",
        c.summary()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
