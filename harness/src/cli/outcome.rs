//! How a finished run ends: its exit code, and a sentence when the code is
//! not the plain pass or fail the closing line already says.
//!
//! Precedence, highest first (README.md, "Exit codes"):
//! 3 when any case is an *error* (the harness or the target broke: the run
//! is incomplete, so its verdict is not a verdict, even with failures
//! beside it; they are still listed and in every report); 1 when a case
//! failed, a waiver is stale, or (with `--fail-on-unsupported`) a case is
//! unsupported; 4 when nothing was tested (every selected case unsupported
//! or skipped, or none selected: nextest's code for "no tests run"); 0
//! otherwise. Usage and script errors (2) end a run before it starts.

use super::exit;
use crate::run::RunSummary;

/// What ends the run, beyond the per-case outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunEnd {
    /// `--fail-on-unsupported`: an unsupported case fails the run.
    pub fail_on_unsupported: bool,
    /// Waiver lines that name no case (each already reported).
    pub unknown_waivers: usize,
}

/// The exit code of a run, and why when it is not 0 or a plain failure.
pub fn run_exit(s: &RunSummary, end: RunEnd) -> (u8, Option<String>) {
    let tested = s.passed + s.deviations + s.failed + s.waived;
    if s.errors > 0 {
        let what = if s.errors == 1 { "case" } else { "cases" };
        return (
            exit::INFRA,
            Some(format!(
                "{} {what} could not be run (error: the harness or the target broke, not a \
                 verdict on the stack); the run is incomplete (exit {})",
                s.errors,
                exit::INFRA
            )),
        );
    }
    if s.failed > 0 {
        return (exit::FAIL, None);
    }
    if end.unknown_waivers > 0 {
        return (
            exit::FAIL,
            Some(format!(
                "{} stale waiver line(s) name no case (exit {})",
                end.unknown_waivers,
                exit::FAIL
            )),
        );
    }
    if end.fail_on_unsupported && s.unsupported > 0 {
        return (
            exit::FAIL,
            Some(format!(
                "{} unsupported case(s) fail the run under --fail-on-unsupported (exit {})",
                s.unsupported,
                exit::FAIL
            )),
        );
    }
    if tested == 0 {
        return (
            exit::NOTHING_TESTED,
            Some(format!(
                "nothing was tested: every selected case was unsupported or skipped, or none was \
                 selected (exit {})",
                exit::NOTHING_TESTED
            )),
        );
    }
    (exit::PASS, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(counts: [usize; 7]) -> RunSummary {
        let [passed, failed, errors, unsupported, deviations, waived, skipped] = counts;
        RunSummary {
            passed,
            failed,
            errors,
            unsupported,
            deviations,
            waived,
            skipped,
            ..RunSummary::default()
        }
    }

    #[test]
    fn errors_outrank_failures_which_outrank_nothing_tested() {
        let plain = RunEnd::default();
        let strict = RunEnd {
            fail_on_unsupported: true,
            ..RunEnd::default()
        };
        let code = |c, end| run_exit(&summary(c), end).0;
        assert_eq!(code([3, 0, 0, 0, 0, 0, 0], plain), 0);
        assert_eq!(code([0, 0, 0, 0, 1, 0, 0], plain), 0, "a deviation passed");
        assert_eq!(code([0, 0, 0, 0, 0, 1, 0], plain), 0, "a waived case ran");
        assert_eq!(code([3, 1, 0, 0, 0, 0, 0], plain), 1);
        assert_eq!(
            code([3, 1, 1, 0, 0, 0, 0], plain),
            3,
            "errors win over failures"
        );
        assert_eq!(
            code([0, 0, 1, 2, 0, 0, 0], plain),
            3,
            "errors win over nothing tested"
        );
        assert_eq!(code([0, 0, 0, 2, 0, 0, 1], plain), 4);
        assert_eq!(code([0, 0, 0, 0, 0, 0, 0], plain), 4, "nothing selected");
        assert_eq!(
            code([0, 0, 0, 2, 0, 0, 0], strict),
            1,
            "unsupported fails when asked"
        );
        assert_eq!(code([1, 0, 0, 2, 0, 0, 0], plain), 0);
        assert_eq!(code([1, 0, 0, 2, 0, 0, 0], strict), 1);
        let stale = RunEnd {
            unknown_waivers: 1,
            ..RunEnd::default()
        };
        assert_eq!(code([1, 0, 0, 0, 0, 0, 0], stale), 1);
        assert_eq!(code([1, 0, 1, 0, 0, 0, 0], stale), 3);
    }

    #[test]
    fn the_messages_say_why_and_the_code() {
        let (_, m) = run_exit(&summary([0, 0, 0, 1, 0, 0, 0]), RunEnd::default());
        assert_eq!(
            m.as_deref(),
            Some("nothing was tested: every selected case was unsupported or skipped, or none was selected (exit 4)")
        );
        let (_, m) = run_exit(&summary([0, 1, 2, 0, 0, 0, 0]), RunEnd::default());
        assert_eq!(
            m.as_deref(),
            Some("2 cases could not be run (error: the harness or the target broke, not a verdict on the stack); the run is incomplete (exit 3)")
        );
        assert_eq!(
            run_exit(&summary([0, 1, 0, 0, 0, 0, 0]), RunEnd::default()).1,
            None
        );
    }
}
