//! The branch set: every model of the target the traffic so far allows.
//!
//! # The design
//!
//! The oracle checks a trace against a specification, as Netsem's TCP
//! specification (Bishop et al., "Rigorous specification and conformance
//! testing techniques for network protocols, as applied to TCP, UDP, and
//! sockets", SIGCOMM 2005) checks captured traces: the target is a black
//! box, so where RFC 9293 lets it choose (take a segment or drop it, a
//! reset or not, a transition its profile declares), the oracle does not
//! guess. It keeps one model per choice and lets the target's own
//! segments decide.
//!
//! - A model ([`Oracle`] without its `alts`) is a connection table of TCBs
//!   (`tcb.rs`) with what each owes and by when.
//! - Every event (a segment either way, an application call, time) goes to
//!   every model ([`Oracle::branched`]). Where the event is a choice in a
//!   model, that model forks: the copy that made the other choice either
//!   never saw the event (a segment the target may drop: RFC 9293 §3.1
//!   MUST-7, `arrive_kinds::droppable`; one whose acceptability the model
//!   cannot tell) or took the profile's own transition
//!   ([`Oracle::branched_other`], [`super::profile::Transition`]).
//! - Models an event leaves equal merge (`same_model`: equal tables,
//!   equal findings): a choice that changed nothing costs nothing.
//! - What the target sends, or fails to send in time, is judged in every
//!   model. A model that finds a violation in it explains the target worse
//!   than one that does not; only the models with the fewest violations
//!   (a deviation the profile allows counts for nothing) live on, and the
//!   findings returned are those of the first of them. A target that made
//!   either choice passes; a violation in every model is still reported.
//! - At most [`MAX_BRANCHES`] models live at once (fewer with
//!   [`Oracle::with_branch_budget`]). Past it, those nearest an extreme
//!   are kept (the ones that took, or dropped, the fewest forking segments,
//!   the latest odd decision first): a stack tends to do one or the other.
//!
//! What the RFC core does not yet hold this way: a few uncertainties still
//! live inside one TCB as ranges and flags (`rcv_lo..rcv_hi`,
//! `maybe_reset`, `maybe_fin`, `snd_wnd_maybe_zero`, `void_if_reset` on
//! obligations); issue #16 item 1 turns each into a fork of concrete
//! models.

use super::model::{Oracle, MAX_BRANCHES};
use super::rules::{Finding, RuleId};
use super::tcb::Gone;
use std::time::Duration;

/// Rules that say the target sent on a connection the model does not have.
fn no_connection(rule: RuleId) -> bool {
    matches!(
        rule,
        RuleId::SegmentOnClosedConnection | RuleId::ReplyToRst | RuleId::RstAtRcvNxtIgnored
    )
}

impl Oracle {
    /// Runs `step` on every branch (after forking each for which `fork`
    /// holds: the copy that did not see the segment only lets time pass),
    /// keeps the branches with the fewest violations and returns the main
    /// one's findings. See the module docs.
    pub(super) fn branched(
        &mut self,
        now: Duration,
        fork: impl Fn(&Oracle) -> bool,
        step: impl FnMut(&mut Oracle) -> Vec<Finding>,
    ) -> Vec<Finding> {
        self.branched_other(now, fork, step, |o| {
            let mut out = Vec::new();
            o.expire(now, &mut out);
            out
        })
    }

