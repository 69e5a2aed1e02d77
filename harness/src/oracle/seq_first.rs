//! SYN-RECEIVED, a segment both unacceptable (first check: its sequence
//! number) and with a bad ACK (fifth check): RFC 9293 §3.10.7.4 runs the
//! checks in order, so it draws `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>` and is
//! dropped. Linux (tcp_check_req) and smoltcp 0.14 check the ACK first and
//! send the fifth check's `<SEQ=SEG.ACK><CTL=RST>`; their profiles allow it
//! (`ack-checked-before-seq`), and there the model owes either reply. Under
//! the strict profile only the ACK is owed. (Before, the core always owed
//! either, and the strict profile flagged none of the grid's 33 such cells
//! on smoltcp: docs/grid-oracle-misses.md.)

use super::profile::Profile;
use super::rules::{Finding, RuleId};
use super::tcb::Owed;
use crate::wire::{Segment, TcpState};

/// The fifth check's RST may stand in for the first check's ACK.
pub(super) fn rst_allowed(profile: &Profile) -> bool {
    profile.allows(RuleId::AckCheckedBeforeSeq).is_some()
}

impl super::model::Oracle {
    /// The target's RST `seg` on connection `i` where the profile does not
    /// allow it: in SYN-RECEIVED, while the first check's ACK for an
    /// unacceptable segment is owed, a RST not at SND.NXT (an ABORT's RST
    /// would be, §3.10.5) is the fifth check's, run first.
    pub(super) fn rst_before_seq_check(&self, i: usize, seg: &Segment) -> Option<Finding> {
        let c = self.conns.get(i)?;
        if rst_allowed(&self.profile)
            || c.state != TcpState::SynReceived
            || seg.seq == c.snd.nxt
            || !c.owed.iter().any(|o| {
                matches!(
                    o.owed,
                    Owed::Ack {
                        missing: RuleId::AckNotSent,
                        ..
                    }
                )
            })
        {
            return None;
        }
        Some(self.finding(
            RuleId::AckCheckedBeforeSeq,
            format!(
                "RST (seq {}) in SYN-RECEIVED for an unacceptable segment: the first check \
                 (sequence number) comes before the fifth (ACK), and answers with \
                 <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>",
                super::finding::tgt(seg.seq)
            ),
        ))
    }
}
