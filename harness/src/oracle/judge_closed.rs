//! Target segments judged outside a connection's data exchange: those on
//! a tuple with no connection in the model (the target's active open, a RST
//! for a closed port, a segment after the connection is gone) and RSTs on a
//! connection, with the owed-RST matching both use. Everything else the
//! target sends is judged in `judge.rs`.

use super::finding::{peer, tgt};
use super::model::{at_least, rst_text, Oracle};
use super::profile::RFC_TIME_WAIT;
use super::rules::{Finding, RuleId};
use super::tcb::{Gone, Owed, Tuple};
use crate::wire::{seq_ge, seq_gt, seq_le, Segment, SeqNumber, TcpState};
use std::time::Duration;

impl Oracle {
    /// A segment on a tuple with no connection in the model.
    pub(super) fn judge_no_conn(
        &mut self,
        t: Tuple,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) {
        let f = seg.flags;
        if f.syn() && !f.ack() && !f.rst() {
            // The target's active open (`syn_sent.rs`).
            return self.open_active(t, now, seg, out);
        }
        let gone = self.closed.get(t).map(|c| (c.gone, c.last_was_rst));
        let (gone, last_was_rst) = gone.unwrap_or((Gone::Never, false));
        if f.rst() {
            let abort = self
                .closed
                .get_mut(t)
                .filter(|c| c.abort_rst && !c.owed.iter().any(|o| rst_matches(&o.owed, seg)));
            if let Some(c) = abort {
                // The application's abort (see `Closed::abort_rst`): what
                // the tuple owed as CLOSED it never owed, and expires as
                // the deviation that kept the connection.
                c.abort_rst = false;
                return;
            }
            match self.owed_rst_answered(t, seg, last_was_rst) {
                Some(found) => out.extend(found),
                None if last_was_rst => out.push(self.finding(
                    RuleId::RstForRst,
                    format!(
                        "RST (seq {}) sent in reply to a RST on a connection that does not exist",
                        tgt(seg.seq)
                    ),
                )),
                // §3.10.4 CLOSE / §3.10.5 ABORT in SYN-SENT: delete the
                // TCB, send nothing; no segment asked for this RST.
                None if matches!(gone, Gone::ClosedInSynSent(_)) => out.push(self.finding(
                    RuleId::RstAfterCloseInSynSent,
                    format!(
                        "RST (seq {}) after the application closed in SYN-SENT, which sends nothing",
                        tgt(seg.seq)
                    ),
                )),
                None => {}
            }
            return;
        }
        if f.syn() && f.ack() && self.acks_corrupt(t, seg.ack, true) {
            out.push(self.finding(
                RuleId::BadChecksumAccepted,
                format!(
                    "SYN-ACK (ack {}) answers a SYN that had a bad checksum",
                    peer(seg.ack)
                ),
            ));
            return;
        }
        if f.syn() && f.ack() {
            out.push(self.finding(
                RuleId::SynAckWithoutSyn,
                format!(
                    "SYN-ACK (seq {} ack {}) to {} which sent no SYN",
                    tgt(seg.seq),
                    peer(seg.ack),
                    t.harness
                ),
            ));
            return;
        }
        // After the harness's RST, only an ACK that can have crossed it:
        // one sent later, within the reply grace. On a virtual clock the
        // target answers at the instant it reads a segment, so a reply at
        // the RST's own instant came after the RST was taken.
        let grace = self.profile.reply_grace;
        let crossed = match gone {
            Gone::ResetByHarness(at) | Gone::ResetInZeroWindow(at) => now > at && now - at <= grace,
            _ => true,
        };
        let dup_ack = self.closed.get_mut(t).filter(|_| crossed).and_then(|c| {
            let pure = f.ack() && !f.syn() && !f.fin() && seg.payload.is_empty();
            match c.dup_ack {
                Some((snd, lo, hi))
                    if pure && seg.seq == snd && seq_ge(seg.ack, lo) && seq_le(seg.ack, hi) =>
                {
                    c.dup_ack.take()
                }
                _ => None,
            }
        });
        if dup_ack.is_some() {
            return; // the duplicate ACK for out-of-order data (see `Closed::dup_ack`)
        }
        let text_ack = self.closed.get_mut(t).and_then(|c| {
            let pure = f.ack() && !f.syn() && !f.fin() && seg.payload.is_empty();
            match c.text_ack {
                Some((snd, fin_ack, upto))
                    if pure
                        && seg.seq == snd
                        && seq_gt(seg.ack, fin_ack)
                        && seq_le(seg.ack, upto) =>
                {
                    c.text_ack.take()
                }
                _ => None,
            }
        });
        if let Some((_, fin_ack, _)) = text_ack {
            // See `Closed::text_ack`: the text past the FIN was taken.
            out.push(self.finding(
                RuleId::AckPastFin,
                format!(
                    "ack {} covers text the harness sent after its FIN at {} (RCV.NXT {}), on the segment whose ACK of the target's FIN closed LAST-ACK",
                    peer(seg.ack),
                    peer(fin_ack.sub(1)),
                    peer(fin_ack)
                ),
            ));
            return;
        }
        // After a FIN segment's ACK closed LAST-ACK in the model, a target
        // that ignored that segment (smoltcp) still has the connection and
        // dropped the RST as out of its window: its segment is that
        // connection's (a retransmitted FIN, say), not a reply to the RST.
        // So has one that dropped a RST with text in its zero window.
        let still_open = matches!(
            gone,
            Gone::ClosedByFinSegment(_) | Gone::ResetInZeroWindow(_)
        );
        // A RST refused the target's active open: a segment after it is
        // one on a connection that is gone, not a reply to a closed port's RST.
        let refused = matches!(gone, Gone::Refused(_));
        let (rule, why) = if last_was_rst && !still_open && !refused {
            (
                RuleId::ReplyToRst,
                "in reply to a RST to a closed port or LISTEN".to_string(),
            )
        } else {
            after_gone(gone)
        };
        out.push(self.segment_finding(rule, seg, &why));
    }

