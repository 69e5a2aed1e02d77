//! The terminal reporter: a line per case; on a failure the expected and the
//! actual segment, the case line and the transcript; a closing line
//! `N passed, N failed, N waived, N unsupported, N skipped, N errors`. Colour and a progress bar only when the
//! output is a terminal; plain lines in CI. Part of the `cli` feature (it
//! is the command line's reporter, and needs indicatif).
#![cfg(feature = "cli")]

use crate::run::{CaseReport, Dir, EntryKind, Event, Outcome, Reporter, RunSummary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

/// Writes human-readable progress to a stream.
pub struct Terminal<W: Write> {
    out: W,
    colour: bool,
    verbose: bool,
    progress: Option<ProgressBar>,
}

impl Terminal<std::io::Stdout> {
    /// To stdout, with colour and a progress bar when it is a terminal.
    pub fn stdout(verbose: bool) -> Self {
        let tty = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Terminal {
            out: std::io::stdout(),
            colour: tty,
            verbose,
            progress: tty.then(ProgressBar::hidden),
        }
    }
}

impl<W: Write> Terminal<W> {
    /// To any writer, without colour or progress bar.
    pub fn plain(out: W, verbose: bool) -> Self {
        Terminal {
            out,
            colour: false,
            verbose,
            progress: None,
        }
    }

    /// The writer, back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn badge(&self, outcome: Outcome) -> String {
        let (code, text) = match outcome {
            Outcome::Pass => ("32", "PASS"),
            Outcome::Fail => ("31;1", "FAIL"),
            Outcome::Error => ("31;1", "ERROR"),
            Outcome::Unsupported => ("33", "UNSUPPORTED"),
            Outcome::Deviation => ("36", "DEVIATION"),
            Outcome::Waived => ("33", "WAIVED"),
            Outcome::Skipped => ("2", "SKIPPED"),
        };
        self.paint(code, &format!("{text:<11}"))
    }

    fn case(&mut self, c: &CaseReport) -> std::io::Result<()> {
        let time = if c.virtual_time {
            format!(
                "{:.3} s virtual, {:.1} ms",
                c.session_time.as_secs_f64(),
                c.wall_time.as_secs_f64() * 1e3
            )
        } else {
            format!("{:.3} s", c.wall_time.as_secs_f64())
        };
        let line = format!("{} {}  ({time})", self.badge(c.outcome), c.id);
        let mut text = vec![line];
        let detail = c.outcome != Outcome::Pass || self.verbose;
        // A failing case lists its mismatches and violations in full below;
        // the one-line reason would repeat the first (issue #15: `synack
        // judge` printed each finding twice).
        let listed = c.outcome.is_failure()
            && (!c.mismatches.is_empty() || c.violations.iter().any(|v| v.deviation.is_none()));
        if detail && !listed {
            if let Some(r) = &c.reason {
                text.push(format!("    {r}"));
            }
            if let Some(w) = &c.waiver {
                text.push(format!("    waived: {w}"));
            }
        }
        let full = c.outcome.is_failure() || self.verbose;
        if !full {
            // SHOULD violations do not fail a case, but they are shown.
            for v in c
                .violations
                .iter()
                .filter(|v| v.level == "SHOULD" && v.deviation.is_none())
            {
                text.push(format!(
                    "    warning: SHOULD [{}] {}: {}",
                    v.rule,
                    crate::run::runner::cite(v),
                    v.text()
                ));
            }
        }
        if full {
            for m in &c.mismatches {
                // A mismatch after the last line (an unexpected segment in
                // the quiet period) has no line of its own.
                let at = match m.line {
                    Some(l) => format!("{}:{l}", c.path),
                    None => c.path.to_string(),
                };
                text.push(format!("    {at}: {}", m.message));
                if let Some(src) = &m.source {
                    text.push(format!("      line:     {}", src.trim()));
                }
                if let Some(e) = m
                    .expected
                    .as_ref()
                    .filter(|e| m.source.as_deref().map(str::trim) != Some(e.trim()))
                {
                    text.push(format!("      expected: {e}"));
                }
                if let Some(a) = &m.actual {
                    text.push(format!("      actual:   {a}"));
                }
            }
            for v in &c.violations {
                let dev = v
                    .deviation
                    .as_ref()
                    .map(|d| format!(" [deviation: {d}]"))
                    .unwrap_or_default();
                text.push(format!(
                    "    {} violation [{}] {}: {}{dev}{}",
                    v.level,
                    v.rule,
                    crate::run::runner::cite(v),
                    v.text(),
                    super::finding::suffix(c, v)
                ));
            }
            if !c.transcript.is_empty() {
                text.push(format!(
                    "    transcript ({}):",
                    crate::report::times::clock_label(c.virtual_time)
                ));
                text.extend(
                    transcript_lines(c)
                        .into_iter()
                        .map(|l| format!("      {l}")),
                );
            }
        }
        let block = text.join("\n");
        match &self.progress {
            Some(pb) => {
                pb.println(&block);
                pb.inc(1);
                Ok(())
            }
            None => writeln!(self.out, "{block}"),
        }
    }

    fn summary(&mut self, s: &RunSummary) -> std::io::Result<()> {
        if let Some(pb) = self.progress.take() {
            pb.finish_and_clear();
        }
        if s.deviations > 0 {
            writeln!(
                self.out,
                "({} of the passed deviated as the profile allows; {:.2} s)",
                s.deviations,
                s.wall_time.as_secs_f64()
            )?;
        }
        let line = closing_line(s);
        let line = if s.failed + s.errors > 0 {
            self.paint("31;1", &line)
        } else if s.passed + s.deviations + s.waived == 0 {
            self.paint("33", &line)
        } else {
            self.paint("32", &line)
        };
        writeln!(self.out, "{line}")
    }
}

