//! Oracle tests in the smoltcp style: per-state fixtures that build on each
//! other, `send!` (harness → target) / `recv!` (target → harness) helpers,
//! sequence numbers near 2^32, one conformant and one violating transcript
//! per rule, grouped by RFC area.

use super::*;
use crate::wire::{IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Like `send!`, on a chain of forking segments that may reach the cap on
/// the set of models: the only finding allowed is `model-set-capped`
/// naming the cap; returns how many of it came (0 or 1).
macro_rules! send_forking {
    ($t:expr, $seg:expr) => {{
        let t: &mut $crate::oracle::tests::T = &mut $t;
        t.now += $crate::oracle::tests::ms(1);
        let f = $crate::oracle::tests::observe(t, $crate::oracle::Direction::ToTarget, &$seg);
        let cap = format!("cap of {}", $crate::oracle::MAX_BRANCHES);
        assert!(
            f.iter()
                .all(|f| f.rule == $crate::oracle::RuleId::ModelSetCapped
                    && f.message.contains(&cap)),
            "sending drew findings: {f:#?}"
        );
        f.len()
    }};
}

mod after_deviation;
mod ambiguous;
mod app;
mod branch_budget;
mod branch_cut_recent;
mod challenge;
mod challenge_first;
mod close;
mod close_in_syn_received;
mod close_in_syn_received_follow;
mod closed;
mod closed_droppable;
mod closed_listen_rsts;
mod closing;
mod droppable;
mod early_ack;
mod established;
mod established_shut_rd;
mod fast_open;
mod fin_after_old_text_in_syn_received;
mod fin_before_close;
mod fin_in_zero_window;
mod fin_overwritten_by_text;
mod fin_past_held_text;
mod fin_past_part_of_held_text;
mod fin_segment_ack_ignored;
mod fin_segment_window;
mod fin_states;
mod fin_with_old_ack;
mod handshake;
mod last_ack_text_before_held;
mod lines;
mod lwip_fuzz;
mod malformed;
mod maybe_reset;
mod mss;
mod non_unicast;
mod options;
mod passive_open;
mod profiles;
mod rcv_sws;
mod readme_fuzz;
mod repeated_syn;
mod repeated_syn_options;
mod replaced;
mod robustness;
mod rst_after_duplicate_ack_text;
mod rst_after_later_syn;
mod rst_data;
mod rst_not_sent;
mod segment_space;
mod sent;
mod seq_first;
mod syn_ack_in_syn_received;
mod syn_data;
mod syn_received_simultaneous;
mod syn_sent;
mod synchronized;
mod text_taken_before_rst;
mod time_wait_after_dropped_fin;
mod timers;
mod twins;
mod uncertain_acks;
mod unsent_ack_covers_fin;
mod window;
mod zero_window;
mod zero_window_fork;

pub(super) const TARGET: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub(super) const HARNESS: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
pub(super) const LISTEN_PORT: u16 = 8080;
pub(super) const CLOSED_PORT: u16 = 81;
pub(super) const HARNESS_PORT: u16 = 40000;
/// The harness's ISN: its data crosses 2^32 after 10 octets.
pub(super) const REMOTE_SEQ: SeqNumber = SeqNumber(u32::MAX - 9);
/// The target's ISS: its data crosses 2^32 after 100 octets.
pub(super) const LOCAL_SEQ: SeqNumber = SeqNumber(u32::MAX - 99);

pub(super) const SYN: TcpFlags = TcpFlags::SYN;
pub(super) const ACK: TcpFlags = TcpFlags::ACK;
pub(super) const RST: TcpFlags = TcpFlags::RST;
pub(super) const FIN: TcpFlags = TcpFlags::FIN;
pub(super) const PSH: TcpFlags = TcpFlags::PSH;

/// REMOTE_SEQ + n.
pub(super) fn r(n: u32) -> SeqNumber {
    REMOTE_SEQ.add(n)
}
/// LOCAL_SEQ + n.
pub(super) fn l(n: u32) -> SeqNumber {
    LOCAL_SEQ.add(n)
}
pub(super) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A harness → target ACK on the connection under test.
pub(super) fn send_tmpl() -> Segment {
    Segment {
        window: 65535,
        ..Segment::new(
            IpEnvelope::v4(HARNESS, TARGET),
            HARNESS_PORT,
            LISTEN_PORT,
            ACK,
        )
    }
}
/// A target → harness ACK on the connection under test.
pub(super) fn recv_tmpl() -> Segment {
    Segment {
        window: 64240,
        ..Segment::new(
            IpEnvelope::v4(TARGET, HARNESS),
            LISTEN_PORT,
            HARNESS_PORT,
            ACK,
        )
    }
}

pub(super) fn peer() -> SocketAddr {
    SocketAddr::new(HARNESS.into(), HARNESS_PORT)
}

/// An oracle with a session clock.
pub(super) struct T {
    pub oracle: Oracle,
    pub now: Duration,
}

impl T {
    /// Time passes without a segment.
    pub fn wait(&mut self, d: Duration) -> Vec<Finding> {
        self.now += d;
        self.oracle.observe(self.now, Observation::Time)
    }
    pub fn states(&self) -> Vec<TcpState> {
        self.oracle
            .states()
            .into_iter()
            .find(|(p, _)| *p == peer())
            .map(|(_, s)| s)
            .unwrap_or_default()
    }
}

use crate::wire::TcpState;

/// Feeds `seg` (valid checksum) at `t.now` through [`Oracle::observe`].
pub(super) fn observe(t: &mut T, dir: Direction, seg: &Segment) -> Vec<Finding> {
    let what = Observation::Segment {
        dir,
        segment: seg,
        checksum: Checksum::Valid,
    };
    t.oracle.observe(t.now, what)
}

/// Harness → target, 1 ms after the previous event; asserts no finding.
macro_rules! send {
    ($t:expr, $seg:expr) => {{
        let t: &mut $crate::oracle::tests::T = &mut $t;
        t.now += $crate::oracle::tests::ms(1);
        let f = $crate::oracle::tests::observe(t, $crate::oracle::Direction::ToTarget, &$seg);
        assert!(f.is_empty(), "sending drew findings: {f:#?}");
    }};
}

/// Target → harness, 1 ms after the previous event. `recv!(t, seg)` asserts
/// it is allowed; `recv!(t, seg, rule)` asserts it violates `rule` and
/// returns that finding.
macro_rules! recv {
    ($t:expr, $seg:expr) => {{
        let t: &mut $crate::oracle::tests::T = &mut $t;
        t.now += $crate::oracle::tests::ms(1);
        let f = $crate::oracle::tests::observe(t, $crate::oracle::Direction::FromTarget, &$seg);
        assert!(f.is_empty(), "expected no finding, got: {f:#?}");
    }};
    ($t:expr, $seg:expr, $rule:expr) => {{
        let t: &mut $crate::oracle::tests::T = &mut $t;
        t.now += $crate::oracle::tests::ms(1);
        let f = $crate::oracle::tests::observe(t, $crate::oracle::Direction::FromTarget, &$seg);
        $crate::oracle::tests::expect_rule(f, $rule)
    }};
    // `recv!(t, seg, rule, also [others])`: exactly `rule` and `others`
    // (a segment that breaks several rules); returns the finding of `rule`.
    ($t:expr, $seg:expr, $rule:expr, also [$($also:expr),+ $(,)?]) => {{
        let t: &mut $crate::oracle::tests::T = &mut $t;
        t.now += $crate::oracle::tests::ms(1);
        let f = $crate::oracle::tests::observe(t, $crate::oracle::Direction::FromTarget, &$seg);
        $crate::oracle::tests::expect_rule_also(f, $rule, &[$($also),+])
    }};
}
pub(super) use {recv, send};

/// The one finding in `f`, which must be of `rule`: any other finding, or
/// a second one, fails the test (at the caller). The exact set is the
/// default; a segment that draws several states them all ([`expect_rules`]).
#[track_caller]
pub(super) fn expect_rule(f: Vec<Finding>, rule: RuleId) -> Finding {
    match f.as_slice() {
        [x] if x.rule == rule => x.clone(),
        _ => panic!("expected exactly one {rule} finding, got: {f:#?}"),
    }
}

/// The finding of `rule` in `f`, which must hold exactly it and one of
/// each of `also` (a segment that breaks several rules at once).
#[track_caller]
pub(super) fn expect_rule_also(f: Vec<Finding>, rule: RuleId, also: &[RuleId]) -> Finding {
    let mut all = vec![rule];
    all.extend_from_slice(also);
    let f = expect_rules(f, &all);
    f.into_iter()
        .find(|x| x.rule == rule)
        .expect("expect_rules checked it is there")
}

/// The findings in `f`, which must be exactly those of `rules` (in any
/// order, each as often as listed).
#[track_caller]
pub(super) fn expect_rules(f: Vec<Finding>, rules: &[RuleId]) -> Vec<Finding> {
    let mut got: Vec<RuleId> = f.iter().map(|x| x.rule).collect();
    let mut want = rules.to_vec();
    got.sort_by_key(|r| r.name());
    want.sort_by_key(|r| r.name());
    assert_eq!(got, want, "findings (got, expected) differ: {f:#?}");
    f
}

#[track_caller]
pub(super) fn expect_none(f: Vec<Finding>) {
    assert!(f.is_empty(), "expected no finding, got: {f:#?}");
}

// ---- fixtures, each building on the previous ----

pub(super) fn listen_with(profile: Profile) -> T {
    T {
        oracle: Oracle::new(
            profile,
            TargetModel {
                addr: TARGET.into(),
                listening: vec![LISTEN_PORT],
            },
        ),
        now: Duration::ZERO,
    }
}

pub(super) fn listen() -> T {
    listen_with(Profile::rfc9293())
}

pub(super) fn syn_received_with(profile: Profile) -> T {
    let mut t = listen_with(profile);
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    t
}

/// SYN-RECEIVED after a SYN carrying 10 octets ('s'), whose SYN-ACK
/// acknowledges the SYN alone: RCV.NXT is r(1) if the target dropped the
/// text, r(11) if it queued it (RFC 9293 §3.10.7.2 lets it do either).
pub(super) fn syn_received_after_syn_data(profile: Profile) -> T {
    let mut t = listen_with(profile);
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            payload: vec![b's'; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    t
}

pub(super) fn syn_received() -> T {
    syn_received_with(Profile::rfc9293())
}

pub(super) fn established_with(profile: Profile) -> T {
    let mut t = syn_received_with(profile);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
    t
}

pub(super) fn established() -> T {
    established_with(Profile::rfc9293())
}

/// ESTABLISHED after the harness sent 10 octets (crossing 2^32) and the target ACKed them.
pub(super) fn established_with_data() -> T {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        }
    );
    t
}

