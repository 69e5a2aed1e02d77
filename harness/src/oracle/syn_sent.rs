//! The target's active open (RFC 9293 §3.10.1 OPEN, active; §3.10.7.3
//! SEGMENT ARRIVES in SYN-SENT): its SYN, what it owes for what arrives in
//! SYN-SENT, and the ACK that completes its handshake.
//!
//! A connection enters SYN-SENT when the target sends a SYN without ACK on
//! a tuple the model has no connection for: after the application's
//! `connect` ([`AppEvent::Connect`](super::AppEvent::Connect)), or in a
//! capture, which has no application events, on the SYN alone. Then, per
//! §3.10.7.3, in order:
//!
//! 1. an ACK with SEG.ACK =< ISS or SEG.ACK > SND.NXT is unacceptable: it
//!    draws `<SEQ=SEG.ACK><CTL=RST>` (`rst-syn-sent-numbers` when the
//!    numbers are wrong, `rst-not-sent` when none comes), unless the
//!    segment is itself a RST, which is dropped;
//! 2. a RST with an acceptable ACK refuses the connection (CLOSED, no
//!    reply); one without ACK is dropped. RFC 5961 §3.2 leaves SYN-SENT to
//!    this test (its sequence-number check covers the other states), and
//!    §4 (SYN) and §5 (ACK) apply to synchronized states only. Either way
//!    the target must not answer the RST with one (`rst-for-rst`, §3.5.2;
//!    its ABORT in SYN-SENT sends none either, §3.10.5);
//! 3. a SYN with an acceptable ACK (the SYN-ACK) makes ESTABLISHED, and the
//!    target acknowledges it, `<SEQ=SND.NXT><ACK=RCV.NXT>`, within the ACK
//!    delay (MUST-40, `ack-delayed-too-long`): an ACK of less than the
//!    peer's ISN + 1, or a bare one not at ISS + 1, is `handshake-ack-numbers`;
//! 4. a SYN without ACK is a simultaneous open: SYN-RECEIVED, and the
//!    target's SYN-ACK is `<SEQ=ISS><ACK=RCV.NXT>` (judged in `handshake.rs`).
//!
//! Until then the target sends only its SYN, retransmitted at the same ISS
//! with RFC 6298 timing (`rto-too-short` below the 1 s initial RTO, a
//! SHOULD; `rto-no-backoff`), and the RSTs it owes (`segment-in-syn-sent`
//! otherwise). Its SYN carries an MSS option (SHLD-5) and, with TSopt, a
//! zero TSecr (RFC 7323 §3.2: no ACK bit, no echo).

use super::finding::{peer, tgt};
use super::handshake::rto_check;
use super::model::{at_least, Oracle, ACK_DELAY_MAX};
use super::profile::RFC_TIME_WAIT;
use super::rules::{Finding, RuleId};
use super::tcb::{Conn, Gone, Owed, RtxClock, Tuple};
use crate::wire::{seq_gt, seq_le, Segment, TcpState};
use std::time::Duration;

impl Oracle {
    /// The target's SYN (no ACK) on tuple `t`, which has no connection in
    /// the model (or only one a later `connect` replaced): SYN-SENT.
    pub(super) fn open_active(
        &mut self,
        t: Tuple,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) {
        self.closed.remove(t);
        if let Some(i) = self.conn_index(t) {
            self.conns.swap_remove(i);
        }
        self.connects.retain(|p| *p != t.harness);
        let mut c = Conn::new(t, TcpState::SynSent, seg.ip.src().is_ipv6());
        c.passive = false;
        c.snd.iss = Some(seg.seq);
        c.snd.una = seg.seq;
        c.snd.nxt = seg.seq.add(seg.seg_len());
        c.opts.target_ws = seg.window_scale();
        c.opts.ts_ok = seg.timestamps().is_some();
        c.opts.sack_ok = seg.sack_permitted();
        c.synack = RtxClock {
            last: Some((seg.seq, now)),
            interval: None,
            disturbed: false,
        };
        if !seg.payload.is_empty() && !super::tfo::syn_text_allowed(seg) {
            out.push(self.finding(
                RuleId::DataBeforeEstablished,
                format!("{} bytes of payload on the target's SYN", seg.payload.len()),
            ));
        }
        self.syn_options(seg, out);
        self.conns.push(c);
    }

