//! `junit.xml`: what a CI system reads.
//!
//! One `<testsuites>` holding one `<testsuite name="synack.<target>">`, with
//! one `<testcase classname="synack.<target>.<dir>" name="<case id>">` per
//! case, `<dir>` being the case id's directory with `/` as `.` (`core` for
//! `core/b01-handshake`; `cases` for an id without one). `time` is the
//! case's wall time in seconds. Run facts (profile, seed, shard,
//! oracle-only) are `<property>`s of the suite.
//!
//! | outcome | element |
//! |---|---|
//! | pass | none |
//! | fail | `<failure type="mismatch">` when a line did not match, else `<failure type="violation">` (a MUST violation) |
//! | error | `<error type="error">` |
//! | unsupported, skipped | `<skipped message="unsupported: …">` |
//! | waived | `<skipped message="waived: <reason>">`, and the failure's text in `<system-out>` |
//! | deviation | none; the deviations in `<system-out>` |
//!
//! The failure's `message` is the case's one-line reason; its text lists
//! every mismatch and every violation with RFC section and requirement id.
//! SHOULD violations (warnings) and deviations go to `<system-out>`.
//!
//! Written through `quick-junit` (nextest's JUnit model and serialiser):
//! escaping, counts and element order are its. Times have its millisecond
//! precision; characters XML 1.0 cannot carry are dropped.

use crate::run::{CaseReport, Outcome, RunInfo, RunSummary};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;

/// The testcase classname for a case.
pub fn classname(target: &str, id: &str) -> String {
    let dir = match id.rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => dir.replace('/', "."),
        _ => "cases".to_string(),
    };
    format!("synack.{target}.{dir}")
}

/// The full failure text: every mismatch and violation, one per line.
fn problems(case: &CaseReport) -> String {
    let mut s = String::new();
    for m in &case.mismatches {
        let line = m.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        let _ = writeln!(s, "mismatch: {line}{}", m.message);
        if let Some(src) = &m.source {
            let _ = writeln!(s, "  case line: {src}");
        }
        if let Some(e) = &m.expected {
            let _ = writeln!(s, "  expected: {e}");
        }
        if let Some(a) = &m.actual {
            let _ = writeln!(s, "  actual:   {a}");
        }
    }
    for v in case.violations.iter().filter(|v| v.deviation.is_none()) {
        let _ = writeln!(
            s,
            "violation: {} {} ({}, rule {}): {}",
            v.level,
            v.requirement,
            v.section,
            v.rule,
            v.text()
        );
        if let Some(at) = super::finding::at_segment(case, v) {
            let _ = writeln!(s, "  at {at}");
        }
    }
    s
}

/// Deviations, waiver and warnings, for `<system-out>`.
fn notes(case: &CaseReport) -> String {
    let mut s = String::new();
    if let Some(w) = &case.waiver {
        let _ = writeln!(s, "waived: {w}");
    }
    for v in &case.violations {
        if let Some(d) = &v.deviation {
            let _ = writeln!(
                s,
                "deviation: {} {} ({}, rule {}): {} -- allowed by profile {}: {d}",
                v.level,
                v.requirement,
                v.section,
                v.rule,
                v.text(),
                case.profile
            );
        }
    }
    s
}

