//! Coverage of the catalogue (`cases/CATALOGUE.md`) and the grid's roll-up.
//!
//! `synack list --coverage` prints, per catalogue id, the cases that cite it
//! (`//! covers:`) and their verdict on each target, read from the reviewed
//! snapshots under `reports/<target>/` (so it needs no root and runs no
//! target). The grid's cells are snapshotted as one summary per target
//! (`reports/<target>/grid.snap`, see [`grid_verdicts`]); [`grid_table`]
//! rolls them up per state × segment kind, for MATRIX.md and the HTML report.

use super::text::md_cell;
use crate::grid::{Kind, State};
use crate::run::{CaseReport, Outcome};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The ids the catalogue defines (`| B01 |`, `| T44 |` rows), in order.
pub fn catalogue_ids(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|l| l.strip_prefix("| ")?.split(" |").next())
        .filter(|id| {
            let mut c = id.chars();
            matches!(c.next(), Some('B' | 'T')) && id.len() == 3 && c.all(|c| c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// The outcome name in a snapshot's text (`outcome: pass`).
fn snapshot_outcome(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("outcome: "))
        .map(|o| o.trim().to_string())
}

/// Verdicts recorded under `reports/`: target → case id → outcome name,
/// from every `<target>/<id with / as __>.snap` and the grid summaries.
pub fn snapshot_verdicts(
    reports: &Path,
) -> std::io::Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut out = BTreeMap::new();
    let mut dirs: Vec<_> = std::fs::read_dir(reports)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let target = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut verdicts = BTreeMap::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".snap"))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path)?;
            if stem == GRID_SNAPSHOT {
                for line in text.lines() {
                    if let Some((id, outcome)) = line.split_once(' ') {
                        if id.starts_with("grid/") {
                            verdicts.insert(id.to_string(), outcome.trim().to_string());
                        }
                    }
                }
            } else if let Some(o) = snapshot_outcome(&text) {
                verdicts.insert(stem.replace("__", "/"), o);
            }
        }
        if !verdicts.is_empty() {
            out.insert(target, verdicts);
        }
    }
    Ok(out)
}

/// The name of the grid's summary snapshot in `reports/<target>/`.
pub const GRID_SNAPSHOT: &str = "grid";