/// The closing line's counts, each outcome apart, `N passed, N failed`
/// first as CI tools read it: `3 passed, 0 failed, 2 waived, 1
/// unsupported, 0 skipped, 0 errors`. Passed includes deviations the
/// profile allows (a line above says how many).
pub fn closing_line(s: &RunSummary) -> String {
    format!(
        "{} passed, {} failed, {} waived, {} unsupported, {} skipped, {} errors",
        s.passed + s.deviations,
        s.failed,
        s.waived,
        s.unsupported,
        s.skipped,
        s.errors
    )
}

/// The transcript as lines: time, direction, script form, and the line.
pub fn transcript_lines(c: &CaseReport) -> Vec<String> {
    c.transcript
        .iter()
        .map(|e| {
            let at = format!("{:>11}", crate::report::times::clock_time(e.at));
            let line = e.line.map(|l| format!("  (line {l})")).unwrap_or_default();
            match &e.what {
                EntryKind::Packet {
                    dir, checksum_ok, ..
                } => {
                    let script = e.what.script();
                    let arrow = match dir {
                        Dir::In => "<",
                        Dir::Out => ">",
                    };
                    let bad = if *checksum_ok { "" } else { " [bad checksum]" };
                    format!("{at} {arrow} {script}{bad}{line}")
                }
                EntryKind::State { state, .. } => format!("{at}   state {state}{line}"),
                EntryKind::App { action, result } => {
                    format!("{at}   app {action} = {result}{line}")
                }
                EntryKind::Note(n) => format!("{at}   // {n}{line}"),
            }
        })
        .collect()
}

impl<W: Write> Reporter for Terminal<W> {
    fn event(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        match event {
            Event::RunStarted(info) => {
                if let Some(pb) = &self.progress {
                    pb.set_length(info.cases as u64);
                    pb.set_style(
                        ProgressStyle::with_template("{bar:30} {pos}/{len} cases {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    pb.set_draw_target(ProgressDrawTarget::stderr());
                }
                let shard = info
                    .shard
                    .as_ref()
                    .map(|s| format!(", shard {s}"))
                    .unwrap_or_default();
                let oracle = if info.oracle_only {
                    ", oracle only"
                } else {
                    ""
                };
                let header = format!(
                    "synack: {} cases on target {}, profile {}, seed {}{shard}{oracle}",
                    info.cases, info.target, info.profile, info.seed
                );
                match &self.progress {
                    Some(pb) => {
                        pb.println(header);
                        Ok(())
                    }
                    None => writeln!(self.out, "{header}"),
                }
            }
            Event::CaseStarted { .. } => Ok(()),
            Event::CaseFinished(c) => self.case(c),
            Event::RunFinished(s) => self.summary(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_line_counts_each_outcome_with_passed_and_failed_first() {
        let s = RunSummary {
            passed: 2,
            deviations: 1,
            failed: 0,
            waived: 2,
            unsupported: 1,
            skipped: 0,
            errors: 0,
            ..RunSummary::default()
        };
        assert_eq!(
            closing_line(&s),
            "3 passed, 0 failed, 2 waived, 1 unsupported, 0 skipped, 0 errors"
        );
        let mut t = Terminal::plain(Vec::new(), false);
        t.event(&Event::RunFinished(&s)).expect("writes");
        let out = String::from_utf8(t.into_inner()).expect("utf-8");
        assert!(
            out.starts_with("(1 of the passed deviated as the profile allows; "),
            "{out}"
        );
        assert!(
            out.ends_with("\n3 passed, 0 failed, 2 waived, 1 unsupported, 0 skipped, 0 errors\n"),
            "{out}"
        );
    }
}