    /// The target's SYN (no ACK) on connection `i`, which is not in
    /// SYN-SENT: a new active open on the tuple (after a `connect`, or from
    /// TIME-WAIT). Leaving TIME-WAIT for it before 2×MSL is
    /// `time-wait-too-short` (MUST-13; a stack that reuses the tuple early,
    /// as Linux's `tcp_tw_reuse` does, shows it this way).
    pub(super) fn reopen_active(
        &mut self,
        i: usize,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) {
        let c = &self.conns[i];
        if let Some(since) = c.time_wait_since.filter(|_| c.state == TcpState::TimeWait) {
            let lasted = now.saturating_sub(since);
            let tol = self.profile.timer_tolerance;
            if !at_least(lasted, RFC_TIME_WAIT, tol) {
                let within = at_least(lasted, self.profile.time_wait, tol);
                out.push(self.finding_bounded(
                    RuleId::TimeWaitTooShort,
                    format!(
                        "a new SYN (seq {}) from the tuple after {:.1} s of TIME-WAIT; 2×MSL is {} s",
                        tgt(seg.seq),
                        lasted.as_secs_f64(),
                        RFC_TIME_WAIT.as_secs()
                    ),
                    within,
                ));
            }
        }
        let t = c.tuple;
        self.open_active(t, now, seg, out);
    }

    /// What the target's SYN (no ACK) must carry: an MSS option (RFC 9293
    /// §3.7.1, SHLD-5) and a zero TSecr (RFC 7323 §3.2).
    fn syn_options(&self, seg: &Segment, out: &mut Vec<Finding>) {
        if seg.mss().is_none() {
            out.push(self.finding(
                RuleId::MssMissing,
                format!("the target's SYN (seq {}) has no MSS option", tgt(seg.seq)),
            ));
        }
        if let Some((_, tsecr)) = seg.timestamps().filter(|&(_, e)| e != 0) {
            out.push(self.finding(
                RuleId::TsecrWithoutAck,
                format!(
                    "the target's SYN (seq {}) carries TSecr {tsecr}; without the ACK bit it is zero",
                    tgt(seg.seq)
                ),
            ));
        }
    }

    /// The target's SYN without ACK on connection `i` in SYN-SENT: a
    /// retransmission at the ISS (RFC 6298 timing), else a new ISS.
    /// `false` when it is not in SYN-SENT (the caller judges it).
    pub(super) fn judge_syn_sent_syn(
        &mut self,
        i: usize,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) -> bool {
        let c = &self.conns[i];
        if c.state != TcpState::SynSent || seg.flags.ack() {
            return false;
        }
        if self.connects.contains(&c.tuple.harness) && c.snd.iss != Some(seg.seq) {
            // A fresh `connect` on the same tuple: a new connection.
            self.open_active(c.tuple, now, seg, out);
            return true;
        }
        let initial_rto = self.profile.initial_rto;
        let tol = self.profile.timer_tolerance;
        let mut found: Vec<(RuleId, String, bool)> = Vec::new();
        let mut report = |rule: RuleId, msg: String, within: bool| found.push((rule, msg, within));
        let c = &mut self.conns[i];
        match c.snd.iss {
            Some(iss) if iss != seg.seq => report(
                RuleId::IssChanged,
                format!(
                    "SYN seq {} but the earlier SYN had ISS {}",
                    tgt(seg.seq),
                    tgt(iss)
                ),
                true,
            ),
            _ => rto_check(
                &mut c.synack,
                seg.seq,
                now,
                initial_rto,
                tol,
                "SYN",
                &mut report,
            ),
        }
        for (rule, msg, within) in found {
            out.push(self.finding_bounded(rule, msg, within));
        }
        self.syn_options(seg, out);
        true
    }

    /// A target segment with neither SYN nor RST on connection `i` in
    /// SYN-SENT: nothing but its SYN and owed RSTs belongs there.
    pub(super) fn judge_syn_sent(&mut self, i: usize, seg: &Segment, out: &mut Vec<Finding>) {
        let c = &mut self.conns[i];
        let owed = c
            .owed
            .iter()
            .position(|o| matches!(o.owed, Owed::Rst { .. }));
        // It answered what drew the RST, the wrong way: that RST is judged missing here.
        let instead = match owed.map(|k| c.owed.remove(k).owed) {
            Some(Owed::Rst { seq, ack, why, .. }) => {
                format!("; {why} drew {}", super::model::rst_text(seq, ack))
            }
            _ => String::new(),
        };
        let msg = format!(
            "segment (flags {} seq {} ack {} len {}) in SYN-SENT, before any SYN from {}{instead}",
            seg.flags,
            tgt(seg.seq),
            peer(seg.ack),
            seg.payload.len(),
            c.tuple.harness
        );
        out.push(self.finding(RuleId::SegmentInSynSent, msg));
    }

