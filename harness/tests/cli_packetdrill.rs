//! packetdrill's scripts through the `synack` binary: `-D` symbols,
//! `--allow-commands` and its environment mirror, the summary line naming
//! the scripts that asked to run commands.

mod common;

use common::text;
use std::path::PathBuf;
use std::process::{Command, Output};

fn synack(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_synack"));
    c.args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .env("NO_COLOR", "1")
        .env_remove("SYNACK_ALLOW_COMMANDS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the synack binary runs")
}

/// A script file of our own in a fresh temporary directory.
fn script(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synack-cli-pd-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.pkt"));
    std::fs::write(&path, body).expect("write the script");
    path
}

#[test]
fn check_takes_packetdrills_symbols() {
    let p = script("sym", "0 < S 0:0(0) win 1 <mss MSS,FO COOKIE>\n");
    let p = p.to_str().expect("utf-8 path");
    let o = synack(&["check", p], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("define it with -D MSS=VALUE"),
        "{}",
        text(&o)
    );
    let o = synack(
        &["check", "-D", "MSS=1000", "--define", "COOKIE=0a0b", p],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = synack(&["check", "-D", "1000", p], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("-D 1000: expected SYM=VAL"),
        "{}",
        text(&o)
    );
}

#[test]
fn commands_run_only_when_allowed_and_the_summary_names_the_scripts() {
    let p = script(
        "cmd",
        "`true`\n0 < S 0:0(0) win 1\n+0 > S. 0:0(0) ack 1 <...>\n",
    );
    let p = p.to_str().expect("utf-8 path");
    let o = synack(&["run", p], &[]);
    let out = text(&o);
    assert!(
        out.contains("pass --allow-commands (or SYNACK_ALLOW_COMMANDS=1) to let it"),
        "{out}"
    );
    assert!(out.contains(&format!("1 script(s) asked to run commands (they run only with --allow-commands (or SYNACK_ALLOW_COMMANDS=1)):\n  {p}")), "{out}");
    // Allowed (flag or environment), the embedded target runs them in a
    // sandbox (as root, or in a user namespace) and then the case.
    for (args, env) in [
        (vec!["run", "--allow-commands", p], vec![]),
        (vec!["run", p], vec![("SYNACK_ALLOW_COMMANDS", "1")]),
    ] {
        let o = synack(&args, &env);
        let out = text(&o);
        let sandboxed = out.contains("1 passed");
        let no_privilege = out.contains("sandboxed lab namespace, which cannot start here");
        assert!(
            sandboxed
                || (no_privilege && std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1")),
            "{out}"
        );
        assert!(
            out.contains("asked to run commands (allowed by --allow-commands)"),
            "{out}"
        );
    }
}
