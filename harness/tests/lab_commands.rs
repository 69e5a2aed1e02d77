//! A script's back-quoted commands on the lab: they act on the lab's
//! network namespace alone, in a private mount namespace where only
//! `/proc/sys/net` (and a fresh `/tmp`) is writable, and a case that runs
//! them gets a lab namespace of its own.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{assert_passes, lab_or_skip};
use std::path::Path;
use synack::run::case::load_source;
use synack::run::{run_case, Outcome, RunOptions};
use synack::target::Target;

fn host_sysctl(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/{name}"))
        .expect("read a host sysctl")
        .trim()
        .to_string()
}

#[test]
fn a_command_sets_the_lab_namespaces_own_settings_and_not_the_hosts() {
    let Some(lab) = lab_or_skip() else { return };
    let before = host_sysctl("net/ipv4/tcp_sack");
    let flipped = if before == "0" { "1" } else { "0" };
    let out = lab
        .command(
            &format!("sysctl -q net.ipv4.tcp_sack={flipped} && cat /proc/sys/net/ipv4/tcp_sack"),
            Path::new("/"),
        )
        .expect("the command runs");
    assert!(out.success(), "{out}");
    assert_eq!(out.stdout.trim(), flipped);
    assert_eq!(host_sysctl("net/ipv4/tcp_sack"), before, "the host's value");
}

#[test]
fn writes_outside_proc_sys_net_fail_with_the_commands_stderr() {
    let Some(lab) = lab_or_skip() else { return };
    let hostname = host_sysctl("kernel/hostname");
    let out = lab
        .command(
            "sysctl -w kernel.hostname=synack-must-not-set",
            Path::new("/"),
        )
        .expect("the command runs");
    assert!(!out.success(), "{out}");
    assert!(out.to_string().contains("kernel.hostname"), "{out}");
    assert_eq!(host_sysctl("kernel/hostname"), hostname);

    let marker = format!("/var/tmp/synack-lab-commands-{}", std::process::id());
    let out = lab
        .command(&format!("echo x > {marker}"), Path::new("/"))
        .expect("the command runs");
    assert!(!out.success(), "{out}");
    assert!(out.stderr.contains("Read-only file system"), "{out}");
    assert!(!Path::new(&marker).exists());

    // /tmp is a fresh tmpfs: writable, and nothing of it reaches the host's.
    let tmp = format!("/tmp/synack-lab-commands-{}", std::process::id());
    let out = lab
        .command(&format!("echo x > {tmp} && cat {tmp}"), Path::new("/"))
        .expect("the command runs");
    assert!(out.success(), "{out}");
    assert!(!Path::new(&tmp).exists());
}

#[test]
fn a_command_runs_in_the_script_files_directory() {
    let Some(lab) = lab_or_skip() else { return };
    let dir = std::env::temp_dir();
    let out = lab.command("pwd", &dir).expect("the command runs");
    assert_eq!(
        out.stdout.trim(),
        dir.display().to_string().trim_end_matches('/')
    );
}

const SACK_OFF: &str = "\
// Init commands run in the case's own namespace.
`sysctl -q net.ipv4.tcp_sack=0`
0     < S 0:0(0) win 65535 <mss 1460,sackOK>
+0    > S. 0:0(0) ack 1 <mss 1460>
+0    `test \"$(cat /proc/sys/net/ipv4/tcp_sack)\" = 0`
+0.01 < R 1:1(0) win 0
";

const SACK_ON: &str = "\
0     < S 0:0(0) win 65535 <mss 1460,sackOK>
+0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
+0.01 < R 1:1(0) win 0
";

#[test]
fn a_case_with_init_commands_gets_a_namespace_of_its_own() {
    let Some(lab) = lab_or_skip() else { return };
    let opts = RunOptions {
        profile: "linux".into(),
        allow_commands: true,
        ..RunOptions::default()
    };
    let off = load_source(Path::new("/tmp/sack-off.pkt"), SACK_OFF.into()).expect("loads");
    let r = run_case(&lab, &off, 0, &opts);
    assert_passes(&r);
    // The shared lab kept its settings.
    let on = load_source(Path::new("/tmp/sack-on.pkt"), SACK_ON.into()).expect("loads");
    let r = run_case(&lab, &on, 1, &opts);
    assert_passes(&r);
}

#[test]
fn a_failing_init_command_is_reported_with_its_stderr() {
    let Some(lab) = lab_or_skip() else { return };
    let opts = RunOptions {
        profile: "linux".into(),
        allow_commands: true,
        ..RunOptions::default()
    };
    let c = load_source(
        Path::new("/tmp/core.pkt"),
        "`sysctl -w kernel.hostname=synack-must-not-set`\n0 < S 0:0(0) win 1\n".into(),
    )
    .expect("loads");
    let r = run_case(&lab, &c, 0, &opts);
    assert_eq!(r.outcome, Outcome::Error);
    let why = r.reason.unwrap_or_default();
    assert!(
        why.starts_with("/tmp/core.pkt:1: init command `sysctl -w kernel.hostname=synack-must-not-set` failed: exit status"),
        "{why}"
    );
    assert!(why.contains("kernel.hostname"), "{why}");
}

