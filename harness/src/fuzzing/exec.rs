//! Runs an operation list against a target session, tracks the connection
//! from the target's own segments (RCV.NXT, RCV.WND, SND.NXT, SND.UNA) to
//! resolve relative numbers, and feeds every segment both ways to the oracle.

use super::ops::{AckAnchor, AppOp, Inject, Input, Op, OptOp, SeqAnchor};
use crate::oracle::{self, Finding, Oracle, Profile, RuleId, TargetModel};
use crate::run::build::filler;
use crate::run::mapping::Mapping;
use crate::run::runner::mix;
use crate::target::{
    AppAction, AppOutcome, Service, Session, SessionInfo, SessionSpec, TargetError,
};
use crate::wire::{seq_gt, ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpOption, TcpState};
use std::time::Duration;

/// Session time a sequence may use, at most (waits are cut there).
pub const MAX_SESSION_TIME: Duration = Duration::from_secs(300);
/// On a real clock (lab), waits are cut to this, and the end of a run
/// listens this long at most: a sequence then takes seconds, not minutes.
pub const REAL_TIME_WAIT: Duration = Duration::from_secs(1);
/// A case's deadline when it names none (the runner's).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// Quiet period after the last operation (the runner's default settle).
pub const SETTLE: Duration = Duration::from_millis(100);
/// Segments from the target per sequence, at most: past it the run stops.
pub const MAX_RECEIVED: usize = 512;
/// The harness's port in fuzz sessions.
pub const HARNESS_PORT: u16 = 40000;

/// One thing that happened during a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A segment injected: the parse of the bytes actually sent (`None` if
    /// they do not parse, e.g. a data offset past the packet), the built
    /// segment, and whether its checksum was corrupted.
    In {
        /// When, on the session's clock.
        at: Duration,
        /// The index of the op in the sequence that did it.
        op: usize,
        /// What the target's TCP would parse of the bytes sent; `None` when they do not parse or never reach TCP.
        sent: Option<Segment>,
        /// The segment as built from the op, before any corruption.
        built: Segment,
        /// Whether the checksum was deliberately wrong.
        bad_checksum: bool,
    },
    /// A packet from the target and its parse.
    Out {
        /// When, on the session's clock.
        at: Duration,
        /// The index of the op during which it arrived.
        op: usize,
        /// Its parse; `None` when the bytes are not a TCP segment.
        segment: Option<Segment>,
    },
    /// An application action and its result.
    App {
        /// When, on the session's clock.
        at: Duration,
        /// The index of the op in the sequence.
        op: usize,
        /// What the application did.
        action: AppAction,
        /// What the call returned.
        outcome: AppOutcome,
    },
    /// The end of a wait, with the target socket's state then.
    Waited {
        /// When the wait ended, on the session's clock.
        at: Duration,
        /// The index of the wait op in the sequence.
        op: usize,
        /// The target socket's state then, where the target can tell.
        state: Option<TcpState>,
    },
}

/// What a sequence produced.
#[derive(Clone, Debug, Default)]
pub struct FuzzOutcome {
    /// Every oracle finding, with the index of the step it concerns.
    pub findings: Vec<(usize, Finding)>,
    /// The session broke (a hang guard fired, an I/O error): the message.
    pub broken: Option<String>,
    /// The typed error behind `broken`, for callers that decide by it.
    pub broken_by: Option<TargetError>,
    /// Every step, when recorded.
    pub steps: Vec<Step>,
    /// Operations run.
    pub ops: usize,
    /// How long the end of the run kept listening for owed replies, at
    /// most (a repro case's `//! deadline`, so the runner does the same).
    pub deadline: Duration,
}

impl FuzzOutcome {
    /// The first finding that fails (a MUST violation the profile does not allow).
    pub fn failure(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .map(|(_, f)| f)
            .find(|f| f.is_failure())
    }
}

/// The connection as the fuzzer sees it from the target's segments.
#[derive(Clone, Copy, Debug)]
struct Track {
    /// The target's RCV.NXT: the last ACK it sent (the harness ISN before).
    rcv_nxt: SeqNumber,
    /// The target's RCV.WND, scaled when both sides sent window scale.
    rcv_wnd: u32,
    /// One past the last octet the target sent (its SND.NXT; what `ack *`
    /// acknowledges).
    snd_nxt: SeqNumber,
    /// The highest ACK the harness sent (the target's SND.UNA, as far as we know).
    snd_una: SeqNumber,
    harness_wscale: Option<u8>,
    target_wscale: Option<u8>,
}

