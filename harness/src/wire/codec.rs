//! parse / emit / buffer_len, the option codec and the checksums.
//!
//! `parse` checks every length itself (IP version, IHL, total or payload
//! length, TCP data offset) before it touches a pnet accessor, and it never
//! calls pnet's option or payload accessors (they trust the data offset and
//! can panic). The option area is decoded here into the lossless
//! [`TcpOption`] list.
//!
//! # Emit rules (lossless and panic-free)
//!
//! - IP header: IPv4 is `20 + options` bytes, the raw IPv4 options padded with
//!   zero bytes to a multiple of four; IHL is written as that length / 4 (low
//!   four bits, so more than 40 option bytes give a lying IHL). IPv6 is always
//!   40 bytes, next header 6.
//! - IP total length (IPv4) / payload length (IPv6) are the real lengths,
//!   truncated to 16 bits.
//! - TCP option area: the options' wire bytes ([`emit_options`]) exactly. With
//!   `data_offset: None` they are padded with zero bytes to a multiple of four
//!   and the offset nibble is the resulting header length / 4; with
//!   `Some(d)` nothing is padded and the nibble is `d` (low four bits), even if
//!   it disagrees with the header written. A parsed segment has exactly
//!   `d * 4 - 20` option bytes, so `parse(x)?.to_bytes(Keep) == x`.
//! - Option length bytes are truncated to eight bits (a SACK of more than 31
//!   blocks or an unknown option with more than 253 data bytes then lies).
//! - Checksums: see [`ChecksumPolicy`]. `Corrupt` corrupts only the TCP
//!   checksum; the IPv4 header checksum stays correct so the packet reaches
//!   TCP.

use super::flags::TcpFlags;
use super::option::{kind, TcpOption};
use super::segment::{ChecksumPolicy, IpEnvelope, Segment};
use super::seq::SeqNumber;
use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::tcp::TcpPacket;
use std::fmt;

/// IP protocol / next-header number of TCP.
const IPPROTO_TCP: u8 = 6;
const IPV4_HEADER_LEN: usize = 20;
const IPV6_HEADER_LEN: usize = 40;
const TCP_HEADER_LEN: usize = 20;

/// Why bytes are not a segment synack can represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Fewer bytes than the named header needs.
    Truncated {
        /// The header: `IPv4 header`, `TCP header`, ….
        what: &'static str,
        /// Bytes it needs.
        need: usize,
        /// Bytes there are.
        have: usize,
    },
    /// Something else; the message says what.
    Invalid(String),
    /// The output buffer is shorter than `buffer_len()`.
    BufferTooSmall {
        /// Bytes the encoding needs.
        need: usize,
        /// Bytes the buffer has.
        have: usize,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated { what, need, have } => {
                write!(f, "truncated {what}: need {need} bytes, have {have}")
            }
            WireError::Invalid(m) => f.write_str(m),
            WireError::BufferTooSmall { need, have } => {
                write!(f, "buffer too small: need {need} bytes, have {have}")
            }
        }
    }
}
impl std::error::Error for WireError {}

/// The checked pieces of a packet: the envelope and the TCP bytes (header,
/// options and payload, up to the IP length).
struct Checked<'a> {
    ip: IpEnvelope,
    tcp: &'a [u8],
}

/// Parses an IP packet (IPv4 or IPv6) carrying TCP.
///
/// Bytes past the IP length (Ethernet padding) are ignored; an IP length
/// longer than the buffer is [`WireError::Truncated`]. Checks, in order: IP
/// version (4 or 6), IPv4 IHL >= 5 and within the buffer, IPv4 total length
/// (>= header, <= buffer) or IPv6 payload length (<= buffer), protocol / next
/// header 6 (IPv6 extension headers are rejected), IPv4 fragment offset 0 (a
/// first fragment with MF set is parsed as it stands), TCP header >= 20 bytes,
/// data offset >= 5 and within the segment. Never panics; for every `x` it
/// accepts, `parse(x)?.to_bytes(ChecksumPolicy::Keep)` is `x` up to the IP
/// length.
pub fn parse(bytes: &[u8]) -> Result<Segment, WireError> {
    let Checked { ip, tcp } = check_ip(bytes)?;
    parse_tcp(ip, tcp)
}