    pub(super) fn judge_rst(
        &mut self,
        i: usize,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) {
        // The fifth check's RST before the first check's ACK (`seq_first.rs`).
        out.extend(self.rst_before_seq_check(i, seg));
        let c = &mut self.conns[i];
        // A RST answers the owed one it matches, else the oldest required
        // one (wrongly); an optional one it does not match is not its reason.
        let matching = c.owed.iter().position(|o| rst_matches(&o.owed, seg));
        let owed_any = c.owed.iter().any(|o| matches!(o.owed, Owed::Rst { .. }));
        // RFC 793's reset of a SYN in TIME-WAIT (`judge_time_wait.rs`),
        // which may be <SEQ=0> (a SYN without ACK): not below ISS.
        if matching.is_none() {
            if let Some(f) = self.reset_of_syn_in_time_wait(i, now, seg) {
                out.push(f);
                return;
            }
        }
        let c = &self.conns[i];
        // A target whose TIME-WAIT is over, or whose connection an earlier
        // event may have reset, answers as CLOSED or LISTEN: <SEQ=SEG.ACK>
        // (§3.10.7.1), whatever the harness put there.
        let may_be_closed = c.state == TcpState::TimeWait || c.maybe_reset.is_some();
        if matching.is_none() && !owed_any && !may_be_closed {
            // Not an answer to a segment (whose SEG.ACK it would carry): an
            // ABORT's RST, <SEQ=SND.NXT> (§3.10.5), inside the space used.
            if let Some(msg) = super::judge_seq::before_iss(c.snd.iss, c.snd.nxt, seg) {
                out.push(self.finding(RuleId::SeqBeforeIss, msg));
            }
        }
        let c = &mut self.conns[i];
        if matching.is_none() && c.aborted {
            // §3.10.5 ABORT: the application's RST, not an answer to a
            // segment; the TCB and whatever it owed are gone.
            self.drop_conn(i, Gone::ResetByTarget(now));
            return;
        }
        let required = c.owed.iter().position(|o| {
            matches!(
                o.owed,
                Owed::Rst {
                    optional: false,
                    ..
                }
            )
        });
        if let Some(pos) = matching.or(required) {
            let o = c.owed.remove(pos);
            if matching.is_none() && c.maybe_reset.is_some() {
                // Not the owed RST, but the connection may have been reset
                // (a SYN-ACK in SYN-RECEIVED, say): judged as that reset below.
                return self.judge_rst(i, now, seg, out);
            }
            if matching.is_none() {
                out.extend(self.wrong_rst(&o.owed, seg));
            }
            // SYN-RECEIVED stays: the handshake may still complete (§3.10.7.4 fifth check).
            return;
        }
        let c = &self.conns[i];
        if c.last_was_rst {
            out.push(self.finding(
                RuleId::RstForRst,
                format!(
                    "RST (seq {}) in reply to a RST in {}",
                    tgt(seg.seq),
                    c.state
                ),
            ));
        }
        // The RST shows an earlier event reset the connection: whatever
        // state the model reached since (TIME-WAIT, say) never was.
        let mut reset_earlier = false;
        // The earlier event is one the profile says this target resets on:
        // its RST is that reset world's answer, as owed as any.
        let mut reset_allowed = false;
        if let Some(m) = &c.maybe_reset {
            // A RST that acknowledges data sent after that event comes from a
            // TCB that processed the data: the event did not reset it (an
            // application's abort, say, which the oracle may not hear of).
            let later = seg.flags.ack()
                && seq_gt(seg.ack, c.reset_upto)
                && seq_le(seg.ack, c.harness_snd_max);
            if let Some(rule) = m.rule.filter(|_| !later) {
                reset_earlier = true;
                let msg = format!(
                    "the connection was reset after {} (RST seq {})",
                    m.why,
                    tgt(seg.seq)
                );
                let f = self.finding(rule, msg);
                reset_allowed = f.deviation.is_some();
                out.push(f);
            }
            // An event that may have reset the connection either way (a RST
            // at RCV.NXT or in the window for some RCV.NXT candidate, one a
            // stack may drop; any such event before TIME-WAIT): it ended
            // TIME-WAIT, not its timer.
            if m.rule.is_none() && c.reset_ends_time_wait && !later {
                reset_earlier = true;
            }
        }
        if let Some(since) = c.time_wait_since.filter(|_| !reset_earlier) {
            let lasted = now.saturating_sub(since);
            let tol = self.profile.timer_tolerance;
            if c.state == TcpState::TimeWait && !at_least(lasted, RFC_TIME_WAIT, tol) {
                let within = at_least(lasted, self.profile.time_wait, tol);
                out.push(self.finding_bounded(
                    RuleId::TimeWaitTooShort,
                    format!(
                        "RST after {:.1} s of TIME-WAIT; 2×MSL is {} s",
                        lasted.as_secs_f64(),
                        RFC_TIME_WAIT.as_secs()
                    ),
                    within,
                ));
            }
        }
        // <SEQ=SEG.ACK> for an ACK-bearing segment (a SYN, `Conn::reopen`,
        // or any other) that came after the event that may have reset the
        // connection: what LISTEN or CLOSED owes it (§3.10.7.2, §3.10.7.1)
        // once that event reset the connection, so a segment did owe this
        // RST (fuzz: rst-not-sent of campaign 12, a RST whose text reached
        // into smoltcp's window; the README run's, an in-window RST).
        let c = &self.conns[i];
        let answers_reopen = c.maybe_reset.is_some()
            && !seg.flags.ack()
            && (c.acks_after_maybe_reset.contains(&seg.seq)
                || c.reopen
                    .as_ref()
                    .is_some_and(|r| r.flags.ack() && seg.seq == r.ack));
        // No segment owed this RST (above), no abort was heard of.
        let gone = if reset_allowed || answers_reopen {
            Gone::ResetByTarget(now)
        } else {
            Gone::ResetUnowed(now)
        };
        self.drop_conn(i, gone);
    }
}