/// The profile for fuzz runs: `SYNACK_FUZZ_PROFILE`, default `smoltcp`,
/// also allowing the rules `SYNACK_FUZZ_ALLOW` names (see [`allowing`]).
pub fn env_profile() -> Profile {
    static PROFILE: std::sync::OnceLock<Profile> = std::sync::OnceLock::new();
    PROFILE
        .get_or_init(|| {
            let name = std::env::var("SYNACK_FUZZ_PROFILE").unwrap_or_else(|_| "smoltcp".into());
            let profile = Profile::by_name(&name).unwrap_or_else(|| {
                panic!(
                    "SYNACK_FUZZ_PROFILE={name}: unknown profile (rfc9293, rfc793, linux, smoltcp)"
                )
            });
            allowing(profile, super::env_allowed())
        })
        .clone()
}

/// Why a rule a campaign allows is a deviation (see [`allowing`]).
pub const CAMPAIGN_ALLOWED: &str =
    "allowed by the campaign (SYNACK_FUZZ_ALLOW): a known deviation of the target";

/// `profile`, also allowing every oracle rule named in `allowed` (a
/// campaign's `SYNACK_FUZZ_ALLOW`, `repro --allow`). A campaign allows the
/// target's known deviations so that it goes on past them; the oracle must
/// then follow what the target did there, not only stop failing on it.
/// Where a droppable segment forked the model, the branch that shows the
/// deviation (smoltcp drops a RST with a bad SACK length and, closed in
/// SYN-RECEIVED, sends no FIN: `close-fin-missing`) must not lose to one
/// that took the segment and then finds the target's next segment a
/// violation: branches are scored by violations the profile does not
/// allow. `*` (every rule) and names of no oracle rule (`segment-storm`,
/// the embedded target's guard) add nothing.
pub fn allowing(mut profile: Profile, allowed: &[String]) -> Profile {
    for name in allowed {
        let Ok(rule) = name.parse::<RuleId>() else {
            continue;
        };
        if profile.allows(rule).is_none() {
            profile.allowed.push((rule, CAMPAIGN_ALLOWED));
        }
    }
    profile
}

/// The default profile for a target by name (as `synack run` picks it).
pub fn profile_for(target: &(impl crate::target::Target + ?Sized)) -> Profile {
    // Every target's default names a profile; the strict one otherwise.
    Profile::by_name(target.default_profile()).unwrap_or_else(Profile::rfc9293)
}

/// The session spec and harness ISN of an input: the service's own port
/// (as the runner picks it), harness port [`HARNESS_PORT`], case index 0.
pub fn session_for(input: &Input) -> (SessionSpec, SeqNumber) {
    session_for_run(input, 0)
}

/// Like [`session_for`] for the `nth` run in one target: targets that share
/// a stack between sessions (lab) get a fresh harness address and port per
/// run, so no run meets an earlier run's connection (TIME-WAIT).
pub fn session_for_run(input: &Input, nth: u64) -> (SessionSpec, SeqNumber) {
    let h = mix(u64::from(input.seed));
    let spec = SessionSpec {
        service: input.service,
        target_port: input.service.port(),
        harness_port: HARNESS_PORT.wrapping_add((nth % 20000) as u16),
        index: (nth / 20000) as u32,
        seed: h,
        ..SessionSpec::default()
    };
    // Every other seed starts just below the 2^32 wrap.
    let isn = if input.seed & 1 == 1 {
        SeqNumber(u32::MAX - (h as u32 % 4096))
    } else {
        SeqNumber(h as u32)
    };
    (spec, isn)
}

/// Drives one session through an input's operations.
pub struct Driver {
    session: Box<dyn Session>,
    info: SessionInfo,
    oracle: Oracle,
    /// Script ↔ live numbers, learned like the runner learns them.
    pub map: Mapping,
    track: Track,
    record: bool,
    /// Whether segments with a corrupt checksum are injected (see
    /// [`Driver::skip_bad_checksums`]).
    bad_checksums: bool,
    received: usize,
    /// What the sequence produced so far.
    pub outcome: FuzzOutcome,
}

