//! Runs one case against a target session and produces its [`CaseReport`].
//!
//! The runner walks the script's lines in order. A `<` line waits until its
//! time (any segment the target sends meanwhile is unexpected and fails the
//! case), then injects. A `>` line receives the next segment, which must
//! arrive inside the line's time window and match field by field. A `state`
//! line reads the target socket's state at its time. An `either` block
//! accepts whichever branch the target's segments follow. After the last
//! line, a quiet period catches segments no line expects. A syscall line
//! waits for its time like a `<` line, then performs its application action
//! (see [`super::syscall`]) and compares the result. Every segment, both
//! ways, and every action go to the oracle as well.
//!
//! A target that breaks mid-case (`TargetError::Broken` from inject, receive
//! or an action: the embedded target's guards against a stack that sends
//! without end or spins) fails the case at the line it broke on: a verdict
//! on the stack, which a waiver can cover. Plumbing errors stay errors.

#[path = "addr_override.rs"]
mod addr_override;
#[path = "aggregate.rs"]
mod aggregate;
#[path = "conns.rs"]
mod conns;
#[path = "either.rs"]
mod either;
#[path = "stream.rs"]
mod stream;
pub use stream::STREAM_NOTE;
#[path = "icmp_line.rs"]
mod icmp_line;
#[path = "late.rs"]
mod late;
pub use late::{LATE_DEVIATION_NOTE, LATE_NOTE};
#[path = "runner_io.rs"]
mod runner_io;
#[path = "syscall_run.rs"]
mod syscall_run;
#[path = "verdict.rs"]
mod verdict;
pub use verdict::{cite, secs};
use verdict::{finish, first_state_line, script_numbers};
pub(crate) use verdict::{verdict, violation};

use super::build::inject_segment;
use super::case::Case;
use super::event::{CaseReport, Dir, Entry, EntryKind, Mismatch, Outcome, ScriptText, Violation};
use super::mapping::Mapping;
use super::matcher::match_segment;
use super::scriptform::{script_line, Sender};
use super::syscall::{self, Call};
use crate::oracle::{self, Finding, Oracle, TargetModel};
use crate::script::{Item, Line, LineKind, PacketLine, SyscallLine, TimeSpec, Value};
use crate::target::{
    AppAction, IpFamily, Received, Service, Session, SessionSpec, Target, TargetError,
};
use crate::wire::{SeqNumber, TcpState};
use std::time::{Duration, Instant};

/// How a run treats every case.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Seed for ISNs, ports and the target's randomness; printed in reports.
    pub seed: u64,
    /// Ignore `>` and `state` lines; judge by the oracle alone.
    pub oracle_only: bool,
    /// The oracle profile's name.
    pub profile: String,
    /// Quiet period after the last line in which any segment is unexpected.
    pub settle: Duration,
    /// Forces the harness ISN (tests near the 2^32 wrap); else from the seed.
    pub harness_isn: Option<u32>,
    /// IPv4 or IPv6 (`--ipv6`) for every case.
    pub family: IpFamily,
    /// `--serve`: cases of the `http` service go to this port, where a
    /// server command runs instead of the built-in service.
    pub serve_port: Option<u16>,
    /// At most this many injected packets per second on a real-time
    /// target, so a mistake is never a flood (`--max-pps`; 0: no limit).
    pub max_pps: u32,
    /// `--allow-commands`: scripts may run their back-quoted commands and
    /// `%{ }%` blocks; else such a case is unsupported.
    pub allow_commands: bool,
    /// `--tso` / `--no-tso`: TCP segmentation offload on the lab's TUN
    /// device for every case; `None`: per case (see
    /// [`super::pdscript::wants_tso`]).
    pub tso: Option<bool>,
    /// `--local-ip` / `--remote-ip`: packetdrill's `--local_ip` /
    /// `--remote_ip` for every script in packetdrill form that names none
    /// (the target's and the harness's address, in a lab of the case's own).
    pub local_ip: Option<std::net::IpAddr>,
    /// `--remote-ip`: the harness's address (see `local_ip`).
    pub remote_ip: Option<std::net::IpAddr>,
    /// `--mtu`: packetdrill's `--mtu` for every script in packetdrill form
    /// that sets none (the lab's TUN device, in a namespace of the case's own).
    pub mtu: Option<u32>,
    /// Whether every transcript packet's script text (what the reporters
    /// show) is rendered as the packet is recorded. When false (the
    /// default), a text is rendered when first asked ([`EntryKind::script`]):
    /// by a reporter, or by a mismatch's message during the run.
    pub script_text: bool,
    /// Tests only: the harness sleeps this long before acting on this line
    /// (1-based), as a thread descheduled on a loaded machine would
    /// (`late.rs`). `None` in every real run.
    pub stall: Option<(u32, Duration)>,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            seed: 1,
            oracle_only: false,
            profile: "rfc9293".into(),
            settle: Duration::from_millis(100),
            harness_isn: None,
            family: IpFamily::V4,
            serve_port: None,
            max_pps: DEFAULT_MAX_PPS,
            allow_commands: false,
            tso: None,
            local_ip: None,
            remote_ip: None,
            mtu: None,
            script_text: false,
            stall: None,
        }
    }
}