/// `junit.xml` text for a run.
pub fn junit_xml(info: &RunInfo, summary: &RunSummary, cases: &[CaseReport]) -> String {
    let mut suite = TestSuite::new(format!("synack.{}", info.target));
    suite.set_time(summary.wall_time);
    let mut props = vec![
        ("target", info.target.clone()),
        ("profile", info.profile.clone()),
        ("seed", info.seed.to_string()),
        ("oracle_only", info.oracle_only.to_string()),
    ];
    if let Some(sh) = &info.shard {
        props.push(("shard", sh.clone()));
    }
    for (k, v) in props {
        suite.add_property(Property::new(k, v));
    }
    for c in cases {
        let reason = c.reason.clone().unwrap_or_default();
        let status = match c.outcome {
            Outcome::Pass | Outcome::Deviation => TestCaseStatus::success(),
            Outcome::Fail | Outcome::Error => {
                let (kind, ty) = match (c.outcome, c.mismatches.is_empty()) {
                    (Outcome::Error, _) => (NonSuccessKind::Error, "error"),
                    (_, true) => (NonSuccessKind::Failure, "violation"),
                    (_, false) => (NonSuccessKind::Failure, "mismatch"),
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(reason.as_str())
                    .set_type(ty)
                    .set_description(problems(c));
                s
            }
            Outcome::Unsupported | Outcome::Skipped | Outcome::Waived => {
                let why = match c.outcome {
                    Outcome::Waived => c.waiver.clone().unwrap_or_else(|| reason.clone()),
                    _ => reason.clone(),
                };
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("{}: {why}", c.outcome.name()));
                s
            }
        };
        let mut tc = TestCase::new(&*c.id, status);
        tc.set_classname(classname(&c.target, &c.id));
        tc.set_time(c.wall_time);
        tc.extra.insert("file".into(), (&*c.path).into());
        let mut out = notes(c);
        if c.outcome == Outcome::Waived {
            out.push_str(&problems(c));
        }
        for v in c
            .violations
            .iter()
            .filter(|v| v.deviation.is_none() && v.level != "MUST" && c.outcome != Outcome::Fail)
        {
            let _ = writeln!(
                out,
                "warning: {} {} ({}, rule {}): {}",
                v.level,
                v.requirement,
                v.section,
                v.rule,
                v.text()
            );
        }
        if !out.is_empty() {
            tc.set_system_out(out);
        }
        suite.add_test_case(tc);
    }
    let mut report = Report::new("synack");
    report.set_time(summary.wall_time);
    report.add_test_suite(suite);
    // Serialising into memory fails only on an I/O error, which a Vec never
    // returns; say so in the file rather than panic.
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- junit.xml could not be written: {e} -->\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;
    use std::time::Duration;

    fn info() -> RunInfo {
        RunInfo {
            target: "embedded".into(),
            profile: "rfc9293".into(),
            seed: 7,
            cases: 5,
            shard: None,
            oracle_only: false,
        }
    }

    fn xml() -> String {
        let cases = fixture::all();
        let summary = RunSummary {
            wall_time: Duration::from_millis(5),
            ..RunSummary::default()
        };
        junit_xml(&info(), &summary, &cases)
    }

    #[test]
    fn classnames_use_the_case_directory() {
        assert_eq!(classname("lab", "core/b01"), "synack.lab.core");
        assert_eq!(classname("lab", "a/b/c"), "synack.lab.a.b");
        assert_eq!(classname("lab", "top"), "synack.lab.cases");
    }

    #[test]
    fn suite_counts_and_properties() {
        let x = xml();
        assert!(x.contains("<testsuite name=\"synack.embedded\" tests=\"5\" skipped=\"2\" errors=\"0\" failures=\"1\" time=\"0.005\">"), "{x}");
        assert!(x.contains("<property name=\"seed\" value=\"7\"/>"), "{x}");
    }

    #[test]
    fn a_failure_carries_the_mismatch_and_the_rfc_citation() {
        let x = xml();
        assert!(
            x.contains("name=\"core/b02-closed-rst\" classname=\"synack.embedded.core\""),
            "{x}"
        );
        assert!(
            x.contains("<failure message=\"tcp.ack: expected 1, got 2\" type=\"mismatch\">"),
            "{x}"
        );
        assert!(
            x.contains("violation: MUST MUST-2 (RFC 9293 §3.10.7.1, rule rst-closed-ack)"),
            "{x}"
        );
    }

    #[test]
    fn waivers_and_deviations_go_to_system_out() {
        let x = xml();
        assert!(
            x.contains(
                "<skipped message=\"waived: smoltcp acks SYN+1 twice; upstream issue 123\"/>"
            ),
            "{x}"
        );
        assert!(x.contains("<system-out>waived: smoltcp acks"), "{x}");
        assert!(x.contains("deviation: SHOULD MUST-13"), "{x}");
    }

    #[test]
    fn nasty_strings_are_escaped() {
        let x = xml();
        assert!(x.contains("name=\"odd/x&lt;&amp;&gt;&quot;&apos;\""), "{x}");
        assert!(
            x.contains("message=\"unsupported: needs setsockopt(SO_LINGER) &lt;&amp;&gt; ]]&gt;\""),
            "{x}"
        );
        assert!(!x.contains('\u{1}') && !x.contains('\u{7}'));
        // Every `<` that is not markup is escaped: the only tags are ours.
        for tag in x.split('<').skip(1) {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "?/-".contains(*c))
                .collect();
            assert!(
                [
                    "?xml",
                    "testsuites",
                    "/testsuites",
                    "testsuite",
                    "/testsuite",
                    "properties",
                    "/properties",
                    "property",
                    "testcase",
                    "/testcase",
                    "failure",
                    "/failure",
                    "error",
                    "/error",
                    "skipped",
                    "system-out",
                    "/system-out"
                ]
                .contains(&name.as_str()),
                "unexpected tag {name:?}"
            );
        }
    }
}
