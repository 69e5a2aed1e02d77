//! Segments the target sends: each is checked against the rules, then
//! updates the model (the target's SND.NXT, its FIN, its state).

use super::finding::{peer, tgt};
use super::handshake::rto_check;
use super::judge_closed::after_gone;
use super::model::Oracle;
use super::rules::{Finding, RuleId};
use super::tcb::{Conn, Owed, RtxClock};
use crate::wire::{seq_ge, seq_gt, seq_le, seq_lt, Segment, SeqNumber, TcpOption, TcpState};
use std::time::Duration;

impl Oracle {
    pub(super) fn judge(&mut self, now: Duration, seg: &Segment, out: &mut Vec<Finding>) {
        if seg.ip.src() != self.target.addr {
            return;
        }
        self.judge_header(seg, out);
        let t = Self::tuple_from_target(seg);
        match self.conn_index(t) {
            Some(i) => self.judge_conn(i, now, seg, out),
            None => self.judge_no_conn(t, now, seg, out),
        }
        self.judge_rcv_sws(t, seg, out);
    }

    /// Checks that need no connection: reserved bits, SYN-only options.
    fn judge_header(&self, seg: &Segment, out: &mut Vec<Finding>) {
        if seg.flags.reserved() != 0 {
            out.push(self.finding(
                RuleId::ReservedBitsSet,
                format!(
                    "reserved bits {:#05b} set (flags {})",
                    seg.flags.reserved(),
                    seg.flags
                ),
            ));
        }
        if seg.flags.syn() {
            if let Some(ws) = seg.window_scale() {
                if ws > 14 {
                    out.push(self.finding(
                        RuleId::WscaleTooLarge,
                        format!("window scale shift {ws} > 14"),
                    ));
                }
            }
            return;
        }
        for o in &seg.options {
            let rule = match o {
                TcpOption::Mss(_) => RuleId::MssOnNonSyn,
                TcpOption::WindowScale(_) => RuleId::WscaleOnNonSyn,
                TcpOption::SackPermitted => RuleId::SackPermittedOnNonSyn,
                _ => continue,
            };
            out.push(self.finding(
                rule,
                format!(
                    "{o:?} option in a non-SYN segment (flags {}, seq {})",
                    seg.flags,
                    tgt(seg.seq)
                ),
            ));
        }
    }

