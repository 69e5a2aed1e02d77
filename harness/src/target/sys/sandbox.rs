//! Running a script's back-quoted command so that nothing reaches the host.
//!
//! [`spawn_sandboxed`] runs `/bin/sh -c CMD` in the calling thread's network
//! namespace (the lab's), in a private mount namespace of its own where every
//! mount is read-only except two: `/proc/sys/net` (the lab namespace's
//! per-namespace settings, which is what packetdrill's init commands set)
//! and `/tmp`, which is the lab's own scratch directory (kept from one
//! command to the next, so packetdrill's `set_sysctls.py` restore file
//! written by an init command is there for the cleanup command) or, without
//! one, a fresh empty tmpfs. When the command's directory lies under the
//! host's `/tmp` (a script tree unpacked there), that tree is bound back,
//! read-only, at its own path, so `../common/defaults.sh` and a shell's
//! `cd "$PWD"` still find it. So `sysctl net.ipv4.tcp_sack=0` acts
//! on the lab alone, while `sysctl kernel.…` or a write to a file of the host
//! fails (EROFS), and `net.core.…` settings that are global do not even exist
//! in a namespace other than the host's. The child dies with the thread that
//! forked it (`PR_SET_PDEATHSIG`) and leads its own process group, which
//! [`super::process::kill_group`] ends.

use super::cvt;
use std::ffi::CString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The mount points of the calling process, from `/proc/self/mountinfo`
/// (octal escapes decoded), deepest last.
pub fn mount_points() -> io::Result<Vec<CString>> {
    let text = std::fs::read_to_string("/proc/self/mountinfo")?;
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(field) = line.split(' ').nth(4) else {
            continue;
        };
        let decoded = unescape(field);
        if let Ok(c) = CString::new(decoded) {
            out.push(c);
        }
    }
    out.dedup();
    Ok(out)
}

/// `\040` → space, as mountinfo writes odd characters.
fn unescape(field: &str) -> Vec<u8> {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// The directory of the host's `/tmp` tree that holds `cwd` (its first
/// component under `/tmp`), and the relative path from `cwd` up to it:
/// `/tmp/pd/gtests/net/tcp` → (`/tmp/pd`, `../../..`). `None` when `cwd`
/// is not strictly below `/tmp`.
pub fn tmp_tree(cwd: &Path) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let below = cwd.strip_prefix("/tmp").ok()?;
    let parts: Vec<_> = below.components().collect();
    let first = parts.first()?;
    let top = Path::new("/tmp").join(first);
    let mut up = std::path::PathBuf::from(".");
    for _ in 1..parts.len() {
        up.push("..");
    }
    Some((top, up))
}

fn cstring(p: &Path) -> io::Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
}

/// Spawns `/bin/sh -c cmd` in `cwd`, sandboxed as the module docs say, with
/// stdout and stderr piped and `PACKETDRILL_PID` set to this process's id
/// (the `$PPID` of the shell, as under packetdrill). `mounts` is
/// [`mount_points`], read before the fork (the child may not allocate);
/// `scratch` the directory bound on `/tmp` (`None`: a fresh tmpfs).
pub fn spawn_sandboxed(
    cmd: &str,
    cwd: &Path,
    mounts: Vec<CString>,
    scratch: Option<&Path>,
) -> io::Result<Child> {
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    let root = c"/";
    let net = c"/proc/sys/net";
    let tmp = c"/tmp";
    let tmpfs = c"tmpfs";
    let scratch = scratch.map(cstring).transpose()?;
    let keep = match tmp_tree(cwd) {
        Some((top, up)) => Some((cstring(&top)?, cstring(&up)?)),
        None => None,
    };
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(cmd)
        .env("PACKETDRILL_PID", parent.to_string())
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the closure runs between fork and exec and makes only
    // async-signal-safe system calls (prctl, getppid, unshare, mount,
    // mkdir) on memory prepared before the fork; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            cvt(libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ))?;
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            cvt(libc::unshare(libc::CLONE_NEWNS))?;
            // Nothing done here propagates back to the host's mounts.
            cvt(libc::mount(
                std::ptr::null(),
                root.as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ))?;
            for m in &mounts {
                let r = libc::mount(
                    std::ptr::null(),
                    m.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | kept_flags(m.as_ptr()),
                    std::ptr::null(),
                );
                if r == -1 {
                    let e = *libc::__errno_location();
                    // A mount hidden under another one cannot be reached
                    // (and so cannot be written either).
                    if e != libc::ENOENT && e != libc::EACCES {
                        return Err(io::Error::from_raw_os_error(e));
                    }
                }
            }
            // The lab namespace's own settings: writable again.
            bind_remount(net.as_ptr(), net.as_ptr(), 0, 0)?;
            match &scratch {
                // The lab's scratch directory, writable again like
                // /proc/sys/net (the bind inherits the read-only flag).
                Some(dir) => bind_remount(
                    dir.as_ptr(),
                    tmp.as_ptr(),
                    0,
                    libc::MS_NOSUID | libc::MS_NODEV,
                )?,
                None => cvt(libc::mount(
                    tmpfs.as_ptr(),
                    tmp.as_ptr(),
                    tmpfs.as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    std::ptr::null(),
                ))
                .map(drop)?,
            }
            // The script's tree under the host's /tmp, now covered: reached
            // through the working directory (set before this closure runs,
            // so it still names the covered directory), bound back
            // read-only at its own path.
            if let Some((top, up)) = &keep {
                let r = libc::mkdir(top.as_ptr(), 0o755);
                if r == -1 && *libc::__errno_location() != libc::EEXIST {
                    return Err(io::Error::from_raw_os_error(*libc::__errno_location()));
                }
                bind_remount(up.as_ptr(), top.as_ptr(), libc::MS_REC, libc::MS_RDONLY)?;
            }
            Ok(())
        });
    }
    command.spawn()
}

