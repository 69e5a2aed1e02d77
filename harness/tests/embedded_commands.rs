//! packetdrill scripts' init commands on the embedded target: they run in a
//! sandboxed lab namespace (never on the host), and what they set there
//! becomes smoltcp's settings (timestamps, buffer sizes), is accepted (a
//! mechanism smoltcp lacks), or makes the case *unsupported* naming the
//! setting. Before this, every such case was unsupported.
//!
//! The sandbox needs what the lab needs: without it every test skips with a
//! message, unless `SYNACK_REQUIRE_LAB=1`, which turns the skip into a
//! failure.

mod common;

use common::{assert_passes, lab_or_skip};
use std::path::Path;
use synack::run::case::load_source;
use synack::run::{run_case, CaseReport, Outcome, RunOptions};
use synack::target::embedded::Embedded;

/// A server socket and the peer's SYN (timestamps and window scale offered).
const LISTEN: &str = "\
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
";

/// Runs `init` + [`LISTEN`] + `rest` on the embedded target with commands
/// allowed; `None` where the sandbox cannot start (the test skips).
fn run(init: &str, rest: &str) -> Option<CaseReport> {
    // The same privilege as the sandbox's lab namespace.
    lab_or_skip()?;
    let text = format!("{init}\n{LISTEN}{rest}");
    let case = load_source(Path::new("/tmp/pd-embedded/t.pkt"), text).expect("loads");
    let opts = RunOptions {
        profile: "smoltcp".into(),
        allow_commands: true,
        ..RunOptions::default()
    };
    Some(run_case(&Embedded::new(), &case, 0, &opts))
}

#[test]
fn tcp_timestamps_1_turns_smoltcps_timestamps_on() {
    let Some(r) = run(
        "`sysctl -q net.ipv4.tcp_timestamps=1`",
        "+0    > S. 0:0(0) ack 1 <TS val 0 ecr 100,...>\n",
    ) else {
        return;
    };
    assert_passes(&r);
}

#[test]
fn tcp_timestamps_0_and_tcp_rmem_set_the_options_and_the_window_scale() {
    // A 540000-octet receive buffer needs a window scale of 4 (2^20 > 540000).
    let Some(r) = run(
        "`sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_rmem=\"4096 540000 15728640\"`",
        "+0    > S. 0:0(0) ack 1 win 65535 <mss *,wscale 4,sackOK,eol>\n",
    ) else {
        return;
    };
    assert_passes(&r);
}

#[test]
fn a_setting_smoltcp_cannot_take_makes_the_case_unsupported_naming_it() {
    let Some(r) = run(
        "`sysctl -q net.ipv4.tcp_sack=0`",
        "+0    > S. 0:0(0) ack 1 <...>\n",
    ) else {
        return;
    };
    assert_eq!(r.outcome, Outcome::Unsupported);
    assert_eq!(
        r.reason.as_deref(),
        Some("embedded (smoltcp): net.ipv4.tcp_sack=0: smoltcp always offers SACK (RFC 2018) and cannot turn it off")
    );
    let Some(r) = run(
        "`sysctl -q net.ipv4.tcp_min_rtt_wlen=10`",
        "+0    > S. 0:0(0) ack 1 <...>\n",
    ) else {
        return;
    };
    assert_eq!(r.outcome, Outcome::Unsupported);
    assert!(
        r.reason
            .as_deref()
            .unwrap_or("")
            .contains("changed net.ipv4.tcp_min_rtt_wlen from \"300\" to \"10\""),
        "{:?}",
        r.reason
    );
}

#[test]
fn a_setting_of_a_mechanism_smoltcp_lacks_is_accepted_even_mid_case() {
    let Some(r) = run(
        "`sysctl -q net.ipv4.tcp_fastopen=0x70403 net.ipv4.tcp_frto=0`",
        "+0    > S. 0:0(0) ack 1 <...>\n+0    `sysctl -q net.ipv4.tcp_ecn=1`\n",
    ) else {
        return;
    };
    assert_passes(&r);
    // The transcript says what became of each setting, on the init line.
    let notes: Vec<String> = r
        .transcript
        .iter()
        .filter_map(|e| match &e.what {
            synack::run::event::EntryKind::Note(n) if e.line == Some(1) => Some(n.clone()),
            _ => None,
        })
        .collect();
    assert!(
        notes.contains(&"net.ipv4.tcp_frto=0: accepted: smoltcp has no F-RTO (RFC 5682)".into()),
        "{notes:?}"
    );
}

#[test]
fn a_timed_command_that_changes_the_running_stack_is_unsupported() {
    let Some(r) = run(
        "`true`",
        "+0    > S. 0:0(0) ack 1 <...>\n+0    `sysctl -q net.ipv4.tcp_timestamps=0`\n",
    ) else {
        return;
    };
    assert_eq!(r.outcome, Outcome::Unsupported);
    assert!(
        r.reason.as_deref().unwrap_or("").contains(
            "changed net.ipv4.tcp_timestamps=0 while the case runs; smoltcp's settings are fixed"
        ),
        "{:?}",
        r.reason
    );
}

