//! The judge's TCP packets that do not parse as a segment (a data offset
//! below 5, a header past the packet): their IP header and ports still say
//! which connection they belong to, so the target's become a
//! `malformed-segment` finding on that connection, at their place in its
//! transcript, as in a run and in the fuzz driver (issue #16 item 3).

use super::event::{Dir, Entry, EntryKind, Violation};
use super::runner::violation;
use crate::oracle::{Direction, Observation, Oracle};
use crate::wire::WireError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// IP protocol number of TCP.
const TCP: u8 = 6;

/// One TCP packet of the capture that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unparsed<'a> {
    /// Its place in the capture.
    pub index: usize,
    /// Its capture time.
    pub at: Duration,
    /// The IP packet.
    pub bytes: &'a [u8],
    /// Where it came from and went to.
    pub src: SocketAddr,
    /// Where it went.
    pub dst: SocketAddr,
    /// Why it does not parse.
    pub error: String,
}

impl<'a> Unparsed<'a> {
    /// The addresses and ports of `bytes`, an IPv4 or IPv6 packet carrying
    /// TCP (no IPv6 extension headers) with at least the four octets of the
    /// ports; `None` for anything else (not TCP: not a segment at all).
    pub fn peek(
        index: usize,
        at: Duration,
        bytes: &'a [u8],
        error: &WireError,
    ) -> Option<Unparsed<'a>> {
        let (src, dst, tcp) = match bytes.first()? >> 4 {
            4 => {
                let ihl = usize::from(bytes.first()? & 0x0f) * 4;
                if *bytes.get(9)? != TCP || ihl < 20 {
                    return None;
                }
                let a: [u8; 4] = bytes.get(12..16)?.try_into().ok()?;
                let b: [u8; 4] = bytes.get(16..20)?.try_into().ok()?;
                (
                    IpAddr::from(Ipv4Addr::from(a)),
                    IpAddr::from(Ipv4Addr::from(b)),
                    bytes.get(ihl..)?,
                )
            }
            6 => {
                if *bytes.get(6)? != TCP {
                    return None;
                }
                let a: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
                let b: [u8; 16] = bytes.get(24..40)?.try_into().ok()?;
                (
                    IpAddr::from(Ipv6Addr::from(a)),
                    IpAddr::from(Ipv6Addr::from(b)),
                    bytes.get(40..)?,
                )
            }
            _ => return None,
        };
        let port = |i: usize| Some(u16::from_be_bytes([*tcp.get(i)?, *tcp.get(i + 1)?]));
        Some(Unparsed {
            index,
            at,
            bytes,
            src: SocketAddr::new(src, port(0)?),
            dst: SocketAddr::new(dst, port(2)?),
            error: error.to_string(),
        })
    }

    /// Feeds it to `oracle` as the target's, and adds its transcript entry
    /// and findings.
    pub fn judge(
        &self,
        oracle: &mut Oracle,
        transcript: &mut Vec<Entry>,
        out: &mut Vec<Violation>,
        map: &super::mapping::Mapping,
    ) {
        let what = Observation::Unparseable {
            dir: Direction::FromTarget,
            len: self.bytes.len(),
            error: &self.error,
        };
        let entry = transcript.len();
        out.extend(
            oracle
                .observe(self.at, what)
                .into_iter()
                .map(|f| violation(f, Some(entry), map)),
        );
        transcript.push(Entry {
            at: self.at,
            line: None,
            what: EntryKind::Packet {
                dir: Dir::Out,
                bytes: self.bytes.to_vec(),
                segment: None,
                script: format!(
                    "unparseable packet ({} bytes): {}",
                    self.bytes.len(),
                    self.error
                )
                .into(),
                checksum_ok: false,
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChecksumPolicy, IpEnvelope, Segment, TcpFlags};

    #[test]
    fn a_data_offset_below_five_is_read_for_its_ports_and_other_bytes_are_not() {
        let ip = IpEnvelope::v4(Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(198, 51, 100, 7));
        let mut seg = Segment::new(ip, 80, 40000, TcpFlags::ACK);
        seg.data_offset = Some(4);
        let bytes = seg.to_bytes(ChecksumPolicy::Compute);
        let e = crate::wire::parse(&bytes).expect_err("data offset 4 does not parse");
        let u = Unparsed::peek(3, Duration::from_millis(5), &bytes, &e).expect("TCP with ports");
        assert_eq!(u.src, "192.0.2.1:80".parse().unwrap());
        assert_eq!(u.dst, "198.51.100.7:40000".parse().unwrap());
        assert_eq!(Unparsed::peek(0, Duration::ZERO, &bytes[..22], &e), None);
        assert_eq!(Unparsed::peek(0, Duration::ZERO, &[0x45, 0], &e), None);
    }
}
