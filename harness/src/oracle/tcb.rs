//! The oracle's model of one target connection (`Conn`), grouped as RFC
//! 9293 §3.3.1 groups a TCB: the send sequence variables (`SendVars`), the
//! receive sequence variables (`RecvVars`), the options in effect
//! (`Options`), the state; beside them what the target owes the harness
//! (`Obligation`), its timers, and what the application did.
//!
//! A choice the RFCs leave the target is a fork of the whole model
//! (`branches.rs`), except for what is still held inside one TCB (see the
//! module doc, "Still held inside one TCB"): RCV.NXT as a range
//! (`rcv.lo..=rcv.hi`), `maybe_fin`, `maybe_reset` (resets the target
//! makes itself; one it may have taken is `reset_undecided`, a fork once
//! the segment is judged: `reset_fork.rs`). `Follow` holds what a
//! target that took a deviation stacks take still has (each field names
//! the rule), so that its later segments are judged from where it is.

use super::rules::RuleId;
use crate::wire::{seq_ge, seq_gt, seq_le, seq_lt, Segment, SeqNumber, TcpOption, TcpState};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

/// Identifies a connection from the harness's side: its endpoint and the target's port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Tuple {
    pub harness: SocketAddr,
    pub port: u16,
}

/// Something the target owes after a segment it received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Owed {
    /// An ACK `<SEQ=SND.NXT><ACK=RCV.NXT>` (unacceptable segment or challenge).
    Ack {
        /// Reported when no ACK comes.
        missing: RuleId,
        /// Reported when the ACK's numbers are wrong.
        numbers: RuleId,
        /// What drew it, for messages.
        why: String,
        /// The requirement to cite instead of the rule's own (a SYN's
        /// challenge ACK is RFC 5961 §4.2, a RST's §3.2).
        requirement: Option<&'static str>,
        /// The end of what the harness had sent when it was owed: an ACK
        /// past it acknowledges later data and is not this reply.
        upto: SeqNumber,
    },
    /// An ACK covering in-order data or FIN up to `upto`, within 0.5 s (MUST-40).
    AckData {
        upto: SeqNumber,
        /// The segment carried an ACK below SND.UNA (a duplicate ACK): its
        /// data must still be processed (RFC 9293 §3.10.7.4).
        old_ack: bool,
        /// Only a FIN is new: the segment's data was all old, up to
        /// RCV.NXT (SEG.LEN counts the FIN, RFC 9293 §3.3.1).
        fin_on_old_data: bool,
    },
    /// A RST with these numbers (`ack: None` means no ACK bit).
    Rst {
        seq: SeqNumber,
        ack: Option<SeqNumber>,
        /// Reported when the numbers are wrong.
        numbers: RuleId,
        why: String,
        /// An ACK `<SEQ=SND.NXT><ACK=RCV.NXT>` instead is allowed too (a
        /// segment that fails both the first and the fifth check of §3.10.7.4).
        or_ack: bool,
        /// The target may also send nothing (a SYN-ACK in SYN-RECEIVED,
        /// which RFC 9293 answers by a silent return to LISTEN).
        optional: bool,
    },
    /// A FIN after CLOSE in SYN-RECEIVED (RFC 9293 §3.10.4): at ISS+1 at
    /// once with nothing to send (`exact`), else after the written data
    /// once ESTABLISHED (at ISS+1 or later: the oracle does not know
    /// whether the writes were taken).
    Fin { exact: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Obligation {
    pub owed: Owed,
    pub since: Duration,
    pub deadline: Duration,
    /// Owed before a segment that may have reset the connection: a target
    /// it reset owes it no more (see `Conn::maybe_reset`).
    pub void_if_reset: bool,
}

/// A legacy (or deviating) stack would have reset the connection here: if the
/// target later behaves as reset, report `rule` (None: either way is fine).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct MaybeReset {
    pub rule: Option<RuleId>,
    pub why: String,
}

impl MaybeReset {
    /// A reset the target may or may not have taken, neither a finding.
    pub fn either_way() -> MaybeReset {
        MaybeReset {
            rule: None,
            why: String::new(),
        }
    }
}