#[test]
fn a_command_that_fails_or_writes_to_the_host_is_unsupported_and_the_host_untouched() {
    let marker = format!("/var/tmp/synack-embedded-{}", std::process::id());
    let Some(r) = run(
        &format!("`echo x > {marker}`"),
        "+0    > S. 0:0(0) ack 1 <...>\n",
    ) else {
        return;
    };
    assert_eq!(r.outcome, Outcome::Unsupported);
    let why = r.reason.unwrap_or_default();
    assert!(
        why.contains("failed in the sandbox") && why.contains("Read-only file system"),
        "{why}"
    );
    assert!(!Path::new(&marker).exists());
}

/// `synack diff ARGS --report DIR/NAME` on a script that turns timestamps
/// off by a command: its stdout and both runs' results.json (a, b).
fn diff_ts_off(name: &str, args: &[&str]) -> (String, String, String) {
    let dir = std::env::temp_dir().join(format!("synack-embedded-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("ts-off.pkt");
    let text =
        format!("`sysctl -q net.ipv4.tcp_timestamps=0`\n{LISTEN}+0    > S. 0:0(0) ack 1 <...>\n");
    std::fs::write(&file, text).expect("write the script");
    let report = dir.join("report");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synack"))
        .env_remove("SYNACK_ALLOW_COMMANDS")
        .arg("diff")
        .args(args)
        .arg("--report")
        .arg(&report)
        .arg(&file)
        .output()
        .expect("runs synack");
    let results = |run: &str| {
        std::fs::read_to_string(report.join(run).join("results.json")).unwrap_or_default()
    };
    let found = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        results("a"),
        results("b"),
    );
    let _ = std::fs::remove_dir_all(&dir);
    found
}

#[test]
fn synack_diff_runs_scripts_with_commands_when_allowed() {
    if lab_or_skip().is_none() {
        return;
    }
    let targets = ["--options", "--targets", "embedded,lab"];
    // Without the flag the script is unsupported on both: nothing compared.
    let (stdout, results, _) = diff_ts_off("diff-not", &targets);
    assert!(stdout.contains("0 differences"), "{stdout}");
    assert!(results.contains("\"unsupported\": 1"), "{results}");
    // With it both run, and the handshakes differ (smoltcp lays its
    // options out as Linux does not: `--options` compares the layout).
    let (stdout, results, _) = diff_ts_off(
        "diff-allowed",
        &[&targets[..], &["--allow-commands"]].concat(),
    );
    assert!(results.contains("\"passed\": 1"), "{results}");
    assert!(!stdout.contains("0 differences"), "{stdout}");
}

#[test]
fn a_command_that_exits_0_after_a_failing_line_is_unsupported() {
    // As in mtu_probe/basic-v4: the route change fails here (packetdrill's
    // own addresses), the shell goes on, and the case must not run with
    // the MSS the script did not get.
    let Some(r) = run(
        "`ip route change 192.0.2.1 via 192.168.0.2 dev tun0 advmss 600\ntrue`",
        "+0    > S. 0:0(0) ack 1 <...>\n",
    ) else {
        return;
    };
    assert_eq!(r.outcome, Outcome::Unsupported);
    let why = r.reason.unwrap_or_default();
    assert!(why.contains("a command reported an error"), "{why}");
}

#[test]
fn cleanup_commands_run_as_on_the_lab_after_the_case() {
    // A cleanup that writes to stderr and restores a setting: the case's
    // verdict stands (before case_over it would have been unsupported).
    let Some(r) = run(
        "`sysctl -q net.ipv4.tcp_timestamps=0`",
        "+0    > S. 0:0(0) ack 1 <mss *,wscale *,sackOK,eol>\n`sysctl -q net.ipv4.tcp_timestamps=1; echo restored >&2`\n",
    ) else {
        return;
    };
    assert_passes(&r);
}

#[test]
fn synack_diff_fault_runs_scripts_with_commands_and_injects_the_fault_there() {
    // `--fault` wraps the second target: its private instance (where the
    // commands run) must be the faulty one, not missing (before, the
    // wrapper dropped the commands and the case was unsupported on b).
    if lab_or_skip().is_none() {
        return;
    }
    let (stdout, a, b) = diff_ts_off(
        "fault",
        &[
            "--targets",
            "embedded,embedded",
            "--fault",
            "flip-ack",
            "--allow-commands",
        ],
    );
    assert!(a.contains("\"passed\": 1"), "{a}");
    assert!(b.contains("\"failed\": 1"), "{b}\n{stdout}");
    assert!(!stdout.contains("0 differences"), "{stdout}");
}