/// [`parse`] and [`checksum_valid`] in one pass over the bytes: the segment
/// and whether its checksums verify. For a receiver that judges both (the
/// runner and the fuzz driver, per segment) it saves parsing the packet
/// twice. On an error the checksum is not known; [`checksum_valid`] fails on
/// the same bytes.
pub fn parse_with_checksum(bytes: &[u8]) -> Result<(Segment, bool), WireError> {
    let Checked { ip, tcp } = check_ip(bytes)?;
    let valid = checksums_ok(&ip, bytes, tcp);
    Ok((parse_tcp(ip, tcp)?, valid))
}

fn check_ip(bytes: &[u8]) -> Result<Checked<'_>, WireError> {
    let Some(first) = bytes.first() else {
        return Err(WireError::Truncated {
            what: "IP header",
            need: 1,
            have: 0,
        });
    };
    match first >> 4 {
        4 => check_ipv4(bytes),
        6 => check_ipv6(bytes),
        v => Err(WireError::Invalid(format!(
            "IP version {v}: only 4 and 6 carry segments"
        ))),
    }
}

fn check_ipv4(bytes: &[u8]) -> Result<Checked<'_>, WireError> {
    if bytes.len() < IPV4_HEADER_LEN {
        return Err(WireError::Truncated {
            what: "IPv4 header",
            need: IPV4_HEADER_LEN,
            have: bytes.len(),
        });
    }
    let ihl = usize::from(bytes[0] & 0x0f);
    if ihl < 5 {
        return Err(WireError::Invalid(format!(
            "IPv4 header length (IHL) {ihl} is below the minimum 5"
        )));
    }
    let header_len = ihl * 4;
    if header_len > bytes.len() {
        return Err(WireError::Truncated {
            what: "IPv4 header with options",
            need: header_len,
            have: bytes.len(),
        });
    }
    let total_len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    if total_len < header_len {
        return Err(WireError::Invalid(format!(
            "IPv4 total length {total_len} is shorter than its {header_len}-byte header"
        )));
    }
    if total_len > bytes.len() {
        return Err(WireError::Truncated {
            what: "IPv4 packet",
            need: total_len,
            have: bytes.len(),
        });
    }
    let packet = &bytes[..total_len];
    // Lengths are checked above: the packet holds at least the 20-byte fixed
    // header, which is all `Ipv4Packet::new` asks for.
    let p = Ipv4Packet::new(packet).ok_or(WireError::Truncated {
        what: "IPv4 header",
        need: IPV4_HEADER_LEN,
        have: packet.len(),
    })?;
    let protocol = p.get_next_level_protocol().0;
    if protocol != IPPROTO_TCP {
        return Err(WireError::Invalid(format!(
            "IPv4 protocol {protocol} is not TCP (6)"
        )));
    }
    if p.get_fragment_offset() != 0 {
        return Err(WireError::Invalid(format!(
            "IPv4 fragment at offset {} (x8 bytes): not a TCP header; reassembly is not supported",
            p.get_fragment_offset()
        )));
    }
    let ip = IpEnvelope::V4 {
        src: p.get_source(),
        dst: p.get_destination(),
        tos: (p.get_dscp() << 2) | p.get_ecn(),
        identification: p.get_identification(),
        flags: p.get_flags(),
        fragment_offset: p.get_fragment_offset(),
        ttl: p.get_ttl(),
        options: packet[IPV4_HEADER_LEN..header_len].to_vec(),
        checksum: p.get_checksum(),
    };
    Ok(Checked {
        ip,
        tcp: &packet[header_len..],
    })
}