/// The default injection rate limit on real-time targets.
pub const DEFAULT_MAX_PPS: u32 = 10_000;

/// The time resolution of normalised transcripts: 10 ms on a virtual clock
/// (exact there); 100 ms on a real one, where kernel timers and scheduling
/// make a reply late by some milliseconds, never early.
pub fn resolution(virtual_time: bool) -> Duration {
    if virtual_time {
        Duration::from_millis(10)
    } else {
        Duration::from_millis(100)
    }
}

/// SplitMix64: a small, good mixing function for deriving per-case values.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string: a stable per-case hash, independent of run order.
pub fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The session spec of a case: its service and timing, and a seed, source
/// port and harness ISN that depend only on the run seed and the case id.
pub fn session_spec(case: &Case, index: u32, opts: &RunOptions) -> (SessionSpec, SeqNumber) {
    let h = mix(opts.seed ^ stable_hash(&case.id));
    let spec = SessionSpec {
        service: case.meta.service,
        family: case.meta.packetdrill.family.unwrap_or(opts.family),
        target_port: match (case.meta.service, opts.serve_port) {
            // The case's own socket: a port of its own, as cases run side by side.
            _ if case.calls.performed => SOCKET_API_PORT_BASE + (index % 20000) as u16,
            (Service::Http, Some(port)) => port,
            (service, _) => service.port(),
        },
        harness_port: 32768 + ((h >> 32) % 28000) as u16,
        index,
        seed: h,
        close_delay: case.meta.close_delay,
    };
    let isn = SeqNumber(opts.harness_isn.unwrap_or(h as u32));
    (spec, isn)
}

/// The port a script in packetdrill form binds in a namespace of its own:
/// packetdrill's default `--bind_port`.
pub const PACKETDRILL_PORT: u16 = 8080;

/// Cases that perform the socket API bind the target's port
/// `SOCKET_API_PORT_BASE + index` (modulo 20000), apart from the services'.
pub const SOCKET_API_PORT_BASE: u16 = 20000;

/// Why a case stopped early.
pub(crate) enum Stop {
    /// A mismatch was recorded; the case fails.
    Failed,
    /// The target cannot do what the case needs.
    Unsupported(String),
    /// The harness or the target broke.
    Error(String),
}

impl From<TargetError> for Stop {
    fn from(e: TargetError) -> Stop {
        match e {
            TargetError::Unsupported(m) => Stop::Unsupported(m),
            other => Stop::Error(other.to_string()),
        }
    }
}

