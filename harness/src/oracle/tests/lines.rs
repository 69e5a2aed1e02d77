//! Oracle tests written as the case language's lines: a sequence such as
//!
//! ```text
//! connect(3, ..., ...) = 0
//! > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
//! < S. 0:0(0) ack 1 win 65535 <mss 1460>
//! > . 1:1(0) ack 1
//! ```
//!
//! is parsed by the project's own parser (`crate::script::parse`), each `<`
//! line (to the target) and `>` line (from it) built into a segment with
//! the runner's own `inject_segment`, each syscall line turned into the
//! [`AppEvent`] it reports, and all of it fed to one oracle through
//! [`Oracle::observe`] (a `<` line with `bad_csum`: a segment with a bad
//! checksum, a `>` one: the target sent one); the test then
//! asserts the exact set of findings ([`expect_findings`]), each named
//! `LINE rule` (`end rule` for a reply still owed when the sequence ends).
//!
//! A line without a time happens 1 ms after the one before (`+0.001` is
//! put in front of it before parsing); `state NAME` asserts the oracle's
//! possible states for the connection are exactly that one (`CLOSED`: no
//! connection). Sequence numbers are relative to each side's ISN, as in a
//! case: the harness's is [`REMOTE_SEQ`], the target's [`LOCAL_SEQ`], so
//! both sides' numbers cross 2^32. The target is [`TARGET`] port
//! [`LISTEN_PORT`] and listens there unless the sequence says
//! `//! service: closed`; the harness is [`HARNESS`] port [`HARNESS_PORT`].

use super::*;
use crate::run::build::inject_segment;
use crate::run::mapping::Mapping;
use crate::script::{self, ExprKind, Item, LineKind, PacketLine, TimeSpec};
use crate::target::SessionInfo;

/// What a sequence drew from the oracle.
pub(super) struct Judged {
    /// `LINE rule` per finding (`LINE rule (deviation)` when the profile
    /// allows it), in the order the oracle returned them.
    pub names: Vec<String>,
    /// The findings themselves, in the same order.
    pub findings: Vec<Finding>,
    /// Every state the oracle's models hold the connection in after the
    /// last line, before the end's deadlines (`CLOSED`: no connection in
    /// some model), for sequences that end while the target's choice is
    /// still open (a `state` line asserts exactly one).
    pub states: Vec<TcpState>,
}

