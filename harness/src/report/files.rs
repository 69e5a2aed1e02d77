//! The report directory: every format at once ([`write_all`]), shards joined
//! ([`merge`]), and the reporter that writes a run's directory when it ends
//! ([`ReportWriter`]).

use super::html::index_html;
use super::json::{read_results, to_json};
use super::junit::junit_xml;
use super::markdown::summary_md;
use super::pcap::case_pcap_bytes_from;
use super::snapshot::transcript_text;
use super::text::case_file_stem;
use crate::run::{CaseReport, Event, Reporter, RunInfo, RunSummary};
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File names inside a report directory.
pub const RESULTS_JSON: &str = "results.json";
/// The JUnit file's name in a report directory.
pub const JUNIT_XML: &str = "junit.xml";
/// The Markdown summary's name in a report directory.
pub const SUMMARY_MD: &str = "summary.md";
/// The HTML report's name in a report directory.
pub const INDEX_HTML: &str = "index.html";

/// Writes `results.json`, `junit.xml`, `summary.md`, `index.html`, and per
/// case `<stem>.pcap` and `<stem>.txt` (stem: the case id with `/` replaced
/// by `__`, see [`case_file_stem`]) into `dir`, creating it. Cases are
/// written in the order given. Files of an earlier run that this run does
/// not write are left alone.
///
/// The pcaps' timestamps start at the Unix epoch (session times as they
/// are), so the same cases give the same files (`report merge`); a live
/// run's [`ReportWriter`] stamps them from its wall-clock start instead
/// ([`write_all_from`]).
pub fn write_all(
    dir: &Path,
    info: &RunInfo,
    cases: &[CaseReport],
    summary: &RunSummary,
) -> io::Result<()> {
    write_all_from(dir, info, cases, summary, std::time::SystemTime::UNIX_EPOCH)
}

/// [`write_all`], with the pcaps stamped from the run's wall-clock `start`
/// plus each packet's session time.
pub fn write_all_from(
    dir: &Path,
    info: &RunInfo,
    cases: &[CaseReport],
    summary: &RunSummary,
    start: std::time::SystemTime,
) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut stems = BTreeSet::new();
    for c in cases {
        let stem = case_file_stem(&c.id);
        if !stems.insert(stem.clone()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("two cases share the file name {stem:?} (case {})", c.id),
            ));
        }
        fs::write(
            dir.join(format!("{stem}.pcap")),
            case_pcap_bytes_from(c, start)?,
        )?;
        fs::write(dir.join(format!("{stem}.txt")), transcript_text(c))?;
    }
    fs::write(dir.join(RESULTS_JSON), to_json(info, summary, cases))?;
    fs::write(dir.join(JUNIT_XML), junit_xml(info, summary, cases))?;
    fs::write(dir.join(SUMMARY_MD), summary_md(info, summary, cases))?;
    fs::write(dir.join(INDEX_HTML), index_html(info, summary, cases))?;
    Ok(())
}

/// The summary of a set of cases; `wall_time` as given.
pub fn summarise(cases: &[CaseReport], wall_time: Duration) -> RunSummary {
    let mut s = RunSummary {
        wall_time,
        ..RunSummary::default()
    };
    for c in cases {
        s.add(c.outcome);
    }
    s
}