impl Driver {
    /// A driver over a fresh `session`, judged by `profile`.
    pub fn new(
        session: Box<dyn Session>,
        service: Service,
        isn: SeqNumber,
        profile: Profile,
        record: bool,
    ) -> Driver {
        let info = session.info().clone();
        let oracle = Oracle::new(
            profile,
            TargetModel {
                addr: info.target.ip(),
                listening: if service == Service::Closed {
                    Vec::new()
                } else {
                    vec![info.target.port()]
                },
            },
        );
        Driver {
            session,
            info,
            oracle,
            map: Mapping::new(isn),
            track: Track {
                rcv_nxt: isn,
                rcv_wnd: 0,
                snd_nxt: SeqNumber(0),
                snd_una: SeqNumber(0),
                harness_wscale: None,
                target_wscale: None,
            },
            record,
            bad_checksums: true,
            received: 0,
            outcome: FuzzOutcome::default(),
        }
    }

    /// Leaves out segments with a corrupt checksum instead of injecting
    /// them. For fuzz builds: smoltcp built with `--cfg fuzzing` (as cargo
    /// fuzz builds every crate) does not verify checksums, so it would take
    /// segments any conforming stack drops (RFC 9293 §3.1, MUST-3), and the
    /// oracle, which knows they never reach TCP, would flag its answers.
    /// Leaving them out is what a conforming stack makes of them.
    pub fn skip_bad_checksums(mut self) -> Driver {
        self.bad_checksums = false;
        self
    }

    /// Judges with an oracle that keeps at most `branches` models at once
    /// (see [`Oracle::with_branch_budget`]).
    pub fn branch_budget(mut self, branches: usize) -> Driver {
        self.oracle = self.oracle.with_branch_budget(branches);
        self
    }

    /// Runs every op, then the settle period and the oracle's final check.
    /// Stops early when the session breaks or sends too much.
    pub fn run(mut self, ops: &[Op]) -> FuzzOutcome {
        for (i, op) in ops.iter().enumerate() {
            if let Err(e) = self.op(i, op) {
                self.outcome.broken = Some(e.to_string());
                self.outcome.broken_by = Some(e);
                return self.outcome;
            }
            self.outcome.ops = i + 1;
            if self.received >= MAX_RECEIVED {
                return self.outcome;
            }
        }
        if let Err(e) = self.finish(ops.len()) {
            self.outcome.broken = Some(e.to_string());
            self.outcome.broken_by = Some(e);
        }
        self.outcome
    }

    /// One operation.
    pub fn op(&mut self, index: usize, op: &Op) -> Result<(), TargetError> {
        match op {
            Op::Inject(inj) => {
                self.inject(index, inj)?;
                let now = self.session.now();
                self.drain(index, now)
            }
            Op::Wait(ms) => {
                let mut wait = Duration::from_millis(u64::from(*ms));
                if !self.info.virtual_time {
                    wait = wait.min(REAL_TIME_WAIT);
                }
                let deadline =
                    (self.session.now() + wait).min(MAX_SESSION_TIME.max(self.session.now()));
                self.drain(index, deadline)?;
                let late = self.oracle.observe(deadline, oracle::Observation::Time);
                self.add(late);
                if self.record {
                    let state = self.session.socket_state(self.info.harness).ok();
                    self.outcome.steps.push(Step::Waited {
                        at: self.session.now(),
                        op: index,
                        state,
                    });
                }
                Ok(())
            }
            Op::App(a) => self.app(index, a),
        }
    }

    /// The end of a run, as the runner ends a case: a settle period (quiet
    /// for [`SETTLE`] after the last segment), then listening on until every
    /// reply the oracle still expects is due, within [`FuzzOutcome::deadline`]
    /// (the default case deadline, or one second past the last operation).
    pub fn finish(&mut self, index: usize) -> Result<(), TargetError> {
        let now = self.session.now();
        let deadline = if self.info.virtual_time {
            DEFAULT_DEADLINE
                .max(Duration::from_secs(now.as_secs() + 1))
                .min(MAX_SESSION_TIME + Duration::from_secs(1))
        } else {
            now + REAL_TIME_WAIT
        };
        self.outcome.deadline = deadline;
        loop {
            let before = self.received;
            let until = self.session.now() + SETTLE;
            self.drain(index, until)?;
            if self.received == before || self.received >= MAX_RECEIVED {
                break;
            }
        }
        while let Some(owed) = self.oracle.next_deadline() {
            let until = owed + Duration::from_millis(1);
            if until <= self.session.now() || until > deadline || self.received >= MAX_RECEIVED {
                break;
            }
            self.drain(index, until)?;
            let late = self
                .oracle
                .observe(self.session.now(), oracle::Observation::Time);
            self.add(late);
        }
        let late = self
            .oracle
            .observe(self.session.now(), oracle::Observation::Time);
        self.add(late);
        Ok(())
    }

