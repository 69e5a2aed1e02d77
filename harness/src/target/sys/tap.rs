//! The TAP/TUN target's OS calls: a device that a user-space stack attaches
//! to, and the harness's end of it.
//!
//! [`create_persistent`] makes a TAP (Ethernet) or TUN (IP) device with
//! `TUNSETPERSIST` and lets go of it, so that another process (the stack
//! under test) can attach with `TUNSETIFF` on the same name. The device lives
//! in the network namespace of the calling thread and dies with it.
//!
//! The harness does not read the device's file: it stands on the other side,
//! the kernel's network interface, through an `AF_PACKET` socket bound to it
//! ([`PacketSocket`]): what the stack writes to its file arrives here, and
//! what the harness sends here the stack reads. The kernel itself is kept
//! quiet by the caller (no addresses on the interface, IPv6 off on it).

use super::cvt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// `_IOW('T', 202, int)`.
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
/// `_IOW('T', 203, int)`.
const TUNSETPERSIST: libc::c_ulong = 0x4004_54cb;
const IFF_TUN: libc::c_short = 0x0001;
const IFF_TAP: libc::c_short = 0x0002;
const IFF_NO_PI: libc::c_short = 0x1000;
/// `sizeof(struct ifreq)` on Linux.
const IFREQ_LEN: usize = 40;
/// `PACKET_IGNORE_OUTGOING` (Linux 4.20): do not hand our own sends back.
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
const ETH_P_ALL: u16 = 0x0003;

/// Which device: Ethernet frames (TAP) or bare IP packets (TUN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// `IFF_TAP`: Ethernet frames.
    Tap,
    /// `IFF_TUN`: bare IPv4 and IPv6 packets.
    Tun,
}

/// Creates the persistent device `name` (`IFF_NO_PI`) in the calling
/// thread's network namespace and closes the creating file, so that one
/// other process can attach to it by name.
pub fn create_persistent(name: &str, kind: DeviceKind) -> io::Result<()> {
    if name.is_empty() || name.len() > 15 || name.as_bytes().contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "bad interface name",
        ));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")?;
    let mut ifr = [0u8; IFREQ_LEN];
    ifr[..name.len()].copy_from_slice(name.as_bytes());
    let flags = match kind {
        DeviceKind::Tap => IFF_TAP,
        DeviceKind::Tun => IFF_TUN,
    } | IFF_NO_PI;
    ifr[16..18].copy_from_slice(&flags.to_ne_bytes());
    // SAFETY: TUNSETIFF reads and writes one `struct ifreq`; the buffer is
    // exactly that size and lives across the call.
    cvt(unsafe { libc::ioctl(file.as_raw_fd(), TUNSETIFF, ifr.as_mut_ptr()) })?;
    // SAFETY: TUNSETPERSIST takes an integer argument, no memory.
    cvt(unsafe { libc::ioctl(file.as_raw_fd(), TUNSETPERSIST, 1 as libc::c_ulong) })?;
    Ok(())
}

/// An `AF_PACKET` socket on one interface, non-blocking: whole Ethernet
/// frames on a TAP device (`SOCK_RAW`), IP packets on a TUN device
/// (`SOCK_DGRAM`). It sees only what arrives on the interface, never its
/// own sends.
#[derive(Debug)]
pub struct PacketSocket {
    fd: OwnedFd,
    ifindex: i32,
    kind: DeviceKind,
}

impl PacketSocket {
    /// Opens the socket on interface `ifindex` in the calling thread's
    /// network namespace.
    pub fn open(ifindex: u32, kind: DeviceKind) -> io::Result<PacketSocket> {
        let ty = match kind {
            DeviceKind::Tap => libc::SOCK_RAW,
            DeviceKind::Tun => libc::SOCK_DGRAM,
        };
        // SAFETY: socket has no memory effects; the result is checked.
        let raw = cvt(unsafe {
            libc::socket(
                libc::AF_PACKET,
                ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                libc::c_int::from(ETH_P_ALL.to_be()),
            )
        })?;
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let ifindex = i32::try_from(ifindex)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad interface index"))?;
        let one: libc::c_int = 1;
        // SAFETY: the option value is one c_int that lives across the call.
        cvt(unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_PACKET,
                PACKET_IGNORE_OUTGOING,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        })?;
        let addr = sockaddr(ifindex, ETH_P_ALL);
        // SAFETY: `addr` is a valid sockaddr_ll of the length given.
        cvt(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;
        Ok(PacketSocket { fd, ifindex, kind })
    }

    /// Sends one frame (TAP) or IP packet (TUN) out of the interface, to the
    /// stack attached to the device.
    pub fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let proto = match (self.kind, bytes.first().map(|b| b >> 4)) {
            (DeviceKind::Tap, _) => ETH_P_ALL,
            (DeviceKind::Tun, Some(6)) => libc::ETH_P_IPV6 as u16,
            (DeviceKind::Tun, _) => libc::ETH_P_IP as u16,
        };
        let addr = sockaddr(self.ifindex, proto);
        // SAFETY: the buffer and the address are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                bytes.as_ptr().cast(),
                bytes.len(),
                0,
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n as usize != bytes.len() {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "short send"));
        }
        Ok(())
    }

    /// Reads one frame or packet if one is queued (non-blocking).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        // SAFETY: the buffer is valid for `buf.len()` bytes.
        let n = unsafe {
            libc::recv(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock => Ok(None),
                io::ErrorKind::Interrupted => Ok(None),
                _ => Err(e),
            };
        }
        Ok(Some(n as usize))
    }

    /// Waits up to `timeout` until something is queued.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> io::Result<bool> {
        super::poll_readable(self.fd.as_fd(), timeout)
    }
}

impl AsFd for PacketSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

fn sockaddr(ifindex: i32, proto: u16) -> libc::sockaddr_ll {
    libc::sockaddr_ll {
        sll_family: libc::AF_PACKET as u16,
        sll_protocol: proto.to_be(),
        sll_ifindex: ifindex,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: 0,
        sll_addr: [0; 8],
    }
}

/// Sets interface `name`'s MTU (`SIOCSIFMTU`) in the calling thread's
/// network namespace.
pub fn set_mtu(name: &str, mtu: u32) -> io::Result<()> {
    if name.is_empty() || name.len() > 15 || name.as_bytes().contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "bad interface name",
        ));
    }
    let mtu = libc::c_int::try_from(mtu)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad MTU"))?;
    // SAFETY: socket has no memory effects; the result is checked.
    let raw =
        cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `raw` is a fresh descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut ifr = [0u8; IFREQ_LEN];
    ifr[..name.len()].copy_from_slice(name.as_bytes());
    ifr[16..20].copy_from_slice(&mtu.to_ne_bytes());
    // SAFETY: SIOCSIFMTU reads one `struct ifreq`; the buffer is exactly
    // that size and lives across the call.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCSIFMTU, ifr.as_mut_ptr()) })?;
    Ok(())
}