    fn judge_conn(&mut self, i: usize, now: Duration, seg: &Segment, out: &mut Vec<Finding>) {
        let f = seg.flags;
        if f.rst() {
            return self.judge_rst(i, now, seg, out);
        }
        if f.syn() {
            let c = &self.conns[i];
            let reopen = c.state == TcpState::TimeWait || self.connects.contains(&c.tuple.harness);
            if !f.ack() && c.state != TcpState::SynSent && reopen {
                // A fresh `connect` on a tuple whose old connection the
                // model still has, or a SYN from TIME-WAIT: a new one.
                return self.reopen_active(i, now, seg, out);
            }
            if self.judge_syn_sent_syn(i, now, seg, out) {
                return;
            }
            return self.judge_syn(i, now, seg, out);
        }
        if self.conns[i].state == TcpState::SynSent {
            return self.judge_syn_sent(i, seg, out);
        }
        let c = &self.conns[i];
        if let (Some(gone), None, true) = (c.replaced, c.snd.iss, c.passive) {
            // Before any SYN-ACK of the fresh connection a passive open
            // sends nothing else: the segment is the old connection's, which
            // the target still has (a FIN segment's ACK it ignored, a RST it
            // dropped), and is judged as on a connection that ended.
            let (rule, why) = after_gone(gone);
            out.push(self.segment_finding(rule, seg, &why));
            return;
        }
        let tol = self.profile.timer_tolerance;
        let min_rto = self.profile.min_rto;
        let corrupt_acked = f.ack() && self.acks_corrupt(self.conns[i].tuple, seg.ack, false);
        let mut found: Vec<(RuleId, String, bool)> = Vec::new();
        let reported = std::cell::Cell::new(0);
        let mut report = |rule: RuleId, msg: String, within: bool| {
            reported.set(reported.get() + 1);
            found.push((rule, msg, within));
        };
        let mut owed_ack = None;
        let c = &mut self.conns[i];
        // The target acts normally: whatever a legacy stack would have reset is alive.
        c.maybe_reset = None;
        c.reset_ends_time_wait = false;
        let payload = seg.payload.len() as u32;
        // SND.NXT before this segment: one that starts past it is a gap
        // (reported below), even when it shows the target took a harness
        // ACK of unsent data, which the model then follows from here on.
        let snd_nxt_before = c.snd.nxt;
        if seq_gt(seg.seq, c.snd.nxt) {
            follow_unsent_ack(c, seg.seq, now);
        }
        if let Some(una) = c.follow.fin_segment_una {
            let from_old = seg.seq == una || (payload == 0 && seq_ge(seg.seq, una));
            let len = payload + u32::from(f.fin());
            // Only a segment that shows which SND.UNA the target has settles
            // it: one from below the new SND.UNA (it was not used), or a
            // retransmission from the new one (it was). An ACK at SND.NXT,
            // or new data, looks the same either way.
            if (from_old && seq_lt(seg.seq, c.snd.una))
                || (len > 0 && seg.seq == c.snd.una && seq_lt(seg.seq, c.snd.nxt))
            {
                c.follow.fin_segment_una = None;
            }
            if from_old && seq_lt(seg.seq, c.snd.una) {
                // It sends from the SND.UNA before that FIN segment's ACK (a
                // retransmission there, or an ACK whose SEQ is below the new one).
                report(
                    RuleId::FinSegmentAckIgnored,
                    format!(
                        "segment (flags {f} seq {}) below SND.UNA {}, which a FIN segment's ACK set in {}: that ACK was not used",
                        tgt(seg.seq), tgt(c.snd.una), c.state
                    ),
                    true,
                );
                c.snd.una = una;
                if c.state == TcpState::TimeWait && c.fin_seq.is_some_and(|fin| seq_le(una, fin)) {
                    // That ACK was of the target's FIN: without it, CLOSING
                    // (the harness's FIN is in) and no TIME-WAIT yet.
                    c.state = TcpState::Closing;
                    c.time_wait_since = None;
                }
            }
        }
        if c.state == TcpState::SynReceived
            && payload > 0
            && !super::tfo::syn_text_taken(c.rcv.irs, c.rcv.lo)
            && !c.fast_open
        {
            report(
                RuleId::DataBeforeEstablished,
                format!(
                    "{payload} bytes at seq {} before the handshake completed (SYN-RECEIVED)",
                    tgt(seg.seq)
                ),
                true,
            );
        }
        if c.state == TcpState::TimeWait && (payload > 0 || f.fin()) {
            report(
                RuleId::TimeWaitSends,
                format!(
                    "segment (flags {f} seq {} len {payload}) in TIME-WAIT",
                    tgt(seg.seq)
                ),
                true,
            );
        }
        // ACK field.
        if !f.ack() {
            report(
                RuleId::AckBitMissing,
                format!(
                    "segment (flags {f} seq {}) without ACK in {}",
                    tgt(seg.seq),
                    c.state
                ),
                true,
            );
        } else {
            if seq_gt(seg.ack, c.harness_snd_max) && corrupt_acked {
                report(
                    RuleId::BadChecksumAccepted,
                    format!("ack {} covers data of a segment that had a bad checksum (the harness's valid data ends at {})", peer(seg.ack), peer(c.harness_snd_max)),
                    true,
                );
            } else if seq_gt(seg.ack, c.harness_snd_max) {
                report(
                    RuleId::AckOfUnsentData,
                    format!(
                        "ack {} but the harness has sent only up to {}",
                        peer(seg.ack),
                        peer(c.harness_snd_max)
                    ),
                    true,
                );
            }
            let fin_past_text = fin_counted_past_text(c, seg.ack).filter(|_| !corrupt_acked);
            if let Some(fin) = fin_past_text.filter(|_| seq_le(seg.ack, c.harness_snd_max)) {
                report(
                    RuleId::AckOfUnsentData,
                    format!(
                        "ack {} counts the harness's FIN at {} after the text up to {}, past it",
                        peer(seg.ack),
                        peer(fin),
                        peer(c.rcv.hi)
                    ),
                    true,
                );
            }
            if let Some(fin) = c.harness_fin {
                if seq_gt(seg.ack, fin.add(1)) && seq_ge(c.harness_snd_max, seg.ack) {
                    report(
                        RuleId::AckPastFin,
                        format!(
                            "ack {} covers text the harness sent after its FIN at {} (RCV.NXT {})",
                            peer(seg.ack),
                            peer(fin),
                            peer(fin.add(1))
                        ),
                        true,
                    );
                }
            }
            if let Some(last) = c.last_ack {
                if seq_lt(seg.ack, last) {
                    report(
                        RuleId::AckWentBackwards,
                        format!("ack {} after ack {}", peer(seg.ack), peer(last)),
                        true,
                    );
                }
            }
            // An ACK answers a segment that failed both the first and the fifth check.
            c.owed
                .retain(|o| !matches!(o.owed, Owed::Rst { or_ack: true, .. }));
            // An ACK field past the harness's FIN is reported already
            // (ack-past-fin, or ack-of-unsent-data when the FIN is counted
            // past data never sent), and so is one just past all the
            // harness sent (ack-of-unsent-data: smoltcp counts a FIN it
            // takes inside data it holds out of order past that data, a FIN
            // the model, which holds none, did not take): not again as an
            // owed ACK's numbers.
            let past_fin = c.harness_fin.is_some_and(|fin| seq_gt(seg.ack, fin.add(1)))
                || (seg.ack == c.harness_snd_max.add(1) && !corrupt_acked)
                || fin_past_text.is_some();
            owed_ack = judge_owed_acks(c, seg, past_fin).map(|f| (reported.get(), f));
            if c.last_ack.is_none_or(|l| seq_gt(seg.ack, l)) {
                c.last_ack = Some(seg.ack);
            }
            if seq_gt(seg.ack, c.rcv.lo) && seq_ge(c.harness_snd_max, seg.ack) {
                c.rcv.lo = seg.ack;
                if seq_gt(seg.ack, c.rcv.hi) {
                    c.rcv.hi = seg.ack; // out-of-order data filled in
                }
            } else if c.harness_fin.is_some()
                && seg.ack == c.harness_snd_max.add(1)
                && seq_gt(seg.ack, c.rcv.hi)
            {
                // One past all the harness sent, after its FIN: a stack that
                // counts the FIN after the text it held past it (smoltcp,
                // `ack-of-unsent-data`, reported above) has RCV.NXT here.
                c.rcv.lo = seg.ack;
                c.rcv.hi = seg.ack;
            }
            match c.maybe_fin.map(|m| (m.seq, m.text_over)) {
                // Text the harness sent over the FIN's sequence number (a
                // later segment with other octets there) ends where the FIN
                // would: an ACK there shows that text taken, as a stack
                // that dropped the FIN's segment (MAY-12) did, not the FIN.
                Some((fin, text_over))
                    if c.harness_fin.is_none()
                        && seg.ack == fin.add(1)
                        && !(text_over && text_may_end_past(c, fin)) =>
                {
                    // The target took a FIN the model was unsure of: nothing
                    // follows a FIN, so RCV.NXT is exactly past it.
                    c.rcv.lo = seg.ack;
                    c.rcv.hi = seg.ack;
                    c.fin_received(fin, now);
                }
                Some((fin, _)) if fin_past_text == Some(fin) => {
                    // A stack that held the text past that FIN out of order
                    // and counts the FIN after it (smoltcp,
                    // `ack-of-unsent-data`, reported above) took the FIN:
                    // RCV.NXT is here. To it the FIN sits just below, so
                    // its later ACKs of it are not past it (`ack-past-fin`).
                    c.rcv.lo = seg.ack;
                    c.rcv.hi = seg.ack;
                    c.fin_received(seg.ack.sub(1), now);
                }
                _ => {}
            }
            c.owed.retain(|o| match o.owed {
                Owed::AckData { upto, .. } => seq_lt(seg.ack, upto),
                _ => true,
            });
            c.rcv.right = Some(seg.ack.add(c.target_window(seg.window, false)));
        }
        // SACK (RFC 2018 §3, §4).
        for o in &seg.options {
            let TcpOption::Sack(blocks) = o else { continue };
            if !c.opts.sack_ok {
                report(
                    RuleId::SackWithoutPermission,
                    format!("SACK option {blocks:?} on a connection without SACK-permitted on both SYNs"),
                    true,
                );
                continue;
            }
            for &(left, right) in blocks {
                let (left, right) = (SeqNumber(left), SeqNumber(right));
                if !seq_lt(left, right)
                    || seq_gt(right, c.harness_snd_max)
                    || seq_lt(left, c.rcv.irs)
                {
                    report(
                        RuleId::SackBlockInvalid,
                        format!(
                            "SACK block {}..{} does not describe data the harness sent (ISN {}, sent up to {})",
                            peer(left), peer(right), peer(c.rcv.irs), peer(c.harness_snd_max)
                        ),
                        true,
                    );
                }
            }
        }
        // Timestamps (RFC 7323 §3.2, §4.3).
        if c.opts.ts_ok {
            match seg.timestamps() {
                None => report(
                    RuleId::TimestampsMissing,
                    format!(
                        "no TSopt on segment seq {} (timestamps negotiated)",
                        tgt(seg.seq)
                    ),
                    true,
                ),
                Some((_, tsecr)) => {
                    if f.ack() && !tsecr_plausible(c, tsecr) {
                        report(
                            RuleId::TsecrNotEchoed,
                            format!(
                                "TSecr {tsecr} is not a TSval the harness sent (latest {:?})",
                                c.opts.ts_max
                            ),
                            true,
                        );
                    }
                }
            }
        }
        // Sequence space.
        let len = payload + f.fin() as u32;
        let end = seg.seq.add(payload);
        if f.fin() {
            // §3.10.4: after CLOSE the FIN follows everything sent, so never
            // sits at ISS (the SYN's sequence number); the FIN owed at once
            // after CLOSE in SYN-RECEIVED is at ISS+1.
            let owed = c
                .owed
                .iter()
                .position(|o| matches!(o.owed, Owed::Fin { .. }));
            let exact =
                owed.is_some_and(|pos| c.owed.remove(pos).owed == Owed::Fin { exact: true });
            if let Some(iss) = c.snd.iss {
                let at_iss = c.app_closed && end == iss;
                if at_iss || (exact && end != iss.add(1)) {
                    report(
                        RuleId::CloseFinMissing,
                        format!(
                            "FIN at {}{} after the application closed; it belongs at {} or later",
                            tgt(end),
                            if at_iss {
                                " (ISS, the SYN's own sequence number)"
                            } else {
                                ""
                            },
                            tgt(iss.add(1))
                        ),
                        true,
                    );
                }
            }
        }
        if let Some(fin) = c.fin_seq {
            if payload > 0 && seq_gt(end, fin) {
                report(
                    RuleId::DataAfterFin,
                    format!(
                        "data {}..{} after the FIN at {}",
                        tgt(seg.seq),
                        tgt(end),
                        tgt(fin)
                    ),
                    true,
                );
            }
            if f.fin() && end != fin {
                report(
                    RuleId::FinMoved,
                    format!("FIN at {}, but the first FIN was at {}", tgt(end), tgt(fin)),
                    true,
                );
            }
        }
        if let Some(msg) = super::judge_seq::before_iss(c.snd.iss, snd_nxt_before, seg) {
            report(RuleId::SeqBeforeIss, msg, true);
        }
        if len == 0 && c.snd.iss.is_some() && seq_gt(seg.seq, snd_nxt_before) {
            report(
                RuleId::SeqGap,
                format!(
                    "ACK segment with seq {} beyond SND.NXT {}",
                    tgt(seg.seq),
                    tgt(snd_nxt_before)
                ),
                true,
            );
        }
        if len > 0 {
            if seq_gt(seg.seq, snd_nxt_before) {
                report(
                    RuleId::SeqGap,
                    format!(
                        "segment starts at {} but SND.NXT is {} ({} octets never sent)",
                        tgt(seg.seq),
                        tgt(snd_nxt_before),
                        seg.seq.offset_from(snd_nxt_before)
                    ),
                    true,
                );
            }
            let keepalive = payload <= 1 && !f.fin() && seg.seq == c.snd.una.sub(1);
            if seq_lt(seg.seq, c.snd.una) && !keepalive {
                report(
                    RuleId::RetransmitBelowSndUna,
                    format!(
                        "segment starts at {} below SND.UNA {} (already acknowledged)",
                        tgt(seg.seq),
                        tgt(c.snd.una)
                    ),
                    true,
                );
            }
            if payload > 0 {
                if let Some(right) = c.send_right_edge() {
                    // A shrunk window does not make data already sent illegal
                    // to resend. A zero-window probe is one octet, resent or
                    // new (§3.8.6.1: "at least one octet of new data even if
                    // the send window is zero").
                    let zero = [c.snd.right, c.snd.right_latest]
                        .into_iter()
                        .flatten()
                        .any(|edge| seq_le(edge, c.snd.una));
                    let probe = payload == 1
                        && seq_ge(seg.seq, right)
                        && (seg.seq == c.snd.una || (seg.seq == c.snd.nxt && zero));
                    let before_fin_segment =
                        c.follow.fin_segment_right.filter(|&old| seq_le(end, old));
                    if seq_gt(end, right) && seq_gt(end, c.snd.nxt) && !probe {
                        if let Some(old) = before_fin_segment {
                            // Within the edge before a FIN segment after the
                            // harness's FIN shrank the window: the target
                            // dropped that segment, window and all.
                            report(
                                RuleId::FinSegmentAckIgnored,
                                format!(
                                    "data {}..{} beyond the window's right edge {}, which a FIN segment set in {}, but within the edge {} before it: that segment's window was not used",
                                    tgt(seg.seq), tgt(end), tgt(right), c.state, tgt(old)
                                ),
                                true,
                            );
                            c.snd.right = Some(old);
                            c.snd.right_latest = Some(old);
                            c.follow.fin_segment_right = None;
                        } else {
                            report(
                                RuleId::DataBeyondWindow,
                                format!(
                                    "data {}..{} beyond the window's right edge {} (SND.UNA {})",
                                    tgt(seg.seq),
                                    tgt(end),
                                    tgt(right),
                                    tgt(c.snd.una)
                                ),
                                true,
                            );
                        }
                    }
                }
                if let Some(msg) = super::judge_seq::over_effective_mss(c.send_mss(), seg) {
                    report(RuleId::SegmentExceedsMss, msg, true);
                }
            }
            // RFC 6298: a retransmission of the oldest unacknowledged octet.
            let window_open = c.send_right_edge().is_none_or(|r| seq_gt(r, seg.seq));
            if len > 0 && seq_lt(seg.seq, c.snd.nxt) && seg.seq == c.snd.una && window_open {
                rto_check(&mut c.data, seg.seq, now, min_rto, tol, "data", &mut report);
            } else if len > 0 && c.snd.una == c.snd.nxt {
                c.data = RtxClock {
                    last: Some((seg.seq, now)),
                    interval: None,
                    disturbed: false,
                };
            }
            if seq_gt(seg.seq.add(len), c.snd.nxt) {
                c.snd.nxt = seg.seq.add(len);
            }
            if f.fin() && c.fin_seq.is_none() {
                c.fin_seq = Some(end);
                c.state = match c.state {
                    TcpState::Established | TcpState::SynReceived => TcpState::FinWait1,
                    TcpState::CloseWait => TcpState::LastAck,
                    s => s,
                };
            }
        }
        let first = out.len();
        for (rule, msg, within) in found {
            out.push(self.finding_bounded(rule, msg, within));
        }
        if let Some((at, (rule, msg, requirement))) = owed_ack {
            // In the order the checks ran.
            let mut f = self.finding(rule, msg);
            if let Some(r) = requirement {
                f.requirement = r;
            }
            out.insert(first + at, f);
        }
        self.judge_probe(i, now, seg, out);
    }
}

