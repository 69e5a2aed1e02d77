//! Ethernet framing and the neighbour protocols the link target speaks for
//! its own address: ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861
//! §4.3, §4.4, §7.2). Just enough of each: segments are built by `wire`.

use crate::wire::icmp::checksum;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An Ethernet (MAC) address.
pub type Mac = [u8; 6];

pub const BROADCAST: Mac = [0xff; 6];
pub const ETH_IPV4: u16 = 0x0800;
pub const ETH_ARP: u16 = 0x0806;
pub const ETH_IPV6: u16 = 0x86dd;
const ICMPV6: u8 = 58;
const NS: u8 = 135;
const NA: u8 = 136;
/// NDP option: source / target link-layer address (RFC 4861 §4.6.1).
const OPT_SOURCE_LL: u8 = 1;
const OPT_TARGET_LL: u8 = 2;

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac_string(m: &Mac) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// An Ethernet frame: header, then `payload`.
pub fn ethernet(dst: Mac, src: Mac, ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A frame's destination, source, ethertype and payload; `None` when short.
pub fn parse_ethernet(frame: &[u8]) -> Option<(Mac, Mac, u16, &[u8])> {
    if frame.len() < 14 {
        return None;
    }
    let dst = frame[0..6].try_into().ok()?;
    let src = frame[6..12].try_into().ok()?;
    Some((
        dst,
        src,
        u16::from_be_bytes([frame[12], frame[13]]),
        &frame[14..],
    ))
}

/// ARP operation codes (RFC 826).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpOp {
    Request,
    Reply,
}

/// An ARP packet for IPv4 over Ethernet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arp {
    pub op: ArpOp,
    pub sender_mac: Mac,
    pub sender_ip: Ipv4Addr,
    pub target_mac: Mac,
    pub target_ip: Ipv4Addr,
}

impl Arp {
    /// The 28-byte ARP payload.
    pub fn emit(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(28);
        p.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4]); // Ethernet, IPv4
        p.extend_from_slice(
            &match self.op {
                ArpOp::Request => 1u16,
                ArpOp::Reply => 2,
            }
            .to_be_bytes(),
        );
        p.extend_from_slice(&self.sender_mac);
        p.extend_from_slice(&self.sender_ip.octets());
        p.extend_from_slice(&self.target_mac);
        p.extend_from_slice(&self.target_ip.octets());
        p
    }

    pub fn parse(p: &[u8]) -> Option<Arp> {
        if p.len() < 28 || p[0..6] != [0, 1, 0x08, 0x00, 6, 4] {
            return None;
        }
        let op = match u16::from_be_bytes([p[6], p[7]]) {
            1 => ArpOp::Request,
            2 => ArpOp::Reply,
            _ => return None,
        };
        let ip = |i: usize| Ipv4Addr::new(p[i], p[i + 1], p[i + 2], p[i + 3]);
        Some(Arp {
            op,
            sender_mac: p[8..14].try_into().ok()?,
            sender_ip: ip(14),
            target_mac: p[18..24].try_into().ok()?,
            target_ip: ip(24),
        })
    }
}