pub(super) fn close_wait() -> T {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::CloseWait]);
    t
}

pub(super) fn last_ack() -> T {
    let mut t = close_wait();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::LastAck]);
    t
}

pub(super) fn fin_wait_1_with(profile: Profile) -> T {
    let mut t = established_with(profile);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::FinWait1]);
    t
}

pub(super) fn fin_wait_2_with(profile: Profile) -> T {
    let mut t = fin_wait_1_with(profile);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::FinWait2]);
    t
}

pub(super) fn time_wait_with(profile: Profile) -> T {
    let mut t = fin_wait_2_with(profile);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
    t
}

pub(super) fn time_wait() -> T {
    time_wait_with(Profile::rfc9293())
}

#[test]
fn fixtures_walk_the_rfc_states() {
    assert_eq!(syn_received().states(), vec![TcpState::SynReceived]);
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty(), "LAST-ACK acknowledged: CLOSED");
    let _ = time_wait();
}

#[test]
fn benchmark_transcript_is_conformant() {
    let (n, _) = bench_judge(3);
    assert_eq!(n, 30);
}

/// Throughput of the oracle on the benchmark transcript. Run it in release:
/// `cargo test --release -p synack --lib oracle::tests::bench_throughput -- --ignored --nocapture`
#[test]
#[ignore = "a benchmark: run in release"]
fn bench_throughput() {
    let (n, took) = bench_judge(200_000);
    eprintln!(
        "oracle: {n} segments in {:.3} s = {:.2} M segments/s",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64() / 1e6
    );
}

