//! The target's SYN and SYN-ACK (RFC 9293 §3.5, §3.10.7.2; RFC 7323 §2.2,
//! §3.2; RFC 2018 §2) and retransmission timing (RFC 6298).

use super::finding::{peer, tgt};
use super::model::{at_least, Oracle};
use super::rules::{Finding, RuleId};
use super::tcb::{Conn, MaybeReset, RtxClock};
use crate::wire::{Segment, SeqNumber, TcpState};
use std::time::Duration;

impl Oracle {
    /// A SYN from the target on a known connection: its SYN-ACK.
    pub(super) fn judge_syn(
        &mut self,
        i: usize,
        now: Duration,
        seg: &Segment,
        out: &mut Vec<Finding>,
    ) {
        let initial_rto = self.profile.initial_rto;
        let tol = self.profile.timer_tolerance;
        let mut found: Vec<(RuleId, String, bool)> = Vec::new();
        let mut report = |rule: RuleId, msg: String, within: bool| found.push((rule, msg, within));
        let f = seg.flags;
        let reopened = {
            let c = &self.conns[i];
            let gone = c.state == TcpState::TimeWait || c.maybe_reset.is_some();
            // The very SYN-ACK this connection already sent (its ISS, acking
            // its IRS) is a retransmission: the connection survived, and a
            // repeated SYN at the IRS did not open a fresh one (smoltcp drops
            // a SYN in SYN-RECEIVED). Its options answer the first SYN.
            let retransmitted = c.state == TcpState::SynReceived
                && c.snd.iss == Some(seg.seq)
                && seg.ack == c.rcv.irs.add(1);
            // The first SYN-ACK answers a later SYN than the one the model
            // opened SYN-RECEIVED with: the target did not take that one
            // (it still had an earlier connection on the tuple, or dropped
            // it), so the later SYN opened the connection, with its own
            // numbers and options (§3.10.7.2).
            // A later SYN at the same seq opened it when the SYN-ACK's
            // options answer that SYN's and not the first one's.
            let unanswered = c.state == TcpState::SynReceived && c.snd.iss.is_none();
            match &c.reopen {
                Some(syn)
                    if (gone
                        || (unanswered
                            && (syn.seq != c.rcv.irs
                                || (options_answer(seg, syn)
                                    && !options_answer_first(seg, c)))))
                        && !retransmitted
                        && f.ack()
                        && seg.ack == syn.seq.add(1) =>
                {
                    Some(syn.clone())
                }
                _ => None,
            }
        };
        if let Some(syn) = reopened {
            // The SYN-ACK answers a SYN that arrived after the connection may
            // have ended: it did end, and LISTEN took the SYN (§3.10.7.2).
            // Whatever ended it is judged now; then a fresh TCB.
            let c = &self.conns[i];
            if let Some(MaybeReset {
                rule: Some(rule),
                why,
            }) = &c.maybe_reset
            {
                let msg = format!(
                    "the connection was reset after {why} (a SYN-ACK answers a new SYN, seq {})",
                    peer(syn.seq)
                );
                out.push(self.finding(*rule, msg));
            }
            let tuple = c.tuple;
            self.conns[i] = Conn::from_syn(tuple, &syn);
        }
        let c = &mut self.conns[i];
        // (The target's own SYN in SYN-SENT is judged in `syn_sent.rs`.)
        if c.state != TcpState::SynReceived || !f.ack() {
            let repeat = f.ack()
                && Some(seg.seq) == c.snd.iss
                && seg.ack == c.rcv.irs.add(1)
                && seg.payload.is_empty();
            if !repeat {
                report(
                    RuleId::SynAckWithoutSyn,
                    format!(
                        "SYN (flags {f} seq {} ack {}) in {}, not in reply to a SYN",
                        tgt(seg.seq),
                        peer(seg.ack),
                        c.state
                    ),
                    true,
                );
            }
        } else {
            let syn_text = c.rcv.hi.0.wrapping_sub(c.rcv.irs.0).wrapping_sub(1);
            let fast_open = super::tfo::synack_acks_syn_text(c.rcv.irs, syn_text, seg.ack);
            if fast_open {
                // RFC 7413 §4.2.2: the SYN's text is taken, RCV.NXT past it.
                c.rcv.lo = c.rcv.hi;
            }
            c.fast_open = super::tfo::cookie_accepted(c.fast_open, seg);
            if c.syn_seqs.iter().any(|s| s.add(1) == seg.ack) || fast_open {
                // The target has this connection (it was not dropped or reset).
                c.maybe_reset = None;
            } else {
                report(
                    RuleId::SynAckAcksIsn,
                    format!(
                        "SYN-ACK ack {} but the SYN's seq was {} (expected ack {})",
                        peer(seg.ack),
                        peer(c.rcv.irs),
                        peer(c.rcv.irs.add(1))
                    ),
                    true,
                );
            }
            match c.snd.iss {
                Some(iss) if iss != seg.seq => report(
                    RuleId::IssChanged,
                    format!(
                        "SYN-ACK seq {} but the earlier SYN-ACK had ISS {}",
                        tgt(seg.seq),
                        tgt(iss)
                    ),
                    true,
                ),
                Some(_) => rto_check(
                    &mut c.synack,
                    seg.seq,
                    now,
                    initial_rto,
                    tol,
                    "SYN-ACK",
                    &mut report,
                ),
                None => {
                    c.snd.iss = Some(seg.seq);
                    c.snd.una = seg.seq;
                    c.snd.nxt = seg.seq.add(1);
                    c.synack = RtxClock {
                        last: Some((seg.seq, now)),
                        interval: None,
                        disturbed: false,
                    };
                }
            }
            if !seg.payload.is_empty() {
                report(
                    RuleId::DataBeforeEstablished,
                    format!("{} bytes of payload on the SYN-ACK", seg.payload.len()),
                    true,
                );
            }
            if seg.mss().is_none() {
                report(
                    RuleId::MssMissing,
                    "SYN-ACK without an MSS option".into(),
                    true,
                );
            }
            match (seg.window_scale(), c.opts.harness_ws) {
                (Some(ws), None) => report(
                    RuleId::WscaleWithoutOffer,
                    format!("SYN-ACK carries wscale {ws} but the SYN had no Window Scale option"),
                    true,
                ),
                (ws, _) => c.opts.target_ws = ws,
            }
            match (seg.timestamps(), c.opts.harness_ts) {
                (Some((tsval, _)), false) => report(
                    RuleId::TimestampsWithoutOffer,
                    format!("SYN-ACK carries TS val {tsval} but the SYN had no TSopt"),
                    true,
                ),
                (Some((_, tsecr)), true) => {
                    c.opts.ts_ok = true;
                    if !c.opts.ts_vals.contains(&tsecr) {
                        report(
                            RuleId::TsecrNotEchoed,
                            format!(
                                "SYN-ACK TSecr {tsecr} does not echo the SYN's TSval {:?}",
                                c.opts.ts_vals.back()
                            ),
                            true,
                        );
                    }
                }
                (None, _) => c.opts.ts_ok = false,
            }
            c.opts.sack_ok = c.opts.harness_sack && seg.sack_permitted();
            if seg.sack_permitted() && !c.opts.harness_sack {
                report(
                    RuleId::SackPermittedWithoutOffer,
                    "SYN-ACK carries SACK-permitted but the SYN did not".into(),
                    true,
                );
            }
            c.last_ack = Some(seg.ack);
            c.rcv.right = Some(seg.ack.add(seg.window as u32));
        }
        for (rule, msg, within) in found {
            out.push(self.finding_bounded(rule, msg, within));
        }
        // ISS is known now: the segments that arrived before the SYN-ACK was
        // seen are processed, at the times they arrived.
        let c = &mut self.conns[i];
        if c.snd.iss.is_some() && !c.early.is_empty() {
            let tuple = c.tuple;
            for (at, early) in std::mem::take(&mut c.early) {
                match self.conn_index(tuple) {
                    Some(j) if self.conns[j].state == TcpState::SynReceived => {
                        self.arrive_syn_received(j, at, &early)
                    }
                    _ => break,
                }
            }
        }
    }
}

