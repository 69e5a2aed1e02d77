//! What a run makes of packetdrill's lines beyond packets and syscalls:
//! `--name=value` options (each honoured or reported as ignored, one line
//! each), back-quoted commands and `%{ }%` blocks (only with
//! `--allow-commands`: a script is code where it runs them), `icmp` / `udp`
//! lines (unsupported, with the reason), and packetdrill's timing tolerance.
//!
//! Timing (packetdrill's `run.c`, `verify_time`): an event may happen
//! `tolerance` early or late, where `tolerance` is the larger of a floor
//! (`--tolerance_usecs`, default 4 ms) and a share of the scripted gap since
//! the previous event (`--tolerance_percent`, default 12.5 %). synack's own
//! cases keep their floor (`//! tolerance`, default 50 ms) and add the same
//! share, so a long gap on a loaded machine is judged as packetdrill would.

use super::case::{diagnostic, Case};
use super::runner::{RunOptions, Stop};
use crate::script::{Diagnostic, Item, Line, LineKind, Script};
use crate::target::command::ScriptAddresses;
use crate::target::{IpFamily, Target};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

/// packetdrill's `--tolerance_usecs` default.
pub const PD_TOLERANCE_FLOOR: Duration = Duration::from_millis(4);
/// packetdrill's `--tolerance_percent` default, in hundredths of a percent.
pub const PD_TOLERANCE_PERCENT_X100: u32 = 1250;

/// The flag that lets scripts run commands, as messages name it.
pub const ALLOW_FLAG: &str = "--allow-commands (or SYNACK_ALLOW_COMMANDS=1)";

/// How early or late an event may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    /// `--tolerance_usecs`, when the script sets it (else the case's floor).
    pub floor: Option<Duration>,
    /// Share of the scripted gap, in hundredths of a percent (1250 = 12.5 %).
    pub percent_x100: u32,
}

impl Default for Tolerance {
    fn default() -> Tolerance {
        Tolerance {
            floor: None,
            percent_x100: PD_TOLERANCE_PERCENT_X100,
        }
    }
}

impl Tolerance {
    /// The fixed part: the script's `--tolerance_usecs`, else `default`.
    pub fn fixed(&self, default: Duration) -> Duration {
        self.floor.unwrap_or(default)
    }

    /// The larger of `floor` and the share of `gap` (packetdrill's rule).
    pub fn for_gap(&self, floor: Duration, gap: Duration) -> Duration {
        let p = u64::from(self.percent_x100);
        if p == 0 {
            return floor;
        }
        // In u64 where it fits: this runs for every line of every case, and
        // a u128 division is a library call.
        let us = gap.as_micros();
        let share = match u64::try_from(us).ok().and_then(|g| g.checked_mul(p)) {
            Some(x) => x / 10_000,
            None => u64::try_from(us * u128::from(p) / 10_000).unwrap_or(u64::MAX),
        };
        floor.max(Duration::from_micros(share))
    }
}

/// What a script's packetdrill lines ask of the run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdSettings {
    /// How early or late an event may be (`--tolerance_usecs`, `--tolerance_percent`).
    pub tolerance: Tolerance,
    /// One line per option line: `(script line, what synack does with it)`.
    pub notes: Vec<(u32, String)>,
    /// The lines that run something (back-quoted commands, `%{ }%` blocks).
    pub command_lines: Vec<u32>,
    /// `--local_ip` / `--remote_ip`, when given.
    pub local_ip: Option<IpAddr>,
    /// `--remote_ip`: the harness's address, when given.
    pub remote_ip: Option<IpAddr>,
    /// What no target of this version can run (an `icmp` line), with the line.
    pub unsupported: Option<String>,
    /// `--tcp_ts_tick_usecs`: compare outbound TSvals, this many µs a tick.
    pub ts_tick_usecs: Option<u64>,
    /// `--ip_version=ipv4|ipv6`: the script's address family, over the run's.
    pub family: Option<IpFamily>,
    /// `--mtu=N`: the TUN device's MTU (on the lab, in a namespace of the
    /// case's own).
    pub mtu: Option<u32>,
    /// The `< icmp` lines: each may leave state in the target's namespace
    /// that outlives the case (a path MTU learnt from frag-needed or Packet
    /// Too Big is kept per destination for minutes), so such a case gets a
    /// target of its own where the target has one.
    pub icmp_lines: Vec<u32>,
    /// `--strict_segments`: a `>` line matches one segment exactly (no
    /// aggregation of consecutive segments, `run/aggregate.rs`).
    pub strict_segments: bool,
}