/// Runs `sequence` through an oracle with `profile` (see the module docs).
#[track_caller]
pub(super) fn judge_lines(profile: Profile, sequence: &str) -> Judged {
    let src: String = sequence
        .lines()
        .map(|l| {
            let t = l.trim_start();
            let timed = t.is_empty()
                || t.starts_with("//")
                || t.starts_with('+')
                || t.starts_with('*')
                || t.starts_with(|c: char| c.is_ascii_digit() || c == '.');
            if timed {
                format!("{t}\n")
            } else {
                format!("+0.001 {t}\n")
            }
        })
        .collect();
    let parsed = match script::parse(&src, "sequence") {
        Ok(s) => s,
        Err(diags) => panic!("the sequence does not parse:\n{}", script::render(&diags)),
    };
    let listening = if parsed.meta_text("service") == Some("closed") {
        Vec::new()
    } else {
        vec![LISTEN_PORT]
    };
    let mut oracle = Oracle::new(
        profile,
        TargetModel {
            addr: TARGET.into(),
            listening,
        },
    );
    let target = SocketAddr::new(TARGET.into(), LISTEN_PORT);
    let harness = peer();
    let to_target = SessionInfo {
        target,
        harness,
        virtual_time: true,
    };
    // A `>` line is a `<` line seen from the other side: the same builder
    // with the endpoints and the two ISNs swapped.
    let from_target = SessionInfo {
        target: harness,
        harness: target,
        virtual_time: true,
    };
    let mut map_to = Mapping::new(REMOTE_SEQ);
    map_to.learn_target_isn(LOCAL_SEQ, 0);
    let mut map_from = Mapping::new(LOCAL_SEQ);
    map_from.learn_target_isn(REMOTE_SEQ, 0);

    let mut judged = Judged {
        names: Vec::new(),
        findings: Vec::new(),
        states: Vec::new(),
    };
    let mut push = |at: &str, found: Vec<Finding>| {
        for f in found {
            let allowed = if f.deviation.is_some() {
                " (deviation)"
            } else {
                ""
            };
            judged.names.push(format!("{at} {}{allowed}", f.rule));
            judged.findings.push(f);
        }
    };
    let mut now = Duration::ZERO;
    for item in &parsed.items {
        let Item::Line(line) = item else {
            panic!("`either` blocks are not for oracle tests");
        };
        now = match line.time.node {
            TimeSpec::Absolute(us) | TimeSpec::AbsoluteRange { lo: us, .. } => {
                Duration::from_micros(us)
            }
            TimeSpec::Relative(us) | TimeSpec::RelativeRange { lo: us, .. } => {
                now + Duration::from_micros(us)
            }
            TimeSpec::Any => now + ms(1),
        };
        let at = line.span.line.to_string();
        match &line.kind {
            LineKind::Packet(p) => {
                let (dir, seg) = packet(p, &to_target, &from_target, &map_to, &map_from);
                let what = Observation::Segment {
                    dir,
                    segment: &seg,
                    checksum: Checksum::checked(!p.bad_csum),
                };
                push(&at, oracle.observe(now, what));
            }
            LineKind::State(s) => {
                let states = oracle
                    .states()
                    .into_iter()
                    .find(|(p, _)| *p == harness)
                    .map(|(_, s)| s)
                    .unwrap_or_else(|| vec![TcpState::Closed]);
                assert_eq!(
                    states,
                    vec![s.state],
                    "line {at}: the oracle's possible states"
                );
            }
            LineKind::Syscall(call) => {
                for ev in app_events(call) {
                    let what = Observation::App {
                        peer: harness,
                        event: ev,
                    };
                    oracle.observe(now, what);
                }
            }
            LineKind::Command(_)
            | LineKind::Code(_)
            | LineKind::Datagram(_)
            | LineKind::Stream(_) => {
                panic!("line {at}: an oracle test states segments, syscalls and states only")
            }
        }
    }
    let states = oracle
        .states()
        .into_iter()
        .find(|(p, _)| *p == harness)
        .map(|(_, s)| s)
        .unwrap_or_else(|| vec![TcpState::Closed]);
    // As a runner on a virtual clock ends a case: past every deadline.
    for _ in 0..16 {
        let Some(deadline) = oracle.next_deadline() else {
            break;
        };
        now = now.max(deadline) + ms(1);
        push("end", oracle.observe(now, Observation::Time));
    }
    judged.states = states;
    judged
}

/// Asserts that `sequence` draws exactly the findings `expected` (`LINE
/// rule`, `LINE rule (deviation)`, `end rule`), in any order; returns them.
#[track_caller]
pub(super) fn expect_findings(profile: Profile, sequence: &str, expected: &[&str]) -> Vec<Finding> {
    expect_judged(profile, sequence, expected).findings
}

/// Like [`expect_findings`], returning all that was judged (the final
/// states too).
#[track_caller]
pub(super) fn expect_judged(profile: Profile, sequence: &str, expected: &[&str]) -> Judged {
    let judged = judge_lines(profile, sequence);
    let mut got = judged.names.clone();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "findings (got, expected) differ; the findings:\n{:#?}",
        judged.findings
    );
    judged
}

// The openers' lines, each built on the one before it.
macro_rules! syn_received_lines {
    () => {
        "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
"
    };
}
macro_rules! established_lines {
    () => {
        concat!(syn_received_lines!(), "    < . 1:1(0) ack 1 win 65535\n")
    };
}
macro_rules! close_wait_lines {
    () => {
        concat!(
            established_lines!(),
            "    < F. 1:1(0) ack 1 win 65535
    > . 1:1(0) ack 2 win 64240
"
        )
    };
}
macro_rules! syn_sent_lines {
    () => {
        "
    0 connect(3, ..., ...) = 0
    > S 0:0(0) win 64240 <mss 1460>
"
    };
}

