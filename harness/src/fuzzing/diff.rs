//! Differential runs: the same case or fuzz input against two targets, the
//! normalised (script-space) segments each target sent compared line by
//! line, every difference labelled with the oracle rules that fired on it.
//!
//! A differential *campaign* ([`diff_fuzz`]) mutates operation lists, runs
//! each on both targets and groups the differences by a [`signature`] that
//! is stable across inputs (the rules that explain it, or, when no rule
//! fired, its shape), so a run of thousands of inputs reads as a short list
//! of distinct differences with counts, each with a replayable example.

use super::exec::{profile_for, run_nth, session_for, Step};
use super::ops::decode;
use crate::run::mapping::Mapping;
use crate::run::scriptform::{script_line, Sender};
use crate::run::{CaseReport, Dir, EntryKind};
use crate::target::{Target, TargetError};
use crate::wire::SeqNumber;
use std::fmt;

mod campaign;
#[cfg(test)]
mod tests;

pub use campaign::{
    artifact_name, diff_fuzz, DiffCampaign, DiffFuzzError, DiffFuzzOptions, DiffGroup,
};

/// Which target of the pair: `a` is the first of `--targets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The first target of `--targets`.
    A,
    /// The second target of `--targets`.
    B,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "a",
            Side::B => "b",
        })
    }
}

/// An oracle finding on one side's segment of a difference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    /// Whose segment the finding is on.
    pub side: Side,
    /// Stable rule name (`synack explain NAME`).
    pub rule: String,
    /// `MUST` or `SHOULD`.
    pub level: String,
    /// The side's profile allows it (a known deviation, not a failure).
    pub deviation: bool,
}

impl Label {
    /// A MUST violation the side's profile does not allow.
    pub fn fails(&self) -> bool {
        self.level == "MUST" && !self.deviation
    }
    fn kind(&self) -> String {
        if self.deviation {
            "deviation".into()
        } else {
            format!("{} violation", self.level)
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.side, self.rule, self.kind())
    }
}

/// What kind of difference, by what the oracle said about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A MUST rule fired on one side's segment and its profile does not
    /// allow it: a conformance difference (`synack diff --fuzz` exits 1).
    Conformance,
    /// A SHOULD rule, or a MUST the side's profile allows (a known
    /// deviation), explains it.
    Deviation,
    /// No rule fired: both targets did something the RFCs allow.
    Behaviour,
}

impl Class {
    /// The heading of this class in the report.
    pub fn title(self) -> &'static str {
        match self {
            Class::Conformance => {
                "conformance (a MUST rule fired on one side, not allowed by its profile)"
            }
            Class::Deviation => "deviations (a SHOULD rule, or a MUST the side's profile allows)",
            Class::Behaviour => "behaviour (no oracle rule fired: both are allowed)",
        }
    }
}

/// What is compared: by default neither the advertised windows nor the
/// option values, which each stack picks for itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Normalise {
    /// Compare `win N`.
    pub windows: bool,
    /// Compare options exactly (order, padding, values); otherwise only
    /// which options are present.
    pub options: bool,
}

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
    /// The same findings as values, by side.
    pub labels: Vec<Label>,
    /// The harness's own segments had already differed between the two
    /// runs (fuzz inputs anchor numbers to what each target said, e.g. its
    /// window's right edge), so this may only follow from that.
    pub after_divergence: bool,
}

impl Difference {
    /// Conformance, deviation or behaviour, by the worst label.
    pub fn class(&self) -> Class {
        if self.labels.iter().any(Label::fails) {
            Class::Conformance
        } else if self.labels.is_empty() {
            Class::Behaviour
        } else {
            Class::Deviation
        }
    }
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
            write!(f, "\n    (no oracle rule fired: both are allowed)")?;
        } else {
            write!(f, "\n    explained by: {}", self.rules.join("; "))?;
        }
        if self.after_divergence {
            write!(
                f,
                "\n    (after the harness's own segments differed between the runs)"
            )?;
        }
        Ok(())
    }
}