impl PdSettings {
    /// Whether the script runs commands or code.
    pub fn runs_commands(&self) -> bool {
        !self.command_lines.is_empty()
    }
}

/// Options synack honours, and how.
fn honoured(name: &str) -> Option<&'static str> {
    Some(match name {
        "tolerance_usecs" => "honoured: the timing tolerance's floor",
        "tolerance_percent" => "honoured: the timing tolerance's share of the gap",
        "define" | "D" => "honoured: the symbol is replaced before parsing",
        "ip_version" => "honoured: the case runs over this address family, whatever the run's",
        "local_ip" | "remote_ip" => {
            "honoured on the lab, in a namespace of the case's own with no route out (ignored on the embedded target)"
        }
        "strict_segments" => {
            "honoured: a `>` line matches one segment, not a run of consecutive ones"
        }
        "tcp_ts_tick_usecs" => {
            "honoured: outbound TSvals are compared, within the timing tolerance in ticks"
        }
        "mtu" => "honoured on the lab: the TUN device's MTU, in a namespace of the case's own (ignored on the embedded target)",
        _ => return None,
    })
}

/// Options synack reads and does not act on, and why.
fn ignored(name: &str) -> Option<&'static str> {
    Some(match name {
        "mss" => "ignored: the TUN device's MTU is the lab's",
        "bind_port" | "connect_port" => "ignored: synack picks each case's ports",
        "tcp_ts_ecr_scaled" => "ignored: inbound TS values are sent as written",
        "non_fatal" | "send_omit_free" | "is_anyip" | "verbose" | "debug" => {
            "ignored: no effect on how synack judges"
        }
        "psp_udp_port" => "ignored: PSP encapsulation is not supported",
        n if n.starts_with("wire_") => "ignored: synack has no wire client and server",
        "speed" | "init_scripts" | "so_filename" | "so_flags" | "netmask_ip" | "gateway_ip"
        | "persistent_tcp_ts" => "ignored: not used by synack",
        _ => return None,
    })
}

