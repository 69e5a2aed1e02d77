//! Findings → cases: replays a fuzz input, prints it as a case file that
//! reproduces it under `synack run` (script-space numbers, the oracle's
//! verdict as comments), and groups many inputs by what they found.

use super::exec::{session_for, Driver, FuzzOutcome, Step, MAX_SESSION_TIME};
use super::ops::{decode, Input, Op};
use crate::oracle::Profile;
use crate::run::build::filler;
use crate::run::mapping::Mapping;
use crate::run::scriptform::{script_line, Sender};
use crate::script::{quote, secs};
use crate::target::{AppAction, Target, TargetError};
use std::fmt::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// A replayed input and the case text that reproduces it.
#[derive(Clone, Debug)]
pub struct Repro {
    pub input: Input,
    pub outcome: FuzzOutcome,
    /// The panic message when the stack (or the harness) panicked.
    pub panic: Option<String>,
    /// What the input found: the first failing rule's name, `panic`,
    /// `broken`, or `none`.
    pub kind: String,
    /// The case file.
    pub case: String,
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Replays `data` on `target` under `profile`, catching a panic at the op
/// that raised it, and prints the case.
pub fn repro_case(
    data: &[u8],
    target: &dyn Target,
    profile: Profile,
) -> Result<Repro, TargetError> {
    let input = decode(data);
    let (spec, isn) = session_for(&input);
    let session = target.open(&spec)?;
    let profile_name = profile.name;
    let mut driver = Driver::new(session, input.service, isn, profile, true);
    let mut panic = None;
    let mut stopped_at = None;
    for (i, op) in input.ops.iter().enumerate() {
        match catch_unwind(AssertUnwindSafe(|| driver.op(i, op))) {
            Ok(Ok(())) => driver.outcome.ops = i + 1,
            Ok(Err(e)) => {
                driver.outcome.broken = Some(e.to_string());
                stopped_at = Some(i);
                break;
            }
            Err(p) => {
                panic = Some(panic_text(p.as_ref()));
                stopped_at = Some(i);
                break;
            }
        }
    }
    if stopped_at.is_none() {
        match catch_unwind(AssertUnwindSafe(|| driver.finish(input.ops.len()))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => driver.outcome.broken = Some(e.to_string()),
            Err(p) => panic = Some(panic_text(p.as_ref())),
        }
    }
    let pending = stopped_at.and_then(|i| match &input.ops[i] {
        Op::Inject(inj) => Some(driver.build(inj)),
        _ => None,
    });
    let outcome = driver.outcome.clone();
    let kind = if panic.is_some() {
        "panic".to_string()
    } else if outcome.broken.is_some() {
        "broken".to_string()
    } else {
        outcome
            .failure()
            .map_or("none".to_string(), |f| f.rule.name().to_string())
    };
    let mut repro = Repro {
        input,
        outcome,
        panic,
        kind,
        case: String::new(),
    };
    repro.case = render(&repro, isn, profile_name, pending.as_ref());
    Ok(repro)
}

/// The case file of a replay.
fn render(
    r: &Repro,
    isn: crate::wire::SeqNumber,
    profile: &str,
    pending: Option<&crate::wire::Segment>,
) -> String {
    let mut out = String::new();
    let title = match (&r.panic, &r.outcome.broken, r.outcome.failure()) {
        (Some(p), _, _) => format!("fuzz finding: the stack panicked: {}", first_line(p)),
        (_, Some(b), _) => format!("fuzz finding: session broken: {}", first_line(b)),
        (_, _, Some(f)) => format!("fuzz finding: {} ({})", f.rule, f.section),
        _ => "fuzz input: no failing finding".to_string(),
    };
    let end = r
        .outcome
        .steps
        .iter()
        .map(|s| match s {
            Step::In { at, .. }
            | Step::Out { at, .. }
            | Step::App { at, .. }
            | Step::Waited { at, .. } => *at,
        })
        .max()
        .unwrap_or_default();
    let _ = writeln!(out, "//! title: {title}");
    let _ = writeln!(out, "//! tags: regression, fuzz");
    let _ = writeln!(out, "//! service: {}", r.input.service);
    let _ = writeln!(out, "//! profile: {profile}");
    let deadline = if r.outcome.deadline.is_zero() {
        (end.as_secs() + 1).clamp(30, MAX_SESSION_TIME.as_secs() + 1)
    } else {
        r.outcome.deadline.as_secs()
    };
    let _ = writeln!(out, "//! deadline: {deadline}");
    let _ = writeln!(
        out,
        "// Verdict of the oracle (profile {profile}) when fuzzed:"
    );
    if let Some(p) = &r.panic {
        let _ = writeln!(out, "//   the stack panicked: {}", first_line(p));
    }
    if let Some(b) = &r.outcome.broken {
        let _ = writeln!(out, "//   session broken: {}", first_line(b));
    }
    if r.outcome.findings.is_empty() && r.panic.is_none() && r.outcome.broken.is_none() {
        let _ = writeln!(out, "//   no findings");
    }
    for (_, f) in &r.outcome.findings {
        let _ = writeln!(out, "//   {}", first_line(&f.to_string()));
    }
    let mut caveats = Vec::new();
    let mut map = Mapping::new(isn);
    let mut body = String::new();
    for step in &r.outcome.steps {
        match step {
            Step::In {
                at,
                sent,
                built,
                bad_checksum,
                ..
            } => {
                let seg = sent.as_ref().unwrap_or(built);
                let mut line = harness_line(seg, &map);
                if seg.payload != filler(seg.payload.len()) {
                    let _ = write!(line, " payload {}", quote(&seg.payload));
                }
                if *bad_checksum {
                    line.push_str(" csum bad");
                }
                if sent.is_none() || line.contains("/*") {
                    caveats
                        .push("a data offset that disagrees with the header (shown as a comment)");
                }
                let _ = writeln!(body, "{} < {line}", secs(at.as_micros() as u64));
            }
            Step::Out { at, segment, .. } => match segment {
                Some(seg) => {
                    if seg.flags.syn() {
                        map.learn_target_isn(seg.seq, 0);
                    }
                    if let Some((tsval, _)) = seg.timestamps() {
                        map.learn_target_ts(tsval, 0);
                    }
                    let line = script_line(seg, Sender::Target, &map);
                    let _ = writeln!(body, "{} > {line}", secs(at.as_micros() as u64));
                }
                None => {
                    let _ = writeln!(
                        body,
                        "// {} the target sent a packet that does not parse",
                        secs(at.as_micros() as u64)
                    );
                }
            },
            Step::App {
                at,
                action,
                outcome,
                ..
            } => {
                caveats.push("application actions (syscall lines are not run yet)");
                let _ = writeln!(
                    body,
                    "// {} app {} -> {outcome}",
                    secs(at.as_micros() as u64),
                    app_text(action)
                );
            }
            Step::Waited { at, state, .. } => {
                if let Some(s) = state {
                    let _ = writeln!(
                        body,
                        "{} state {}",
                        secs(at.as_micros() as u64),
                        s.rfc_name()
                    );
                }
            }
        }
    }
    if let Some(seg) = pending {
        let line = script_line(seg, Sender::Harness, &map);
        let _ = writeln!(
            body,
            "// next, the segment the stack panicked or broke on:\n// < {line}"
        );
    }
    caveats.sort();
    caveats.dedup();
    if !caveats.is_empty() {
        let _ = writeln!(
            out,
            "// Not expressible in the case language, so `synack run` may not reproduce it:"
        );
        for c in caveats {
            let _ = writeln!(out, "//   {c}");
        }
    }
    out.push('\n');
    out.push_str(&body);
    out
}

/// A `<` line for `seg` (`script_line` spells "no flags" `none`, as the
/// case language does).
fn harness_line(seg: &crate::wire::Segment, map: &Mapping) -> String {
    script_line(seg, Sender::Harness, map)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn app_text(a: &AppAction) -> String {
    match a {
        AppAction::Write(b) => format!("write({} bytes)", b.len()),
        AppAction::Read(n) => format!("read({n})"),
        AppAction::ShutdownWrite => "shutdown(SHUT_WR)".into(),
        AppAction::Close => "close()".into(),
        AppAction::Abort => "abort()".into(),
    }
}

/// Inputs that found the same kind of problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The failing rule's name, `panic: <message>`, `broken`, or `none`.
    pub kind: String,
    /// How many inputs found it.
    pub count: usize,
    /// The smallest input of the group.
    pub example: PathBuf,
    /// The example's first failing finding (or panic) in one line.
    pub detail: String,
}

/// Replays every file in `dir` on `target` and groups them by kind: the
/// first failing rule not in `allowed` (what made the fuzz target stop;
/// pass the campaign's `SYNACK_FUZZ_ALLOW`), a panic site, or `broken`.
/// Groups come largest first.
pub fn group(
    dir: &Path,
    target: &dyn Target,
    profile: &Profile,
    allowed: &[String],
) -> std::io::Result<Vec<Group>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut groups: Vec<(Group, usize)> = Vec::new();
    for path in files {
        let data = std::fs::read(&path)?;
        let (kind, detail) = match repro_case(&data, target, profile.clone()) {
            Ok(r) => {
                let fatal = super::fatal(&r.outcome, allowed);
                let detail = match (&r.panic, &r.outcome.broken, fatal) {
                    (Some(p), _, _) => first_line(p).to_string(),
                    (_, Some(b), _) => first_line(b).to_string(),
                    (_, _, Some(f)) => first_line(&f.to_string()).to_string(),
                    _ => "no failing finding (does not reproduce)".into(),
                };
                let kind = match (&r.panic, &r.outcome.broken, fatal) {
                    (Some(_), _, _) => format!("panic: {}", panic_site(&detail)),
                    (_, Some(_), _) => "broken".to_string(),
                    (_, _, Some(f)) => f.rule.name().to_string(),
                    _ => "none".to_string(),
                };
                (kind, detail)
            }
            Err(e) => ("error".to_string(), e.to_string()),
        };
        match groups.iter_mut().find(|(g, _)| g.kind == kind) {
            Some((g, size)) => {
                g.count += 1;
                if data.len() < *size {
                    *size = data.len();
                    g.example = path;
                    g.detail = detail;
                }
            }
            None => groups.push((
                Group {
                    kind,
                    count: 1,
                    example: path,
                    detail,
                },
                data.len(),
            )),
        }
    }
    let mut out: Vec<Group> = groups.into_iter().map(|(g, _)| g).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.kind.cmp(&b.kind)));
    Ok(out)
}

/// A panic message without its numbers, so one bug is one group.
fn panic_site(msg: &str) -> String {
    msg.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .take(80)
        .collect()
}