fn check_ipv6(bytes: &[u8]) -> Result<Checked<'_>, WireError> {
    if bytes.len() < IPV6_HEADER_LEN {
        return Err(WireError::Truncated {
            what: "IPv6 header",
            need: IPV6_HEADER_LEN,
            have: bytes.len(),
        });
    }
    let payload_len = usize::from(u16::from_be_bytes([bytes[4], bytes[5]]));
    let total_len = IPV6_HEADER_LEN + payload_len;
    if total_len > bytes.len() {
        return Err(WireError::Truncated {
            what: "IPv6 packet",
            need: total_len,
            have: bytes.len(),
        });
    }
    let packet = &bytes[..total_len];
    // The packet holds the 40-byte fixed header (checked above).
    let p = Ipv6Packet::new(packet).ok_or(WireError::Truncated {
        what: "IPv6 header",
        need: IPV6_HEADER_LEN,
        have: packet.len(),
    })?;
    let next = p.get_next_header().0;
    if next != IPPROTO_TCP {
        return Err(WireError::Invalid(format!(
            "IPv6 next header {next} is not TCP (6); extension headers are not supported"
        )));
    }
    let ip = IpEnvelope::V6 {
        src: p.get_source(),
        dst: p.get_destination(),
        traffic_class: p.get_traffic_class(),
        flow_label: p.get_flow_label(),
        hop_limit: p.get_hop_limit(),
    };
    Ok(Checked {
        ip,
        tcp: &packet[IPV6_HEADER_LEN..],
    })
}

fn parse_tcp(ip: IpEnvelope, tcp: &[u8]) -> Result<Segment, WireError> {
    let doff = check_tcp(tcp)?;
    let header_len = usize::from(doff) * 4;
    // At least 20 bytes (checked above), all `TcpPacket::new` asks for. Only
    // fixed-position accessors are used below, never options or payload.
    let p = TcpPacket::new(tcp).ok_or(WireError::Truncated {
        what: "TCP header",
        need: TCP_HEADER_LEN,
        have: tcp.len(),
    })?;
    let flag_bits = (u16::from(p.get_reserved()) << 8) | u16::from(p.get_flags());
    Ok(Segment {
        ip,
        src_port: p.get_source(),
        dst_port: p.get_destination(),
        seq: SeqNumber(p.get_sequence()),
        ack: SeqNumber(p.get_acknowledgement()),
        data_offset: Some(doff),
        flags: TcpFlags::from_bits_truncate(flag_bits),
        window: p.get_window(),
        checksum: p.get_checksum(),
        urgent: p.get_urgent_ptr(),
        options: parse_options(&tcp[TCP_HEADER_LEN..header_len]),
        payload: tcp[header_len..].to_vec(),
    })
}

/// The TCP header's own length checks (header >= 20 bytes, data offset
/// >= 5 and within the segment); returns the data offset.
fn check_tcp(tcp: &[u8]) -> Result<u8, WireError> {
    if tcp.len() < TCP_HEADER_LEN {
        return Err(WireError::Truncated {
            what: "TCP header",
            need: TCP_HEADER_LEN,
            have: tcp.len(),
        });
    }
    let doff = tcp[12] >> 4;
    if doff < 5 {
        return Err(WireError::Invalid(format!(
            "TCP data offset {doff} is below the minimum 5"
        )));
    }
    let header_len = usize::from(doff) * 4;
    if header_len > tcp.len() {
        return Err(WireError::Invalid(format!(
            "TCP data offset {doff} ({header_len} bytes) runs past the {}-byte segment",
            tcp.len()
        )));
    }
    Ok(doff)
}

