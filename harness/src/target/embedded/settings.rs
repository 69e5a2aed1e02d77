//! What a packetdrill script's init commands set, made into settings of the
//! embedded stack (smoltcp), or the reason the case cannot run.
//!
//! The commands run where they cannot reach the host: in a lab namespace of
//! their own, sandboxed ([`crate::target::lab::command_sandbox`]). Then the
//! namespace's state is read back ([`Snapshot`]: every `/proc/sys/net`
//! setting, the routes, the queueing disciplines) and compared with the state
//! before the first command. Each setting falls in one of three classes:
//!
//! - **Honoured**: smoltcp has the mechanism and a way to set it; the stack
//!   takes the value the namespace holds after the commands (the host the
//!   script was written for), whether the script changed it or not:
//!   `tcp_timestamps` (RFC 7323 §3: TSval from the virtual clock in ms, or
//!   none), `tcp_rmem` / `tcp_wmem` (their default: the receive and send
//!   buffer of every socket the script makes; smoltcp's receive window and
//!   window scale follow from it), `tcp_keepalive_time` (the keep-alive
//!   idle time of `SO_KEEPALIVE` without `TCP_KEEPIDLE`). `tcp_sack` and
//!   `tcp_window_scaling` are honoured only as 1: smoltcp always offers
//!   both (RFC 2018, RFC 7323 §2) and cannot turn them off.
//! - **Accepted**: a setting of a mechanism smoltcp does not have (F-RTO,
//!   RACK-TLP, Fast Open, ECN, TSO, pacing, retry counts, …): no value of it
//!   changes what smoltcp sends, so the case runs, and an expectation that
//!   depends on Linux's mechanism fails there as a real difference.
//! - Anything else the commands changed (a setting not known here, a value
//!   smoltcp cannot take, a route, a queueing discipline that drops) makes
//!   the case *unsupported*, naming it: a case never runs under settings it
//!   did not ask for.

use std::collections::BTreeMap;

/// The namespace's state as the commands left it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// `/proc/sys/net` settings by sysctl name (`net.ipv4.tcp_sack`), each
    /// value with its whitespace collapsed.
    pub sysctls: BTreeMap<String, String>,
    /// `ip route show table all` and `ip -6 route show table all`.
    pub routes: String,
    /// `tc qdisc show`.
    pub qdiscs: String,
}

/// The shell command that prints a [`Snapshot`] (run in the sandbox).
pub const SNAPSHOT_COMMAND: &str = "grep -r . /proc/sys/net 2>/dev/null; \
     echo '@@routes'; ip route show table all 2>&1; ip -6 route show table all 2>&1; \
     echo '@@qdiscs'; tc qdisc show 2>&1; true";

/// Settings that change by themselves, not by a script: never compared.
const VOLATILE: &[&str] = &["net.ipv4.route.", "net.ipv6.route.", "net.netfilter."];

impl Snapshot {
    /// Parses the output of [`SNAPSHOT_COMMAND`].
    pub fn parse(out: &str) -> Snapshot {
        let mut s = Snapshot::default();
        let mut part = 0;
        for line in out.lines() {
            match line {
                "@@routes" => part = 1,
                "@@qdiscs" => part = 2,
                _ if part == 1 => {
                    s.routes.push_str(line);
                    s.routes.push('\n')
                }
                _ if part == 2 => {
                    s.qdiscs.push_str(line);
                    s.qdiscs.push('\n')
                }
                _ => {
                    let Some((path, value)) = line.split_once(':') else {
                        continue;
                    };
                    let Some(name) = path.strip_prefix("/proc/sys/") else {
                        continue;
                    };
                    let name = name.replace('/', ".");
                    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
                    let v = s.sysctls.entry(name).or_default();
                    if !v.is_empty() {
                        v.push(' ');
                    }
                    v.push_str(&value);
                }
            }
        }
        s
    }

    /// The settings whose values differ from `before`'s: `(name, before, now)`.
    pub fn changed<'a>(&'a self, before: &'a Snapshot) -> Vec<(&'a str, &'a str, &'a str)> {
        self.sysctls
            .iter()
            .filter(|(k, _)| !VOLATILE.iter().any(|p| k.starts_with(p)))
            .filter_map(|(k, v)| {
                let old = before.sysctls.get(k).map_or("", String::as_str);
                (old != v).then_some((k.as_str(), old, v.as_str()))
            })
            .collect()
    }
}

/// The settings the embedded stack takes from a script's commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSettings {
    /// Send TCP timestamps (RFC 7323 §3) on the connections it makes and on
    /// those whose SYN offered them.
    pub timestamps: bool,
    /// Receive buffer of each socket (tcp_rmem's default).
    pub rcvbuf: usize,
    /// Send buffer of each socket (tcp_wmem's default).
    pub sndbuf: usize,
    /// Keep-alive idle time in seconds (tcp_keepalive_time).
    pub keepalive_time: i64,
}