/// The script's packetdrill settings, with diagnostics for option values that
/// cannot be used.
pub fn resolve(script: &Script, source: &str, file: &str) -> Result<PdSettings, Vec<Diagnostic>> {
    let mut pd = PdSettings::default();
    let mut diags = Vec::new();
    for o in &script.options {
        let value = o.value.as_deref().unwrap_or("");
        let bad = |help: &str| {
            diagnostic(
                source,
                file,
                o.span,
                format!("--{}: `{value}` is not a valid value", o.name),
                Some(help.to_string()),
            )
        };
        match o.name.as_str() {
            "tolerance_usecs" => match value.parse::<u64>() {
                Ok(us) => pd.tolerance.floor = Some(Duration::from_micros(us)),
                Err(_) => diags.push(bad("microseconds, e.g. --tolerance_usecs=10000")),
            },
            "tolerance_percent" => match value.parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => {
                    pd.tolerance.percent_x100 = (p * 100.0).round() as u32
                }
                _ => diags.push(bad("a percentage from 0 to 100, e.g. 12.5")),
            },
            "ip_version" => match value {
                "ipv4" => pd.family = Some(IpFamily::V4),
                "ipv6" => pd.family = Some(IpFamily::V6),
                "ipv4-mapped-ipv6" => {
                    pd.unsupported = Some(format!(
                    "{file}:{}: --ip_version=ipv4-mapped-ipv6 is not supported (ipv4 and ipv6 are)",
                    o.span.line
                ))
                }
                _ => diags.push(bad("ipv4, ipv6 or ipv4-mapped-ipv6")),
            },
            "tcp_ts_tick_usecs" => match value.parse::<u64>() {
                Ok(t) if t > 0 => pd.ts_tick_usecs = Some(t),
                _ => diags.push(bad("microseconds a TS tick, e.g. 1000")),
            },
            "mtu" => match value.parse::<u32>() {
                Ok(m) if (576..=65535).contains(&m) => pd.mtu = Some(m),
                _ => diags.push(bad("an MTU in bytes, 576 to 65535")),
            },
            "strict_segments" => pd.strict_segments = true,
            "local_ip" | "remote_ip" => match value.parse::<IpAddr>() {
                Ok(ip) if o.name == "local_ip" => pd.local_ip = Some(ip),
                Ok(ip) => pd.remote_ip = Some(ip),
                Err(_) => diags.push(bad("an IPv4 or IPv6 address")),
            },
            _ => {}
        }
        let what = honoured(&o.name)
            .or_else(|| ignored(&o.name))
            .unwrap_or("ignored: not an option synack knows");
        let shown = match &o.value {
            Some(v) => format!("--{}={v}", o.name),
            None => format!("--{}", o.name),
        };
        pd.notes.push((o.span.line, format!("{shown}: {what}")));
    }
    for c in &script.init {
        pd.command_lines.push(c.span.line);
    }
    for l in lines(script) {
        match &l.kind {
            LineKind::Command(_) | LineKind::Code(_) => pd.command_lines.push(l.span.line),
            LineKind::Datagram(d) if matches!(d.kind, crate::script::DatagramKind::Icmp { .. }) => {
                pd.icmp_lines.push(l.span.line)
            }
            LineKind::Packet(p) if p.psp_spi.is_some() && pd.unsupported.is_none() => {
                pd.unsupported = Some(format!(
                    "{file}:{}: PSP encapsulation (`encap psp`) is parsed but not supported",
                    l.span.line
                ))
            }
            LineKind::Datagram(d)
                if pd.unsupported.is_none()
                    && matches!(d.kind, crate::script::DatagramKind::Udp { .. }) =>
            {
                pd.unsupported = Some(format!(
                    "{file}:{}: {}",
                    l.span.line,
                    line_unsupported(&l.kind)
                ))
            }
            _ => {}
        }
    }
    for c in &script.cleanup {
        pd.command_lines.push(c.span.line);
    }
    if diags.is_empty() {
        Ok(pd)
    } else {
        Err(diags)
    }
}

/// Why a line of this kind cannot run (the runner never reaches one: the
/// case is reported *unsupported* before it starts).
pub fn line_unsupported(kind: &LineKind) -> String {
    match kind {
        LineKind::Command(_) => format!("back-quoted commands run only with {ALLOW_FLAG}"),
        LineKind::Code(_) => "`%{ }%` blocks need TCP_INFO from the target".into(),
        LineKind::Datagram(_) => {
            "udp packet lines are parsed but not injected in this version (icmp lines are)".into()
        }
        _ => "this line cannot run".into(),
    }
}

/// Why a case that runs commands cannot run now, or `None` when it may.
pub fn commands_gate(file: &str, pd: &PdSettings, allowed: bool) -> Option<String> {
    let first = *pd.command_lines.first()?;
    if allowed {
        return None;
    }
    Some(format!(
        "{file}:{first}: the script runs commands (back-quoted or `%{{ }}%`); a script is code where it runs them: pass {ALLOW_FLAG} to let it"
    ))
}

/// Why `case` cannot run under `opts` for what its packetdrill lines ask,
/// or `None`.
pub fn case_gate(case: &Case, opts: &RunOptions) -> Option<String> {
    let file = &case.derived.path_text;
    if let Some(why) = commands_gate(file, &case.meta.packetdrill, opts.allow_commands) {
        return Some(why);
    }
    // `%{ }%` blocks run (run/code_blocks.rs) where commands are allowed.
    None
}

/// Every timed line, `either` branches included.
fn lines(script: &Script) -> impl Iterator<Item = &Line> {
    script.items.iter().flat_map(|item| match item {
        Item::Line(l) => std::slice::from_ref(l).iter().collect::<Vec<_>>(),
        Item::Either { branches, .. } => branches.iter().flatten().collect(),
    })
}

