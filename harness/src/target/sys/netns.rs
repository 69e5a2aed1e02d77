//! A private, anonymous network namespace for the calling thread.

use super::cvt;
use std::io;

/// Moves the calling *thread* into a new, anonymous network namespace
/// (`unshare(CLONE_NEWNET)`). Nothing names it (no `/run/netns` entry): it
/// lives as long as a thread, socket or device in it does, and dies with the
/// process even after SIGKILL. Fails with `PermissionDenied` without
/// CAP_NET_ADMIN.
pub fn unshare_net() -> io::Result<()> {
    // SAFETY: unshare has no memory effects; CLONE_NEWNET only changes the
    // calling thread's namespace (allowed in a multi-threaded process).
    cvt(unsafe { libc::unshare(libc::CLONE_NEWNET) }).map(drop)
}

/// The inode of the calling thread's network namespace (to tell two apart).
pub fn current_net_inode() -> io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    Ok(std::fs::metadata("/proc/thread-self/ns/net")?.ino())
}
