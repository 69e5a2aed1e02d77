//! Segments the target receives: RFC 9293 §3.10.7 event processing run on
//! the model, to learn what the target now owes (a RST, an ACK, a challenge
//! ACK) and which states it may be in.

use super::model::{Oracle, ACK_DELAY_MAX};
use super::profile::ResetPolicy;
use super::rules::{Finding, RuleId};
use super::tcb::{Conn, Gone, MaybeReset, Owed, Tuple};
use crate::wire::{seq_ge, seq_gt, seq_le, seq_lt, Segment, SeqNumber, TcpState};
use std::time::Duration;

pub(super) use super::arrive_kinds::{
    droppable, fin_after_old_text, fin_in_zero_window, fin_maybe_taken,
    handshake_ack_on_fin_after_old_text, more_than_one_control, rst_data_in_window, text_after_fin,
    text_maybe_taken_on_unsent_ack,
};

/// What the copy of a model that forked on a segment took (the other copy
/// never saw the segment): see [`Oracle::acceptability_unknown`] and
/// [`Oracle::zero_window_unknown`].
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Taken {
    /// The segment is acceptable: RCV.NXT is a candidate that accepts it.
    pub acceptable: bool,
    /// The segment's zero window is the target's send window.
    pub window: bool,
}

impl Oracle {
    /// `taken`: the model forked on the segment's acceptability
    /// ([`Oracle::acceptability_unknown`]) or its zero window
    /// ([`Oracle::zero_window_unknown`]) and this copy is the one that took
    /// it (the other never saw it).
    pub(super) fn arrive(
        &mut self,
        now: Duration,
        seg: &Segment,
        taken: Taken,
        _out: &mut Vec<Finding>,
    ) {
        if seg.ip.dst() != self.target.addr {
            return;
        }
        let t = Self::tuple_to_target(seg);
        match self.conn_index(t) {
            Some(i) => {
                let before = self.conns[i].owed.len();
                let was_sure = self.conns[i].maybe_reset.is_none();
                let prev = self.conns[i].maybe_reset.clone();
                let c = &self.conns[i];
                let out_of_order = c.state == TcpState::LastAck
                    && !seg.payload.is_empty()
                    && seq_gt(seg.seq, c.rcv.hi);
                let dup_ack = (c.snd.nxt, c.rcv.lo, c.rcv.hi);
                // An ACK owed when the harness's RST arrives may cross it
                // (lwIP fuzz: rst-at-rcv-nxt-ignored): once, as `dup_ack`
                // (`judge_no_conn` times it).
                let ack_owed = seg.flags.rst()
                    && c.owed
                        .iter()
                        .any(|o| matches!(o.owed, Owed::Ack { .. } | Owed::AckData { .. }));
                // Text past the harness's FIN on a segment in LAST-ACK.
                let text_past_fin = c.state == TcpState::LastAck
                    && seq_gt(seg.seq.add(seg.payload.len() as u32), c.rcv.hi)
                    && !seg.flags.rst();
                let text_ack = c.harness_fin.map(|fin| (c.snd.nxt, fin.add(1)));
                // Text held out of order before it may be taken with it.
                let sent_max = c.harness_snd_max;
                let text_after_shut_rd = c.shut_rd && !seg.payload.is_empty() && !seg.flags.rst();
                self.arrive_conn(i, now, seg, taken);
                if text_after_shut_rd {
                    self.text_after_shutdown_read(t, before, seg);
                }
                if (out_of_order || ack_owed) && self.conn_index(t).is_none() {
                    self.closed_mut(t).dup_ack = Some(dup_ack);
                }
                if let Some((snd_nxt, fin_ack)) = text_ack.filter(|_| text_past_fin) {
                    if self.conn_index(t).is_none() {
                        let end = seg.seq.add(seg.payload.len() as u32);
                        // Text held out of order past this segment: a stack
                        // that counts the FIN below it (smoltcp,
                        // ack-of-unsent-data) acknowledges one past its end.
                        let upto = if seq_gt(sent_max, end) {
                            sent_max.add(1)
                        } else {
                            end
                        };
                        self.closed_mut(t).text_ack = Some((snd_nxt, fin_ack, upto));
                    }
                }
                if let Some(c) = self.conns.get_mut(i).filter(|c| c.tuple == t) {
                    if c.maybe_reset.is_some() && c.maybe_reset != prev {
                        c.reset_upto = c.harness_snd_max;
                        c.reset_ends_time_wait = seg.flags.rst() || c.state != TcpState::TimeWait;
                        c.acks_after_maybe_reset.clear();
                    }
                    if prev.is_some()
                        && c.maybe_reset.is_some()
                        && seg.flags.ack()
                        && !seg.flags.rst()
                    {
                        if c.acks_after_maybe_reset.len() == 8 {
                            c.acks_after_maybe_reset.remove(0);
                        }
                        c.acks_after_maybe_reset.push(seg.ack);
                    }
                    if prev.is_some() && c.maybe_reset.is_some() {
                        // An earlier segment may have reset the connection:
                        // a target it reset took none of this one's data
                        // (LISTEN or CLOSED answers it with a RST, which
                        // may also match a RST owed before), so owes no ACK
                        // for it while that stays possible (MUST-40 then
                        // binds a target that shows it is alive).
                        for o in c.owed.iter_mut().skip(before) {
                            if matches!(o.owed, Owed::AckData { .. }) {
                                o.void_if_reset = true;
                            }
                        }
                    }
                }
                // A segment that may have reset the connection (a RST, or a
                // SYN to a legacy stack) voids what it owed before: a target
                // it reset sends nothing more on it.
                if was_sure && before > 0 {
                    // Still at `i` unless it was removed (then nothing is owed).
                    if let Some(c) = self.conns.get_mut(i).filter(|c| c.tuple == t) {
                        if c.maybe_reset.is_some() {
                            for o in c.owed.iter_mut().take(before) {
                                o.void_if_reset = true;
                            }
                        }
                    }
                }
            }
            None => self.arrive_no_conn(t, now, seg),
        }
    }

