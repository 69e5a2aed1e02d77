//! Just enough packet handling for the lab's plumbing: the 4-tuple of a
//! packet the kernel sent (to route it to its session), and a plain segment
//! builder for the raw benchmark. Cases use `wire`, never this.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

const PROTO_TCP: u8 = 6;

/// The TCP header fields the benchmark needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpHead {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
}

/// Flag bits of the TCP header's byte 13.
pub mod flag {
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const ACK: u8 = 0x10;
}

/// The IP header length and the source and destination addresses of a TCP
/// packet; `None` for anything else (other protocols, fragments after the
/// first, IPv6 extension headers, truncated bytes).
fn ip_tcp(packet: &[u8]) -> Option<(usize, IpAddr, IpAddr)> {
    match packet.first()? >> 4 {
        4 => {
            let ihl = usize::from(packet[0] & 0x0f) * 4;
            if ihl < 20 || packet.len() < ihl + 20 || packet[9] != PROTO_TCP {
                return None;
            }
            let frag_offset = u16::from_be_bytes([packet[6], packet[7]]) & 0x1fff;
            if frag_offset != 0 {
                return None;
            }
            let src = Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]);
            let dst = Ipv4Addr::new(packet[16], packet[17], packet[18], packet[19]);
            Some((ihl, src.into(), dst.into()))
        }
        6 => {
            if packet.len() < 40 + 20 || packet[6] != PROTO_TCP {
                return None;
            }
            let src: [u8; 16] = packet[8..24].try_into().ok()?;
            let dst: [u8; 16] = packet[24..40].try_into().ok()?;
            Some((40, Ipv6Addr::from(src).into(), Ipv6Addr::from(dst).into()))
        }
        _ => None,
    }
}

/// Reads the TCP header of an IP packet; `None` when it is not TCP.
pub fn tcp_head(packet: &[u8]) -> Option<TcpHead> {
    let (off, src, dst) = ip_tcp(packet)?;
    let t = &packet[off..];
    let be32 = |i: usize| u32::from_be_bytes([t[i], t[i + 1], t[i + 2], t[i + 3]]);
    Some(TcpHead {
        src: SocketAddr::new(src, u16::from_be_bytes([t[0], t[1]])),
        dst: SocketAddr::new(dst, u16::from_be_bytes([t[2], t[3]])),
        seq: be32(4),
        ack: be32(8),
        flags: t[13],
    })
}

/// The Internet checksum (RFC 1071) over `parts`, folded and complemented.
pub(crate) fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(u16::from_be_bytes([hi, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A TCP segment from `src` to `dst` (same family), with correct checksums,
/// window 65535, the given raw option bytes (a multiple of four) and no
/// payload. `None` when the families differ.
pub fn tcp_segment(
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    ack: u32,
    flags: u8,
    options: &[u8],
) -> Option<Vec<u8>> {
    let tcp_len = 20 + options.len();
    let mut tcp = Vec::with_capacity(tcp_len);
    tcp.extend_from_slice(&src.port().to_be_bytes());
    tcp.extend_from_slice(&dst.port().to_be_bytes());
    tcp.extend_from_slice(&seq.to_be_bytes());
    tcp.extend_from_slice(&ack.to_be_bytes());
    tcp.push(((tcp_len / 4) as u8) << 4);
    tcp.push(flags);
    tcp.extend_from_slice(&65535u16.to_be_bytes());
    tcp.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    tcp.extend_from_slice(options);
    let len = (tcp_len as u16).to_be_bytes();
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let pseudo = [&s.octets()[..], &d.octets()[..], &[0, PROTO_TCP], &len[..]].concat();
            let c = checksum(&[&pseudo, &tcp]);
            tcp[16..18].copy_from_slice(&c.to_be_bytes());
            let total = ((20 + tcp_len) as u16).to_be_bytes();
            let mut ip = vec![
                0x45, 0, total[0], total[1], 0, 0, 0x40, 0, 64, PROTO_TCP, 0, 0,
            ];
            ip.extend_from_slice(&s.octets());
            ip.extend_from_slice(&d.octets());
            let c = checksum(&[&ip]);
            ip[10..12].copy_from_slice(&c.to_be_bytes());
            ip.extend_from_slice(&tcp);
            Some(ip)
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let pseudo = [
                &s.octets()[..],
                &d.octets()[..],
                &[0, 0],
                &len[..],
                &[0, 0, 0, PROTO_TCP],
            ]
            .concat();
            let c = checksum(&[&pseudo, &tcp]);
            tcp[16..18].copy_from_slice(&c.to_be_bytes());
            let mut ip = vec![0x60, 0, 0, 0, len[0], len[1], PROTO_TCP, 64];
            ip.extend_from_slice(&s.octets());
            ip.extend_from_slice(&d.octets());
            ip.extend_from_slice(&tcp);
            Some(ip)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_segment_reads_back_with_valid_checksums() {
        let src: SocketAddr = "198.51.100.7:40000".parse().unwrap();
        let dst: SocketAddr = "192.0.2.1:7".parse().unwrap();
        let p = tcp_segment(src, dst, 0xffff_fff0, 0, flag::SYN, &[2, 4, 5, 0xb4]).unwrap();
        assert_eq!(p.len(), 44);
        assert_eq!(checksum(&[&p[..20]]), 0, "IPv4 header checksum verifies");
        let h = tcp_head(&p).unwrap();
        assert_eq!(
            (h.src, h.dst, h.seq, h.flags),
            (src, dst, 0xffff_fff0, flag::SYN)
        );
        let pseudo = [&p[12..20], &[0, 6, 0, 24][..]].concat();
        assert_eq!(checksum(&[&pseudo, &p[20..]]), 0, "TCP checksum verifies");
    }

    #[test]
    fn non_tcp_and_truncated_packets_have_no_tuple() {
        let src: SocketAddr = "[2001:db8:0:2::1]:40000".parse().unwrap();
        let dst: SocketAddr = "[2001:db8:0:1::1]:80".parse().unwrap();
        let mut p = tcp_segment(src, dst, 1, 2, flag::ACK, &[]).unwrap();
        assert_eq!(tcp_head(&p).map(|h| (h.src, h.dst)), Some((src, dst)));
        assert_eq!(tcp_head(&p[..50]), None);
        p[6] = 58; // ICMPv6
        assert_eq!(tcp_head(&p), None);
        assert_eq!(tcp_head(&[]), None);
    }
}
