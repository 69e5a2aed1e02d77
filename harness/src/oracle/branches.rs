//! The set of models: every model of the target the traffic so far
//! allows (the design is in the module doc, `oracle/mod.rs`).
//!
//! - A model ([`Oracle`] without its `alts`) is a connection table of TCBs
//!   (`tcb.rs`) with what each owes and by when; the first model is the
//!   [`Oracle`] itself, the others its `alts`, in order of creation.
//! - Every event goes to every model ([`Oracle::branched`]). Where the
//!   event is a choice in a model, that model forks: the copy that made
//!   the other choice either never saw the event (a segment the target may
//!   drop: RFC 9293 §3.1 MUST-7, `arrive_kinds::droppable`; one whose
//!   acceptability the model cannot tell) or took the profile's own
//!   transition ([`Oracle::branched_other`], [`super::profile::Transition`]).
//! - What the target sends, or fails to send in time, is judged in every
//!   model; only the models with the fewest violations live on (a
//!   deviation the profile allows counts for nothing), and the findings
//!   returned are those of the first of them.
//! - After every event, equal models (`same_model`) merge into the first
//!   of them, whatever their findings.
//! - The cap, [`MAX_BRANCHES`] (fewer with [`Oracle::with_branch_budget`]):
//!   reaching it is reported, once, as the warning `model-set-capped`
//!   naming it; the models kept then are those nearest an extreme (the
//!   ones that took, or dropped, the fewest forking segments, the latest
//!   odd decision first: a stack tends to do one or the other).

use super::model::Oracle;
#[cfg(doc)]
use super::model::MAX_BRANCHES;
use super::rules::{Finding, RuleId};
use super::tcb::{Gone, Tuple};
use std::time::Duration;

/// Rules that say the target sent on a connection the model does not have.
fn no_connection(rule: RuleId) -> bool {
    matches!(
        rule,
        RuleId::SegmentOnClosedConnection | RuleId::ReplyToRst | RuleId::RstAtRcvNxtIgnored
    )
}

impl Oracle {
    /// Runs `step` on every model (after forking each for which `fork`
    /// holds: the copy that did not see the segment only lets time pass),
    /// keeps the models with the fewest violations, merges equal ones and
    /// returns the first one's findings. See the module docs.
    pub(super) fn branched(
        &mut self,
        now: Duration,
        split: Option<Tuple>,
        fork: impl Fn(&Oracle) -> bool,
        step: impl FnMut(&mut Oracle) -> Vec<Finding>,
    ) -> Vec<Finding> {
        self.branched_other(now, split, fork, step, |o| {
            let mut out = Vec::new();
            o.expire(now, &mut out);
            out
        })
    }

