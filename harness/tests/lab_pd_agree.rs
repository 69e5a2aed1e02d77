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
use std::time::Duration;
use synack::run::case::load_source;
use synack::run::event::{CaseReport, Dir, EntryKind};
use synack::run::{run_case, Outcome, RunOptions};
use synack::target::lab::Lab;
use synack::target::{IpFamily, Target};

/// The scripts' listening socket (packetdrill's own opening, with a
/// tolerance of 100 ms): lines 1 to 5.
macro_rules! listening {
    () => {
        "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
"
    };
}

/// [`listening!`], a SYN (MSS 1400) and the target's SYN-ACK: lines 1 to 7.
macro_rules! syn_received {
    () => {
        concat!(
            listening!(),
            "\
+0    < S 0:0(0) win 65535 <mss 1400>
+0    > S. 0:0(0) ack 1 <...>
"
        )
    };
}

/// [`syn_received!`], the handshake's ACK 10 ms later and `accept`: lines 1
/// to 9.
macro_rules! accepted {
    () => {
        concat!(
            syn_received!(),
            "\
+.01  < . 1:1(0) ack 1 win 65535
+0    accept(3, ..., ...) = 4
"
        )
    };
}

/// The families the lab runs a script over: IPv4, and IPv6 where the
/// kernel has it.
fn families(lab: &Lab) -> Vec<IpFamily> {
    let mut families = vec![IpFamily::V4];
    if lab.capabilities().ipv6 {
        families.push(IpFamily::V6);
    }
    families
}

fn run(lab: &Lab, src: &str, family: IpFamily) -> CaseReport {
    run_stalled(lab, src, family, None)
}

/// [`run`], the harness stalling as `RunOptions::stall` says (a line, and
/// how long it sleeps before it).
fn run_stalled(
    lab: &Lab,
    src: &str,
    family: IpFamily,
    stall: Option<(u32, Duration)>,
) -> CaseReport {
    let opts = RunOptions {
        profile: "linux".into(),
        family,
        allow_commands: true,
        stall,
        ..RunOptions::default()
    };
    let case = load_source(Path::new("/tmp/pd-agree.pkt"), src.to_string()).expect("loads");
    run_case(lab, &case, 0, &opts)
}

