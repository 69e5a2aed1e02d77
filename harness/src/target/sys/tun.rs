//! A TUN device: whole IP packets, no link layer, no packet-info header,
//! each behind a `struct virtio_net_hdr` (`IFF_VNET_HDR`), so that the
//! device can take TCP segmentation offload as packetdrill's does
//! ([`Tun::set_offload`]): the kernel then hands over GSO super-segments
//! (one packet of up to 64 KB that a NIC would cut into MSS-sized segments)
//! with their TCP checksum left partial, which [`complete_checksum`] fills.
//! Without offload (the default) every packet is a plain, fully checksummed
//! one and the header says so.

use super::cvt;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

/// `_IOW('T', 202, int)`.
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const IFF_TUN: libc::c_short = 0x0001;
const IFF_NO_PI: libc::c_short = 0x1000;
const IFF_VNET_HDR: libc::c_short = 0x4000;
/// `_IOW('T', 208, unsigned int)`.
const TUNSETOFFLOAD: libc::c_ulong = 0x4004_54d0;
/// `TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN`.
const TUN_F_TSO_ALL: libc::c_uint = 0x01 | 0x02 | 0x04 | 0x08;
/// `sizeof(struct virtio_net_hdr)`, the device's default header size.
pub const VNET_HDR_LEN: usize = 10;
/// `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the checksum at `csum_start +
/// csum_offset` holds only the pseudo-header sum.
const NEEDS_CSUM: u8 = 1;
/// The largest packet the device hands over (a 64 KB GSO super-segment and
/// its header, with room to spare): the size of a reader's buffer.
pub const MAX_PACKET: usize = 128 * 1024;
/// `sizeof(struct ifreq)` on Linux.
const IFREQ_LEN: usize = 40;

/// What the device says of one packet it handed over (`struct
/// virtio_net_hdr`, in this host's byte order as a legacy header is).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnetHdr {
    /// `VIRTIO_NET_HDR_F_*`: 1 (`NEEDS_CSUM`): the checksum is partial, to
    /// be completed from `csum_start`.
    pub flags: u8,
    /// `VIRTIO_NET_HDR_GSO_*`: 0 none, 1 TCPv4, 4 TCPv6, | 0x80 ECN.
    pub gso_type: u8,
    /// Octets of headers (IP and TCP) before the payload.
    pub hdr_len: u16,
    /// The MSS a NIC would cut this super-segment into (0: not one).
    pub gso_size: u16,
    /// Where checksumming starts: the TCP header's offset in the packet.
    pub csum_start: u16,
    /// Where the checksum goes, counted from `csum_start`.
    pub csum_offset: u16,
}

impl VnetHdr {
    fn parse(b: &[u8; VNET_HDR_LEN]) -> VnetHdr {
        let u16_at = |i: usize| u16::from_ne_bytes([b[i], b[i + 1]]);
        VnetHdr {
            flags: b[0],
            gso_type: b[1],
            hdr_len: u16_at(2),
            gso_size: u16_at(4),
            csum_start: u16_at(6),
            csum_offset: u16_at(8),
        }
    }

    /// Whether the packet is a GSO super-segment.
    pub fn is_gso(&self) -> bool {
        self.gso_type & 0x7f != 0
    }
}

/// Fills the TCP checksum the device left partial (`NEEDS_CSUM`): the
/// Internet checksum (RFC 1071) from `csum_start` to the end, the field's
/// pseudo-header sum included, stored at `csum_start + csum_offset`.
/// A packet without the flag, or too short for the offsets, is left as is.
pub fn complete_checksum(packet: &mut [u8], hdr: &VnetHdr) {
    if hdr.flags & NEEDS_CSUM == 0 {
        return;
    }
    let start = usize::from(hdr.csum_start);
    let at = start + usize::from(hdr.csum_offset);
    if at + 2 > packet.len() {
        return;
    }
    let mut sum: u32 = 0;
    let mut chunks = packet[start..].chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    // `sum` fits 16 bits once folded.
    let c = !(sum as u16);
    packet[at..at + 2].copy_from_slice(&c.to_be_bytes());
}

/// An open TUN device (`IFF_TUN | IFF_NO_PI | IFF_VNET_HDR`), non-blocking. The device
/// exists while this value lives and lives in the network namespace of the
/// thread that created it.
#[derive(Debug)]
pub struct Tun {
    file: File,
    name: String,
}

