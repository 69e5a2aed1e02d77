//! Segments the target receives before the connection is synchronized:
//! RFC 9293 §3.10.7.4 in SYN-RECEIVED (passive open, simultaneous open) and
//! §3.10.7.3 in SYN-SENT (the target's active open), with the helpers only
//! they use. The synchronized states are in `arrive.rs`.

use super::arrive::{fin_maybe_taken, more_than_one_control, rst_data_in_window};
use super::model::Oracle;
use super::rules::RuleId;
use super::tcb::{Conn, MaybeReset, Owed};
use crate::wire::{seq_ge, seq_gt, seq_le, seq_lt, Segment, SeqNumber, TcpState};
use std::time::Duration;

impl Oracle {
    /// §3.10.7.4 in SYN-RECEIVED (passive open).
    pub(super) fn arrive_syn_received(&mut self, i: usize, now: Duration, seg: &Segment) {
        let grace = self.profile.reply_grace;
        let c = &mut self.conns[i];
        let f = seg.flags;
        if f.rst() {
            c.last_was_rst = true;
            let exact = syn_received_rcv_nxt(c, seg.seq);
            if c.dup_ack_text_end.is_some_and(|end| {
                seq_lt(c.rcv.lo, end) && seq_ge(seg.seq, c.rcv.lo) && seq_le(seg.seq, end)
            }) {
                // A target in FIN-WAIT-1 may have taken text or a FIN on a
                // duplicate ACK: RCV.NXT is at or past `rcv.lo`, up to `end`
                // (MUST-11 there), or `rcv.lo` still in SYN-RECEIVED.
                c.reset_undecided = Some(MaybeReset::either_way());
                return;
            }
            if !exact && c.syn_seqs.iter().any(|s| s.add(1) == seg.seq) {
                // At the sequence number after a SYN that came after the
                // SYN-ACK (which acknowledged another): RCV.NXT only if the
                // target went over to that SYN, which its next SYN-ACK
                // shows (RFC 9293 §3.10.7.4 returns to LISTEN on it, a
                // stack may ignore it: smoltcp drops a segment without ACK).
                c.reset_undecided = Some(MaybeReset::either_way());
                return;
            }
            if exact && more_than_one_control(seg) {
                // Back to LISTEN, or dropped for its several control bits.
                c.reset_undecided = Some(MaybeReset::either_way());
                return;
            }
            if exact && !c.passive {
                // From SYN-SENT (a simultaneous open): "the connection was
                // refused", CLOSED (§3.10.7.4 second check); nothing may
                // answer the RST (§3.5.2).
                let t = c.tuple;
                self.drop_conn(i, super::tcb::Gone::Refused(now));
                self.closed_mut(t).last_was_rst = true;
                return;
            }
            if exact {
                // MUST-11: back to LISTEN.
                let c = self.conns.swap_remove(i);
                if let (Some(gone), None) = (c.replaced, c.snd.iss) {
                    // No SYN-ACK yet: the target may never have taken the
                    // SYN, still holding the connection it replaced in the
                    // model (a FIN segment's ACK ignored in LAST-ACK, where
                    // smoltcp drops the SYN and this RST as out of window).
                    // That end stays how a later segment is judged.
                    let closed = self.closed_mut(c.tuple);
                    closed.gone = gone;
                    closed.last_was_rst = true;
                }
                return;
            }
            // RCV.NXT is the SYN's seq + 1 here (its text only queued), so
            // the window starts there, not past the SYN's data.
            let in_window = super::tcb::acceptable(seg.seq, 0, c.rcv.lo, c.rcv_wnd(c.rcv.lo));
            let why = if in_window {
                Some(format!(
                    "an in-window RST with seq {} not at RCV.NXT {} in SYN-RECEIVED",
                    super::finding::peer(seg.seq),
                    c.rcv_nxt_text()
                ))
            } else {
                rst_data_in_window(c, seg)
            };
            if let Some(why) = why {
                // RFC 793 (and smoltcp) go back to LISTEN on it.
                c.reset_undecided = Some(MaybeReset {
                    rule: Some(RuleId::RstInWindowResets),
                    why,
                });
            }
            if in_window {
                c.owe(
                    Owed::Ack {
                        missing: c.challenge_missing_rule(),
                        numbers: RuleId::ChallengeAckNumbers,
                        requirement: None,
                        upto: c.harness_snd_max,
                        why: format!(
                            "an in-window RST with seq {} not at RCV.NXT {} in SYN-RECEIVED",
                            super::finding::peer(seg.seq),
                            c.rcv_nxt_text()
                        ),
                    },
                    now,
                    grace,
                );
            }
            return;
        }
        c.last_was_rst = false;
        if let Some(iss) = c.snd.iss.filter(|_| !c.passive && f.syn() && f.ack()) {
            // Simultaneous open (the target came from SYN-SENT): the peer's
            // SYN-ACK, its SYN the one the target answered. Its ACK of the
            // target's SYN completes the handshake (RFC 9293 §3.5 Figure 7,
            // line 7: SYN-RECEIVED → ESTABLISHED; Linux lets this SYN-ACK
            // through its RFC 5961 SYN check in SYN-RECEIVED for that
            // reason, `tcp_validate_incoming`). Nothing is owed for it.
            if c.syn_seqs.contains(&seg.seq) && seg.ack == iss.add(1) {
                c.state = TcpState::Established;
                c.snd.una = seg.ack;
                c.snd.wl1 = seg.seq;
                c.snd.wl2 = seg.ack;
                let wnd = c.harness_window(seg.window, true);
                c.snd.max_wnd = wnd;
                c.snd.right = Some(seg.ack.add(wnd));
                c.snd.right_latest = c.snd.right;
                c.data = Default::default();
                return;
            }
        }
        if f.syn() && !f.ack() {
            // A repeated SYN: the target may answer with its SYN-ACK again.
            if !c.syn_seqs.contains(&seg.seq) {
                c.syn_seqs.push(seg.seq);
            }
            // Before any SYN-ACK, a SYN at another seq may be the one the
            // target opens the connection with (see `judge_syn`).
            // So may one at the same seq with other options (the target may
            // have dropped the first: smoltcp still had an earlier
            // connection on the tuple); the SYN-ACK's options decide.
            if c.maybe_reset.is_some() || c.snd.iss.is_none() {
                c.reopen = Some(seg.clone());
            }
            return;
        }
        if !f.ack() {
            return;
        }
        if f.syn() && c.acceptable(seg.seq, seg.seg_len()) != Some(false) {
            // The fourth check (before the fifth) returns a passive open to
            // LISTEN on a SYN (§3.10.7.4), silently; RFC 793 stacks reset
            // (<SEQ=SND.NXT>, with or without ACK). A stack that checks the
            // ACK first answers as below (the RST is then optional): any
            // of them passes.
            c.maybe_reset = Some(MaybeReset {
                rule: None,
                why: format!(
                    "a SYN-ACK (seq {}) in SYN-RECEIVED",
                    super::finding::peer(seg.seq)
                ),
            });
        }
        let Some(iss) = c.snd.iss else {
            // The target's SYN-ACK is not in yet (on a real clock, or in a
            // fuzz driver, the harness may build a segment before it reads
            // the SYN-ACK): ISS+1 is unknown. The target sent its SYN-ACK
            // before it took this ACK, so the ACK is judged once the SYN-ACK
            // is (`judge_syn`): an unacceptable one draws the fifth check's
            // <SEQ=SEG.ACK><CTL=RST> and SYN-RECEIVED stays (§3.10.7.4).
            if !f.syn() {
                if c.early.len() == super::tcb::EARLY_MEMORY {
                    c.early.remove(0);
                }
                c.early.push((now, seg.clone()));
            }
            return;
        };
        // SND.UNA < SEG.ACK =< SND.NXT (§3.10.7.4): ISS+1, or past the
        // text of a Fast Open SYN in a simultaneous open (`tfo.rs`).
        let snd_nxt = if seq_gt(c.snd.nxt, iss) {
            c.snd.nxt
        } else {
            iss.add(1)
        };
        let ack_ok = !f.syn() && seq_gt(seg.ack, iss) && seq_le(seg.ack, snd_nxt);
        if c.acceptable(seg.seq, seg.seg_len()) == Some(false) {
            // First check: an unacceptable segment draws <SEQ=SND.NXT><ACK=RCV.NXT>
            // and is dropped; SYN-RECEIVED stays. With a bad ACK as well, the
            // fifth check's RST is allowed too (a stack may check the ACK first).
            let why = format!(
                "an unacceptable segment (seq {} len {}, RCV.NXT {}) in SYN-RECEIVED",
                super::finding::peer(seg.seq),
                seg.seg_len(),
                c.rcv_nxt_text()
            );
            // The fifth check's RST in its place only where the profile
            // allows checking the ACK first (`ack_checked_before_seq`).
            let owed = if ack_ok || !super::seq_first::rst_allowed(&self.profile) {
                Owed::Ack {
                    missing: RuleId::AckNotSent,
                    numbers: RuleId::UnacceptableAckNumbers,
                    requirement: None,
                    upto: c.harness_snd_max,
                    why,
                }
            } else {
                Owed::Rst {
                    seq: seg.ack,
                    ack: None,
                    numbers: RuleId::RstListenNumbers,
                    why,
                    or_ack: true,
                    optional: false,
                }
            };
            c.owe(owed, now, grace);
            return;
        }
        if ack_ok {
            // Fifth check: SND.UNA < SEG.ACK =< SND.NXT → ESTABLISHED.
            c.state = TcpState::Established;
            c.snd.una = seg.ack;
            c.snd.wl1 = seg.seq;
            c.snd.wl2 = seg.ack;
            let wnd = c.harness_window(seg.window, false);
            c.snd.max_wnd = wnd;
            c.snd.right = Some(seg.ack.add(wnd));
            c.snd.right_latest = c.snd.right;
            c.data = Default::default();
            if let Some(end) = c.dup_ack_text_end.filter(|&end| {
                let fin = seg.seq.add(seg.payload.len() as u32);
                f.fin() && seq_gt(end, c.rcv.hi) && seq_lt(fin, end)
            }) {
                // A target in FIN-WAIT-1 took the text (and FIN) on the
                // duplicate ACKs before, and drops a FIN below their end as
                // old, ACK and all: RCV.NXT may be anywhere up to `end`, and
                // the target's ACK shows whether it took this FIN.
                c.rcv.hi = end;
                c.dup_ack_text_end = None;
            }
            if c.app_closed && c.app_wrote > 0 && c.fin_seq.is_none() && wnd >= c.app_wrote {
                // §3.10.4: CLOSE in SYN-RECEIVED after SENDs queues the FIN
                // until ESTABLISHED; the window now takes the data, so the
                // data (if the writes were taken) and the FIN follow.
                c.owed.push(super::tcb::Obligation {
                    owed: Owed::Fin { exact: false },
                    since: now,
                    deadline: now + grace,
                    void_if_reset: false,
                });
            }
            self.arrive_text(i, now, seg, false);
        } else {
            // Fifth check: unacceptable ACK → <SEQ=SEG.ACK><CTL=RST>. After
            // the application closed, the target may be in FIN-WAIT-1 (§3.10.4),
            // where an ACK of unsent data draws an ACK instead, and a
            // duplicate one (SEG.ACK =< SND.UNA, the ISS) is ignored
            // (§3.10.7.4 ESTABLISHED, which FIN-WAIT-1 follows).
            let why = format!(
                "an unacceptable ACK (ack {}, expected {}) in SYN-RECEIVED",
                super::finding::tgt(seg.ack),
                super::finding::tgt(iss.add(1))
            );
            let or_ack = c.app_closed;
            let duplicate = c.app_closed && seq_le(seg.ack, iss);
            if duplicate {
                // FIN-WAIT-1 ignores the duplicate ACK and takes the text
                // and the FIN (a stack in FIN-WAIT-1 that sent no FIN too:
                // smoltcp, `close-fin-missing`).
                fin_maybe_taken(c, seg);
                text_maybe_taken(c, seg);
            }
            c.owe(
                Owed::Rst {
                    seq: seg.ack,
                    ack: None,
                    numbers: RuleId::RstListenNumbers,
                    why,
                    or_ack,
                    optional: f.syn() || duplicate,
                },
                now,
                grace,
            );
        }
    }
}