/// Runs `src` over both families (IPv6 where the kernel has it) and
/// asserts that it passes.
fn passes_both(lab: &Lab, src: &str) {
    for family in families(lab) {
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
const ICMP_ON_A_REQUEST: &str = concat!(
    listening!(),
    "\
+0    < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop>
+0    > S. 0:0(0) ack 1 <...>
+.05  < icmp parameter_problem
+0    < . 1:1(0) ack 1 win 32792
+0    > R 1:1(0)
"
);

#[test]
fn an_icmp_error_without_a_quote_quotes_the_isn_as_packetdrill_does() {
    let Some(lab) = lab_or_skip() else { return };
    passes_both(&lab, ICMP_ON_A_REQUEST);
}

/// When the entry of script line `line` happened: the harness's packet
/// for a `<` line (a segment of the target's kept meanwhile may carry the
/// line too), else its first entry.
fn at_line(r: &CaseReport, line: u32) -> Duration {
    let of_line = || r.transcript.iter().filter(|e| e.line == Some(line));
    of_line()
        .find(|e| matches!(e.what, EntryKind::Packet { dir: Dir::In, .. }))
        .or_else(|| of_line().next())
        .map(|e| e.at)
        .unwrap_or_else(|| panic!("no entry for line {line}: {:#?}", r.transcript))
}

/// Runs `src` over both families and returns the reports of the runs
/// that passed (deviations the profile allows included).
fn reports_both(lab: &Lab, src: &str) -> Vec<CaseReport> {
    reports_stalled(lab, src, None)
}

/// [`reports_both`], the harness stalling as `RunOptions::stall` says.
fn reports_stalled(lab: &Lab, src: &str, stall: Option<(u32, Duration)>) -> Vec<CaseReport> {
    families(lab)
        .into_iter()
        .map(|family| {
            let r = run_stalled(lab, src, family, stall);
            assert!(
                matches!(r.outcome, Outcome::Pass | Outcome::Deviation),
                "{family:?}: {:?} {:#?} {:#?}",
                r.reason,
                r.mismatches,
                r.violations
            );
            r
        })
        .collect()
}

/// After a `>` line, packetdrill counts the next relative time from when
/// it took the segment ("now" in `adjust_relative_event_times`), wherever
/// in the line's range the segment came: here the retransmission comes
/// some 200 ms into a `+0~+2` range, and the ACK 50 ms after it. synack
/// counted from the start of the range, and sent the ACK at once.
const AFTER_A_RANGE: &str = concat!(
    accepted!(),
    "\
+0    write(4, ..., 10) = 10
+0    > P. 1:11(10) ack 1
+0~+2 > P. 1:11(10) ack 1
+.05  < . 1:1(0) ack 11 win 65535
"
);

#[test]
fn after_a_segment_in_a_range_the_next_line_counts_from_the_segment() {
    let Some(lab) = lab_or_skip() else { return };
    for r in reports_both(&lab, AFTER_A_RANGE) {
        let (rtx, ack) = (at_line(&r, 12), at_line(&r, 13));
        assert!(
            ack >= rtx + Duration::from_millis(48),
            "the ACK at {ack:?}, the retransmission at {rtx:?}"
        );
    }
}

/// A timed command takes the script's time: packetdrill counts the next
/// relative time from its end. synack counted from when it was due, so
/// the line after a 100 ms `sleep` went at once instead of 20 ms later
/// (`fastopen/client/synack-data`: a `sysctl`, then a blocking `poll`
/// whose end was then missed).
const AFTER_A_COMMAND: &str = concat!(
    syn_received!(),
    "\
+0    `sleep 0.1`
+.02  < . 1:1(0) ack 1 win 65535
+0    accept(3, ..., ...) = 4
"
);

#[test]
fn after_a_command_the_next_line_counts_from_its_end() {
    let Some(lab) = lab_or_skip() else { return };
    for r in reports_both(&lab, AFTER_A_COMMAND) {
        let (syn_ack, ack) = (at_line(&r, 7), at_line(&r, 9));
        assert!(
            ack >= syn_ack + Duration::from_millis(118),
            "the ACK at {ack:?}, the SYN-ACK at {syn_ack:?}"
        );
    }
}

/// Each connection has a TSval offset of its own (Linux randomizes it per
/// connection), and packetdrill learns each socket's from its first TSval:
/// the second SYN-ACK's `ecr 0` echoes the second SYN's TSval. synack kept
/// the first connection's offset, the echo was wrong and the target
/// answered the SYN-ACK with a RST (`fastopen/client/synack-data`, TEST5).
const TWO_CONNECTIONS_WITH_TIMESTAMPS: &str = "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0    > S 0:0(0) <...>
+.01  < S. 0:0(0) ack 1 win 65535 <mss 1400,nop,nop,TS val 700 ecr 0,nop,wscale 7>
+0    > . 1:1(0) ack 1 <...>
+0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
+0    fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(4, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0    > S 0:0(0) <...>
+.01  < S. 0:0(0) ack 1 win 65535 <mss 1400,nop,nop,TS val 900 ecr 0,nop,wscale 7>
+0    > . 1:1(0) ack 1 <...>
";

#[test]
fn each_connection_learns_its_own_tsval_offset() {
    let Some(lab) = lab_or_skip() else { return };
    reports_both(&lab, TWO_CONNECTIONS_WITH_TIMESTAMPS);
}

/// packetdrill keeps whatever the target sent for the next `>` line. Here
/// the harness stalls 400 ms before line 12, the target retransmits
/// meanwhile, and line 13 takes that retransmission. synack set it aside
/// as "a retransmission the late harness explains" and line 13 then got
/// nothing (`eor/no-coalesce-retrans`).
const HELD_WHILE_LATE: &str = concat!(
    accepted!(),
    "\
+0    write(4, ..., 10) = 10
+0    > P. 1:11(10) ack 1
+.01  < . 1:1(0) ack 1 win 65535
+0    > P. 1:11(10) ack 1
+0    < . 1:1(0) ack 11 win 65535
"
);

#[test]
fn a_retransmission_a_late_harness_met_is_kept_for_the_next_line() {
    let Some(lab) = lab_or_skip() else { return };
    reports_stalled(
        &lab,
        HELD_WHILE_LATE,
        Some((12, Duration::from_millis(400))),
    );
}

/// A script in packetdrill form, alone in its namespace, binds
/// packetdrill's port 8080, which its commands may name
/// (`md5/md5-only-on-client-ack` greps `/proc/net/tcp` for `:1F90`).
/// synack bound its case port (20000 + n) and the command failed.
const BINDS_8080: &str = "\
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    `grep -q ':1F90 ' /proc/net/tcp /proc/net/tcp6`
";

#[test]
fn a_packetdrill_script_alone_in_its_namespace_binds_port_8080() {
    let Some(lab) = lab_or_skip() else { return };
    reports_both(&lab, BINDS_8080);
}

/// After a call, packetdrill counts the next relative time from when the
/// call returned ("now"): here the harness stalls 100 ms before the
/// `write` (as a descheduled thread would), and the ACK still follows the
/// write by 50 ms (the data segment between them is kept for a `>` line
/// that never comes, no mismatch, as in packetdrill). synack counted from
/// when the write was due and sent the ACK at once (`tcp_info/tcp-info-rwnd-limited` read its `%{ }%`
/// block's TCP_INFO 4 ms early that way).
const AFTER_A_LATE_CALL: &str = concat!(
    accepted!(),
    "\
+0    write(4, ..., 10) = 10
+.05  < . 1:1(0) ack 11 win 65535
"
);

#[test]
fn after_a_late_call_the_next_line_counts_from_its_return() {
    let Some(lab) = lab_or_skip() else { return };
    for r in reports_stalled(
        &lab,
        AFTER_A_LATE_CALL,
        Some((10, Duration::from_millis(100))),
    ) {
        let (write, ack) = (at_line(&r, 10), at_line(&r, 11));
        assert!(
            ack >= write + Duration::from_millis(48),
            "the ACK at {ack:?}, the write at {write:?}"
        );
    }
}

/// A `%{ }%` block is an event of the script's: what follows counts from
/// it, so `+.1 %{ }%` then `+.1 <` comes 0.2 s after the line before the
/// block. synack left the block out of the count and sent the segment
/// with the block, 0.1 s early (`tcp_info/tcp-info-rwnd-limited`).
const AFTER_A_BLOCK: &str = concat!(
    accepted!(),
    "\
+.1   %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state }%
+.1   < P. 1:11(10) ack 1 win 65535
+0    > . 1:1(0) ack 11
"
);

#[test]
fn after_a_code_block_the_next_line_counts_from_it() {
    let Some(lab) = lab_or_skip() else { return };
    for r in reports_both(&lab, AFTER_A_BLOCK) {
        let (accept, data) = (at_line(&r, 9), at_line(&r, 11));
        assert!(
            data >= accept + Duration::from_millis(198),
            "the data at {data:?}, accept at {accept:?}"
        );
    }
}

/// packetdrill counts a blocking call's end from when the call started
/// ("now" at its event): here the harness stalls 300 ms before the `read`
/// (as a descheduled thread would); the data comes 50 ms after the call
/// started and the read returns then, at the end of its range. synack
/// counted the end from when the read was due, 300 ms earlier
/// (`fastopen/client/cookie-less-sendto`: `sendto: returned at 0.198 s,
/// expected at 0.194 s`).
const A_LATE_BLOCKING_CALL: &str = concat!(
    accepted!(),
    "\
+0...0.05 read(4, ..., 10) = 10
+.05  < P. 1:11(10) ack 1 win 65535
+0    > . 1:1(0) ack 11
"
);

#[test]
fn a_blocking_calls_end_counts_from_when_it_started() {
    let Some(lab) = lab_or_skip() else { return };
    reports_stalled(
        &lab,
        A_LATE_BLOCKING_CALL,
        Some((10, Duration::from_millis(300))),
    );
}

/// A SYN that came while an earlier line waited (here `+.01 fcntl`) is
/// kept for the `>` line, which then names its TSval (100): packetdrill
/// learns the TSval base from the first segment matched to a line, so the
/// SYN-ACK's `ecr 100` echoes the SYN's TSval. synack learned the base when
/// the SYN came, as script 0, the echo was 100 ticks off and the target
/// answered the SYN-ACK with a RST (`inq/client`).
fn held_syn(mss: u16) -> String {
    format!(
        "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+.01  fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)
+0    > S 0:0(0) <mss {mss},sackOK,TS val 100 ecr 0,nop,wscale *>
+.01  < S. 0:0(0) ack 1 win 5792 <mss 1400,sackOK,TS val 700 ecr 100,nop,wscale 7>
+0    > . 1:1(0) ack 1 <nop,nop,TS val * ecr 700>
"
    )
}

#[test]
fn a_held_syn_learns_its_tsval_base_from_the_line_that_takes_it() {
    let Some(lab) = lab_or_skip() else { return };
    let mut runs = vec![(IpFamily::V4, 1460)];
    if families(&lab).contains(&IpFamily::V6) {
        runs.push((IpFamily::V6, 1440));
    }
    for (family, mss) in runs {
        let r = run(&lab, &held_syn(mss), family);
        assert!(
            matches!(r.outcome, Outcome::Pass | Outcome::Deviation),
            "{family:?}: {:?} {:#?}",
            r.reason,
            r.mismatches
        );
    }
}