/// RFC 6298 §2.1/§2.4 (minimum) and §5.5 (back-off) for one retransmission.
pub(super) fn rto_check(
    clock: &mut RtxClock,
    seq: SeqNumber,
    now: Duration,
    bound: Duration,
    tol: f64,
    what: &str,
    report: &mut impl FnMut(RuleId, String, bool),
) {
    if let (Some((last_seq, last_at)), false) = (clock.last, clock.disturbed) {
        if last_seq == seq {
            let interval = now.saturating_sub(last_at);
            if !at_least(interval, super::profile::RFC_MIN_RTO, tol) {
                report(
                    RuleId::RtoTooShort,
                    format!(
                        "{what} retransmitted {} ms after the previous transmission; the minimum RTO is 1000 ms",
                        interval.as_millis()
                    ),
                    at_least(interval, bound, tol),
                );
            }
            if let Some(prev) = clock.interval {
                if !at_least(interval, prev, tol) {
                    report(
                        RuleId::RtoNoBackoff,
                        format!(
                            "{what} retransmission interval {} ms is shorter than the previous {} ms (RTO must double)",
                            interval.as_millis(),
                            prev.as_millis()
                        ),
                        true,
                    );
                }
            }
            clock.interval = Some(interval);
        } else {
            clock.interval = None;
        }
    } else {
        clock.interval = None;
    }
    clock.last = Some((seq, now));
    clock.disturbed = false;
}

/// True when a SYN-ACK's options may answer `syn`: each of Window Scale,
/// SACK-permitted and TSopt only if that SYN offered it (RFC 7323 §2.2,
/// §3.2; RFC 2018 §2).
fn options_answer(synack: &Segment, syn: &Segment) -> bool {
    (synack.window_scale().is_none() || super::tcb::offered_ws(syn).is_some())
        && (!synack.sack_permitted() || syn.sack_permitted())
        && (synack.timestamps().is_none() || syn.timestamps().is_some())
}

/// [`options_answer`] for the SYN that opened `c`, as the model kept it.
fn options_answer_first(synack: &Segment, c: &Conn) -> bool {
    (synack.window_scale().is_none() || c.opts.harness_ws.is_some())
        && (!synack.sack_permitted() || c.opts.harness_sack)
        && (synack.timestamps().is_none() || c.opts.harness_ts)
}