/// Decodes a TCP option area losslessly: `emit_options(&parse_options(a)) == a`
/// for every `a`.
///
/// EOL ends the list, and any bytes after it become one
/// [`TcpOption::Padding`]. Kinds 2, 3, 4, 5 and 8 with their proper lengths
/// are typed; other kinds, and those kinds with other lengths, are
/// [`TcpOption::Unknown`]. A length byte of 0 or 1, a missing length byte, or
/// a length past the end makes the rest of the area one
/// [`TcpOption::Malformed`].
pub fn parse_options(area: &[u8]) -> Vec<TcpOption> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&k) = area.get(i) {
        match k {
            kind::EOL => {
                out.push(TcpOption::Eol);
                if i + 1 < area.len() {
                    out.push(TcpOption::Padding(area[i + 1..].to_vec()));
                }
                return out;
            }
            kind::NOP => {
                out.push(TcpOption::Nop);
                i += 1;
            }
            _ => {
                let len = area.get(i + 1).map(|&l| usize::from(l));
                match len {
                    Some(len) if len >= 2 && i + len <= area.len() => {
                        out.push(typed_option(k, &area[i + 2..i + len]));
                        i += len;
                    }
                    _ => {
                        out.push(TcpOption::Malformed(area[i..].to_vec()));
                        return out;
                    }
                }
            }
        }
    }
    out
}

/// One well-formed option of kind `k` with `data` after its length byte.
fn typed_option(k: u8, data: &[u8]) -> TcpOption {
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    match (k, data.len()) {
        (kind::MSS, 2) => TcpOption::Mss(u16::from_be_bytes([data[0], data[1]])),
        (kind::WINDOW_SCALE, 1) => TcpOption::WindowScale(data[0]),
        (kind::SACK_PERMITTED, 0) => TcpOption::SackPermitted,
        (kind::SACK, n) if n > 0 && n % 8 == 0 => TcpOption::Sack(
            data.chunks_exact(8)
                .map(|c| (be32(&c[..4]), be32(&c[4..])))
                .collect(),
        ),
        (kind::TIMESTAMPS, 8) => TcpOption::Timestamps {
            tsval: be32(&data[..4]),
            tsecr: be32(&data[4..]),
        },
        _ => TcpOption::Unknown {
            kind: k,
            data: data.to_vec(),
        },
    }
}

/// The options' wire bytes, concatenated, without padding. Length bytes are
/// truncated to eight bits.
pub fn emit_options(options: &[TcpOption]) -> Vec<u8> {
    let mut out = vec![0; options.iter().map(TcpOption::wire_len).sum()];
    write_options(options, &mut out);
    out
}

/// [`emit_options`] into `out`, which is exactly as long as the options'
/// wire lengths summed: `emit` writes them in place, with no vector of
/// their own.
fn write_options(options: &[TcpOption], out: &mut [u8]) {
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    for o in options {
        match o {
            TcpOption::Eol => put(&[kind::EOL]),
            TcpOption::Nop => put(&[kind::NOP]),
            TcpOption::Mss(v) => {
                put(&[kind::MSS, 4]);
                put(&v.to_be_bytes());
            }
            TcpOption::WindowScale(s) => put(&[kind::WINDOW_SCALE, 3, *s]),
            TcpOption::SackPermitted => put(&[kind::SACK_PERMITTED, 2]),
            TcpOption::Sack(blocks) => {
                put(&[kind::SACK, (2 + 8 * blocks.len()) as u8]);
                for (left, right) in blocks {
                    put(&left.to_be_bytes());
                    put(&right.to_be_bytes());
                }
            }
            TcpOption::Timestamps { tsval, tsecr } => {
                put(&[kind::TIMESTAMPS, 10]);
                put(&tsval.to_be_bytes());
                put(&tsecr.to_be_bytes());
            }
            TcpOption::Unknown { kind, data } => {
                put(&[*kind, (2 + data.len()) as u8]);
                put(data);
            }
            TcpOption::Malformed(bytes) | TcpOption::Padding(bytes) => put(bytes),
        }
    }
}

/// Whether a packet's TCP checksum (and, for IPv4, header checksum) verify.
/// Errors as [`parse`] does on bytes that are not a segment.
pub fn checksum_valid(bytes: &[u8]) -> Result<bool, WireError> {
    // Every check `parse` makes, so the same bytes are accepted.
    let Checked { ip, tcp } = check_ip(bytes)?;
    check_tcp(tcp)?;
    Ok(checksums_ok(&ip, bytes, tcp))
}