    /// Text the target took (it owes an ACK for it) after its application
    /// shut down reading: the ACK stays owed, and a RST instead is allowed
    /// as `rst-after-shutdown-read` (a profile may allow it: Linux resets
    /// in FIN-WAIT-1/2 after SHUT_RD, see the rule). `before`: how many
    /// obligations the connection had before the segment.
    fn text_after_shutdown_read(&mut self, t: Tuple, before: usize, seg: &Segment) {
        let Some(c) = self.conns.iter_mut().find(|c| c.tuple == t) else {
            return;
        };
        let took = c
            .owed
            .iter()
            .skip(before)
            .any(|o| matches!(o.owed, Owed::AckData { .. }));
        if took && c.maybe_reset.is_none() {
            c.maybe_reset = Some(MaybeReset {
                rule: Some(RuleId::RstAfterShutdownRead),
                why: format!(
                    "text (seq {} len {}) that arrived after the application shut down reading",
                    super::finding::peer(seg.seq),
                    seg.payload.len()
                ),
            });
        }
    }

    /// True for a segment on a synchronized connection that is acceptable
    /// (RFC 9293 §3.10.7.4 Table 6) for one RCV.NXT candidate and not for
    /// another: the target has taken data the model cannot yet place, or
    /// has not. Processing it (its ACK, its FIN) and dropping it as
    /// unacceptable both conform, so the model forks on it (see
    /// `model.rs`) and the target's next segments decide. RSTs and SYNs
    /// have their own handling (`maybe_reset`).
    pub(super) fn acceptability_unknown(&self, seg: &Segment) -> bool {
        let f = seg.flags;
        if f.rst() || f.syn() {
            return false;
        }
        let Some(i) = self.conn_index(Self::tuple_to_target(seg)) else {
            return false;
        };
        let c = &self.conns[i];
        if self.profile.allows(RuleId::FinOnOldDataIgnored).is_some()
            && (handshake_ack_on_fin_after_old_text(c, seg) || fin_after_old_text(c, seg))
        {
            return true;
        }
        let synchronized = c.state.is_synchronized() && c.state != TcpState::TimeWait;
        // Only a segment whose processing would move the model: text, a FIN,
        // or an ACK of something new. Otherwise both ways it owes an ACK at
        // most (an unacceptable segment draws one too), so one model does.
        let moves = !seg.payload.is_empty()
            || f.fin()
            || (f.ack() && seq_gt(seg.ack, c.snd.una) && seq_le(seg.ack, c.snd.nxt));
        synchronized && moves && c.acceptable(seg.seq, seg.seg_len()).is_none()
    }

