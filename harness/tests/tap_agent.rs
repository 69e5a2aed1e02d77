//! The stack's own agent on the tap target: synack-lwip (native/lwip/agent.c)
//! performs the syscall lines and reports socket state from lwIP's pcbs; a
//! stack without an agent leaves those cases unsupported; one whose agent
//! fails `hello` is an infrastructure error.
//!
//! They need root and liblwip-dev: without either they skip with a message,
//! unless `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{case, lwip, root, tap_privileged, text};
use std::process::{Command, Output};

fn synack(args: &[&str]) -> (Option<i32>, String) {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("synack runs");
    (o.status.code(), text(&o))
}

/// Runs `cases` on lwIP (`bin`, named `lwip`) over each of `runs` (target,
/// IPv6): each exits 0 with `summary`. Their outputs; none (the test skips)
/// without root.
fn runs_pass(bin: &str, runs: &[(&str, bool)], cases: &[String], summary: &str) -> Vec<String> {
    let mut outs = Vec::new();
    for &(target, v6) in runs {
        let mut args = vec!["run", "--target", target, "--exec", bin, "--name", "lwip"];
        if v6 {
            args.push("--ipv6");
        }
        args.extend(cases.iter().map(String::as_str));
        let (code, t) = synack(&args);
        if !tap_privileged(code, &t) {
            return Vec::new();
        }
        assert_eq!(code, Some(0), "{target} ipv6={v6}: {t}");
        assert!(t.contains(summary), "{target} ipv6={v6}: {t}");
        outs.push(t);
    }
    outs
}

#[test]
fn lwip_agent_runs_syscall_and_state_lines_on_tap_and_tun() {
    let Some(bin) = lwip("synack-lwip-agent") else {
        return;
    };
    let bin = bin.display().to_string();
    // state lines after each step; close() and shutdown() by the agent
    let cases = [
        case("core/b01-handshake.pkt"),
        case("core/b04-server-active-close.pkt"),
        case("close/t34-app-active-close-syscalls.pkt"),
        case("synchronized/t23-rst-at-rcv-nxt-fin-wait-2.pkt"),
    ];
    runs_pass(
        &bin,
        &[("tap", false), ("tap", true), ("tun", false)],
        &cases,
        "3 passed, 0 failed, 1 waived, 0 unsupported",
    );
}

#[test]
fn a_stack_without_an_agent_leaves_state_cases_unsupported() {
    let Some(bin) = lwip("synack-lwip-no-agent") else {
        return;
    };
    let bin = bin.display().to_string();
    let exec = format!("env -u SYNACK_AGENT {bin}");
    let b01 = case("core/b01-handshake.pkt");
    let t01 = case("establishment/t01-syn-ack.pkt");
    let (code, t) = synack(&["run", "--target", "tap", "--exec", &exec, &b01, &t01]);
    if !tap_privileged(code, &t) {
        return;
    }
    assert_eq!(code, Some(0), "{t}");
    assert!(
        t.contains("1 passed, 0 failed, 0 waived, 1 unsupported"),
        "{t}"
    );
    assert!(t.contains("cannot report socket state"), "{t}");
}

#[test]
fn an_agent_that_refuses_hello_is_an_infrastructure_error() {
    let Some(bin) = lwip("synack-lwip-bad-token") else {
        return;
    };
    let bin = bin.display().to_string();
    let exec = format!("SYNACK_AGENT_TOKEN=not-the-token exec {bin}");
    let b01 = case("core/b01-handshake.pkt");
    let (code, t) = synack(&["run", "--target", "tap", "--exec", &exec, &b01]);
    if !tap_privileged(code, &t) {
        return;
    }
    assert_eq!(code, Some(3), "{t}");
    assert!(
        t.contains("is no agent") && t.contains("wrong token"),
        "{t}"
    );
}

#[test]
fn lwip_agent_performs_socket_api_calls() {
    let Some(bin) = lwip("synack-lwip-sockets") else {
        return;
    };
    let bin = bin.display().to_string();
    // active and passive opens, blocking calls woken by lwIP, SO_ERROR,
    // SHUT_RD, SO_LINGER {1, 0}; and a call the agent does not perform
    let cases = [
        case("socket-api/client-active-open.pkt"),
        case("socket-api/blocking-calls.pkt"),
        case("socket-api/client-connect-refused-so-error.pkt"),
        case("socket-api/shutdown-close.pkt"),
        case("socket-api/close-abort.pkt"),
        case("socket-api/options-linux.pkt"),
    ];
    for t in runs_pass(
        &bin,
        &[("tap", false), ("tap", true)],
        &cases,
        "5 passed, 0 failed, 0 waived, 1 unsupported",
    ) {
        assert!(
            t.contains("agent `call`: setsockopt: lwIP's agent sets"),
            "{t}"
        );
    }
}