/// The target sent from `seq`, beyond SND.NXT (a seq-gap, reported). When
/// the harness had acknowledged exactly that far, an ACK of unsent data that
/// RFC 9293 §3.10.7.4 (fifth check) drops, the target took that ACK instead
/// (smoltcp accepts any ACK within its send buffer): its SND.UNA and send
/// window are now that segment's, and its later segments are judged by them.
fn follow_unsent_ack(c: &mut Conn, seq: SeqNumber, now: Duration) {
    let Some(&(ack, wnd)) = c.follow.unsent_acks.iter().rev().find(|(a, _)| *a == seq) else {
        return;
    };
    c.follow.unsent_acks.retain(|&(a, _)| seq_gt(a, ack));
    c.snd.una = ack;
    c.snd.nxt = ack;
    c.snd.wl2 = ack;
    c.snd.max_wnd = c.snd.max_wnd.max(wnd);
    c.snd.right = Some(ack.add(wnd));
    c.snd.right_latest = c.snd.right;
    c.data = RtxClock::default();
    // After a close, an ACK one past all the application wrote covers the
    // FIN the target still had queued (smoltcp takes any ACK up to the end
    // of its send buffer, FIN included): that FIN is sent and acknowledged
    // to it. FIN-WAIT-1 (the model's ESTABLISHED after a close) goes to
    // FIN-WAIT-2, CLOSING to TIME-WAIT.
    let fin = c.snd.iss.map(|iss| iss.add(1).add(c.app_written));
    if c.app_closed && c.fin_seq.is_none() && fin.is_some_and(|fin| fin.add(1) == ack) {
        c.fin_seq = fin;
        match c.state {
            TcpState::Established => c.state = TcpState::FinWait2,
            TcpState::Closing => {
                c.state = TcpState::TimeWait;
                c.time_wait_since = Some(now);
            }
            _ => {}
        }
    }
}