/// Timing of the retransmission timer for one kind of segment (RFC 6298).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct RtxClock {
    /// Sequence number and time of the last transmission the timer covers.
    pub last: Option<(SeqNumber, Duration)>,
    /// The previous retransmission interval, for back-off.
    pub interval: Option<Duration>,
    /// The harness sent something since `last`: the next send may be a
    /// reaction to it (fast retransmit, a repeated SYN), not a timeout.
    pub disturbed: bool,
}

/// The target's send sequence variables (RFC 9293 §3.3.1, Figure 4),
/// as the wire shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct SendVars {
    /// ISS, once the target's SYN is seen.
    pub iss: Option<SeqNumber>,
    /// SND.UNA.
    pub una: SeqNumber,
    /// The highest sequence number the target has sent plus one (SND.MAX;
    /// SND.NXT after a retransmission is not on the wire).
    pub nxt: SeqNumber,
    /// SND.WL1 and SND.WL2 (§3.10.7.4).
    pub wl1: SeqNumber,
    pub wl2: SeqNumber,
    /// The right edge of the harness's window (SND.UNA + SND.WND as of the
    /// last window update); data already sent past it may still be resent.
    pub right: Option<SeqNumber>,
    /// The right edge as of the latest acceptable ACK, SND.WL1/SND.WL2 or
    /// not: RFC 9293 §3.10.7.4 says the window "should" be updated, and a
    /// stack that takes every acceptable ACK's window conforms too.
    pub right_latest: Option<SeqNumber>,
    /// The largest send window the harness offered (MAX.SND.WND, RFC 5961 §5.2).
    pub max_wnd: u32,
}

/// The target's receive sequence variables (RFC 9293 §3.3.1, Figure 5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct RecvVars {
    /// IRS.
    pub irs: SeqNumber,
    /// RCV.NXT is somewhere in `lo..=hi` (a SYN's text queued or not,
    /// §3.10.7.2; see the module doc).
    pub lo: SeqNumber,
    pub hi: SeqNumber,
    /// RCV.NXT + RCV.WND: the right edge of the target's advertised window.
    pub right: Option<SeqNumber>,
}

/// The options each side's SYN offered (RFC 9293 §3.7.1, RFC 7323, RFC
/// 2018) and those in effect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Options {
    pub harness_mss: Option<u16>,
    pub harness_ws: Option<u8>,
    pub harness_ts: bool,
    /// The harness's SYN carried SACK-permitted.
    pub harness_sack: bool,
    /// Both SYNs carried SACK-permitted (RFC 2018 §2).
    pub sack_ok: bool,
    pub target_ws: Option<u8>,
    pub ts_ok: bool,
    /// Recent TSvals from the harness (TS.Recent candidates), newest last.
    pub ts_vals: VecDeque<u32>,
    pub ts_max: Option<u32>,
}

/// A harness FIN the target may or may not have taken (`Conn::maybe_fin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct MaybeFin {
    /// Its sequence number.
    pub seq: SeqNumber,
    /// It arrived after the application closed (its latest copy): taken,
    /// it makes CLOSING. One that arrived before the close, which the
    /// target's ACK shows only after it, makes CLOSE-WAIT and then
    /// LAST-ACK (`Conn::fin_received`).
    pub after_close: bool,
    /// A later segment's text covered its sequence number: an ACK one past
    /// the FIN may be that text's (a stack that dropped the FIN's segment
    /// took it), so it does not show the FIN taken.
    pub text_over: bool,
}

