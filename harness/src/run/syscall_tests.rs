//! The planner: which syscall lines run, as what, and which are mistakes
//! or unsupported; and the runner performing them on the embedded target.

use super::*;
use crate::run::case::load_source;
use crate::run::{run_case, Outcome, RunOptions};
use crate::target::embedded::Embedded;
use std::path::Path;

/// Setup lines under a named service: accepted as the service's own.
const PACKETDRILL_SETUP: &str = "\
//! service: silent
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
";

fn planned(body: &str) -> Result<Plan, PlanError> {
    let script = crate::script::parse(body, "t.pkt").expect("parses");
    plan(&script, body, "t.pkt")
}

fn calls(body: &str) -> Vec<Call> {
    planned(body)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .calls
        .into_values()
        .collect()
}

fn unsupported(body: &str) -> String {
    match planned(body) {
        Err(PlanError::Unsupported(why)) => why,
        other => panic!("expected unsupported, got {other:?}"),
    }
}

fn mistake(body: &str) -> String {
    match planned(body) {
        Err(PlanError::Script(d)) => d[0].to_string(),
        other => panic!("expected a diagnostic, got {other:?}"),
    }
}

fn act(action: AppAction, v: i64) -> Call {
    Call::Act {
        action,
        expect: Expect::Value(v),
    }
}

#[test]
fn packetdrill_setup_lines_are_accepted_and_perform_nothing() {
    let body =
        format!("{PACKETDRILL_SETUP}+0 accept(3, ..., ...) = 4\n+0 fcntl(4, F_GETFL) = 0x2\n");
    let c = calls(&body);
    assert_eq!(c.len(), 7);
    assert!(c.iter().all(|c| *c == Call::Setup), "{c:?}");
}

#[test]
fn write_read_shutdown_close_become_actions_with_their_results() {
    let body = format!(
        "{PACKETDRILL_SETUP}+0 accept(3, ..., ...) = 4\n\
         +0 write(4, ..., 5) = 5\n+0 write(4, \"hi\", 2) = ...\n+0 read(4, ..., 100) = 7\n\
         +0 shutdown(4, SHUT_WR) = 0\n+0 close(4) = 0\n"
    );
    let c = calls(&body);
    assert_eq!(
        c[6],
        act(AppAction::Write(b"abcde".to_vec()), 5),
        "filler as `<` lines"
    );
    assert_eq!(
        c[7],
        Call::Act {
            action: AppAction::Write(b"hi".to_vec()),
            expect: Expect::Any
        }
    );
    assert_eq!(c[8], act(AppAction::Read(100), 7));
    assert_eq!(c[9], act(AppAction::ShutdownWrite, 0));
    assert_eq!(c[10], act(AppAction::Close, 0));
}

#[test]
fn so_linger_zero_turns_the_next_close_into_an_abort() {
    let c = calls(
        "0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n+0 close(4) = 0\n",
    );
    assert_eq!(c, [Call::Linger, act(AppAction::Abort, 0)]);
    // Undone by onoff=0.
    let c = calls(
        "0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n\
         +0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=0, l_linger=0}, 8) = 0\n+0 close(4) = 0\n",
    );
    assert_eq!(c[2], act(AppAction::Close, 0));
    // Set on the listener before accept: inherited, as Linux does.
    let c = calls(&format!(
        "{PACKETDRILL_SETUP}+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {{onoff=1, linger=0}}, 8) = 0\n\
         +0 accept(3, ..., ...) = 4\n+0 close(4) = 0\n"
    ));
    assert_eq!(c.last(), Some(&act(AppAction::Abort, 0)));
    // A plain close without it.
    assert_eq!(calls("0 close(4) = 0\n"), [act(AppAction::Close, 0)]);
}

#[test]
fn calls_not_run_are_unsupported_with_file_line_and_reason() {
    let why = unsupported("0 < S 0:0(0) win 1\n+0 connect(3, ..., ...) = 0\n");
    assert!(
        why.starts_with("t.pkt:2:") && why.contains("connect"),
        "{why}"
    );
    let why = unsupported("0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0\n");
    assert!(why.contains("TCP_NODELAY"), "{why}");
    let why = unsupported("0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=5}, 8) = 0\n");
    assert!(why.contains("lingering close"), "{why}");
    let why = unsupported("0 shutdown(4, SHUT_RDWR) = 0\n");
    assert!(why.contains("SHUT_WR"), "{why}");
    let why = unsupported(&format!("{PACKETDRILL_SETUP}+0 close(3) = 0\n"));
    assert!(why.contains("listening socket"), "{why}");
    let why = unsupported("//! service: silent\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = -1\n");
    assert!(why.contains("fails"), "{why}");
}