/// Runs one case. Never panics on anything the target sends.
pub fn run_case(target: &dyn Target, case: &Case, index: u32, opts: &RunOptions) -> CaseReport {
    let wall = Instant::now();
    let (spec, isn) = session_spec(case, index, opts);
    let shared = case.derived.shared.for_run(case);
    let mut report = CaseReport {
        id: shared.id,
        // The same text as `display()`, without the formatting machinery.
        path: shared.path,
        title: shared.title,
        rfc: shared.rfc,
        covers: shared.covers,
        tags: shared.tags,
        service: case.meta.service.name().into(),
        target: target.name().into(),
        profile: opts.profile.clone(),
        seed: opts.seed,
        outcome: Outcome::Pass,
        reason: None,
        mismatches: Vec::new(),
        violations: Vec::new(),
        waiver: None,
        transcript: Vec::new(),
        target_addr: Default::default(),
        harness_addr: Default::default(),
        virtual_time: false,
        session_time: Duration::ZERO,
        wall_time: Duration::ZERO,
        resolution: resolution(true),
        script_times: case.derived.script_times.clone(),
    };
    if let Some(why) = &case.meta.unsupported {
        report.outcome = Outcome::Unsupported;
        report.reason = Some(why.clone());
        return report;
    }
    if let Some(why) = super::pdscript::case_gate(case, opts) {
        report.outcome = Outcome::Unsupported;
        report.reason = Some(why);
        return report;
    }
    // A case that runs commands or names its addresses gets a target of its
    // own (on the lab, a namespace no other case shares), and its init
    // commands run first.
    let private: Box<dyn Target>;
    let mut spec = spec;
    let target: &dyn Target = match super::pdscript::private_target(target, case, opts) {
        Ok(Some(t)) => {
            private = t;
            // Alone in its namespace, a script in packetdrill form binds
            // packetdrill's port (its `--bind_port`, 8080), which its
            // commands may name (`md5/md5-only-on-client-ack` greps
            // `/proc/net/tcp` for `:1F90`).
            if case.calls.performed && case.script.meta.is_empty() {
                spec.target_port = PACKETDRILL_PORT;
            }
            private.as_ref()
        }
        Ok(None) => target,
        Err(stop) => {
            finish(&mut report, Err(stop));
            report.wall_time = wall.elapsed();
            return report;
        }
    };
    // T14's statistical case (`//! isn-sample: N`): N SYNs, not the lines.
    if let Some(n) = super::isn_case::requested(case) {
        match n {
            Ok(n) => super::isn_case::run(target, case, n, index, opts, &mut report),
            Err(why) => {
                report.outcome = Outcome::Error;
                report.reason = Some(why);
            }
        }
        report.wall_time = wall.elapsed();
        return report;
    }
    if let Some((line, _)) = case.calls.actions().next() {
        let why = syscall::app_support(target.name(), target.capabilities(), case.meta.service);
        if let Some(why) = why {
            report.outcome = Outcome::Unsupported;
            report.reason = Some(format!("{}:{line}: {why}", case.path.display()));
            return report;
        }
    }
    if !target.capabilities().socket_state {
        // Decided before the case runs, as for syscall lines: not at the
        // `state` line, where the outcome would hang on whether a segment
        // of the same instant arrived first.
        if let Some(line) = first_state_line(&case.script) {
            report.outcome = Outcome::Unsupported;
            report.reason = Some(format!(
                "{}:{line}: the {} target cannot report socket state, which the case's `state` lines need",
                case.path.display(),
                target.name()
            ));
            return report;
        }
    }
    // A real-time target's case runs at real-time priority where the
    // process may (`sys/sched.rs`): the harness late is a verdict at risk.
    let _priority =
        (!target.capabilities().virtual_time).then(crate::target::sys::sched::Priority::raise);
    let session = match target.open(&spec) {
        Ok(s) => s,
        Err(e) => {
            let stop = Stop::from(e);
            finish(&mut report, Err(stop));
            report.wall_time = wall.elapsed();
            return report;
        }
    };
    let info = session.info().clone();
    // A case written for a profile is judged by it; otherwise the run's.
    let profile_name = case.meta.profile.as_deref().unwrap_or(&opts.profile);
    if report.profile != profile_name {
        report.profile = profile_name.to_string();
    }
    let Some(profile) = crate::oracle::Profile::by_name(profile_name) else {
        finish(
            &mut report,
            Err(Stop::Error(format!(
                "unknown oracle profile `{profile_name}`"
            ))),
        );
        return report;
    };
    let oracle = Oracle::new(
        profile,
        TargetModel {
            addr: info.target.ip(),
            listening: if case.meta.service == Service::Closed && !case.calls.listens() {
                Vec::new()
            } else {
                vec![info.target.port()]
            },
        },
    );
    report.target_addr = info.target.into();
    report.harness_addr = info.harness.into();
    report.virtual_time = info.virtual_time;
    report.resolution = resolution(info.virtual_time);
    let mut run = CaseRun {
        case,
        target: case.meta.packetdrill.runs_commands().then_some(target),
        offload: target.offload() == Some(true),
        opts,
        session,
        map: Mapping::new(isn).with_packetdrill_numbering(case.script.meta.is_empty()),
        oracle,
        target_nxt: SeqNumber(0),
        edge: super::edge::WindowEdge::with_lines(case.derived.edge_lines.clone()),
        last_inject: None,
        prev: Duration::ZERO,
        prev_span: (Duration::ZERO, Duration::ZERO),
        sched: Duration::ZERO,
        // Most lines leave one entry (a `>` line's packet, a `<` line's).
        transcript: Vec::with_capacity(case.script.items.len() + 4),
        mismatches: Vec::new(),
        violations: Vec::new(),
        sock_app: Default::default(),
        pending: Vec::new(),
        tcp_infos: Vec::new(),
        icmp: Default::default(),
        held: Default::default(),
        peer: None,
        passive: (0, false),
        late: Default::default(),
    };
    for (line, note) in &case.meta.packetdrill.notes {
        run.transcript.push(Entry {
            at: Duration::ZERO,
            line: Some(*line),
            what: EntryKind::Note(note.clone()),
        });
    }
    let init_line = case.script.init.first().map(|c| c.span.line);
    for note in target.command_notes() {
        run.transcript.push(Entry {
            at: Duration::ZERO,
            line: init_line,
            what: EntryKind::Note(note),
        });
    }
    let result = run.run();
    let result = super::pdscript::cleanup(target, case, &mut run.transcript, result);
    report.session_time = run.session.now();
    let late = run
        .oracle
        .observe(report.session_time, crate::oracle::Observation::Time);
    run.add_findings(late, None);
    report.transcript = std::mem::take(&mut run.transcript);
    report.mismatches = std::mem::take(&mut run.mismatches);
    report.violations = std::mem::take(&mut run.violations);
    finish(&mut report, result);
    report.wall_time = wall.elapsed();
    report
}