/// What a target that deviated from RFC 9293 §3.10.7.4 in a way stacks
/// do may hold beside the RFC's TCB: the model keeps it so that the
/// target's later segments are judged from where it is (the deviation
/// itself is reported, as a `deviation` where the profile allows it).
/// Each field names the rule whose deviation it follows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Follow {
    /// `unacceptable-ack-numbers`: harness ACKs of data the target had
    /// not sent (SEG.ACK > SND.NXT), which §3.10.7.4 drops, each with its
    /// window (scaled), newest last: a
    /// stack that takes one anyway (smoltcp accepts any ACK within its send
    /// buffer) shows it by sending from there, and the model follows.
    pub unsent_acks: Vec<(SeqNumber, u32)>,
    /// `ack-of-unsent-data`: the text (start, end) of the latest harness
    /// segments that reached the text check in a receiving state, newest last: a stack that held
    /// text out of order past `maybe_fin` and counts the FIN after it
    /// (smoltcp) acknowledges one past the end of such a segment.
    pub harness_text: Vec<(SeqNumber, SeqNumber)>,
    /// `fin-segment-ack-ignored`: SND.UNA before a FIN segment that
    /// arrived after the harness's FIN moved it: a target that dropped that segment before using its ACK
    /// (RFC 9293 §3.10.7.4 takes the ACK first) still sends from here.
    /// Kept until a segment from the target shows which SND.UNA it has.
    pub fin_segment_una: Option<SeqNumber>,
    /// `fin-segment-ack-ignored`: the send window's right edge before a
    /// FIN segment that arrived after the harness's FIN shrank it: a target that dropped that
    /// segment, window and all (smoltcp: `fin-segment-ack-ignored`), may
    /// still send up to here. Cleared by a later ACK without FIN, whose
    /// window such a target takes.
    pub fin_segment_right: Option<SeqNumber>,
}

