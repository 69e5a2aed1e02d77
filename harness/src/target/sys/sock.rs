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
