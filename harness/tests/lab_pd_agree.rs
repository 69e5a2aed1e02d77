//! Where synack disagreed with packetdrill on packetdrill's own scripts and
//! the harness was wrong (docs/packetdrill.md, "Where synack and
//! packetdrill still differ"): each test is the smallest script in
//! packetdrill's form that showed it, run on the lab over IPv4 and IPv6.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::lab_or_skip;
use std::path::Path;
use synack::run::case::load_source;
use synack::run::event::CaseReport;
use synack::run::{run_case, Outcome, RunOptions};
use synack::target::lab::Lab;
use synack::target::{IpFamily, Target};

fn run(lab: &Lab, src: &str, family: IpFamily) -> CaseReport {
    let opts = RunOptions {
        profile: "linux".into(),
        family,
        ..RunOptions::default()
    };
    let case = load_source(Path::new("/tmp/pd-agree.pkt"), src.to_string()).expect("loads");
    run_case(lab, &case, 0, &opts)
}

/// Runs `src` over both families (IPv6 where the kernel has it) and
/// asserts that it passes.
fn passes_both(lab: &Lab, src: &str) {
    let mut families = vec![IpFamily::V4];
    if lab.capabilities().ipv6 {
        families.push(IpFamily::V6);
    }
    for family in families {
        let r = run(lab, src, family);
        assert_eq!(
            r.outcome,
            Outcome::Pass,
            "{family:?}: {:?} {:#?} {:#?}",
            r.reason,
            r.mismatches,
            r.violations
        );
    }
}

/// An ICMP error without a quote, about a SYN-RECEIVED request
/// (packetdrill's `fastopen/server/icmp-baseline`): packetdrill quotes the
/// target's script sequence number 0, its ISN, and Linux drops the request
/// only when the quote is that ISN, so the peer's ACK then draws a RST.
/// synack quoted SND.NXT (ISN + 1): the kernel ignored the error, the ACK
/// completed the handshake and the RST never came (`got nothing`).
/// Parameter problem is an error Linux acts on in both families (IPv4
/// `tcp_v4_err`, IPv6 `icmpv6_err_convert`: fatal); host unreachable, the
/// script's, is not fatal over ICMPv6.
const ICMP_ON_A_REQUEST: &str = "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop>
+0    > S. 0:0(0) ack 1 <...>
+.05  < icmp parameter_problem
+0    < . 1:1(0) ack 1 win 32792
+0    > R 1:1(0)
";

#[test]
fn an_icmp_error_without_a_quote_quotes_the_isn_as_packetdrill_does() {
    let Some(lab) = lab_or_skip() else { return };
    passes_both(&lab, ICMP_ON_A_REQUEST);
}