/// A segment with a duplicate ACK in SYN-RECEIVED after a close: a target
/// in FIN-WAIT-1 takes its text and FIN when they are in order (§3.10.7.4),
/// RCV.NXT then past them (within the advertised window); one in
/// SYN-RECEIVED drops it. Records how far RCV.NXT may have moved
/// (`Conn::dup_ack_text_end`), continuing from an earlier such segment.
fn text_maybe_taken(c: &mut Conn, seg: &Segment) {
    if seg.flags.syn() {
        return;
    }
    // The highest RCV.NXT so far: `rcv.lo`, or past an earlier such segment.
    let from = match c.dup_ack_text_end {
        Some(end) if seq_gt(end, c.rcv.lo) => end,
        _ => c.rcv.lo,
    };
    let text_end = seg.seq.add(seg.payload.len() as u32);
    let end = match c.rcv.right {
        Some(right) if seq_gt(text_end, right) => right,
        _ if seg.flags.fin() => text_end.add(1),
        _ => text_end,
    };
    if seq_le(seg.seq, from) && seq_gt(end, from) {
        c.dup_ack_text_end = Some(end);
    }
}

/// True when `seq` is RCV.NXT in SYN-RECEIVED: a SYN's sequence number plus
/// one. A SYN's text is queued for processing once ESTABLISHED (RFC 9293
/// §3.10.7.2), so RCV.NXT does not move into it before then, and the
/// SYN-ACK acknowledges the SYN alone (`syn-ack-acks-isn` otherwise); the
/// range `rcv.lo..=rcv.hi` only says where it may be after ESTABLISHED.
/// Before the SYN-ACK any SYN seen may be the one it answers; after it,
/// the one it acknowledged (`rcv.lo`).
fn syn_received_rcv_nxt(c: &Conn, seq: SeqNumber) -> bool {
    seq == c.rcv.lo || (c.snd.iss.is_none() && c.syn_seqs.iter().any(|s| s.add(1) == seq))
}