    /// [`Oracle::branched`] where the copy a fork makes takes the event
    /// its own way (`other`: a transition the profile declares) instead of
    /// not seeing it. `split`: the tuple of a segment to the target, whose
    /// connection the segment may have reset (`reset_fork.rs`): each model
    /// that lives on splits there after the step.
    pub(super) fn branched_other(
        &mut self,
        now: Duration,
        split: Option<Tuple>,
        fork: impl Fn(&Oracle) -> bool,
        mut step: impl FnMut(&mut Oracle) -> Vec<Finding>,
        mut other: impl FnMut(&mut Oracle) -> Vec<Finding>,
    ) -> Vec<Finding> {
        let fork_main = fork(self);
        self.forked_now = false;
        if !fork_main && self.alts.is_empty() && self.cap_pending.is_none() {
            // One model and nothing to fork: nothing to copy or compare.
            let out = step(self);
            if let Some(reset) = split.and_then(|t| self.split_reset(t, now)) {
                self.alts.push(reset);
            }
            return out;
        }
        // The set is `self` then `alts`, in order of creation; the copies a
        // fork makes join it at the end, in the order of their originals.
        let mut alts = std::mem::take(&mut self.alts);
        // Each fork counts, in the model and in its copy, which way it went
        // (the rank at the cap, below).
        let at = self.forks.wrapping_add(1);
        let mut copies = Vec::new();
        for m in std::iter::once(&mut *self).chain(alts.iter_mut()) {
            m.forked_now = fork(m);
            if m.forked_now {
                let mut copy = m.clone();
                copy.forked_now = false;
                copy.dropped = copy.dropped.saturating_add(1);
                copy.dropped_at = at;
                copies.push(copy);
                m.took = m.took.saturating_add(1);
                m.took_at = at;
            }
        }
        if !copies.is_empty() {
            self.forks = at;
            alts.iter_mut().for_each(|a| a.forks = at);
            copies.iter_mut().for_each(|a| a.forks = at);
        }
        let main_out = step(self);
        let mut outs: Vec<Vec<Finding>> = alts.iter_mut().map(&mut step).collect();
        for mut c in copies {
            outs.push(other(&mut c));
            alts.push(c);
        }
        // Among models with as many violations, one in which the target's
        // segment belongs to no connection explains it worst: the target
        // evidently still has one (e.g. a RST at RCV.NXT with an option a
        // stack may drop, then a FIN on the connection). A deviation the
        // profile allows counts for nothing: it is how the target behaves,
        // so the model that shows one may be the true one (smoltcp's RST
        // without ACK for a segment it kept, beside a model that takes it
        // for the answer to a segment smoltcp dropped). Last, a model in
        // which a RST the target sent now ends the connection, owed by no
        // segment (an abort it never heard of, a reset it only suspected),
        // explains it worse than one in which a segment owed that RST
        // (smoltcp's <SEQ=SEG.ACK><CTL=RST> for a bad ACK in SYN-RECEIVED,
        // which a model that completed the handshake with a segment
        // smoltcp dropped takes for the end of the connection).
        // What a model holds (`held`: a reset that is itself a violation)
        // counts as one of its violations when the event is a violation in
        // some model: a target silent after an in-window RST is no better
        // explained by RFC 793's reset than by a missing challenge ACK.
        let strict = |f: &[Finding]| f.iter().filter(|f| f.deviation.is_none()).count();
        let deciding = strict(&main_out) > 0 || outs.iter().any(|f| strict(f) > 0);
        let score = |f: &[Finding], o: &Oracle| {
            let lost = f
                .iter()
                .filter(|f| f.deviation.is_none() && no_connection(f.rule))
                .count();
            let held = o.held.iter().filter(|f| f.deviation.is_none()).count();
            let held = if deciding { held } else { 0 };
            (strict(f) + held, lost, o.reset_unowed_at(now))
        };
        let main_score = score(&main_out, self);
        let best = outs
            .iter()
            .zip(&alts)
            .map(|(f, o)| score(f, o))
            .chain([main_score])
            .min()
            .unwrap_or(main_score);
        // The models that explain the target best, in order, with their
        // findings; the first of them leads the set.
        let mut set: Vec<(Oracle, Vec<Finding>)> = Vec::with_capacity(alts.len());
        let main_best = main_score == best;
        for (a, f) in alts.into_iter().zip(outs) {
            if score(&f, &a) == best {
                set.push((a, f));
            }
        }
        let out = if main_best {
            main_out
        } else {
            // The target contradicted the first model: the next best leads
            // (the set's own fields stay).
            let (lead, f) = set.remove(0);
            let (budget, capped, pending) = (self.budget, self.capped, self.cap_pending.take());
            *self = lead;
            (self.budget, self.capped, self.cap_pending) = (budget, capped, pending);
            f
        };
        // A segment that may have reset its connection: each model that
        // lives on splits into one that was not reset and one that was.
        if let Some(t) = split {
            let mut resets: Vec<Oracle> = Vec::new();
            resets.extend(self.split_reset(t, now));
            for (a, _) in &mut set {
                resets.extend(a.split_reset(t, now));
            }
            set.extend(resets.into_iter().map(|r| (r, Vec::new())));
        }
        // Equal models merge: a choice that changed nothing, or two that
        // changed the same, leave one model (the first in order, with the
        // better rank of the two).
        let mut kept: Vec<Oracle> = Vec::with_capacity(set.len());
        for (a, _) in set {
            if a.same_model(self) {
                // A finding is the target's only if every model holds it.
                self.held.retain(|f| a.holds(f));
                if a.rank(self.forks) < self.rank(self.forks) {
                    (self.took, self.dropped) = (a.took, a.dropped);
                    (self.took_at, self.dropped_at) = (a.took_at, a.dropped_at);
                }
                continue;
            }
            match kept.iter_mut().find(|k| k.same_model(&a)) {
                Some(k) if a.rank(a.forks) < k.rank(k.forks) => {
                    let held = std::mem::take(&mut k.held);
                    *k = a;
                    k.held.retain(|f| held.iter().any(|g| g.rule == f.rule));
                }
                Some(k) => k.held.retain(|f| a.holds(f)),
                None => kept.push(a),
            }
        }
        let mut out = out;
        if kept.len() >= self.budget {
            // The cap: the models nearest an extreme stay, those that took,
            // or dropped, the fewest forking segments (a stack tends to do
            // one or the other: smoltcp drops most segments with a bad
            // option, takes some), among as near the latest odd decision
            // first; the verdict says that some were let go (once).
            let cut = kept.len() + 1 - self.budget;
            let mut order: Vec<usize> = (0..kept.len()).collect();
            order.sort_by_key(|&k| (kept[k].rank(self.forks), k));
            let mut keep = vec![false; kept.len()];
            for &k in order.iter().take(self.budget - 1) {
                keep[k] = true;
            }
            let mut k = 0;
            kept.retain(|_| {
                k += 1;
                keep[k - 1]
            });
            if !self.capped {
                self.capped = true;
                self.cap_pending = Some(Finding::new(
                    RuleId::ModelSetCapped,
                    format!(
                        "the oracle's set of models reached its cap of {} ({cut} let go, those farthest from taking or dropping every forking segment): a verdict after this may miss a model that explains the target",
                        self.budget
                    ),
                ));
            }
        }
        // Every model left holds a finding (the fork is decided, or each
        // explains the target with a violation of its own): the first
        // one's are the target's, reported now, once.
        if !self.held.is_empty() && kept.iter().all(|k| !k.held.is_empty()) {
            out.append(&mut self.held);
            kept.iter_mut().for_each(|k| k.held.clear());
        }
        out.extend(self.cap_pending.take());
        self.alts = kept;
        out
    }