struct CaseRun<'a> {
    case: &'a Case,
    /// The target, for a script's timed commands (`None` when the case has none).
    target: Option<&'a dyn Target>,
    /// The target's device takes segmentation offload: its segments are
    /// GSO super-segments a NIC would cut at the MSS.
    offload: bool,
    opts: &'a RunOptions,
    session: Box<dyn Session>,
    map: Mapping,
    oracle: Oracle,
    /// Everything the target has sent so far ends here (live): `ack *`.
    target_nxt: SeqNumber,
    /// `//! window-edge` lines and the target's announced right edge.
    edge: super::edge::WindowEdge,
    /// When the harness last injected (wall clock), for `max_pps`.
    last_inject: Option<Instant>,
    /// The time of the previous line's event: when the harness actually
    /// injected or acted, or when the target's segment arrived. A `>` line's
    /// relative time counts from it (the target answers what it got, when it
    /// got it).
    prev: Duration,
    /// `(event, latest)`: when the harness's last act (an injection without
    /// a kernel stamp, an application action) began, and when it returned.
    /// A thread preempted around the act leaves it uncertain when in
    /// between the target saw it, so a `>` line timed from `event` may
    /// take until `latest` plus its own time and tolerance (only while
    /// `prev` is still that act).
    prev_span: (Duration, Duration),
    /// When the previous line's event was due: a harness line's scheduled
    /// time (not when the thread woke up to do it), or the arrival of the
    /// target's segment. The relative times of `<`, `state` and syscall
    /// lines count from it, so a late wake-up on a loaded machine delays
    /// one line, not every line after it.
    sched: Duration,
    transcript: Vec<Entry>,
    mismatches: Vec<Mismatch>,
    violations: Vec<Violation>,
    /// The socket API's descriptors as the oracle hears of them.
    sock_app: super::syscall_sock::SockApp,
    /// Socket-API calls that block, until they return.
    pending: Vec<syscall_run::Pending>,
    /// `TCP_INFO` read for each `%{ }%` block: block, line, values.
    tcp_infos: Vec<(String, u32, crate::target::calls::TcpInfo)>,
    /// What `< icmp` lines told the target (`icmp_line.rs`).
    icmp: crate::oracle::icmp::IcmpJudge,
    /// Segments of a packetdrill-form script that came while no `>` line
    /// waited, for the next `>` lines (`aggregate.rs`).
    held: std::collections::VecDeque<usize>,
    /// The harness's end of the newest connection the target opened, where
    /// `<` lines go (`conns.rs`); `None`: the session's.
    peer: Option<std::net::SocketAddr>,
    /// Harness SYNs injected so far, and whether the script listened since
    /// the last one (`conns.rs`: a new passive connection).
    passive: (u16, bool),
    /// The harness's own lateness (`late.rs`).
    late: late::Lateness,
}