/// The largest buffer the embedded target gives a socket (smoltcp's window
/// scale reaches 1 GiB; memory does not need to).
pub const MAX_BUFFER: usize = 16 << 20;

/// What the commands came to: the stack's settings and a note per setting
/// the commands changed, or why the case cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The stack's settings.
    pub settings: StackSettings,
    /// One line per changed setting: honoured or accepted, and why.
    pub notes: Vec<String>,
}

/// Why a setting smoltcp lacks the mechanism for changes nothing it sends.
fn accepted(name: &str) -> Option<&'static str> {
    let key = name.strip_prefix("net.ipv4.")?;
    Some(match key {
        "tcp_syn_retries" | "tcp_synack_retries" | "tcp_retries1" | "tcp_retries2"
        | "tcp_orphan_retries" => {
            "smoltcp has no retry count: it retransmits until the socket's timeout"
        }
        "tcp_frto" => "smoltcp has no F-RTO (RFC 5682)",
        "tcp_dsack" => "smoltcp sends no D-SACK (RFC 2883)",
        "tcp_fack" | "tcp_reordering" | "tcp_max_reordering" | "tcp_early_retrans"
        | "tcp_recovery" | "tcp_thin_linear_timeouts" => {
            "smoltcp has no RACK-TLP (RFC 8985), FACK or reordering degree: it retransmits on its RTO and three duplicate ACKs"
        }
        "tcp_congestion_control" | "tcp_slow_start_after_idle" | "tcp_no_metrics_save"
        | "tcp_moderate_rcvbuf" | "tcp_adv_win_scale" | "tcp_app_win" => {
            "smoltcp here runs no congestion control, metrics cache or buffer autotuning: it sends what the peer's window allows and advertises its free buffer"
        }
        "tcp_tso_win_divisor" | "tcp_min_tso_segs" | "tcp_tso_rtt_log" | "tcp_autocorking"
        | "tcp_limit_output_bytes" => {
            "smoltcp's device has no segmentation offload or small-queue limits"
        }
        "tcp_pacing_ss_ratio" | "tcp_pacing_ca_ratio" => "smoltcp does not pace",
        "tcp_notsent_lowat" => "smoltcp has no unsent low-water mark",
        "tcp_fastopen" | "tcp_fastopen_key" | "tcp_fastopen_blackhole_timeout_sec" => {
            "smoltcp has no TCP Fast Open (RFC 7413): it ignores the option"
        }
        "tcp_syncookies" | "tcp_max_syn_backlog" | "tcp_abort_on_overflow" => {
            "smoltcp has no SYN queue to overflow and no SYN cookies"
        }
        "tcp_ecn" | "tcp_ecn_option" | "tcp_ecn_fallback" => {
            "smoltcp has no ECN (RFC 3168) or AccECN: it neither asks for nor agrees to it"
        }
        "tcp_mtu_probing" | "tcp_base_mss" | "tcp_probe_threshold" | "tcp_probe_interval"
        | "tcp_mtu_probe_floor" => "smoltcp has no path MTU probing (RFC 4821)",
        "tcp_keepalive_intvl" | "tcp_keepalive_probes" => {
            "smoltcp's keep-alive has one interval and no probe count"
        }
        "tcp_comp_sack_nr" | "tcp_comp_sack_delay_ns" | "tcp_comp_sack_slack_ns" => {
            "smoltcp does not compress SACKs"
        }
        "tcp_tw_reuse" | "tcp_fin_timeout" => {
            "smoltcp keeps TIME-WAIT and FIN-WAIT-2 by its own timers"
        }
        _ => return None,
    })
}

/// What a command that exited 0 still reported on stderr: a shell script
/// goes on after a failing line (packetdrill's `defaults.sh` has no `set
/// -e`), so a setting it asked for may not be set. A setting `sysctl`
/// could not write is harmless when smoltcp lacks its mechanism (no value
/// of it would change what smoltcp sends); any other error line means the
/// namespace is not what the script asked for.
pub fn check_stderr(stderr: &str) -> Result<(), String> {
    for line in stderr.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let key = if let Some(rest) = line.strip_prefix("sysctl: setting key \"") {
            rest.split('"').next().map(|k| k.replace('/', "."))
        } else if let Some(rest) = line.strip_prefix("sysctl: cannot stat /proc/sys/") {
            rest.split(':').next().map(|p| p.replace('/', "."))
        } else {
            None
        };
        // A warning is not a failure (ethtool's "warning: unexpected
        // message for device …" on the lab's TUN device), and a queueing
        // discipline this kernel lacks (`fq`) would be accepted anyway:
        // smoltcp's device has none.
        let harmless =
            line.starts_with("warning:") || line == "Error: Specified qdisc kind is unknown.";
        match key {
            _ if harmless => {}
            Some(k) if accepted(&k).is_some() => {}
            Some(k) => {
                return Err(format!(
                    "a command could not set {k} (`{line}`), so the case would run without it"
                ))
            }
            None => {
                return Err(format!(
                    "a command reported an error (`{line}`), so the namespace is not what the script asked for"
                ))
            }
        }
    }
    Ok(())
}