/// The IPv4 header checksum (over `bytes`, the packet) and the TCP checksum
/// (over `tcp`, with the pseudo-header of `ip`) verify.
fn checksums_ok(ip: &IpEnvelope, bytes: &[u8], tcp: &[u8]) -> bool {
    let ip_ok = match ip {
        IpEnvelope::V4 { options, .. } => {
            ones_complement_sum(0, &bytes[..IPV4_HEADER_LEN + options.len()]) == 0xffff
        }
        IpEnvelope::V6 { .. } => true,
    };
    ip_ok && ones_complement_sum(pseudo_header_sum(ip, tcp.len()), tcp) == 0xffff
}

/// Layout of an emitted packet.
struct Layout {
    ip_header: usize,
    /// The options' wire bytes, unpadded.
    options: usize,
    /// Option area length (options plus zero padding).
    option_area: usize,
    doff_nibble: u8,
}

impl Segment {
    fn layout(&self) -> Layout {
        let ip_header = match &self.ip {
            IpEnvelope::V4 { options, .. } => IPV4_HEADER_LEN + options.len().next_multiple_of(4),
            IpEnvelope::V6 { .. } => IPV6_HEADER_LEN,
        };
        let options: usize = self.options.iter().map(TcpOption::wire_len).sum();
        let (option_area, doff_nibble) = match self.data_offset {
            Some(d) => (options, d & 0x0f),
            None => {
                let area = options.next_multiple_of(4);
                (area, (((TCP_HEADER_LEN + area) / 4) & 0x0f) as u8)
            }
        };
        Layout {
            ip_header,
            options,
            option_area,
            doff_nibble,
        }
    }

    /// Bytes `emit` writes: IP header + TCP header + options + payload.
    pub fn buffer_len(&self) -> usize {
        let l = self.layout();
        l.ip_header + TCP_HEADER_LEN + l.option_area + self.payload.len()
    }

    /// The data offset `emit` writes with `data_offset: None`: the header
    /// length in words with the options padded to a multiple of four.
    pub fn derived_data_offset(&self) -> usize {
        (TCP_HEADER_LEN + self.options.iter().map(TcpOption::wire_len).sum::<usize>()).div_ceil(4)
    }

    /// Writes the IP packet into `buf[..buffer_len()]` and returns its
    /// length. Fails only with [`WireError::BufferTooSmall`]; never panics.
    /// See the module docs for the exact rules.
    pub fn emit(&self, buf: &mut [u8], policy: ChecksumPolicy) -> Result<usize, WireError> {
        self.emit_laid_out(&self.layout(), buf, policy)
    }

    /// [`Segment::emit`] with the layout computed once by the caller.
    fn emit_laid_out(
        &self,
        l: &Layout,
        buf: &mut [u8],
        policy: ChecksumPolicy,
    ) -> Result<usize, WireError> {
        let tcp_len = TCP_HEADER_LEN + l.option_area + self.payload.len();
        let total = l.ip_header + tcp_len;
        if buf.len() < total {
            return Err(WireError::BufferTooSmall {
                need: total,
                have: buf.len(),
            });
        }
        let buf = &mut buf[..total];
        let (ip_buf, tcp_buf) = buf.split_at_mut(l.ip_header);

        // TCP header (RFC 9293 §3.1), checksum zero for now.
        let flags = self.flags.bits();
        tcp_buf[0..2].copy_from_slice(&self.src_port.to_be_bytes());
        tcp_buf[2..4].copy_from_slice(&self.dst_port.to_be_bytes());
        tcp_buf[4..8].copy_from_slice(&self.seq.0.to_be_bytes());
        tcp_buf[8..12].copy_from_slice(&self.ack.0.to_be_bytes());
        tcp_buf[12] = (l.doff_nibble << 4) | ((flags >> 8) & 0x0f) as u8;
        tcp_buf[13] = (flags & 0xff) as u8;
        tcp_buf[14..16].copy_from_slice(&self.window.to_be_bytes());
        tcp_buf[16..18].fill(0);
        tcp_buf[18..20].copy_from_slice(&self.urgent.to_be_bytes());
        let area = &mut tcp_buf[TCP_HEADER_LEN..TCP_HEADER_LEN + l.option_area];
        write_options(&self.options, &mut area[..l.options]);
        area[l.options..].fill(0);
        tcp_buf[TCP_HEADER_LEN + l.option_area..].copy_from_slice(&self.payload);

        let correct = !ones_complement_sum(pseudo_header_sum(&self.ip, tcp_len), tcp_buf);
        let checksum = match policy {
            ChecksumPolicy::Compute => correct,
            ChecksumPolicy::Keep => self.checksum,
            ChecksumPolicy::Corrupt => correct ^ 1,
        };
        tcp_buf[16..18].copy_from_slice(&checksum.to_be_bytes());

        write_ip_header(&self.ip, ip_buf, tcp_len, policy);
        Ok(total)
    }