/// The fixtures of `tests/mod.rs` as lines, to put before a test's own
/// with [`expect_after`]: each starts with a newline, so its first line is
/// line 2, and a test's own lines start after its last (the number each
/// says).
///
/// Nothing yet: the target listens; a test's lines start at line 2.
pub(super) const LISTEN: &str = "\n";
/// A passive open's SYN and SYN-ACK (MSS 1460 each way): SYN-RECEIVED,
/// lines 2 and 3; a test's lines start at line 4:
///
/// ```text
/// 0 < S 0:0(0) win 65535 <mss 1460>
/// > S. 0:0(0) ack 1 win 64240 <mss 1460>
/// ```
pub(super) const SYN_RECEIVED: &str = syn_received_lines!();
/// A SYN with 10 octets and a SYN-ACK of the SYN alone (RCV.NXT 1 or 11:
/// RFC 9293 §3.10.7.2 lets the target queue or drop them), lines 2 and 3;
/// a test's lines start at line 4.
pub(super) const SYN_RECEIVED_AFTER_SYN_DATA: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
";
/// [`SYN_RECEIVED`] and the handshake's ACK (`< . 1:1(0) ack 1 win
/// 65535`): ESTABLISHED, lines 2 to 4; a test's lines start at line 5.
pub(super) const ESTABLISHED: &str = established_lines!();
/// [`ESTABLISHED`], then 10 octets from the harness (crossing 2^32) and
/// the target's ACK of them: lines 2 to 6; a test's lines start at line 7.
pub(super) const ESTABLISHED_DATA: &str = concat!(
    established_lines!(),
    "    < P. 1:11(10) ack 1 win 65535
    > . 1:1(0) ack 11 win 64240
"
);
/// [`ESTABLISHED`], then the harness's FIN and the target's ACK of it
/// (`< F. 1:1(0) ack 1`, `> . 1:1(0) ack 2`): CLOSE-WAIT, lines 2 to 6; a
/// test's lines start at line 7.
pub(super) const CLOSE_WAIT: &str = close_wait_lines!();
/// [`CLOSE_WAIT`], then the target's FIN: LAST-ACK, lines 2 to 7; a test's
/// lines start at line 8.
pub(super) const LAST_ACK: &str = concat!(close_wait_lines!(), "    > F. 1:1(0) ack 2 win 64240\n");
/// [`ESTABLISHED`], the target's FIN (FIN-WAIT-1) and the harness's ACK
/// of it (FIN-WAIT-2), then the harness's FIN and the target's ACK of it:
/// TIME-WAIT, lines 2 to 8; a test's lines start at line 9.
pub(super) const TIME_WAIT: &str = concat!(
    established_lines!(),
    "    > F. 1:1(0) ack 1 win 64240
    < . 1:1(0) ack 2 win 65535
    < F. 1:1(0) ack 2 win 65535
    > . 2:2(0) ack 2 win 64240
"
);

/// The target's active open: `connect` and its SYN (MSS 1460), SYN-SENT,
/// lines 2 and 3; a test's lines start at line 4.
pub(super) const SYN_SENT: &str = syn_sent_lines!();
/// [`SYN_SENT`], the peer's SYN-ACK and the target's ACK: ESTABLISHED
/// after an active open, lines 2 to 5; a test's lines start at line 6.
pub(super) const ACTIVE_ESTABLISHED: &str = concat!(
    syn_sent_lines!(),
    "    < S. 0:0(0) ack 1 win 65535 <mss 1460>
    > . 1:1(0) ack 1 win 64240
"
);

/// Runs `open` (one of the openers above, or a file's own) and then
/// `rest`, numbering the lines over both, and asserts that they draw
/// exactly `expected` (see [`expect_findings`]). `rest` may start on the
/// line of its opening quote or on the next one: one leading newline is
/// not a line.
#[track_caller]
pub(super) fn expect_after(profile: Profile, open: &str, rest: &str, expected: &[&str]) -> Judged {
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    expect_judged(profile, &format!("{open}{rest}"), expected)
}

/// Like [`expect_after`], returning the findings (as [`expect_findings`]).
#[track_caller]
pub(super) fn expect_findings_after(
    profile: Profile,
    open: &str,
    rest: &str,
    expected: &[&str],
) -> Vec<Finding> {
    expect_after(profile, open, rest, expected).findings
}