/// A target of the case's own for a case that runs commands or names its
/// addresses (on the lab, a fresh namespace holding them), after its init
/// commands ran there; `None` when the case needs none. A target that has
/// none cannot honour the commands: the case is *unsupported*, never run
/// under settings it did not ask for.
pub(super) fn private_target(
    target: &dyn Target,
    case: &Case,
    opts: &super::RunOptions,
) -> Result<Option<Box<dyn Target>>, Stop> {
    let pd = &case.meta.packetdrill;
    // packetdrill's `--local_ip` / `--remote_ip` given to the run apply to
    // scripts in packetdrill form that name none (a TFO cookie written
    // into a script depends on both addresses).
    let pd_form = case.script.meta.is_empty();
    let run_addr = |ip: Option<IpAddr>| ip.filter(|_| pd_form);
    let addresses = ScriptAddresses {
        target: pd.local_ip.or(run_addr(opts.local_ip)),
        harness: pd.remote_ip.or(run_addr(opts.remote_ip)),
    };
    let mtu = pd.mtu.or(opts.mtu.filter(|_| pd_form));
    let tso = wants_tso(case, opts.tso)?;
    // The shared lab runs without offload: a case that wants it (every
    // packetdrill script, by default) gets a lab of its own.
    let tso_differs = target.offload().is_some_and(|on| on != tso);
    let set_mtu = mtu.filter(|_| target.offload().is_some());
    let icmp = !pd.icmp_lines.is_empty();
    if !pd.runs_commands() && !addresses.any() && !tso_differs && set_mtu.is_none() && !icmp {
        return Ok(None);
    }
    let file = case.path.display();
    let first = pd.command_lines.first().copied().unwrap_or(0);
    let private = match target.isolated_with(&addresses, tso) {
        // Only addresses (or ICMP) asked for, and this target has no place
        // of its own for them: the case runs on synack's (its notes say so;
        // the embedded target starts every case from a fresh stack anyway).
        None if !pd.runs_commands() => return Ok(None),
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(Stop::Error(format!("cannot start a private {} target: {e}", target.name()))),
        None => {
            return Err(Stop::Unsupported(format!(
                "{file}:{first}: the {} target cannot run the script's commands, and a case never runs under settings it did not ask for",
                target.name()
            )))
        }
    };
    if let Some(mtu) = set_mtu {
        let out = private
            .as_ref()
            .command(&format!("ip link set dev tun0 mtu {mtu}"), Path::new("/"))
            .map_err(Stop::from)?;
        if !out.success() {
            return Err(Stop::Error(format!(
                "{file}: cannot set the MTU to {mtu}: {out}"
            )));
        }
    }
    for c in &case.script.init {
        let out = run_command(private.as_ref(), case, &c.text)?;
        if !out.success() {
            return Err(Stop::Error(format!(
                "{file}:{}: init command `{}` failed: {out}{}",
                c.span.line,
                one_line(&c.text),
                refused_hint(&out)
            )));
        }
    }
    Ok(Some(private))
}

/// Whether the case runs with TCP segmentation offload on the target's
/// device (the kernel then sends GSO super-segments, one `>` line for what a
/// NIC would cut into MSS-sized segments, as packetdrill's TUN device gets):
/// `--tso` / `--no-tso` (`run`) decide for every case; else a case's
/// `//! tso: on|off`; else on for a script in packetdrill form (no `//!`
/// metadata) and off for synack's own cases.
pub(crate) fn wants_tso(case: &Case, run: Option<bool>) -> Result<bool, Stop> {
    if let Some(on) = run {
        return Ok(on);
    }
    let tso = if case.derived.has_meta.0 {
        case.script.meta("tso")
    } else {
        None
    };
    match tso {
        None => Ok(case.script.meta.is_empty()),
        Some(m) => match case.script.meta_text("tso") {
            Some("on") => Ok(true),
            Some("off") => Ok(false),
            _ => Err(Stop::Error(format!(
                "{}:{}:{}: `//! tso:` takes `on` or `off`",
                case.path.display(),
                m.span.line,
                m.span.col
            ))),
        },
    }
}

