//! Differential runs: the same case or fuzz input against two targets, the
//! normalised (script-space) segments each target sent compared line by
//! line, every difference labelled with the oracle rules that fired on it.

use super::exec::{profile_for, run_on, session_for, Step};
use super::ops::decode;
use crate::run::mapping::Mapping;
use crate::run::scriptform::{script_line, Sender};
use crate::run::{CaseReport, Dir, EntryKind};
use crate::target::Target;
use crate::wire::SeqNumber;
use std::fmt;

/// One place where two targets' responses differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The case id (or `fuzz` for an input).
    pub case: String,
    /// Index among the segments the targets sent (0: the first).
    pub index: usize,
    /// What the first target sent there (`None`: nothing more).
    pub a: Option<String>,
    /// What the second target sent there.
    pub b: Option<String>,
    /// Oracle findings on either side's segment: `target: rule (MUST|SHOULD
    /// violation|deviation)`.
    pub rules: Vec<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "(nothing)".into());
        write!(
            f,
            "{} segment #{}:\n    a: > {}\n    b: > {}",
            self.case,
            self.index + 1,
            show(&self.a),
            show(&self.b)
        )?;
        if self.rules.is_empty() {
            write!(f, "\n    (no oracle rule fired: both are allowed)")
        } else {
            write!(f, "\n    explained by: {}", self.rules.join("; "))
        }
    }
}

/// The target's segments of a report, in order: (transcript index, script form).
fn outs(r: &CaseReport) -> Vec<(usize, String)> {
    r.transcript
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.what {
            EntryKind::Packet {
                dir: Dir::Out,
                script,
                ..
            } => Some((i, script.clone())),
            _ => None,
        })
        .collect()
}

fn labels(r: &CaseReport, entry: Option<usize>) -> Vec<String> {
    let Some(entry) = entry else {
        return Vec::new();
    };
    r.violations
        .iter()
        .filter(|v| v.entry == Some(entry))
        .map(|v| {
            let kind = if v.deviation.is_some() {
                "deviation".to_string()
            } else {
                format!("{} violation", v.level)
            };
            format!("{}: {} ({kind})", r.target, v.rule)
        })
        .collect()
}

/// A script line without its `win N` field: each stack picks its own
/// receive window, which is seldom the difference worth a look.
pub fn without_window(line: &str) -> String {
    let mut out = Vec::new();
    let mut words = line.split(' ');
    while let Some(w) = words.next() {
        if w == "win" {
            words.next();
        } else {
            out.push(w);
        }
    }
    out.join(" ")
}

/// Aligns two line lists on their longest common subsequence: every pair
/// is `(Some(i), Some(j))` for a common line or a replacement, or one-sided
/// for a line only one target sent.
pub fn align(a: &[String], b: &[String]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: LCS length of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    let flush = |out: &mut Vec<_>, oa: &mut Vec<usize>, ob: &mut Vec<usize>| {
        for k in 0..oa.len().max(ob.len()) {
            out.push((oa.get(k).copied(), ob.get(k).copied()));
        }
        oa.clear();
        ob.clear();
    };
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            flush(&mut out, &mut only_a, &mut only_b);
            out.push((Some(i), Some(j)));
            i += 1;
            j += 1;
        } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            only_a.push(i);
            i += 1;
        } else {
            only_b.push(j);
            j += 1;
        }
    }
    flush(&mut out, &mut only_a, &mut only_b);
    out
}

