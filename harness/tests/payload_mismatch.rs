//! A `>` line's payload is compared byte for byte: two payloads of the
//! same length that differ only past the 60 bytes a quoted payload shows
//! are still a mismatch, and the message says where they differ.

use std::path::Path;
use synack::run::case::load_source;
use synack::run::{run_case, Outcome, RunOptions};
use synack::target::embedded::Embedded;

/// 100 octets sent to the echo service; the expected echo is the same
/// text with `tail` as its last 10 octets.
fn case(tail: &str) -> String {
    let sent = format!("{}{}", "a".repeat(90), "0123456789");
    let want = format!("{}{tail}", "a".repeat(90));
    format!(
        "//! service: echo\n\
         0      < S 0:0(0) win 65535 <mss 1460>\n\
         +0     > S. 0:0(0) ack 1 <...>\n\
         +0.01  < . 1:1(0) ack 1 win 65535\n\
         +0.01  < P. 1:101(100) ack 1 win 65535 payload \"{sent}\"\n\
         +0~0.2 > P. 1:101(100) ack 101 payload \"{want}\"\n"
    )
}

fn run(text: String) -> synack::run::CaseReport {
    let case = load_source(Path::new("payload.pkt"), text).expect("loads");
    let opts = RunOptions {
        profile: "smoltcp".into(),
        ..RunOptions::default()
    };
    run_case(&Embedded::new(), &case, 0, &opts)
}

#[test]
fn the_echo_as_sent_matches() {
    let r = run(case("0123456789"));
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
}

#[test]
fn a_payload_differing_past_its_quoted_part_is_a_mismatch_naming_the_byte() {
    let r = run(case("012345678X"));
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.reason);
    let reason = format!("{:?}", r.reason);
    assert!(
        reason.contains("byte 99: 0x58") && reason.contains("byte 99: 0x39"),
        "{reason}"
    );
}
