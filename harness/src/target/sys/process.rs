//! Server commands that cannot outlive the harness.
//!
//! `spawn_confined` runs `sh -c CMD` so that nothing it starts survives the
//! harness, even after SIGKILL:
//!
//! 1. the child asks for SIGKILL when the thread that forked it dies
//!    (`PR_SET_PDEATHSIG`; callers fork from a thread that lives as long as
//!    the server should);
//! 2. it enters a new PID namespace and forks the shell as PID 1 there, with
//!    the same death signal: when PID 1 dies the kernel kills every process
//!    in the namespace, so a server that daemonizes (nginx) dies too;
//! 3. all of it runs in its own process group, which [`kill_group`] ends.
//!
//! Where a PID namespace cannot be made, step 2 is skipped (the shell and
//! anything it does not fork off still die with the harness).

use super::cvt;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// Spawns `sh -c cmd` in the calling thread's namespaces, confined as the
/// module docs describe. Its stdio is /dev/null.
pub fn spawn_confined(cmd: &str) -> io::Result<Child> {
    spawn_confined_with(cmd, &[], Stdio::null())
}

/// [`spawn_confined`], with stderr piped: read it at once with
/// `target::child_stderr::StderrTail::capture`, which keeps its last lines
/// for the error that reports a failure.
pub fn spawn_confined_piped(cmd: &str) -> io::Result<Child> {
    spawn_confined_with(cmd, &[], Stdio::piped())
}

/// [`spawn_confined`] with variables added to its environment and its
/// stderr sent to `stderr` (e.g. `Stdio::piped()`, to show its last lines).
pub fn spawn_confined_with(
    cmd: &str,
    env: &[(String, String)],
    stderr: Stdio,
) -> io::Result<Child> {
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .process_group(0);
    // SAFETY: the closure runs between fork and exec and makes only
    // async-signal-safe system calls (prctl, getppid, unshare, fork,
    // close_range, waitpid, _exit); it allocates nothing.
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
                // The forking thread already died: do not start at all.
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            if libc::unshare(libc::CLONE_NEWPID) == -1 {
                return Ok(()); // no PID namespace: run the shell directly
            }
            let pid = libc::fork();
            if pid == -1 {
                return Err(io::Error::last_os_error());
            }
            if pid == 0 {
                // PID 1 of the new namespace: dies with its parent below.
                cvt(libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ))?;
                return Ok(());
            }
            // The intermediate process: hold no fd of the harness (so the
            // spawner sees the exec of PID 1, not us), wait, pass the status on.
            libc::close_range(3, libc::c_uint::MAX, 0);
            let mut status: libc::c_int = 0;
            loop {
                let r = libc::waitpid(pid, &mut status, 0);
                if r == pid {
                    break;
                }
                if r == -1 && *libc::__errno_location() != libc::EINTR {
                    libc::_exit(127);
                }
            }
            if libc::WIFEXITED(status) {
                libc::_exit(libc::WEXITSTATUS(status));
            }
            libc::_exit(128 + libc::WTERMSIG(status));
        });
    }
    command.spawn()
}

/// Sends SIGKILL to process group `pgid` (the leader's pid for a process
/// from [`spawn_confined`]). A group that is already gone is not an error.
pub fn kill_group(pgid: u32) -> io::Result<()> {
    let pgid =
        libc::pid_t::try_from(pgid).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: kill has no memory effects; a negative pid names a group.
    match cvt(unsafe { libc::kill(-pgid, libc::SIGKILL) }) {
        Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
        r => r.map(drop),
    }
}