    fn add(&mut self, findings: Vec<Finding>) {
        let step = self.outcome.steps.len().saturating_sub(1);
        self.outcome
            .findings
            .extend(findings.into_iter().map(|f| (step, f)));
    }

    /// Receives and judges everything the target sends up to `deadline`.
    fn drain(&mut self, index: usize, deadline: Duration) -> Result<(), TargetError> {
        while self.received < MAX_RECEIVED {
            let Some(pkt) = self.session.recv(deadline)? else {
                break;
            };
            self.received += 1;
            // One pass: the segment and its checksum verdict.
            let (parsed, valid) = match crate::wire::parse_with_checksum(&pkt.bytes) {
                Ok((seg, valid)) => (Ok(seg), valid),
                Err(e) => (Err(e), false),
            };
            let findings = match &parsed {
                Ok(seg) => {
                    self.learn(seg);
                    // Every event taken now happened at or before the packet.
                    crate::run::syscall::report_service_calls(
                        self.session.as_mut(),
                        &mut self.oracle,
                    );
                    let what = oracle::Observation::Segment {
                        dir: oracle::Direction::FromTarget,
                        segment: seg,
                        checksum: oracle::Checksum::checked(valid),
                    };
                    self.oracle.observe(pkt.at, what)
                }
                // Bytes that do not parse are a finding too (a data offset
                // below 5), as in a run.
                Err(e) => {
                    let error = e.to_string();
                    let what = oracle::Observation::Unparseable {
                        dir: oracle::Direction::FromTarget,
                        len: pkt.bytes.len(),
                        error: &error,
                    };
                    self.oracle.observe(pkt.at, what)
                }
            };
            let parsed = parsed.ok();
            // Recorded before the findings are added: they concern this step.
            if self.record {
                self.outcome.steps.push(Step::Out {
                    at: pkt.at,
                    op: index,
                    segment: parsed,
                });
            }
            self.add(findings);
        }
        Ok(())
    }

    /// Updates the tracked numbers (and the script mapping) from a target segment.
    fn learn(&mut self, seg: &Segment) {
        let t = &mut self.track;
        if seg.flags.syn() {
            self.map.learn_target_isn(seg.seq, 0);
            t.target_wscale = seg.window_scale();
            t.snd_una = seg.seq;
        }
        if let Some((tsval, _)) = seg.timestamps() {
            self.map.learn_target_ts(tsval, 0);
        }
        // As the runner tracks it for `ack *`: a SYN restarts it, a RST never moves it.
        if seg.flags.syn() {
            t.snd_nxt = seg.seq;
        }
        let end = seg.seq.add(seg.seg_len());
        if !seg.flags.rst() && seq_gt(end, t.snd_nxt) {
            t.snd_nxt = end;
        }
        if seg.flags.ack() && !seg.flags.rst() {
            t.rcv_nxt = seg.ack;
            let shift = match (t.harness_wscale, t.target_wscale) {
                (Some(_), Some(s)) if !seg.flags.syn() => s.min(14),
                _ => 0,
            };
            t.rcv_wnd = u32::from(seg.window) << shift;
        }
    }