/// A target connection (RFC 9293 TCB, seen from outside).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Conn {
    pub tuple: Tuple,
    pub state: TcpState,
    pub maybe_reset: Option<MaybeReset>,
    /// The end of what the harness had sent when `maybe_reset` was last set:
    /// a RST that acknowledges more shows the target processed later data,
    /// so that event did not reset the connection.
    pub reset_upto: SeqNumber,
    /// The segment being processed may have reset the connection or not
    /// (a RST at one RCV.NXT candidate, one a stack may drop, RFC 793's
    /// reset on an in-window RST): the model splits once the event is
    /// judged (`reset_fork.rs`); the copy reset holds `rule`, if any.
    pub reset_undecided: Option<MaybeReset>,
    /// True when the harness opened it (passive open on the target).
    pub passive: bool,
    /// The harness's SYN offered a Fast Open cookie and the target's
    /// SYN-ACK did not answer with one of its own: the target may have
    /// taken the SYN as a Fast Open (`tfo.rs`, RFC 7413 §4.2.2).
    pub fast_open: bool,

    /// The send sequence variables (RFC 9293 §3.3.1).
    pub snd: SendVars,
    /// Zero-window probing (`zero_window.rs`).
    pub zwp: super::zero_window::Probing,
    /// The target's announced receive window (`rcv_sws.rs`).
    pub rcv_sws: super::rcv_sws::Advertised,
    /// Sequence number of the target's FIN.
    pub fin_seq: Option<SeqNumber>,

    // -- the target's receive side (the harness's send side) --
    /// The harness's SYN sequence numbers seen (IRS candidates).
    pub syn_seqs: Vec<SeqNumber>,
    /// The receive sequence variables (RFC 9293 §3.3.1).
    pub rcv: RecvVars,
    /// The highest ACK the target has sent.
    pub last_ack: Option<SeqNumber>,
    /// End of everything the harness has sent (its SND.MAX).
    pub harness_snd_max: SeqNumber,
    pub harness_fin: Option<SeqNumber>,
    /// A harness FIN the target may or may not have taken: its data began
    /// at or below one RCV.NXT candidate and it ends at or above another
    /// (the SYN's data queued or dropped), or its segment is one a stack
    /// may drop (an ACK of unsent data, an old ACK). An ACK of it decides.
    pub maybe_fin: Option<MaybeFin>,
    /// The last harness segment to this connection was a RST.
    pub last_was_rst: bool,

    /// The options each side offered and those in effect.
    pub opts: Options,
    /// What a target that took a deviation the profile may allow still
    /// holds, so that its later segments are judged as it sees them.
    pub follow: Follow,
    pub ipv6: bool,

    // -- timers --
    pub synack: RtxClock,
    pub data: RtxClock,
    pub time_wait_since: Option<Duration>,

    pub owed: Vec<Obligation>,
    /// The latest SYN that arrived while the target may no longer have this
    /// connection (TIME-WAIT, or `maybe_reset`): a SYN-ACK for it shows the
    /// connection is gone and this SYN opened a fresh one (RFC 9293 §3.10.7.2).
    pub reopen: Option<Segment>,
    /// The ACK fields of the latest ACK-bearing segments that arrived while
    /// `maybe_reset` held: in the world where that event reset the
    /// connection, LISTEN or CLOSED answers each with
    /// <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1, §3.10.7.2).
    pub acks_after_maybe_reset: Vec<SeqNumber>,
    /// ACK-bearing segments that reached SYN-RECEIVED before the target's
    /// SYN-ACK was seen (so before ISS was known), with their arrival
    /// times: processed once the SYN-ACK is judged.
    pub early: Vec<(Duration, Segment)>,
    /// The target's application closed (or shut down writing): from
    /// SYN-RECEIVED the target may be in FIN-WAIT-1 (RFC 9293 §3.10.4 CLOSE).
    pub app_closed: bool,
    /// After a close in SYN-RECEIVED, the end of the text (and FIN) that
    /// segments with a duplicate ACK brought in order from `rcv.lo`: a
    /// target in FIN-WAIT-1 (RFC 9293 §3.10.4) ignores the ACK and takes
    /// them (§3.10.7.4), so its RCV.NXT may lie anywhere in `rcv.lo..=` this
    /// until its ACK shows where; one still in SYN-RECEIVED has `rcv.lo`.
    pub dup_ack_text_end: Option<SeqNumber>,
    /// Octets the application wrote in SYN-RECEIVED: a FIN after a close
    /// waits for them, until ESTABLISHED (RFC 9293 §3.10.4 CLOSE).
    pub app_wrote: u32,
    /// Octets the application wrote in all: with a close before its FIN
    /// was seen, the target's FIN is at ISS + 1 + this (RFC 9293 §3.10.4).
    pub app_written: u32,
    /// How the connection this one replaced on the tuple ended, as the
    /// model saw it: a segment from the target other than a SYN-ACK before
    /// this one's SYN-ACK belongs to that one (a passive open sends nothing
    /// else first), so it is judged as sent after that end.
    pub replaced: Option<Gone>,
    /// `maybe_reset` may explain why a TIME-WAIT ended: a RST from the
    /// target after it may show that event took (a RST in TIME-WAIT, or
    /// any event before the model reached TIME-WAIT, which then never
    /// was), not a TIME-WAIT that was too short. Not a SYN that arrived in
    /// TIME-WAIT: a RST answers it only once TIME-WAIT is over.
    pub reset_ends_time_wait: bool,
    /// The FIN owed after the application's CLOSE never came (see
    /// [`Conn::withhold_fin`]).
    pub fin_withheld: bool,
    /// The application shut down reading (`shutdown(SHUT_RD)`): text that
    /// arrives after it may draw a RST (`rst-after-shutdown-read`).
    pub shut_rd: bool,
    /// The target's application aborted (RFC 9293 §3.10.5 ABORT): the next
    /// RST from the target is the abort's, whatever the model owed.
    pub aborted: bool,
    /// The segment being processed may be dropped by the target without a
    /// reply (RFC 7323 §3.2): it creates no obligations.
    pub quiet: bool,
}

/// How many segments that arrived before the SYN-ACK was seen the model keeps.
pub(super) const EARLY_MEMORY: usize = 8;

/// How many harness ACKs of unsent data the model remembers.
pub(super) const UNSENT_ACK_MEMORY: usize = 8;

/// How many harness text segments a connection remembers (`Follow::harness_text`).
pub(super) const HARNESS_TEXT_MEMORY: usize = 16;

/// How many harness TSvals the model remembers.
pub(super) const TS_MEMORY: usize = 32;

