//! Issue #15 item 1: an oracle finding's sequence and acknowledgment
//! numbers read as the transcript beside it does, relative to each side's
//! ISN, while the report's `message` (the JSON's) keeps the live ones.

use std::path::PathBuf;
use synack::run::{self, RunOptions};
use synack::target::embedded::Embedded;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// smoltcp takes text past the peer's FIN in CLOSE-WAIT and ACKs it: the
/// transcript says `> . 1:1(0) ack 12` after `< F. 1:1(0)` and `< P. 2:12(10)`.
#[test]
fn ack_past_fin_quotes_the_transcripts_numbers() {
    let case = run::case::load(&root().join("cases/close/t32-data-beyond-fin.pkt")).expect("loads");
    // Seeds give different ISNs: the relative text is the same for each.
    for seed in [1, 7, 0xdead_beef] {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        let r = run::run_case(&Embedded::new(), &case, 0, &opts);
        let v = r
            .violations
            .iter()
            .find(|v| v.rule == "ack-past-fin")
            .unwrap_or_else(|| panic!("seed {seed}: no ack-past-fin in {:?}", r.violations));
        assert_eq!(
            v.text(),
            "ack 12 covers text the harness sent after its FIN at 1 (RCV.NXT 2)",
            "seed {seed}"
        );
        // The live numbers stay in the message, each with its relative value.
        assert_ne!(v.message, v.text(), "seed {seed}: absolute numbers kept");
        let rel: Vec<u32> = v.numbers.iter().map(|n| n.relative).collect();
        assert_eq!(rel, [12, 1, 2], "seed {seed}");
        assert!(v
            .numbers
            .iter()
            .all(|n| n.space == synack::oracle::Space::Peer));
        let reason = r.reason.as_deref().unwrap_or("");
        assert!(
            !reason.contains(&v.numbers[0].absolute.to_string()),
            "{reason}"
        );
    }
}

/// smoltcp sends data past SND.NXT: `segment starts at 151 but SND.NXT is
/// 101`, numbers in the target's own space.
#[test]
fn seq_gap_quotes_the_targets_numbers_relative_to_its_iss() {
    let path = root().join("cases/regressions/smoltcp-ack-of-buffered-unsent-data.pkt");
    let case = run::case::load(&path).expect("loads");
    let r = run::run_case(&Embedded::new(), &case, 0, &RunOptions::default());
    let v = r
        .violations
        .iter()
        .find(|v| v.rule == "seq-gap")
        .unwrap_or_else(|| panic!("no seq-gap in {:?}", r.violations));
    assert_eq!(
        v.text(),
        "segment starts at 151 but SND.NXT is 101 (50 octets never sent)"
    );
    assert!(v
        .numbers
        .iter()
        .all(|n| n.space == synack::oracle::Space::Target));
}
