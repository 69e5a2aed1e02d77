//! A target's grid verdicts as recorded in `reports/<target>/grid.snap`
//! ([`super::coverage::grid_verdicts`]'s form), as case reports for the
//! conformance matrix, where the grid is not re-run in full.
//!
//! For lwIP: the tap target runs one session at a time, so its 1,059 cells
//! take about 6 minutes; CI re-runs a third of them on every run
//! (`.ci/lwip-grid`, with lwIP's waivers, comparing each verdict with the
//! record) and `.ci/nightly` all of them. The reports built here carry the
//! recorded outcome and the case's metadata, no transcript; their reason
//! says where the verdict comes from.

use crate::run::{Case, CaseReport, Outcome};
use std::collections::BTreeMap;

/// Why a recorded grid cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedError {
    /// A line names an outcome reports do not write (`file:line`, the word).
    Outcome(String, String),
    /// Grid cells that the record does not hold (the first of them, and how many).
    Missing(String, usize),
}

impl std::fmt::Display for RecordedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordedError::Outcome(at, w) => write!(f, "{at}: `{w}` is not an outcome"),
            RecordedError::Missing(id, n) => write!(
                f,
                "the record holds no verdict for {n} grid cells, `{id}` first (regenerate the record)"
            ),
        }
    }
}

impl std::error::Error for RecordedError {}

fn outcome(word: &str) -> Option<Outcome> {
    [
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Error,
        Outcome::Unsupported,
        Outcome::Deviation,
        Outcome::Waived,
        Outcome::Skipped,
    ]
    .into_iter()
    .find(|o| o.name() == word)
}

/// The grid cells among `cases` with the outcomes `snapshot` (the text of
/// `file`) records for `target`; every grid cell of `cases` must have one.
/// Lines of cells not among `cases` are passed over (a selection may name a
/// part of the grid); a cell renamed since the record shows as missing.
pub fn recorded_grid(
    cases: &[Case],
    target: &str,
    snapshot: &str,
    file: &str,
) -> Result<Vec<CaseReport>, RecordedError> {
    let cells: BTreeMap<&str, &Case> = cases
        .iter()
        .filter(|c| c.id.starts_with("grid/"))
        .map(|c| (c.id.as_str(), c))
        .collect();
    let mut out = Vec::new();
    for (n, line) in snapshot.lines().enumerate() {
        let Some((id, word)) = line.split_once(' ') else {
            continue;
        };
        if !id.starts_with("grid/") {
            continue;
        }
        let at = format!("{file}:{}", n + 1);
        let o =
            outcome(word.trim()).ok_or_else(|| RecordedError::Outcome(at.clone(), word.into()))?;
        let Some(case) = cells.get(id) else {
            continue;
        };
        out.push(CaseReport::unrun(
            case,
            target,
            case.meta.profile.clone().unwrap_or_default(),
            o,
            format!("recorded in {at}"),
        ));
    }
    let have: Vec<&str> = out.iter().map(|r| &*r.id).collect();
    let missing: Vec<&&str> = cells.keys().filter(|id| !have.contains(id)).collect();
    if let Some(first) = missing.first() {
        return Err(RecordedError::Missing(first.to_string(), missing.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn cell(id: &str) -> Case {
        let src = "//! service: silent\n//! tags: grid\n0 < S 0:0(0) win 65535 <mss 1460>\n+0 > S. 0:0(0) ack 1 <...>\n";
        let mut c =
            crate::run::case::load_source(Path::new("x.pkt"), src.to_string()).expect("loads");
        c.id = id.to_string();
        c
    }

    #[test]
    fn a_record_becomes_one_report_per_cell() {
        let cases = [cell("grid/listen/syn"), cell("grid/closed/ack")];
        let snap =
            "---\nsource: x\n---\n2 cells; …\ngrid/closed/ack waived\ngrid/listen/syn pass\n";
        let r = recorded_grid(&cases, "lwip", snap, "grid.snap").expect("read");
        assert_eq!(r.len(), 2);
        assert_eq!(
            (&*r[0].id, r[0].outcome),
            ("grid/closed/ack", Outcome::Waived)
        );
        assert_eq!(r[1].target, "lwip");
        assert_eq!(r[1].reason.as_deref(), Some("recorded in grid.snap:6"));
    }

    #[test]
    fn a_bad_or_incomplete_record_says_where_and_other_cells_pass_over() {
        let cases = [cell("grid/listen/syn"), cell("grid/closed/ack")];
        let e = recorded_grid(&cases, "lwip", "grid/listen/syn maybe\n", "g.snap").unwrap_err();
        assert_eq!(e.to_string(), "g.snap:1: `maybe` is not an outcome");
        // a cell the selection does not hold is passed over; one it holds
        // and the record lacks is an error
        let record = "grid/listen/nope pass\ngrid/listen/syn pass\n";
        let e = recorded_grid(&cases, "lwip", record, "g.snap").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the record holds no verdict for 1 grid cells, `grid/closed/ack` first (regenerate the record)"
        );
    }
}
