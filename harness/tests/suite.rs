//! The suite through the library: both legal FIN orders pass, numbers map
//! across the 2^32 wrap, runs are deterministic, and `--jobs` changes nothing.

use std::path::PathBuf;
use synack::run::{self, EntryKind, Outcome, RunOptions, SuiteOptions};
use synack::target::embedded::Embedded;

fn cases() -> Vec<run::Case> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases");
    run::case::load_all(&[root]).expect("the cases load")
}

/// The suite on the embedded target, with its waiver file applied.
fn suite(opts: &SuiteOptions) -> Vec<run::CaseReport> {
    let waivers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases/waivers/embedded.txt");
    let opts = SuiteOptions {
        waivers: run::Waivers::load(&waivers).expect("waivers load"),
        ..opts.clone()
    };
    let (_, reports) = run::run_suite(&Embedded::new(), &cases(), &opts, &mut []).expect("runs");
    reports
}

fn notes(r: &run::CaseReport) -> Vec<String> {
    r.transcript
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::Note(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn both_legal_fin_orders_pass_b02() {
    let reports = suite(&SuiteOptions {
        tags: vec!["core".into()],
        ..SuiteOptions::default()
    });
    let together = reports
        .iter()
        .find(|r| &*r.id == "core/b02-fin-ack-together")
        .expect("case");
    let apart = reports
        .iter()
        .find(|r| &*r.id == "core/b02-ack-then-fin")
        .expect("case");
    assert_eq!(together.outcome, Outcome::Pass, "{:?}", together.reason);
    assert_eq!(apart.outcome, Outcome::Pass, "{:?}", apart.reason);
    assert_eq!(
        notes(together),
        ["either: branch 1 of 2 taken"],
        "ACK and FIN in one segment"
    );
    assert_eq!(
        notes(apart),
        ["either: branch 2 of 2 taken"],
        "ACK first, FIN after"
    );
}

#[test]
fn every_case_passes_with_the_harness_isn_near_the_wrap() {
    for isn in [u32::MAX, u32::MAX - 20, 0x7fff_fff0] {
        let opts = SuiteOptions {
            run: RunOptions {
                harness_isn: Some(isn),
                ..RunOptions::default()
            },
            ..SuiteOptions::default()
        };
        for r in suite(&opts) {
            assert!(
                !r.outcome.is_failure(),
                "isn {isn:#x}: {} {:?}",
                r.id,
                r.reason
            );
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_transcripts() {
    let a = suite(&SuiteOptions::default());
    let b = suite(&SuiteOptions::default());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.transcript, y.transcript, "{}", x.id);
    }
}

#[test]
fn jobs_change_nothing_but_speed() {
    let one = suite(&SuiteOptions::default());
    let four = suite(&SuiteOptions {
        jobs: 4,
        ..SuiteOptions::default()
    });
    let verdicts = |v: &[run::CaseReport]| {
        v.iter()
            .map(|r| (r.id.clone(), r.outcome))
            .collect::<Vec<_>>()
    };
    assert_eq!(verdicts(&one), verdicts(&four));
    for (x, y) in one.iter().zip(&four) {
        assert_eq!(x.transcript, y.transcript, "{}", x.id);
    }
}

#[test]
fn a_strict_profile_run_reports_the_profile_in_every_case() {
    let opts = SuiteOptions {
        run: RunOptions {
            profile: "rfc9293".into(),
            ..RunOptions::default()
        },
        ..SuiteOptions::default()
    };
    for r in suite(&opts) {
        assert_eq!(r.profile, "rfc9293");
    }
}

#[test]
fn every_case_passes_over_ipv6() {
    let opts = SuiteOptions {
        run: RunOptions {
            family: synack::target::IpFamily::V6,
            ..RunOptions::default()
        },
        ..SuiteOptions::default()
    };
    for r in suite(&opts) {
        assert!(
            !r.outcome.is_failure(),
            "{} over IPv6: {:?}",
            r.id,
            r.reason
        );
        // A case unsupported before it starts (a `%{ }%` block without
        // commands allowed) opens no session: no address. A case that pins
        // its family with packetdrill's `--ip_version=ipv4` stays IPv4.
        let pinned = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../cases/{}.pkt", r.id)),
        )
        .is_ok_and(|s| s.lines().any(|l| l.trim() == "--ip_version=ipv4"));
        if !pinned && (!r.target_addr.is_empty() || r.outcome != Outcome::Unsupported) {
            assert!(
                r.target_addr.to_string().starts_with("[2001:db8:"),
                "{}",
                r.target_addr
            );
        }
    }
}

#[test]
fn waivers_waive_failures_and_a_passing_waived_case_is_stale_except_oracle_only() {
    let cases = cases();
    let b01: Vec<run::Case> = cases
        .into_iter()
        .filter(|c| c.id == "core/b01-handshake")
        .collect();
    let waivers = run::Waivers::parse("core/b01-handshake  a reason\n", "w.txt").expect("parses");
    let outcome = |oracle_only: bool| {
        let opts = SuiteOptions {
            run: RunOptions {
                oracle_only,
                ..RunOptions::default()
            },
            waivers: waivers.clone(),
            ..SuiteOptions::default()
        };
        let (_, r) = run::run_suite(&Embedded::new(), &b01, &opts, &mut []).expect("runs");
        (r[0].outcome, r[0].reason.clone())
    };
    let (o, why) = outcome(false);
    assert_eq!(
        o,
        Outcome::Fail,
        "a waived case that passes is a stale waiver"
    );
    assert!(why.unwrap_or_default().contains("stale waiver"));
    assert_eq!(
        outcome(true).0,
        Outcome::Pass,
        "not stale when `>` lines are not checked"
    );
}