/// A line's time window: earliest and latest acceptable time, and when a
/// `<` or `state` line acts.
#[derive(Clone, Copy, Debug)]
struct Window {
    lo: Duration,
    hi: Duration,
    at: Duration,
}

impl CaseRun<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        let case = self.case;
        for item in &case.script.items {
            match item {
                Item::Line(line) => self.line(line)?,
                Item::Either { branches, span } => {
                    if !self.opts.oracle_only {
                        self.either(branches, span.line)?;
                        self.sched = self.prev;
                        self.late.answered();
                    }
                }
            }
        }
        self.sock_wait_all()?;
        // The quiet period counts from when the last line was due (or from
        // the harness's last act, when that was later): not from a late
        // wake-up, which would stretch it into the target's next timer.
        let settle = self.sched.max(self.prev) + self.opts.settle;
        // (After the quiet period, below: the `%{ }%` blocks.)
        self.wait_until(settle, None)?;
        // A reply the target still owes (a RST, an ACK) is judged when its
        // grace time runs out: keep listening until then, within the deadline.
        while let Some(owed) = self.oracle.next_deadline() {
            let until = owed + Duration::from_millis(1);
            if until <= self.session.now() || until > self.case.meta.deadline {
                break;
            }
            self.wait_until(until, None)?;
            let late = self
                .oracle
                .observe(self.session.now(), crate::oracle::Observation::Time);
            self.add_findings(late, None);
        }
        self.run_code_blocks()
    }

    /// packetdrill's rule: the larger of the case's floor and a share of
    /// the scripted gap since the previous event (`super::pdscript`).
    fn tolerance(&self, gap: Duration) -> Duration {
        let pd = &self.case.meta.packetdrill.tolerance;
        pd.for_gap(self.case.meta.tolerance, gap)
    }

    fn window(&self, time: TimeSpec, prev: Duration) -> Window {
        let gap = match time {
            TimeSpec::Any => Duration::ZERO,
            TimeSpec::Absolute(a) | TimeSpec::AbsoluteRange { lo: a, .. } => {
                Duration::from_micros(a).saturating_sub(prev)
            }
            TimeSpec::Relative(d) | TimeSpec::RelativeRange { lo: d, .. } => {
                Duration::from_micros(d)
            }
        };
        let tol = self.tolerance(gap);
        // How long the act `prev` names may have lasted (see `prev_span`).
        let span = if prev == self.prev_span.0 {
            self.prev_span.1.saturating_sub(prev)
        } else {
            Duration::ZERO
        };
        let us = Duration::from_micros;
        let deadline = self.case.meta.deadline;
        match time {
            TimeSpec::Any => Window {
                lo: Duration::ZERO,
                hi: deadline,
                at: self.session.now().max(prev),
            },
            TimeSpec::Absolute(a) => Window {
                lo: us(a).saturating_sub(tol),
                hi: us(a) + tol,
                at: us(a),
            },
            TimeSpec::Relative(d) => Window {
                lo: (prev + us(d)).saturating_sub(tol),
                hi: prev + span + us(d) + tol,
                at: prev + us(d),
            },
            TimeSpec::AbsoluteRange { lo, hi } => Window {
                lo: us(lo).saturating_sub(tol),
                hi: us(hi) + tol,
                at: us(lo),
            },
            TimeSpec::RelativeRange { lo, hi } => Window {
                lo: (prev + us(lo)).saturating_sub(tol),
                hi: prev + span + us(hi) + tol,
                at: prev + us(lo),
            },
        }
    }

    /// The text of source line `line` (1-based), as `str::lines` reads it.
    fn source_line(&self, line: u32) -> Option<String> {
        let case = self.case;
        case.derived
            .source_line(&case.source, line)
            .map(str::to_string)
    }

    /// What a `>` line expected: the case line as written.
    fn expected_text(&self, line: u32) -> String {
        self.source_line(line)
            .map_or_else(|| "a segment".to_string(), |s| s.trim().to_string())
    }

    fn mismatch(
        &mut self,
        line: Option<u32>,
        message: String,
        expected: Option<String>,
        actual: Option<String>,
        entry: Option<usize>,
    ) {
        let source = line.and_then(|l| self.source_line(l));
        self.mismatches.push(Mismatch {
            line,
            source,
            message,
            expected,
            actual,
            entry,
        });
    }

    fn line(&mut self, line: &Line) -> Result<(), Stop> {
        // A harness line is due relative to when the previous line was due;
        // a `>` line relative to what actually happened last.
        let w = self.window(line.time.node, self.sched);
        let no = line.span.line;
        match &line.kind {
            LineKind::Packet(p) if p.direction == crate::script::Direction::Inject => {
                self.wait_until(w.at, Some(no))?;
                self.stall(no);
                // When the target took the segment in (`inject`): a thread
                // preempted around its write neither makes the target's
                // prompt answer look late nor early.
                self.prev = self.inject(p, no, w.at)?;
                self.late.act(w.at, self.prev);
                self.sched = w.at.max(self.sched);
                Ok(())
            }
            LineKind::Packet(p) => {
                if self.opts.oracle_only {
                    return Ok(());
                }
                let mut w = self.window(line.time.node, self.prev);
                // packetdrill times a `>` line from the script's clock: a
                // segment is early only before the line was due
                // (aggregate.rs). What follows counts from when the segment
                // came, as packetdrill counts the next relative time from
                // the moment it sniffed it (`adjust_relative_event_times`:
                // "now"): after `+.004~+.008 >` a `+.001 <` follows the
                // segment by 1 ms wherever in the range it came.
                let due = self.window(line.time.node, self.sched);
                if self.pd_form() {
                    w.lo = w.lo.min(due.lo);
                }
                self.expect(p, w, no)?;
                self.sched = if self.pd_form() {
                    self.prev.max(self.sched)
                } else {
                    self.prev
                };
                self.late.answered();
                Ok(())
            }
            LineKind::State(s) => {
                if self.opts.oracle_only {
                    return Ok(());
                }
                self.wait_until(w.at, Some(no))?;
                self.stall(no);
                // Reading the state provokes nothing: what follows counts
                // from when the read was due.
                self.sched = w.at.max(self.sched);
                self.prev = self.prev.max(self.sched);
                self.check_state(&[s.state], no)
            }
            LineKind::Syscall(s) => {
                self.wait_until(w.at, Some(no))?;
                self.stall(no);
                self.prev = self.session.now();
                self.late.act(w.at, self.prev);
                self.sched = w.at.max(self.sched);
                if let Some(done) = self.sock_line(s, no, line.time.node, w) {
                    if !self.session.info().virtual_time {
                        // The kernel acted somewhere in the call (`prev_span`).
                        self.prev_span = (self.prev, self.session.now().max(self.prev));
                        if self.pd_form() {
                            // packetdrill counts the next relative time from
                            // when the call returned (or blocked): "now".
                            self.sched = self.sched.max(self.session.now());
                        }
                    }
                    return done;
                }
                self.syscall(s, no)
            }
            LineKind::Command(c) => {
                self.wait_until(w.at, Some(no))?;
                self.prev = self.session.now();
                self.late.act(w.at, self.prev);
                self.command(&c.text, no)?;
                // What follows counts from when the command finished, as
                // packetdrill's next relative time counts from "now": a
                // `sysctl` through `/bin/sh` takes milliseconds, which are
                // the script's, not the harness's lateness.
                self.sched = self.sched.max(self.session.now());
                Ok(())
            }
            // `%{ }%`: TCP_INFO now, the Python after the script.
            LineKind::Code(c) => {
                self.wait_until(w.at, Some(no))?;
                self.prev = self.session.now();
                // The block is an event of the script's: what follows
                // counts from it (`+.1 %{ }%` then `+.1 <` is 0.2 s after
                // the line before the block, not 0.1 s).
                self.sched = w.at.max(self.sched);
                self.code_snapshot(&c.text, no)
            }
            // `< icmp …`: sent like a `<` line (`icmp_line.rs`); `udp`
            // lines are held back before the case starts
            // (`super::pdscript::case_gate`).
            LineKind::Datagram(d) => {
                self.wait_until(w.at, Some(no))?;
                self.prev = self.icmp_line(d, no)?;
                self.late.act(w.at, self.prev);
                self.sched = w.at.max(self.sched);
                Ok(())
            }
            LineKind::Stream(st) => {
                if self.opts.oracle_only {
                    return Ok(());
                }
                let w = self.window(line.time.node, self.prev);
                self.stream(st, w, no)?;
                self.sched = self.prev;
                self.late.answered();
                Ok(())
            }
        }
    }

    /// The stop for a target error at `line`: a target that broke mid-case
    /// fails it there (a verdict on the stack); anything else stops it as
    /// [`Stop::from`] says.
    fn broke(&mut self, line: Option<u32>, e: TargetError) -> Stop {
        match e {
            TargetError::Broken(_) | TargetError::SegmentStorm { .. } => {
                let message = match line {
                    Some(_) => e.to_string(),
                    None => format!("after the last line: {e}"),
                };
                self.mismatch(line, message, None, None, None);
                Stop::Failed
            }
            other => Stop::from(other),
        }
    }

    /// The next packet from the target by `deadline`; a broken target fails
    /// the case at `line`.
    fn recv(&mut self, deadline: Duration, line: Option<u32>) -> Result<Option<Received>, Stop> {
        match self.session.recv(deadline) {
            Ok(p) => Ok(p),
            Err(e) => Err(self.broke(line, e)),
        }
    }

    /// Waits until `t`; a segment arriving meanwhile is unexpected.
    fn wait_until(&mut self, t: Duration, line: Option<u32>) -> Result<(), Stop> {
        // The quiet period after the last line may run past the deadline.
        if t > self.case.meta.deadline + self.opts.settle {
            self.mismatch(
                line,
                format!(
                    "case deadline reached ({:?} of session time)",
                    self.case.meta.deadline
                ),
                None,
                None,
                None,
            );
            return Err(Stop::Failed);
        }
        while let Some(pkt) = self.recv(t, line)? {
            if self.late_retransmission(&pkt, false) {
                self.record_late(pkt, line, Duration::ZERO)?;
                continue;
            }
            let entry = self.record_target(pkt, line, None);
            if !self.opts.oracle_only && !self.hold(entry) {
                let actual = self.entry_script(entry);
                let why = match line {
                    Some(_) => "unexpected segment from the target while waiting for this line",
                    None => "unexpected segment from the target after the last line",
                };
                self.mismatch(
                    line,
                    why.into(),
                    Some("nothing".into()),
                    actual,
                    Some(entry),
                );
                return Err(Stop::Failed);
            }
        }
        Ok(())
    }
}
