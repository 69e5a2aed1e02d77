//! A segment the target may or may not have been reset by, as a fork of
//! the model (RFC 9293 §3.10.7.4 leaves it undecided in the model, not
//! in the target).
//!
//! Event processing (`arrive.rs`, `arrive_syn.rs`) marks a connection
//! that the segment just processed may have reset (`Conn::reset_undecided`):
//! a RST at RCV.NXT for some RCV.NXT candidates only, a segment with
//! several control bits that a stack may drop (RFC 9293 §3.1 MUST-7), an
//! in-window RST not at RCV.NXT (RFC 793 resets, RFC 5961 §3.2 sends a
//! challenge ACK). Once the event is judged, each model that lives on
//! splits there (`branches.rs`):
//!
//! - in one copy the target was not reset: the connection goes on, and it
//!   owes everything it owed (no obligation is voided);
//! - in the other it was: a SYN-RECEIVED of a passive open is back in
//!   LISTEN (MUST-11), any other connection is CLOSED, reset by the
//!   harness's RST (its last segment there). When that reset is itself a
//!   finding (`MaybeReset::rule`: RFC 793's reset on an in-window RST), the
//!   copy holds it (`Oracle::held`), reported once every model left holds
//!   one.
//!
//! The target's next segments decide, as for any fork: an ACK on the
//! connection kills the copy that has no connection, a closed port's RST
//! the one that still owes an ACK.
//!
//! Still a flag inside one TCB (`Conn::maybe_reset`, see the module doc):
//! resets the target would make itself, which send a RST of their own
//! (RFC 793's on a SYN in a synchronized state, a RST after SHUT_RD, a
//! SYN-ACK in SYN-RECEIVED), and a SYN in TIME-WAIT that may reopen the
//! tuple. As forks, their copy would owe that RST (numbers the RFC does
//! not fix) and lose to the other copy on any segment on the connection:
//! not done yet.

use super::model::Oracle;
use super::tcb::{Gone, Tuple};
use crate::wire::TcpState;
use std::time::Duration;

impl Oracle {
    /// When the last segment to `t` may have reset its connection without
    /// a finding either way, splits this model: `self` becomes the copy
    /// that was not reset, the copy that was is returned. The model must
    /// have no `alts` (the set's members have none while an event runs).
    pub(super) fn split_reset(&mut self, t: Tuple, now: Duration) -> Option<Oracle> {
        let i = self.conn_index(t)?;
        let c = &self.conns[i];
        let m = c.reset_undecided.clone()?;
        debug_assert!(self.alts.is_empty(), "a member of the set has no alts");
        let mut reset = self.clone();
        let c = &mut self.conns[i];
        c.reset_undecided = None;
        if let Some(rule) = m.rule {
            // That reset is itself a violation (or the profile's deviation):
            // reported once the target shows it was reset (`branches.rs`).
            let f = reset.finding(rule, format!("the connection was reset after {}", m.why));
            reset.held.push(f);
        }
        let c = &reset.conns[i];
        let after_rst = c.last_was_rst;
        match (c.state, c.passive) {
            // §3.10.7.4: a passive open's SYN-RECEIVED returns to LISTEN.
            (TcpState::SynReceived, true) => {
                reset.conns.swap_remove(i);
                return Some(reset);
            }
            // From SYN-SENT (a simultaneous open): refused (second check).
            (TcpState::SynReceived, false) => reset.drop_conn(i, Gone::Refused(now)),
            _ => reset.drop_conn(i, Gone::ResetByHarness(now)),
        }
        reset.closed_mut(t).last_was_rst = after_rst;
        Some(reset)
    }
}
