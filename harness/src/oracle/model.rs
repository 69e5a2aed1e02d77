//! The [`Oracle`]: connection table, the public entry points, obligation
//! deadlines. Segment processing lives in `arrive.rs` (what the target
//! receives) and `judge.rs` (what it sends); the set of models the target
//! may still match, and how an event forks and filters it, in
//! `branches.rs`.

use super::profile::{Profile, Transition};
use super::rules::{Finding, RuleId};
use super::tcb::{Closed, Conn, Gone, Obligation, Owed, Tuple};
use super::{AppEvent, Direction, TargetModel};
use crate::wire::{seq_gt, seq_le, Segment, SeqNumber, TcpState};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A sans-IO model of the target's TCP endpoint. Feed it every segment in
/// both directions, application events and the passing of time; it returns
/// findings about what the target sent.
#[derive(Clone, Debug)]
pub struct Oracle {
    /// Shared by every branch: a fork copies the model, not these.
    pub(super) profile: Arc<Profile>,
    pub(super) target: Arc<TargetModel>,
    pub(super) conns: Vec<Conn>,
    pub(super) closed: super::closed_store::ClosedStore,
    /// Segments the harness sent with bad checksums (most recent last).
    pub(super) corrupt: Vec<Corrupt>,
    /// Peers the application called `connect` towards whose SYN has not
    /// been seen yet (see `syn_sent.rs`).
    pub(super) connects: Vec<SocketAddr>,
    /// Other models the target's behaviour may still match (see the module
    /// docs); they have no branches of their own.
    pub(super) alts: Vec<Oracle>,
    /// How many models live at once at most (2..=[`MAX_BRANCHES`]; see
    /// [`Oracle::with_branch_budget`]).
    pub(super) budget: usize,
    /// The set reached `budget` once: reported then (`model-set-capped`), not again.
    pub(super) capped: bool,
    /// The `model-set-capped` warning not yet returned (the cap was
    /// reached on an application event, which returns no findings).
    pub(super) cap_pending: Option<Finding>,
    /// How many forking segments this model took, and how many it did not
    /// see (the copy that dropped one counts it here), and at which fork it
    /// last took one and last dropped one (`forks` counts them, the same in
    /// every model): at the cap the models nearest either extreme stay.
    pub(super) took: u16,
    pub(super) dropped: u16,
    pub(super) forks: u16,
    pub(super) took_at: u16,
    pub(super) dropped_at: u16,
    /// This model forked on the event being processed (and is the copy
    /// that takes it): set by `branched_other` before its step.
    pub(super) forked_now: bool,
    /// Findings this model holds: true of the target only if this model is
    /// (a reset that is itself a violation, `reset_fork.rs`). Reported once
    /// every model left holds it (`branches.rs`).
    pub(super) held: Vec<Finding>,
}

/// The cap on the set of models (the first one included). Equal models
/// merge, so the set holds only models that differ; it grows past a few
/// only on bursts of segments the target may drop or take within one reply
/// grace (each taken one owes a reply the dropped copy does not, so the
/// subsets of owed replies differ). Reaching the cap is reported, once,
/// as the warning `model-set-capped` naming it; the models kept then are
/// those nearest an extreme (see `branches.rs`). 1024: the README fuzz
/// command's stops needed more than 8 differing models, then more than 64
/// (`fuzz/findings/campaign12/readme-stop-cap-64.input`, a burst of
/// droppable segments in SYN-RECEIVED); the set costs only while it is
/// that large, and a sequence with nothing to fork pays nothing. The fuzz
/// target judges with a cap of 2 first and re-judges only a failure with
/// this one ([`Oracle::with_branch_budget`], `fuzzing::FAST_BRANCHES`).
pub const MAX_BRANCHES: usize = 1024;

/// A segment with a bad checksum that the target must have discarded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Corrupt {
    pub tuple: Tuple,
    pub seq: SeqNumber,
    pub end: SeqNumber,
    pub syn: bool,
}

/// How many corrupt segments the oracle remembers.
const CORRUPT_MEMORY: usize = 16;

/// RFC 9293 §3.8.6.3: the ACK delay limit (MUST-40).
pub(super) const ACK_DELAY_MAX: Duration = Duration::from_millis(500);

