//! Checks on where a target segment sits in the target's own sequence space
//! and how large it is, kept apart from `judge.rs`'s model updates: each is a
//! pure function of the segment and a few TCB variables.

use crate::wire::{seq_gt, Segment, SeqNumber};

/// RFC 9293 §3.7.1 (MUST-16): "Eff.snd.MSS = min(SendMSS+20, MMS_S) − TCPhdrsize − IPoptionsize",
/// where TCPhdrsize counts the segment's options (padding included: the data offset). So the
/// payload plus the options never exceeds SendMSS: with timestamps (12 octets with their NOPs),
/// an MSS of 1460 allows 1448 octets. `None`: within it.
pub(super) fn over_effective_mss(send_mss: u32, seg: &Segment) -> Option<String> {
    let payload = seg.payload.len() as u32;
    let header = match seg.data_offset {
        Some(words) => usize::from(words) * 4,
        None => seg.derived_data_offset() * 4,
    };
    let options = header.saturating_sub(20) as u32;
    if payload + options <= send_mss {
        return None;
    }
    Some(if options == 0 || payload > send_mss {
        format!("{payload} bytes of payload but the send MSS is {send_mss}")
    } else {
        format!(
            "{payload} bytes of payload with {options} octets of TCP options, but the effective send MSS is {} (MSS {send_mss} less the options, RFC 9293 §3.7.1)",
            send_mss - options
        )
    })
}

/// RFC 9293 §3.3.1, §3.10.2: a segment's sequence number lies in what the
/// target has used, from ISS (a SYN-ACK retransmission; a keep-alive at
/// SND.UNA − 1 is at ISS at the lowest) to SND.NXT. One beyond SND.NXT is a
/// `seq-gap`, checked apart; this finds the ones below ISS, e.g. an ACK whose
/// SEG.SEQ lies 2^30 below SND.NXT. The interval is taken modulo 2^32 from
/// ISS, so a connection that has sent more than 2^31 octets is still judged
/// right. `None`: in the space (or no ISS yet).
pub(super) fn before_iss(
    iss: Option<SeqNumber>,
    snd_nxt: SeqNumber,
    seg: &Segment,
) -> Option<String> {
    let iss = iss?;
    if seq_gt(seg.seq, snd_nxt) {
        return None;
    }
    let used = snd_nxt.0.wrapping_sub(iss.0);
    let at = seg.seq.0.wrapping_sub(iss.0);
    if at <= used {
        return None;
    }
    Some(format!(
        "segment (flags {} seq {}) {} below ISS {}: no sequence number the connection used (SND.NXT {})",
        seg.flags,
        super::finding::tgt(seg.seq),
        iss.0.wrapping_sub(seg.seq.0),
        super::finding::tgt(iss),
        super::finding::tgt(snd_nxt)
    ))
}