fn rst_matches(owed: &Owed, seg: &Segment) -> bool {
    match owed {
        Owed::Rst {
            seq, ack: Some(a), ..
        } => seg.seq == *seq && seg.flags.ack() && seg.ack == *a,
        Owed::Rst { seq, ack: None, .. } => seg.seq == *seq && !seg.flags.ack(),
        _ => false,
    }
}

impl Oracle {
    /// Settles the RST a segment to tuple `t` (no connection) owed that the
    /// target's RST `seg` answers: `None` when it answers none, else the
    /// finding when its numbers are wrong. A RST answers the required one
    /// it matches; else the oldest required one with numbers the profile
    /// allows (a required RST must come, so the target sent that one: not
    /// an optional one's whose numbers happen to match, see
    /// `drop_needs_no_branch`); else an optional one it matches; else the
    /// oldest required one, wrongly; else the oldest optional one with
    /// numbers the profile allows (the optional ones before it dropped),
    /// else the oldest one with any numbers `after_rst` (the
    /// last segment to `t` was a RST, which nothing may answer). Otherwise
    /// the optional ones' segments may have been dropped, as a stack may
    /// (MUST-7): the RST answers nothing.
    fn owed_rst_answered(
        &mut self,
        t: Tuple,
        seg: &Segment,
        after_rst: bool,
    ) -> Option<Option<Finding>> {
        let owed = self.closed.get(t).map_or(&[][..], |c| &c.owed[..]);
        let find = |optional: bool, matching: bool| {
            owed.iter().position(|o| {
                matches!(o.owed, Owed::Rst { optional: opt, .. } if opt == optional)
                    && (!matching || rst_matches(&o.owed, seg))
            })
        };
        let allowed = |k: Option<usize>| {
            k.filter(|&k| {
                self.wrong_rst(&owed[k].owed, seg)
                    .is_some_and(|f| f.deviation.is_some())
            })
        };
        let required = find(false, false);
        let optional = find(true, false);
        // Any optional one may be the answered one: those before it may
        // have been dropped (MUST-7), not only the oldest.
        let optional_allowed = owed.iter().position(|o| {
            matches!(o.owed, Owed::Rst { optional: true, .. })
                && self
                    .wrong_rst(&o.owed, seg)
                    .is_some_and(|f| f.deviation.is_some())
        });
        let (k, wrong) = if let Some(k) = find(false, true) {
            (k, false)
        } else if let Some(k) = allowed(required) {
            (k, true)
        } else if let Some(k) = find(true, true) {
            (k, false)
        } else if let Some(k) = required
            .or(optional_allowed)
            .or(optional.filter(|_| after_rst))
        {
            (k, true)
        } else {
            return None;
        };
        let o = self.closed_mut(t).owed.remove(k);
        Some(if wrong {
            self.wrong_rst(&o.owed, seg)
        } else {
            None
        })
    }

