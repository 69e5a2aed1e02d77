//! The harness's side of the TAP link: Ethernet framing, and the link's
//! router, answered by the harness itself.
//!
//! The harness plays every host but the target on the link, and its router:
//!
//! - ARP (RFC 826): it answers every request for an IPv4 address other than
//!   the target's own (the harness range, the gateway [`GATEWAY_V4`]), with
//!   [`HARNESS_MAC`];
//! - neighbour discovery (RFC 4861 §7.2): it answers every solicitation for
//!   an address other than the target's, except duplicate address detection
//!   (source `::`);
//! - router discovery (RFC 4861 §6.2): it answers router solicitations, and
//!   announces itself unsolicited when the stack starts, as the default
//!   router [`ROUTER_V6`] (no prefix: the stack keeps its static address).
//!
//! The target's MAC is learnt from the frames it sends; until then frames
//! to it go to the broadcast address.

use crate::target::addr;
use crate::target::lab::packet::checksum;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The harness's MAC on the TAP link (locally administered, unicast).
pub const HARNESS_MAC: [u8; 6] = [0x02, 0x53, 0x59, 0x4e, 0x41, 0x4b];
/// The IPv4 gateway the stack may route the harness range through (the
/// harness answers ARP for it, as for every address but the target's).
pub const GATEWAY_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 254);
/// The harness's link-local address, the link's IPv6 router.
pub const ROUTER_V6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);

const BROADCAST: [u8; 6] = [0xff; 6];
const ETH_IPV4: u16 = 0x0800;
const ETH_ARP: u16 = 0x0806;
const ETH_IPV6: u16 = 0x86dd;
const PROTO_ICMPV6: u8 = 58;
const ICMP6_RS: u8 = 133;
const ICMP6_RA: u8 = 134;
const ICMP6_NS: u8 = 135;
const ICMP6_NA: u8 = 136;
/// The router lifetime the harness announces, in seconds (the maximum).
const ROUTER_LIFETIME: u16 = 9000;

/// What a frame from the stack means to the harness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// An IP packet (IPv4 or IPv6, not neighbour discovery).
    Ip(Vec<u8>),
    /// A frame the harness answers on the link (ARP, NS, RS) with this one.
    Answer(Vec<u8>),
    /// Nothing for the harness (other ethertypes, ARP replies, MLD, DAD).
    Ignore,
}

/// The link's state: the target's MAC once seen.
#[derive(Clone, Debug, Default)]
pub struct Link {
    target_mac: Option<[u8; 6]>,
}

impl Link {
    /// Forgets the target's MAC (a restarted stack may have a new one).
    pub fn forget(&mut self) {
        self.target_mac = None;
    }

    /// The target's MAC, once learnt.
    pub fn target_mac(&self) -> Option<[u8; 6]> {
        self.target_mac
    }

    /// An IP packet in an Ethernet frame to the target.
    pub fn frame(&self, packet: &[u8]) -> Vec<u8> {
        let ty = if packet.first().map(|b| b >> 4) == Some(6) {
            ETH_IPV6
        } else {
            ETH_IPV4
        };
        ethernet(self.target_mac.unwrap_or(BROADCAST), ty, packet)
    }

    /// An unsolicited router advertisement to all nodes.
    pub fn router_advertisement(&self) -> Vec<u8> {
        ra_frame([0x33, 0x33, 0, 0, 0, 1], addr_all_nodes())
    }

    /// Reads one frame from the stack.
    pub fn incoming(&mut self, frame: &[u8]) -> Incoming {
        if frame.len() < 14 {
            return Incoming::Ignore;
        }
        let dst: [u8; 6] = frame[0..6].try_into().unwrap_or(BROADCAST);
        let src: [u8; 6] = frame[6..12].try_into().unwrap_or(BROADCAST);
        let ty = u16::from_be_bytes([frame[12], frame[13]]);
        let body = &frame[14..];
        if dst != HARNESS_MAC && dst[0] & 1 == 0 {
            return Incoming::Ignore; // unicast to somebody else
        }
        match ty {
            ETH_ARP => self.arp(src, body),
            ETH_IPV4 => {
                self.learn(src, body, |b| {
                    b.len() >= 20 && b[12..16] == addr::TARGET_V4.octets()
                });
                Incoming::Ip(body.to_vec())
            }
            ETH_IPV6 => {
                self.learn(src, body, |b| {
                    b.len() >= 40 && b[8..24] == addr::TARGET_V6.octets()
                });
                match ndp(body) {
                    Some((ICMP6_NS, icmp)) => neighbour_advertisement(src, body, icmp),
                    Some((ICMP6_RS, _)) => {
                        let to: [u8; 16] = body[8..24].try_into().unwrap_or([0; 16]);
                        let to = Ipv6Addr::from(to);
                        if to.is_unspecified() {
                            Incoming::Answer(self.router_advertisement())
                        } else {
                            Incoming::Answer(ra_frame(src, to))
                        }
                    }
                    Some(_) => Incoming::Ignore,
                    None => Incoming::Ip(body.to_vec()),
                }
            }
            _ => Incoming::Ignore,
        }
    }

