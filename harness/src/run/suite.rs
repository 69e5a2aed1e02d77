//! A suite: selection (tags, shards), waivers, `--jobs N` side by side, and
//! the event stream to the reporters in case order.

use super::case::Case;
use super::event::{CaseReport, Event, Outcome, Reporter, RunInfo, RunSummary};
use super::runner::{run_case, RunOptions};
use crate::target::Target;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// `--shard K/N`: the K-th of N stable slices (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K: which slice, from 1.
    pub k: u32,
    /// N: how many slices.
    pub n: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N, e.g. 2/3");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl Shard {
    /// Whether the case with this id falls in the shard: by a stable hash of
    /// the id, so a case stays in its shard when others are added.
    pub fn contains(&self, id: &str) -> bool {
        (super::runner::stable_hash(id) % u64::from(self.n)) as u32 == self.k - 1
    }
}

/// Known deviations of one target: case id → one-line reason
/// (rustls bogo style). A waived case that passes is a stale waiver and fails.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Waivers {
    /// Case id → the one-line reason it is waived.
    pub reasons: BTreeMap<String, String>,
    /// Where each waiver was written: `file:line`.
    pub at: BTreeMap<String, String>,
}

impl Waivers {
    /// Parses `case-id  reason` lines; `#` starts a comment.
    pub fn parse(text: &str, file: &str) -> Result<Waivers, String> {
        let mut reasons = BTreeMap::new();
        let mut at = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, reason) = line
                .split_once(char::is_whitespace)
                .map(|(a, b)| (a, b.trim()))
                .unwrap_or((line, ""));
            if reason.is_empty() {
                return Err(format!(
                    "{file}:{}:1: waiver for `{id}` has no reason (write: case-id  one-line reason)",
                    i + 1
                ));
            }
            reasons.insert(id.to_string(), reason.to_string());
            at.insert(id.to_string(), format!("{file}:{}", i + 1));
        }
        Ok(Waivers { reasons, at })
    }

    /// Waivers that name no case: neither one of `cases` nor a file
    /// `<root>/<id>.pkt` (a case left out of this run still exists). Such a
    /// waiver is stale like one whose case passes: each message says where
    /// it is and what to do.
    pub fn unknown(&self, cases: &[Case], root: &Path) -> Vec<String> {
        self.reasons
            .keys()
            .filter(|id| !cases.iter().any(|c| &c.id == *id))
            .filter(|id| {
                !root
                    .join(format!("{id}.{}", super::case::CASE_EXTENSION))
                    .is_file()
            })
            .map(|id| {
                let at = self.at.get(id).map(String::as_str).unwrap_or("waivers");
                format!(
                    "{at}: stale waiver: `{id}` names no case (no {}); remove it from the waiver file or fix the id",
                    root.join(format!("{id}.{}", super::case::CASE_EXTENSION)).display()
                )
            })
            .collect()
    }

    /// Reads a waiver file; a missing file is no waivers.
    pub fn load(path: &Path) -> Result<Waivers, String> {
        match std::fs::read_to_string(path) {
            Ok(t) => Waivers::parse(&t, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Waivers::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Applies the waiver (if any) to a finished case. With `oracle_only`
    /// the `>` lines a waiver may be about were not checked, so a passing
    /// waived case is not a stale waiver there.
    pub fn apply(&self, report: &mut CaseReport, oracle_only: bool) {
        let Some(reason) = self.reasons.get(&*report.id) else {
            return;
        };
        match report.outcome {
            Outcome::Fail => {
                report.outcome = Outcome::Waived;
                report.waiver = Some(reason.clone());
            }
            Outcome::Pass | Outcome::Deviation if !oracle_only => {
                report.outcome = Outcome::Fail;
                report.reason = Some(format!(
                    "stale waiver: the case passes now on {}; remove it from the waiver file ({reason})",
                    report.target
                ));
            }
            _ => {}
        }
    }
}

/// How a suite runs.
#[derive(Clone, Debug, Default)]
pub struct SuiteOptions {
    /// How each case runs (seed, profile, address family, …).
    pub run: RunOptions,
    /// Cases side by side (each on its own session).
    pub jobs: usize,
    /// Only cases with at least one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Leave out cases with any of these tags.
    pub skip_tags: Vec<String>,
    /// `--shard`: only the cases of this slice.
    pub shard: Option<Shard>,
    /// Known deviations of the target; a waived case that passes fails the run.
    pub waivers: Waivers,
}

/// The cases a run selects, each with its index in the full list (which
/// fixes its harness address and so does not change with sharding).
pub fn select<'a>(cases: &'a [Case], opts: &SuiteOptions) -> Vec<(u32, &'a Case)> {
    cases
        .iter()
        .enumerate()
        .filter(|(_, c)| opts.tags.is_empty() || c.meta.tags.iter().any(|t| opts.tags.contains(t)))
        .filter(|(_, c)| !c.meta.tags.iter().any(|t| opts.skip_tags.contains(t)))
        .filter(|(_, c)| opts.shard.is_none_or(|s| s.contains(&c.id)))
        .map(|(i, c)| (i as u32, c))
        .collect()
}

/// Runs the selected cases and feeds every reporter, in case order.
pub fn run_suite(
    target: &dyn Target,
    cases: &[Case],
    opts: &SuiteOptions,
    reporters: &mut [&mut dyn Reporter],
) -> std::io::Result<(RunSummary, Vec<CaseReport>)> {
    let start = Instant::now();
    let selected = select(cases, opts);
    let info = RunInfo {
        target: target.name().to_string(),
        profile: opts.run.profile.clone(),
        seed: opts.run.seed,
        cases: selected.len(),
        shard: opts.shard.map(|s| s.to_string()),
        oracle_only: opts.run.oracle_only,
    };
    for r in reporters.iter_mut() {
        r.event(&Event::RunStarted(&info))?;
    }
    let mut summary = RunSummary::default();
    let mut reports: Vec<CaseReport> = Vec::with_capacity(selected.len());
    let jobs = opts.jobs.max(1).min(selected.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, CaseReport)>();
    std::thread::scope(|scope| -> std::io::Result<()> {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, selected) = (&next, &selected);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((index, case)) = selected.get(i) else {
                    break;
                };
                // A panic in a case (the in-process stack's or the
                // harness's) is that case's error; the run goes on.
                let started = Instant::now();
                let mut report = match long_skipped(target, case, opts, started) {
                    Some(r) => r,
                    None => catch_unwind(AssertUnwindSafe(|| {
                        run_case(target, case, *index, &opts.run)
                    }))
                    .unwrap_or_else(|p| {
                        panicked(target, case, &opts.run, &panic_text(p.as_ref()), started)
                    }),
                };
                opts.waivers.apply(&mut report, opts.run.oracle_only);
                if tx.send((i, report)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Emit in case order, whatever order the jobs finish in.
        let mut pending: BTreeMap<usize, CaseReport> = BTreeMap::new();
        let mut emitted = 0;
        for (i, report) in rx {
            pending.insert(i, report);
            while let Some(report) = pending.remove(&emitted) {
                for r in reporters.iter_mut() {
                    r.event(&Event::CaseStarted {
                        index: emitted,
                        id: &report.id,
                    })?;
                    r.event(&Event::CaseFinished(&report))?;
                }
                summary.add(report.outcome);
                reports.push(report);
                emitted += 1;
            }
        }
        Ok(())
    })?;
    summary.wall_time = start.elapsed();
    for r in reporters.iter_mut() {
        r.event(&Event::RunFinished(&summary))?;
    }
    Ok((summary, reports))
}

/// The message a panic carried.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// The report of a case that panicked: an error with the panic's message.
/// The tag of cases that wait minutes to hours (T35's TIME-WAIT, T48's
/// two idle hours, T49's R2): instant on a virtual clock, so they run there;
/// on a real-time target only when `--tags long` selects them.
pub const LONG_TAG: &str = "long";

/// A skipped report for a `long` case on a real-time target that the run
/// did not select by its tag.
fn long_skipped(
    target: &dyn Target,
    case: &Case,
    opts: &SuiteOptions,
    started: Instant,
) -> Option<CaseReport> {
    let long = case.meta.tags.iter().any(|t| t == LONG_TAG);
    if !long || target.capabilities().virtual_time || opts.tags.iter().any(|t| t == LONG_TAG) {
        return None;
    }
    let mut r = panicked(target, case, &opts.run, "", started);
    r.outcome = Outcome::Skipped;
    r.reason = Some(format!(
        "tagged `{LONG_TAG}`: it waits minutes to hours of real time on this target; select it with --tags {LONG_TAG}"
    ));
    Some(r)
}

fn panicked(
    target: &dyn Target,
    case: &Case,
    opts: &RunOptions,
    message: &str,
    started: Instant,
) -> CaseReport {
    let profile = case
        .meta
        .profile
        .clone()
        .unwrap_or_else(|| opts.profile.clone());
    let mut r = CaseReport::unrun(
        case,
        target.name(),
        profile,
        Outcome::Error,
        format!("panicked: {message}"),
    );
    r.seed = opts.seed;
    r.wall_time = started.elapsed();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_reject_nonsense() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { k: 2, n: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn every_id_falls_in_exactly_one_shard() {
        for id in ["a", "core/b01", "establishment/t05", "zz/top"] {
            let n = (1..=3)
                .filter(|k| Shard { k: *k, n: 3 }.contains(id))
                .count();
            assert_eq!(n, 1, "{id}");
        }
    }

    #[test]
    fn waivers_need_a_reason() {
        let w = Waivers::parse("# c\ncore/b01  smoltcp does X\n", "w.txt").expect("parses");
        assert_eq!(w.reasons["core/b01"], "smoltcp does X");
        let e = Waivers::parse("core/b01\n", "w.txt").expect_err("no reason");
        assert!(e.contains("w.txt:1:1"), "{e}");
    }
}
