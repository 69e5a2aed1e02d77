//! The lossless segment: an IP envelope, the whole TCP header and the payload.

use super::flags::TcpFlags;
use super::option::TcpOption;
use super::seq::SeqNumber;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IP header around a segment. Fields that synack does not vary are
/// still kept, so `emit(parse(x))` reproduces `x`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum IpEnvelope {
    /// IPv4 (RFC 791).
    V4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
        /// DSCP and ECN (the old TOS byte).
        tos: u8,
        /// Identification (for fragment reassembly).
        identification: u16,
        /// The three flag bits (reserved, DF, MF), shifted down.
        flags: u8,
        /// Fragment offset, in 8-octet units.
        fragment_offset: u16,
        /// Time to live.
        ttl: u8,
        /// IPv4 options (IHL > 5), raw.
        options: Vec<u8>,
        /// The header checksum as read. On emit it is computed unless the
        /// checksum policy is `Keep`.
        checksum: u16,
    },
    /// IPv6 (RFC 8200); extension headers are not kept.
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
        /// Traffic class (DSCP and ECN).
        traffic_class: u8,
        /// Flow label (20 bits).
        flow_label: u32,
        /// Hop limit.
        hop_limit: u8,
    },
}

impl IpEnvelope {
    /// A plain IPv4 envelope: TTL 64, DF set, no options.
    pub fn v4(src: Ipv4Addr, dst: Ipv4Addr) -> IpEnvelope {
        IpEnvelope::V4 {
            src,
            dst,
            tos: 0,
            identification: 0,
            flags: 0b010,
            fragment_offset: 0,
            ttl: 64,
            options: Vec::new(),
            checksum: 0,
        }
    }
    /// A plain IPv6 envelope: hop limit 64.
    pub fn v6(src: Ipv6Addr, dst: Ipv6Addr) -> IpEnvelope {
        IpEnvelope::V6 {
            src,
            dst,
            traffic_class: 0,
            flow_label: 0,
            hop_limit: 64,
        }
    }
    /// An envelope for the given pair of addresses (same family).
    pub fn between(src: IpAddr, dst: IpAddr) -> Option<IpEnvelope> {
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => Some(IpEnvelope::v4(s, d)),
            (IpAddr::V6(s), IpAddr::V6(d)) => Some(IpEnvelope::v6(s, d)),
            _ => None,
        }
    }
    /// The source address.
    pub fn src(&self) -> IpAddr {
        match self {
            IpEnvelope::V4 { src, .. } => IpAddr::V4(*src),
            IpEnvelope::V6 { src, .. } => IpAddr::V6(*src),
        }
    }
    /// The destination address.
    pub fn dst(&self) -> IpAddr {
        match self {
            IpEnvelope::V4 { dst, .. } => IpAddr::V4(*dst),
            IpEnvelope::V6 { dst, .. } => IpAddr::V6(*dst),
        }
    }
}

/// What `emit` does with the TCP checksum field.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ChecksumPolicy {
    /// Compute the correct checksum (and the IPv4 header checksum).
    #[default]
    Compute,
    /// Write `Segment::checksum` (and the IPv4 header checksum) as given.
    Keep,
    /// Write the correct checksum with its low bit flipped: always wrong.
    Corrupt,
}

/// One TCP segment with its IP envelope, kept losslessly: every flag bit,
/// the raw data offset, the urgent pointer, all options, the payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    /// The IP header around it.
    pub ip: IpEnvelope,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number: of the first octet of data, or of the SYN.
    pub seq: SeqNumber,
    /// Acknowledgment number (significant only with ACK).
    pub ack: SeqNumber,
    /// The raw 4-bit data offset in 32-bit words. `None` on a segment built
    /// by hand means "derive from the options" (options are then padded with
    /// zero bytes to a multiple of four). `parse` always sets it.
    pub data_offset: Option<u8>,
    /// The flags field, all twelve bits.
    pub flags: TcpFlags,
    /// Window, unscaled as on the wire.
    pub window: u16,
    /// The TCP checksum as read (or to write, with `ChecksumPolicy::Keep`).
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// The options, in order, as on the wire.
    pub options: Vec<TcpOption>,
    /// The data.
    pub payload: Vec<u8>,
}

impl Segment {
    /// A segment with no options and no payload, from `src` to `dst`.
    pub fn new(ip: IpEnvelope, src_port: u16, dst_port: u16, flags: TcpFlags) -> Segment {
        Segment {
            ip,
            src_port,
            dst_port,
            seq: SeqNumber(0),
            ack: SeqNumber(0),
            data_offset: None,
            flags,
            window: 0,
            checksum: 0,
            urgent: 0,
            options: Vec::new(),
            payload: Vec::new(),
        }
    }

    /// SEG.LEN (RFC 9293 §3.4): payload octets plus one each for SYN and FIN.
    pub fn seg_len(&self) -> u32 {
        self.payload.len() as u32 + self.flags.syn() as u32 + self.flags.fin() as u32
    }

    /// The first MSS option, if any.
    pub fn mss(&self) -> Option<u16> {
        self.options.iter().find_map(|o| match o {
            TcpOption::Mss(v) => Some(*v),
            _ => None,
        })
    }
    /// The first window-scale option, if any.
    pub fn window_scale(&self) -> Option<u8> {
        self.options.iter().find_map(|o| match o {
            TcpOption::WindowScale(v) => Some(*v),
            _ => None,
        })
    }
    /// The first timestamps option, if any, as `(tsval, tsecr)`.
    pub fn timestamps(&self) -> Option<(u32, u32)> {
        self.options.iter().find_map(|o| match o {
            TcpOption::Timestamps { tsval, tsecr } => Some((*tsval, *tsecr)),
            _ => None,
        })
    }
    /// Whether the options carry SACK-permitted (RFC 2018).
    pub fn sack_permitted(&self) -> bool {
        self.options
            .iter()
            .any(|o| matches!(o, TcpOption::SackPermitted))
    }
}