    /// [`Oracle::branched`] where the copy a fork makes takes the event
    /// its own way (`other`: a transition the profile declares) instead of
    /// not seeing it.
    pub(super) fn branched_other(
        &mut self,
        now: Duration,
        fork: impl Fn(&Oracle) -> bool,
        mut step: impl FnMut(&mut Oracle) -> Vec<Finding>,
        mut other: impl FnMut(&mut Oracle) -> Vec<Finding>,
    ) -> Vec<Finding> {
        let fork_main = fork(self);
        if !fork_main && self.alts.is_empty() {
            // One model and nothing to fork: nothing to copy or compare.
            return step(self);
        }
        // The branches stay in `alts` (its buffer is reused from segment to
        // segment); their findings go to `outs` at the same index.
        let mut alts = std::mem::take(&mut self.alts);
        let stepped = alts.len();
        // The copies that do not see the segment, taken before any step:
        // the main model's first, then each other branch's.
        let at = self.forks.wrapping_add(1);
        if fork_main {
            let mut dropped = self.clone();
            dropped.dropped = dropped.dropped.saturating_add(1);
            dropped.dropped_at = at;
            alts.push(dropped);
            self.took = self.took.saturating_add(1);
            self.took_at = at;
        }
        for k in 0..stepped {
            if fork(&alts[k]) {
                let mut dropped = alts[k].clone();
                dropped.dropped = dropped.dropped.saturating_add(1);
                dropped.dropped_at = at;
                alts.push(dropped);
                alts[k].took = alts[k].took.saturating_add(1);
                alts[k].took_at = at;
            }
        }
        let forked = alts.len() > stepped;
        if forked {
            self.forks = at;
            alts.iter_mut().for_each(|a| a.forks = at);
        }
        // Which branches see the segment: the old ones, and the all-dropped
        // one (last) when it did not fork, moved to the end to stay last.
        let mut seen = [false; 2 * MAX_BRANCHES];
        seen[..stepped].fill(true);
        if forked && stepped > 0 && !fork(&alts[stepped - 1]) {
            let lineage = alts.remove(stepped - 1);
            alts.push(lineage);
            seen[..stepped - 1].fill(true);
            seen[stepped - 1] = false;
            seen[alts.len() - 1] = true;
        }
        let main_out = step(self);
        let mut outs: [Vec<Finding>; 2 * MAX_BRANCHES] = Default::default();
        for (k, a) in alts.iter_mut().enumerate() {
            if seen[k] {
                outs[k] = step(a);
            } else {
                outs[k] = other(a);
            }
        }
        if forked {
            // A segment that changed a branch in nothing (a RST to a closed
            // port, a droppable segment to LISTEN without SYN or ACK), or
            // changed two in the same way, leaves equal branches: one of
            // each pair goes, so that it takes no place from branches that
            // differ (found by the fuzz target: a SYN dropped for its bad
            // option, then one taken, lost among such twins). The main
            // branch, and the all-dropped one (last), stay.
            let last = alts.len() - 1;
            let mut gone = [false; 2 * MAX_BRANCHES];
            for k in 0..alts.len() {
                if k != last && alts[k].same_model(self) && outs[k] == main_out {
                    gone[k] = true;
                    continue;
                }
                let twin = (0..k)
                    .find(|&j| !gone[j] && alts[k].same_model(&alts[j]) && outs[k] == outs[j]);
                if let Some(j) = twin {
                    gone[if k == last { j } else { k }] = true;
                }
            }
            let mut kept = 0;
            for (k, &gone) in gone.iter().enumerate().take(alts.len()) {
                if !gone {
                    alts.swap(kept, k);
                    outs.swap(kept, k);
                    kept += 1;
                }
            }
            alts.truncate(kept);
        }
        let budget = self.budget;
        if alts.len() >= budget {
            // Keep the branches nearest an extreme: those that took, or
            // dropped, the fewest forking segments (a stack tends to do one
            // or the other: smoltcp drops most segments with a bad option,
            // takes some); the all-dropped one (last) among them. Keeping
            // only the first ones and the last cut the branch that dropped
            // every segment but the latest. Among as near, the latest odd
            // decision first: in their order, the copy of the all-taken
            // branch that dropped the latest segment was always cut.
            let mut rank = [(u16::MAX, u16::MAX, usize::MAX); 2 * MAX_BRANCHES];
            for (k, a) in alts.iter().enumerate() {
                let age = |at: u16| self.forks.wrapping_sub(at);
                let odd = match a.took.cmp(&a.dropped) {
                    std::cmp::Ordering::Less => age(a.took_at),
                    std::cmp::Ordering::Greater => age(a.dropped_at),
                    std::cmp::Ordering::Equal => age(a.took_at).min(age(a.dropped_at)),
                };
                rank[k] = (a.took.min(a.dropped), odd, k);
            }
            rank[..alts.len()].sort_unstable();
            let mut keep = [false; 2 * MAX_BRANCHES];
            for &(_, _, k) in rank.iter().take(budget - 1) {
                keep[k] = true;
            }
            let mut kept = 0;
            for (k, &keep) in keep.iter().enumerate().take(alts.len()) {
                if keep {
                    alts.swap(kept, k);
                    outs.swap(kept, k);
                    kept += 1;
                }
            }
            alts.truncate(kept);
        }
        // Among branches with as many violations, one in which the target's
        // segment belongs to no connection explains it worst: the target
        // evidently still has one (e.g. a RST at RCV.NXT with an option a
        // stack may drop, then a FIN on the connection). A deviation the
        // profile allows counts for nothing: it is how the target behaves,
        // so the branch that shows one may be the true one (smoltcp's RST
        // without ACK for a segment it kept, beside a branch that takes it
        // for the answer to a segment smoltcp dropped). Last, a branch in
        // which a RST the target sent now ends the connection, owed by no
        // segment (an abort it never heard of, a reset it only suspected),
        // explains it worse than one in which a segment owed that RST
        // (smoltcp's <SEQ=SEG.ACK><CTL=RST> for a bad ACK in SYN-RECEIVED,
        // which a branch that completed the handshake with a segment
        // smoltcp dropped takes for the end of the connection).
        let score = |f: &[Finding], o: &Oracle| {
            let strict = f.iter().filter(|f| f.deviation.is_none());
            let lost = strict.clone().filter(|f| no_connection(f.rule)).count();
            (strict.count(), lost, o.reset_unowed_at(now))
        };
        let main_score = score(&main_out, self);
        let best = outs[..alts.len()]
            .iter()
            .zip(&alts)
            .map(|(f, o)| score(f, o))
            .chain([main_score])
            .min()
            .unwrap_or(main_score);
        // Keep the best branches, in order, their findings beside them.
        let mut kept = 0;
        for k in 0..alts.len() {
            if score(&outs[k], &alts[k]) == best {
                alts.swap(kept, k);
                outs.swap(kept, k);
                kept += 1;
            }
        }
        alts.truncate(kept);
        let out = if main_score == best {
            main_out
        } else {
            // The target contradicted the main branch: the first survivor takes over.
            *self = alts.remove(0);
            std::mem::take(&mut outs[0])
        };
        self.alts = alts;
        out
    }

    /// How many connections a RST no segment owed ended at `now` (see
    /// [`Gone::ResetUnowed`]).
    fn reset_unowed_at(&self, now: Duration) -> usize {
        self.closed
            .iter()
            .filter(|c| c.gone == Gone::ResetUnowed(now))
            .count()
    }

    /// True when `self` and `other` are the same model (their branches
    /// aside): every later event gives both the same findings.
    fn same_model(&self, other: &Oracle) -> bool {
        // Destructured so that a new field must be considered here.
        let Oracle {
            profile: _,
            target: _,
            conns,
            closed,
            corrupt,
            connects,
            alts: _,
            budget: _,
            took: _,
            dropped: _,
            forks: _,
            took_at: _,
            dropped_at: _,
        } = self;
        *conns == other.conns
            && *closed == other.closed
            && *corrupt == other.corrupt
            && *connects == other.connects
    }

    /// Applies `f` to every branch.
    pub(super) fn each_branch(&mut self, mut f: impl FnMut(&mut Oracle)) {
        f(self);
        for a in &mut self.alts {
            f(a);
        }
    }
}
