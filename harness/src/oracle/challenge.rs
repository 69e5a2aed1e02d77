//! Which rule a missing challenge ACK breaks. RFC 5961 §3.2 (an in-window
//! RST not at RCV.NXT) and §4.2 (a SYN in a synchronized state): "TCP MUST
//! send an ACK (also referred to as challenge ACK)"; §7: an implementation
//! SHOULD throttle them. A throttle can explain a missing challenge ACK only
//! within a burst, so the first one owed while no other is pending on the
//! connection is `challenge-ack-not-sent` (MUST: a failure under the strict
//! profile; the profiles of stacks that throttle harder, or send none, allow
//! it), a later one `challenge-ack-missing` (SHOULD). See
//! docs/grid-oracle-misses.md: before this, every missing challenge ACK was
//! the SHOULD, and the strict profile flagged none of the grid's cells where
//! smoltcp drops a SYN in a synchronized state.

use super::rules::RuleId;
use super::tcb::{Conn, Owed};

impl Conn {
    /// The rule a challenge ACK owed now is reported under when it never
    /// comes (see the module docs).
    pub(super) fn challenge_missing_rule(&self) -> RuleId {
        let pending = self.owed.iter().any(|o| {
            matches!(
                o.owed,
                Owed::Ack {
                    missing: RuleId::ChallengeAckMissing | RuleId::ChallengeAckNotSent,
                    ..
                }
            )
        });
        if pending {
            RuleId::ChallengeAckMissing
        } else {
            RuleId::ChallengeAckNotSent
        }
    }
}
