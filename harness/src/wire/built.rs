//! A segment the harness built, emitted, and read back without parsing its
//! own bytes: [`Segment::to_bytes_parsed`].
//!
//! The runner records what went on the wire as `parse` reads it (the data
//! offset, both checksums and the option padding are left to `emit`). For
//! a plain segment (no IPv4 options, fields that fit their bits, only
//! options that read back as themselves) that reading is known from the
//! segment and the bytes' two checksum fields, so the packet need not be
//! parsed, copied and summed again. Anything else is parsed as before.

use super::codec::parse_with_checksum;
use super::option::TcpOption;
use super::segment::{ChecksumPolicy, IpEnvelope, Segment};

impl Segment {
    /// `emit` into a fresh vector, and what [`parse_with_checksum`] reads
    /// from it: the segment as parsed and whether its checksums verify, or
    /// (`Err`) the segment as built when the bytes do not parse. Equal to
    /// `parse_with_checksum(&self.to_bytes(policy))` in every case (checked
    /// against it in debug builds); faster for plain segments.
    pub fn to_bytes_parsed(
        self,
        policy: ChecksumPolicy,
    ) -> (Vec<u8>, Result<(Segment, bool), Segment>) {
        let bytes = self.to_bytes(policy);
        let read = match self.read_back(&bytes, policy) {
            Ok(read) => {
                #[cfg(debug_assertions)]
                {
                    let parsed = parse_with_checksum(&bytes).ok();
                    debug_assert_eq!(parsed.as_ref(), Some(&read), "read back without a parse");
                }
                Ok(read)
            }
            Err(seg) => parse_with_checksum(&bytes).map_err(|_| *seg),
        };
        (bytes, read)
    }

    /// The parse of `bytes` (this segment emitted with `policy`) when the
    /// segment is plain; the segment back otherwise.
    fn read_back(
        mut self,
        bytes: &[u8],
        policy: ChecksumPolicy,
    ) -> Result<(Segment, bool), Box<Segment>> {
        let plain_ip = match &self.ip {
            IpEnvelope::V4 {
                options,
                flags,
                fragment_offset,
                ..
            } => options.is_empty() && *flags <= 0x07 && *fragment_offset == 0,
            IpEnvelope::V6 { flow_label, .. } => *flow_label <= 0x000f_ffff,
        };
        let option_len: usize = self.options.iter().map(TcpOption::wire_len).sum();
        let area = option_len.next_multiple_of(4);
        let ip_header = match self.ip {
            IpEnvelope::V4 { .. } => 20,
            IpEnvelope::V6 { .. } => 40,
        };
        let plain = plain_ip
            && policy != ChecksumPolicy::Keep
            && self.data_offset.is_none()
            && self.flags.bits() <= 0x0fff
            && area <= 40
            && bytes.len() <= usize::from(u16::MAX)
            && bytes.len() == ip_header + 20 + area + self.payload.len()
            && self.options.iter().all(reads_back_as_itself);
        if !plain {
            return Err(Box::new(self));
        }
        let tcp = &bytes[ip_header..];
        self.data_offset = Some(((20 + area) / 4) as u8);
        self.checksum = u16::from_be_bytes([tcp[16], tcp[17]]);
        if let IpEnvelope::V4 { checksum, .. } = &mut self.ip {
            *checksum = u16::from_be_bytes([bytes[10], bytes[11]]);
        }
        // The zero padding reads as EOL, then the rest of it as padding.
        let pad = area - option_len;
        if pad >= 1 {
            self.options.push(TcpOption::Eol);
        }
        if pad >= 2 {
            self.options.push(TcpOption::Padding(vec![0; pad - 1]));
        }
        // Both checksums computed (the IPv4 header's is, under either
        // policy); `Corrupt` flips the TCP checksum's low bit, which never
        // verifies.
        Ok((self, policy == ChecksumPolicy::Compute))
    }
}

