//! A script's back-quoted commands on the lab: `/bin/sh -c CMD` forked from
//! the namespace thread, so it acts on the lab's network namespace, in a
//! private mount namespace where only `/proc/sys/net` (that namespace's own
//! settings) and the lab's own `/tmp` are writable ([`sys::sandbox`]): a write to
//! `kernel.*`, to a global `net.core.*` setting or to a host file fails, and
//! the case reports it with the command's stderr.

use super::ns::{os_error, NsThread};
use crate::target::command::{Output, ScriptAddresses, COMMAND_TIMEOUT};
use crate::target::sys::{self, netlink, netlink::Netlink};
use crate::target::TargetError;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

/// A lab's `/tmp` as its commands see it: a directory of synack's own under
/// the host's temporary directory (mode 0700), made at the first command and
/// removed with the lab. It lasts from one command to the next, as a host's
/// `/tmp` does for packetdrill: an init command's
/// `/tmp/sysctl_restore_${PPID}.sh` is there for the cleanup command.
#[derive(Debug, Default)]
pub struct Scratch {
    dir: std::sync::Mutex<Option<PathBuf>>,
}

impl Scratch {
    fn path(&self) -> Result<PathBuf, TargetError> {
        let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = dir.as_ref() {
            return Ok(d.clone());
        }
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("synack-lab-tmp-{}-{n}", std::process::id()));
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&d)
                .map_err(|e| TargetError::Io(format!("make {}: {e}", d.display())))?;
        }
        *dir = Some(d.clone());
        Ok(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(d) = self.dir.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Runs `cmd` in `cwd` in the lab's namespace, sandboxed, with `scratch` as
/// its `/tmp`; waits for it (at most [`COMMAND_TIMEOUT`], then kills its
/// process group).
pub fn run(ns: &NsThread, scratch: &Scratch, cmd: &str, cwd: &Path) -> Result<Output, TargetError> {
    run_in(ns, Some(scratch.path()?), cmd, cwd)
}

/// [`run`] with a fresh tmpfs as `/tmp` (the lab's own set-up commands).
fn run_fresh(ns: &NsThread, cmd: &str, cwd: &Path) -> Result<Output, TargetError> {
    run_in(ns, None, cmd, cwd)
}

fn run_in(
    ns: &NsThread,
    scratch: Option<PathBuf>,
    cmd: &str,
    cwd: &Path,
) -> Result<Output, TargetError> {
    let mounts = sys::sandbox::mount_points()
        .map_err(|e| TargetError::Io(format!("read /proc/self/mountinfo: {e}")))?;
    let owned = (cmd.to_string(), PathBuf::from(cwd));
    let child = ns.run(move || {
        sys::sandbox::spawn_sandboxed(&owned.0, &owned.1, mounts, scratch.as_deref())
    })?;
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
    let _ = run_fresh(ns, &cmd, Path::new("/"));
}

/// Gives the lab the script's own addresses: the target's on the TUN
/// device, a host route to the harness's through it. The namespace has no
/// other route, so nothing sent to them leaves it.
///
/// packetdrill's default remote address, 192.0.2.1, is synack's target
/// address: when the harness's address falls in the target's default
/// subnet, that default address goes (the kernel would drop packets from an
/// address of its own), and a target without an address of the script's
/// gets 203.0.113.1 (TEST-NET-3: synack sends only to documentation
/// addresses, so not packetdrill's private-range default 192.168.0.1).
/// Returns the addresses the sessions use.
pub fn add_script_addresses(
    ns: &NsThread,
    a: &ScriptAddresses,
) -> Result<ScriptAddresses, TargetError> {
    let mut a = *a;
    if let Some(IpAddr::V4(h)) = a.harness {
        let default = crate::target::addr::TARGET_V4;
        if h.octets()[..3] == default.octets()[..3] {
            let out = run_fresh(
                ns,
                &format!("ip addr del {default}/24 dev {}", super::TUN_NAME),
                Path::new("/"),
            )?;
            if !out.success() {
                return Err(TargetError::Io(format!(
                    "cannot make room for the script's address {h}: {out}"
                )));
            }
            a.target = a.target.or(Some(IpAddr::V4(MOVED_TARGET_V4)));
        }
    }
    ns.run(move || -> Result<(), TargetError> {
        let mut rt = Netlink::route().map_err(|e| os_error("open rtnetlink", e))?;
        let dev =
            netlink::if_index(super::TUN_NAME).map_err(|e| os_error("find the TUN device", e))?;
        let host = |ip: IpAddr| if ip.is_ipv4() { 32 } else { 128 };
        if let Some(t) = a.target {
            rt.add_address(dev, t, host(t))
                .map_err(|e| os_error(&format!("add the script's address {t}"), e))?;
        }
        if let Some(h) = a.harness {
            rt.add_route(dev, h, host(h))
                .map_err(|e| os_error(&format!("route the script's address {h}"), e))?;
        }
        Ok(())
    })??;
    Ok(a)
}

/// The target's address when the script's harness address takes synack's
/// target subnet and the script names none for the target.
const MOVED_TARGET_V4: std::net::Ipv4Addr = std::net::Ipv4Addr::new(203, 0, 113, 1);

/// The session's endpoints with the script's addresses where they are of
/// the session's family.
pub fn use_script_addresses(
    a: &ScriptAddresses,
    target: &mut SocketAddr,
    harness: &mut SocketAddr,
) {
    if let Some(t) = a.target.filter(|t| t.is_ipv4() == target.is_ipv4()) {
        target.set_ip(t);
    }
    if let Some(h) = a.harness.filter(|h| h.is_ipv4() == harness.is_ipv4()) {
        harness.set_ip(h);
    }
}