#[test]
fn mistakes_are_diagnostics_at_the_argument() {
    let d = mistake("0 write(4, ..., -3) = 1\n");
    assert!(d.contains("t.pkt:1:17") && d.contains("byte count"), "{d}");
    let d = mistake("0 write(4, \"abc\", 5) = 5\n");
    assert!(d.contains("3 bytes, the count says 5"), "{d}");
    let d = mistake("0 close(x) = 0\n");
    assert!(d.contains("file descriptor"), "{d}");
    let d = mistake("0 close(4) = zero\n");
    assert!(d.contains("result"), "{d}");
    let d = mistake("0 accept(3, ..., ...) = 4\n+0 write(5, ..., 1) = 1\n");
    assert!(
        d.contains("t.pkt:2:") && d.contains("fd 5 is not the connection"),
        "{d}"
    );
    let d = mistake("0 setsockopt(4, SOL_SOCKET, SO_LINGER, [1], 8) = 0\n");
    assert!(d.contains("onoff"), "{d}");
}

#[test]
fn results_read_as_the_syscall_returns_them() {
    assert_eq!(returned(&AppOutcome::Wrote(7)), 7);
    assert_eq!(returned(&AppOutcome::Read(b"abc".to_vec())), 3);
    assert_eq!(returned(&AppOutcome::Done), 0);
    assert_eq!(returned(&AppOutcome::Refused("not connected".into())), -1);
    assert_eq!(
        result_text(&AppOutcome::Refused("not connected".into())),
        "-1 (not connected)"
    );
    assert!(Expect::Any.accepts(-1) && Expect::Value(3).accepts(3) && !Expect::Value(3).accepts(2));
}

#[test]
fn only_the_silent_service_takes_actions_on_a_real_clock() {
    let caps = |virtual_time, app_actions| Capabilities {
        virtual_time,
        app_actions,
        ..Capabilities::default()
    };
    assert_eq!(
        app_support("embedded", caps(true, true), Service::Http),
        None
    );
    assert_eq!(app_support("lab", caps(false, true), Service::Silent), None);
    let why = app_support("lab", caps(false, true), Service::Http).expect("unsupported");
    assert!(why.contains("`http`") && why.contains("silent"), "{why}");
    let why = app_support("link", caps(false, false), Service::Silent).expect("unsupported");
    assert!(why.contains("no application actions"), "{why}");
}

fn run(body: &str) -> crate::run::CaseReport {
    let case = load_source(Path::new("cases/t/app.pkt"), body.to_string()).expect("loads");
    let opts = RunOptions {
        profile: "smoltcp".into(),
        ..RunOptions::default()
    };
    run_case(&Embedded::new(), &case, 0, &opts)
}

const ESTABLISHED: &str = "\
0     < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 <...>
+0.01 < . 1:1(0) ack 1 win 65535
";

#[test]
fn a_syscall_line_acts_at_its_time_and_is_in_the_transcript() {
    let r = run(&format!(
        "{ESTABLISHED}+0.5 write(4, ..., 3) = 3\n+0 > P. 1:4(3) ack 1\n"
    ));
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
    let app = r
        .transcript
        .iter()
        .find(|e| matches!(e.what, crate::run::EntryKind::App { .. }))
        .expect("an app entry");
    assert_eq!(app.at, std::time::Duration::from_millis(510));
    assert_eq!(app.line, Some(4));
    assert_eq!(
        app.what,
        crate::run::EntryKind::App {
            action: "write(4, ..., 3)".into(),
            result: "3".into()
        }
    );
}

#[test]
fn a_result_that_differs_fails_the_case_naming_the_line() {
    // Nothing to read: read returns 0, not 5.
    let r = run(&format!("{ESTABLISHED}+0 read(4, ..., 10) = 5\n"));
    assert_eq!(r.outcome, Outcome::Fail);
    let m = &r.mismatches[0];
    assert_eq!(m.line, Some(4));
    assert_eq!(m.message, "read: expected 5, got 0");
    assert_eq!(r.reason.as_deref(), Some("line 4: read: expected 5, got 0"));
}

#[test]
fn a_refused_action_returns_minus_one() {
    // No connection yet: the stack refuses the write.
    let r = run("0 write(4, ..., 3) = -1 ENOTCONN (Transport endpoint is not connected)\n");
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
    let r = run("0 write(4, ..., 3) = 3\n");
    assert_eq!(
        r.reason.as_deref(),
        Some("line 1: write: expected 3, got -1 (not connected)")
    );
}

#[test]
fn the_oracle_hears_of_the_close() {
    // After close() in SYN-RECEIVED with nothing written, RFC 9293 §3.10.4
    // sends the FIN at once (FIN-WAIT-1), where an ACK of unsent data
    // draws an ACK. smoltcp 0.14 holds the FIN and sends it at its ISS a
    // second later (cases/regressions/smoltcp-fin-at-iss-after-close-in-
    // syn-received.pkt). The oracle knew of the close, so that is what it
    // reports; without the close it would have owed the SYN-RECEIVED RST
    // (rst-not-sent) instead.
    let r = run("\
0     < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 <...>
+0.01 close(4) = 0
+0.01 < . 1:1(0) ack 42 win 65535
+0    > . 1:1(0) ack 1
");
    let rules: Vec<&str> = r.violations.iter().map(|v| v.rule.as_str()).collect();
    assert!(rules.contains(&"close-fin-missing"), "{rules:?}");
    assert!(!rules.contains(&"rst-not-sent"), "{rules:?}");
}
