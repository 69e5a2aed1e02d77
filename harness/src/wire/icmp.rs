//! ICMP (RFC 792) and ICMPv6 (RFC 4443) error messages the harness sends to
//! the target: a `< icmp …` case line. The message quotes a packet the target
//! sent (its IP header and the first eight octets of its TCP header, the
//! ports and the sequence number: RFC 792's "64 bits of original data",
//! which RFC 5927 §4.1 says is what a TCP uses to find the connection).
//!
//! Type and code names are packetdrill's (so its scripts run unchanged);
//! numbers are taken as well. Over IPv6 the IPv4 names a case most often
//! uses are translated, so one case runs in both families:
//! `unreachable frag_needed` becomes Packet Too Big (RFC 8201 §4),
//! `unreachable host_unreachable` address unreachable (code 3) and
//! `unreachable port_unreachable` code 4; over IPv4 `packet_too_big` is
//! `unreachable frag_needed`.

use std::fmt;
use std::net::IpAddr;

/// Names and their byte values.
type Names = &'static [(&'static str, u8)];

/// ICMPv4 types (RFC 792) by packetdrill's names.
const V4_TYPES: &[(&str, u8)] = &[
    ("echo_reply", 0),
    ("unreachable", 3),
    ("source_quench", 4),
    ("redirect", 5),
    ("echo_request", 8),
    ("time_exceeded", 11),
    ("parameter_problem", 12),
    ("timestamp_request", 13),
    ("timestamp_reply", 14),
    ("information_request", 15),
    ("information_reply", 16),
    ("address_mask_request", 17),
    ("address_mask_reply", 18),
];

/// Codes of an ICMPv4 Destination Unreachable (RFC 792, RFC 1812 §5.2.7.1).
const V4_UNREACH: &[(&str, u8)] = &[
    ("net_unreachable", 0),
    ("host_unreachable", 1),
    ("protocol_unreachable", 2),
    ("port_unreachable", 3),
    ("frag_needed", 4),
    ("source_route_failed", 5),
    ("net_unknown", 6),
    ("host_unknown", 7),
    ("source_host_isolated", 8),
    ("net_prohibited", 9),
    ("host_prohibited", 10),
    ("net_unreachable_for_tos", 11),
    ("host_unreachable_for_tos", 12),
    ("packet_filtered", 13),
    ("precedence_violation", 14),
    ("precedence_cutoff", 15),
];

/// ICMPv6 types (RFC 4443 §2.1).
const V6_TYPES: &[(&str, u8)] = &[
    ("unreachable", 1),
    ("packet_too_big", 2),
    ("time_exceeded", 3),
    ("parameter_problem", 4),
    ("echo_request", 128),
    ("echo_reply", 129),
];

/// Codes of an ICMPv6 Destination Unreachable (RFC 4443 §3.1), with the
/// IPv4 names translated (module doc).
const V6_UNREACH: &[(&str, u8)] = &[
    ("net_unreachable", 0),
    ("no_route", 0),
    ("admin_prohibited", 1),
    ("not_neighbour", 2),
    ("address_unreachable", 3),
    ("host_unreachable", 3),
    ("port_unreachable", 4),
];

const V6_TIME_EXCEEDED: &[(&str, u8)] = &[("exceeded_hop_limit", 0), ("exceeded_frag_time", 1)];
const V6_PARAM: &[(&str, u8)] = &[
    ("header_field", 0),
    ("unknown_next_header", 1),
    ("unknown_option", 2),
];

/// IPv4 Destination Unreachable.
pub const V4_DEST_UNREACH: u8 = 3;
/// IPv4 "fragmentation needed and DF set" (RFC 1191 §4).
pub const V4_FRAG_NEEDED: u8 = 4;
/// ICMPv6 Packet Too Big (RFC 4443 §3.2).
pub const V6_PACKET_TOO_BIG: u8 = 2;