/// Every rule is named by at least one test here: each has a violating
/// transcript (and the fixtures and `_is_allowed` tests the conformant ones).
#[test]
fn every_rule_has_a_test() {
    let sources = [
        include_str!("after_deviation.rs"),
        include_str!("closed.rs"),
        include_str!("close.rs"),
        include_str!("handshake.rs"),
        include_str!("malformed.rs"),
        include_str!("options.rs"),
        include_str!("profiles.rs"),
        include_str!("synchronized.rs"),
        include_str!("timers.rs"),
        include_str!("../icmp.rs"),
        include_str!("branch_budget.rs"),
    ]
    .concat();
    // Tests in line form name a rule in the exact set they expect:
    // `"5 rst-syn-sent-numbers"`, `"4 rto-too-short (deviation)"`.
    let line_form = [
        include_str!("syn_sent.rs"),
        include_str!("syn_received_simultaneous.rs"),
        include_str!("closing.rs"),
        include_str!("established_shut_rd.rs"),
        include_str!("established.rs"),
        include_str!("fin_states.rs"),
        include_str!("passive_open.rs"),
        include_str!("close_in_syn_received.rs"),
        include_str!("segment_space.rs"),
        include_str!("zero_window.rs"),
        include_str!("rcv_sws.rs"),
        include_str!("non_unicast.rs"),
        include_str!("challenge_first.rs"),
        include_str!("seq_first.rs"),
    ]
    .concat();
    let named = |name: &str| {
        line_form.contains(&format!(" {name}\""))
            || line_form.contains(&format!(" {name} (deviation)\""))
    };
    let missing: Vec<_> = rules()
        .iter()
        .filter(|r| !sources.contains(&format!("RuleId::{:?}", r.id)) && !named(r.name))
        .map(|r| r.name)
        .collect();
    assert!(missing.is_empty(), "rules without a test: {missing:?}");
}
