//! A script's back-quoted commands on the lab: `/bin/sh -c CMD` forked from
//! the namespace thread, so it acts on the lab's network namespace, in a
//! private mount namespace where only `/proc/sys/net` (that namespace's own
//! settings) and a fresh `/tmp` are writable ([`sys::sandbox`]): a write to
//! `kernel.*`, to a global `net.core.*` setting or to a host file fails, and
//! the case reports it with the command's stderr.

use super::ns::{os_error, NsThread};
use crate::target::command::{Output, COMMAND_TIMEOUT};
use crate::target::sys;
use crate::target::TargetError;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

/// Runs `cmd` in `cwd` in the lab's namespace, sandboxed; waits for it (at
/// most [`COMMAND_TIMEOUT`], then kills its process group).
pub fn run(ns: &NsThread, cmd: &str, cwd: &Path) -> Result<Output, TargetError> {
    let mounts = sys::sandbox::mount_points()
        .map_err(|e| TargetError::Io(format!("read /proc/self/mountinfo: {e}")))?;
    let owned = (cmd.to_string(), PathBuf::from(cwd));
    let child = ns.run(move || sys::sandbox::spawn_sandboxed(&owned.0, &owned.1, mounts))?;
    let child = child.map_err(|e| os_error(&format!("run `{cmd}` in the lab namespace"), e))?;
    wait(child, COMMAND_TIMEOUT)
}

fn wait(mut child: Child, timeout: Duration) -> Result<Output, TargetError> {
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let io = |e: std::io::Error| TargetError::Io(format!("wait for a script command: {e}"));
    let (status, timed_out) = loop {
        if let Some(st) = child.try_wait().map_err(io)? {
            break (st.code(), false);
        }
        if start.elapsed() >= timeout {
            let _ = sys::process::kill_group(child.id());
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(Output {
        status,
        stdout,
        stderr,
        timed_out,
    })
}

/// Gives the lab's TUN device packetdrill's name, `tun0`, as an alternative
/// name, so that scripts' `tc qdisc … dev tun0` find it. Best effort: a
/// system without `ip` or altnames leaves the name to fail in the script,
/// where the command's stderr says so.
pub fn alias_tun0(ns: &NsThread) {
    let cmd = format!("ip link property add dev {} altname tun0", super::TUN_NAME);
    let _ = run(ns, &cmd, Path::new("/"));
}