impl Oracle {
    /// An oracle with no connection yet, judging by `profile` a target described by `target`.
    pub fn new(profile: Profile, target: TargetModel) -> Oracle {
        Oracle {
            profile: Arc::new(profile),
            target: Arc::new(target),
            conns: Vec::new(),
            closed: Default::default(),
            corrupt: Vec::new(),
            connects: Vec::new(),
            alts: Vec::new(),
            budget: MAX_BRANCHES,
            capped: false,
            cap_pending: None,
            took: 0,
            dropped: 0,
            forks: 0,
            took_at: 0,
            dropped_at: 0,
            forked_now: false,
            held: Vec::new(),
        }
    }

    /// The same oracle keeping at most `branches` models at once (clamped
    /// to 2..=[`MAX_BRANCHES`], the default). A smaller cap is cheaper but
    /// reached sooner (reported as `model-set-capped`): a failure found
    /// with it is worth re-judging with the default one, while a pass
    /// stands (more models can only add explanations of what the target
    /// did). The fuzz target runs that way
    /// ([`crate::fuzzing::sequence_embedded`]);
    /// `budget_agreement_over_campaigns` in fuzzing/tests.rs measures it.
    pub fn with_branch_budget(mut self, branches: usize) -> Oracle {
        self.budget = branches.clamp(2, MAX_BRANCHES);
        self
    }

    /// How many models are alive (1 unless a droppable segment forked it).
    #[cfg(test)]
    pub(super) fn branch_count(&self) -> usize {
        1 + self.alts.len()
    }

    /// The profile the oracle judges by.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Feeds one segment seen at session time `now`. For `FromTarget`
    /// segments, returns the findings about that segment (empty: allowed).
    /// Either direction may also return findings about replies the target
    /// owed and did not send in time.
    pub(super) fn on_segment(
        &mut self,
        now: Duration,
        dir: Direction,
        seg: &Segment,
    ) -> Vec<Finding> {
        let to_target = dir == Direction::ToTarget && seg.ip.dst() == self.target.addr;
        let droppable = to_target && super::arrive::droppable(seg);
        // Each branch forks where the segment is ambiguous in it: one whose
        // connection is still in SYN-RECEIVED (or gone) must process a
        // segment whose acceptability another, ESTABLISHED, cannot tell.
        // A droppable segment to a CLOSED port forks none: its RST is optional.
        let fork = |o: &Oracle| {
            (droppable && !o.drop_needs_no_branch(seg))
                || (to_target && (o.acceptability_unknown(seg) || o.zero_window_unknown(seg)))
        };
        // A segment that may have reset its connection splits the model
        // after it: see `reset_fork.rs`.
        let split = to_target.then(|| Self::tuple_to_target(seg));
        self.branched(now, split, fork, |o| {
            // The copy a fork on acceptability makes never saw the segment;
            // this model, then, took it (RCV.NXT is one that accepts it).
            let forked = to_target && o.forked_now;
            let taken = super::arrive::Taken {
                acceptable: forked && o.acceptability_unknown(seg),
                window: forked && o.zero_window_unknown(seg),
            };
            let mut out = Vec::new();
            o.expire(now, &mut out);
            match dir {
                Direction::ToTarget => {
                    o.arrive(now, seg, taken, &mut out);
                    o.note_window(now, seg);
                }
                Direction::FromTarget => o.judge(now, seg, &mut out),
            }
            out
        })
    }

    /// An application event on the target's side. The oracle never requires
    /// one (built-in services act on their own); `Abort` and `Close` make the
    /// RST or FIN that follows expected rather than merely allowed.
    pub(super) fn on_app(&mut self, now: Duration, peer: SocketAddr, ev: AppEvent) {
        if !self.profile.takes(Transition::FinInSynsPlace) {
            self.each_branch(|o| o.app(now, peer, ev));
            return;
        }
        // The profile's transition forks the models it applies in.
        let fork = |o: &Oracle| o.fin_in_syns_place(peer, ev).is_some();
        let step = |o: &mut Oracle| {
            o.app(now, peer, ev);
            Vec::new()
        };
        let other = |o: &mut Oracle| {
            if let Some(i) = o.fin_in_syns_place(peer, ev) {
                o.app(now, peer, ev);
                let c = &mut o.conns[i];
                let iss = c.snd.iss.unwrap_or(c.snd.una);
                // The FIN owed at ISS+1 stays owed: never sending it is the
                // deviation (`close-fin-missing`), reported as in the RFC copy.
                c.state = TcpState::FinWait1;
                c.snd.una = iss;
                c.snd.nxt = iss.add(1);
                c.fin_seq = Some(iss);
            }
            Vec::new()
        };
        let found = self.branched_other(now, None, fork, step, other);
        // An application event draws no finding; the cap's warning waits
        // for the next event that returns findings.
        for f in found {
            debug_assert_eq!(
                f.rule,
                RuleId::ModelSetCapped,
                "an application event draws no finding"
            );
            self.cap_pending = Some(f);
        }
    }

