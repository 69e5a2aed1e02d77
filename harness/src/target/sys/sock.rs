//! Socket options that std does not offer.

use super::cvt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `SO_LINGER` on with a zero timeout: `close()` then sends RST and drops
/// queued data (an abortive close).
pub fn set_linger_zero(fd: BorrowedFd<'_>) -> io::Result<()> {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: passes one valid `struct linger` with its exact size.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&l as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// `shutdown(SHUT_RDWR)` on any socket, including a listener (which wakes a
/// thread blocked in `accept`). Errors are ignored by callers at teardown.
pub fn shutdown_both(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: shutdown on an fd we borrow; no memory is passed.
    cvt(unsafe { libc::shutdown(fd.as_raw_fd(), libc::SHUT_RDWR) }).map(drop)
}

/// `send(MSG_DONTWAIT | MSG_NOSIGNAL)`: queues what fits now, never blocks,
/// never raises SIGPIPE. `Ok(0)` when nothing fits.
pub fn send_now(fd: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<usize> {
    // SAFETY: reads `bytes.len()` bytes from a live slice.
    let n = unsafe {
        libc::send(
            fd.as_raw_fd(),
            bytes.as_ptr().cast(),
            bytes.len(),
            libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
        )
    };
    nonblocking(n)
}

/// `recv(MSG_DONTWAIT)`: what is queued now, never blocks. `Ok(0)` both at
/// end of stream and when nothing is there.
pub fn recv_now(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: writes at most `buf.len()` bytes into a live slice.
    let n = unsafe {
        libc::recv(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT,
        )
    };
    nonblocking(n)
}

/// The result of a `MSG_DONTWAIT` send or recv: the byte count, `Ok(0)` when
/// it would have blocked, or the error.
fn nonblocking(n: libc::ssize_t) -> io::Result<usize> {
    if n >= 0 {
        return Ok(n as usize);
    }
    let e = io::Error::last_os_error();
    if e.kind() == io::ErrorKind::WouldBlock {
        Ok(0)
    } else {
        Err(e)
    }
}

/// Errors a socket call returns because of the connection's state, not a
/// harness mistake.
pub fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::EPIPE
                | libc::ECONNRESET
                | libc::ENOTCONN
                | libc::ESHUTDOWN
                | libc::ETIMEDOUT
                | libc::ECONNABORTED
        )
    )
}