/// Sorts cases by id (stable), the order every written report uses.
pub fn sort_cases(cases: &mut [CaseReport]) {
    cases.sort_by(|a, b| a.id.cmp(&b.id));
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Joins shard report directories into one report in `out`: reads each
/// `results.json`, checks they are shards of one suite (same target,
/// profile, seed and mode; no case twice), concatenates the cases in id
/// order, recomputes the summary (wall time: the shards' sum) and writes
/// every format with [`write_all`]. The merged run has no shard.
pub fn merge(dirs: &[PathBuf], out: &Path) -> io::Result<()> {
    let Some((first_dir, rest)) = dirs.split_first() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "merge needs at least one report directory",
        ));
    };
    let load = |d: &PathBuf| {
        let p = d.join(RESULTS_JSON);
        read_results(&p).map_err(|e| invalid(format!("{}: {e}", p.display())))
    };
    let first = load(first_dir)?;
    let mut info = first.info.clone();
    let mut wall = first.summary.wall_time;
    let mut cases = first.cases;
    for d in rest {
        let r = load(d)?;
        let (a, b) = (&info, &r.info);
        if (a.target.as_str(), a.profile.as_str(), a.seed, a.oracle_only)
            != (b.target.as_str(), b.profile.as_str(), b.seed, b.oracle_only)
        {
            return Err(invalid(format!(
                "{} is not a shard of the same suite as {}: target/profile/seed/oracle-only {}/{}/{}/{} vs {}/{}/{}/{}",
                d.display(),
                first_dir.display(),
                b.target,
                b.profile,
                b.seed,
                b.oracle_only,
                a.target,
                a.profile,
                a.seed,
                a.oracle_only
            )));
        }
        wall += r.summary.wall_time;
        cases.extend(r.cases);
    }
    sort_cases(&mut cases);
    if let Some(w) = cases.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(invalid(format!(
            "case {} appears in more than one shard",
            w[0].id
        )));
    }
    info.cases = cases.len();
    info.shard = None;
    let summary = summarise(&cases, wall);
    write_all(out, &info, &cases, &summary)
}

/// A [`Reporter`] that collects the finished cases and writes the whole
/// report directory ([`write_all`], cases in id order) at `RunFinished`.
pub struct ReportWriter {
    dir: PathBuf,
    info: Option<RunInfo>,
    cases: Vec<CaseReport>,
    /// Wall-clock time of `RunStarted`, for the pcaps' timestamps.
    start: std::time::SystemTime,
}