/// One field of a `min default max` triple.
fn default_of(triple: &str) -> Option<usize> {
    triple.split_whitespace().nth(1)?.parse().ok()
}

/// Decides what the commands' changes come to (see the module docs).
/// `before`: the namespace before the first command; `now`: after the last.
pub fn decide(before: &Snapshot, now: &Snapshot) -> Result<Outcome, String> {
    let get = |k: &str| now.sysctls.get(k).map(String::as_str);
    let int = |k: &str| get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let buffer = |k: &str| -> Result<usize, String> {
        let v = get(k).ok_or_else(|| format!("the namespace has no net.ipv4.{k}"))?;
        match default_of(v) {
            Some(n) if (1..=MAX_BUFFER).contains(&n) => Ok(n),
            _ => Err(format!(
                "net.ipv4.{k}=\"{v}\": the embedded target takes a default buffer of 1 to {MAX_BUFFER} bytes"
            )),
        }
    };
    let settings = StackSettings {
        timestamps: int("net.ipv4.tcp_timestamps").unwrap_or(1) != 0,
        rcvbuf: buffer("net.ipv4.tcp_rmem")?,
        sndbuf: buffer("net.ipv4.tcp_wmem")?,
        keepalive_time: int("net.ipv4.tcp_keepalive_time").unwrap_or(7200),
    };
    for (k, what) in [
        ("net.ipv4.tcp_sack", "SACK (RFC 2018)"),
        (
            "net.ipv4.tcp_window_scaling",
            "window scaling (RFC 7323 §2)",
        ),
    ] {
        if let Some(v) = int(k).filter(|v| *v != 1) {
            return Err(format!(
                "{k}={v}: smoltcp always offers {what} and cannot turn it off"
            ));
        }
    }
    let mut notes = vec![format!(
        "the embedded stack takes the namespace's tcp_timestamps, tcp_rmem, tcp_wmem and tcp_keepalive_time: timestamps {}, receive buffer {} bytes, send buffer {} bytes, keep-alive idle time {} s",
        if settings.timestamps { "on" } else { "off" },
        settings.rcvbuf,
        settings.sndbuf,
        settings.keepalive_time
    )];
    for (k, old, new) in now.changed(before) {
        let honoured = match k {
            "net.ipv4.tcp_timestamps" => Some(format!(
                "timestamps {}",
                if settings.timestamps { "on" } else { "off" }
            )),
            "net.ipv4.tcp_rmem" => Some(format!("receive buffer {} bytes", settings.rcvbuf)),
            "net.ipv4.tcp_wmem" => Some(format!("send buffer {} bytes", settings.sndbuf)),
            "net.ipv4.tcp_keepalive_time" => Some(format!(
                "keep-alive idle time {} s",
                settings.keepalive_time
            )),
            "net.ipv4.tcp_sack" | "net.ipv4.tcp_window_scaling" => Some("smoltcp's own".into()),
            _ => None,
        };
        match (honoured, accepted(k)) {
            (Some(h), _) => notes.push(format!("{k}={new}: honoured: {h}")),
            (None, Some(why)) => notes.push(format!("{k}={new}: accepted: {why}")),
            (None, None) => {
                return Err(format!(
                    "the commands changed {k} from \"{old}\" to \"{new}\", which the embedded target cannot honour"
                ))
            }
        }
    }
    if now.routes != before.routes {
        let added: Vec<&str> = now
            .routes
            .lines()
            .filter(|l| !before.routes.lines().any(|b| b == *l))
            .collect();
        return Err(format!(
            "the commands changed the namespace's routes (`{}`): the embedded target has no route attributes (advmss, mtu, initcwnd)",
            added.join("; ")
        ));
    }
    if now.qdiscs != before.qdiscs {
        for l in now.qdiscs.lines() {
            // `tc` shows `limit 0p` (packets) or `limit 0b` (bytes).
            let words: Vec<&str> = l.split_whitespace().collect();
            if words
                .windows(2)
                .any(|w| w[0] == "limit" && w[1].trim_end_matches(['p', 'b']) == "0")
            {
                return Err(format!(
                    "the commands set a queueing discipline that drops every packet (`{}`), which the embedded target cannot honour",
                    l.trim()
                ));
            }
        }
        notes.push(
            "tc qdisc: accepted: smoltcp's device has no queueing discipline (segments leave as smoltcp makes them, unpaced)"
                .into(),
        );
    }
    Ok(Outcome { settings, notes })
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
