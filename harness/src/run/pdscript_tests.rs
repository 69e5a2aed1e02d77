//! packetdrill's lines in a run: options reported one line each, the
//! commands gate, packetdrill's timing tolerance, outbound TSvals compared
//! only when asked, the IP prefix on both directions.

use super::*;
use crate::run::case::load_source;
use crate::run::mapping::Mapping;
use crate::run::matcher::match_segment;
use crate::run::{run_case, Outcome, RunOptions};
use crate::script::{parse, Item};
use crate::target::embedded::Embedded;
use crate::wire::{IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};
use std::path::Path;

fn case(body: &str) -> Case {
    load_source(Path::new("cases/t/pd.pkt"), body.to_string()).expect("loads")
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn tolerance_is_the_larger_of_the_floor_and_an_eighth_of_the_gap() {
    let t = Tolerance::default();
    assert_eq!(t.for_gap(ms(4), ms(10)), ms(4));
    assert_eq!(t.for_gap(ms(4), ms(32)), ms(4));
    assert_eq!(t.for_gap(ms(4), ms(100)), Duration::from_micros(12_500));
    assert_eq!(t.for_gap(ms(50), Duration::from_secs(1)), ms(125));
    let own = Tolerance {
        floor: None,
        percent_x100: 0,
    };
    assert_eq!(own.for_gap(ms(50), Duration::from_secs(10)), ms(50));
}

#[test]
fn a_packetdrill_script_gets_packetdrills_floor_and_its_own_options() {
    let c = case("// Title from the first comment\n0 < S 0:0(0) win 1\n");
    assert_eq!(c.meta.tolerance, PD_TOLERANCE_FLOOR);
    assert_eq!(
        c.meta.title.as_deref(),
        Some("Title from the first comment")
    );
    let c = case("--tolerance_usecs=10000\n--tolerance_percent=25\n0 < S 0:0(0) win 1\n");
    assert_eq!(c.meta.tolerance, ms(10));
    assert_eq!(c.meta.packetdrill.tolerance.percent_x100, 2500);
    // A case of our own keeps its floor.
    let c = case("//! title: t\n0 < S 0:0(0) win 1\n");
    assert_eq!(c.meta.tolerance, crate::run::case::DEFAULT_TOLERANCE);
}

#[test]
fn every_option_line_is_reported_honoured_or_ignored() {
    let c = case("--tolerance_usecs=10000\n--mss=1000\n--wire_server_ip=192.0.2.9\n--frobnicate\n0 < S 0:0(0) win 1\n");
    let notes: Vec<_> = c
        .meta
        .packetdrill
        .notes
        .iter()
        .map(|(l, n)| format!("{l}: {n}"))
        .collect();
    assert_eq!(
        notes,
        [
            "1: --tolerance_usecs=10000: honoured: the timing tolerance's floor",
            "2: --mss=1000: ignored: the TUN device's MTU is the lab's",
            "3: --wire_server_ip=192.0.2.9: ignored: synack has no wire client and server",
            "4: --frobnicate: ignored: not an option synack knows",
        ]
    );
    let err = load_source(
        Path::new("t.pkt"),
        "--tolerance_usecs=soon\n0 < S 0:0(0) win 1\n".into(),
    )
    .expect_err("a bad value is a script error");
    assert!(
        err.to_string()
            .contains("--tolerance_usecs: `soon` is not a valid value"),
        "{err}"
    );
}

fn run_embedded(body: &str, allow_commands: bool) -> crate::run::CaseReport {
    let opts = RunOptions {
        profile: "smoltcp".into(),
        allow_commands,
        ..RunOptions::default()
    };
    run_case(&Embedded::new(), &case(body), 0, &opts)
}

#[test]
fn a_script_that_runs_commands_needs_the_flag_and_names_it() {
    let r = run_embedded("`true`\n0 < S 0:0(0) win 1\n", false);
    assert_eq!(r.outcome, Outcome::Unsupported);
    assert_eq!(
        r.reason.as_deref(),
        Some("cases/t/pd.pkt:1: the script runs commands (back-quoted or `%{ }%`); a script is code where it runs them: pass --allow-commands (or SYNACK_ALLOW_COMMANDS=1) to let it")
    );
    let r = run_embedded("0 < S 0:0(0) win 1\n+0 %{ assert True }%\n", false);
    assert!(
        r.reason
            .as_deref()
            .unwrap_or("")
            .contains("cases/t/pd.pkt:2: the script runs commands"),
        "{:?}",
        r.reason
    );
}

#[test]
fn udp_lines_make_the_case_unsupported_with_the_reason() {
    let r = run_embedded("0 < S 0:0(0) win 1\n+0 < udp (10)\n", false);
    assert_eq!(r.outcome, Outcome::Unsupported);
    assert_eq!(
        r.reason.as_deref(),
        Some("cases/t/pd.pkt:2: udp packet lines are parsed but not injected in this version (icmp lines are)")
    );
}

#[test]
fn icmp_lines_run() {
    let r = run_embedded(
        "0 < S 0:0(0) win 1\n+0 > S. 0:0(0) ack 1 <...>\n+0 < icmp unreachable port_unreachable [1:1(0)]\n",
        false,
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
}

#[test]
fn the_summary_lists_the_scripts_that_asked_for_commands() {
    let a = case("`true`\n0 < S 0:0(0) win 1\n");
    let b = case("0 < S 0:0(0) win 1\n");
    assert_eq!(commands_summary(&[&b], false), None);
    assert_eq!(
        commands_summary(&[&a, &b], false).as_deref(),
        Some("1 script(s) asked to run commands (they run only with --allow-commands (or SYNACK_ALLOW_COMMANDS=1)):\n  cases/t/pd.pkt")
    );
    assert!(commands_summary(&[&a], true)
        .unwrap_or_default()
        .contains("allowed by --allow-commands"));
}

fn syn_ack_with(ts: (u32, u32), tos: u8) -> Segment {
    let mut ip = IpEnvelope::v4(
        "192.0.2.1".parse().unwrap(),
        "198.51.100.1".parse().unwrap(),
    );
    if let IpEnvelope::V4 { tos: t, .. } = &mut ip {
        *t = tos;
    }
    let mut s = Segment::new(ip, 80, 4000, TcpFlags::SYN | TcpFlags::ACK);
    s.ack = SeqNumber(1);
    s.options = vec![TcpOption::Timestamps {
        tsval: ts.0,
        tsecr: ts.1,
    }];
    s
}

fn expect_line(src: &str) -> crate::script::PacketLine {
    let s = parse(src, "t.pkt").expect("parses");
    match s.items.into_iter().next() {
        Some(Item::Line(crate::script::Line {
            kind: LineKind::Packet(p),
            ..
        })) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_outbound_tsval_is_compared_only_when_the_script_asks() {
    let line = expect_line("0 > S. 0:0(0) ack 1 <TS val 100 ecr 7>");
    let mut map = Mapping::new(SeqNumber(0));
    map.learn_target_ts(5_000, 0);
    // The target's clock ran 123 ticks: not compared by default.
    assert_eq!(match_segment(&line, &syn_ack_with((5_123, 7), 0), &map), []);
    // TSecr is: it echoes what the harness sent.
    let m = match_segment(&line, &syn_ack_with((5_100, 8), 0), &map);
    assert_eq!(m.len(), 1, "{m:?}");
    // With --tcp_ts_tick_usecs, within the tolerance in ticks.
    map.ts_val_slack = Some(4);
    assert_eq!(match_segment(&line, &syn_ack_with((5_104, 7), 0), &map), []);
    assert_eq!(match_segment(&line, &syn_ack_with((5_096, 7), 0), &map), []);
    assert_eq!(
        match_segment(&line, &syn_ack_with((5_105, 7), 0), &map).len(),
        1
    );
}

#[test]
fn the_tsval_slack_follows_the_tick_and_the_tolerance() {
    let c = case("--tcp_ts_tick_usecs=1000\n0 < S 0:0(0) win 1\n");
    assert_eq!(ts_val_slack(&c, Duration::ZERO), Some(4));
    assert_eq!(ts_val_slack(&c, Duration::from_secs(1)), Some(125));
    assert_eq!(
        ts_val_slack(&case("0 < S 0:0(0) win 1\n"), Duration::ZERO),
        None
    );
}

#[test]
fn the_ip_prefix_is_compared_on_expected_lines() {
    let map = Mapping::new(SeqNumber(0));
    let line = expect_line("0 > [ect0] S. 0:0(0) ack 1 <...>");
    assert_eq!(match_segment(&line, &syn_ack_with((1, 0), 0b10), &map), []);
    let m = match_segment(&line, &syn_ack_with((1, 0), 0b11), &map);
    assert_eq!(
        m.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        ["ip.ecn: expected ect0, got ce"]
    );
    let line = expect_line("0 > [ect01] S. 0:0(0) ack 1 <...>");
    assert_eq!(match_segment(&line, &syn_ack_with((1, 0), 0b01), &map), []);
    let line = expect_line("0 > (tos 0x4) S. 0:0(0) ack 1 <...>");
    let m = match_segment(&line, &syn_ack_with((1, 0), 0), &map);
    assert_eq!(
        m.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        ["ip.tos: expected 0x4, got 0x0"]
    );
}

#[test]
fn the_ip_prefix_is_set_on_injected_segments() {
    let mut ip = IpEnvelope::v4(
        "198.51.100.1".parse().unwrap(),
        "192.0.2.1".parse().unwrap(),
    );
    let info = crate::script::IpInfo {
        tos: Some(0x20),
        ecn: Some(crate::script::EcnSpec::Ce),
        ttl: Some(9),
        ..Default::default()
    };
    crate::run::ipinfo::apply(&mut ip, &info);
    match ip {
        IpEnvelope::V4 { tos, ttl, .. } => assert_eq!((tos, ttl), (0x23, 9)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ip_version_picks_the_cases_address_family() {
    let c = case("--ip_version=ipv6\n0 < S 0:0(0) win 1\n");
    assert_eq!(c.meta.packetdrill.family, Some(crate::target::IpFamily::V6));
    let (spec, _) = crate::run::runner::session_spec(&c, 0, &RunOptions::default());
    assert_eq!(spec.family, crate::target::IpFamily::V6);
    let c = case("--ip_version=ipv4-mapped-ipv6\n0 < S 0:0(0) win 1\n");
    assert_eq!(
        c.meta.unsupported.as_deref(),
        Some(
            "cases/t/pd.pkt:1: --ip_version=ipv4-mapped-ipv6 is not supported (ipv4 and ipv6 are)"
        )
    );
}

#[test]
fn a_command_refused_by_the_sandbox_says_why() {
    use crate::target::command::Output;
    let out = |stderr: &str| Output {
        status: Some(2),
        stdout: String::new(),
        stderr: stderr.into(),
        timed_out: false,
    };
    let refused = out("/bin/sh: 2: cannot create /sys/module/tcp_cubic/parameters/hystart_detect: Read-only file system");
    assert!(super::refused_hint(&refused).contains("would reach the host: refused"));
    assert_eq!(super::refused_hint(&out("sysctl: unknown key")), "");
}
