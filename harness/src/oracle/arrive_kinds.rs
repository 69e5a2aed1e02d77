//! What a segment is to a connection, for `arrive.rs`: predicates (may it
//! be dropped, does it carry more than one control, is it a FIN on old
//! text) and the undecided takes the target's next segment settles (a FIN
//! or text a stack may have taken where RFC 9293 drops the segment).

use super::tcb::Conn;
use crate::wire::option::kind;
use crate::wire::{seq_ge, seq_gt, seq_le, seq_lt, Segment, SeqNumber, TcpOption, TcpState};

/// A segment the model drops before its text (an ACK of unsent data,
/// §3.10.7.4 fifth check; a duplicate ACK in SYN-RECEIVED after a close)
/// that a target may process all the same (smoltcp takes any ACK within its
/// send buffer: `unacceptable-ack-numbers`; FIN-WAIT-1 ignores a duplicate
/// ACK): when its FIN is in order for some RCV.NXT candidate, the target's
/// ACK of that FIN shows it was taken (`Conn::maybe_fin`, decided in
/// `judge`), and the model follows into CLOSE-WAIT.
pub(super) fn fin_maybe_taken(c: &mut Conn, seg: &Segment) {
    let fin = seg.seq.add(seg.payload.len() as u32);
    if seg.flags.fin()
        && c.harness_fin.is_none()
        && seq_le(seg.seq, c.rcv.hi)
        && seq_ge(fin, c.rcv.lo)
    {
        c.fin_undecided(fin);
    }
}

/// Text on a segment whose ACK covers data the application wrote that the
/// target has not sent (an ACK of unsent data to the model, which drops
/// the segment, §3.10.7.4 fifth check): a stack that takes any ACK within
/// its send buffer (smoltcp, `unacceptable-ack-numbers`) takes the text
/// too, so RCV.NXT may lie anywhere up to its end (within the window); the
/// target's ACK shows where.
pub(super) fn text_maybe_taken_on_unsent_ack(c: &mut Conn, seg: &Segment) {
    let receiving = matches!(
        c.state,
        TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
    );
    let Some(iss) = c.snd.iss else { return };
    let buffered = iss.add(1).add(c.app_written).add(u32::from(c.app_closed));
    let end = seg.seq.add(seg.payload.len() as u32);
    if !receiving
        || seg.payload.is_empty()
        || seq_gt(seg.ack, buffered)
        || seq_gt(seg.seq, c.rcv.hi)
        || seq_le(end, c.rcv.hi)
    {
        return;
    }
    c.rcv.hi = match c.rcv.right {
        Some(right) if seq_gt(end, right) => right,
        _ => end,
    };
}

/// True in SYN-RECEIVED for a segment whose ACK completes the handshake,
/// with a FIN on text that is all old (it ends at RCV.NXT). RFC 9293
/// §3.10.7.4 accepts it (the FIN is new) and ESTABLISHED follows; a stack
/// that measures a segment by its text alone in the window test (smoltcp:
/// `fin-on-old-data-ignored`) drops it, ACK and all, and stays in
/// SYN-RECEIVED. Where the profile allows that deviation, the model forks
/// on it and the target's next segments decide (a SYN-ACK again, a write
/// refused); elsewhere the FIN left unacknowledged is the finding.
pub(super) fn handshake_ack_on_fin_after_old_text(c: &Conn, seg: &Segment) -> bool {
    let f = seg.flags;
    let end = seg.seq.add(seg.payload.len() as u32);
    c.state == TcpState::SynReceived
        && f.fin()
        && f.ack()
        && !f.syn()
        && !f.rst()
        && !seg.payload.is_empty()
        && c.snd.iss.is_some_and(|iss| seg.ack == iss.add(1))
        // RCV.NXT's low candidate (a SYN's text dropped, as smoltcp drops
        // it) is enough: the fork's dropping branch is that candidate's.
        && end == c.rcv.lo
}

/// True in a state that takes a FIN (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2)
/// for a segment with a FIN on text that is all old (it ends at RCV.NXT):
/// as [`handshake_ack_on_fin_after_old_text`], RFC 9293 §3.10.7.4 takes the
/// FIN (and its ACK), smoltcp drops the segment, ACK and all
/// (`fin-on-old-data-ignored`): after a close in SYN-RECEIVED it stays in
/// FIN-WAIT-1, which the model may have entered on the target's FIN.
pub(super) fn fin_after_old_text(c: &Conn, seg: &Segment) -> bool {
    let f = seg.flags;
    let end = seg.seq.add(seg.payload.len() as u32);
    matches!(
        c.state,
        TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
    ) && c.harness_fin.is_none()
        && f.fin()
        && f.ack()
        && !f.syn()
        && !f.rst()
        && !seg.payload.is_empty()
        && c.rcv.lo == c.rcv.hi
        && end == c.rcv.lo
}

