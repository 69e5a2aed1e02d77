//! RFC 9293 §3.9.2.3 (RFC 1122 §4.2.3.10): "A TCP implementation MUST
//! silently discard an incoming SYN segment that is addressed to a broadcast
//! or multicast address" (MUST-57), "applicable to all incoming segments,
//! not just SYNs"; "An incoming SYN with an invalid source address MUST be
//! ignored either by TCP or by the IP layer" (MUST-63; RFC 1122 §3.2.1.3: a
//! broadcast or multicast address is never a source).
//!
//! Such a segment to the target reaches no model: no connection is made, no
//! reply is owed, whatever the state. A segment from the target from or to
//! such an address is `non-unicast-reply`, judged here and not by the models
//! (they know no connection on that tuple).
//!
//! Which addresses are not unicast: IPv4 and IPv6 multicast, the IPv4
//! limited broadcast, the unspecified address as a source, and the directed
//! broadcast of the target's subnet, taken as its /24 (every target the
//! harness builds has one: `target::addr`; a target on a wider subnet has
//! its .255 hosts misread, which only a `[src …]`/`[dst …]` line can reach).

use super::model::Oracle;
use super::rules::{Finding, RuleId};
use super::Direction;
use crate::wire::Segment;
use std::net::IpAddr;
use std::time::Duration;

/// True when `addr` is no unicast address as seen by a target at `target`.
pub(super) fn non_unicast(addr: IpAddr, target: IpAddr) -> bool {
    match (addr, target) {
        (IpAddr::V4(a), IpAddr::V4(t)) => {
            let (o, to) = (a.octets(), t.octets());
            let directed = o[..3] == to[..3] && o[3] == 255 && a != t;
            a.is_multicast() || a.is_broadcast() || a.is_unspecified() || directed
        }
        (IpAddr::V6(a), _) => a.is_multicast() || a.is_unspecified(),
        (IpAddr::V4(a), _) => a.is_multicast() || a.is_broadcast() || a.is_unspecified(),
    }
}

impl Oracle {
    /// A segment with a broadcast or multicast address: `Some(findings)`
    /// (none for one to the target, which it must discard); `None` for an
    /// ordinary segment, which the models take.
    pub(super) fn non_unicast_segment(
        &mut self,
        _at: Duration,
        dir: Direction,
        seg: &Segment,
    ) -> Option<Vec<Finding>> {
        let target = self.target.addr;
        let (src, dst) = (seg.ip.src(), seg.ip.dst());
        let bad = [src, dst].into_iter().find(|a| non_unicast(*a, target))?;
        if dir == Direction::ToTarget {
            return Some(Vec::new());
        }
        // The session's own addresses stay out of the text (snapshots carry none).
        let way = if bad == src { "from" } else { "to" };
        Some(vec![self.finding(
            RuleId::NonUnicastReply,
            format!(
                "the target sent a segment {way} {bad}, a broadcast or multicast address: \
                 whatever came from or went to it must have been discarded (MUST-57, MUST-63)"
            ),
        )])
    }
}
