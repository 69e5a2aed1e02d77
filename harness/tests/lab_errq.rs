//! The socket's error queue performed on the lab: `MSG_ZEROCOPY`
//! completions and `SO_TIMESTAMPING` reports read with
//! `recvmsg(…, MSG_ERRQUEUE)` over IPv4 and IPv6, a wrong field or a
//! timestamp off by more than the floor failing at its line with what
//! differs, and smoltcp saying it has none.
//!
//! The lab tests skip with a message without CAP_NET_ADMIN, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::lab_or_skip;
use std::path::Path;
use synack::run::{self, CaseReport, Outcome, RunOptions};
use synack::target::embedded::Embedded;
use synack::target::{IpFamily, Target};

fn opts(target: &dyn Target, family: IpFamily) -> RunOptions {
    RunOptions {
        profile: match target.name() {
            "lab" => "linux".into(),
            _ => "smoltcp".into(),
        },
        family,
        ..RunOptions::default()
    }
}

fn case_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../cases/socket-api/{name}.pkt")),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run_text(target: &dyn Target, name: &str, text: &str, family: IpFamily) -> CaseReport {
    let path = format!("cases/socket-api/{name}.pkt");
    let case = run::case::load_source(Path::new(&path), text.to_string())
        .unwrap_or_else(|e| panic!("{name} loads: {e}"));
    run::run_case(target, &case, 0, &opts(target, family))
}

const CASES: [&str; 2] = ["errqueue-zerocopy", "errqueue-timestamping"];

#[test]
fn error_queue_cases_pass_on_the_lab_over_ipv4_and_ipv6() {
    let Some(lab) = lab_or_skip() else { return };
    for family in [IpFamily::V4, IpFamily::V6] {
        for name in CASES {
            let r = run_text(&lab, name, &case_text(name), family);
            assert_eq!(
                r.outcome,
                Outcome::Pass,
                "{name} over {family:?}: {:?}\n{:#?}\n{:#?}",
                r.reason,
                r.mismatches,
                r.transcript
            );
        }
    }
}

#[test]
fn a_wrong_completion_range_fails_at_its_line_with_the_field_that_differs() {
    let Some(lab) = lab_or_skip() else { return };
    let text = case_text("errqueue-zerocopy").replacen("ee_data=2", "ee_data=3", 1);
    let line = text
        .lines()
        .position(|l| l.contains("ee_data=3"))
        .expect("the edited line");
    let r = run_text(&lab, "zerocopy-wrong", &text, IpFamily::V4);
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.reason);
    let m = &r.mismatches[0];
    assert!(
        m.message.starts_with(
            "recvmsg: cmsg 0: ee_data: expected 3, got 2 (in {ee_errno=0, ee_origin=5"
        ),
        "{}",
        m.message
    );
    // The recvmsg line starts a few lines above its ee_data field.
    let at = m.line.expect("a line") as usize;
    assert!(at <= line + 1 && at + 10 > line, "line {at} for {line}");
}

#[test]
fn a_timestamp_beyond_the_floor_fails_with_both_times() {
    let Some(lab) = lab_or_skip() else { return };
    // The ACK's report said to come at the send's time: 0.2 s early.
    let text =
        case_text("errqueue-timestamping").replacen("scm_nsec=300000000", "scm_nsec=100000000", 1);
    let r = run_text(&lab, "timestamping-wrong", &text, IpFamily::V6);
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.reason);
    let why = &r.mismatches[0].message;
    assert!(
        why.starts_with(
            "recvmsg: cmsg 0: software timestamp: expected 0.100000 s (±0.050000 s), got 0.3"
        ),
        "{why}"
    );
}

#[test]
fn smoltcp_has_no_error_queue_and_says_so() {
    let e = Embedded::new();
    for (name, word) in [
        ("errqueue-zerocopy", "SO_ZEROCOPY"),
        ("errqueue-timestamping", "SO_TIMESTAMPING"),
    ] {
        let r = run_text(&e, name, &case_text(name), IpFamily::V4);
        assert_eq!(r.outcome, Outcome::Unsupported, "{name}: {:?}", r.reason);
        assert!(
            r.reason.clone().unwrap_or_default().contains(word),
            "{:?}",
            r.reason
        );
    }
    // The read itself, without the option before it, is refused too.
    let text = "\
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 <...>
+0.01 < . 1:1(0) ack 1 win 65535
+0    accept(3, ..., ...) = 4
+0    recvmsg(4, {msg_iov(1)=[{..., 0}], msg_flags=0}, MSG_ERRQUEUE) = -1 EAGAIN
";
    let r = run_text(&e, "errqueue-read", text, IpFamily::V4);
    assert_eq!(r.outcome, Outcome::Unsupported, "{:?}", r.reason);
    assert!(
        r.reason
            .clone()
            .unwrap_or_default()
            .contains("MSG_ERRQUEUE"),
        "{:?}",
        r.reason
    );
}