impl Conn {
    pub fn new(tuple: Tuple, state: TcpState, ipv6: bool) -> Conn {
        Conn {
            tuple,
            state,
            maybe_reset: None,
            zwp: Default::default(),
            rcv_sws: Default::default(),
            reset_upto: SeqNumber(0),
            reset_undecided: None,
            passive: true,
            fast_open: false,
            snd: SendVars::default(),
            rcv: RecvVars::default(),
            opts: Options::default(),
            follow: Follow::default(),
            fin_seq: None,
            syn_seqs: Vec::new(),
            last_ack: None,
            harness_snd_max: SeqNumber(0),
            harness_fin: None,
            maybe_fin: None,
            last_was_rst: false,
            ipv6,
            synack: RtxClock::default(),
            data: RtxClock::default(),
            time_wait_since: None,
            owed: Vec::new(),
            reopen: None,
            acks_after_maybe_reset: Vec::new(),
            early: Vec::new(),
            app_closed: false,
            dup_ack_text_end: None,
            app_wrote: 0,
            app_written: 0,
            fin_withheld: false,
            replaced: None,
            reset_ends_time_wait: false,
            shut_rd: false,
            aborted: false,
            quiet: false,
        }
    }

    /// A fresh passive open: LISTEN received `syn` (§3.10.7.2) → SYN-RECEIVED.
    pub fn from_syn(tuple: Tuple, syn: &Segment) -> Conn {
        let mut c = Conn::new(tuple, TcpState::SynReceived, syn.ip.src().is_ipv6());
        c.rcv.irs = syn.seq;
        c.syn_seqs.push(syn.seq);
        // A SYN's data may be queued or dropped (§3.10.7.2): RCV.NXT is either.
        c.rcv.lo = syn.seq.add(1);
        c.rcv.hi = syn.seq.add(1 + syn.payload.len() as u32);
        c.harness_snd_max = syn.seq.add(syn.seg_len());
        c.opts.harness_mss = offered_mss(syn);
        c.opts.harness_ws = offered_ws(syn);
        c.opts.harness_sack = syn.sack_permitted();
        c.fast_open = super::tfo::syn_text_allowed(syn);
        if syn.timestamps().is_some() {
            c.opts.harness_ts = true;
            c.remember_tsvals(syn);
        }
        c
    }

