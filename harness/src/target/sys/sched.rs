//! Real-time scheduling for the threads that run a case against a real-time
//! target (issue #12): a case thread preempted by a CPU hog for tens or
//! hundreds of milliseconds makes the harness late, and the target's timers
//! do not wait for it. [`Priority::raise`] puts the calling thread under
//! `SCHED_FIFO` at the lowest real-time priority (1) where the process may
//! (root, or `CAP_SYS_NICE`, or an `RLIMIT_RTPRIO` above 0); failing that,
//! nice -10 (`setpriority`); failing that, nothing (it runs as before).
//! Dropping the guard puts the thread back as it was. Threads the thread
//! spawns meanwhile inherit the setting (glibc's `PTHREAD_INHERIT_SCHED`,
//! and the nice value is per thread on Linux), so the lab's service and
//! namespace threads a case starts run as promptly as the case.
//!
//! A case thread mostly sleeps (waiting for a segment or a line's time), so
//! `SCHED_FIFO` costs the machine's other work little; the kernel's
//! real-time throttling (`kernel.sched_rt_runtime_us`, 95 % by default)
//! bounds it in any case. `SYNACK_RT=0` turns it off.

use std::io;

/// How [`Priority::raise`] left the calling thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raised {
    /// `SCHED_FIFO`, priority 1.
    Fifo,
    /// `SCHED_OTHER` at nice -10.
    Nice,
    /// Unchanged: the process may do neither, or `SYNACK_RT=0`.
    Unchanged,
}

/// The calling thread's scheduling before [`Priority::raise`], restored on
/// drop.
#[derive(Debug)]
pub struct Priority {
    raised: Raised,
    policy: libc::c_int,
    param: libc::sched_param,
    nice: libc::c_int,
    /// Not `Send`: it is restored on the thread it raised.
    _thread: std::marker::PhantomData<*const ()>,
}

/// The calling thread's id, for `setpriority` (which takes a thread id on
/// Linux: nice values are per thread).
fn tid() -> libc::id_t {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::gettid() as libc::id_t }
}

fn nice_of(tid: libc::id_t) -> libc::c_int {
    // SAFETY: plain syscall on our own thread id; -1 is a valid nice value,
    // so errno is not consulted (a failure leaves 0, the default).
    unsafe { libc::getpriority(libc::PRIO_PROCESS, tid) }
}

fn set_nice(tid: libc::id_t, nice: libc::c_int) -> io::Result<()> {
    // SAFETY: plain syscall on our own thread id.
    super::cvt(unsafe { libc::setpriority(libc::PRIO_PROCESS, tid, nice) }).map(drop)
}

impl Priority {
    /// Raises the calling thread (see the module doc).
    pub fn raise() -> Priority {
        let mut param = libc::sched_param { sched_priority: 0 };
        // SAFETY: 0 names the calling thread; `param` is a valid out-pointer.
        let policy = unsafe { libc::sched_getscheduler(0) };
        // SAFETY: as above.
        unsafe { libc::sched_getparam(0, &mut param) };
        let tid = tid();
        let nice = nice_of(tid);
        let mut p = Priority {
            raised: Raised::Unchanged,
            policy,
            param,
            nice,
            _thread: std::marker::PhantomData,
        };
        if std::env::var("SYNACK_RT").as_deref() == Ok("0") || policy != libc::SCHED_OTHER {
            return p;
        }
        let fifo = libc::sched_param { sched_priority: 1 };
        // SAFETY: 0 names the calling thread; `fifo` outlives the call.
        if super::cvt(unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &fifo) }).is_ok() {
            p.raised = Raised::Fifo;
        } else if nice > -10 && set_nice(tid, -10).is_ok() {
            p.raised = Raised::Nice;
        }
        p
    }

    /// What [`Priority::raise`] did.
    pub fn raised(&self) -> Raised {
        self.raised
    }
}

impl Drop for Priority {
    fn drop(&mut self) {
        match self.raised {
            Raised::Fifo => {
                // SAFETY: 0 names the calling thread, the one that raised
                // (the guard is not Send); `param` outlives the call.
                unsafe { libc::sched_setscheduler(0, self.policy, &self.param) };
            }
            Raised::Nice => {
                let _ = set_nice(tid(), self.nice);
            }
            Raised::Unchanged => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> libc::c_int {
        // SAFETY: 0 names the calling thread.
        unsafe { libc::sched_getscheduler(0) }
    }

    #[test]
    fn raising_is_undone_on_drop_and_inherited_by_new_threads() {
        let before = (policy(), nice_of(tid()));
        {
            let p = Priority::raise();
            let inherited = std::thread::spawn(|| (policy(), nice_of(tid())))
                .join()
                .expect("joins");
            match p.raised() {
                Raised::Fifo => {
                    assert_eq!(policy(), libc::SCHED_FIFO);
                    assert_eq!(inherited.0, libc::SCHED_FIFO);
                }
                Raised::Nice => {
                    assert_eq!(nice_of(tid()), -10);
                    assert_eq!(inherited.1, -10);
                }
                Raised::Unchanged => assert_eq!((policy(), nice_of(tid())), before),
            }
        }
        assert_eq!((policy(), nice_of(tid())), before);
    }
}
