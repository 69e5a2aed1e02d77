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

/// Compares two runs of the same case, segment by segment.
pub fn diff_reports(a: &CaseReport, b: &CaseReport) -> Vec<Difference> {
    let (oa, ob) = (outs(a), outs(b));
    let mut out = Vec::new();
    for i in 0..oa.len().max(ob.len()) {
        let (ea, eb) = (oa.get(i), ob.get(i));
        if ea.map(|e| &e.1) == eb.map(|e| &e.1) {
            continue;
        }
        let mut rules = labels(a, ea.map(|e| e.0));
        rules.extend(labels(b, eb.map(|e| e.0)));
        out.push(Difference {
            case: a.id.clone(),
            index: i,
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
/// sent. A target that cannot open a session shows as one difference.
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
    let mut out = Vec::new();
    for i in 0..oa.len().max(ob.len()) {
        let (ea, eb) = (oa.get(i), ob.get(i));
        if ea.map(|e| &e.0) == eb.map(|e| &e.0) {
            continue;
        }
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