impl Judged {
    /// The finding named `name` (`LINE rule`, as in the expected set).
    #[track_caller]
    pub(super) fn finding(&self, name: &str) -> &Finding {
        let at = self
            .names
            .iter()
            .position(|n| n == name || n.strip_suffix(" (deviation)") == Some(name));
        match at {
            Some(i) => &self.findings[i],
            None => panic!("no finding {name}: {:?}", self.names),
        }
    }
}

/// The segment a packet line stands for, and its direction.
fn packet(
    p: &PacketLine,
    to_target: &SessionInfo,
    from_target: &SessionInfo,
    map_to: &Mapping,
    map_from: &Mapping,
) -> (Direction, Segment) {
    match p.direction {
        script::Direction::Inject => {
            let (seg, _) = inject_segment(p, to_target, map_to, LOCAL_SEQ);
            (Direction::ToTarget, seg)
        }
        script::Direction::Expect => {
            let (seg, _) = inject_segment(p, from_target, map_from, REMOTE_SEQ);
            (Direction::FromTarget, seg)
        }
    }
}

/// The application events a syscall line reports to the oracle, as the
/// runner reports them: `connect`, `write`/`send…` (the result: octets
/// taken), `read`/`recv…`, `shutdown` (SHUT_RD, SHUT_WR, SHUT_RDWR) and
/// `close`. Set-up calls (`socket`, `bind`, `listen`, `accept`…) report none.
fn app_events(call: &script::SyscallLine) -> Vec<AppEvent> {
    let result = match call.result.kind {
        ExprKind::Int(n) => usize::try_from(n).unwrap_or(0),
        _ => 0,
    };
    let how = call.args.get(1).map(|a| match &a.kind {
        ExprKind::Ident(s) => s.as_str(),
        _ => "",
    });
    match call.name.as_str() {
        "connect" => vec![AppEvent::Connect],
        "write" | "send" | "sendto" | "sendmsg" | "writev" => vec![AppEvent::Write(result)],
        "read" | "recv" | "recvfrom" | "recvmsg" | "readv" => vec![AppEvent::Read(result)],
        "close" => vec![AppEvent::Close],
        "shutdown" => match how {
            Some("SHUT_RD") => vec![AppEvent::ShutdownRead],
            Some("SHUT_WR") => vec![AppEvent::ShutdownWrite],
            Some("SHUT_RDWR") => vec![AppEvent::ShutdownRead, AppEvent::ShutdownWrite],
            other => panic!("shutdown how {other:?}"),
        },
        _ => Vec::new(),
    }
}

// ---- the helper itself ----

#[test]
fn a_passive_handshake_in_lines_draws_nothing() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        state ESTABLISHED
        ",
        &[],
    );
}

#[test]
fn a_finding_is_named_by_its_line_and_extra_findings_fail() {
    let judged = judge_lines(
        Profile::rfc9293(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 5 win 64240 <mss 1460>
        ",
    );
    assert_eq!(judged.names, vec!["3 syn-ack-acks-isn".to_string()]);
    let extra = std::panic::catch_unwind(|| {
        expect_findings(
            Profile::rfc9293(),
            "
            0 < S 0:0(0) win 65535 <mss 1460>
            > S. 0:0(0) ack 5 win 64240
            ",
            &["3 syn-ack-acks-isn"],
        )
    });
    assert!(extra.is_err(), "mss-missing as well: not the exact set");
}

#[test]
fn a_reply_owed_at_the_end_is_named_end_and_service_closed_closes_the_port() {
    // A FIN without ACK: dropped by LISTEN (§3.10.7.2), a RST from CLOSED.
    expect_findings(
        Profile::rfc9293(),
        "
        //! service: closed
        0 < F 0:0(0) win 65535
        ",
        &["end rst-not-sent"],
    );
    expect_findings(Profile::rfc9293(), "0 < F 0:0(0) win 65535", &[]);
}

/// [`expect_findings_after`] on the strict profile (RFC 9293 alone).
#[track_caller]
pub(in crate::oracle::tests) fn rfc(open: &str, rest: &str, expected: &[&str]) -> Vec<Finding> {
    expect_findings_after(Profile::rfc9293(), open, rest, expected)
}