/// Whether `parse_options` reads this option's wire bytes, followed by
/// anything, as this option again (EOL ends the list; an empty SACK, or one
/// whose length byte overflows, reads as another kind).
fn reads_back_as_itself(o: &TcpOption) -> bool {
    match o {
        TcpOption::Nop
        | TcpOption::Mss(_)
        | TcpOption::WindowScale(_)
        | TcpOption::SackPermitted
        | TcpOption::Timestamps { .. } => true,
        TcpOption::Sack(blocks) => !blocks.is_empty() && blocks.len() <= 4,
        TcpOption::Eol
        | TcpOption::Unknown { .. }
        | TcpOption::Malformed(_)
        | TcpOption::Padding(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{SeqNumber, TcpFlags};
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn segments() -> Vec<Segment> {
        let v4 = IpEnvelope::v4(Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
        let v6 = IpEnvelope::v6(
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2),
        );
        let option_lists = [
            vec![],
            vec![TcpOption::Mss(1460)],
            vec![TcpOption::WindowScale(7)],
            vec![TcpOption::Nop, TcpOption::WindowScale(7)],
            vec![TcpOption::SackPermitted],
            vec![
                TcpOption::Mss(536),
                TcpOption::SackPermitted,
                TcpOption::Timestamps { tsval: 1, tsecr: 0 },
                TcpOption::Nop,
                TcpOption::WindowScale(14),
            ],
            vec![TcpOption::Sack(vec![(1, 2), (3, 4)])],
            vec![TcpOption::Sack(vec![])],
            vec![TcpOption::Eol, TcpOption::Nop],
            vec![TcpOption::Unknown {
                kind: 30,
                data: vec![1, 2, 3],
            }],
            vec![TcpOption::Malformed(vec![8, 1])],
            vec![TcpOption::Padding(vec![0, 0])],
            vec![TcpOption::Timestamps { tsval: 5, tsecr: 6 }; 5],
        ];
        let mut out = Vec::new();
        for ip in [v4.clone(), v6] {
            for options in &option_lists {
                for (flags, payload) in [
                    (TcpFlags::SYN, vec![]),
                    (TcpFlags::ACK | TcpFlags::PSH, b"hello".to_vec()),
                    (TcpFlags(0xfff), vec![7; 3]),
                    (TcpFlags(0x1012), vec![]),
                ] {
                    let mut s = Segment::new(ip.clone(), 40000, 80, flags);
                    s.seq = SeqNumber(0xffff_fff0);
                    s.ack = SeqNumber(77);
                    s.window = 512;
                    s.urgent = 3;
                    s.options = options.clone();
                    s.payload = payload;
                    out.push(s);
                }
            }
        }
        // IPv4 envelopes that are not plain: options, flags, a fragment.
        let mut odd = Segment::new(v4.clone(), 1, 2, TcpFlags::ACK);
        if let IpEnvelope::V4 { options, .. } = &mut odd.ip {
            *options = vec![1, 1, 1];
        }
        out.push(odd.clone());
        if let IpEnvelope::V4 { flags, .. } = &mut odd.ip {
            *flags = 0xff;
        }
        out.push(odd);
        let mut frag = Segment::new(v4, 1, 2, TcpFlags::ACK);
        if let IpEnvelope::V4 {
            fragment_offset, ..
        } = &mut frag.ip
        {
            *fragment_offset = 3;
        }
        out.push(frag);
        let mut fixed = out[5].clone();
        fixed.data_offset = Some(9);
        out.push(fixed);
        out
    }

    #[test]
    fn read_back_equals_a_parse_of_the_bytes() {
        for seg in segments() {
            for policy in [
                ChecksumPolicy::Compute,
                ChecksumPolicy::Corrupt,
                ChecksumPolicy::Keep,
            ] {
                let bytes = seg.to_bytes(policy);
                let want = parse_with_checksum(&bytes).map_err(|_| seg.clone());
                let (got_bytes, got) = seg.clone().to_bytes_parsed(policy);
                assert_eq!(got_bytes, bytes, "{seg:?}");
                assert_eq!(got, want, "{seg:?} {policy:?}");
            }
        }
    }

    #[test]
    fn a_plain_segment_is_read_back_without_a_parse() {
        let segs = segments();
        // The SYN with an MSS option: plain, and padded by nothing.
        assert!(segs[4]
            .clone()
            .read_back(
                &segs[4].to_bytes(ChecksumPolicy::Compute),
                ChecksumPolicy::Compute
            )
            .is_ok());
        // An EOL inside the list is parsed.
        let eol = &segs[8 * 4];
        assert!(eol
            .clone()
            .read_back(
                &eol.to_bytes(ChecksumPolicy::Compute),
                ChecksumPolicy::Compute
            )
            .is_err());
    }
}