    /// True when this model holds a finding of `f`'s rule (see `held`).
    fn holds(&self, f: &Finding) -> bool {
        self.held.iter().any(|g| g.rule == f.rule)
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
            capped: _,
            cap_pending: _,
            took: _,
            dropped: _,
            forks: _,
            took_at: _,
            dropped_at: _,
            forked_now: _,
            held: _,
        } = self;
        // A model is its connection table as a set: the order in which
        // connections were made or removed does not matter.
        conns.len() == other.conns.len()
            && conns
                .iter()
                .all(|c| other.conns.iter().find(|d| d.tuple == c.tuple) == Some(c))
            && *closed == other.closed
            && *corrupt == other.corrupt
            && *connects == other.connects
    }

    /// How far this model is from an extreme (see the cap in
    /// [`Oracle::branched_other`]): the fewer of the forking segments it
    /// took or dropped, then how many forks ago its latest odd decision
    /// was (`forks`: the set's fork count).
    fn rank(&self, forks: u16) -> (u16, u16) {
        let age = |at: u16| forks.wrapping_sub(at);
        let odd = match self.took.cmp(&self.dropped) {
            std::cmp::Ordering::Less => age(self.took_at),
            std::cmp::Ordering::Greater => age(self.dropped_at),
            std::cmp::Ordering::Equal => age(self.took_at).min(age(self.dropped_at)),
        };
        (self.took.min(self.dropped), odd)
    }

    /// Applies `f` to every branch.
    pub(super) fn each_branch(&mut self, mut f: impl FnMut(&mut Oracle)) {
        f(self);
        for a in &mut self.alts {
            f(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tcb::{Conn, Tuple};
    use super::super::{Profile, TargetModel};
    use super::Oracle;
    use crate::wire::TcpState;

    #[test]
    fn models_are_equal_whatever_the_order_of_their_connections() {
        let target = TargetModel {
            addr: "192.0.2.1".parse().expect("address"),
            listening: vec![80],
        };
        let mut a = Oracle::new(Profile::rfc9293(), target);
        for port in [40000, 40001] {
            let harness = format!("198.51.100.1:{port}").parse().expect("address");
            let t = Tuple { harness, port: 80 };
            a.conns.push(Conn::new(t, TcpState::Established, false));
        }
        let mut b = a.clone();
        b.conns.reverse();
        assert!(a.same_model(&b), "the same connections in another order");
        b.conns[0].state = TcpState::CloseWait;
        assert!(!a.same_model(&b), "a connection in another state");
        b.conns.pop();
        assert!(!a.same_model(&b), "a connection fewer");
    }
}