    /// Takes `src` as the target's MAC when the packet is from the target.
    fn learn(&mut self, src: [u8; 6], body: &[u8], from_target: impl Fn(&[u8]) -> bool) {
        if src[0] & 1 == 0 && from_target(body) {
            self.target_mac = Some(src);
        }
    }

    fn arp(&mut self, src: [u8; 6], a: &[u8]) -> Incoming {
        // Ethernet/IPv4 ARP: htype 1, ptype 0x0800, hlen 6, plen 4.
        if a.len() < 28 || a[0..6] != [0, 1, 8, 0, 6, 4] {
            return Incoming::Ignore;
        }
        let op = u16::from_be_bytes([a[6], a[7]]);
        let sha = &a[8..14];
        let spa = &a[14..18];
        let tpa = &a[24..28];
        if spa == addr::TARGET_V4.octets() && src[0] & 1 == 0 {
            self.target_mac = Some(src);
        }
        if op != 1 || tpa == addr::TARGET_V4.octets() || tpa == [0, 0, 0, 0] {
            return Incoming::Ignore;
        }
        let mut reply = Vec::with_capacity(28);
        reply.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 2]);
        reply.extend_from_slice(&HARNESS_MAC);
        reply.extend_from_slice(tpa);
        reply.extend_from_slice(sha);
        reply.extend_from_slice(spa);
        let to: [u8; 6] = sha.try_into().unwrap_or(BROADCAST);
        Incoming::Answer(ethernet(to, ETH_ARP, &reply))
    }
}

fn addr_all_nodes() -> Ipv6Addr {
    Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1)
}

fn ethernet(dst: [u8; 6], ty: u16, body: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + body.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&HARNESS_MAC);
    f.extend_from_slice(&ty.to_be_bytes());
    f.extend_from_slice(body);
    f
}

/// The ICMPv6 type and message of a neighbour/router discovery packet
/// (hop limit 255, no extension headers); `None` for anything else.
fn ndp(ip: &[u8]) -> Option<(u8, &[u8])> {
    if ip.len() < 48 || ip[0] >> 4 != 6 || ip[6] != PROTO_ICMPV6 || ip[7] != 255 {
        return None;
    }
    let icmp = &ip[40..];
    matches!(icmp[0], ICMP6_RS..=137).then_some((icmp[0], icmp))
}

/// The answer to a neighbour solicitation for anything but the target's own
/// address, from a host that has an address (not duplicate detection).
fn neighbour_advertisement(src_mac: [u8; 6], ip: &[u8], ns: &[u8]) -> Incoming {
    if ns.len() < 24 {
        return Incoming::Ignore;
    }
    let from: [u8; 16] = ip[8..24].try_into().unwrap_or([0; 16]);
    let target: [u8; 16] = ns[8..24].try_into().unwrap_or([0; 16]);
    let from = Ipv6Addr::from(from);
    let target = Ipv6Addr::from(target);
    if from.is_unspecified() || target == addr::TARGET_V6 || target.is_multicast() {
        return Incoming::Ignore;
    }
    // Router, solicited, override; the target address; our link address.
    let mut na = vec![ICMP6_NA, 0, 0, 0, 0xe0, 0, 0, 0];
    na.extend_from_slice(&target.octets());
    na.extend_from_slice(&[2, 1]);
    na.extend_from_slice(&HARNESS_MAC);
    Incoming::Answer(ethernet(src_mac, ETH_IPV6, &icmpv6(target, from, &mut na)))
}