    /// `emit` into a fresh vector.
    pub fn to_bytes(&self, policy: ChecksumPolicy) -> Vec<u8> {
        // One layout (the options encoded once) for the length and the bytes.
        let l = self.layout();
        let mut v = vec![0; l.ip_header + TCP_HEADER_LEN + l.option_area + self.payload.len()];
        // Cannot fail: the buffer is exactly as long as the layout needs.
        let n = self
            .emit_laid_out(&l, &mut v, policy)
            .expect("buffer is buffer_len long");
        v.truncate(n);
        v
    }

    /// The correct TCP checksum for this segment as it would be emitted.
    pub fn correct_checksum(&self) -> u16 {
        let bytes = self.to_bytes(ChecksumPolicy::Compute);
        let ip_header = self.layout().ip_header;
        u16::from_be_bytes([bytes[ip_header + 16], bytes[ip_header + 17]])
    }

    /// Whether `self.checksum` (and, for IPv4, the stored header checksum)
    /// verify over the packet `to_bytes(Keep)` gives. On a parsed segment
    /// this is the validity of the bytes received (they are the same bytes).
    pub fn checksum_valid(&self) -> bool {
        let bytes = self.to_bytes(ChecksumPolicy::Keep);
        let ip_header = self.layout().ip_header;
        let tcp = &bytes[ip_header..];
        let ip_ok = match &self.ip {
            IpEnvelope::V4 { .. } => ones_complement_sum(0, &bytes[..ip_header]) == 0xffff,
            IpEnvelope::V6 { .. } => true,
        };
        ip_ok && ones_complement_sum(pseudo_header_sum(&self.ip, tcp.len()), tcp) == 0xffff
    }
}
fn write_ip_header(ip: &IpEnvelope, buf: &mut [u8], tcp_len: usize, policy: ChecksumPolicy) {
    match ip {
        IpEnvelope::V4 {
            src,
            dst,
            tos,
            identification,
            flags,
            fragment_offset,
            ttl,
            options,
            checksum,
        } => {
            let header_len = buf.len();
            let total = (header_len + tcp_len) as u16;
            let frag = (u16::from(*flags & 0x07) << 13) | (fragment_offset & 0x1fff);
            buf[0] = 0x40 | ((header_len / 4) & 0x0f) as u8;
            buf[1] = *tos;
            buf[2..4].copy_from_slice(&total.to_be_bytes());
            buf[4..6].copy_from_slice(&identification.to_be_bytes());
            buf[6..8].copy_from_slice(&frag.to_be_bytes());
            buf[8] = *ttl;
            buf[9] = IPPROTO_TCP;
            buf[10..12].fill(0);
            buf[12..16].copy_from_slice(&src.octets());
            buf[16..20].copy_from_slice(&dst.octets());
            let opt_area = &mut buf[IPV4_HEADER_LEN..];
            opt_area[..options.len()].copy_from_slice(options);
            opt_area[options.len()..].fill(0);
            let value = match policy {
                ChecksumPolicy::Keep => *checksum,
                ChecksumPolicy::Compute | ChecksumPolicy::Corrupt => !ones_complement_sum(0, buf),
            };
            buf[10..12].copy_from_slice(&value.to_be_bytes());
        }
        IpEnvelope::V6 {
            src,
            dst,
            traffic_class,
            flow_label,
            hop_limit,
        } => {
            let fl = flow_label & 0x000f_ffff;
            buf[0] = 0x60 | (traffic_class >> 4);
            buf[1] = ((traffic_class & 0x0f) << 4) | (fl >> 16) as u8;
            buf[2] = (fl >> 8) as u8;
            buf[3] = fl as u8;
            buf[4..6].copy_from_slice(&(tcp_len as u16).to_be_bytes());
            buf[6] = IPPROTO_TCP;
            buf[7] = *hop_limit;
            buf[8..24].copy_from_slice(&src.octets());
            buf[24..40].copy_from_slice(&dst.octets());
        }
    }
}

