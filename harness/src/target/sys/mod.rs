//! `target::sys`: every OS call and every `unsafe` block of synack.
//!
//! Small, safe wrappers over Linux interfaces that the lab target needs:
//!
//! - [`netns`]: leave the process's network namespace for a private,
//!   anonymous one (`unshare(CLONE_NEWNET)` on the calling thread only).
//! - [`tun`]: a TUN device (`IFF_TUN | IFF_NO_PI`): raw IP packets in and out.
//! - [`netlink`]: rtnetlink (link up, addresses, routes) and
//!   `NETLINK_SOCK_DIAG` (socket state and queues, as `ss` reads them).
//! - [`process`]: server commands that cannot outlive the harness (a private
//!   PID namespace, `PR_SET_PDEATHSIG`), killed by process group.
//! - [`sock`]: socket options std does not offer (`SO_LINGER` 0).
//! - [`sandbox`]: a script's back-quoted command in a private mount
//!   namespace where only `/proc/sys/net` (and a fresh `/tmp`) is writable.
//! - [`tap`]: the TAP/TUN target's persistent device and the `AF_PACKET`
//!   socket the harness talks to it through.
//! - [`datalink`]: raw Ethernet frames on a real interface (pnet's
//!   `AF_PACKET` channel), for the link target.
//! - [`pktstamp`]: kernel transmit timestamps of a device's packets.
//! - [`sockapi`]: the socket API a case performs on the lab (socket, bind,
//!   connect, options, poll, ioctl, epoll …), errno for errno.
//! - [`sched`]: real-time scheduling for a case's threads on a real-time
//!   target (`SCHED_FIFO`, else nice -10, else unchanged).
//! - [`userns`]: a user namespace of the process's own (the kernel targets
//!   without root), entered at start-up before any thread.
//!
//! Everything here works on the calling thread's namespaces: callers decide
//! which thread calls what (see `target::lab`).

pub mod datalink;
pub mod netlink;
pub mod netns;
pub mod pktstamp;
pub mod process;
pub mod sandbox;
pub mod sched;
pub mod sock;
pub mod sockapi;
pub mod tap;
pub mod tun;
pub mod userns;

use std::io;

/// `Err(last_os_error)` when a libc call returned -1.
pub(crate) fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Waits until `fd` is readable or `timeout` passes (`None`: forever), with
/// microsecond precision (`ppoll`). Returns whether it is readable (or has an
/// error or hang-up to report). Retries on EINTR.
pub fn poll_readable(
    fd: std::os::fd::BorrowedFd<'_>,
    timeout: Option<std::time::Duration>,
) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let ts = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(i32::MAX as u64) as libc::time_t,
        tv_nsec: libc::c_long::from(t.subsec_nanos() as i32),
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd, count 1; `ts_ptr` is null or points to
        // `ts`, alive for the call; no signal mask change.
        let r = unsafe { libc::ppoll(&mut pfd, 1, ts_ptr, std::ptr::null()) };
        if r == -1 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        return Ok(r > 0 && pfd.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0);
    }
}

/// Restores the default action for SIGPIPE (Rust ignores it), so that
/// `synack list | head` ends quietly when the reader goes, as Unix tools do.
pub fn default_sigpipe() {
    // SAFETY: signal(2) with SIG_DFL installs no handler; it only changes
    // the disposition of SIGPIPE for this process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
