//! The namespace thread: a thread that unshares into a private network
//! namespace and then runs jobs there for the lab's whole lifetime.
//!
//! Everything that must be created inside the namespace (the TUN device,
//! netlink sockets, listeners, `--serve` children) is made by a job on this
//! thread, or by a thread a job spawns (threads inherit the namespace). A
//! child forked here gets SIGKILL when this thread ends (`PR_SET_PDEATHSIG`),
//! so the thread must outlive every child: it ends when the lab drops.

use crate::target::sys;
use crate::target::TargetError;
use std::io;
use std::sync::mpsc;
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send>;

/// What the lab says when it lacks a privilege. Without root, synack runs
/// in a user namespace of its own where the kernel allows it
/// ([`crate::target::userns`]); the error then says what blocked that.
pub const PRIVILEGE_HINT: &str = "the lab target needs CAP_SYS_ADMIN and CAP_NET_ADMIN (a network namespace, a TUN device) and a writable /proc/sys: run as root (sudo synack run --target lab), as an ordinary user where user namespaces are allowed, or use --target embedded";

/// What the lab says when `/proc/sys` is mounted read-only (containers).
pub const READ_ONLY_PROC_SYS: &str = "the lab target writes its sysctls in its own namespace under /proc/sys, which is mounted read-only here (container engines do that): run the container with `--security-opt systempaths=unconfined` (Docker, Podman) or use --target embedded";

/// Maps an OS error to `Privilege` when it is one, else `Io` with context.
pub fn os_error(what: &str, e: io::Error) -> TargetError {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            TargetError::Privilege(format!("{PRIVILEGE_HINT} ({what}: {e})"))
        }
        Some(libc::EROFS) => TargetError::Privilege(format!("{READ_ONLY_PROC_SYS} ({what}: {e})")),
        _ => TargetError::Io(format!("{what}: {e}")),
    }
}

/// A thread living in its own anonymous network namespace.
#[derive(Debug)]
pub struct NsThread {
    jobs: Option<mpsc::Sender<Job>>,
    handle: Option<JoinHandle<()>>,
}

impl NsThread {
    /// Starts the thread and unshares its network namespace.
    pub fn start() -> Result<NsThread, TargetError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<io::Result<()>>();
        let handle = std::thread::Builder::new()
            .name("synack-lab-netns".into())
            .spawn(move || {
                // State reads and socket calls run here: as promptly as the
                // cases that wait for them (sys/sched.rs), for its life.
                let _priority = sys::sched::Priority::raise();
                let r = sys::netns::unshare_net();
                let ok = r.is_ok();
                // The receiver waits for exactly this message.
                let _ = ready_tx.send(r);
                if ok {
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                }
            })
            .map_err(|e| TargetError::Io(format!("cannot start the namespace thread: {e}")))?;
        let ready = ready_rx
            .recv()
            .map_err(|_| TargetError::Broken("the namespace thread died while starting".into()));
        match ready {
            Ok(Ok(())) => Ok(NsThread {
                jobs: Some(tx),
                handle: Some(handle),
            }),
            Ok(Err(e)) => {
                let _ = handle.join();
                Err(match e.raw_os_error() {
                    Some(libc::EINVAL) => TargetError::Io(format!(
                        "unshare(CLONE_NEWNET): {e}: this kernel has no network namespaces; use --target embedded"
                    )),
                    _ => os_error("unshare(CLONE_NEWNET)", e),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Runs `f` on the namespace thread and returns its result.
    pub fn run<R, F>(&self, f: F) -> Result<R, TargetError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel::<R>(1);
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        let gone = || TargetError::Broken("the lab's namespace thread is gone".into());
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(job)
            .map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())
    }

    /// A job thread that stays in the caller's network namespace (`synack
    /// agent` runs the lab's socket calls on the host's own kernel).
    pub fn here() -> Result<NsThread, TargetError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name("synack-jobs".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                }
            })
            .map_err(|e| TargetError::Io(format!("cannot start a job thread: {e}")))?;
        Ok(NsThread {
            jobs: Some(tx),
            handle: Some(handle),
        })
    }
}

impl Drop for NsThread {
    fn drop(&mut self) {
        self.jobs = None; // closes the channel: the thread's loop ends
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