/// The solicited-node multicast address of `ip` (RFC 4291 §2.7.1).
pub fn solicited_node(ip: Ipv6Addr) -> Ipv6Addr {
    let o = ip.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

/// The Ethernet address an IPv6 multicast address maps to (RFC 2464 §7).
pub fn multicast_mac(ip: Ipv6Addr) -> Mac {
    let o = ip.octets();
    [0x33, 0x33, o[12], o[13], o[14], o[15]]
}

/// An IPv6 packet carrying `icmp` (checksum filled in), hop limit 255 as
/// neighbour discovery requires (RFC 4861 §7.1.1).
fn icmpv6(src: Ipv6Addr, dst: Ipv6Addr, mut icmp: Vec<u8>) -> Vec<u8> {
    let len = (icmp.len() as u32).to_be_bytes();
    let pseudo = [
        &src.octets()[..],
        &dst.octets()[..],
        &len[..],
        &[0, 0, 0, ICMPV6],
    ]
    .concat();
    let c = checksum(&[&pseudo, &icmp]);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut p = Vec::with_capacity(40 + icmp.len());
    p.extend_from_slice(&[0x60, 0, 0, 0]);
    p.extend_from_slice(&(icmp.len() as u16).to_be_bytes());
    p.extend_from_slice(&[ICMPV6, 255]);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(&icmp);
    p
}

/// A neighbour solicitation for `target` from `src` (with our link-layer
/// address), to `target`'s solicited-node group: an IPv6 packet.
pub fn neighbour_solicitation(src: Ipv6Addr, mac: Mac, target: Ipv6Addr) -> Vec<u8> {
    let mut icmp = vec![NS, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    icmp.extend_from_slice(&[OPT_SOURCE_LL, 1]);
    icmp.extend_from_slice(&mac);
    icmpv6(src, solicited_node(target), icmp)
}

/// A solicited neighbour advertisement for `target` (ours) to `dst`, with
/// the Override flag and our link-layer address (RFC 4861 §7.2.4).
pub fn neighbour_advertisement(target: Ipv6Addr, mac: Mac, dst: Ipv6Addr) -> Vec<u8> {
    // Solicited (0x40) and Override (0x20).
    let mut icmp = vec![NA, 0, 0, 0, 0x60, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    icmp.extend_from_slice(&[OPT_TARGET_LL, 1]);
    icmp.extend_from_slice(&mac);
    icmpv6(target, dst, icmp)
}

/// A neighbour discovery message in an IPv6 packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nd {
    /// Who has `target`? Asked by `src` (`::` during DAD).
    Solicitation {
        src: Ipv6Addr,
        target: Ipv6Addr,
        source_ll: Option<Mac>,
    },
    /// `target` is at `target_ll` (when the option is there).
    Advertisement {
        target: Ipv6Addr,
        target_ll: Option<Mac>,
    },
}

/// The neighbour discovery message an IPv6 packet carries, if any. Only
/// hop limit 255 counts (RFC 4861 §7.1.1, §7.1.2).
pub fn parse_nd(ip: &[u8]) -> Option<Nd> {
    if ip.len() < 40 + 24 || ip[0] >> 4 != 6 || ip[6] != ICMPV6 || ip[7] != 255 {
        return None;
    }
    let src = Ipv6Addr::from(<[u8; 16]>::try_from(&ip[8..24]).ok()?);
    let icmp = &ip[40..];
    let target = Ipv6Addr::from(<[u8; 16]>::try_from(&icmp[8..24]).ok()?);
    let mut ll = (None, None);
    let mut opts = &icmp[24..];
    while opts.len() >= 8 {
        let len = usize::from(opts[1]) * 8;
        if len == 0 || len > opts.len() {
            break;
        }
        let mac: Option<Mac> = opts[2..8].try_into().ok();
        match opts[0] {
            OPT_SOURCE_LL => ll.0 = mac,
            OPT_TARGET_LL => ll.1 = mac,
            _ => {}
        }
        opts = &opts[len..];
    }
    match icmp[0] {
        NS => Some(Nd::Solicitation {
            src,
            target,
            source_ll: ll.0,
        }),
        NA => Some(Nd::Advertisement {
            target,
            target_ll: ll.1,
        }),
        _ => None,
    }
}

/// The ethertype of an IP packet by its version nibble.
pub fn ethertype_of(packet: &[u8]) -> Option<u16> {
    match packet.first()? >> 4 {
        4 => Some(ETH_IPV4),
        6 => Some(ETH_IPV6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: Mac = [0x02, 0, 0, 0, 0, 1];
    const THEM: Mac = [0x02, 0, 0, 0, 0, 2];

    #[test]
    fn arp_round_trips_and_rejects_other_hardware() {
        let a = Arp {
            op: ArpOp::Request,
            sender_mac: US,
            sender_ip: Ipv4Addr::new(192, 0, 2, 2),
            target_mac: [0; 6],
            target_ip: Ipv4Addr::new(192, 0, 2, 1),
        };
        let bytes = a.emit();
        assert_eq!(bytes.len(), 28);
        assert_eq!(Arp::parse(&bytes), Some(a));
        let mut other = bytes.clone();
        other[1] = 6; // IEEE 802 hardware
        assert_eq!(Arp::parse(&other), None);
        assert_eq!(Arp::parse(&bytes[..27]), None);
    }

    #[test]
    fn solicited_node_group_and_its_mac() {
        let ip: Ipv6Addr = "2001:db8::1:2:3:4:5".parse().unwrap();
        assert_eq!(
            solicited_node(ip),
            "ff02::1:ff04:5".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            multicast_mac(solicited_node(ip)),
            [0x33, 0x33, 0xff, 0x04, 0x00, 0x05]
        );
    }

    #[test]
    fn neighbour_messages_parse_back_with_valid_checksums() {
        let us: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let them: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let ns = neighbour_solicitation(us, US, them);
        assert_eq!(
            parse_nd(&ns),
            Some(Nd::Solicitation {
                src: us,
                target: them,
                source_ll: Some(US)
            })
        );
        // The checksum over pseudo-header and message sums to zero.
        let pseudo = [
            &ns[8..24],
            &ns[24..40],
            &(ns.len() as u32 - 40).to_be_bytes()[..],
            &[0, 0, 0, ICMPV6][..],
        ]
        .concat();
        assert_eq!(checksum(&[&pseudo, &ns[40..]]), 0);
        let na = neighbour_advertisement(us, THEM, them);
        assert_eq!(
            parse_nd(&na),
            Some(Nd::Advertisement {
                target: us,
                target_ll: Some(THEM)
            })
        );
        let mut low_hop = na.clone();
        low_hop[7] = 64;
        assert_eq!(
            parse_nd(&low_hop),
            None,
            "RFC 4861 §7.1.2: hop limit 255 only"
        );
    }

    #[test]
    fn ethernet_header_round_trips() {
        let f = ethernet(BROADCAST, US, ETH_ARP, &[1, 2, 3]);
        assert_eq!(
            parse_ethernet(&f),
            Some((BROADCAST, US, ETH_ARP, &[1u8, 2, 3][..]))
        );
        assert_eq!(parse_ethernet(&f[..13]), None);
        assert_eq!(mac_string(&US), "02:00:00:00:00:01");
    }
}
