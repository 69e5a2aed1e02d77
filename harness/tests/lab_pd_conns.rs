//! packetdrill's matching on the lab: several connections in one script
//! (each active open on a 4-tuple of its own, `<` lines to the newest), and
//! a `>` line matched by a run of consecutive segments (its aggregation),
//! with `--strict_segments` asking for one segment.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{assert_passes, lab_or_skip};
use std::path::Path;
use synack::run::case::load_source;
use synack::run::event::{CaseReport, Dir, EntryKind};
use synack::run::{run_case, Outcome, RunOptions};
use synack::target::lab::Lab;

fn run(lab: &Lab, src: &str) -> CaseReport {
    let opts = RunOptions {
        profile: "linux".into(),
        ..RunOptions::default()
    };
    let case = load_source(Path::new("/tmp/pd-conns.pkt"), src.to_string()).expect("loads");
    run_case(lab, &case, 0, &opts)
}

/// The destination ports of the target's SYNs, in order.
fn syn_ports(r: &CaseReport) -> Vec<u16> {
    r.transcript
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::Packet {
                dir: Dir::Out,
                segment: Some(s),
                ..
            } if s.flags.syn() && !s.flags.ack() => Some(s.dst_port),
            _ => None,
        })
        .collect()
}

/// Two connections open at once: the first stays established while the
/// second opens, sends and is acknowledged. (A 100 ms timing floor: the
/// connections are what is tested, on a machine that may be loaded.)
const TWO_CONNECTIONS: &str = "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0    > S 0:0(0) <...>
+.01  < S. 0:0(0) ack 1 win 65535 <mss 1460>
+0    > . 1:1(0) ack 1
+0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
+0    fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(4, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0    > S 0:0(0) <...>
+.01  < S. 0:0(0) ack 1 win 65535 <mss 1460>
+0    > . 1:1(0) ack 1
+0    write(4, ..., 10) = 10
+0    > P. 1:11(10) ack 1
+.01  < . 1:1(0) ack 11 win 65535
";

#[test]
fn two_connections_of_one_script_each_get_a_tuple_and_the_newest_gets_the_lines() {
    let Some(lab) = lab_or_skip() else { return };
    let r = run(&lab, TWO_CONNECTIONS);
    assert_passes(&r);
    let ports = syn_ports(&r);
    assert_eq!(ports.len(), 2, "{ports:?}");
    assert_eq!(ports[1], ports[0].wrapping_add(1), "{ports:?}");
}

/// MSS 1000 and a write of ten segments: Linux sends it in several
/// super-segments at this pacing rate (two segments each, `tcp_tso_autosize`)
/// or, on a different rate, in fewer.
const BURST: &str = "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0    > S. 0:0(0) ack 1 <mss 1460,nop,wscale *>
+.01  < . 1:1(0) ack 1 win 1000
+0    accept(3, ..., ...) = 4
+0    write(4, ..., 10000) = 10000
+0    > P. 1:10001(10000) ack 1
+.01  < . 1:1(0) ack 10001 win 1000
";

#[test]
fn a_line_matches_the_run_of_segments_that_adds_up_to_it_unless_strict() {
    let Some(lab) = lab_or_skip() else { return };
    let r = run(&lab, BURST);
    assert_passes(&r);
    let data: Vec<usize> = r
        .transcript
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::Packet {
                dir: Dir::Out,
                segment: Some(s),
                ..
            } if !s.payload.is_empty() => Some(s.payload.len()),
            _ => None,
        })
        .collect();
    assert_eq!(data.iter().sum::<usize>(), 10000, "{data:?}");
    if data.len() > 1 {
        // The kernel cut the write: one segment per line is then a mismatch.
        let strict = run(&lab, &format!("--strict_segments\n{BURST}"));
        assert_eq!(strict.outcome, Outcome::Fail, "{:?}", strict.reason);
        assert!(
            strict.mismatches[0].message.contains("tcp.len"),
            "{:?}",
            strict.mismatches
        );
    }
}