    /// The finding for a RST that answered `owed` with other numbers
    /// (`None` when `owed` is not a RST).
    fn wrong_rst(&self, owed: &Owed, seg: &Segment) -> Option<Finding> {
        let Owed::Rst {
            seq,
            ack,
            numbers,
            why,
            ..
        } = owed
        else {
            return None;
        };
        // The right SEQ without the ACK an ACK-less segment's RST needs: its own rule.
        let rule = if *numbers == RuleId::RstClosedNumbers
            && ack.is_some()
            && !seg.flags.ack()
            && seg.seq == *seq
        {
            RuleId::RstClosedAckMissing
        } else {
            *numbers
        };
        Some(self.finding(rule, wrong_rst_message(seg, *seq, *ack, why)))
    }
}

fn wrong_rst_message(seg: &Segment, seq: SeqNumber, ack: Option<SeqNumber>, why: &str) -> String {
    let got = if seg.flags.ack() { Some(seg.ack) } else { None };
    format!(
        "RST was {} after {why}; expected {}",
        rst_text(seg.seq, got),
        rst_text(seq, ack)
    )
}

impl Oracle {
    /// A finding of `rule` about the target's `seg`, `why` saying what
    /// makes it one (a connection that ended, a RST it answers).
    pub(super) fn segment_finding(&self, rule: RuleId, seg: &Segment, why: &str) -> Finding {
        self.finding(
            rule,
            format!(
                "segment (flags {} seq {} ack {} len {}) {why}",
                seg.flags,
                tgt(seg.seq),
                peer(seg.ack),
                seg.payload.len()
            ),
        )
    }
}

/// The rule a target segment breaks on a connection that ended as `gone`
/// in the model, and why, for its message.
pub(super) fn after_gone(gone: Gone) -> (RuleId, String) {
    match gone {
        Gone::ResetByHarness(at) => (
            RuleId::RstAtRcvNxtIgnored,
            format!(
                "after the harness reset the connection at RCV.NXT ({:.3} s)",
                at.as_secs_f64()
            ),
        ),
        Gone::ResetInZeroWindow(at) => (
            RuleId::RstWithTextInZeroWindowIgnored,
            format!(
                "after the harness reset the connection with a RST at RCV.NXT that carried text while the receive window was zero ({:.3} s)",
                at.as_secs_f64()
            ),
        ),
        Gone::ResetByTarget(at) | Gone::ResetUnowed(at) => (
            RuleId::SegmentOnClosedConnection,
            format!(
                "after the target reset the connection ({:.3} s)",
                at.as_secs_f64()
            ),
        ),
        Gone::ClosedByFinSegment(at) => (
            RuleId::FinSegmentAckIgnored,
            format!(
                "after a FIN segment acknowledged the target's FIN in LAST-ACK, which closed the connection ({:.3} s)",
                at.as_secs_f64()
            ),
        ),
        Gone::Refused(at) => (
            RuleId::SegmentOnClosedConnection,
            format!(
                "after the harness refused the connection: a RST acknowledging the target's SYN in SYN-SENT ({:.3} s)",
                at.as_secs_f64()
            ),
        ),
        Gone::Closed(at) => (
            RuleId::SegmentOnClosedConnection,
            format!("after the connection closed ({:.3} s)", at.as_secs_f64()),
        ),
        Gone::ClosedInSynSent(at) => (
            RuleId::SegmentOnClosedConnection,
            format!(
                "after the application closed it in SYN-SENT ({:.3} s)",
                at.as_secs_f64()
            ),
        ),
        Gone::Never => (
            RuleId::SegmentOnClosedConnection,
            "on a connection that does not exist".to_string(),
        ),
    }
}
