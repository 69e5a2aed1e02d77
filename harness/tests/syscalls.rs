//! Syscall lines as application actions: cases that write, read, shut
//! down, close and abort on the embedded target; result mismatches; a
//! target that breaks; and the lab, where only the `silent` service leaves
//! the connection to the case.
//!
//! The lab tests skip with a message without CAP_NET_ADMIN, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::lab_or_skip;
use std::path::Path;
use synack::run::{self, CaseReport, EntryKind, Outcome, RunOptions, Waivers};
use synack::target::embedded::Embedded;
use synack::target::Target;

/// Runs `text` as `cases/app/NAME.pkt` on `target`.
fn run_on(target: &dyn Target, name: &str, text: &str) -> CaseReport {
    let path = format!("cases/app/{name}.pkt");
    let case = run::case::load_source(Path::new(&path), text.to_string())
        .unwrap_or_else(|e| panic!("{name} loads: {e}"));
    let opts = RunOptions {
        profile: match target.name() {
            "lab" => "linux".into(),
            _ => "smoltcp".into(),
        },
        ..RunOptions::default()
    };
    run::run_case(target, &case, 0, &opts)
}

fn embedded(name: &str, text: &str) -> CaseReport {
    run_on(&Embedded::new(), name, text)
}

#[track_caller]
fn assert_pass(r: &CaseReport) {
    assert_eq!(
        r.outcome,
        Outcome::Pass,
        "{}: {:?}\n{:#?}\n{:#?}",
        r.id,
        r.reason,
        r.violations,
        r.transcript
    );
}

/// The application entries of a transcript: `action = result`.
fn app_entries(r: &CaseReport) -> Vec<String> {
    r.transcript
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::App { action, result } => Some(format!("{action} = {result}")),
            _ => None,
        })
        .collect()
}

const HANDSHAKE: &str = "\
//! service: silent
0     < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 <...>
+0.01 < . 1:1(0) ack 1 win 65535
";

/// packetdrill's server preamble, then the handshake and `accept`.
const PACKETDRILL: &str = "\
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 <...>
+0.01 < . 1:1(0) ack 1 win 65535
+0    accept(3, ..., ...) = 4
";

/// Write, then close: data, FIN, FIN-WAIT-2, TIME-WAIT.
fn active_close() -> String {
    format!(
        "{PACKETDRILL}\
+0    write(4, ..., 10) = 10
+0    > P. 1:11(10) ack 1
+0.01 < . 1:1(0) ack 11 win 65535
+0    close(4) = 0
+0    > F. 11:11(0) ack 1
+0.01 < . 1:1(0) ack 12 win 65535
+0    state FIN-WAIT-2
+0.01 < F. 1:1(0) ack 12 win 65535
+0~0.5 > . 12:12(0) ack 2
+0    state TIME-WAIT
"
    )
}

/// Our data, read by the application; its half-close; we go on sending.
fn half_close() -> String {
    format!(
        "{HANDSHAKE}\
+0.01  < P. 1:6(5) ack 1 win 65535
+0~0.3 > . 1:1(0) ack 6
+0     read(4, ..., 100) = 5
+0     read(4, ..., 100) = 0
+0     shutdown(4, SHUT_WR) = 0
+0     > F. 1:1(0) ack 6
+0     state FIN-WAIT-1
+0.01  < . 6:6(0) ack 2 win 65535
+0     state FIN-WAIT-2
+0.01  < P. 6:9(3) ack 2 win 65535
+0~0.3 > . 2:2(0) ack 9
+0     read(4, ..., 100) = 3
"
    )
}

/// SO_LINGER 0 and close: RST at SND.NXT; a later segment draws RST.
fn abort() -> String {
    format!(
        "{HANDSHAKE}\
+0    write(4, ..., 10) = 10
+0    > P. 1:11(10) ack 1
+0.01 < . 1:1(0) ack 11 win 65535
+0    setsockopt(4, SOL_SOCKET, SO_LINGER, {{onoff=1, linger=0}}, 8) = 0
+0    close(4) = 0
+0    > R. 11:11(0) ack 1
+0    state CLOSED
+0.01 < . 1:1(0) ack 11 win 65535
+0    > R 11:11(0)
"
    )
}

#[test]
fn write_then_close_sends_the_data_then_fin_on_embedded() {
    let r = embedded("active-close", &active_close());
    assert_pass(&r);
    // The script opens its own socket: every call is performed, setup too.
    assert_eq!(
        app_entries(&r),
        [
            "socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
            "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
            "bind(3, ..., ...) = 0",
            "listen(3, 1) = 0",
            "accept(3, ..., ...) = 4",
            "write(4, ..., 10) = 10",
            "close(4) = 0"
        ]
    );
}