/// The grid's verdicts as one text, a line per cell: `<id> <outcome>`.
/// Deterministic (sorted by id).
pub fn grid_verdicts(reports: &[CaseReport]) -> String {
    let mut lines: Vec<String> = reports
        .iter()
        .filter(|r| r.id.starts_with("grid/"))
        .map(|r| format!("{} {}", r.id, r.outcome.name()))
        .collect();
    lines.sort();
    let mut out = format!(
        "{} cells; the cases are cases/grid (synack grid), the reasons for waived ones cases/waivers\n",
        lines.len()
    );
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// The coverage table (Markdown): one row per catalogue id with the cases
/// that cover it (from `covers`) and their verdicts per target, then the
/// grid. `covers` maps a case id to the ids it cites.
pub fn coverage_table(
    ids: &[String],
    covers: &BTreeMap<String, Vec<String>>,
    verdicts: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let targets: Vec<&String> = verdicts.keys().collect();
    let mut m = String::new();
    let _ = writeln!(
        m,
        "| id | cases | {} |",
        targets
            .iter()
            .map(|t| md_cell(t))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(m, "|---|---|{}", "---|".repeat(targets.len()));
    let mut covered = 0;
    for id in ids {
        let cases: Vec<&String> = covers
            .iter()
            .filter(|(_, c)| c.iter().any(|x| x == id))
            .map(|(case, _)| case)
            .collect();
        if !cases.is_empty() {
            covered += 1;
        }
        let cells: Vec<String> = targets
            .iter()
            .map(|t| {
                if cases.is_empty() {
                    return "—".to_string();
                }
                let v = &verdicts[*t];
                count_line(cases.iter().map(|c| v.get(*c).map(String::as_str)))
            })
            .collect();
        let list = if cases.is_empty() {
            "— (not covered yet)".to_string()
        } else {
            cases
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(m, "| {id} | {list} | {} |", cells.join(" | "));
    }
    let grid_cells: Vec<String> = targets
        .iter()
        .map(|t| {
            count_line(
                verdicts[*t]
                    .iter()
                    .filter(|(id, _)| id.starts_with("grid/"))
                    .map(|(_, o)| Some(o.as_str())),
            )
        })
        .collect();
    let _ = writeln!(
        m,
        "| grid | `grid/` (state × segment, `synack grid`) | {} |",
        grid_cells.join(" | ")
    );
    let _ = writeln!(
        m,
        "\n{covered} of {} catalogue ids covered by a case.",
        ids.len()
    );
    m
}

/// `2 pass, 1 waived` for a list of outcomes (`None`: no snapshot).
fn count_line<'a>(outcomes: impl Iterator<Item = Option<&'a str>>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in outcomes {
        *counts.entry(o.unwrap_or("not run")).or_default() += 1;
    }
    if counts.is_empty() {
        return "—".into();
    }
    counts
        .iter()
        .map(|(o, n)| format!("{n} {o}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The grid per state × segment kind for one target's results: a row per
/// state, a cell per kind (`passed/cells`, then `Nw` waived, `Nu`
/// unsupported, `Nf` failed; `—` where no cell is meaningful); `None` when
/// the results hold no grid cell.
fn grid_rows(reports: &[CaseReport]) -> Option<Vec<(State, Vec<String>)>> {
    let mut tally: BTreeMap<(State, Kind), [usize; 4]> = BTreeMap::new();
    let cells: BTreeMap<String, (State, Kind)> = crate::grid::cells()
        .into_iter()
        .map(|c| (c.id(), (c.state, c.kind)))
        .collect();
    for r in reports {
        let Some(key) = cells.get(&*r.id).copied() else {
            continue;
        };
        let t = tally.entry(key).or_default();
        match r.outcome {
            Outcome::Pass | Outcome::Deviation => t[0] += 1,
            Outcome::Waived => t[1] += 1,
            Outcome::Unsupported | Outcome::Skipped => t[2] += 1,
            Outcome::Fail | Outcome::Error => t[3] += 1,
        }
    }
    if tally.is_empty() {
        return None;
    }
    let rows = State::ALL
        .into_iter()
        .map(|state| {
            let cells = Kind::ALL
                .iter()
                .map(|k| match tally.get(&(state, *k)) {
                    None => "—".into(),
                    Some([p, w, u, f]) => {
                        let mut s = format!("{p}/{}", p + w + u + f);
                        for (n, tag) in [(w, "w"), (u, "u"), (f, "f")] {
                            if *n > 0 {
                                let _ = write!(s, " {n}{tag}");
                            }
                        }
                        s
                    }
                })
                .collect();
            (state, cells)
        })
        .collect();
    Some(rows)
}

const GRID_LEGEND: &str =
    "passed/cells per state × segment kind (w waived, u unsupported, f failed)";

/// [`grid_rows`] as Markdown, headed by the target; empty without grid cells.
pub fn grid_table(target: &str, reports: &[CaseReport]) -> String {
    let Some(rows) = grid_rows(reports) else {
        return String::new();
    };
    let mut m = String::new();
    let _ = writeln!(m, "**{}**: {GRID_LEGEND}\n", md_cell(target));
    let _ = writeln!(
        m,
        "| state | {} |",
        Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(m, "|---|{}", "---|".repeat(Kind::ALL.len()));
    for (state, cells) in rows {
        let _ = writeln!(m, "| {} | {} |", state.rfc(), cells.join(" | "));
    }
    m
}

/// The same tables for a run's `index.html`: per catalogue id (counts) and
/// the grid per state × segment kind; empty when the run has neither.
pub fn html_sections(reports: &[CaseReport]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut h = String::new();
    let mut ids: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in reports {
        for id in c.covers.iter() {
            ids.entry(id).or_default().push(c.outcome.name());
        }
    }
    if !ids.is_empty() {
        h.push_str("<h2>Per catalogue id</h2>\n<table class=\"cases\"><tr><th>Catalogue id</th><th>Cases</th></tr>\n");
        for (id, outcomes) in ids {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(id),
                esc(&count_line(outcomes.into_iter().map(Some)))
            );
        }
        h.push_str("</table>\n");
    }
    if let Some(rows) = grid_rows(reports) {
        let _ = writeln!(
            h,
            "<h2>The state × segment grid</h2>\n<p>{}</p>",
            esc(GRID_LEGEND)
        );
        h.push_str("<table class=\"cases\"><tr><th>state</th>");
        for k in Kind::ALL {
            let _ = write!(h, "<th>{}</th>", k.name());
        }
        h.push_str("</tr>\n");
        for (state, cells) in rows {
            let _ = write!(h, "<tr><td>{}</td>", state.rfc());
            for c in cells {
                let _ = write!(h, "<td>{}</td>", esc(&c));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    h
}

/// The coverage table for the cases under `cases` (the cases root, with
/// `CATALOGUE.md`) and the snapshots under `reports`: what `synack list
/// --coverage` prints and README.md embeds.
pub fn coverage_markdown(cases: &Path, reports: &Path) -> Result<String, String> {
    let catalogue_path = cases.join("CATALOGUE.md");
    let catalogue = std::fs::read_to_string(&catalogue_path)
        .map_err(|e| format!("cannot read {}: {e}", catalogue_path.display()))?;
    let ids = catalogue_ids(&catalogue);
    let loaded = crate::run::case::load_all(&[cases.to_path_buf()]).map_err(|e| e.to_string())?;
    let covers: BTreeMap<String, Vec<String>> = loaded
        .into_iter()
        .filter(|c| !c.meta.covers.is_empty())
        .map(|c| (c.id, c.meta.covers))
        .collect();
    let verdicts = snapshot_verdicts(reports)
        .map_err(|e| format!("cannot read the snapshots in {}: {e}", reports.display()))?;
    Ok(coverage_table(&ids, &covers, &verdicts))
}

/// MATRIX.md's roll-ups: per catalogue id with counts per target, and the
/// grid per state × segment kind per target.
pub fn matrix_sections(rows: &[(String, Vec<CaseReport>)]) -> String {
    let mut m = String::from("\n## Per catalogue id (counts)\n\n");
    let mut ids: BTreeMap<String, ()> = BTreeMap::new();
    for (_, cases) in rows {
        for c in cases {
            for id in c.covers.iter() {
                ids.insert(id.clone(), ());
            }
        }
    }
    let mut ids: Vec<String> = ids.into_keys().collect();
    ids.sort_by(|a, b| {
        let key = |s: &str| {
            (
                s.chars().next(),
                s[1..].parse::<u32>().unwrap_or(u32::MAX),
                s.to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    let _ = writeln!(
        m,
        "| Catalogue id | {} |",
        rows.iter()
            .map(|(t, _)| md_cell(t))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(m, "|---|{}", "---|".repeat(rows.len()));
    for id in &ids {
        let cells: Vec<String> = rows
            .iter()
            .map(|(_, cases)| {
                count_line(
                    cases
                        .iter()
                        .filter(|c| c.covers.contains(id))
                        .map(|c| Some(c.outcome.name())),
                )
            })
            .collect();
        let _ = writeln!(m, "| {} | {} |", md_cell(id), cells.join(" | "));
    }
    let tables: Vec<String> = rows
        .iter()
        .map(|(t, cases)| grid_table(t, cases))
        .filter(|t| !t.is_empty())
        .collect();
    if !tables.is_empty() {
        m.push_str("\n## The state × segment grid\n\n");
        m.push_str("Cells generated by `synack grid` (`cases/grid/`), expectations from RFC 9293 §3.10.7 and RFC 5961; the reason for each waived cell is in `cases/waivers/<target>.txt`.\n\n");
        for (t, cases) in rows {
            let n = cases.iter().filter(|c| c.id.starts_with("grid/")).count();
            if n > 0 {
                let _ = writeln!(
                    m,
                    "- {}: {n} cells, {}",
                    md_cell(t),
                    count_line(
                        cases
                            .iter()
                            .filter(|c| c.id.starts_with("grid/"))
                            .map(|c| Some(c.outcome.name()))
                    )
                );
            }
        }
        m.push('\n');
        m.push_str(&tables.join("\n"));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_read_from_the_table_rows() {
        let md = "| ID | Stimulus |\n|---|---|\n| B01 | handshake |\n| T44 | ICMP |\n| T4 | no |\ntext | T05 |\n";
        assert_eq!(catalogue_ids(md), ["B01", "T44"]);
    }

    #[test]
    fn the_coverage_table_counts_verdicts_per_target() {
        let ids = vec!["B01".to_string(), "T06".to_string()];
        let covers = BTreeMap::from([
            ("core/a".to_string(), vec!["B01".to_string()]),
            ("core/b".to_string(), vec!["B01".to_string()]),
        ]);
        let verdicts = BTreeMap::from([
            (
                "embedded".to_string(),
                BTreeMap::from([
                    ("core/a".to_string(), "pass".to_string()),
                    ("core/b".to_string(), "waived".to_string()),
                    ("grid/listen/syn".to_string(), "pass".to_string()),
                ]),
            ),
            (
                "lab".to_string(),
                BTreeMap::from([("core/a".to_string(), "pass".to_string())]),
            ),
        ]);
        let t = coverage_table(&ids, &covers, &verdicts);
        assert!(
            t.contains("| B01 | `core/a`, `core/b` | 1 pass, 1 waived | 1 not run, 1 pass |"),
            "{t}"
        );
        assert!(t.contains("| T06 | — (not covered yet) | — | — |"), "{t}");
        assert!(
            t.contains("| grid | `grid/` (state × segment, `synack grid`) | 1 pass | — |"),
            "{t}"
        );
        assert!(t.contains("1 of 2 catalogue ids covered"), "{t}");
    }
}
