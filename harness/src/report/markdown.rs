//! `summary.md`: the run for people, in a PR comment or a CI summary page.
//!
//! A header with target, profile and seed; the totals; a table with one
//! row per case (id, title, covers, outcome, reason); the violations with
//! RFC section and requirement id; the deviations and waivers with their
//! reasons. Every cell is escaped ([`super::text::md_cell`]).

use super::text::md_cell;
use crate::run::{CaseReport, Outcome, RunInfo, RunSummary};
use std::fmt::Write as _;

/// The closing line every report shares: `N passed, N failed, N skipped`
/// plus the other outcomes that occurred.
pub fn totals_line(s: &RunSummary) -> String {
    let mut parts = vec![
        format!("{} passed", s.passed),
        format!("{} failed", s.failed),
    ];
    for (n, what) in [
        (s.errors, "errors"),
        (s.deviations, "deviations"),
        (s.waived, "waived"),
        (s.unsupported, "unsupported"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.push(format!("{} skipped", s.skipped));
    parts.join(", ")
}

/// `summary.md` text for a run.
pub fn summary_md(info: &RunInfo, summary: &RunSummary, cases: &[CaseReport]) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# synack results: {}\n", md_cell(&info.target));
    let _ = writeln!(m, "| | |\n|---|---|");
    let _ = writeln!(m, "| Target | {} |", md_cell(&info.target));
    let _ = writeln!(m, "| Profile | {} |", md_cell(&info.profile));
    let _ = writeln!(m, "| Seed | {} |", info.seed);
    if let Some(sh) = &info.shard {
        let _ = writeln!(m, "| Shard | {} |", md_cell(sh));
    }
    if info.oracle_only {
        let _ = writeln!(m, "| Mode | oracle only (`>` lines ignored) |");
    }
    let _ = writeln!(m, "| Cases | {} |", cases.len());
    let _ = writeln!(m, "\n**{}**\n", totals_line(summary));

    m.push_str("## Cases\n\n| Case | Title | Covers | Outcome | Reason |\n|---|---|---|---|---|\n");
    for c in cases {
        let outcome = match c.outcome {
            Outcome::Fail | Outcome::Error => format!("**{}**", c.outcome.name()),
            o => o.name().to_string(),
        };
        let _ = writeln!(
            m,
            "| `{}` | {} | {} | {outcome} | {} |",
            c.id.replace('`', "'")
                .replace('|', "\\|")
                .replace(['\n', '\r'], " "),
            md_cell(c.title.as_deref().unwrap_or("")),
            md_cell(&c.covers.join(", ")),
            md_cell(c.reason.as_deref().unwrap_or(""))
        );
    }

    let violations: Vec<_> = cases
        .iter()
        .flat_map(|c| c.violations.iter().map(move |v| (c, v)))
        .filter(|(_, v)| v.deviation.is_none())
        .collect();
    m.push_str("\n## Violations\n\n");
    if violations.is_empty() {
        m.push_str("None.\n");
    } else {
        m.push_str("| Case | Level | RFC section | Requirement | Rule | Message |\n|---|---|---|---|---|---|\n");
        for (c, v) in violations {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                md_cell(&c.id),
                md_cell(&v.level),
                md_cell(&v.section),
                md_cell(&v.requirement),
                md_cell(&v.rule),
                md_cell(&v.text())
            );
        }
    }

    m.push_str("\n## Deviations and waivers\n\n");
    let mut any = false;
    for c in cases {
        for v in &c.violations {
            if let Some(d) = &v.deviation {
                any = true;
                let _ = writeln!(
                    m,
                    "- {}: deviation from {} {} ({}), allowed by profile {}: {}",
                    md_cell(&c.id),
                    md_cell(&v.requirement),
                    md_cell(&v.section),
                    md_cell(&v.text()),
                    md_cell(&c.profile),
                    md_cell(d)
                );
            }
        }
        if let Some(w) = &c.waiver {
            any = true;
            let _ = writeln!(m, "- {}: waived: {}", md_cell(&c.id), md_cell(w));
        }
    }
    if !any {
        m.push_str("None.\n");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn md() -> String {
        let cases = fixture::all();
        let mut s = RunSummary::default();
        for c in &cases {
            s.add(c.outcome);
        }
        let info = RunInfo {
            target: "embedded".into(),
            profile: "rfc9293".into(),
            seed: 42,
            cases: cases.len(),
            shard: Some("1/2".into()),
            oracle_only: false,
        };
        summary_md(&info, &s, &cases)
    }

    #[test]
    fn header_names_target_profile_seed_and_totals() {
        let m = md();
        assert!(m.starts_with("# synack results: embedded\n"), "{m}");
        assert!(
            m.contains("| Profile | rfc9293 |\n| Seed | 42 |\n| Shard | 1/2 |"),
            "{m}"
        );
        assert!(
            m.contains("**1 passed, 1 failed, 1 deviations, 1 waived, 1 unsupported, 0 skipped**"),
            "{m}"
        );
    }

    #[test]
    fn one_row_per_case_and_violations_with_citations() {
        let m = md();
        assert!(m.contains("| `core/b02-closed-rst` | SYN to a closed port is answered by RST\\|ACK | MUST-2, RST-CLOSED | **fail** | tcp.ack: expected 1, got 2 |"), "{m}");
        assert!(
            m.contains(
                "| core/b02-closed-rst | MUST | RFC 9293 §3.10.7.1 | MUST-2 | rst-closed-ack |"
            ),
            "{m}"
        );
        assert_eq!(m.matches("\n| `").count(), 5);
    }

    #[test]
    fn deviations_and_waivers_with_reasons() {
        let m = md();
        assert!(
            m.contains("allowed by profile smoltcp: smoltcp keeps TIME-WAIT for 10 s"),
            "{m}"
        );
        assert!(
            m.contains("- core/b09-waived: waived: smoltcp acks SYN+1 twice; upstream issue 123"),
            "{m}"
        );
    }

    #[test]
    fn titles_cannot_inject_markup() {
        let m = md();
        assert!(!m.contains("<script>"), "{m}");
        assert!(m.contains("&lt;script&gt;"), "{m}");
    }
}
