//! The tap and tun targets against a real third-party stack: lwIP (Debian's
//! liblwip, through native/lwip/synack-lwip), started by `synack run
//! --target tap --exec`. Also: a stack that dies mid-case, one that cannot
//! start, bad flags, and `kill -9` of synack leaving nothing behind.
//!
//! They need root and liblwip-dev: without either they skip with a message,
//! unless `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{case, lwip, require, root, tap_privileged, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("synack runs")
}

/// False (skip) when the run says it lacks privilege, unless required.
fn privileged(o: &Output) -> bool {
    tap_privileged(o.status.code(), &text(o))
}

#[test]
fn lwip_through_tap_and_tun_passes_handshake_cases_over_ipv4_and_ipv6() {
    let Some(bin) = lwip("synack-lwip-cases") else {
        return;
    };
    let bin = bin.display().to_string();
    let cases = [
        case("establishment/t01-syn-ack.pkt"),
        case("establishment/t02-syn-closed-port.pkt"),
        case("establishment/t05-ack-to-listen.pkt"),
    ];
    for (target, v6) in [("tap", false), ("tap", true), ("tun", false), ("tun", true)] {
        let mut args = vec!["run", "--target", target, "--exec", &bin, "--name", "lwip"];
        if v6 {
            args.push("--ipv6");
        }
        args.extend(cases.iter().map(String::as_str));
        let o = synack(&args);
        if !privileged(&o) {
            return;
        }
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{target} ipv6={v6}: {t}");
        assert!(t.contains("2 passed, 0 failed"), "{target} ipv6={v6}: {t}");
        // t05 is waived for lwIP's RST|ACK; without the waiver it fails:
        // the run judges what lwIP sent.
        assert!(
            t.contains("WAIVED      establishment/t05-ack-to-listen"),
            "{t}"
        );
    }
    let o = synack(&[
        "run",
        "--target",
        "tap",
        "--exec",
        &bin,
        "--name",
        "lwip",
        "--waivers",
        "/dev/null",
        &cases[2],
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("rst-listen-numbers"), "{t}");
}

/// Runs t04 (1.1 s) and then a short case on lwIP behind the tap target,
/// with `first` (a shell line given `{m}`, a marker, and `{b}`, lwIP) as
/// the first start of the stack and lwIP itself as every later one. The
/// output, exit 1 asserted; `None` (the test skips) without lwIP or root.
fn a_bad_first_start(name: &str, first: &str) -> Option<String> {
    let bin = lwip(&format!("synack-lwip-{name}"))?;
    let marker =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let exec = format!("if [ -e {{m}} ]; then exec {{b}}; fi; touch {{m}}; {first}")
        .replace("{m}", &marker.display().to_string())
        .replace("{b}", &bin.display().to_string());
    let o = synack(&[
        "run",
        "--target",
        "tap",
        "--exec",
        &exec,
        "--name",
        "lwip",
        &case("establishment/t04-rst-to-listen.pkt"),
        &case("regressions/smoltcp-mss-below-48-raised.pkt"),
    ]);
    let _ = std::fs::remove_file(&marker);
    if !privileged(&o) {
        return None;
    }
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("PASS        regressions/smoltcp-mss-below-48-raised"),
        "{t}"
    );
    Some(t)
}

#[test]
fn a_stack_that_dies_mid_case_fails_that_case_and_the_next_restarts_it() {
    // The first start dies 0.6 s in, during the 1.1-s t04; later ones live.
    let Some(t) = a_bad_first_start(
        "dies",
        "{b} & p=$!; sleep 0.6; kill -9 $p; echo 'boom: the stack fell over' >&2; exit 7",
    ) else {
        return;
    };
    assert!(
        !t.contains("PASS        establishment/t04-rst-to-listen"),
        "{t}"
    );
    assert!(t.contains("target broken: the stack under test"), "{t}");
    assert!(t.contains("exited with status 7 during the case"), "{t}");
    assert!(
        t.contains("boom: the stack fell over"),
        "the stderr tail: {t}"
    );
}

#[test]
fn a_stack_that_hangs_fails_its_case_and_is_restarted_for_the_next() {
    // The first start stops (SIGSTOP) 0.6 s in, during the 1.1-s t04.
    let Some(t) = a_bad_first_start("hangs", "{b} & p=$!; sleep 0.6; kill -STOP $p; wait") else {
        return;
    };
    assert!(
        t.contains("FAIL        establishment/t04-rst-to-listen"),
        "{t}"
    );
}