    /// The segment an inject op describes, in live numbers.
    pub fn build(&self, inj: &Inject) -> Segment {
        let t = &self.track;
        let d = inj.seq.delta as u32;
        let seq = match inj.seq.anchor {
            SeqAnchor::Script => self.map.harness_live(d),
            SeqAnchor::RcvNxt => t.rcv_nxt.add(d),
            SeqAnchor::WindowEnd => t.rcv_nxt.add(t.rcv_wnd).add(d),
            SeqAnchor::Far => t.rcv_nxt.add(1 << 30).add(d),
            SeqAnchor::Absolute => SeqNumber(d),
        };
        let d = inj.ack.delta as u32;
        let ack = match inj.ack.anchor {
            AckAnchor::Script => self.map.target_live(d),
            AckAnchor::SndNxt => t.snd_nxt.add(d),
            AckAnchor::SndUna => t.snd_una.add(d),
            AckAnchor::Far => t.snd_nxt.add(1 << 30).add(d),
            AckAnchor::Absolute => SeqNumber(d),
        };
        // Same family by construction (`endpoints`); IPv4 is the fallback.
        let ip = IpEnvelope::between(self.info.harness.ip(), self.info.target.ip()).unwrap_or_else(
            || {
                IpEnvelope::v4(
                    crate::target::addr::harness_v4(0),
                    crate::target::addr::TARGET_V4,
                )
            },
        );
        let mut seg = Segment::new(
            ip,
            self.info.harness.port(),
            self.info.target.port(),
            inj.flags,
        );
        seg.seq = seq;
        seg.ack = ack;
        seg.window = inj.window;
        seg.urgent = inj.urgent;
        seg.data_offset = inj.data_offset;
        seg.options = inj.options.iter().map(|o| self.option(o)).collect();
        seg.payload = match &inj.payload {
            Some(p) => p.clone(),
            None => fill(usize::from(inj.len)),
        };
        seg
    }

    fn option(&self, o: &OptOp) -> TcpOption {
        match o {
            OptOp::Mss(v) => TcpOption::Mss(*v),
            OptOp::WindowScale(v) => TcpOption::WindowScale(*v),
            OptOp::SackPermitted => TcpOption::SackPermitted,
            OptOp::Sack(blocks) => TcpOption::Sack(
                blocks
                    .iter()
                    .map(|(l, r)| (self.map.target_live(*l).0, self.map.target_live(*r).0))
                    .collect(),
            ),
            OptOp::Timestamps { tsval, tsecr } => TcpOption::Timestamps {
                tsval: *tsval,
                tsecr: self.map.target_ts_live(*tsecr),
            },
            OptOp::Nop => TcpOption::Nop,
            OptOp::Eol => TcpOption::Eol,
            OptOp::Unknown { kind, data } => TcpOption::Unknown {
                kind: *kind,
                data: data.clone(),
            },
            OptOp::Raw(bytes) => TcpOption::Malformed(bytes.clone()),
        }
    }

    fn inject(&mut self, index: usize, inj: &Inject) -> Result<(), TargetError> {
        if inj.bad_checksum && !self.bad_checksums {
            return Ok(());
        }
        let seg = self.build(inj);
        let policy = if inj.bad_checksum {
            ChecksumPolicy::Corrupt
        } else {
            ChecksumPolicy::Compute
        };
        let bytes = seg.to_bytes(policy);
        // What the target gets is the bytes: judge their parse, so raw option
        // bytes that form a real option count as that option.
        let sent = crate::wire::parse(&bytes).ok();
        // What the services did before the segment came, not on it.
        crate::run::syscall::report_service_calls(self.session.as_mut(), &mut self.oracle);
        self.session.inject(&bytes)?;
        let at = self.session.now();
        if !inj.bad_checksum {
            if seg.flags.syn() {
                self.track.harness_wscale = seg.window_scale();
            }
            if seg.flags.ack() && seq_gt(seg.ack, self.track.snd_una) {
                self.track.snd_una = seg.ack;
            }
        }
        // A segment with a bad checksum never reaches TCP (RFC 9293 §3.1,
        // MUST-3): the oracle must not process it as received.
        // `Compute` always writes valid checksums, `Corrupt` never does.
        let reaches_tcp = !inj.bad_checksum;
        let findings = match &sent {
            Some(s) => {
                let what = oracle::Observation::Segment {
                    dir: oracle::Direction::ToTarget,
                    segment: s,
                    checksum: oracle::Checksum::checked(reaches_tcp),
                };
                self.oracle.observe(at, what)
            }
            None => Vec::new(),
        };
        let sent = sent.filter(|_| reaches_tcp);
        // Built only when recorded: a fuzz run (not recording) skips the
        // segment copies.
        if self.record {
            self.outcome.steps.push(Step::In {
                at,
                op: index,
                sent,
                built: seg,
                bad_checksum: inj.bad_checksum,
            });
        }
        self.add(findings);
        Ok(())
    }