/// Checks a pure ACK (or any ACK-bearing segment) against the ACKs the
/// target owes, which it settles; returns the finding when its numbers are
/// wrong (the rule, the message, the requirement to cite instead).
fn judge_owed_acks(
    c: &mut Conn,
    seg: &Segment,
    ack_reported: bool,
) -> Option<(RuleId, String, Option<&'static str>)> {
    if !c.owed.iter().any(|o| matches!(o.owed, Owed::Ack { .. })) {
        return None;
    }
    let pure = seg.payload.is_empty() && !seg.flags.fin();
    let seq_ok = if c.snd.una == c.snd.nxt {
        seg.seq == c.snd.nxt
    } else {
        seq_ge(seg.seq, c.snd.una) && seq_ge(c.snd.nxt, seg.seq)
    };
    let ack_ok = ack_reported
        || c.rcv_nxt_possible(seg.ack)
        || (seq_gt(seg.ack, c.rcv.hi) && seq_ge(c.harness_snd_max, seg.ack));
    let expected = format!("<SEQ={}><ACK={}>", tgt(c.snd.nxt), c.rcv_nxt_text());
    let mut first = true;
    let mut found = None;
    let harness_snd_max = c.harness_snd_max;
    c.owed.retain(|o| {
        let Owed::Ack {
            numbers,
            why,
            requirement,
            upto,
            ..
        } = &o.owed
        else {
            return true;
        };
        if seq_gt(seg.ack, *upto) && seq_ge(harness_snd_max, seg.ack) {
            // It acknowledges data sent after this reply was owed: an ACK of
            // that data, not the reply (which stays owed).
            return true;
        }
        if first && (!ack_ok || (pure && !seq_ok)) {
            found = Some((
                *numbers,
                format!(
                    "ACK <SEQ={}><ACK={}> answering {why}; expected {expected}",
                    tgt(seg.seq),
                    peer(seg.ack)
                ),
                *requirement,
            ));
        }
        first = false;
        false
    });
    found
}

