//! What the oracle may expect after an ICMP error the harness sent (`< icmp`
//! lines, [`crate::wire::icmp`]). Kept apart from the segment model: only
//! the case runner sends ICMP, and it hands each message and each of the
//! target's later segments to an [`IcmpJudge`].
//!
//! One rule is judged, `pmtu-ignored` (SHOULD): after a frag-needed
//! (RFC 1191 §3) or Packet Too Big (RFC 8201 §4) quoting the connection,
//! the target's packets are no larger than the reported MTU. The MTU taken
//! is never below the smallest a host must keep (RFC 1191 §3: 68 octets;
//! 576 is used, the IPv4 datagram every host accepts, RFC 1122 §3.3.3, so
//! a stack's floor such as Linux's min_pmtu 552 is not flagged; RFC 8201
//! §4: 1280 over IPv6).
//!
//! Not judged here, and left to the case's lines: a soft error (RFC 9293
//! §3.9.2.2 MUST-56: Destination Unreachable codes 0, 1, 5, Time Exceeded,
//! Parameter Problem) must not abort the connection, shown by a liveness
//! probe; a hard one SHOULD abort (SHLD-26), shown by the socket's error.
//! The oracle cannot tell an abort caused by the ICMP from one the
//! application asked for, so a rule would guess.

use super::{Finding, RuleId};
use crate::wire::icmp::{is_mtu_signal, IcmpView};
use crate::wire::Segment;
use std::time::Duration;

/// The ICMP side of one connection: the path MTU the harness reported.
#[derive(Clone, Debug, Default)]
pub struct IcmpJudge {
    /// The MTU in force (octets of IP packet) and when it was reported.
    mtu: Option<(Duration, usize)>,
    /// Reported once per signal.
    flagged: bool,
}

impl IcmpJudge {
    /// An ICMP message the harness sent at `at` to the target whose
    /// connection uses `target_port` (the quoted segment's source port).
    pub fn on_icmp(&mut self, at: Duration, view: &IcmpView, target_port: u16) {
        let quotes_us = view
            .quoted_tcp
            .is_some_and(|(src, _, _)| src == target_port);
        if !quotes_us || !is_mtu_signal(view.v6, view.ty, view.code) {
            return;
        }
        let floor = if view.v6 { 1280 } else { 576 };
        let mtu = (view.mtu as usize).max(floor);
        // A larger MTU than the one in force does not raise it (RFC 1191
        // §3: increases are found by probing, not by a message).
        let mtu = self.mtu.map_or(mtu, |(_, m)| m.min(mtu));
        self.mtu = Some((at, mtu));
        self.flagged = false;
    }

    /// A segment the target sent at `at`: a finding when its packet is
    /// larger than the MTU reported before it.
    pub fn on_target(&mut self, at: Duration, seg: &Segment) -> Option<Finding> {
        let (since, mtu) = self.mtu?;
        let len = seg.buffer_len();
        if at <= since || len <= mtu || self.flagged {
            return None;
        }
        self.flagged = true;
        Some(Finding::new(
            RuleId::PmtuIgnored,
            format!(
                "a {len}-octet packet ({} octets of text) {} ms after the path MTU was reported as {mtu}",
                seg.payload.len(),
                (at - since).as_millis()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::icmp::{IcmpMessage, Quote};
    use crate::wire::{IpEnvelope, TcpFlags};
    use std::net::{IpAddr, Ipv4Addr};

    fn frag_needed(mtu: u32) -> IcmpView {
        let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let b = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        let bytes = IcmpMessage {
            src: a,
            dst: b,
            ty: 3,
            code: 4,
            mtu: Some(mtu),
            id: None,
            quote: Quote::Tcp {
                src: b,
                dst: a,
                src_port: 7,
                dst_port: 40000,
                seq: 1,
                len: 1460,
            },
        }
        .to_bytes();
        IcmpView::parse(&bytes).unwrap()
    }

    fn data(len: usize) -> Segment {
        let ip = IpEnvelope::v4(Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1));
        let mut s = Segment::new(ip, 7, 40000, TcpFlags::ACK);
        s.payload = vec![0; len];
        s
    }

    #[test]
    fn a_full_sized_segment_after_frag_needed_is_flagged_once() {
        let mut j = IcmpJudge::default();
        j.on_icmp(Duration::from_millis(10), &frag_needed(1280), 7);
        assert_eq!(j.on_target(Duration::from_millis(11), &data(1240)), None);
        let f = j
            .on_target(Duration::from_millis(210), &data(1460))
            .expect("flagged");
        assert_eq!(f.rule, RuleId::PmtuIgnored);
        assert_eq!(
            f.message,
            "a 1500-octet packet (1460 octets of text) 200 ms after the path MTU was reported as 1280"
        );
        assert_eq!(j.on_target(Duration::from_millis(410), &data(1460)), None);
    }

    #[test]
    fn other_connections_and_tiny_mtus_are_not_held_against_the_target() {
        let mut j = IcmpJudge::default();
        j.on_icmp(Duration::ZERO, &frag_needed(1280), 8);
        assert_eq!(j.on_target(Duration::from_secs(1), &data(1460)), None);
        j.on_icmp(Duration::ZERO, &frag_needed(300), 7);
        assert_eq!(j.on_target(Duration::from_secs(1), &data(536)), None);
        assert!(j.on_target(Duration::from_secs(1), &data(600)).is_some());
    }
}