#[test]
fn bad_exec_input_gets_a_clear_error_and_exit_2_or_3() {
    // No --exec: a usage error, before anything is created.
    let o = synack(&["run", "--target", "tap", &case("core")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("needs --exec CMD"), "{}", text(&o));
    let o = synack(&["run", "--target", "lab", "--exec", "x", &case("core")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = synack(&[
        "run",
        "--target",
        "tun",
        "--exec",
        "x",
        "--name",
        "a/b",
        &case("core"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // A command that exits at once.
    let o = synack(&[
        "run",
        "--target",
        "tap",
        "--exec",
        "echo bye >&2; exit 4",
        &case("core"),
    ]);
    if !privileged(&o) {
        return;
    }
    let t = text(&o);
    assert_eq!(o.status.code(), Some(3), "{t}");
    assert!(
        t.contains("exited with status 4 before answering a SYN"),
        "{t}"
    );
    assert!(t.contains("| bye"), "its stderr: {t}");
    assert!(!t.contains("panicked"), "{t}");

    // A command that never listens: exit 3 once the start timeout passes.
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([
            "run",
            "--target",
            "tun",
            "--exec",
            "sleep 60",
            &case("core"),
        ])
        .env("SYNACK_EXEC_TIMEOUT", "1.5")
        .output()
        .expect("synack runs");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(3), "{t}");
    assert!(t.contains("did not answer a SYN"), "{t}");
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["run", "--target", "tap", "--exec", "sleep 1", &case("core")])
        .env("SYNACK_EXEC_TIMEOUT", "soon")
        .output()
        .expect("synack runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// Every process whose command line contains `needle` (with `argv0`:
/// whose program name does).
fn processes_with(needle: &str, argv0: bool) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).into_owned();
        let hay = if argv0 {
            cmd.split('\0').next().unwrap_or("")
        } else {
            &cmd
        };
        if hay.contains(needle) {
            out.push(pid);
        }
    }
    out
}

/// Whether any task on the machine is in network namespace `ns`.
fn namespace_in_use(ns: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
        let Ok(tasks) = std::fs::read_dir(p.path().join("task")) else {
            return false;
        };
        tasks.flatten().any(|t| {
            std::fs::read_link(t.path().join("ns/net")).is_ok_and(|l| l.to_string_lossy() == ns)
        })
    })
}

#[test]
fn kill_9_of_synack_leaves_no_namespace_device_or_exec_process() {
    // A copy with a name of its own, to find exactly its processes.
    let name = format!("synack-lwip-kill9-{}", std::process::id());
    let Some(bin) = lwip(&name) else { return };
    let mut run = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["run", "--target", "tap", "--exec"])
        .arg(&bin)
        .arg(case(""))
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("synack starts");
    // Wait until the stack runs, then a little into the suite.
    let started = Instant::now();
    let stack = loop {
        if let Some(&pid) = processes_with(&name, true).first() {
            break pid;
        }
        if let Ok(Some(status)) = run.try_wait() {
            let mut err = String::new();
            use std::io::Read;
            let _ = run.stderr.take().map(|mut e| e.read_to_string(&mut err));
            if err.contains("insufficient privilege") && !require() {
                println!("skipping: the tap target needs root: {err}");
                return;
            }
            panic!("synack ended ({status}) before the stack started: {err}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the stack never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let ns = std::fs::read_link(format!("/proc/{stack}/ns/net"))
        .map(|l| l.to_string_lossy().into_owned())
        .expect("the stack's namespace");
    let root_ns = std::fs::read_link("/proc/self/ns/net").unwrap();
    assert_ne!(
        ns,
        root_ns.to_string_lossy(),
        "the stack runs in a namespace of its own"
    );
    std::thread::sleep(Duration::from_millis(500));
    run.kill().expect("kill -9 synack"); // SIGKILL
    let _ = run.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = processes_with(&name, false);
        let in_use = namespace_in_use(&ns);
        if left.is_empty() && !in_use {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after kill -9: processes {left:?} remain, namespace {ns} in use: {in_use}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let links = Command::new("ip")
        .args(["-o", "link", "show"])
        .output()
        .expect("ip link");
    let links = String::from_utf8_lossy(&links.stdout);
    assert!(
        !links.contains("synack0"),
        "a device leaked into the root namespace: {links}"
    );
    let _ = std::fs::remove_file(&bin);
}

#[test]
fn diff_over_three_targets_compares_every_pair() {
    let o = synack(&[
        "diff",
        "--targets",
        "embedded,embedded,embedded",
        &case("core"),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("0 differences (embedded vs embedded: 0, embedded vs embedded: 0, embedded vs embedded: 0)"),
        "{t}"
    );
    let o = synack(&["diff", "--targets", "embedded,embedded,embedded", "--fuzz"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