impl Tun {
    /// Creates the TUN device `name` (at most 15 bytes) in the calling
    /// thread's network namespace.
    pub fn create(name: &str) -> io::Result<Tun> {
        if name.is_empty() || name.len() > 15 || name.as_bytes().contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bad interface name",
            ));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/net/tun")?;
        let mut ifr = [0u8; IFREQ_LEN];
        ifr[..name.len()].copy_from_slice(name.as_bytes());
        ifr[16..18].copy_from_slice(&(IFF_TUN | IFF_NO_PI | IFF_VNET_HDR).to_ne_bytes());
        use std::os::fd::AsRawFd;
        // SAFETY: TUNSETIFF reads and writes one `struct ifreq`; the buffer is
        // exactly that size and lives across the call.
        cvt(unsafe { libc::ioctl(file.as_raw_fd(), TUNSETIFF, ifr.as_mut_ptr()) })?;
        let end = ifr[..16].iter().position(|b| *b == 0).unwrap_or(16);
        let name = String::from_utf8_lossy(&ifr[..end]).into_owned();
        Ok(Tun { file, name })
    }

    /// The device's name (as the kernel confirmed it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Turns TCP segmentation offload (with the checksum offload it needs)
    /// on or off: on, the kernel hands over GSO super-segments, as to
    /// packetdrill's TUN device; off, every packet is MSS-sized and fully
    /// checksummed (the kernel cuts and sums them first).
    pub fn set_offload(&self, tso: bool) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let flags: libc::c_uint = if tso { TUN_F_TSO_ALL } else { 0 };
        // SAFETY: TUNSETOFFLOAD takes its flags as the ioctl's integer
        // argument and touches no memory of ours.
        cvt(unsafe { libc::ioctl(self.file.as_raw_fd(), TUNSETOFFLOAD, flags) })?;
        Ok(())
    }

    /// Writes one IP packet (the kernel receives it as if from the wire),
    /// behind a header that asks for nothing (no GSO, checksums complete).
    pub fn send(&self, packet: &[u8]) -> io::Result<()> {
        let hdr = [0u8; VNET_HDR_LEN];
        let iov = [
            libc::iovec {
                iov_base: hdr.as_ptr() as *mut libc::c_void,
                iov_len: hdr.len(),
            },
            libc::iovec {
                iov_base: packet.as_ptr() as *mut libc::c_void,
                iov_len: packet.len(),
            },
        ];
        use std::os::fd::AsRawFd;
        // SAFETY: both iovecs point at live buffers of their stated lengths,
        // which writev only reads.
        let n = cvt_size(unsafe { libc::writev(self.file.as_raw_fd(), iov.as_ptr(), 2) })?;
        if n != hdr.len() + packet.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short write to TUN",
            ));
        }
        Ok(())
    }

    /// Reads one packet the kernel sent, if one is queued (non-blocking),
    /// with its checksum completed. `buf` should hold [`MAX_PACKET`].
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        Ok(self.try_recv_raw(buf)?.map(|(n, hdr)| {
            complete_checksum(&mut buf[..n], &hdr);
            n
        }))
    }

    /// Reads one packet as the device handed it over: its length in `buf`
    /// and its header (a checksum may still be partial: see
    /// [`complete_checksum`]).
    pub fn try_recv_raw(&self, buf: &mut [u8]) -> io::Result<Option<(usize, VnetHdr)>> {
        let mut hdr = [0u8; VNET_HDR_LEN];
        let iov = [
            libc::iovec {
                iov_base: hdr.as_mut_ptr() as *mut libc::c_void,
                iov_len: hdr.len(),
            },
            libc::iovec {
                iov_base: buf.as_mut_ptr() as *mut libc::c_void,
                iov_len: buf.len(),
            },
        ];
        use std::os::fd::AsRawFd;
        // SAFETY: both iovecs point at live, exclusively borrowed buffers of
        // their stated lengths, which readv only writes within.
        match cvt_size(unsafe { libc::readv(self.file.as_raw_fd(), iov.as_ptr(), 2) }) {
            Ok(n) if n < VNET_HDR_LEN => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a TUN read shorter than its header",
            )),
            Ok(n) => Ok(Some((n - VNET_HDR_LEN, VnetHdr::parse(&hdr)))),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits up to `timeout` until a packet is queued.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> io::Result<bool> {
        super::poll_readable(self.file.as_fd(), timeout)
    }
}

fn cvt_size(ret: isize) -> io::Result<usize> {
    usize::try_from(ret).map_err(|_| io::Error::last_os_error())
}

impl AsFd for Tun {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TCP segment's checksum left partial as the kernel leaves it (the
    /// pseudo-header sum, folded, not complemented) comes out equal to the
    /// one computed in full.
    #[test]
    fn a_partial_checksum_is_completed_to_the_full_one() {
        use crate::target::lab::packet::checksum;
        // An IPv4 header (checksum irrelevant here), then TCP with an odd
        // payload length, so the last byte is summed alone.
        let mut full = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0];
        full.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 7]);
        let mut tcp = vec![0x1f, 0x90, 0x9c, 0x40, 0, 0, 0, 7, 0, 0, 0, 1, 0x50, 0x18];
        tcp.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
        tcp.extend_from_slice(b"hello!odd");
        let total = (20 + tcp.len()) as u16;
        full[2..4].copy_from_slice(&total.to_be_bytes());
        let tcp_len = (tcp.len() as u16).to_be_bytes();
        let pseudo = [&full[12..20], &[0, 6][..], &tcp_len[..]].concat();
        let c = checksum(&[&pseudo, &tcp]);
        tcp[16..18].copy_from_slice(&c.to_be_bytes());
        full.extend_from_slice(&tcp);
        // Partial: the pseudo-header sum, folded, not complemented.
        let mut partial = full.clone();
        let seed = !checksum(&[&pseudo]);
        partial[36..38].copy_from_slice(&seed.to_be_bytes());
        assert_ne!(partial, full);
        let hdr = VnetHdr {
            flags: NEEDS_CSUM,
            csum_start: 20,
            csum_offset: 16,
            ..VnetHdr::default()
        };
        complete_checksum(&mut partial, &hdr);
        assert_eq!(partial, full);
        // Without the flag nothing changes.
        let mut same = full.clone();
        same[36] ^= 0xff;
        let copy = same.clone();
        complete_checksum(&mut same, &VnetHdr::default());
        assert_eq!(same, copy);
    }

    #[test]
    fn the_header_is_read_in_host_order() {
        let mut b = [0u8; VNET_HDR_LEN];
        b[0] = 1;
        b[1] = 1;
        b[2..4].copy_from_slice(&54u16.to_ne_bytes());
        b[4..6].copy_from_slice(&1000u16.to_ne_bytes());
        let h = VnetHdr::parse(&b);
        assert!(h.is_gso());
        assert_eq!((h.hdr_len, h.gso_size), (54, 1000));
        assert!(!VnetHdr::default().is_gso());
    }
}