/// One target segment (or an end-of-run note) of one side, ready to compare.
#[derive(Clone, Debug)]
struct Out {
    /// Script form, `win N` left out unless windows are compared.
    line: String,
    /// Index of the step (fuzz) or transcript entry (case) it came from.
    at: usize,
    /// Rule, level, deviation of each finding on it.
    findings: Vec<(String, String, bool)>,
}

/// The target's segments of a report, in order. The segments of a
/// `> stream` line that completed are compared as its note (`stream: 848
/// octets and the FIN`), as the snapshot shows them: how a real-time
/// target cut a stream into segments depends on scheduling, and every cut
/// is allowed.
fn report_outs(r: &CaseReport) -> Vec<Out> {
    let streams: std::collections::BTreeSet<u32> = r
        .transcript
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::Note(n) if n.starts_with(crate::run::STREAM_NOTE) => e.line,
            _ => None,
        })
        .collect();
    r.transcript
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.what {
            EntryKind::Note(n) if e.line.is_some_and(|l| streams.contains(&l)) => Some(Out {
                line: n.clone(),
                at: i,
                // The findings on the stream's segments.
                findings: r
                    .violations
                    .iter()
                    .filter(|v| {
                        v.entry.is_some_and(|k| {
                            k < i
                                && r.transcript[k].line == e.line
                                && matches!(
                                    r.transcript[k].what,
                                    EntryKind::Packet { dir: Dir::Out, .. }
                                )
                        })
                    })
                    .map(|v| (v.rule.clone(), v.level.clone(), v.deviation.is_some()))
                    .collect(),
            }),
            EntryKind::Packet { dir: Dir::Out, .. }
                if e.line.is_some_and(|l| streams.contains(&l)) =>
            {
                None
            }
            EntryKind::Packet { dir: Dir::Out, .. } => Some(Out {
                line: e.what.script().to_string(),
                at: i,
                findings: r
                    .violations
                    .iter()
                    .filter(|v| v.entry == Some(i))
                    .map(|v| (v.rule.clone(), v.level.clone(), v.deviation.is_some()))
                    .collect(),
            }),
            _ => None,
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

/// A script line split around its option list: (fields, `<…>` or "", the rest).
fn split_options(line: &str) -> (&str, &str, &str) {
    match line.find(" <") {
        Some(start) => {
            let end = line[start..]
                .find('>')
                .map_or(line.len(), |e| start + e + 1);
            (&line[..start], &line[start + 1..end], &line[end..])
        }
        None => (line, "", ""),
    }
}

/// The option kinds of an option list, sorted, without `nop`/`eol` padding
/// and without values: `<mss 1460,nop,wscale 7,sackOK>` → `<mss,sackOK,wscale>`.
pub fn option_kinds(options: &str) -> String {
    let inner = options.trim_start_matches('<').trim_end_matches('>');
    let mut kinds: Vec<&str> = inner
        .split(',')
        .filter_map(|o| o.split_whitespace().next())
        .filter(|k| !matches!(*k, "nop" | "eol"))
        .collect();
    kinds.sort_unstable();
    format!("<{}>", kinds.join(","))
}

/// The form of a line that is compared, under `norm`.
pub fn normalise(line: &str, norm: Normalise) -> String {
    let line = if norm.windows {
        line.to_string()
    } else {
        without_window(line)
    };
    if norm.options {
        return line;
    }
    let (fields, options, rest) = split_options(&line);
    if options.is_empty() {
        return line;
    }
    format!("{fields} {}{rest}", option_kinds(options))
}

/// What a line is, for a signature: its flags (`S.`, `R`, `none`), or
/// `session broken`, `error`, `unparseable`, `missing`.
fn line_kind(line: &str) -> &str {
    if line.starts_with("session broken") {
        "session broken"
    } else if line.starts_with("error") {
        "error"
    } else if line.starts_with("unparseable") {
        "unparseable"
    } else if line.starts_with("(missing)") {
        "missing"
    } else {
        line.split(' ').next().unwrap_or("")
    }
}

/// The fields in which two segment lines with the same flags differ:
/// `seq`, `len`, `ack`, `win`, `urg`, `options`, `doff`.
fn differing_fields(a: &str, b: &str) -> Vec<&'static str> {
    let (fa, oa, ra) = split_options(a);
    let (fb, ob, rb) = split_options(b);
    let (ta, tb): (Vec<&str>, Vec<&str>) = (fa.split(' ').collect(), fb.split(' ').collect());
    let range = |t: &[&str]| -> (String, String) {
        let r = t.get(1).copied().unwrap_or("");
        let seq = r.split(':').next().unwrap_or("").to_string();
        let len = r.split('(').nth(1).unwrap_or("").to_string();
        (seq, len)
    };
    let field = |t: &[&str], key: &str| -> Option<String> {
        t.iter()
            .position(|w| *w == key)
            .and_then(|i| t.get(i + 1))
            .map(|v| v.to_string())
    };
    let (ra_, rb_) = (range(&ta), range(&tb));
    let mut out = Vec::new();
    if ra_.0 != rb_.0 {
        out.push("seq");
    }
    if ra_.1 != rb_.1 {
        out.push("len");
    }
    for key in ["ack", "win", "urg"] {
        if field(&ta, key) != field(&tb, key) {
            out.push(key);
        }
    }
    if oa != ob {
        out.push("options");
    }
    if ra != rb {
        out.push("doff");
    }
    out
}

