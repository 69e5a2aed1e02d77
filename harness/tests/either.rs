//! `either` blocks with `state` lines: a branch of only a state line waits
//! for its time (no segment may arrive before it), and a block where no
//! branch matches fails at once with every branch's reason; it never spins.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;
use synack::run::{self, EntryKind, Outcome, RunOptions};
use synack::target::embedded::Embedded;

/// Runs a fixture on the embedded target, failing the test if the runner
/// does not come back within 20 s (it once spun forever here).
fn run_fixture(name: &str) -> run::CaseReport {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let case = run::case::load(&path).expect("the fixture loads");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let report = run::run_case(&Embedded::new(), &case, 0, &RunOptions::default());
        let _ = tx.send(report);
    });
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{name}: the runner did not finish within 20 s"))
}

#[test]
fn a_state_only_branch_is_taken_at_its_time_when_nothing_arrives() {
    let r = run_fixture("either-state-nothing.pkt");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
    let taken = r.transcript.iter().find_map(|e| match &e.what {
        EntryKind::Note(n) => Some((e.at, n.clone())),
        _ => None,
    });
    let (at, note) = taken.expect("the taken branch is noted");
    assert_eq!(note, "either: branch 2 of 2 taken");
    assert_eq!(
        at,
        Duration::from_millis(420),
        "taken at the state line's time"
    );
}

#[test]
fn no_matching_branch_fails_at_once_with_every_reason() {
    let r = run_fixture("either-no-match-state.pkt");
    assert_eq!(r.outcome, Outcome::Fail);
    let m = &r.mismatches[0].message;
    assert!(m.contains("branch 1: tcp.flags: expected R., got ."), "{m}");
    assert!(
        m.contains("branch 2: socket.state: expected SYN-RECEIVED, got CLOSE-WAIT"),
        "{m}"
    );
}