/// Compares two runs of the same case: the target segments aligned as a
/// line diff (so one extra segment is one difference, not a cascade), each
/// difference labelled with the oracle findings on either side's segment.
/// With `windows: false` the `win N` fields are left out of the comparison.
pub fn diff_reports(a: &CaseReport, b: &CaseReport, windows: bool) -> Vec<Difference> {
    let norm = |o: Vec<(usize, String)>| -> Vec<(usize, String)> {
        o.into_iter()
            .map(|(i, l)| (i, if windows { l } else { without_window(&l) }))
            .collect()
    };
    let (oa, ob) = (norm(outs(a)), norm(outs(b)));
    let la: Vec<String> = oa.iter().map(|e| e.1.clone()).collect();
    let lb: Vec<String> = ob.iter().map(|e| e.1.clone()).collect();
    let mut out = Vec::new();
    for (ia, ib) in align(&la, &lb) {
        let (ea, eb) = (ia.map(|i| &oa[i]), ib.map(|j| &ob[j]));
        if ea.map(|e| &e.1) == eb.map(|e| &e.1) {
            continue;
        }
        let mut rules = labels(a, ea.map(|e| e.0));
        rules.extend(labels(b, eb.map(|e| e.0)));
        out.push(Difference {
            case: a.id.clone(),
            index: ia.or(ib).unwrap_or(0),
            a: ea.map(|e| e.1.clone()),
            b: eb.map(|e| e.1.clone()),
            rules,
        });
    }
    out
}

/// The target's segments of a recorded fuzz run, in script space, each with
/// the labels of the findings on it.
fn fuzz_outs(
    target: &str,
    steps: &[Step],
    findings: &[(usize, crate::oracle::Finding)],
    isn: SeqNumber,
) -> Vec<(String, Vec<String>)> {
    let mut map = Mapping::new(isn);
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if let Step::Out { segment, .. } = s {
            let line = match segment {
                Some(seg) => {
                    if seg.flags.syn() {
                        map.learn_target_isn(seg.seq, 0);
                    }
                    if let Some((tsval, _)) = seg.timestamps() {
                        map.learn_target_ts(tsval, 0);
                    }
                    script_line(seg, Sender::Target, &map)
                }
                None => "unparseable packet".into(),
            };
            let rules = findings
                .iter()
                .filter(|(step, _)| *step == i)
                .map(|(_, f)| {
                    let kind = if f.deviation.is_some() {
                        "deviation".to_string()
                    } else {
                        format!("{} violation", f.level)
                    };
                    format!("{target}: {} ({kind})", f.rule)
                })
                .collect();
            out.push((line, rules));
        }
    }
    out
}

/// Runs a fuzz input against two targets (each judged by its default
/// profile: `smoltcp` for embedded, `linux` for lab) and compares what they
/// sent, aligned as in [`diff_reports`], windows left out. A target that cannot open a session shows as one difference.
pub fn diff_sequence(data: &[u8], a: &dyn Target, b: &dyn Target) -> Vec<Difference> {
    let input = decode(data);
    let (_, isn) = session_for(&input);
    let run = |t: &dyn Target| -> Vec<(String, Vec<String>)> {
        match run_on(t, &input, profile_for(t.name()), true) {
            Ok(o) => {
                let mut v = fuzz_outs(t.name(), &o.steps, &o.findings, isn);
                if let Some(b) = &o.broken {
                    v.push((format!("session broken: {b}"), Vec::new()));
                }
                v
            }
            Err(e) => vec![(format!("error: {e}"), Vec::new())],
        }
    };
    let (oa, ob) = (run(a), run(b));
    let la: Vec<String> = oa.iter().map(|e| without_window(&e.0)).collect();
    let lb: Vec<String> = ob.iter().map(|e| without_window(&e.0)).collect();
    let mut out = Vec::new();
    for (ia, ib) in align(&la, &lb) {
        let (ea, eb) = (ia.map(|i| &oa[i]), ib.map(|j| &ob[j]));
        if ia.map(|i| &la[i]) == ib.map(|j| &lb[j]) {
            continue;
        }
        let i = ia.or(ib).unwrap_or(0);
        let mut rules: Vec<String> = ea.map(|e| e.1.clone()).unwrap_or_default();
        rules.extend(eb.map(|e| e.1.clone()).unwrap_or_default());
        out.push(Difference {
            case: "fuzz".into(),
            index: i,
            a: ea.map(|e| e.0.clone()),
            b: eb.map(|e| e.0.clone()),
            rules,
        });
    }
    out
}