    /// True for an ACK announcing a zero window that the target may or may
    /// not have taken: acceptable for some RCV.NXT candidates only (and
    /// not already an [`Oracle::acceptability_unknown`] fork), or below
    /// SND.UNA but not below `Follow::fin_segment_una` (a target that dropped that
    /// FIN segment has its SND.UNA there and takes this window). The model
    /// forks: in one copy the send window is zero, so a one-octet probe
    /// past the edge is allowed (§3.8.6.1); the other never saw it. A
    /// non-zero window announced so only lets the edges grow
    /// (`Conn::window_update`).
    pub(super) fn zero_window_unknown(&self, seg: &Segment) -> bool {
        let f = seg.flags;
        // A zero window field is zero scaled too: the cheap test first.
        if seg.window != 0 || f.rst() || f.syn() || !f.ack() {
            return false;
        }
        let Some(i) = self.conn_index(Self::tuple_to_target(seg)) else {
            return false;
        };
        let c = &self.conns[i];
        let synchronized = c.state.is_synchronized() && c.state != TcpState::TimeWait;
        if !synchronized || c.snd.iss.is_none() {
            return false;
        }
        let acceptable = c.acceptable(seg.seq, seg.seg_len());
        let too_old = c.snd.max_wnd > 0 && seq_lt(seg.ack, c.snd.una.sub(c.snd.max_wnd));
        if acceptable == Some(false) || seq_gt(seg.ack, c.snd.nxt) || too_old {
            return false;
        }
        let old_ack = seq_lt(seg.ack, c.snd.una);
        let maybe_current = old_ack
            && c.follow
                .fin_segment_una
                .is_some_and(|fl| seq_ge(seg.ack, fl));
        (acceptable.is_none() && !old_ack) || maybe_current
    }

    /// RFC 9293 §3.10.7.1 (CLOSED) and §3.10.7.2 (LISTEN).
    fn arrive_no_conn(&mut self, t: Tuple, now: Duration, seg: &Segment) {
        let listening = self.target.listening.contains(&t.port);
        let grace = self.profile.reply_grace;
        let f = seg.flags;
        if f.rst() {
            // §3.10.7.1 / §3.10.7.2: an incoming RST is discarded; nothing may answer it.
            self.closed_mut(t).last_was_rst = true;
            return;
        }
        if listening && f.syn() && !f.ack() {
            // §3.10.7.2: LISTEN + SYN → SYN-RECEIVED; the SYN-ACK is owed (not checked when missing).
            let gone = self
                .closed
                .get(t)
                .map(|c| c.gone)
                .filter(|g| *g != Gone::Never);
            self.closed.remove(t);
            let mut c = Conn::from_syn(t, seg);
            c.replaced = gone;
            if more_than_one_control(seg) {
                c.reset_undecided = Some(MaybeReset::either_way());
            }
            self.conns.push(c);
            return;
        }
        let closed = self.closed_mut(t);
        let after_rst = closed.last_was_rst;
        closed.last_was_rst = false;
        if listening {
            // As to CLOSED below: one the target may drop owes its RST
            // only if taken, and leaves a RST before it the last segment.
            let optional = droppable(seg);
            closed.last_was_rst = optional && after_rst;
            if f.ack() {
                // §3.10.7.2: an ACK to LISTEN draws <SEQ=SEG.ACK><CTL=RST>.
                closed.owed.push(super::tcb::Obligation {
                    owed: Owed::Rst {
                        seq: seg.ack,
                        ack: None,
                        numbers: RuleId::RstListenNumbers,
                        why: format!(
                            "an ACK-bearing segment (ack {}) to LISTEN port {}",
                            super::finding::tgt(seg.ack),
                            t.port
                        ),
                        or_ack: false,
                        optional,
                    },
                    since: now,
                    deadline: now + grace,
                    void_if_reset: false,
                });
            }
            // Anything else without SYN or ACK is dropped (§3.10.7.2).
            return;
        }
        // §3.10.7.1: CLOSED. A segment the target may drop (MUST-7) owes
        // its RST only if taken, and leaves a RST the last segment if
        // dropped (see `drop_needs_no_branch`).
        let optional = droppable(seg);
        closed.last_was_rst = optional && after_rst;
        let (seq, ack) = if f.ack() {
            (seg.ack, None)
        } else {
            (SeqNumber(0), Some(seg.seq.add(seg.seg_len())))
        };
        closed.owed.push(super::tcb::Obligation {
            owed: Owed::Rst {
                seq,
                ack,
                numbers: RuleId::RstClosedNumbers,
                why: format!(
                    "a segment (seq {} ack {} len {} flags {}) to closed port {}",
                    super::finding::peer(seg.seq),
                    super::finding::tgt(seg.ack),
                    seg.seg_len(),
                    f,
                    t.port
                ),
                or_ack: false,
                optional,
            },
            since: now,
            deadline: now + grace,
            void_if_reset: false,
        });
    }

