//! TCP segmentation offload on the lab's TUN device: a script in
//! packetdrill form sees the kernel's GSO super-segments (as packetdrill's
//! device does), synack's own cases and `--no-tso` see MSS-sized segments.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{assert_passes, lab_or_skip};
use std::path::Path;
use synack::run::case::load_source;
use synack::run::{run_case, Outcome, RunOptions};
use synack::target::lab::Lab;

/// The set-up every variant shares: MSS 1000, a large window, one write of
/// two segments' worth (Linux's minimum TSO burst is two segments). A
/// 100 ms timing floor: segment sizes are what is tested, on a machine that
/// may be loaded.
const SETUP: &str = "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0    > S. 0:0(0) ack 1 <mss 1460,nop,wscale *>
+.01  < . 1:1(0) ack 1 win 1000
+0    accept(3, ..., ...) = 4
+0    write(4, ..., 2000) = 2000
";

const ONE_SUPER_SEGMENT: &str = "\
+0    > P. 1:2001(2000) ack 1
+.01  < . 1:1(0) ack 2001 win 1000
+0    close(4) = 0
+0    > F. 2001:2001(0) ack 1
+.01  < R. 1:1(0) ack 2002 win 0
";

const TWO_SEGMENTS: &str = "\
+0    > . 1:1001(1000) ack 1
+0    > P. 1001:2001(1000) ack 1
+.01  < . 1:1(0) ack 2001 win 1000
+0    close(4) = 0
+0    > F. 2001:2001(0) ack 1
+.01  < R. 1:1(0) ack 2002 win 0
";

fn run(lab: &Lab, name: &str, src: String, tso: Option<bool>) -> synack::run::event::CaseReport {
    let opts = RunOptions {
        profile: "linux".into(),
        tso,
        ..RunOptions::default()
    };
    let case = load_source(Path::new(name), src).expect("loads");
    run_case(lab, &case, 0, &opts)
}

#[test]
fn a_packetdrill_script_sees_a_super_segment_and_no_mss_finding() {
    let Some(lab) = lab_or_skip() else { return };
    let r = run(
        &lab,
        "/tmp/tso.pkt",
        format!("{SETUP}{ONE_SUPER_SEGMENT}"),
        None,
    );
    assert_passes(&r);
    // The shared lab itself stays without offload.
    assert_eq!(lab.gso_seen().0, 0);
}

#[test]
fn no_tso_and_synacks_own_cases_see_mss_sized_segments() {
    let Some(lab) = lab_or_skip() else { return };
    let r = run(
        &lab,
        "/tmp/no-tso.pkt",
        format!("{SETUP}{TWO_SEGMENTS}"),
        Some(false),
    );
    assert_passes(&r);
    let own = format!("//! title: own case\n//! service: silent\n{SETUP}{TWO_SEGMENTS}");
    let r = run(&lab, "/tmp/own.pkt", own.clone(), None);
    assert_passes(&r);
    // The same case asking for offload gets the super-segment, and fails.
    let r = run(
        &lab,
        "/tmp/own-tso.pkt",
        own.replace("//! service", "//! tso: on\n//! service"),
        None,
    );
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.reason);
    assert!(
        r.mismatches.iter().any(|m| m.message.contains("2000")),
        "{:?}",
        r.mismatches
    );
}

#[test]
fn a_bad_tso_metadata_value_is_an_error_with_its_place() {
    let Some(lab) = lab_or_skip() else { return };
    let src = format!("//! tso: maybe\n{SETUP}{ONE_SUPER_SEGMENT}");
    let r = run(&lab, "/tmp/bad-tso.pkt", src, None);
    assert_eq!(r.outcome, Outcome::Error);
    let why = r.reason.unwrap_or_default();
    assert!(why.starts_with("/tmp/bad-tso.pkt:1:"), "{why}");
    assert!(why.contains("`//! tso:` takes `on` or `off`"), "{why}");
}