#[test]
fn read_returns_what_arrived_and_shutdown_half_closes_on_embedded() {
    let r = embedded("half-close", &half_close());
    assert_pass(&r);
    assert_eq!(
        app_entries(&r),
        [
            "read(4, ..., 100) = 5",
            "read(4, ..., 100) = 0",
            "shutdown(4, SHUT_WR) = 0",
            "read(4, ..., 100) = 3"
        ]
    );
}

#[test]
fn so_linger_zero_then_close_aborts_with_rst_on_embedded() {
    let r = embedded("abort", &abort());
    assert_pass(&r);
    assert_eq!(
        app_entries(&r),
        [
            "write(4, ..., 10) = 10",
            "close(4) (SO_LINGER 0: abort) = 0"
        ]
    );
}

#[test]
fn a_result_that_differs_fails_the_case_at_its_file_and_line() {
    // The send buffer takes 8192 of the 10000 octets.
    let text = format!("{HANDSHAKE}+0    write(4, ..., 10000) = 10000\n");
    let r = embedded("short-write", &text);
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(
        r.reason.as_deref(),
        Some("line 5: write: expected 10000, got 8192")
    );
    let m = &r.mismatches[0];
    assert_eq!(m.line, Some(5));
    assert_eq!(
        m.source.as_deref(),
        Some("+0    write(4, ..., 10000) = 10000")
    );
    assert_eq!(m.actual.as_deref(), Some("write(4, ..., 10000) = 8192"));
}

#[test]
fn a_call_not_run_makes_the_case_unsupported_never_passed() {
    let text = format!("{HANDSHAKE}+0    getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n");
    let r = embedded("getsockopt", &text);
    assert_eq!(r.outcome, Outcome::Unsupported);
    let why = r.reason.unwrap_or_default();
    assert!(
        why.starts_with("cases/app/getsockopt.pkt:5:") && why.contains("getsockopt"),
        "{why}"
    );
}

/// smoltcp's ACK storm (cases/regressions): the embedded target breaks at
/// the line being waited for; the case fails there, and a waiver covers it.
#[test]
fn a_target_that_breaks_fails_the_case_at_the_line_and_can_be_waived() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cases/regressions/smoltcp-ack-storm-zero-window-fin-wait-2.pkt");
    let case = run::case::load(&path).expect("the case loads");
    let opts = RunOptions {
        profile: "smoltcp".into(),
        ..RunOptions::default()
    };
    let mut r = run::run_case(&Embedded::new(), &case, 0, &opts);
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.reason);
    let m = &r.mismatches[0];
    let line = m.line.expect("names a line");
    assert!(
        m.source.as_deref().is_some_and(|s| s.contains("< F.")),
        "line {line}: {:?}",
        m.source
    );
    assert!(
        m.message.contains("kept sending at one instant"),
        "{}",
        m.message
    );
    let waivers = Waivers::parse(
        &format!("{}  smoltcp ACK storm in FIN-WAIT-2\n", case.id),
        "w.txt",
    )
    .expect("parses");
    waivers.apply(&mut r, false);
    assert_eq!(r.outcome, Outcome::Waived);
}

#[test]
fn lab_runs_syscall_lines_with_the_silent_service() {
    let Some(lab) = lab_or_skip() else { return };
    for (name, text) in [
        ("active-close", active_close()),
        ("half-close", half_close()),
        ("abort", abort()),
    ] {
        let r = run_on(&lab, name, &text);
        assert_pass(&r);
        assert!(!app_entries(&r).is_empty(), "{name}");
    }
}

#[test]
fn lab_reports_syscall_lines_under_another_service_unsupported() {
    let Some(lab) = lab_or_skip() else { return };
    let text = active_close().replace("0     socket", "//! service: http\n0     socket");
    let r = run_on(&lab, "http-close", &text);
    assert_eq!(r.outcome, Outcome::Unsupported, "{:?}", r.reason);
    let why = r.reason.unwrap_or_default();
    assert!(
        why.contains("`http`") && why.contains("silent") && why.contains("http-close.pkt:"),
        "{why}"
    );
    // The same case under `http` runs on the embedded target, which
    // detaches the service at the first action.
    assert_pass(&embedded("http-close", &text));
}

/// A write after our own half-close: the stack refuses it (EPIPE on Linux),
/// and the case reads that as `= -1`, the same on both targets.
fn write_after_shutdown() -> String {
    format!(
        "{HANDSHAKE}\
+0     shutdown(4, SHUT_WR) = 0
+0     > F. 1:1(0) ack 1
+0.01  < . 1:1(0) ack 2 win 65535
+0     state FIN-WAIT-2
+0     write(4, ..., 3) = -1
"
    )
}

#[test]
fn a_write_after_shutdown_is_refused_on_embedded() {
    assert_pass(&embedded("write-after-shutdown", &write_after_shutdown()));
}

#[test]
fn a_write_after_shutdown_is_refused_on_the_lab() {
    let Some(lab) = lab_or_skip() else { return };
    assert_pass(&run_on(
        &lab,
        "write-after-shutdown",
        &write_after_shutdown(),
    ));
}