/// A type or code an `icmp` line names that this family has not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcmpNameError {
    /// What was written.
    pub name: String,
    /// `type` or `code`.
    pub what: &'static str,
    /// `ICMP` or `ICMPv6`.
    pub family: &'static str,
    /// The names that would do.
    pub known: Vec<&'static str>,
}

impl fmt::Display for IcmpNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {} `{}` (known: {}, or a number)",
            self.family,
            self.what,
            self.name,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for IcmpNameError {}

/// The type and code bytes an `icmp TYPE [CODE]` line means in this family.
pub fn resolve(v6: bool, type_name: &str, code: Option<&str>) -> Result<(u8, u8), IcmpNameError> {
    let family = if v6 { "ICMPv6" } else { "ICMP" };
    let lookup = |table: &[(&'static str, u8)], name: &str, what| {
        if let Ok(n) = name.parse::<u8>() {
            return Ok(n);
        }
        table
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| IcmpNameError {
                name: name.to_string(),
                what,
                family,
                known: table.iter().map(|(n, _)| *n).collect(),
            })
    };
    // The cross-family translations of the module doc.
    match (v6, type_name, code) {
        (true, "unreachable", Some("frag_needed")) => return Ok((V6_PACKET_TOO_BIG, 0)),
        (false, "packet_too_big", _) => return Ok((V4_DEST_UNREACH, V4_FRAG_NEEDED)),
        _ => {}
    }
    let types = if v6 { V6_TYPES } else { V4_TYPES };
    let ty = lookup(types, type_name, "type")?;
    let codes: &[(&'static str, u8)] = match (v6, ty) {
        (false, 3) => V4_UNREACH,
        (true, 1) => V6_UNREACH,
        (true, 3) => V6_TIME_EXCEEDED,
        (true, 4) => V6_PARAM,
        _ => &[],
    };
    let code = match code {
        Some(c) => lookup(codes, c, "code")?,
        None => 0,
    };
    Ok((ty, code))
}

/// Whether the message asks the TCP to lower its segment size (RFC 1191,
/// RFC 8201): IPv4 frag-needed or ICMPv6 Packet Too Big.
pub fn is_mtu_signal(v6: bool, ty: u8, code: u8) -> bool {
    if v6 {
        ty == V6_PACKET_TOO_BIG
    } else {
        ty == V4_DEST_UNREACH && code == V4_FRAG_NEEDED
    }
}

/// What the message quotes: the target's packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// A TCP segment the target sent: its addresses, ports, sequence number
    /// and text length (the quoted IP header's length covers a 20-octet
    /// TCP header and the text).
    Tcp {
        /// The quoted packet's source: the target.
        src: IpAddr,
        /// The quoted packet's destination: the harness's end.
        dst: IpAddr,
        /// The quoted segment's source port.
        src_port: u16,
        /// The quoted segment's destination port.
        dst_port: u16,
        /// The quoted segment's SEG.SEQ, which the target checks against
        /// SND.UNA..SND.NXT (RFC 5927 §4.1).
        seq: u32,
        /// The quoted segment's text length, for the quoted IP length.
        len: u32,
    },
    /// A UDP datagram of this many octets of payload between the addresses.
    Udp {
        /// The quoted datagram's source.
        src: IpAddr,
        /// The quoted datagram's destination.
        dst: IpAddr,
        /// Octets of UDP payload.
        len: u32,
    },
    /// This many zero octets after the ICMP header, no quoted header.
    Raw(u32),
}

/// One ICMP or ICMPv6 message to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpMessage {
    /// The message's source (the harness: it plays the router too).
    pub src: IpAddr,
    /// The target.
    pub dst: IpAddr,
    /// The ICMP type (RFC 792) or ICMPv6 type (RFC 4443 §2.1).
    pub ty: u8,
    /// The code within the type.
    pub code: u8,
    /// Next-hop MTU (frag-needed) or MTU (Packet Too Big).
    pub mtu: Option<u32>,
    /// Echo identifier (echo request / reply).
    pub id: Option<u32>,
    /// What the message quotes after its header.
    pub quote: Quote,
}