/// A router advertisement from [`ROUTER_V6`] to `to` (via `mac`).
fn ra_frame(mac: [u8; 6], to: Ipv6Addr) -> Vec<u8> {
    let life = ROUTER_LIFETIME.to_be_bytes();
    // Hop limit 64, no flags, lifetime; reachable time and retransmission
    // timer unspecified; our link address.
    let mut ra = vec![
        ICMP6_RA, 0, 0, 0, 64, 0, life[0], life[1], 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    ra.extend_from_slice(&[1, 1]);
    ra.extend_from_slice(&HARNESS_MAC);
    ethernet(mac, ETH_IPV6, &icmpv6(ROUTER_V6, to, &mut ra))
}

/// An IPv6 packet (hop limit 255) carrying ICMPv6 message `msg`, whose
/// checksum is filled in here.
fn icmpv6(src: Ipv6Addr, dst: Ipv6Addr, msg: &mut [u8]) -> Vec<u8> {
    let len = (msg.len() as u16).to_be_bytes();
    msg[2] = 0;
    msg[3] = 0;
    let pseudo = [
        &src.octets()[..],
        &dst.octets()[..],
        &[0, 0],
        &len[..],
        &[0, 0, 0, PROTO_ICMPV6],
    ]
    .concat();
    let c = checksum(&[&pseudo, msg]);
    msg[2..4].copy_from_slice(&c.to_be_bytes());
    let mut ip = vec![0x60, 0, 0, 0, len[0], len[1], PROTO_ICMPV6, 255];
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    ip.extend_from_slice(msg);
    ip
}

/// The address of an IP packet's source, if it is one.
pub fn ip_source(packet: &[u8]) -> Option<IpAddr> {
    match packet.first()? >> 4 {
        4 if packet.len() >= 20 => {
            let b: [u8; 4] = packet[12..16].try_into().ok()?;
            Some(Ipv4Addr::from(b).into())
        }
        6 if packet.len() >= 40 => {
            let b: [u8; 16] = packet[8..24].try_into().ok()?;
            Some(Ipv6Addr::from(b).into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STACK_MAC: [u8; 6] = [0x02, 0x12, 0x34, 0x56, 0x78, 0xab];

    fn arp_request(tpa: Ipv4Addr) -> Vec<u8> {
        let mut a = vec![0, 1, 8, 0, 6, 4, 0, 1];
        a.extend_from_slice(&STACK_MAC);
        a.extend_from_slice(&addr::TARGET_V4.octets());
        a.extend_from_slice(&[0; 6]);
        a.extend_from_slice(&tpa.octets());
        let mut f = BROADCAST.to_vec();
        f.extend_from_slice(&STACK_MAC);
        f.extend_from_slice(&ETH_ARP.to_be_bytes());
        f.extend_from_slice(&a);
        f
    }

    #[test]
    fn arp_for_the_gateway_is_answered_and_for_the_target_is_not() {
        let mut link = Link::default();
        let Incoming::Answer(reply) = link.incoming(&arp_request(GATEWAY_V4)) else {
            panic!("no ARP reply");
        };
        assert_eq!(&reply[0..6], &STACK_MAC, "to the asker");
        assert_eq!(&reply[20..22], &[0, 2], "an ARP reply");
        assert_eq!(&reply[22..28], &HARNESS_MAC);
        assert_eq!(&reply[28..32], &GATEWAY_V4.octets());
        assert_eq!(
            link.target_mac(),
            Some(STACK_MAC),
            "learnt from the request"
        );
        assert_eq!(
            link.incoming(&arp_request(addr::TARGET_V4)),
            Incoming::Ignore
        );
    }

    fn ns_frame(from: Ipv6Addr, target: Ipv6Addr) -> Vec<u8> {
        let mut ns = vec![ICMP6_NS, 0, 0, 0, 0, 0, 0, 0];
        ns.extend_from_slice(&target.octets());
        let ip = icmpv6(from, target, &mut ns);
        let mut f = vec![0x33, 0x33, 0xff, 0, 0, 1];
        f.extend_from_slice(&STACK_MAC);
        f.extend_from_slice(&ETH_IPV6.to_be_bytes());
        f.extend_from_slice(&ip);
        f
    }

    #[test]
    fn neighbour_solicitations_get_a_valid_advertisement_except_dad() {
        let mut link = Link::default();
        let harness = addr::harness_v6(3);
        let Incoming::Answer(f) = link.incoming(&ns_frame(addr::TARGET_V6, harness)) else {
            panic!("no NA");
        };
        let ip = &f[14..];
        assert_eq!(ip[40], ICMP6_NA);
        assert_eq!(&ip[48..64], &harness.octets(), "the target address");
        assert_eq!(&ip[66..72], &HARNESS_MAC, "the target link-layer option");
        let pseudo = [&ip[8..40], &[0, 0, 0, 32, 0, 0, 0, PROTO_ICMPV6][..]].concat();
        assert_eq!(checksum(&[&pseudo, &ip[40..]]), 0, "checksum verifies");
        let dad = ns_frame(Ipv6Addr::UNSPECIFIED, harness);
        assert_eq!(link.incoming(&dad), Incoming::Ignore);
        let own = ns_frame(ROUTER_V6, addr::TARGET_V6);
        assert_eq!(link.incoming(&own), Incoming::Ignore);
    }

    #[test]
    fn ip_packets_pass_and_frames_to_the_target_use_its_learnt_mac() {
        let mut link = Link::default();
        let packet = crate::target::lab::packet::tcp_segment(
            "192.0.2.1:7".parse().unwrap(),
            "198.51.100.1:40000".parse().unwrap(),
            1,
            2,
            0x12,
            &[],
        )
        .unwrap();
        assert_eq!(link.frame(&packet)[0..6], BROADCAST, "unknown yet");
        let mut f = HARNESS_MAC.to_vec();
        f.extend_from_slice(&STACK_MAC);
        f.extend_from_slice(&ETH_IPV4.to_be_bytes());
        f.extend_from_slice(&packet);
        assert_eq!(link.incoming(&f), Incoming::Ip(packet.clone()));
        assert_eq!(link.frame(&packet)[0..6], STACK_MAC);
        assert_eq!(ip_source(&packet), Some(addr::TARGET_V4.into()));
    }

    #[test]
    fn router_advertisement_names_the_harness_as_router() {
        let f = Link::default().router_advertisement();
        let ip = &f[14..];
        assert_eq!(ip[7], 255, "hop limit");
        assert_eq!(&ip[8..24], &ROUTER_V6.octets());
        assert_eq!(ip[40], ICMP6_RA);
        assert_eq!(u16::from_be_bytes([ip[46], ip[47]]), ROUTER_LIFETIME);
    }
}
