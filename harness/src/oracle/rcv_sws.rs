//! Receiver silly window syndrome avoidance (RFC 9293 §3.8.6.2.2, MUST-39):
//! "A TCP implementation MUST include a SWS avoidance algorithm in the
//! receiver". The receiver keeps the right edge of its window
//! (RCV.NXT + RCV.WND) where it is until it can move it by at least
//! min(Fr × RCV.BUFF, Eff.snd.MSS), Fr = 1/2, so the sender never sees a
//! small window open.
//!
//! What a wire shows, and so what is checked: a segment from the target
//! whose right edge (SEG.ACK + SEG.WND, scaled) passes the furthest edge it
//! announced before by fewer octets than that minimum, while the window it
//! offers is itself below it — a small window opened (after a zero window,
//! `ack 1461 win 100` once the application read 100 octets). RCV.BUFF is not
//! on the wire: the largest window the target has announced stands for it
//! (a lower bound, so the minimum is never overstated), and Eff.snd.MSS is
//! the MSS the target announced on its SYN (536 without the option,
//! RFC 9293 §3.7.1). A right edge that moves with arriving data while the
//! window stays at least that minimum (Linux: windows rounded to the MSS) is
//! not a small window and is not reported.

use super::finding::peer;
use super::model::Oracle;
use super::rules::{Finding, RuleId};
use super::tcb::Tuple;
use crate::wire::{seq_gt, Segment, SeqNumber};

/// What the target has announced of its receive window on one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Advertised {
    /// The MSS on the target's SYN (536 without the option), once seen.
    mss: Option<u32>,
    /// The largest window it has announced (scaled): RCV.BUFF at least.
    max_wnd: u32,
    /// The furthest right edge it has announced.
    right: Option<SeqNumber>,
}

/// Eff.snd.MSS when the SYN carries no MSS option (RFC 9293 §3.7.1).
const DEFAULT_MSS: u32 = 536;

impl Advertised {
    /// min(MSS, RCV.BUFF / 2) as the wire shows them.
    fn threshold(&self) -> u32 {
        self.mss.unwrap_or(DEFAULT_MSS).min(self.max_wnd / 2)
    }
}

impl Oracle {
    /// After the target's `seg` on tuple `t` was judged: its window, as
    /// receiver SWS avoidance sees it.
    pub(super) fn judge_rcv_sws(&mut self, t: Tuple, seg: &Segment, out: &mut Vec<Finding>) {
        let Some(i) = self.conn_index(t) else { return };
        let c = &mut self.conns[i];
        let f = seg.flags;
        if f.syn() {
            c.rcv_sws.mss = Some(seg.mss().map_or(DEFAULT_MSS, u32::from));
        }
        if f.rst() || !f.ack() {
            return;
        }
        let wnd = c.target_window(seg.window, f.syn());
        let right = seg.ack.add(wnd);
        let a = &mut c.rcv_sws;
        if f.syn() {
            // The SYN-ACK starts the count: its window is the first edge.
            a.max_wnd = a.max_wnd.max(wnd);
            a.right = Some(right);
            return;
        }
        let before = *a;
        a.max_wnd = a.max_wnd.max(wnd);
        let Some(prev) = before.right else {
            a.right = Some(right);
            return;
        };
        if !seq_gt(right, prev) {
            return;
        }
        a.right = Some(right);
        let moved = right.offset_from(prev);
        let least = before.threshold();
        // A zero window opens nothing (an edge that moves with a FIN taken
        // past it, say): only a small window offered is the syndrome.
        if before.mss.is_none() || wnd == 0 || moved >= least || wnd >= least {
            return;
        }
        let msg = format!(
            "window update moves the right edge from {} to {} (by {moved}), offering a window of {wnd}: \
             below min(MSS {}, half the largest window announced, {}) = {least}",
            peer(prev),
            peer(right),
            before.mss.unwrap_or(DEFAULT_MSS),
            before.max_wnd / 2,
        );
        out.push(self.finding(RuleId::ReceiverSwsWindowUpdate, msg));
    }
}