impl ReportWriter {
    /// A writer for the report directory `dir` (created on write).
    pub fn new(dir: impl Into<PathBuf>) -> ReportWriter {
        ReportWriter {
            dir: dir.into(),
            info: None,
            cases: Vec::new(),
            start: std::time::SystemTime::now(),
        }
    }
    /// The cases collected so far, in arrival order.
    pub fn cases(&self) -> &[CaseReport] {
        &self.cases
    }
    /// The report directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Reporter for ReportWriter {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match event {
            Event::RunStarted(info) => {
                self.info = Some((*info).clone());
                self.cases.clear();
                self.start = std::time::SystemTime::now();
            }
            Event::CaseStarted { .. } => {}
            Event::CaseFinished(case) => self.cases.push((*case).clone()),
            Event::RunFinished(summary) => {
                let info = self.info.as_ref().ok_or_else(|| {
                    io::Error::other("report writer: RunFinished without RunStarted")
                })?;
                let mut cases = self.cases.clone();
                sort_cases(&mut cases);
                write_all_from(&self.dir, info, &cases, summary, self.start)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;
    use crate::report::json::read_results;

    fn info(shard: Option<&str>) -> RunInfo {
        RunInfo {
            target: "embedded".into(),
            profile: "rfc9293".into(),
            seed: 7,
            cases: 5,
            shard: shard.map(String::from),
            oracle_only: false,
        }
    }

    fn tempdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("synack-report-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn write_all_writes_every_format_and_per_case_files() {
        let dir = tempdir("all");
        let cases = fixture::all();
        let summary = summarise(&cases, Duration::from_millis(3));
        write_all(&dir, &info(None), &cases, &summary).unwrap();
        for f in [RESULTS_JSON, JUNIT_XML, SUMMARY_MD, INDEX_HTML] {
            assert!(dir.join(f).metadata().unwrap().len() > 100, "{f}");
        }
        assert!(dir.join("core__b01-echo.pcap").exists());
        assert!(dir.join("core__b01-echo.txt").exists());
        assert!(dir.join("timers__t03-v6-time-wait.pcap").exists());
        let back = read_results(&dir.join(RESULTS_JSON)).unwrap();
        assert_eq!(back.cases, cases);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn merged_shards_equal_the_unsharded_report_apart_from_timings() {
        let (whole, s1, s2, merged) = (
            tempdir("whole"),
            tempdir("s1"),
            tempdir("s2"),
            tempdir("merged"),
        );
        let mut cases = fixture::all();
        sort_cases(&mut cases);
        let summary = summarise(&cases, Duration::ZERO);
        write_all(&whole, &info(None), &cases, &summary).unwrap();
        let (a, b): (Vec<_>, Vec<_>) = cases
            .iter()
            .cloned()
            .enumerate()
            .partition(|(i, _)| i % 2 == 0);
        let a: Vec<_> = a.into_iter().map(|(_, c)| c).collect();
        let b: Vec<_> = b.into_iter().map(|(_, c)| c).collect();
        // Shard 2 listed first: merge must not depend on the order given.
        write_all(&s1, &info(Some("1/2")), &a, &summarise(&a, Duration::ZERO)).unwrap();
        write_all(&s2, &info(Some("2/2")), &b, &summarise(&b, Duration::ZERO)).unwrap();
        merge(&[s2.clone(), s1.clone()], &merged).unwrap();
        for f in [
            RESULTS_JSON,
            JUNIT_XML,
            SUMMARY_MD,
            INDEX_HTML,
            "core__b01-echo.pcap",
            "odd__x_&__'.txt",
        ] {
            assert_eq!(
                fs::read(whole.join(f)).unwrap(),
                fs::read(merged.join(f)).unwrap(),
                "{f} differs"
            );
        }
        for d in [whole, s1, s2, merged] {
            fs::remove_dir_all(d).unwrap();
        }
    }

    #[test]
    fn merge_refuses_shards_of_different_suites_and_overlaps() {
        let (s1, s2, out) = (tempdir("d1"), tempdir("d2"), tempdir("dout"));
        let cases = vec![fixture::echo_pass()];
        let sum = summarise(&cases, Duration::ZERO);
        write_all(&s1, &info(Some("1/2")), &cases, &sum).unwrap();
        let mut other = info(Some("2/2"));
        other.seed = 8;
        write_all(&s2, &other, &[fixture::waived()], &sum).unwrap();
        let e = merge(&[s1.clone(), s2.clone()], &out).unwrap_err();
        assert!(
            e.to_string().contains("not a shard of the same suite"),
            "{e}"
        );
        write_all(&s2, &info(Some("2/2")), &cases, &sum).unwrap();
        let e = merge(&[s1.clone(), s2.clone()], &out).unwrap_err();
        assert!(
            e.to_string()
                .contains("core/b01-echo appears in more than one shard"),
            "{e}"
        );
        let e = merge(std::slice::from_ref(&out), &s1).unwrap_err();
        assert!(e.to_string().contains("results.json"), "{e}");
        for d in [s1, s2] {
            fs::remove_dir_all(d).unwrap();
        }
    }

    #[test]
    fn report_writer_writes_the_directory_at_run_finished() {
        let dir = tempdir("writer");
        let mut w = ReportWriter::new(&dir);
        let info = info(None);
        w.event(&Event::RunStarted(&info)).unwrap();
        let cases = fixture::all();
        // Arrival order differs from id order (cases run side by side).
        for (i, c) in cases.iter().rev().enumerate() {
            w.event(&Event::CaseStarted {
                index: i,
                id: &c.id,
            })
            .unwrap();
            w.event(&Event::CaseFinished(c)).unwrap();
        }
        assert!(!dir.join(RESULTS_JSON).exists());
        let summary = summarise(&cases, Duration::ZERO);
        w.event(&Event::RunFinished(&summary)).unwrap();
        let back = read_results(&dir.join(RESULTS_JSON)).unwrap();
        let ids: Vec<_> = back.cases.iter().map(|c| &*c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        fs::remove_dir_all(&dir).unwrap();
    }
}
