//! A harness that runs late on a loaded machine must not change a verdict
//! (issue #12): the lab's CLOSING and LAST-ACK grid cells failed when the
//! target's FIN retransmission (RTO ~0.2 s) came while a descheduled
//! harness thread had not yet done the case's next line. Here the harness
//! is made late on purpose (`RunOptions::stall`: it sleeps before a line,
//! as a preempted thread would) and the verdict and snapshot form must be
//! those of the on-time run. With the harness on time, a retransmission
//! where the script expects silence still fails the case.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{lab_or_skip, root};
use std::path::Path;
use std::time::Duration;
use synack::report::snapshot::normalise;
use synack::run::case::{load, load_source};
use synack::run::{run_case, CaseReport, EntryKind, Outcome, RunOptions, LATE_NOTE};

/// The grid cell that flipped in session 11's CI (CLOSING; lines 19, 22:
/// harness segments; 21, 24: state reads; 25: the `either` of the FIN's
/// retransmission or silence).
const CELL: &str = "cases/grid/closing/ack-seq-edge-1-ack-beyond.pkt";

fn run(stall: Option<(u32, u64)>) -> CaseReport {
    let lab = lab_or_skip().expect("checked by the caller");
    let case = load(&root().join(CELL)).expect("the grid cell loads");
    let opts = RunOptions {
        profile: "linux".into(),
        stall: stall.map(|(line, ms)| (line, Duration::from_millis(ms))),
        ..RunOptions::default()
    };
    run_case(&lab, &case, 0, &opts)
}

fn shown(r: &CaseReport) -> String {
    format!(
        "{:?} {:?} {:?}\n{}",
        r.reason,
        r.mismatches,
        r.violations,
        normalise(r)
    )
}

/// The harness late at each kind of line of the cell: the verdict and the
/// snapshot form are the on-time run's.
#[test]
fn a_late_harness_leaves_the_closing_cells_verdict_and_snapshot_alone() {
    if lab_or_skip().is_none() {
        return;
    }
    let on_time = run(None);
    assert_eq!(on_time.outcome, Outcome::Pass, "{}", shown(&on_time));
    // Line 24 (the state read before the `either`) 700 ms late: the FIN
    // retransmitted meanwhile came before the `either`'s silent branch
    // was due, so that branch cannot win over it (it did: the FIN was then
    // "unexpected after the last line"). Line 21 (a state read) and line
    // 19 (an injection) 300 ms late: the FIN retransmitted while the
    // harness was late is judged, not matched, and the next one, which the
    // `either` takes 400 ms later (backed off), shows `rto-too-short`
    // (Linux's 200 ms, allowed by the profile) only because the harness
    // was late: it is noted, not the outcome (it was `deviation`).
    for (line, ms) in [(24, 700), (21, 300), (19, 300), (22, 300)] {
        let late = run(Some((line, ms)));
        assert_eq!(
            late.outcome,
            Outcome::Pass,
            "harness {ms} ms late at line {line}: {}",
            shown(&late)
        );
        assert_eq!(
            normalise(&late),
            normalise(&on_time),
            "harness {ms} ms late at line {line}: the snapshot form changed"
        );
    }
}

/// With the harness on time, the target's FIN retransmission where the
/// script expects 0.5 s of silence is a mismatch: lateness is what excuses
/// it, nothing else. (A 0.2 s tolerance: the harness may run up to that
/// late on a loaded machine before it would excuse the FIN.)
#[test]
fn a_retransmission_the_script_does_not_expect_fails_when_the_harness_is_on_time() {
    let Some(lab) = lab_or_skip() else { return };
    let text = "\
//! service: silent
//! tolerance: 0.2
0      < S 0:0(0) win 65535 <mss 1460>
+0     > S. 0:0(0) ack 1 <...>
+0.01  < . 1:1(0) ack 1 win 65535
+0.01  shutdown(4, SHUT_WR) = 0
+0~0.2 > F. 1:1(0) ack 1
+0.01  < F. 1:1(0) ack 1 win 65535
+0~0.2 > . 2:2(0) ack 2
+0.8   state CLOSING
";
    let case = load_source(Path::new("/tmp/late-silence.pkt"), text.into()).expect("loads");
    let opts = RunOptions {
        profile: "linux".into(),
        ..RunOptions::default()
    };
    let r = run_case(&lab, &case, 0, &opts);
    let excused = r
        .transcript
        .iter()
        .any(|e| matches!(&e.what, EntryKind::Note(n) if n.starts_with(LATE_NOTE)));
    assert!(!excused, "the harness was on time: {}", shown(&r));
    assert_eq!(r.outcome, Outcome::Fail, "{}", shown(&r));
    assert!(
        r.mismatches
            .iter()
            .any(|m| m.message.contains("unexpected segment")
                && m.actual.as_deref().is_some_and(|a| a.starts_with("F."))),
        "{}",
        shown(&r)
    );
}