    /// The connection to `peer` in which `ev` is a CLOSE in SYN-RECEIVED
    /// with nothing written, after the SYN-ACK, that the profile's
    /// [`Transition::FinInSynsPlace`] may take instead of RFC 9293 §3.10.4's.
    fn fin_in_syns_place(&self, peer: SocketAddr, ev: AppEvent) -> Option<usize> {
        if !matches!(ev, AppEvent::Close | AppEvent::ShutdownWrite) {
            return None;
        }
        self.conns.iter().position(|c| {
            c.tuple.harness == peer
                && c.state == TcpState::SynReceived
                && c.snd.iss.is_some()
                && !c.app_closed
                && c.app_wrote == 0
                && c.fin_seq.is_none()
                && c.maybe_reset.is_none()
        })
    }

    fn app(&mut self, now: Duration, peer: SocketAddr, ev: AppEvent) {
        let grace = self.profile.reply_grace;
        if ev == AppEvent::Connect {
            // RFC 9293 §3.10.1 OPEN, active: the target's SYN follows and
            // opens SYN-SENT, replacing whatever the model still has on its
            // tuple (`syn_sent.rs`). A SYN alone opens it too.
            if !self.connects.contains(&peer) {
                self.connects.push(peer);
            }
            return;
        }
        if matches!(
            ev,
            AppEvent::Close | AppEvent::Abort | AppEvent::ShutdownWrite
        ) {
            // §3.10.4 CLOSE and §3.10.5 ABORT in SYN-SENT: "Delete the
            // TCB": no FIN and no RST (a RST is `rst-after-close-in-syn-sent`,
            // a warning). Linux's shutdown(SHUT_WR) there closes too.
            self.connects.retain(|p| *p != peer);
            let syn_sent = self
                .conns
                .iter()
                .position(|c| c.tuple.harness == peer && c.state == TcpState::SynSent);
            if let Some(i) = syn_sent {
                self.drop_conn(i, Gone::ClosedInSynSent(now));
                return;
            }
        }
        if let Some(c) = self.conns.iter_mut().find(|c| c.tuple.harness == peer) {
            if let (AppEvent::Write(n), TcpState::SynReceived) = (ev, c.state) {
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                c.app_wrote = c.app_wrote.saturating_add(n);
            }
            if let AppEvent::Write(n) = ev {
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                c.app_written = c.app_written.saturating_add(n);
            }
            if matches!(ev, AppEvent::Close | AppEvent::ShutdownWrite) {
                // RFC 9293 §3.10.4 CLOSE in SYN-RECEIVED: with no SENDs
                // issued, a FIN (at ISS+1) now. Written data queues it
                // until ESTABLISHED; that FIN the oracle does not time.
                let owed = c.owed.iter().any(|o| matches!(o.owed, Owed::Fin { .. }));
                if c.state == TcpState::SynReceived
                    && !c.app_closed
                    && c.app_wrote == 0
                    && c.fin_seq.is_none()
                    && !owed
                {
                    c.owed.push(Obligation {
                        owed: Owed::Fin { exact: true },
                        since: now,
                        deadline: now + grace,
                        // A target that may be reset already owes no FIN.
                        void_if_reset: c.maybe_reset.is_some(),
                    });
                }
                c.app_closed = true;
            }
            if ev == AppEvent::ShutdownRead {
                c.shut_rd = true;
            }
            if matches!(ev, AppEvent::Abort) {
                // The RST that follows ends the connection; nothing is owed after it.
                c.owed.retain(|o| !matches!(o.owed, Owed::AckData { .. }));
                c.aborted = true;
            }
        } else if ev == AppEvent::Abort {
            // §3.10.5 ABORT on a connection a FIN segment's ACK closed in
            // LAST-ACK, or a RST with text reset in a zero window: a target
            // that ignored that segment (smoltcp) still has it, and resets
            // it now.
            let closed = self.closed.by_peer_mut(peer);
            let kept = |c: &&mut Closed| {
                matches!(
                    c.gone,
                    Gone::ClosedByFinSegment(_) | Gone::ResetInZeroWindow(_)
                )
            };
            if let Some(c) = closed.filter(kept) {
                c.abort_rst = true;
            }
        }
    }

