//! What a case's run comes to: the verdict its mismatches and violations
//! make, and the report's oracle findings.

use super::Stop;
use crate::oracle::Finding;
use crate::run::event::{CaseReport, Mismatch, Outcome, Violation};
use crate::run::mapping::Mapping;
use crate::script::{PacketLine, Value};
use std::time::Duration;

/// The line number of the script's first `state` line, if any.
pub(super) fn first_state_line(script: &crate::script::Script) -> Option<u32> {
    use crate::script::{Item, LineKind};
    script.items.iter().find_map(|item| match item {
        Item::Line(l) => matches!(l.kind, LineKind::State(_)).then_some(l.span.line),
        Item::Either { branches, .. } => branches
            .iter()
            .flatten()
            .find(|l| matches!(l.kind, LineKind::State(_)))
            .map(|l| l.span.line),
    })
}

pub(super) fn finish(report: &mut CaseReport, result: Result<(), Stop>) {
    match result {
        Err(Stop::Unsupported(m)) => {
            report.outcome = Outcome::Unsupported;
            report.reason = Some(m);
            return;
        }
        Err(Stop::Error(m)) => {
            report.outcome = Outcome::Error;
            report.reason = Some(m);
            return;
        }
        Err(Stop::Failed) | Ok(()) => {}
    }
    if let Some((outcome, reason)) = verdict(&report.mismatches, &report.violations) {
        report.outcome = outcome;
        report.reason = Some(reason);
    }
}

/// The verdict the mismatches and violations make, with its one-line
/// reason: `None` for a pass. A mismatch fails first, then a MUST violation
/// no profile allows; a deviation the profile allows is labelled as such.
pub(crate) fn verdict(
    mismatches: &[Mismatch],
    violations: &[Violation],
) -> Option<(Outcome, String)> {
    if let Some(m) = mismatches.first() {
        let reason = match m.line {
            Some(l) => format!("line {l}: {}", m.message),
            None => m.message.clone(),
        };
        return Some((Outcome::Fail, reason));
    }
    if let Some(v) = violations
        .iter()
        .find(|v| v.level == "MUST" && v.deviation.is_none())
    {
        return Some((
            Outcome::Fail,
            format!("{} ({}): {}", v.rule, cite(v), v.text()),
        ));
    }
    violations.iter().find(|v| v.deviation.is_some()).map(|v| {
        let reason = format!(
            "{}: {} (allowed by profile: {})",
            v.rule,
            v.text(),
            v.deviation.as_deref().unwrap_or("")
        );
        (Outcome::Deviation, reason)
    })
}

/// `RFC 9293 §3.10.7.1, MUST-2`, or the section alone.
pub fn cite(v: &Violation) -> String {
    if v.requirement.is_empty() {
        v.section.clone()
    } else {
        format!("{}, {}", v.section, v.requirement)
    }
}

/// An oracle finding as the report carries it, its sequence numbers placed
/// in each side's space by `map` (the transcript's mapping).
pub(crate) fn violation(f: Finding, entry: Option<usize>, map: &Mapping) -> Violation {
    let isns = crate::report::finding::Isns {
        target: map.target_isn,
        peer: map.harness_isn,
    };
    Violation {
        rule: f.rule.name().to_string(),
        level: f.level.to_string(),
        section: f.section.to_string(),
        requirement: f.requirement.to_string(),
        numbers: isns.numbers(&f.message),
        message: f.message.text().to_string(),
        deviation: f.deviation,
        entry,
    }
}

/// The script-space sequence number and TSval a `>` line writes (zero for `*`).
pub(super) fn script_numbers(p: &PacketLine) -> (u32, u32) {
    let seq = p
        .seq
        .as_ref()
        .and_then(|s| s.node.exact().copied())
        .map(|r| r.start)
        .unwrap_or(0);
    let ts = p
        .options
        .as_ref()
        .and_then(|l| {
            l.items.iter().find_map(|o| match &o.node {
                crate::script::OptSpec::Ts {
                    val: Value::Exact(v),
                    ..
                } => Some(*v),
                _ => None,
            })
        })
        .unwrap_or(0);
    (seq, ts)
}

/// Seconds with millisecond precision.
pub fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}