const OWN_ADDRESSES: &str = "\
--local_ip=203.0.113.7
--remote_ip=192.0.2.1
0     < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 <mss 1460>
+0.01 < R 1:1(0) win 0
";

#[test]
fn a_scripts_own_addresses_are_honoured_in_a_namespace_of_its_own() {
    let Some(lab) = lab_or_skip() else { return };
    // No commands: the addresses alone need no --allow-commands.
    let opts = RunOptions {
        profile: "linux".into(),
        ..RunOptions::default()
    };
    let c = load_source(Path::new("/tmp/addr.pkt"), OWN_ADDRESSES.into()).expect("loads");
    let r = run_case(&lab, &c, 0, &opts);
    assert_passes(&r);
    assert_eq!(
        r.target_addr.get().map(|a| a.ip().to_string()).as_deref(),
        Some("203.0.113.7")
    );
    assert_eq!(
        r.harness_addr.get().map(|a| a.ip().to_string()).as_deref(),
        Some("192.0.2.1")
    );
}

/// packetdrill's `common/set_sysctls.py` pattern: an init command run from a
/// script tree under the host's `/tmp` reaches `../common`, learns
/// `PACKETDRILL_PID`, writes a restore file in `/tmp`, and a later command
/// (the cleanup) finds that file; the host's `/tmp` never sees it.
#[test]
fn a_script_tree_under_tmp_stays_visible_and_the_labs_tmp_lasts_between_commands() {
    let Some(lab) = lab_or_skip() else { return };
    let tree = std::env::temp_dir().join(format!("synack-tree-{}", std::process::id()));
    let dir = tree.join("tcp/blocking");
    std::fs::create_dir_all(&dir).expect("make the tree");
    std::fs::create_dir_all(tree.join("tcp/common")).expect("make common");
    std::fs::write(tree.join("tcp/common/hello.sh"), "echo common").expect("write");
    let out = lab
        .command(
            "cd \"$(pwd)\" && sh ../common/hello.sh && \
             echo 'echo restored' > /tmp/restore_$PACKETDRILL_PID.sh && \
             test \"$PACKETDRILL_PID\" = \"$PPID\"",
            &dir,
        )
        .expect("the command runs");
    assert!(out.success(), "{out}");
    assert_eq!(out.stdout.trim(), "common");
    let restore = format!("/tmp/restore_{}.sh", std::process::id());
    assert!(!Path::new(&restore).exists(), "reached the host's /tmp");
    let out = lab
        .command(&format!("sh {restore}"), &dir)
        .expect("the command runs");
    assert!(out.success(), "{out}");
    assert_eq!(out.stdout.trim(), "restored");
    // The script tree is read-only.
    let out = lab
        .command("echo x > ../common/new", &dir)
        .expect("the command runs");
    assert!(!out.success(), "{out}");
    assert!(!tree.join("tcp/common/new").exists());
    std::fs::remove_dir_all(&tree).expect("remove the tree");
}

/// `--local-ip` / `--remote-ip` (packetdrill's `--local_ip` / `--remote_ip`
/// given to the run) reach a script in packetdrill form that names no
/// address, and not synack's own cases.
#[test]
fn the_runs_addresses_apply_to_packetdrill_scripts_that_name_none() {
    let Some(lab) = lab_or_skip() else { return };
    let no_addresses = OWN_ADDRESSES
        .lines()
        .filter(|l| !l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    let opts = RunOptions {
        profile: "linux".into(),
        local_ip: Some("203.0.113.7".parse().expect("an address")),
        remote_ip: Some("192.0.2.1".parse().expect("an address")),
        ..RunOptions::default()
    };
    let c = load_source(Path::new("/tmp/run-addr.pkt"), no_addresses.clone()).expect("loads");
    let r = run_case(&lab, &c, 0, &opts);
    assert_passes(&r);
    assert_eq!(
        r.target_addr.get().map(|a| a.ip().to_string()).as_deref(),
        Some("203.0.113.7")
    );
    assert_eq!(
        r.harness_addr.get().map(|a| a.ip().to_string()).as_deref(),
        Some("192.0.2.1")
    );
    let own = format!("//! title: own\n//! service: echo\n{no_addresses}");
    let c = load_source(Path::new("/tmp/own-addr.pkt"), own).expect("loads");
    let r = run_case(&lab, &c, 0, &opts);
    assert_passes(&r);
    assert_ne!(
        r.target_addr.get().map(|a| a.ip().to_string()).as_deref(),
        Some("203.0.113.7")
    );
}
