//! A user namespace of the process's own, for the kernel targets without
//! root (`user_namespaces(7)`).
//!
//! `unshare(CLONE_NEWUSER)` moves the whole process, so Linux refuses it
//! (EINVAL) once a second thread exists: [`enter`] is called at start-up,
//! before any thread. Inside, the caller's uid and gid are mapped to 0, and
//! the process holds every capability over namespaces it creates from then
//! on (network, mount, PID), not over the host's.

use super::cvt;
use std::io;

/// `CAP_NET_ADMIN` (linux/capability.h).
pub const CAP_NET_ADMIN: u32 = 12;
/// `CAP_SYS_ADMIN`.
pub const CAP_SYS_ADMIN: u32 = 21;

/// The calling thread's effective capability set (`CapEff` in
/// `/proc/thread-self/status`), as a bit mask.
pub fn effective_caps() -> io::Result<u64> {
    status_field("CapEff").and_then(|v| u64::from_str_radix(v.trim(), 16).map_err(io::Error::other))
}

/// How many threads the process has (`Threads` in `/proc/self/status`).
pub fn thread_count() -> io::Result<u64> {
    status_field("Threads").and_then(|v| v.trim().parse().map_err(io::Error::other))
}

fn status_field(name: &str) -> io::Result<String> {
    let status = std::fs::read_to_string("/proc/thread-self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::to_owned))
        .ok_or_else(|| io::Error::other(format!("no {name} in /proc/thread-self/status")))
}

/// Moves the (single-threaded) process into a new user namespace and maps
/// the caller's uid and gid to 0 there (`setgroups` denied first, as an
/// unprivileged gid map requires). Fails with EINVAL when the process has
/// threads, EPERM/ENOSPC/EUSERS where the kernel or a security module
/// forbids it (the caller says which setting).
pub fn enter() -> io::Result<()> {
    // SAFETY: getuid/getgid cannot fail and touch no memory.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // SAFETY: unshare has no memory effects; CLONE_NEWUSER changes the
    // credentials of this (single-threaded) process only.
    cvt(unsafe { libc::unshare(libc::CLONE_NEWUSER) })?;
    let map = |file: &str, text: String| {
        std::fs::write(format!("/proc/self/{file}"), text)
            .map_err(|e| io::Error::new(e.kind(), format!("write /proc/self/{file}: {e}")))
    };
    match map("setgroups", "deny".into()) {
        // Kernels before 3.19 have no setgroups file and need no denial.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        r => r?,
    }
    map("uid_map", format!("0 {uid} 1\n"))?;
    map("gid_map", format!("0 {gid} 1\n"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_status() {
        assert!(thread_count().expect("Threads") >= 1);
        effective_caps().expect("CapEff");
    }

    #[test]
    fn refuses_a_process_with_threads() {
        // The test harness runs tests on threads: unshare must refuse, and
        // the process must stay where it was.
        let before = std::fs::read_link("/proc/self/ns/user").expect("ns link");
        if thread_count().expect("Threads") > 1 {
            let e = enter().expect_err("unshare(CLONE_NEWUSER) with threads");
            assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
        }
        assert_eq!(std::fs::read_link("/proc/self/ns/user").unwrap(), before);
    }
}