/// True for a bare FIN at RCV.NXT (known) while the target announces a
/// zero window: unacceptable by RFC 9293 §3.10.7.4 Table 6 (SEG.LEN 1,
/// RCV.WND 0), but no MUST forbids taking it and stacks do (Linux's
/// `tcp_data_queue` takes a bare FIN at RCV.NXT in a zero window; smoltcp
/// 0.14 tests the window on the payload only). The target's ACK of the FIN
/// decides ([`fin_maybe_taken`]); until then it counts as sent.
pub(super) fn fin_in_zero_window(c: &Conn, seg: &Segment) -> bool {
    let f = seg.flags;
    f.fin()
        && f.ack()
        && !f.syn()
        && !f.rst()
        && seg.payload.is_empty()
        && c.rcv.lo == c.rcv.hi
        && seg.seq == c.rcv.lo
        && c.rcv_wnd(c.rcv.lo) == 0
}

/// True for a segment with more than one of SYN, FIN and RST. RFC 9293
/// does not forbid them (a SYN+FIN is processed as a SYN, its FIN queued;
/// RST is checked first), but a stack may drop them as malformed (smoltcp's
/// parser does): the model follows the RFC and owes nothing for them.
pub(super) fn more_than_one_control(seg: &Segment) -> bool {
    let f = seg.flags;
    u8::from(f.syn()) + u8::from(f.fin()) + u8::from(f.rst()) > 1
}

/// True for a segment the target may drop without processing it: RFC 9293
/// §3.1 (MUST-7) asks a TCP to be prepared for an illegal option length and
/// suggests resetting the connection, so dropping the segment (smoltcp's
/// parser does) or processing it both conform. Illegal are a length byte of
/// 0 or 1 or one past the header ([`TcpOption::Malformed`]), a length other
/// than its own for MSS, Window Scale, SACK-permitted, SACK or Timestamps
/// (parsed as [`TcpOption::Unknown`] of that kind), and a data offset below
/// 5 or other than the option bytes (a header the target reads otherwise).
/// So may a segment with several of SYN, FIN and RST
/// ([`more_than_one_control`]). The model forks on such a segment (see
/// `model.rs`).
pub(super) fn droppable(seg: &Segment) -> bool {
    let bad_option = seg.options.iter().any(|o| match o {
        TcpOption::Malformed(_) => true,
        TcpOption::Unknown { kind: k, .. } => matches!(
            *k,
            kind::MSS | kind::WINDOW_SCALE | kind::SACK_PERMITTED | kind::SACK | kind::TIMESTAMPS
        ),
        _ => false,
    });
    let bad_offset = seg.data_offset.is_some_and(|d| {
        let options: usize = seg.options.iter().map(TcpOption::wire_len).sum();
        d < 5 || usize::from(d) * 4 != 20 + options
    });
    bad_option || bad_offset || more_than_one_control(seg)
}

/// For a RST whose sequence number is outside the window: why it may still
/// reset a legacy stack, when its data reaches into the window (it passes
/// the RFC 9293 §3.10.7.4 acceptability test with SEG.LEN > 0, which RFC
/// 793 applies before the RST check; RFC 5961 §3.2 checks SEG.SEQ alone).
pub(super) fn rst_data_in_window(c: &Conn, seg: &Segment) -> Option<String> {
    let len = seg.payload.len() as u32;
    (len > 0 && c.acceptable(seg.seq, len) != Some(false)).then(|| {
        format!(
            "a RST (seq {}) outside the window whose {len} octets of data reach into it (RCV.NXT {})",
            super::finding::peer(seg.seq),
            c.rcv_nxt_text()
        )
    })
}

/// Text in CLOSE-WAIT, CLOSING or LAST-ACK (after the harness's FIN) that
/// begins at or below a RCV.NXT candidate and ends past them, on a segment
/// whose ACK was processed (`una_before`: SND.UNA before it). RFC 9293
/// §3.10.7.4 ignores the text; a stack that takes it (smoltcp: the
/// `ack-past-fin` deviation) has RCV.NXT at its end, within the advertised
/// window, so the candidates reach that far. No ACK is owed for it (the RFC
/// owes none). As smoltcp takes it: not with an ACK below every SND.UNA the
/// target may have (it drops that segment whole), and in LAST-ACK only with
/// an ACK that moves SND.UNA (it answers any other with a challenge ACK).
/// The state is the one before the segment's ACK (`state_before`): the ACK
/// of the target's FIN that ends CLOSING carries text smoltcp takes too.
pub(super) fn text_after_fin(
    c: &mut Conn,
    seg: &Segment,
    una_before: SeqNumber,
    state_before: TcpState,
) {
    let start = seg.seq;
    let end = seg.seq.add(seg.payload.len() as u32);
    // The lowest SND.UNA the target may have (it may have ignored a FIN
    // segment's ACK).
    let una = match c.follow.fin_segment_una {
        Some(b) if seq_lt(b, una_before) => b,
        _ => una_before,
    };
    let takes = match state_before {
        TcpState::CloseWait | TcpState::Closing => seq_ge(seg.ack, una),
        TcpState::LastAck => seq_gt(seg.ack, una),
        _ => false,
    };
    if !takes || seg.payload.is_empty() || seq_gt(start, c.rcv.hi) || seq_le(end, c.rcv.hi) {
        return;
    }
    let new_hi = match c.rcv.right {
        Some(right) if seq_gt(end, right) => right,
        _ => end,
    };
    if seq_gt(new_hi, c.rcv.hi) {
        c.rcv.hi = new_hi;
    }
}
