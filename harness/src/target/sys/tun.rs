//! A TUN device: whole IP packets, no link layer, no packet-info header.

use super::cvt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

/// `_IOW('T', 202, int)`.
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const IFF_TUN: libc::c_short = 0x0001;
const IFF_NO_PI: libc::c_short = 0x1000;
/// `sizeof(struct ifreq)` on Linux.
const IFREQ_LEN: usize = 40;

/// An open TUN device (`IFF_TUN | IFF_NO_PI`), non-blocking. The device
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
        ifr[16..18].copy_from_slice(&(IFF_TUN | IFF_NO_PI).to_ne_bytes());
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

    /// Writes one IP packet (the kernel receives it as if from the wire).
    pub fn send(&self, packet: &[u8]) -> io::Result<()> {
        let n = (&self.file).write(packet)?;
        if n != packet.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short write to TUN",
            ));
        }
        Ok(())
    }

    /// Reads one packet the kernel sent, if one is queued (non-blocking).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        match (&self.file).read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits up to `timeout` until a packet is queued.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> io::Result<bool> {
        super::poll_readable(self.file.as_fd(), timeout)
    }
}

impl AsFd for Tun {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}
