//! `.ci/stages.sh`, the stage timing of `.ci/run`: every `echo "== NAME"`
//! starts a timed stage, a table ends the run, and a run over the budget
//! (`SYNACK_CI_BUDGET_MIN`) fails even when every stage passed.

use std::process::{Command, Output};

fn run(budget_min: &str, body: &str) -> Output {
    let stages = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/stages.sh");
    Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n. '{stages}'\n{body}"))
        .env("SYNACK_CI_BUDGET_MIN", budget_min)
        .output()
        .expect("bash runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const TWO_STAGES: &str = "echo \"== one\"\nsleep 1\necho \"== two\"\necho plain words\n";

#[test]
fn each_stage_is_timed_and_tabled() {
    let o = run("45", TWO_STAGES);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("== one\n"), "{out}");
    assert!(
        out.contains("== one: 0m01s\n") || out.contains("== one: 0m02s\n"),
        "{out}"
    );
    assert!(
        out.contains("plain words\n"),
        "a plain echo stays an echo: {out}"
    );
    let table = out
        .split("== stage times (budget 45 min)\n")
        .nth(1)
        .expect("a table");
    let rows: Vec<&str> = table.lines().map(str::trim).collect();
    assert_eq!(rows.len(), 3, "{table}");
    assert!(
        rows[0].ends_with("s  one") && rows[1].ends_with("s  two"),
        "{table}"
    );
    assert!(rows[2].ends_with("s  total"), "{table}");
}

#[test]
fn a_run_over_the_budget_fails() {
    let o = run("0", TWO_STAGES);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("== over budget: "), "{err}");
    assert!(err.contains("> 0 min"), "{err}");
}

#[test]
fn a_failing_stage_keeps_its_exit_code() {
    let o = run("45", "echo \"== breaks\"\nexit 7\n");
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(7), "{out}{err}");
    assert!(
        out.contains("breaks\n") && out.contains("total (failed: exit 7)"),
        "{out}"
    );
}
