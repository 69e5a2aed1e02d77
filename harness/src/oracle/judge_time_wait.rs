//! A RST from TIME-WAIT that answers a SYN: RFC 793's reset, not the
//! TIME-WAIT timer cut short.
//!
//! RFC 9293 §3.10.7.4 (fourth check) groups TIME-WAIT with the other
//! synchronized states: a SYN there may be a new connection attempt, "an
//! error where the connection should be reset", or an attack (RFC 5961 §4.2:
//! a challenge ACK). "For implementations that do not follow RFC 5961" it
//! keeps RFC 793's text: a SYN in the window is an error, send a reset.
//! lwIP 2.1.3 does that in TIME-WAIT (`tcp_timewait_input`: "If the SYN is
//! in the window it is an error, send a reset", `<SEQ=SEG.ACK><ACK=SEG.SEQ+
//! SEG.LEN><CTL=RST,ACK>`) and keeps the TCB, still in TIME-WAIT. Such a
//! RST is reported as the RFC 793 reset it is (`syn-in-window-resets`, which
//! the rfc793 profile allows), and the connection is kept as possibly reset:
//! the target's next segment shows whether TIME-WAIT went on (its ACK) or
//! the TCB was deleted (a closed port's RST), and neither is a violation.
//! A RST that answers no SYN, or comes after the profile's own TIME-WAIT
//! length, stays a TIME-WAIT ended early (`judge_closed.rs`).

use super::model::{at_least, Oracle};
use super::rules::{Finding, RuleId};
use super::tcb::MaybeReset;
use crate::wire::{Segment, SeqNumber, TcpState};
use std::time::Duration;

impl Oracle {
    /// When the target's RST `seg` on connection `i` answers a SYN that
    /// arrived in TIME-WAIT inside the window, the finding for that reset;
    /// the connection then stays, as possibly reset (see the module doc).
    pub(super) fn reset_of_syn_in_time_wait(
        &mut self,
        i: usize,
        now: Duration,
        seg: &Segment,
    ) -> Option<Finding> {
        let c = &self.conns[i];
        // The application's abort sends its own RST (`judge_rst`).
        if c.state != TcpState::TimeWait || c.aborted {
            return None;
        }
        let syn = c.reopen.as_ref()?;
        // An earlier event that may have reset the connection (a RST in
        // the window, say) explains the RST as well: `judge_rst` weighs it.
        // The SYN's own uncertainty (`arrive`: it may reopen the tuple) has
        // no rule and does not end TIME-WAIT.
        if c.maybe_reset
            .as_ref()
            .is_some_and(|m| m.rule.is_some() || c.reset_ends_time_wait)
        {
            return None;
        }
        let since = c.time_wait_since?;
        let tol = self.profile.timer_tolerance;
        if at_least(now.saturating_sub(since), self.profile.time_wait, tol) {
            // TIME-WAIT over by the profile's own length: a closed port's
            // RST is as good a reading, and the one the profile allows.
            return None;
        }
        // §3.10.7.1's reset forms for the SYN (<SEQ=SEG.ACK> when it
        // carried an ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>), or one from
        // SND.NXT, the sequence number a synchronized TCB sends from.
        let answers = if syn.flags.ack() {
            seg.seq == syn.ack
        } else {
            seg.seq == SeqNumber(0) && seg.flags.ack() && seg.ack == syn.seq.add(syn.seg_len())
        };
        let in_window = c.acceptable(syn.seq, syn.seg_len()) == Some(true);
        if !(answers || seg.seq == c.snd.nxt) || !in_window {
            return None;
        }
        let msg = format!(
            "RST (seq {}) in TIME-WAIT in reply to a SYN (seq {}) in the window: RFC 793's reset, where RFC 5961 §4.2 sends a challenge ACK",
            seg.seq, syn.seq
        );
        let c = &mut self.conns[i];
        c.reopen = None;
        c.last_was_rst = false;
        c.maybe_reset = Some(MaybeReset {
            rule: None,
            why: "the target reset a SYN in TIME-WAIT (RFC 793: the TCB may be deleted)".into(),
        });
        // A closed port's RST later ends this TIME-WAIT, not its timer.
        c.reset_ends_time_wait = true;
        Some(self.finding(RuleId::SynInWindowResets, msg))
    }
}