impl IcmpMessage {
    /// The IP packet (IPv4 or IPv6 by `src`), checksums filled in.
    pub fn to_bytes(&self) -> Vec<u8> {
        let v6 = self.src.is_ipv6();
        let mut body = vec![self.ty, self.code, 0, 0, 0, 0, 0, 0];
        let mtu = self.mtu.unwrap_or(0);
        if v6 && self.ty == V6_PACKET_TOO_BIG {
            body[4..8].copy_from_slice(&mtu.to_be_bytes());
        } else if !v6 && self.ty == V4_DEST_UNREACH {
            // RFC 1191 §4: the next-hop MTU in the low 16 bits.
            body[6..8].copy_from_slice(&(mtu as u16).to_be_bytes());
        }
        if let Some(id) = self.id {
            body[4..6].copy_from_slice(&(id as u16).to_be_bytes());
        }
        match self.quote {
            Quote::Tcp {
                src,
                dst,
                src_port,
                dst_port,
                seq,
                len,
            } => {
                body.extend_from_slice(&ip_header(src, dst, 6, 20 + len as usize));
                body.extend_from_slice(&src_port.to_be_bytes());
                body.extend_from_slice(&dst_port.to_be_bytes());
                body.extend_from_slice(&seq.to_be_bytes());
            }
            Quote::Udp { src, dst, len } => {
                body.extend_from_slice(&ip_header(src, dst, 17, 8 + len as usize));
                body.extend_from_slice(&[0, 0, 0, 0]);
                body.extend_from_slice(&((8 + len) as u16).to_be_bytes());
                body.extend_from_slice(&[0, 0]);
            }
            Quote::Raw(n) => body.resize(body.len() + n as usize, 0),
        }
        let proto = if v6 { 58 } else { 1 };
        let mut packet = ip_header(self.src, self.dst, proto, body.len());
        let c = match (self.src, self.dst) {
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let mut pseudo = Vec::with_capacity(40);
                pseudo.extend_from_slice(&s.octets());
                pseudo.extend_from_slice(&d.octets());
                pseudo.extend_from_slice(&(body.len() as u32).to_be_bytes());
                pseudo.extend_from_slice(&[0, 0, 0, 58]);
                checksum(&[&pseudo, &body])
            }
            _ => checksum(&[&body]),
        };
        body[2..4].copy_from_slice(&c.to_be_bytes());
        packet.extend_from_slice(&body);
        packet
    }
}

/// An IPv4 (DF set, TTL 64, checksum filled) or IPv6 (hop limit 64) header
/// for `payload` octets of protocol `proto`.
fn ip_header(src: IpAddr, dst: IpAddr, proto: u8, payload: usize) -> Vec<u8> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut h = vec![0x45, 0];
            h.extend_from_slice(&((20 + payload) as u16).to_be_bytes());
            h.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            let c = checksum(&[&h]);
            h[10..12].copy_from_slice(&c.to_be_bytes());
            h
        }
        _ => {
            let to6 = |a: IpAddr| match a {
                IpAddr::V6(a) => a,
                IpAddr::V4(a) => a.to_ipv6_mapped(),
            };
            let mut h = vec![0x60, 0, 0, 0];
            h.extend_from_slice(&(payload as u16).to_be_bytes());
            h.extend_from_slice(&[proto, 64]);
            h.extend_from_slice(&to6(src).octets());
            h.extend_from_slice(&to6(dst).octets());
            h
        }
    }
}