    /// True for a segment the model need not fork on although the target
    /// may drop it ([`droppable`]): one without RST to a port with no
    /// connection, CLOSED or LISTEN, that opens none (not a SYN without ACK
    /// to LISTEN). Taken (§3.10.7.1, §3.10.7.2) or dropped, it changes
    /// nothing but whether a RST answers it, so one model holds both ways,
    /// its RST optional. Forking instead doubles the branches for each such
    /// segment, and a fuzz chain of them (smoltcp drops a SACK option of
    /// length 2 and takes a Timestamps option of length 8 as unknown) cut
    /// the branch the target followed (rst-closed-numbers of campaign 10;
    /// to LISTEN, rst-not-sent of campaign 11).
    pub(super) fn drop_needs_no_branch(&self, seg: &Segment) -> bool {
        let t = Self::tuple_to_target(seg);
        let f = seg.flags;
        let opens = f.syn() && !f.ack() && self.target.listening.contains(&t.port);
        !f.rst() && !opens && self.conn_index(t).is_none()
    }

    fn arrive_conn(&mut self, i: usize, now: Duration, seg: &Segment, taken: Taken) {
        let grace = self.profile.reply_grace;
        let policy = self.profile.reset_policy;
        let f = seg.flags;
        let c = &mut self.conns[i];
        c.quiet = false;
        c.synack.disturbed = true;
        c.data.disturbed = true;
        // What the target can acknowledge: only a segment it could accept
        // (RFC 9293 §3.10.7.4 Table 6, for some RCV.NXT candidate) moves
        // RCV.NXT, so only such a segment counts as sent. Junk far outside
        // the window, each piece less than 2^31 ahead, would otherwise walk
        // SND.MAX round the circle until it lies behind the real data.
        // Nor, in a synchronized state, a SYN (§3.10.7.4 fourth check:
        // challenge ACK, drop; a legacy stack resets) or a segment without
        // ACK (fifth check: drop): their text is never taken, so an ACK of
        // it acknowledges nothing sent.
        let end = seg.seq.add(seg.seg_len());
        let never_taken =
            (f.syn() || !f.ack()) && c.state.is_synchronized() && c.state != TcpState::TimeWait;
        if !f.rst()
            && !never_taken
            && seq_gt(end, c.harness_snd_max)
            && (c.state == TcpState::SynSent
                || c.acceptable(seg.seq, seg.seg_len()) != Some(false)
                || fin_in_zero_window(c, seg))
        {
            c.harness_snd_max = end;
        }
        c.remember_tsvals(seg);
        match c.state {
            TcpState::SynReceived => return self.arrive_syn_received(i, now, seg),
            TcpState::SynSent => return self.arrive_syn_sent(i, now, seg),
            TcpState::TimeWait if f.syn() && !f.rst() => {
                // A new SYN may reopen the tuple (RFC 9293 §3.10.7.4 TIME-WAIT note, RFC 6191).
                // An earlier event that may have reset it stays the explanation.
                if c.maybe_reset.is_none() {
                    c.maybe_reset = Some(MaybeReset {
                        rule: None,
                        why: "a SYN arrived in TIME-WAIT (it may reopen the connection)".into(),
                    });
                }
                c.reopen = Some(seg.clone());
                // Not a RST: a RST the target sends now does not answer one.
                c.last_was_rst = false;
                return;
            }
            _ => {}
        }
        // Synchronized states, RFC 9293 §3.10.7.4.
        let seg_len = seg.seg_len();
        let acceptable = match c.acceptable(seg.seq, if f.rst() { 0 } else { seg_len }) {
            None if taken.acceptable || taken.window => Some(true),
            a => a,
        };
        if f.rst() {
            c.last_was_rst = true;
            // RST check (RFC 5961 §3.2).
            let exact = c.rcv.lo == c.rcv.hi && seg.seq == c.rcv.lo;
            if exact && more_than_one_control(seg) {
                // RFC 9293 checks RST before SYN and FIN, but a stack may
                // drop a segment with several control bits (smoltcp does).
                c.reset_undecided = Some(MaybeReset::either_way());
                return;
            }
            if exact {
                let gone = if !seg.payload.is_empty() && c.rcv_wnd(c.rcv.lo) == 0 {
                    Gone::ResetInZeroWindow(now)
                } else {
                    Gone::ResetByHarness(now)
                };
                self.drop_conn(i, gone);
                return;
            }
            match acceptable {
                Some(true) => {
                    if c.rcv_nxt_possible(seg.seq) {
                        // Possibly exact: either outcome is fine.
                        c.reset_undecided = Some(MaybeReset::either_way());
                    } else {
                        let why = format!(
                            "an in-window RST with seq {} not at RCV.NXT {}",
                            super::finding::peer(seg.seq),
                            c.rcv_nxt_text()
                        );
                        c.reset_undecided = Some(MaybeReset {
                            rule: Some(RuleId::RstInWindowResets),
                            why: why.clone(),
                        });
                        if policy == ResetPolicy::Rfc5961 {
                            c.owe(
                                Owed::Ack {
                                    missing: c.challenge_missing_rule(),
                                    numbers: RuleId::ChallengeAckNumbers,
                                    requirement: None,
                                    upto: c.harness_snd_max,
                                    why,
                                },
                                now,
                                grace,
                            );
                        }
                    }
                }
                None => {
                    c.reset_undecided = Some(MaybeReset::either_way());
                }
                Some(false) => {
                    // §3.10.7.4: out of window, drop silently. A RST whose
                    // data reaches into the window passes the first check
                    // (Table 6 with SEG.LEN > 0): RFC 793 resets on it.
                    if let Some(why) = rst_data_in_window(c, seg) {
                        c.reset_undecided = Some(MaybeReset {
                            rule: Some(RuleId::RstInWindowResets),
                            why,
                        });
                    }
                }
            }
            return;
        }
        c.last_was_rst = false;
        // RFC 7323 §3.2: a non-RST segment without TSopt may be dropped
        // silently (or accepted): follow it, but owe nothing for it.
        c.quiet = (c.opts.ts_ok && seg.timestamps().is_none()) || more_than_one_control(seg);
        if c.state == TcpState::TimeWait {
            // §3.10.7.4 TIME-WAIT: the target ACKs, or (TIME-WAIT over) answers as LISTEN/CLOSED.
            // A stack still in CLOSING (it ignored the ACK of the FIN
            // segment that brought the model here) takes the same ACK
            // without a FIN: TIME-WAIT for it too.
            let same_ack = f.ack() && !f.fin() && !f.syn() && seg.ack == c.snd.una;
            if same_ack && acceptable != Some(false) {
                c.follow.fin_segment_una = None;
            }
            return;
        }
        if f.syn() {
            // RFC 5961 §4.2 / RFC 9293 §3.10.7.4 fourth check: challenge ACK, whatever the seq.
            let why = format!(
                "a SYN (seq {}) in {}",
                super::finding::peer(seg.seq),
                c.state
            );
            let in_window = acceptable == Some(true);
            if c.maybe_reset.is_some() {
                // The connection may be gone already (an earlier RST): this
                // SYN may open a fresh one, and that earlier event explains it.
                c.reopen = Some(seg.clone());
            } else {
                c.maybe_reset = Some(MaybeReset {
                    rule: Some(RuleId::SynInWindowResets),
                    why: why.clone(),
                });
            }
            if policy == ResetPolicy::Rfc5961 || !in_window {
                c.owe(
                    Owed::Ack {
                        missing: c.challenge_missing_rule(),
                        numbers: RuleId::ChallengeAckNumbers,
                        requirement: Some("RFC 5961 §4.2"),
                        upto: c.harness_snd_max,
                        why,
                    },
                    now,
                    grace,
                );
            }
            return;
        }
        if acceptable == Some(false) {
            if fin_in_zero_window(c, seg) {
                fin_maybe_taken(c, seg);
            }
            let why = format!(
                "an unacceptable segment (seq {} len {}, RCV.NXT {} RCV.WND {})",
                super::finding::peer(seg.seq),
                seg_len,
                c.rcv_nxt_text(),
                c.rcv_wnd(c.rcv.hi)
            );
            c.owe(
                Owed::Ack {
                    missing: RuleId::AckNotSent,
                    numbers: RuleId::UnacceptableAckNumbers,
                    requirement: None,
                    upto: c.harness_snd_max,
                    why,
                },
                now,
                grace,
            );
            return;
        }
        if !f.ack() {
            return; // §3.10.7.4: ACK bit off → drop.
        }
        let Some(_) = c.snd.iss else { return };
        // ACK processing (fifth check).
        if seq_gt(seg.ack, c.snd.nxt) {
            let why = format!(
                "an ACK of unsent data (ack {} > SND.NXT {})",
                super::finding::tgt(seg.ack),
                super::finding::tgt(c.snd.nxt)
            );
            if c.follow.unsent_acks.len() == super::tcb::UNSENT_ACK_MEMORY {
                c.follow.unsent_acks.remove(0);
            }
            let wnd = c.harness_window(seg.window, false);
            c.follow.unsent_acks.push((seg.ack, wnd));
            fin_maybe_taken(c, seg);
            if self
                .profile
                .allows(RuleId::UnacceptableAckNumbers)
                .is_some()
            {
                text_maybe_taken_on_unsent_ack(c, seg);
            }
            c.owe(
                Owed::Ack {
                    missing: RuleId::AckNotSent,
                    numbers: RuleId::UnacceptableAckNumbers,
                    requirement: None,
                    upto: c.harness_snd_max,
                    why,
                },
                now,
                grace,
            );
            return;
        }
        let old_ack = seq_lt(seg.ack, c.snd.una);
        let una_before = c.snd.una;
        let state_before = c.state;
        if seq_lt(seg.ack, c.snd.una.sub(c.snd.max_wnd)) && c.snd.max_wnd > 0 {
            // RFC 5961 §5.2: too old an ACK → ACK and drop.
            let why = format!(
                "an ACK too far below SND.UNA (ack {}, SND.UNA {}, MAX.SND.WND {})",
                super::finding::tgt(seg.ack),
                super::finding::tgt(c.snd.una),
                c.snd.max_wnd
            );
            c.owe(
                Owed::Ack {
                    missing: RuleId::AckNotSent,
                    numbers: RuleId::UnacceptableAckNumbers,
                    requirement: None,
                    upto: c.harness_snd_max,
                    why,
                },
                now,
                grace,
            );
            return;
        }
        if seq_gt(seg.ack, c.snd.una) {
            // A FIN segment in order after the harness's FIN (CLOSE-WAIT,
            // CLOSING, LAST-ACK): a stack may drop it, ACK and all (smoltcp),
            // which its next segments show (`judge`).
            // So may one that took an earlier FIN the model holds undecided
            // (`Conn::maybe_fin`, RCV.NXT possibly one past it): it is in
            // CLOSE-WAIT or CLOSING already (fuzz: challenge-ack-numbers of
            // campaign 11).
            let after_fin = matches!(
                c.state,
                TcpState::CloseWait | TcpState::Closing | TcpState::LastAck
            ) || c
                .maybe_fin
                .is_some_and(|m| c.rcv_nxt_possible(m.seq.add(1)));
            // After several such segments, it sends from the first one's.
            c.follow.fin_segment_una = (after_fin && f.fin() && seq_le(seg.seq, c.rcv.hi))
                .then_some(c.follow.fin_segment_una.unwrap_or(c.snd.una));
            c.snd.una = seg.ack;
            // RFC 6298 §5.3: an ACK of new data restarts the timer.
            c.data.last = Some((c.snd.una, now));
            c.data.interval = None;
            c.data.disturbed = false;
            if let Some(fin) = c.fin_seq {
                if seq_gt(seg.ack, fin) {
                    match c.state {
                        TcpState::FinWait1 => c.state = TcpState::FinWait2,
                        TcpState::Closing => {
                            c.state = TcpState::TimeWait;
                            c.time_wait_since = Some(now);
                        }
                        TcpState::LastAck => {
                            // A FIN in order (not held for a hole before it).
                            let gone = if f.fin() && seq_le(seg.seq, c.rcv.hi) {
                                Gone::ClosedByFinSegment(now)
                            } else {
                                Gone::Closed(now)
                            };
                            self.drop_conn(i, gone);
                            return;
                        }
                        _ => {}
                    }
                }
            }
        }
        if seg.ack == c.snd.una && !f.fin() {
            // The same ACK without a FIN: a stack that ignored the FIN
            // segment's ACK takes this one, so it has that SND.UNA now too.
            c.follow.fin_segment_una = None;
        }
        // Window update (§3.10.7.4, SND.WL1/SND.WL2). An ACK below SND.UNA
        // but not below `Follow::fin_segment_una` may be the target's SND.UNA
        // still: a target that dropped the FIN segment that moved
        // SND.UNA, ACK and all (smoltcp: `fin-segment-ack-ignored`), has its
        // SND.UNA there and takes this ACK and its window.
        let not_below = |floor: Option<SeqNumber>| floor.is_some_and(|fl| seq_ge(seg.ack, fl));
        let maybe_current = old_ack && not_below(c.follow.fin_segment_una);
        if !old_ack || maybe_current {
            let wnd = c.harness_window(seg.window, false);
            let before = c.send_right_edge();
            let certain = acceptable == Some(true) && (!maybe_current || taken.window);
            c.window_update(seg, wnd, certain);
            // A FIN segment in order after the harness's FIN: a stack that
            // drops it, window and all (smoltcp), keeps the edge before it
            // (the first such segment's); it takes a later ACK's window.
            let fin_after_fin = f.fin()
                && seq_le(seg.seq, c.rcv.hi)
                && matches!(
                    c.state,
                    TcpState::CloseWait | TcpState::Closing | TcpState::LastAck
                );
            if !fin_after_fin {
                c.follow.fin_segment_right = None;
            } else if c.follow.fin_segment_right.is_none() {
                let after = c.send_right_edge();
                c.follow.fin_segment_right =
                    before.filter(|&b| after.is_some_and(|a| seq_gt(b, a)));
            }
        }
        // A target that took a harness ACK of unsent data (smoltcp takes any
        // ACK within its send buffer) has SND.UNA there: to it this ACK may
        // be below SND.UNA, and its data dropped with it (MAY-12).
        let snd_nxt = c.snd.nxt;
        c.follow.unsent_acks.retain(|&(a, _)| seq_gt(a, snd_nxt));
        let old_to_target = old_ack
            || c.follow
                .unsent_acks
                .iter()
                .any(|&(a, _)| seq_lt(seg.ack, a));
        // CLOSE-WAIT, CLOSING, LAST-ACK ignore text (seventh check); a
        // stack that takes it anyway has RCV.NXT past it. Its ACK shows it
        // (`ack-past-fin`, judged), often only after later segments that the
        // model must judge as that stack sees them (a RST at the old
        // RCV.NXT, an ACK of its FIN): RCV.NXT may lie past the text.
        text_after_fin(c, seg, una_before, state_before);
        self.arrive_text(i, now, seg, old_to_target);
    }