    /// The right edge of the harness's window the target may go by: the
    /// later of the SND.WL1/SND.WL2 one and the latest ACK's (either
    /// update policy conforms, see `SendVars::right_latest`).
    pub fn send_right_edge(&self) -> Option<SeqNumber> {
        match (self.snd.right, self.snd.right_latest) {
            (Some(a), Some(b)) => Some(if seq_gt(b, a) { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// A window update from an acceptable ACK (`SND.UNA =< SEG.ACK`) with
    /// this window `wnd`, already scaled: the latest edge always, the
    /// SND.WL1/SND.WL2 one by the §3.10.7.4 test. When the segment is
    /// acceptable for some RCV.NXT candidates only (`certain` false), the
    /// target may have dropped it: the edges only grow. (A zero window so
    /// announced forks the model instead: `Oracle::zero_window_unknown`.)
    pub fn window_update(&mut self, seg: &Segment, wnd: u32, certain: bool) {
        let edge = seg.ack.add(wnd);
        let update = |old: Option<SeqNumber>| match old {
            Some(o) if !certain && seq_ge(o, edge) => Some(o),
            _ => Some(edge),
        };
        self.snd.right_latest = update(self.snd.right_latest);
        if seq_lt(self.snd.wl1, seg.seq)
            || (self.snd.wl1 == seg.seq && seq_le(self.snd.wl2, seg.ack))
        {
            self.snd.wl1 = seg.seq;
            self.snd.wl2 = seg.ack;
            self.snd.max_wnd = self.snd.max_wnd.max(wnd);
            self.snd.right = update(self.snd.right);
        }
    }

    /// Remembers the TSval of every TSopt on `seg`: RFC 7323 does not say
    /// which of several a stack takes (smoltcp the last, others the first).
    pub fn remember_tsvals(&mut self, seg: &Segment) {
        for o in &seg.options {
            if let TcpOption::Timestamps { tsval, .. } = o {
                self.remember_tsval(*tsval);
            }
        }
    }

    /// True once both SYNs carried Window Scale (RFC 7323 §2.2).
    pub fn ws_ok(&self) -> bool {
        self.opts.harness_ws.is_some() && self.opts.target_ws.is_some()
    }

    /// The harness's window field, scaled when scaling is in effect (never on a SYN).
    pub fn harness_window(&self, field: u16, syn: bool) -> u32 {
        match (self.ws_ok(), syn) {
            (true, false) => (field as u32) << self.opts.harness_ws.unwrap_or(0).min(14),
            _ => field as u32,
        }
    }

    /// The target's window field, scaled likewise.
    pub fn target_window(&self, field: u16, syn: bool) -> u32 {
        match (self.ws_ok(), syn) {
            (true, false) => (field as u32) << self.opts.target_ws.unwrap_or(0).min(14),
            _ => field as u32,
        }
    }

    /// The effective send MSS the target must respect (RFC 9293 §3.7.1, MUST-15).
    pub fn send_mss(&self) -> u32 {
        match self.opts.harness_mss {
            Some(m) => m as u32,
            None => default_mss(self.ipv6).into(),
        }
    }

    /// RCV.WND for a given RCV.NXT, from the target's advertised right edge.
    /// Unknown (no advertisement yet) counts as unlimited.
    pub fn rcv_wnd(&self, rcv_nxt: SeqNumber) -> u32 {
        match self.rcv.right {
            Some(right) if seq_ge(right, rcv_nxt) => right.offset_from(rcv_nxt),
            Some(_) => 0,
            None => u32::MAX / 2,
        }
    }

    /// RFC 9293 §3.10.7.4 Table 6 for the range of possible RCV.NXT:
    /// `Some(true)` acceptable for every candidate, `Some(false)` for none,
    /// `None` when it depends on which one the target has.
    pub fn acceptable(&self, seq: SeqNumber, len: u32) -> Option<bool> {
        let lo = acceptable(seq, len, self.rcv.lo, self.rcv_wnd(self.rcv.lo));
        if self.rcv.lo == self.rcv.hi {
            return Some(lo);
        }
        let hi = acceptable(seq, len, self.rcv.hi, self.rcv_wnd(self.rcv.hi));
        (lo == hi).then_some(lo)
    }

    /// Remembers a harness TSval as a TS.Recent candidate.
    pub fn remember_tsval(&mut self, tsval: u32) {
        if self.opts.ts_vals.back() != Some(&tsval) {
            if self.opts.ts_vals.len() == TS_MEMORY {
                self.opts.ts_vals.pop_front();
            }
            self.opts.ts_vals.push_back(tsval);
        }
        let newer = match self.opts.ts_max {
            Some(m) => seq_gt(SeqNumber(tsval), SeqNumber(m)),
            None => true,
        };
        if newer {
            self.opts.ts_max = Some(tsval);
        }
    }

    /// The RCV.NXT candidates as a printable range.
    pub fn rcv_nxt_text(&self) -> String {
        if self.rcv.lo == self.rcv.hi {
            super::finding::peer(self.rcv.lo).to_string()
        } else {
            use super::finding::peer;
            format!("{}..={}", peer(self.rcv.lo), peer(self.rcv.hi))
        }
    }

    /// True when `ack` is a possible RCV.NXT.
    pub fn rcv_nxt_possible(&self, ack: SeqNumber) -> bool {
        seq_ge(ack, self.rcv.lo) && seq_le(ack, self.rcv.hi)
    }

    /// The harness's FIN at `fin` is in (§3.10.7.4 eighth check): RCV.NXT
    /// moves past it and the state follows.
    /// The FIN owed after the application's CLOSE (RFC 9293 §3.10.4) did
    /// not come in time, `since` being when it was owed (close-fin-missing,
    /// reported). A stack that counts it sent all the same (smoltcp after a
    /// close in SYN-RECEIVED: the handshake's ACK of ISS+1 takes it to
    /// FIN-WAIT-2) goes to TIME-WAIT on the harness's FIN, not to
    /// CLOSE-WAIT: the model follows, so that its end and a fresh
    /// connection on the tuple are judged as such.
    pub fn withhold_fin(&mut self, since: Duration) {
        self.fin_withheld = true;
        let fin_unsent = self.state == TcpState::Closing && self.fin_seq.is_none();
        if self.state == TcpState::CloseWait || fin_unsent {
            self.state = TcpState::TimeWait;
            self.time_wait_since = Some(since);
            // A SYN since the harness's FIN came in TIME-WAIT, then: it
            // may reopen the tuple, and no reset it draws is a violation.
            if let Some(m) = self
                .maybe_reset
                .as_mut()
                .filter(|m| m.rule == Some(RuleId::SynInWindowResets))
            {
                m.rule = None;
                m.why = "a SYN arrived in TIME-WAIT (it may reopen the connection)".into();
                self.reset_ends_time_wait = false;
            }
        }
    }

    /// A harness FIN the target may have taken, the target's ACK to decide
    /// (`maybe_fin`); it arrived before or after the application's close.
    pub fn fin_undecided(&mut self, fin: SeqNumber) {
        self.maybe_fin = Some(MaybeFin {
            seq: fin,
            after_close: self.app_closed,
            text_over: false,
        });
    }

    pub fn fin_received(&mut self, fin: SeqNumber, now: Duration) {
        // The target took a FIN the model was unsure of when the
        // application closed: it took it before the close (RFC 9293
        // §3.10.7.4, eighth check, in ESTABLISHED: CLOSE-WAIT).
        let before_close = self.maybe_fin.is_some_and(|m| !m.after_close);
        self.harness_fin = Some(fin);
        self.maybe_fin = None;
        match self.state {
            TcpState::Established if self.fin_withheld => {
                self.state = TcpState::TimeWait;
                self.time_wait_since = Some(now);
            }
            // After CLOSE in ESTABLISHED the target is in FIN-WAIT-1 (RFC
            // 9293 §3.10.4), its FIN perhaps still queued behind data the
            // model has not seen sent (a zero window): CLOSING.
            TcpState::Established if self.app_closed && !before_close => {
                self.state = TcpState::Closing
            }
            TcpState::Established => self.state = TcpState::CloseWait,
            TcpState::FinWait1 => self.state = TcpState::Closing,
            // Closed in SYN-RECEIVED, the target is in FIN-WAIT-1 (RFC 9293
            // §3.10.4; smoltcp too when it sent no FIN): a FIN it took
            // there (a duplicate ACK's segment, see `arrive`) makes CLOSING.
            TcpState::SynReceived if self.app_closed => self.state = TcpState::Closing,
            TcpState::FinWait2 => {
                self.state = TcpState::TimeWait;
                self.time_wait_since = Some(now);
            }
            _ => {}
        }
    }

    pub fn owe(&mut self, owed: Owed, now: Duration, wait: Duration) {
        if self.quiet {
            return;
        }
        self.owed.push(Obligation {
            owed,
            since: now,
            deadline: now + wait,
            void_if_reset: false,
        });
    }
}

/// The send MSS without an MSS option (RFC 9293 §3.7.1, MUST-15; RFC 8200 §5).
pub(super) fn default_mss(ipv6: bool) -> u16 {
    if ipv6 {
        1220
    } else {
        536
    }
}

/// The MSS a SYN offers, for the send-MSS bound: with several MSS options a
/// stack may take any of them (RFC 9293 §3.7.1 does not say which), so the
/// largest is the bound. A value of 0 cannot be honoured and stacks treat
/// it as absent (Linux, smoltcp): it counts as the default MSS. `None`: no
/// MSS option.
pub(super) fn offered_mss(syn: &Segment) -> Option<u16> {
    let default = default_mss(syn.ip.src().is_ipv6());
    syn.options
        .iter()
        .filter_map(|o| match o {
            TcpOption::Mss(0) => Some(default),
            TcpOption::Mss(m) => Some(*m),
            _ => None,
        })
        .max()
}

/// The window shift a SYN offers: with several Window Scale options a
/// stack may take any of them (RFC 7323 does not say which; smoltcp takes
/// the last), so the largest bounds the harness's window. `None`: none.
pub(super) fn offered_ws(syn: &Segment) -> Option<u8> {
    syn.options
        .iter()
        .filter_map(|o| match o {
            TcpOption::WindowScale(s) => Some(*s),
            _ => None,
        })
        .max()
}

/// RFC 9293 §3.10.7.4 Table 6: is a segment of `len` at `seq` acceptable?
pub(super) fn acceptable(seq: SeqNumber, len: u32, rcv_nxt: SeqNumber, rcv_wnd: u32) -> bool {
    let in_window = |s: SeqNumber| seq_le(rcv_nxt, s) && seq_lt(s, rcv_nxt.add(rcv_wnd));
    match (len, rcv_wnd) {
        (0, 0) => seq == rcv_nxt,
        (0, _) => in_window(seq),
        (_, 0) => false,
        (_, _) => in_window(seq) || in_window(seq.add(len - 1)),
    }
}

/// Why a tuple has no connection, for messages and rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gone {
    /// There never was one the oracle saw.
    Never,
    /// The harness reset it with a RST at RCV.NXT.
    ResetByHarness(Duration),
    /// The target reset it.
    ResetByTarget(Duration),
    /// The target reset it with a RST no segment owed and no abort the
    /// oracle heard of explains (an earlier event may have reset it, its
    /// TIME-WAIT ended, its application aborted unheard of). Allowed, but
    /// a branch in which a segment owed that RST explains it better (see
    /// `Oracle::branched`).
    ResetUnowed(Duration),
    /// The harness reset it with a RST at RCV.NXT that carried text while
    /// the target's receive window was zero (a stack that tests the text
    /// against the window first drops it: `rst-with-text-in-zero-window-ignored`).
    ResetInZeroWindow(Duration),
    /// The harness refused the target's active open: a RST acknowledging
    /// its SYN in SYN-SENT (RFC 9293 §3.10.7.3).
    Refused(Duration),
    /// Closed normally (LAST-ACK acknowledged, or TIME-WAIT ended).
    Closed(Duration),
    /// The application's CLOSE or ABORT in SYN-SENT deleted the TCB (RFC
    /// 9293 §3.10.4, §3.10.5): nothing is sent (`rst-after-close-in-syn-sent`).
    ClosedInSynSent(Duration),
    /// LAST-ACK acknowledged by a segment that also carried a FIN (closed
    /// all the same: RFC 9293 §3.10.7.4 takes the ACK first).
    ClosedByFinSegment(Duration),
}

/// A tuple with no connection: what the target owes there, and its history.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Closed {
    pub tuple: Tuple,
    pub gone: Gone,
    pub last_was_rst: bool,
    pub owed: Vec<Obligation>,
    /// The ACK `<SEQ=SND.NXT><ACK=RCV.NXT>` (RCV.NXT in the range) the
    /// target may still send once: the segment whose ACK closed the
    /// connection in LAST-ACK carried data past RCV.NXT, which draws an
    /// immediate duplicate ACK (RFC 5681 §4.2; RFC 9293 §3.10.7.4 holds
    /// such a segment for later, SHLD-31) while its ACK closes it.
    pub dup_ack: Option<(SeqNumber, SeqNumber, SeqNumber)>,
    /// The ACK a stack that takes text past the harness's FIN (smoltcp,
    /// `ack-past-fin`) may still send once: the segment whose ACK closed
    /// the connection in LAST-ACK carried such text, which it acknowledges
    /// as it closes. SND.NXT, then the ACK of the FIN and the end of what
    /// the harness had sent: an ACK field between them (past the first) is
    /// that ACK, reported as `ack-past-fin`.
    pub text_ack: Option<(SeqNumber, SeqNumber, SeqNumber)>,
    /// The application aborted while the target may still have had the
    /// connection the model closed (a FIN segment's ACK it ignored): the
    /// next RST from the target that answers nothing owed is the abort's.
    pub abort_rst: bool,
}