    fn app(&mut self, index: usize, a: &AppOp) -> Result<(), TargetError> {
        let action = app_action(a);
        let now = self.session.now();
        let outcome = match self.session.app(&action) {
            Ok(o) => o,
            Err(TargetError::Unsupported(m)) => AppOutcome::Refused(m),
            Err(e) => return Err(e),
        };
        // Before the segments it made the target send (drained below).
        if let Some(ev) = crate::run::syscall::app_event_done(&action, &outcome) {
            let what = oracle::Observation::App {
                peer: self.info.harness,
                event: ev,
            };
            self.oracle.observe(now, what);
        }
        if self.record {
            self.outcome.steps.push(Step::App {
                at: now,
                op: index,
                action,
                outcome,
            });
        }
        let now = self.session.now();
        self.drain(index, now)
    }
}

/// The action an app op performs.
pub fn app_action(a: &AppOp) -> AppAction {
    match a {
        AppOp::Write(n) => AppAction::Write(fill(usize::from(*n))),
        AppOp::Read(n) => AppAction::Read(usize::from(*n)),
        AppOp::ShutdownWrite => AppAction::ShutdownWrite,
        AppOp::Close => AppAction::Close,
        AppOp::Abort => AppAction::Abort,
    }
}

/// [`filler`]`(len)`, copied from one pattern made once instead of built a
/// byte at a time: in a fuzz build every byte of that loop is instrumented
/// (a comparison callback per byte of a 1460-byte payload).
fn fill(len: usize) -> Vec<u8> {
    static PATTERN: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let pattern = PATTERN.get_or_init(|| filler(usize::from(u16::MAX)));
    match pattern.get(..len) {
        Some(p) => p.to_vec(),
        None => filler(len),
    }
}

/// Runs `input` on a fresh session of `target`, judged by `profile`.
pub fn run_on(
    target: &dyn crate::target::Target,
    input: &Input,
    profile: Profile,
    record: bool,
) -> Result<FuzzOutcome, TargetError> {
    run_nth(target, input, profile, record, 0)
}

/// [`run_on`] as the `nth` run on the same target (see [`session_for_run`]).
pub fn run_nth(
    target: &dyn crate::target::Target,
    input: &Input,
    profile: Profile,
    record: bool,
    nth: u64,
) -> Result<FuzzOutcome, TargetError> {
    let (spec, isn) = session_for_run(input, nth);
    let session = target.open(&spec)?;
    Ok(Driver::new(session, input.service, isn, profile, record).run(&input.ops))
}

#[cfg(test)]
mod tests {
    use super::super::ops::Rel;
    use super::*;
    use crate::target::embedded::Embedded;
    use crate::wire::TcpFlags;