    /// Sixth to eighth checks: URG (ignored), segment text, FIN.
    pub(super) fn arrive_text(&mut self, i: usize, now: Duration, seg: &Segment, old_ack: bool) {
        let c = &mut self.conns[i];
        let receiving = matches!(
            c.state,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        );
        if !receiving {
            return; // CLOSE-WAIT, CLOSING, LAST-ACK: the peer already sent FIN; text ignored.
        }
        let start = seg.seq;
        let end = seg.seq.add(seg.payload.len() as u32);
        if !seg.payload.is_empty() {
            if c.follow.harness_text.len() == super::tcb::HARNESS_TEXT_MEMORY {
                c.follow.harness_text.remove(0);
            }
            c.follow.harness_text.push((start, end));
            if let Some(m) = c.maybe_fin.as_mut() {
                m.text_over |= seq_le(start, m.seq) && seq_gt(end, m.seq);
            }
        }
        let mut new_hi = c.rcv.hi;
        if !seg.payload.is_empty() && seq_le(start, c.rcv.hi) && seq_gt(end, c.rcv.hi) {
            new_hi = match c.rcv.right {
                Some(right) if seq_gt(end, right) => right,
                _ => end,
            };
        }
        let mut fin = false;
        // A FIN on data that is all old, ending at RCV.NXT: only the FIN is new.
        let fin_on_old_data = seg.flags.fin() && !seg.payload.is_empty() && end == c.rcv.hi;
        // RCV.NXT a range (a SYN's text queued or dropped) and the segment
        // starting past its low end: in order, FIN and all, only for the
        // high candidates; out of order for the low ones (§3.10.7.4). The
        // target's ACK of the FIN decides (`judge`).
        let in_order_for_some = c.rcv.lo != c.rcv.hi && seq_gt(start, c.rcv.lo);
        if seg.flags.fin() && seq_le(start, c.rcv.hi) && new_hi == end && in_order_for_some {
            c.fin_undecided(end);
        } else if seg.flags.fin() && seq_le(start, c.rcv.hi) && new_hi == end {
            fin = true;
            new_hi = end.add(1);
        } else if seg.flags.fin() && seq_le(start, c.rcv.hi) && seq_le(c.rcv.lo, end) {
            // RCV.NXT is a range and the FIN lies inside it (a SYN's data
            // queued or dropped): taken for the low candidates, old for the
            // high ones. The target's ACK of it decides (`judge`).
            c.fin_undecided(end);
        }
        if new_hi == c.rcv.hi {
            return;
        }
        let determinate = c.rcv.lo == c.rcv.hi;
        c.rcv.hi = new_hi;
        if determinate {
            // MUST-40: the ACK for it may be delayed, but less than 0.5 s.
            let wait = ACK_DELAY_MAX.mul_f64(1.0 + self.profile.timer_tolerance);
            c.owe(
                Owed::AckData {
                    upto: new_hi,
                    old_ack,
                    fin_on_old_data: fin && fin_on_old_data,
                },
                now,
                wait,
            );
        }
        if fin && old_ack {
            // Its ACK is below SND.UNA (to the target): a stack may drop
            // the segment, FIN and all (MAY-12; smoltcp), so the target's
            // ACK of the FIN decides (`judge`), as for a FIN inside the
            // RCV.NXT range.
            c.fin_undecided(end);
        } else if fin {
            // Taken on arrival, not one undecided before.
            c.maybe_fin = None;
            c.fin_received(end, now);
        }
    }
}
