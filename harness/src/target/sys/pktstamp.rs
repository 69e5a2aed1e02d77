//! Kernel transmit timestamps for the packets a device sends: an
//! `AF_PACKET` socket bound to the device sees a copy of every outgoing
//! packet (`PACKET_OUTGOING`), stamped by the kernel (`SO_TIMESTAMPNS`)
//! when it handed the packet to the device, before the reader of the
//! device ran. A packet's time then no longer depends on when a thread of
//! a loaded machine got round to reading it.
//!
//! The same socket sees the packets the harness writes into the device as
//! they enter the stack (`PACKET_HOST`), stamped on receipt: when the kernel
//! took in a segment, not when the harness's thread was about to write it
//! (a thread preempted around its write would otherwise make the stack's
//! prompt answer look late).

use super::cvt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// `PACKET_OUTGOING` in `sockaddr_ll.sll_pkttype`: sent by this host.
const PACKET_OUTGOING: u8 = 4;
/// `PACKET_HOST` in `sockaddr_ll.sll_pkttype`: arrived for this host.
const PACKET_HOST: u8 = 0;

/// The stamped copies one [`TxStamps::drain`] read, oldest first each.
#[derive(Debug, Default)]
pub struct Copies {
    /// Packets the kernel sent on the device, with their transmit times.
    pub sent: Vec<(Instant, Vec<u8>)>,
    /// Packets written into the device (the harness's), with the times the
    /// kernel received them.
    pub arrived: Vec<(Instant, Vec<u8>)>,
}

/// A packet socket on one device, in the namespace of the calling thread.
#[derive(Debug)]
pub struct TxStamps {
    fd: OwnedFd,
}

impl TxStamps {
    /// Opens it on the device with index `ifindex`.
    pub fn open(ifindex: u32) -> io::Result<TxStamps> {
        let proto = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket(2); the fd is owned right after.
        let raw = cvt(unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                i32::from(proto),
            )
        })?;
        // SAFETY: `raw` is a fresh fd nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let on: libc::c_int = 1;
        // SAFETY: one valid c_int with its exact size.
        cvt(unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        })?;
        // SAFETY: sockaddr_ll is plain data; all zeroes is a valid value.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = proto;
        addr.sll_ifindex = ifindex as i32;
        // SAFETY: passes one valid sockaddr_ll with its exact size.
        cvt(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;
        Ok(TxStamps { fd })
    }

    /// Every packet queued now, oldest first, each with the moment the
    /// kernel sent or received it (on the monotonic clock). Never blocks.
    pub fn drain(&self, buf: &mut [u8]) -> io::Result<Copies> {
        let mut out = Copies::default();
        loop {
            // SAFETY: plain data, zeroes are valid values.
            let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            let mut control = [0u64; 16];
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.len(),
            };
            // SAFETY: msghdr is plain data; zeroes are valid.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_name = (&mut addr as *mut libc::sockaddr_ll).cast();
            msg.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = std::mem::size_of_val(&control);
            // SAFETY: every pointer in `msg` refers to a live local buffer
            // of the length given with it.
            let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::WouldBlock {
                    return Ok(out);
                }
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let list = match addr.sll_pkttype {
                PACKET_OUTGOING => &mut out.sent,
                PACKET_HOST => &mut out.arrived,
                _ => continue,
            };
            let now = Instant::now();
            let mut at = now;
            // SAFETY: CMSG_* walk the control buffer recvmsg filled, within
            // msg_controllen; the timespec is read unaligned.
            unsafe {
                let mut c = libc::CMSG_FIRSTHDR(&msg);
                while !c.is_null() {
                    if (*c).cmsg_level == libc::SOL_SOCKET
                        && (*c).cmsg_type == libc::SCM_TIMESTAMPNS
                    {
                        let ts: libc::timespec =
                            std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                        at = monotonic(ts, now);
                    }
                    c = libc::CMSG_NXTHDR(&msg, c);
                }
            }
            list.push((at, buf[..(n as usize).min(buf.len())].to_vec()));
        }
    }
}

impl AsFd for TxStamps {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A wall-clock kernel timestamp as an `Instant`: `now` minus its age.
fn monotonic(ts: libc::timespec, now: Instant) -> Instant {
    let stamp = UNIX_EPOCH + Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
    let age = SystemTime::now()
        .duration_since(stamp)
        .unwrap_or(Duration::ZERO);
    now.checked_sub(age).unwrap_or(now)
}