    /// Time passed with no segment: reports replies the target owed and
    /// did not send within the profile's grace time.
    pub(super) fn on_time(&mut self, now: Duration) -> Vec<Finding> {
        self.branched(
            now,
            None,
            |_| false,
            |o| {
                let mut out = Vec::new();
                o.expire(now, &mut out);
                out
            },
        )
    }

    /// The earliest session time after which [`Oracle::on_time`] may report
    /// a reply the target owes and has not sent (a RST, an ACK), if any is
    /// outstanding. A runner on a virtual clock should keep receiving until
    /// just past it before ending a case, so that a missing reply is judged.
    pub fn next_deadline(&self) -> Option<Duration> {
        let own = self
            .conns
            .iter()
            .flat_map(|c| c.owed.iter())
            .chain(self.closed.iter().flat_map(|c| c.owed.iter()))
            .map(|o| o.deadline);
        // A reply only another branch expects may still decide between them.
        own.chain(self.alts.iter().filter_map(Oracle::next_deadline))
            .min()
    }

    /// A segment the harness sent with a bad TCP checksum (the caller checks
    /// the bytes). The target must discard it (RFC 9293 §3.1, MUST-3), so it
    /// does not enter the model; a later ACK of its data, or a SYN-ACK for
    /// it, is reported as `bad-checksum-accepted`. Segments from the target
    /// are judged by their checksum in [`Oracle::observe`].
    pub(super) fn on_corrupt_to_target(&mut self, _now: Duration, seg: &Segment) {
        self.each_branch(|o| o.corrupt_to_target(seg));
    }

    fn corrupt_to_target(&mut self, seg: &Segment) {
        if seg.ip.dst() != self.target.addr {
            return;
        }
        let t = Self::tuple_to_target(seg);
        let end = seg.seq.add(seg.seg_len());
        if self.corrupt.len() == CORRUPT_MEMORY {
            self.corrupt.remove(0);
        }
        self.corrupt.push(Corrupt {
            tuple: t,
            seq: seg.seq,
            end,
            syn: seg.flags.syn(),
        });
    }

    /// True when `ack` acknowledges (part of) a corrupt segment on `t`:
    /// it falls in `(seq, end]` of one, or answers a corrupt SYN.
    pub(super) fn acks_corrupt(&self, t: Tuple, ack: SeqNumber, syn_ack: bool) -> bool {
        self.corrupt.iter().any(|c| {
            c.tuple == t
                && if syn_ack {
                    c.syn && ack == c.seq.add(1)
                } else {
                    seq_gt(ack, c.seq) && seq_le(ack, c.end)
                }
        })
    }

    /// The model's state per connection: the harness endpoint and every
    /// state the target may be in.
    /// Every branch counts (a connection only one branch has may be `CLOSED`
    /// in the others).
    pub fn states(&self) -> Vec<(SocketAddr, Vec<TcpState>)> {
        let mut all: Vec<(SocketAddr, Vec<TcpState>)> = self
            .conns
            .iter()
            .map(|c| {
                let mut s = vec![c.state];
                if c.maybe_reset.is_some() {
                    s.push(TcpState::Closed);
                }
                (c.tuple.harness, s)
            })
            .collect();
        for a in &self.alts {
            let theirs = a.states();
            for (peer, states) in &mut all {
                let other = theirs.iter().find(|(p, _)| p == peer);
                let other = other.map_or(&[TcpState::Closed][..], |(_, s)| s.as_slice());
                for s in other {
                    if !states.contains(s) {
                        states.push(*s);
                    }
                }
            }
            for (peer, s) in theirs {
                if !all.iter().any(|(p, _)| *p == peer) {
                    let mut s = s;
                    if !s.contains(&TcpState::Closed) {
                        s.push(TcpState::Closed);
                    }
                    all.push((peer, s));
                }
            }
        }
        all
    }