/// Why a command failed when it wrote where the sandbox refuses: outside
/// the namespace's own settings (`/proc/sys/net`) and the lab's `/tmp`, so
/// it would have reached the host (e.g. `/sys/module/tcp_cubic/…`).
pub(crate) fn refused_hint(out: &crate::target::command::Output) -> &'static str {
    if out.stderr.contains("Read-only file system") {
        "; it writes outside the lab namespace's own settings (/proc/sys/net) and /tmp, which would reach the host: refused"
    } else {
        ""
    }
}

/// Runs one command in the case file's directory (where packetdrill's
/// relative paths such as `../common/defaults.sh` point).
pub(super) fn run_command(
    target: &dyn Target,
    case: &Case,
    text: &str,
) -> Result<crate::target::command::Output, Stop> {
    let dir = case
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    target.command(text, &dir).map_err(Stop::from)
}

/// A command as one line, for messages.
pub fn one_line(text: &str) -> String {
    let t: Vec<&str> = text.split_whitespace().collect();
    let joined = t.join(" ");
    if joined.chars().count() > 80 {
        format!("{}…", joined.chars().take(80).collect::<String>())
    } else {
        joined
    }
}

/// The first `//` comment line of a packetdrill script, as its title.
pub fn first_comment(source: &str) -> Option<String> {
    source
        .lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with("//"))
        .find_map(|l| l.strip_prefix("//"))
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.starts_with('!'))
        .map(String::from)
}

/// Runs the cleanup commands (after the case, whatever its result; as
/// packetdrill does), each a note in the transcript; a failing one turns a
/// passing case into an error.
pub(super) fn cleanup(
    target: &dyn Target,
    case: &Case,
    transcript: &mut Vec<super::event::Entry>,
    result: Result<(), Stop>,
) -> Result<(), Stop> {
    let mut result = result;
    target.case_over();
    for c in &case.script.cleanup {
        let at = transcript.last().map_or(Duration::ZERO, |e| e.at);
        let outcome = run_command(target, case, &c.text);
        let shown = one_line(&c.text);
        let note = match &outcome {
            Ok(out) => format!("cleanup command `{shown}`: {out}"),
            Err(_) => format!("cleanup command `{shown}` could not run"),
        };
        transcript.push(super::event::Entry {
            at,
            line: Some(c.span.line),
            what: super::event::EntryKind::Note(note),
        });
        match outcome {
            Ok(out) if out.success() => {}
            Ok(out) if result.is_ok() => {
                result = Err(Stop::Error(format!(
                    "{}:{}: cleanup command `{shown}` failed: {out}",
                    case.path.display(),
                    c.span.line
                )))
            }
            Err(e) if result.is_ok() => result = Err(e),
            _ => {}
        }
    }
    result
}

/// How many ticks an outbound TSval may be off at session time `now`:
/// `None` unless the script sets `--tcp_ts_tick_usecs` (packetdrill's
/// `verify_outbound_tcp_option`: the tolerance then grows with the time
/// since the start, not since the previous event).
pub fn ts_val_slack(case: &Case, now: Duration) -> Option<u32> {
    let tick = case.meta.packetdrill.ts_tick_usecs?;
    let tol = case
        .meta
        .packetdrill
        .tolerance
        .for_gap(case.meta.tolerance, now);
    Some(u32::try_from(tol.as_micros() / u128::from(tick)).unwrap_or(u32::MAX))
}

/// The run summary's lines on scripts that asked to run commands (`None`
/// when none did): whether they were let, then each script on a line.
pub fn commands_summary(cases: &[&Case], allowed: bool) -> Option<String> {
    let asked: Vec<String> = cases
        .iter()
        .filter(|c| c.meta.packetdrill.runs_commands())
        .map(|c| c.path.display().to_string())
        .collect();
    if asked.is_empty() {
        return None;
    }
    let how = if allowed {
        "allowed by --allow-commands".to_string()
    } else {
        format!("they run only with {ALLOW_FLAG}")
    };
    Some(format!(
        "{} script(s) asked to run commands ({how}):\n  {}",
        asked.len(),
        asked.join("\n  ")
    ))
}

#[cfg(test)]
#[path = "pdscript_tests.rs"]
mod tests;