/// The pseudo-header's contribution (RFC 9293 §3.1; RFC 8200 §8.1), folded.
fn pseudo_header_sum(ip: &IpEnvelope, tcp_len: usize) -> u16 {
    match ip {
        IpEnvelope::V4 { src, dst, .. } => {
            let mut p = [0u8; 12];
            p[..4].copy_from_slice(&src.octets());
            p[4..8].copy_from_slice(&dst.octets());
            p[9] = IPPROTO_TCP;
            p[10..12].copy_from_slice(&(tcp_len as u16).to_be_bytes());
            ones_complement_sum(0, &p)
        }
        IpEnvelope::V6 { src, dst, .. } => {
            let mut p = [0u8; 40];
            p[..16].copy_from_slice(&src.octets());
            p[16..32].copy_from_slice(&dst.octets());
            p[32..36].copy_from_slice(&(tcp_len as u32).to_be_bytes());
            p[39] = IPPROTO_TCP;
            ones_complement_sum(0, &p)
        }
    }
}

/// Ones' complement sum of `data` (RFC 1071), started at `initial`; an odd
/// trailing byte is padded with zero.
fn ones_complement_sum(initial: u16, data: &[u8]) -> u16 {
    // RFC 1071 §2: the sum may be taken over wider words and folded at the
    // end (one's complement addition is associative and commutative, and
    // byte order is kept by reading the words big-endian). Eight octets a
    // step instead of two: a quarter of the loop, which fuzz builds count
    // at every turn.
    let mut acc = u64::from(initial);
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_be_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let (sum, carry) = acc.overflowing_add(w);
        // End-around carry; cannot overflow (a carry leaves sum < 2^64 - 1).
        acc = sum + u64::from(carry);
    }
    let rest = words.remainder();
    let mut pairs = rest.chunks_exact(2);
    let mut tail = 0u64;
    for c in &mut pairs {
        tail += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = pairs.remainder() {
        tail += u64::from(*last) << 8;
    }
    let (sum, carry) = acc.overflowing_add(tail);
    // Fold 64 bits and the carry (2^64 and 2^32 are 1 modulo 2^16 - 1)
    // down to 16.
    let mut folded = (sum >> 32) + (sum & 0xffff_ffff) + u64::from(carry);
    while folded >> 16 != 0 {
        folded = (folded >> 16) + (folded & 0xffff);
    }
    folded as u16
}

#[cfg(test)]
mod sum_tests {
    /// RFC 1071's definition, two octets at a time.
    fn reference(initial: u16, data: &[u8]) -> u16 {
        let mut sum = u32::from(initial);
        for c in data.chunks(2) {
            let word = u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]);
            sum += u32::from(word);
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }

    #[test]
    fn wide_sum_equals_rfc_1071_sum_at_every_length_and_start() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for len in 0..200 {
            for _ in 0..20 {
                let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let initial = next() as u16;
                assert_eq!(
                    super::ones_complement_sum(initial, &data),
                    reference(initial, &data),
                    "len {len}"
                );
            }
        }
        // All ones: the sum stays 0xffff (negative zero), never folds to 0.
        let ones = vec![0xff; 1460];
        assert_eq!(super::ones_complement_sum(0xffff, &ones), 0xffff);
        assert_eq!(super::ones_complement_sum(0, &[0; 64]), 0);
    }
}