    /// A finding of `rule`, labelled as a deviation when the profile allows it.
    pub(super) fn finding(&self, rule: RuleId, message: String) -> Finding {
        self.finding_bounded(rule, message, true)
    }

    /// Like `finding`, but the profile's allowance only applies when
    /// `within_profile` (e.g. the measured time meets the profile's own bound).
    pub(super) fn finding_bounded(
        &self,
        rule: RuleId,
        message: String,
        within_profile: bool,
    ) -> Finding {
        let mut f = Finding::new(rule, message);
        if within_profile {
            f.deviation = self
                .profile
                .allows(rule)
                .map(|why| format!("{}: {why}", self.profile.name));
        }
        f
    }

    pub(super) fn tuple_to_target(seg: &Segment) -> Tuple {
        Tuple {
            harness: SocketAddr::new(seg.ip.src(), seg.src_port),
            port: seg.dst_port,
        }
    }

    pub(super) fn tuple_from_target(seg: &Segment) -> Tuple {
        Tuple {
            harness: SocketAddr::new(seg.ip.dst(), seg.dst_port),
            port: seg.src_port,
        }
    }

    pub(super) fn conn_index(&self, t: Tuple) -> Option<usize> {
        self.conns.iter().position(|c| c.tuple == t)
    }

    pub(super) fn closed_mut(&mut self, t: Tuple) -> &mut Closed {
        self.closed.entry(t)
    }

    /// Removes connection `i`, remembering why it is gone.
    pub(super) fn drop_conn(&mut self, i: usize, gone: Gone) {
        let c = self.conns.swap_remove(i);
        let closed = self.closed_mut(c.tuple);
        closed.gone = gone;
        closed.last_was_rst = false;
    }

