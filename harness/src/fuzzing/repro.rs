//! Findings → cases: replays a fuzz input, prints it as a case file that
//! reproduces it under `synack run` (script-space numbers, application
//! actions as syscall lines, the oracle's verdict as comments), and groups
//! many inputs by what they found.

use super::exec::{app_action, session_for, Driver, FuzzOutcome, Step, MAX_SESSION_TIME};
use super::ops::{decode, Input, Op};
use crate::oracle::Profile;
use crate::run::build::filler;
use crate::run::mapping::Mapping;
use crate::run::scriptform::{script_line, Sender};
use crate::script::{quote, secs};
use crate::target::{AppAction, AppOutcome, Target, TargetError};
use std::fmt::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A replayed input and the case text that reproduces it.
#[derive(Clone, Debug)]
pub struct Repro {
    /// The decoded input.
    pub input: Input,
    /// How it ended: the findings, or none.
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
                driver.outcome.broken_by = Some(e);
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
            Ok(Err(e)) => {
                driver.outcome.broken = Some(e.to_string());
                driver.outcome.broken_by = Some(e);
            }
            Err(p) => panic = Some(panic_text(p.as_ref())),
        }
    }
    let pending = stopped_at.map(|i| match &input.ops[i] {
        Op::Inject(inj) => Pending::Inject(driver.build(inj), inj.bad_checksum),
        Op::App(a) => Pending::App(app_action(a)),
        Op::Wait(ms) => Pending::Wait(Duration::from_millis(u64::from(*ms))),
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

/// The operation a replay stopped on (the stack panicked or broke in it).
enum Pending {
    Inject(crate::wire::Segment, bool),
    App(AppAction),
    Wait(Duration),
}

/// The case file of a replay.
fn render(
    r: &Repro,
    isn: crate::wire::SeqNumber,
    profile: &str,
    pending: Option<&Pending>,
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
    // A wait the stack broke in: the case waits as long (see below).
    let wait_end = match pending {
        Some(Pending::Wait(wait)) if r.panic.is_none() => {
            Some((end + *wait).min(MAX_SESSION_TIME.max(end)))
        }
        _ => None,
    };
    let deadline = if r.outcome.deadline.is_zero() {
        (end.max(wait_end.unwrap_or_default()).as_secs() + 1)
            .clamp(30, MAX_SESSION_TIME.as_secs() + 1)
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
    let mut linger = false;
    let mut state = None;
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
                let line = inject_line(seg, *bad_checksum, &map);
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
                let t = secs(at.as_micros() as u64);
                let (result, note) = app_result(outcome);
                let lines = syscall_lines(action, &result, &mut linger);
                let last = lines.len().saturating_sub(1);
                for (i, line) in lines.iter().enumerate() {
                    // The note is about the call's result: the last line.
                    let note = if i == last { note.as_str() } else { "" };
                    let _ = writeln!(body, "{t} {line}{note}");
                }
            }
            Step::Waited { at, state: s, .. } => {
                if let Some(s) = s {
                    state = Some(*s);
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
    // The operation the stack broke on is a line the runner runs (and breaks
    // on, failing the case there); one it panicked on stays a comment.
    let t = secs(end.as_micros() as u64);
    match (pending, &r.panic) {
        (Some(Pending::Inject(seg, bad)), Some(_)) => {
            let line = inject_line(seg, *bad, &map);
            let _ = writeln!(
                body,
                "// next, the segment the stack panicked on:\n// < {line}"
            );
        }
        (Some(Pending::Inject(seg, bad)), None) => {
            let line = inject_line(seg, *bad, &map);
            let _ = writeln!(
                body,
                "// next, the segment the stack broke on:\n{t} < {line}"
            );
        }
        (Some(Pending::App(action)), panicked) => {
            let (lead, what) = match panicked {
                Some(_) => ("// ", "panicked"),
                None => ("", "broke"),
            };
            let _ = writeln!(body, "// next, the action the stack {what} on:");
            for line in syscall_lines(action, "...", &mut linger) {
                let _ = writeln!(body, "{lead}{t} {line}");
            }
        }
        (Some(Pending::Wait(_)), None) => {
            let until = secs(wait_end.unwrap_or(end).as_micros() as u64);
            match state {
                // A line at the wait's end makes the runner wait as long (the
                // state is the last one seen; the stack breaks before it).
                Some(s) => {
                    let _ = writeln!(
                        body,
                        "// the stack broke while time passed, before {until} s:\n{until} state {}",
                        s.rfc_name()
                    );
                }
                None => {
                    let _ = writeln!(
                        body,
                        "// the stack broke while time passed, before {until} s"
                    );
                }
            }
        }
        (Some(Pending::Wait(_)), Some(_)) | (None, _) => {}
    }
    // An input whose operations write no line (none at all, or only waits
    // with nothing seen) makes a case with no events, which is a script
    // error: there is nothing to run.
    let has_event = body.lines().any(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with("//")
    });
    if !has_event {
        caveats.push(
            "no operation of the input is a line of a case (nothing sent, nothing asked of the target): there is nothing to run",
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
/// case language does), with its payload unless it is the filler, and
/// `csum bad`.
fn inject_line(seg: &crate::wire::Segment, bad_checksum: bool, map: &Mapping) -> String {
    let mut line = script_line(seg, Sender::Harness, map);
    if seg.payload != filler(seg.payload.len()) {
        let _ = write!(line, " payload {}", quote(&seg.payload));
    }
    if bad_checksum {
        line.push_str(" csum bad");
    }
    line
}

/// The connection's descriptor in printed syscall lines (what packetdrill's
/// `accept` returns after `socket` = 3).
const CONN_FD: u32 = 4;

/// The syscall lines of an action returning `result`: `write(4, ..., N)`,
/// `read(4, ..., N)`, `shutdown(4, SHUT_WR)`, `close(4)`; an abort as
/// packetdrill writes it, `SO_LINGER` {onoff=1, linger=0} then `close`
/// (`linger` remembers it, so a later close first turns it off again).
fn syscall_lines(action: &AppAction, result: &str, linger: &mut bool) -> Vec<String> {
    let fd = CONN_FD;
    let set_linger = |on: u8| {
        format!("setsockopt({fd}, SOL_SOCKET, SO_LINGER, {{onoff={on}, linger=0}}, 8) = 0")
    };
    let mut lines = Vec::new();
    let call = match action {
        AppAction::Write(bytes) if *bytes == filler(bytes.len()) => {
            format!("write({fd}, ..., {})", bytes.len())
        }
        AppAction::Write(bytes) => format!("write({fd}, {}, {})", quote(bytes), bytes.len()),
        AppAction::Read(n) => format!("read({fd}, ..., {n})"),
        AppAction::ShutdownWrite => format!("shutdown({fd}, SHUT_WR)"),
        AppAction::Close | AppAction::Abort => {
            let abort = *action == AppAction::Abort;
            if abort != *linger {
                lines.push(set_linger(u8::from(abort)));
                *linger = abort;
            }
            format!("close({fd})")
        }
    };
    lines.push(format!("{call} = {result}"));
    lines
}

/// The return value of a recorded action outcome, and a comment for a refusal.
fn app_result(outcome: &AppOutcome) -> (String, String) {
    let note = match outcome {
        AppOutcome::Refused(why) => format!("  // refused: {why}"),
        _ => String::new(),
    };
    (crate::run::syscall::returned(outcome).to_string(), note)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
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
/// The oracle allows those rules too, as the fuzz target's does
/// ([`super::exec::allowing`]), so an input is judged as it was found.
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
    let profile = super::exec::allowing(profile.clone(), allowed);
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