/// A TSecr is plausible when it echoes a TSval the harness sent, or (when
/// the memory has forgotten some) is not newer than the newest one.
fn tsecr_plausible(c: &Conn, tsecr: u32) -> bool {
    if c.opts.ts_vals.contains(&tsecr) {
        return true;
    }
    match c.opts.ts_max {
        Some(max) => {
            c.opts.ts_vals.len() == super::tcb::TS_MEMORY
                && !seq_gt(SeqNumber(tsecr), SeqNumber(max))
        }
        None => false,
    }
}

/// The FIN the model was unsure of (`Conn::maybe_fin`: it lies inside the
/// RCV.NXT range, the text after it in order for the high candidates only)
/// when `ack` counts it after that text: one past all the harness sent, or
/// one past the highest RCV.NXT candidate. No conforming stack sends that
/// ACK (a FIN ends the text; one at the highest candidate would have been
/// taken outright); one that held the text out of order and counts the FIN
/// after all it holds does (smoltcp, `ack-of-unsent-data`).
fn fin_counted_past_text(c: &Conn, ack: SeqNumber) -> Option<SeqNumber> {
    let fin = c.maybe_fin.filter(|_| c.harness_fin.is_none())?.seq;
    let past_all = ack == c.harness_snd_max.add(1) || ack == c.rcv.hi.add(1);
    let past_held = ack_past_text_from(c, fin, ack);
    ((past_all || past_held) && seq_gt(ack, fin.add(1))).then_some(fin)
}