    /// Reports and forgets obligations whose deadline has passed.
    pub(super) fn expire(&mut self, now: Duration, out: &mut Vec<Finding>) {
        self.closed.sweep(now, self.profile.time_wait);
        let mut missed: Vec<(Tuple, Obligation)> = Vec::new();
        for c in &mut self.conns {
            let from = missed.len();
            take_expired(&mut c.owed, now, c.tuple, &mut missed);
            // The owed FIN never came (reported unless a later event may
            // have reset the connection): see `Conn::withhold_fin`.
            let fin_since = missed[from..]
                .iter()
                .find_map(|(_, o)| matches!(o.owed, Owed::Fin { .. }).then_some(o.since));
            if let Some(since) = fin_since {
                c.withhold_fin(since);
            }
            if c.maybe_reset.is_some() {
                // The target may have been reset since: its silence is allowed.
                let mut k = from;
                while k < missed.len() {
                    if missed[k].1.void_if_reset {
                        missed.remove(k);
                    } else {
                        k += 1;
                    }
                }
            }
        }
        self.closed
            .each_owing(|c| take_expired(&mut c.owed, now, c.tuple, &mut missed));
        missed.retain(|(_, o)| !matches!(o.owed, Owed::Rst { optional: true, .. }));
        for (t, o) in missed {
            let after = now.saturating_sub(o.since);
            let f = match o.owed {
                Owed::Ack {
                    missing,
                    why,
                    requirement,
                    ..
                } => {
                    let mut f = self.finding(
                        missing,
                        format!("no ACK from the target {} ms after {why} (from {})", after.as_millis(), t.harness),
                    );
                    if let Some(r) = requirement {
                        f.requirement = r;
                    }
                    f
                }
                Owed::AckData {
                    upto,
                    fin_on_old_data: true,
                    ..
                } => self.finding(
                    RuleId::FinOnOldDataIgnored,
                    format!(
                        "the FIN at {} from {} (received at {:.3} s, on a segment whose data was all old) still unacknowledged after {} ms",
                        super::finding::peer(upto.sub(1)),
                        t.harness,
                        o.since.as_secs_f64(),
                        after.as_millis()
                    ),
                ),
                Owed::AckData {
                    upto,
                    old_ack: true,
                    ..
                } => self.finding(
                    RuleId::OldAckDataDropped,
                    format!(
                        "data up to {} from {} arrived with an ACK below SND.UNA at {:.3} s and is still unacknowledged after {} ms",
                        super::finding::peer(upto),
                        t.harness,
                        o.since.as_secs_f64(),
                        after.as_millis()
                    ),
                ),
                Owed::AckData { upto, .. } => self.finding(
                    RuleId::AckDelayedTooLong,
                    format!(
                        "data up to {} from {} (received at {:.3} s) still unacknowledged after {} ms",
                        super::finding::peer(upto),
                        t.harness,
                        o.since.as_secs_f64(),
                        after.as_millis()
                    ),
                ),
                Owed::Fin { exact } => self.finding(
                    RuleId::CloseFinMissing,
                    format!(
                        "no FIN {} ms after {} (from {})",
                        after.as_millis(),
                        if exact {
                            "the application closed in SYN-RECEIVED with nothing to send"
                        } else {
                            "the handshake completed, the application having written and closed in SYN-RECEIVED"
                        },
                        t.harness
                    ),
                ),
                // The first check's ACK (or FIN-WAIT-1's, after a close in
                // SYN-RECEIVED) would have done instead: the RFC's own answer
                // there is that ACK, which a stack may throttle (RFC 5961 §7).
                Owed::Rst {
                    seq,
                    ack,
                    why,
                    or_ack: true,
                    ..
                } => self.finding(
                    RuleId::AckNotSent,
                    format!(
                        "no RST and no ACK {} ms after {why}; expected {} or <SEQ=SND.NXT><ACK=RCV.NXT>",
                        after.as_millis(),
                        rst_text(seq, ack)
                    ),
                ),
                Owed::Rst { seq, ack, why, .. } => {
                    // A target that ignored the FIN segment whose ACK closed
                    // LAST-ACK is still there and takes a later ACK of its
                    // FIN silently: that deviation is the finding.
                    let fin_closed = self.closed.get(t).and_then(|c| {
                        match c.gone {
                            Gone::ClosedByFinSegment(at) => Some(at),
                            _ => None,
                        }
                    });
                    // Likewise one that dropped a RST with text at
                    // RCV.NXT while its receive window was zero.
                    let zero_window_rst =
                        self.closed.get(t).and_then(|c| match c.gone {
                            Gone::ResetInZeroWindow(at) => Some(at),
                            _ => None,
                        });
                    match (fin_closed, zero_window_rst) {
                        (_, Some(at)) => self.finding(
                            RuleId::RstWithTextInZeroWindowIgnored,
                            format!(
                                "no RST {} ms after {why}: the target still had the connection that a RST at RCV.NXT with text reset while its receive window was zero ({:.3} s)",
                                after.as_millis(),
                                at.as_secs_f64()
                            ),
                        ),
                        (Some(at), None) => self.finding(
                            RuleId::FinSegmentAckIgnored,
                            format!(
                                "no RST {} ms after {why}: the target still had the connection that a FIN segment acknowledging its FIN closed in LAST-ACK ({:.3} s)",
                                after.as_millis(),
                                at.as_secs_f64()
                            ),
                        ),
                        (None, None) => self.finding(
                            RuleId::RstNotSent,
                            format!(
                                "no RST {} ms after {why}; expected {}",
                                after.as_millis(),
                                rst_text(seq, ack)
                            ),
                        ),
                    }
                }
            };
            out.push(f);
        }
    }
}

fn take_expired(
    owed: &mut Vec<Obligation>,
    now: Duration,
    t: Tuple,
    out: &mut Vec<(Tuple, Obligation)>,
) {
    if owed.iter().any(|o| o.deadline < now) {
        let mut i = 0;
        while i < owed.len() {
            if owed[i].deadline < now {
                out.push((t, owed.remove(i)));
            } else {
                i += 1;
            }
        }
    }
}

/// `<SEQ=5><CTL=RST>` or `<SEQ=0><ACK=7><CTL=RST,ACK>`.
pub(super) fn rst_text(seq: crate::wire::SeqNumber, ack: Option<crate::wire::SeqNumber>) -> String {
    match ack {
        Some(a) => format!(
            "<SEQ={}><ACK={}><CTL=RST,ACK>",
            super::finding::tgt(seq),
            super::finding::peer(a)
        ),
        None => format!("<SEQ={}><CTL=RST>", super::finding::tgt(seq)),
    }
}

/// `true` when `interval` meets `bound` within the relative tolerance.
pub(super) fn at_least(interval: Duration, bound: Duration, tolerance: f64) -> bool {
    interval.as_secs_f64() >= bound.as_secs_f64() * (1.0 - tolerance)
}