/// The Internet checksum (RFC 1071) over the parts, as if concatenated
/// (every part but the last has an even length here).
pub(crate) fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    for part in parts {
        let mut chunks = part.chunks_exact(2);
        for c in &mut chunks {
            sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
        }
        if let [last] = chunks.remainder() {
            sum += u32::from(*last) << 8;
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An ICMP or ICMPv6 message read back from its bytes (for the transcript
/// and the oracle): type, code, MTU field, and the quoted TCP ports and
/// sequence number when it quotes a TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpView {
    /// ICMPv6 (in IPv6) rather than ICMP (in IPv4).
    pub v6: bool,
    /// The message's type.
    pub ty: u8,
    /// The message's code.
    pub code: u8,
    /// The MTU field: the low 16 bits of the second word over IPv4 (RFC 1191
    /// §4), the whole word over IPv6 (RFC 4443 §3.2); meaningful only where
    /// [`is_mtu_signal`] holds.
    pub mtu: u32,
    /// (source port, destination port, sequence number) of the quoted segment.
    pub quoted_tcp: Option<(u16, u16, u32)>,
}

impl IcmpView {
    /// Reads an IP packet carrying ICMP or ICMPv6; `None` for anything else.
    pub fn parse(ip: &[u8]) -> Option<IcmpView> {
        let (v6, body) = match ip.first()? >> 4 {
            4 => {
                let ihl = usize::from(ip[0] & 0x0f) * 4;
                (*ip.get(9)? == 1).then_some(())?;
                (false, ip.get(ihl..)?)
            }
            6 => {
                (*ip.get(6)? == 58).then_some(())?;
                (true, ip.get(40..)?)
            }
            _ => return None,
        };
        let ty = *body.first()?;
        let code = *body.get(1)?;
        let word = u32::from_be_bytes(body.get(4..8)?.try_into().ok()?);
        let mtu = if v6 { word } else { word & 0xffff };
        let inner = body.get(8..)?;
        let quoted_tcp = match inner.first().map(|b| b >> 4) {
            Some(4) if inner.get(9) == Some(&6) => {
                let ihl = usize::from(inner[0] & 0x0f) * 4;
                tcp_words(inner.get(ihl..)?)
            }
            Some(6) if inner.get(6) == Some(&6) => tcp_words(inner.get(40..)?),
            _ => None,
        };
        Some(IcmpView {
            v6,
            ty,
            code,
            mtu,
            quoted_tcp,
        })
    }
}

fn tcp_words(t: &[u8]) -> Option<(u16, u16, u32)> {
    Some((
        u16::from_be_bytes(t.get(0..2)?.try_into().ok()?),
        u16::from_be_bytes(t.get(2..4)?.try_into().ok()?),
        u32::from_be_bytes(t.get(4..8)?.try_into().ok()?),
    ))
}

impl fmt::Display for IcmpView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (types, codes): (Names, Names) = match (self.v6, self.ty) {
            (false, 3) => (V4_TYPES, V4_UNREACH),
            (false, _) => (V4_TYPES, &[]),
            (true, 1) => (V6_TYPES, V6_UNREACH),
            (true, 3) => (V6_TYPES, V6_TIME_EXCEEDED),
            (true, 4) => (V6_TYPES, V6_PARAM),
            (true, _) => (V6_TYPES, &[]),
        };
        let name = |t: &[(&str, u8)], v: u8| {
            t.iter()
                .find(|(_, n)| *n == v)
                .map_or_else(|| v.to_string(), |(s, _)| (*s).to_string())
        };
        write!(
            f,
            "icmp{} {}",
            if self.v6 { "6" } else { "" },
            name(types, self.ty)
        )?;
        if !codes.is_empty() {
            write!(f, " {}", name(codes, self.code))?;
        }
        if is_mtu_signal(self.v6, self.ty, self.code) {
            write!(f, " mtu {}", self.mtu)?;
        }
        if let Some((sp, dp, seq)) = self.quoted_tcp {
            write!(f, " [tcp {sp} > {dp} seq {seq}]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, a))
    }
    fn v6(a: u16) -> IpAddr {
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, a))
    }

    fn quote(src: IpAddr, dst: IpAddr) -> Quote {
        Quote::Tcp {
            src,
            dst,
            src_port: 8080,
            dst_port: 40000,
            seq: 0x0102_0304,
            len: 1460,
        }
    }

    #[test]
    fn names_resolve_per_family_with_the_translations() {
        assert_eq!(
            resolve(false, "unreachable", Some("frag_needed")),
            Ok((3, 4))
        );
        assert_eq!(
            resolve(false, "unreachable", Some("port_unreachable")),
            Ok((3, 3))
        );
        assert_eq!(resolve(false, "time_exceeded", None), Ok((11, 0)));
        assert_eq!(resolve(false, "packet_too_big", None), Ok((3, 4)));
        assert_eq!(
            resolve(true, "unreachable", Some("frag_needed")),
            Ok((2, 0))
        );
        assert_eq!(
            resolve(true, "unreachable", Some("host_unreachable")),
            Ok((1, 3))
        );
        assert_eq!(resolve(true, "packet_too_big", None), Ok((2, 0)));
        assert_eq!(resolve(true, "3", Some("1")), Ok((3, 1)));
        let e = resolve(true, "unreachable", Some("source_route_failed")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown ICMPv6 code `source_route_failed` (known: net_unreachable, no_route, \
             admin_prohibited, not_neighbour, address_unreachable, host_unreachable, \
             port_unreachable, or a number)"
        );
        assert!(resolve(false, "bogus", None).is_err());
    }

    #[test]
    fn an_ipv4_frag_needed_quotes_the_segment_and_checks_out() {
        let m = IcmpMessage {
            src: v4(1),
            dst: v4(2),
            ty: 3,
            code: 4,
            mtu: Some(1280),
            id: None,
            quote: quote(v4(2), v4(1)),
        };
        let b = m.to_bytes();
        assert_eq!(b.len(), 20 + 8 + 20 + 8);
        assert_eq!(checksum(&[&b[..20]]), 0, "IPv4 header checksum");
        assert_eq!(checksum(&[&b[20..]]), 0, "ICMP checksum");
        assert_eq!(checksum(&[&b[28..48]]), 0, "quoted header checksum");
        // The quoted header's length covers header, TCP header and text.
        assert_eq!(u16::from_be_bytes([b[30], b[31]]), 20 + 20 + 1460);
        let view = IcmpView::parse(&b).unwrap();
        assert_eq!(view.mtu, 1280);
        assert_eq!(view.quoted_tcp, Some((8080, 40000, 0x0102_0304)));
        assert_eq!(
            view.to_string(),
            "icmp unreachable frag_needed mtu 1280 [tcp 8080 > 40000 seq 16909060]"
        );
    }

    #[test]
    fn an_icmpv6_packet_too_big_has_a_valid_pseudo_header_checksum() {
        let m = IcmpMessage {
            src: v6(1),
            dst: v6(2),
            ty: 2,
            code: 0,
            mtu: Some(1280),
            id: None,
            quote: quote(v6(2), v6(1)),
        };
        let b = m.to_bytes();
        assert_eq!(b.len(), 40 + 8 + 40 + 8);
        let body = &b[40..];
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&b[8..40]);
        pseudo.extend_from_slice(&(body.len() as u32).to_be_bytes());
        pseudo.extend_from_slice(&[0, 0, 0, 58]);
        assert_eq!(checksum(&[&pseudo, body]), 0);
        let view = IcmpView::parse(&b).unwrap();
        assert_eq!(
            view.to_string(),
            "icmp6 packet_too_big mtu 1280 [tcp 8080 > 40000 seq 16909060]"
        );
    }

    #[test]
    fn parse_refuses_what_is_not_icmp() {
        assert_eq!(IcmpView::parse(&[]), None);
        assert_eq!(IcmpView::parse(&[0x45; 8]), None);
    }
}