/// Binds `src` at `dst` (with `bind_flags`, e.g. `MS_REC`), then remounts
/// the bind with `flags` and the flags `dst` must keep ([`kept_flags`]): a
/// bind takes its source's flags, so a remount is how it changes them.
/// Called between fork and exec, as [`kept_flags`] is.
///
/// # Safety
///
/// `src` and `dst` point to NUL-terminated strings.
unsafe fn bind_remount(
    src: *const libc::c_char,
    dst: *const libc::c_char,
    bind_flags: libc::c_ulong,
    flags: libc::c_ulong,
) -> io::Result<()> {
    cvt(libc::mount(
        src,
        dst,
        std::ptr::null(),
        libc::MS_BIND | bind_flags,
        std::ptr::null(),
    ))?;
    cvt(libc::mount(
        std::ptr::null(),
        dst,
        std::ptr::null(),
        libc::MS_BIND | libc::MS_REMOUNT | flags | kept_flags(dst),
        std::ptr::null(),
    ))?;
    Ok(())
}

/// The flags a bind remount of `path` must keep: in a user namespace of
/// synack's own (the lab without root) a remount that would clear nosuid,
/// nodev, noexec or the atime mode of a mount inherited from the host is
/// refused (EPERM, `mount_namespaces(7)`: locked flags). Called between
/// fork and exec: glibc's `statvfs` is one `statfs` system call here (the
/// kernel fills `f_flags` with ST_VALID since Linux 2.6.36, so glibc reads
/// no mount table and allocates nothing); 0 when it fails.
///
/// # Safety
///
/// `path` points to a NUL-terminated string.
unsafe fn kept_flags(path: *const libc::c_char) -> libc::c_ulong {
    let mut st: libc::statvfs = std::mem::zeroed();
    if libc::statvfs(path, &mut st) == -1 {
        return 0;
    }
    let f = st.f_flag as libc::c_ulong;
    let mut out = 0;
    for (st_flag, ms_flag) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ] {
        if f & st_flag != 0 {
            out |= ms_flag;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::tmp_tree;
    use std::path::{Path, PathBuf};

    #[test]
    fn the_tmp_tree_of_a_directory_is_its_first_component_under_tmp() {
        assert_eq!(
            tmp_tree(Path::new("/tmp/pd/gtests/net/tcp")),
            Some((PathBuf::from("/tmp/pd"), PathBuf::from("./../../..")))
        );
        assert_eq!(
            tmp_tree(Path::new("/tmp/pd")),
            Some((PathBuf::from("/tmp/pd"), PathBuf::from(".")))
        );
        assert_eq!(tmp_tree(Path::new("/tmp")), None);
        assert_eq!(tmp_tree(Path::new("/tmpx/a")), None);
        assert_eq!(tmp_tree(Path::new("/work/cases")), None);
    }
}
