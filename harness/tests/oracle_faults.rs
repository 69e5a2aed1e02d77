//! The oracle catches a misbehaving target with no script to help it:
//! `synack run --oracle-only --fault F` must fail, naming the rule that F
//! breaks, while the same run without a fault passes.

mod common;

use common::text;
use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg("run")
        .args(args)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases"))
        .env("NO_COLOR", "1")
        .output()
        .expect("synack runs")
}

#[test]
fn the_oracle_alone_passes_a_healthy_target() {
    for profile in ["smoltcp", "rfc9293"] {
        let o = run(&["--oracle-only", "--profile", profile]);
        assert_eq!(o.status.code(), Some(0), "{profile}: {}", text(&o));
    }
}

#[test]
fn every_injected_fault_is_caught_by_its_rule() {
    for (fault, rule) in [
        ("flip-ack", "[syn-ack-acks-isn]"),
        ("drop-rst", "[rst-not-sent]"),
        ("rst-for-rst", "[rst-for-rst]"),
        ("data-past-window", "[data-beyond-window]"),
        ("data-after-fin", "[data-after-fin]"),
    ] {
        let o = run(&["--oracle-only", "--fault", fault]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{fault}: {out}");
        assert!(
            out.contains(&format!("MUST violation {rule}")),
            "{fault} → {rule}: {out}"
        );
        assert!(out.contains("RFC 9293 §"), "{fault}: cites the RFC: {out}");
    }
}

#[test]
fn an_unknown_fault_is_a_usage_error() {
    let o = run(&["--fault", "gremlins"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("invalid value 'gremlins' for '--fault <FAULT>'")
            && text(&o).contains("flip-ack"),
        "names the value and lists the faults: {}",
        text(&o)
    );
}