    /// RFC 9293 §3.10.7.3: a segment arrives in SYN-SENT (connection `i`).
    pub(super) fn arrive_syn_sent(&mut self, i: usize, now: Duration, seg: &Segment) {
        let grace = self.profile.reply_grace;
        let ack_wait = ACK_DELAY_MAX.mul_f64(1.0 + self.profile.timer_tolerance);
        let c = &mut self.conns[i];
        let f = seg.flags;
        let Some(iss) = c.snd.iss else { return };
        c.last_was_rst = f.rst();
        // First: the ACK bit. Acceptable: ISS < SEG.ACK =< SND.NXT.
        let ack_ok = f.ack() && seq_gt(seg.ack, iss) && seq_le(seg.ack, c.snd.nxt);
        if f.ack() && !ack_ok {
            if !f.rst() {
                c.owe(
                    Owed::Rst {
                        seq: seg.ack,
                        ack: None,
                        numbers: RuleId::RstSynSentNumbers,
                        why: format!(
                            "an unacceptable ACK (ack {}; ISS {}, SND.NXT {}) in SYN-SENT",
                            tgt(seg.ack),
                            tgt(iss),
                            tgt(c.snd.nxt)
                        ),
                        or_ack: false,
                        optional: false,
                    },
                    now,
                    grace,
                );
            }
            return;
        }
        // Second: RST. With an acceptable ACK the connection is refused.
        if f.rst() {
            if ack_ok {
                let t = c.tuple;
                self.drop_conn(i, Gone::Refused(now));
                // Nothing may answer it (§3.5.2).
                self.closed_mut(t).last_was_rst = true;
            }
            return;
        }
        // Third (security) is not modelled. Fourth: SYN; without SYN or
        // RST the segment is dropped.
        if !f.syn() {
            return;
        }
        c.rcv.irs = seg.seq;
        c.syn_seqs.push(seg.seq);
        c.harness_snd_max = seg.seq.add(seg.seg_len());
        // Text on the SYN may be queued or dropped (as in §3.10.7.2).
        c.rcv.lo = seg.seq.add(1);
        c.rcv.hi = seg.seq.add(1 + seg.payload.len() as u32);
        c.opts.harness_mss = super::tcb::offered_mss(seg);
        c.opts.harness_ws = super::tcb::offered_ws(seg);
        c.opts.harness_ts = seg.timestamps().is_some();
        c.opts.harness_sack = seg.sack_permitted();
        if ack_ok {
            // The SYN-ACK: ESTABLISHED; options are in use when both SYNs
            // carried them (RFC 7323 §1.3, §3.2; RFC 2018 §2).
            if c.opts.harness_ws.is_none() {
                c.opts.target_ws = None;
            }
            c.opts.ts_ok = c.opts.ts_ok && c.opts.harness_ts;
            c.opts.sack_ok = c.opts.sack_ok && c.opts.harness_sack;
            c.state = TcpState::Established;
            c.snd.una = seg.ack;
            c.snd.wl1 = seg.seq;
            c.snd.wl2 = seg.ack;
            // A SYN's window is never scaled (RFC 7323 §2.2).
            let wnd = seg.window as u32;
            c.snd.right = Some(seg.ack.add(wnd));
            c.snd.right_latest = c.snd.right;
            c.snd.max_wnd = wnd;
            c.data = RtxClock::default();
            // "form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it".
            // Its numbers are judged (`judge_owed_acks`): SEQ = ISS + 1 for
            // a bare ACK, ACK = the peer's ISN + 1 (or past the SYN's text).
            // All the SYN-ACK carried (its text and a FIN too) is what
            // that ACK answers: one past it is not an ACK of later data.
            let upto = seg.seq.add(seg.seg_len());
            c.owe(
                Owed::Ack {
                    missing: RuleId::AckDelayedTooLong,
                    numbers: RuleId::HandshakeAckNumbers,
                    why: format!(
                        "the SYN-ACK (seq {} ack {}) that completed the active open",
                        peer(seg.seq),
                        tgt(seg.ack)
                    ),
                    requirement: None,
                    upto,
                },
                now,
                ack_wait,
            );
        } else {
            // Simultaneous open: SYN-RECEIVED; the SYN-ACK follows.
            c.state = TcpState::SynReceived;
        }
    }
}