    fn allow(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn allowing_adds_the_named_oracle_rules_and_nothing_else() {
        let base = Profile::smoltcp();
        let p = allowing(
            base.clone(),
            &allow(&[
                "close-fin-missing",
                "segment-storm",
                "*",
                "time-wait-too-short",
            ]),
        );
        assert_eq!(p.allows(RuleId::CloseFinMissing), Some(CAMPAIGN_ALLOWED));
        // The profile's own reason stays; a name of no rule adds nothing.
        assert_eq!(
            p.allows(RuleId::TimeWaitTooShort),
            base.allows(RuleId::TimeWaitTooShort)
        );
        assert_eq!(p.allowed.len(), base.allowed.len() + 1);
        assert_eq!(p.allows(RuleId::RstNotSent), None);
    }

    /// Campaign 9 (rst-not-sent, reduced): closed in SYN-RECEIVED, then a
    /// RST at RCV.NXT with a SACK option of length 2, which smoltcp's
    /// parser drops; the ACK of its SYN-ACK then completes the handshake
    /// and no FIN follows (`close-fin-missing`, a known smoltcp 0.14
    /// deviation). The model forks on the RST: the branch that took it
    /// expects a RST for the ACK (the port is LISTEN again), the one that
    /// dropped it the FIN. Only when the campaign's allowance reaches the
    /// profile does the second branch, which the target followed, win.
    #[test]
    fn an_allowed_deviation_after_a_dropped_rst_is_followed_not_reported_as_rst_not_sent() {
        let ops = vec![
            Op::Inject(Inject {
                options: vec![OptOp::Mss(1460)],
                ..Inject::script(TcpFlags::SYN, 0, None)
            }),
            Op::App(AppOp::ShutdownWrite),
            Op::Inject(Inject {
                options: vec![OptOp::Raw(vec![5, 2]), OptOp::Eol],
                ack: Rel {
                    anchor: AckAnchor::Absolute,
                    delta: 0,
                },
                ..Inject::script(TcpFlags::RST, 1, None)
            }),
            Op::Inject(Inject::script(TcpFlags::ACK, 1, Some(1))),
            Op::Wait(3000),
        ];
        let input = Input {
            service: Service::Echo,
            seed: 0,
            ops,
        };
        let allowed = allow(&["close-fin-missing"]);
        let strict = run_on(&Embedded::new(), &input, Profile::smoltcp(), false).unwrap();
        let fatal = super::super::fatal(&strict, &allowed).map(|f| f.rule);
        assert_eq!(fatal, Some(RuleId::RstNotSent), "{:#?}", strict.findings);
        let campaign = allowing(Profile::smoltcp(), &allowed);
        let followed = run_on(&Embedded::new(), &input, campaign, false).unwrap();
        assert!(
            super::super::fatal(&followed, &allowed).is_none(),
            "{:#?}",
            followed.findings
        );
        assert!(followed
            .findings
            .iter()
            .any(|(_, f)| f.rule == RuleId::CloseFinMissing && f.deviation.is_some()));
    }

    /// Campaign 8 (syn-in-window-resets, reduced): a SYN in the window in
    /// ESTABLISHED, which smoltcp drops (RFC 5961 asks a challenge ACK), then
    /// text, which the `abort` service reads and answers with its RST. The
    /// RST is the service's abort, not the SYN's reset.
    #[test]
    fn the_abort_services_rst_after_an_in_window_syn_is_its_abort() {
        let input = Input {
            service: Service::Abort,
            seed: 0,
            ops: vec![
                Op::Inject(Inject {
                    options: vec![OptOp::Mss(1024)],
                    ..Inject::script(TcpFlags::SYN, 0, None)
                }),
                Op::Inject(Inject::script(TcpFlags::ACK, 1, Some(1))),
                Op::Inject(Inject::script(TcpFlags::SYN, 100, None)),
                Op::Inject(Inject {
                    len: 24,
                    ..Inject::script(TcpFlags::ACK, 1, Some(1))
                }),
            ],
        };
        let out = run_on(&Embedded::new(), &input, Profile::smoltcp(), true).unwrap();
        let rst = out.steps.iter().any(|s| {
            matches!(s, Step::Out { segment: Some(seg), .. } if seg.flags.rst() && seg.flags.ack())
        });
        assert!(rst, "the service aborts: {:#?}", out.steps);
        assert!(out.failure().is_none(), "{:#?}", out.findings);
    }

    /// Campaign 8's `syn-ack-without-syn` example: writes smoltcp refuses
    /// in SYN-RECEIVED, a close there, the harness's FIN; smoltcp takes the
    /// handshake's ACK for the ACK of the FIN it never sent (ISS), goes to
    /// TIME-WAIT on the harness's FIN and 40 s later answers a new SYN with
    /// a SYN-ACK. Counted as written, the refused writes kept the oracle
    /// from owing that FIN, so it never followed the deviation
    /// (`close-fin-missing`) and took the SYN-ACK for one in CLOSE-WAIT.
    #[test]
    fn after_refused_writes_and_a_close_in_syn_received_a_later_syn_reopens_the_tuple() {
        let data = include_bytes!("../../../fuzz/findings/campaign8/syn-ack-without-syn.input");
        let input = super::super::ops::decode(data);
        let allowed = allow(&["close-fin-missing"]);
        let campaign = allowing(Profile::smoltcp(), &allowed);
        let out = run_on(&Embedded::new(), &input, campaign, false).unwrap();
        assert!(out.failure().is_none(), "{:#?}", out.findings);
    }

    #[test]
    fn fill_is_filler_at_every_length_an_op_can_ask_for() {
        for len in [0, 1, 25, 26, 27, 1459, 1460, 8192, usize::from(u16::MAX)] {
            assert_eq!(fill(len), filler(len), "len {len}");
        }
        assert_eq!(fill(70_000), filler(70_000));
    }
}