/// A name for a difference that is the same for every input that shows it:
/// the rules that explain it (`b: syn-ack-acks-isn (MUST violation)`), or,
/// when no rule fired, its shape (`only b: .`, `a F. / b P.`, `S.: options`).
pub fn signature(d: &Difference) -> String {
    if !d.labels.is_empty() {
        let mut labels: Vec<String> = d.labels.iter().map(Label::to_string).collect();
        labels.sort();
        labels.dedup();
        return labels.join(" + ");
    }
    match (&d.a, &d.b) {
        (Some(a), None) => format!("only a: {}", line_kind(a)),
        (None, Some(b)) => format!("only b: {}", line_kind(b)),
        (None, None) => "nothing".into(),
        (Some(a), Some(b)) => {
            let (ka, kb) = (line_kind(a), line_kind(b));
            if ka != kb {
                format!("a {ka} / b {kb}")
            } else {
                let fields = differing_fields(a, b);
                if fields.is_empty() {
                    format!("{ka}: same line")
                } else {
                    format!("{ka}: {}", fields.join(","))
                }
            }
        }
    }
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

/// The core of every comparison: `a` and `b` aligned on their normalised
/// lines; a pair is a difference when the lines differ, or when they are
/// alike but the oracle said different things about them. `diverged`: the
/// step on each side from which the harness's own segments differed.
fn compare(
    case: &str,
    a: &[Out],
    b: &[Out],
    norm: Normalise,
    diverged: Option<(usize, usize)>,
) -> Vec<Difference> {
    let la: Vec<String> = a.iter().map(|o| normalise(&o.line, norm)).collect();
    let lb: Vec<String> = b.iter().map(|o| normalise(&o.line, norm)).collect();
    let shown = |o: &Out| {
        if norm.windows {
            o.line.clone()
        } else {
            without_window(&o.line)
        }
    };
    let mut out = Vec::new();
    for (ia, ib) in align(&la, &lb) {
        let (ea, eb) = (ia.map(|i| &a[i]), ib.map(|j| &b[j]));
        let same_line = ia.map(|i| &la[i]) == ib.map(|j| &lb[j]);
        let mut fa = ea.map(|e| e.findings.clone()).unwrap_or_default();
        let mut fb = eb.map(|e| e.findings.clone()).unwrap_or_default();
        fa.sort();
        fb.sort();
        if same_line && fa == fb {
            continue;
        }
        let mut labels: Vec<Label> = Vec::new();
        for (side, fs) in [(Side::A, fa), (Side::B, fb)] {
            for (rule, level, deviation) in fs {
                labels.push(Label {
                    side,
                    rule,
                    level,
                    deviation,
                });
            }
        }
        // Findings both sides share do not explain a difference.
        let shared: Vec<Label> = labels
            .iter()
            .filter(|l| {
                l.side == Side::A
                    && labels.iter().any(|m| {
                        m.side == Side::B
                            && (&m.rule, &m.level, m.deviation) == (&l.rule, &l.level, l.deviation)
                    })
            })
            .cloned()
            .collect();
        labels.retain(|l| {
            !shared
                .iter()
                .any(|s| (&s.rule, &s.level, s.deviation) == (&l.rule, &l.level, l.deviation))
        });
        let after_divergence = diverged
            .is_some_and(|(da, db)| ea.is_some_and(|e| e.at > da) || eb.is_some_and(|e| e.at > db));
        out.push(Difference {
            case: case.to_string(),
            index: ia.or(ib).unwrap_or(0),
            a: ea.map(shown),
            b: eb.map(shown),
            rules: labels.iter().map(Label::to_string).collect(),
            labels,
            after_divergence,
        });
    }
    out
}

/// Compares two runs of the same case: the target segments aligned as a
/// line diff (so one extra segment is one difference, not a cascade), each
/// difference labelled with the oracle findings on either side's segment.
/// With `windows: false` the `win N` fields are left out of the comparison;
/// options are compared exactly (see [`diff_reports_with`]).
pub fn diff_reports(a: &CaseReport, b: &CaseReport, windows: bool) -> Vec<Difference> {
    let norm = Normalise {
        windows,
        options: true,
    };
    diff_reports_with(a, b, norm)
}

/// [`diff_reports`] under any [`Normalise`]. When either run was on a
/// real-time target, both sides' TSvals are masked (see [`live_masked`]).
pub fn diff_reports_with(a: &CaseReport, b: &CaseReport, norm: Normalise) -> Vec<Difference> {
    let live = !a.virtual_time || !b.virtual_time;
    compare(
        &a.id,
        &live_masked(report_outs(a), live),
        &live_masked(report_outs(b), live),
        norm,
        None,
    )
}

/// The lines of one side with every value that follows a real-time clock
/// masked, when `live`: a real-time target's TSvals (RFC 7323 §5.4: its
/// timestamp clock) are relative to its first, which may already be a
/// tick late, so they change from run to run with scheduling. They are
/// `TS val *` as in the snapshot form; on both sides, since a live value
/// compared with a fixed one says nothing either. That a TSopt is there,
/// and its echo (`ecr`, the harness's value), are still shown and compared.
fn live_masked(mut outs: Vec<Out>, live: bool) -> Vec<Out> {
    if live {
        for o in &mut outs {
            o.line = crate::report::snapshot::real_time_tsvals(&o.line);
        }
    }
    outs
}

/// A recorded fuzz run of one side: the target's segments in script space
/// with the findings on each, and the harness's own segments (script form,
/// step index), to tell when the two runs stopped injecting the same thing.
struct FuzzSide {
    outs: Vec<Out>,
    ins: Vec<(usize, String)>,
}

fn fuzz_side(o: &super::exec::FuzzOutcome, isn: SeqNumber) -> FuzzSide {
    let findings_at = |i: usize| -> Vec<(String, String, bool)> {
        o.findings
            .iter()
            .filter(|(step, _)| *step == i)
            .map(|(_, f)| {
                (
                    f.rule.name().to_string(),
                    f.level.to_string(),
                    f.deviation.is_some(),
                )
            })
            .collect()
    };
    let mut map = Mapping::new(isn);
    let (mut outs, mut ins) = (Vec::new(), Vec::new());
    for (i, s) in o.steps.iter().enumerate() {
        match s {
            Step::Out { segment, .. } => {
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
                let findings = findings_at(i);
                outs.push(Out {
                    line,
                    at: i,
                    findings,
                });
            }
            Step::In { built, .. } => ins.push((i, built)),
            _ => {}
        }
        // Findings on no target segment (a segment owed and not sent, found
        // when time passed or the harness sent more) become a line of their
        // own, so a side that owed something the other sent still differs.
        if !matches!(o.steps[i], Step::Out { .. }) {
            let findings = findings_at(i);
            if !findings.is_empty() {
                let mut rules: Vec<&str> = findings.iter().map(|f| f.0.as_str()).collect();
                rules.dedup();
                outs.push(Out {
                    line: format!("(missing) {}", rules.join(",")),
                    at: i,
                    findings,
                });
            }
        }
    }
    if let Some(b) = &o.broken {
        outs.push(Out {
            line: format!("session broken: {b}"),
            at: o.steps.len(),
            findings: Vec::new(),
        });
    }
    // The harness's segments in the run's final mapping: one built before
    // the target's SYN-ACK was read (a real-time race) then shows its
    // stray ack instead of hiding behind a not-yet-learned ISN.
    let ins = ins
        .into_iter()
        .map(|(i, seg)| (i, script_line(seg, Sender::Harness, &map)))
        .collect();
    FuzzSide { outs, ins }
}

/// Runs a fuzz input against two targets (each judged by its default
/// profile: `smoltcp` for embedded, `linux` for lab) and compares what they
/// sent, aligned as in [`diff_reports`], windows left out, options compared
/// exactly. A target that cannot open a session shows as one difference.
pub fn diff_sequence(data: &[u8], a: &dyn Target, b: &dyn Target) -> Vec<Difference> {
    let norm = Normalise {
        windows: false,
        options: true,
    };
    match diff_input(data, a, b, 0, norm) {
        Ok(d) => d,
        Err(e) => vec![Difference {
            case: "fuzz".into(),
            index: 0,
            a: Some(format!("error: {e}")),
            b: None,
            rules: Vec::new(),
            labels: Vec::new(),
            after_divergence: false,
        }],
    }
}

/// Runs a fuzz input as the `nth` run on both targets (fresh ports per run,
/// see [`super::exec::session_for_run`]) and compares under `norm`. Each
/// target is judged by its default profile. `Err` when a target cannot run
/// it (the plumbing failed, or the input needs what it does not support).
pub fn diff_input(
    data: &[u8],
    a: &dyn Target,
    b: &dyn Target,
    nth: u64,
    norm: Normalise,
) -> Result<Vec<Difference>, TargetError> {
    let input = decode(data);
    let (_, isn) = session_for(&input);
    let oa = run_nth(a, &input, profile_for(a), true, nth)?;
    let ob = run_nth(b, &input, profile_for(b), true, nth)?;
    let (mut sa, mut sb) = (fuzz_side(&oa, isn), fuzz_side(&ob, isn));
    let live = !a.capabilities().virtual_time || !b.capabilities().virtual_time;
    sa.outs = live_masked(sa.outs, live);
    sb.outs = live_masked(sb.outs, live);
    // The first injected segment that differs between the runs, as a step
    // index on each side; one run injecting more is a divergence too.
    let diverged = (0..sa.ins.len().max(sb.ins.len()))
        .find(|&k| sa.ins.get(k).map(|x| &x.1) != sb.ins.get(k).map(|x| &x.1))
        .map(|k| {
            let at = |s: &FuzzSide| s.ins.get(k).map_or(usize::MAX, |x| x.0);
            (at(&sa), at(&sb))
        });
    Ok(compare("fuzz", &sa.outs, &sb.outs, norm, diverged))
}
