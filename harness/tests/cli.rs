//! The `synack` binary as a user meets it: the README's commands, exit
//! codes, and what a failure and a script error look like.

mod common;

use common::{root, text};
use std::path::PathBuf;
use std::process::{Command, Output};

fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the synack binary runs")
}

#[test]
fn the_suite_passes_on_the_embedded_target_with_exit_0() {
    let o = synack(&["run"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("target embedded"), "{out}");
    assert!(out.contains(" passed, 0 failed, "), "{out}");
}

#[test]
fn a_wrong_expectation_fails_with_exit_1_and_a_field_level_message() {
    let o = synack(&["run", "harness/tests/fixtures/wrong-ack.pkt"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("tcp.ack: expected 3, got 2"), "{out}");
    assert!(
        out.contains("wrong-ack.pkt:9: "),
        "names the case line: {out}"
    );
    assert!(out.contains("line:     +0     > F. 1:1(0) ack 3"), "{out}");
    assert!(out.contains("actual:   F. 1:1(0) ack 2"), "{out}");
    assert!(
        out.contains("0 passed, 1 failed, 0 waived, 0 unsupported, 0 skipped, 0 errors"),
        "{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
}

#[test]
fn a_syntax_error_exits_2_with_file_line_col_and_a_caret() {
    let o = synack(&["run", "harness/tests/fixtures/syntax-error.pkt"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("harness/tests/fixtures/syntax-error.pkt:3:14"),
        "{out}"
    );
    assert!(out.contains("3 | +0     > S. 0 0(0) ack 1"), "{out}");
    assert!(out.contains("  |              ^"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    let o = synack(&["check", "harness/tests/fixtures/syntax-error.pkt"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn check_and_list_read_every_case() {
    let o = synack(&["check", "cases"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = synack(&["list"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for id in ["core/b01-handshake", "establishment/t05-ack-to-listen"] {
        assert!(out.contains(id), "{id} listed: {out}");
    }
}

#[test]
fn check_reports_every_file_good_and_bad() {
    let o = synack(&[
        "check",
        "cases/core/b01-handshake.pkt",
        "harness/tests/fixtures/syntax-error.pkt",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("ok   cases/core/b01-handshake.pkt"), "{out}");
    assert!(
        out.contains("FAIL harness/tests/fixtures/syntax-error.pkt"),
        "{out}"
    );
    assert!(out.contains("syntax-error.pkt:3:14"), "{out}");
    assert!(out.contains("1 case files parsed, 1 with errors"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let o = synack(&["run", "--shard", "4/3"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = synack(&["run", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = synack(&["run", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn help_documents_the_exit_codes() {
    let o = synack(&["run", "--help"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for code in [
        "0  every case passed",
        "1  a case failed",
        "2  usage or script error",
        "3  infrastructure error",
        "4  nothing was tested",
    ] {
        assert!(out.contains(code), "{code}: {out}");
    }
}

#[test]
fn the_lab_without_privilege_exits_3_and_says_what_to_do() {
    if Command::new("setpriv").arg("--version").output().is_err() {
        println!("skipping: setpriv (util-linux) is not installed");
        return;
    }
    let dropped = "-net_admin,-sys_admin";
    // Without the capabilities synack would make a user namespace of its
    // own and run (tests/rootless.rs): forbid that too, in a user namespace
    // whose user.max_user_namespaces is 0 (the host is untouched).
    let o = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c"])
        .arg("echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv \"$@\"")
        .arg("sh")
        .arg(format!("--bounding-set={dropped}"))
        .arg(format!("--inh-caps={dropped}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_synack"))
        .args(["run", "--target", "lab", "cases/core"])
        .current_dir(root())
        .output()
        .expect("setpriv runs");
    let out = text(&o);
    if out.contains("setpriv:") || out.contains("unshare:") {
        println!("skipping: setpriv cannot drop capabilities here: {out}");
        return;
    }
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("CAP_NET_ADMIN"), "{out}");
    assert!(out.contains("user.max_user_namespaces = 0"), "{out}");
    assert!(
        out.contains("run as root") && out.contains("--target embedded"),
        "{out}"
    );
}

#[test]
fn a_runs_pcaps_carry_the_runs_date_and_its_ladder_microseconds() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dated-report");
    let _ = std::fs::remove_dir_all(&dir);
    let o = synack(&[
        "run",
        "--report",
        dir.to_str().expect("utf-8 path"),
        "cases/core/b01-handshake.pkt",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pcap = std::fs::read(dir.join("core__b01-handshake.pcap")).expect("pcap written");
    let secs = u32::from_le_bytes(pcap[24..28].try_into().expect("a record"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert!(
        u64::from(secs) + 3600 > now && u64::from(secs) <= now,
        "stamped from the run's start, not 1970: {secs}"
    );
    let html = std::fs::read_to_string(dir.join("index.html")).expect("html");
    assert!(html.contains(">virtual s<"), "labelled");
    assert!(html.contains(">0.010000<"), "µs, not rounded to 100 ms");
}
