//! The tap and tun targets on the command line: starting one from `--exec`,
//! its default profile, and `synack bench --target tap`.

use super::args::TargetKind;
use super::{exit, CliError};
use crate::oracle::Profile;
use crate::target::tap::{DeviceKind, Tap, TapOptions};
use crate::target::{IpFamily, Target};
use std::time::Duration;

/// Starts the tap or tun target with the stack `exec`. Bad flags are usage
/// errors (exit 2); a stack that cannot start is an infrastructure error
/// (exit 3).
pub fn start(
    kind: TargetKind,
    exec: Option<&str>,
    name: Option<String>,
    restart_per_case: bool,
    family: IpFamily,
    seed: u64,
    serve: bool,
) -> Result<Box<dyn Target>, CliError> {
    let options = options(kind, exec, name, restart_per_case, family, seed, serve)?;
    let what = device_name(options.kind);
    let tap = Tap::start(options)
        .map_err(|e| CliError::infra(format!("cannot start the {what} target: {e}")))?;
    Ok(Box::new(tap))
}

fn device_name(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Tap => "tap",
        DeviceKind::Tun => "tun",
    }
}

fn options(
    kind: TargetKind,
    exec: Option<&str>,
    name: Option<String>,
    restart_per_case: bool,
    family: IpFamily,
    seed: u64,
    serve: bool,
) -> Result<TapOptions, CliError> {
    let kind = match kind {
        TargetKind::Tap => DeviceKind::Tap,
        TargetKind::Tun => DeviceKind::Tun,
        _ => return Err(CliError::usage("--exec needs --target tap or tun")),
    };
    let what = device_name(kind);
    if serve {
        return Err(CliError::usage(format!(
            "--serve runs a server on the lab's kernel; on the {what} target --exec runs the stack itself"
        )));
    }
    let exec = exec.filter(|e| !e.trim().is_empty()).ok_or_else(|| {
        CliError::usage(format!(
            "--target {what} needs --exec CMD: the stack to test, attached to the device \
             synack creates (see README, \"Testing your own stack\"); e.g. \
             --exec \"$(bash native/lwip/build.sh)\" --name lwip"
        ))
    })?;
    if let Some(n) = &name {
        let ok = !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(CliError::usage(format!(
                "--name `{n}`: letters, digits, - and _ only (it names waiver files and report directories)"
            )));
        }
    }
    let start_timeout = match std::env::var("SYNACK_EXEC_TIMEOUT") {
        Ok(v) => Some(
            v.parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s < 86400.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "SYNACK_EXEC_TIMEOUT={v}: expected seconds, e.g. 2.5"
                    ))
                })?,
        ),
        Err(_) => None,
    };
    Ok(TapOptions {
        kind,
        exec: exec.to_string(),
        name,
        restart_per_case,
        family,
        seed,
        start_timeout,
    })
}

/// The default profile: the one the target names ([`Target::default_profile`];
/// a tap/tun target named like a profile, `--name lwip`, names it), else
/// strictly (rfc9293).
pub fn profile_of(target: &dyn crate::target::Target) -> String {
    match Profile::by_name(target.default_profile()) {
        Some(p) => p.name.to_string(),
        None => "rfc9293".into(),
    }
}

/// `synack bench --target tap --exec CMD`: the SYN→SYN-ACK round trip
/// through the harness beside a raw round trip on the same device, in the
/// same run, and full handshakes per second.
pub fn bench(
    kind: TargetKind,
    exec: Option<&str>,
    name: Option<String>,
    samples: usize,
    seconds: f64,
) -> Result<u8, CliError> {
    let options = options(kind, exec, name, false, IpFamily::V4, 1, false)?;
    let what = device_name(options.kind);
    let cmd = options.exec.clone();
    let tap = Tap::start(options)
        .map_err(|e| CliError::infra(format!("cannot start the {what} target: {e}")))?;
    let infra = |e: crate::target::TargetError| CliError::infra(e.to_string());
    let samples = samples.max(10);
    let (mut raw, mut harness) = (Vec::new(), Vec::new());
    // Interleaved, so both see the same machine; source ports apart.
    for round in 0..10u16 {
        let base = 20000 + round * 2000;
        raw.extend(tap.raw_rtt(samples / 10, base).map_err(infra)?);
        harness.extend(tap.harness_rtt(samples / 10, base + 1000).map_err(infra)?);
    }
    println!(
        "target {} (`{cmd}` via {what}), {samples} samples each",
        tap.name()
    );
    super::bench::print_round_trips(what, raw, harness);
    let budget = Duration::from_secs_f64(seconds.max(0.1));
    let n = tap.handshakes(budget).map_err(infra)?;
    println!(
        "handshakes/s (SYN, SYN-ACK, ACK, RST; via sessions): {:.0}",
        f64::from(n) / budget.as_secs_f64()
    );
    Ok(exit::PASS)
}