/// True when harness text over `fin`'s sequence number may have left
/// RCV.NXT one past it, as the FIN would: text that ends there, or text
/// trimmed there by the target's window (RFC 9293 §3.10.7.4, "trimmed to
/// fit the window"). Text over the FIN that ends further on does not: a
/// target that took it would acknowledge its end (fuzz: the README fuzz
/// command's `time-wait-too-short`, a FIN ACKed exactly, held undecided
/// because later text, 200 octets longer, covered its place).
fn text_may_end_past(c: &Conn, fin: SeqNumber) -> bool {
    let past = fin.add(1);
    c.rcv.right == Some(past)
        || c.follow
            .harness_text
            .iter()
            .any(|&(start, end)| seq_le(start, fin) && end == past)
}

/// True when `ack` is one past the end of harness text that reaches back,
/// segment by segment without a hole, to `fin` (`Conn::harness_text`): the
/// text a stack may have held out of order past that FIN. A conforming
/// stack's ACK is RCV.NXT, the end of text (or one past a FIN it took), so
/// one past the end of such text is not one of its ACKs.
fn ack_past_text_from(c: &Conn, fin: SeqNumber, ack: SeqNumber) -> bool {
    let mut reached = vec![fin];
    let mut k = 0;
    while k < reached.len() {
        let at = reached[k];
        for &(start, end) in &c.follow.harness_text {
            if seq_le(start, at) && seq_gt(end, at) && !reached.contains(&end) {
                reached.push(end);
            }
        }
        k += 1;
    }
    reached[1..].iter().any(|&end| end.add(1) == ack)
}
