//! The socket API performed for real on the lab's kernel, as packetdrill's
//! local mode performs a script's calls.
//!
//! Each session keeps its own table from the script's descriptors to live
//! kernel descriptors. `socket` runs on the namespace thread, so the socket
//! belongs to the lab's network namespace; every other call works on a
//! descriptor and runs on a thread of its own, so that a call that blocks
//! (a blocking `read`, `accept`, `connect`, `poll`) blocks that thread and
//! not the case:
//!
//! - a call the script gives an end time (`+0...0.1 read(…)`) may block: once
//!   its thread sleeps in the kernel the session reports it
//!   [`CallStatus::Pending`] and the case goes on; when it returns,
//!   [`LabSockets::finished`] hands back its result and the time it returned;
//! - any other call must return: one still running after [`BLOCK_LIMIT`] is
//!   [`CallStatus::Blocked`] (packetdrill would hang there).
//!
//! Addresses come from the session, never from the script: `bind` binds the
//! target's address and port, `connect` (and `sendto` with `MSG_FASTOPEN`)
//! goes to the harness's address, after binding the target's address and
//! port first if the script did not bind: the first active open to the
//! harness's port, the n-th to that port + n, so each connection has a
//! 4-tuple of its own (as packetdrill's kernel picks a fresh local port for
//! each), all filed to the session. Descriptors the case leaves open are closed with
//! `SO_LINGER` 0 when the session ends (no FIN retransmitted into a TUN
//! device nobody reads), and `shutdown` first wakes any call still blocked.

use super::ns::NsThread;
use crate::target::calls::msg::Cmsg;
use crate::target::calls::{
    CallData, CallStatus, EpollOp, OptValue, Shut, SockCall, SockOpt, SockResult,
};
use crate::target::sys::sockapi::{self as sys, SysResult};
use crate::target::TargetError;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a call without an end time may take before it counts as
/// blocked (packetdrill waits as long for a busy call thread).
pub const BLOCK_LIMIT: Duration = Duration::from_secs(1);

/// How often the session looks whether a call's thread returned or sleeps.
const WATCH: Duration = Duration::from_micros(200);

/// One live descriptor of the script.
#[derive(Clone, Copy, Debug)]
struct Live {
    fd: RawFd,
    /// The harness's address its active open went to (see
    /// [`LabSockets::active_open_peer`]); `None`: the session's.
    peer: Option<SocketAddr>,
    /// Bound (by `bind`, or before an active open).
    bound: bool,
    /// The script's O_NONBLOCK (the kernel's, kept to answer F_GETFL).
    nonblock: bool,
}

/// What a call's thread returns, in live descriptors.
#[derive(Debug)]
enum Raw {
    Unit,
    Fd(RawFd),
    Count(usize),
    Bytes(Vec<u8>),
    Int(i64),
    Opt(OptValue),
    Poll(i32, Vec<i16>),
    Ready(Vec<(RawFd, u32)>),
    /// `recvmsg`: the bytes, `msg_flags`, the control messages.
    Msg(Vec<u8>, i32, Vec<sys::RawCmsg>),
    /// `pipe`: the read end and the write end.
    Pipe(RawFd, RawFd),
}

type Job = Box<dyn FnOnce() -> SysResult<Raw> + Send>;

/// A call whose thread has not returned.
#[derive(Debug)]
struct Running {
    /// The caller's name for the call (the script line).
    token: u32,
    call: SockCall,
    done: mpsc::Receiver<(Instant, SysResult<Raw>)>,
}

/// One session's descriptors and running calls.
#[derive(Debug)]
pub struct LabSockets {
    target: SocketAddr,
    harness: SocketAddr,
    start: Instant,
    fds: HashMap<i64, Live>,
    running: Vec<Running>,
    /// Active opens so far: the n-th goes to the harness's port + n.
    opens: u16,
    /// The buffers of `MSG_ZEROCOPY` sends, kept until the session ends:
    /// the kernel may read their pages until it reports them released.
    pinned: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl LabSockets {
    /// The sockets of a session from `target` to `harness`, whose time
    /// starts at `start`.
    pub fn new(target: SocketAddr, harness: SocketAddr, start: Instant) -> LabSockets {
        LabSockets {
            target,
            harness,
            start,
            fds: HashMap::new(),
            running: Vec::new(),
            opens: 0,
            pinned: Arc::default(),
        }
    }

    /// Whether `call` is an active open that binds the session's port
    /// (`connect`, or `sendto`/`sendmsg` with MSG_FASTOPEN, on an unbound
    /// socket).
    fn binds_for_active_open(&self, call: &SockCall) -> bool {
        let fd = match call {
            SockCall::Connect { fd } => *fd,
            SockCall::Send { fd, flags, .. } if flags & i64::from(libc::MSG_FASTOPEN) != 0 => *fd,
            _ => return false,
        };
        self.live(fd).is_ok_and(|l| !l.bound)
    }

    /// Where `call`, an active open on an unbound socket, goes: the
    /// harness's address with its port + n for the session's n-th active
    /// open (the first: the session's own), so that each connection of a
    /// case has a 4-tuple of its own, as packetdrill's kernel gives each a
    /// fresh ephemeral port (a script may open the next while the previous
    /// is open or in TIME-WAIT). `None` for any other call. The session
    /// files that tuple's packets with its own before the call runs.
    pub fn active_open_peer(&mut self, call: &SockCall) -> Option<SocketAddr> {
        if !self.binds_for_active_open(call) {
            return None;
        }
        let fd = call_fd(call)?;
        let mut peer = self.harness;
        // Past 65535 the ports wrap, skipping 0.
        let port = (u32::from(self.harness.port()) + u32::from(self.opens) - 1) % 65535 + 1;
        peer.set_port(u16::try_from(port).unwrap_or(1));
        self.opens = self.opens.wrapping_add(1);
        if let Some(l) = self.fds.get_mut(&fd) {
            l.peer = Some(peer);
        }
        Some(peer)
    }

    /// The harness's address descriptor `fd`'s active open went to, when
    /// it made one.
    pub fn peer_of(&self, fd: i64) -> Option<SocketAddr> {
        self.fds.get(&fd).and_then(|l| l.peer)
    }

    fn at(&self, t: Instant) -> Duration {
        t.saturating_duration_since(self.start)
    }

    fn live(&self, fd: i64) -> SysResult<Live> {
        self.fds.get(&fd).copied().ok_or(libc::EBADF)
    }

    /// Performs `call`; `may_block`: the script gave it an end time;
    /// `token` names it when [`LabSockets::finished`] reports it.
    pub fn call(
        &mut self,
        ns: &NsThread,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<CallStatus, TargetError> {
        if let SockCall::Socket { fd, nonblock } = *call {
            let v6 = self.target.is_ipv6();
            let made = ns.run(move || sys::socket(v6, nonblock))?;
            let at = self.at(Instant::now());
            let result = match made {
                Ok(live) => {
                    self.enter(fd, live, nonblock);
                    SockResult::ok(fd)
                }
                Err(e) => SockResult::err(e),
            };
            return Ok(CallStatus::Done { at, result });
        }
        let job = match self.job(call) {
            Ok(job) => job,
            Err(e) => {
                return Ok(CallStatus::Done {
                    at: self.at(Instant::now()),
                    result: SockResult::err(e),
                })
            }
        };
        let (tx, rx) = mpsc::channel();
        let (tid_tx, tid_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("synack-call-{}", call.name()))
            .spawn(move || {
                let _ = tid_tx.send(sys::gettid());
                // Its return is timed against the script: the call keeps
                // the schedule on a loaded machine as the case's thread
                // does (the runner raises it; `target::sys::sched`).
                let _priority = crate::target::sys::sched::Priority::raise();
                let r = job();
                let _ = tx.send((Instant::now(), r));
            })
            .map_err(|e| TargetError::Io(format!("cannot start a call thread: {e}")))?;
        let tid = tid_rx
            .recv()
            .map_err(|_| TargetError::Broken("a call thread died at its start".into()))?;
        let began = Instant::now();
        loop {
            match rx.recv_timeout(WATCH) {
                Ok((t, r)) => {
                    let result = self.finish(call, r);
                    return Ok(CallStatus::Done {
                        at: self.at(t),
                        result,
                    });
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // A call allowed to block that neither returns nor
                    // sleeps within the limit is left running too.
                    let blocked = if may_block {
                        sys::thread_sleeping(tid) || began.elapsed() > BLOCK_LIMIT
                    } else {
                        began.elapsed() > BLOCK_LIMIT
                    };
                    if blocked {
                        self.running.push(Running {
                            token,
                            call: call.clone(),
                            done: rx,
                        });
                        return Ok(if may_block {
                            CallStatus::Pending
                        } else {
                            CallStatus::Blocked
                        });
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(TargetError::Broken(format!(
                        "the thread of a `{}` call ended without a result",
                        call.name()
                    )))
                }
            }
        }
    }

    /// A blocked call that has returned since: its token, the session
    /// time it returned at, and its result.
    pub fn finished(&mut self) -> Option<(u32, Duration, SockResult)> {
        for i in 0..self.running.len() {
            let got = match self.running[i].done.try_recv() {
                Ok((t, r)) => Some((t, r)),
                Err(mpsc::TryRecvError::Empty) => continue,
                // The thread ended without a word: a panic in it.
                Err(mpsc::TryRecvError::Disconnected) => None,
            };
            let run = self.running.remove(i);
            let (t, r) = got.unwrap_or((Instant::now(), Err(libc::EIO)));
            let result = self.finish(&run.call, r);
            return Some((run.token, self.at(t), result));
        }
        None
    }

    fn enter(&mut self, fd: i64, live: RawFd, nonblock: bool) {
        if let Some(old) = self.fds.insert(
            fd,
            Live {
                fd: live,
                peer: None,
                bound: false,
                nonblock,
            },
        ) {
            // The script reused a descriptor it never closed: the kernel's
            // descriptor would differ; close the old one so nothing leaks.
            let _ = sys::close(old.fd);
        }
    }

    /// The work of `call` for its thread, with live descriptors.
    fn job(&mut self, call: &SockCall) -> SysResult<Job> {
        let target = self.target;
        let harness = self.harness;
        Ok(match call.clone() {
            SockCall::Socket { .. } => return Err(libc::EINVAL),
            SockCall::Bind { fd } => {
                let l = self.live(fd)?;
                self.mark_bound(fd);
                Box::new(move || sys::bind(l.fd, target).map(|()| Raw::Unit))
            }
            SockCall::Listen { fd, backlog } => {
                let l = self.live(fd)?;
                let backlog = backlog.clamp(0, 4096) as i32;
                Box::new(move || sys::listen(l.fd, backlog).map(|()| Raw::Unit))
            }
            SockCall::Accept { fd, nonblock, .. } => {
                let l = self.live(fd)?;
                Box::new(move || sys::accept(l.fd, nonblock).map(Raw::Fd))
            }
            SockCall::Connect { fd } => {
                let l = self.live(fd)?;
                let bind = !l.bound;
                self.mark_bound(fd);
                let to = l.peer.unwrap_or(harness);
                Box::new(move || {
                    if bind {
                        let _ = sys::set_int(l.fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1);
                        sys::bind(l.fd, target)?;
                    }
                    sys::connect(l.fd, to).map(|()| Raw::Unit)
                })
            }
            SockCall::SetOpt { fd, opt, value } => {
                let l = self.live(fd)?;
                Box::new(move || set_opt(l.fd, opt, &value).map(|()| Raw::Unit))
            }
            SockCall::GetOpt { fd, opt } => {
                let l = self.live(fd)?;
                Box::new(move || get_opt(l.fd, opt).map(Raw::Opt))
            }
            SockCall::Send {
                fd,
                bytes,
                flags,
                iov,
            } if flags & i64::from(libc::MSG_ZEROCOPY) != 0
                && flags & i64::from(libc::MSG_FASTOPEN) == 0 =>
            {
                let l = self.live(fd)?;
                let pinned = Arc::clone(&self.pinned);
                Box::new(move || send_zerocopy(l.fd, &bytes, &iov, flags as i32, &pinned))
            }
            SockCall::Send {
                fd, bytes, flags, ..
            } => {
                let l = self.live(fd)?;
                let fastopen = flags & i64::from(libc::MSG_FASTOPEN) != 0;
                let bind = fastopen && !l.bound;
                let pinned = Arc::clone(&self.pinned);
                if fastopen {
                    self.mark_bound(fd);
                }
                Box::new(move || {
                    if bind {
                        let _ = sys::set_int(l.fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1);
                        sys::bind(l.fd, target)?;
                    }
                    let to = fastopen.then_some(l.peer.unwrap_or(harness));
                    let r = sys::send(l.fd, &bytes, flags as i32, to).map(Raw::Count);
                    if flags & i64::from(libc::MSG_ZEROCOPY) != 0 {
                        // Read by the kernel until it reports them released.
                        pinned.lock().unwrap_or_else(|e| e.into_inner()).push(bytes);
                    }
                    r
                })
            }
            SockCall::Recv { fd, len, flags } => {
                let l = self.live(fd)?;
                Box::new(move || sys::recv(l.fd, len, flags as i32).map(Raw::Bytes))
            }
            SockCall::RecvMsg {
                fd,
                len,
                flags,
                control,
            } => {
                let l = self.live(fd)?;
                // Room for several messages (an error-queue report and a
                // timestamp); none when the script gave no msg_control.
                let room = if control { 1024 } else { 0 };
                Box::new(move || {
                    sys::recvmsg(l.fd, len, flags as i32, room).map(|(b, f, c)| Raw::Msg(b, f, c))
                })
            }
            SockCall::Shutdown { fd, how } => {
                let l = self.live(fd)?;
                let how = match how {
                    Shut::Rd => libc::SHUT_RD,
                    Shut::Wr => libc::SHUT_WR,
                    Shut::RdWr => libc::SHUT_RDWR,
                };
                Box::new(move || sys::shutdown(l.fd, how).map(|()| Raw::Unit))
            }
            SockCall::Close { fd } => {
                let l = self.fds.remove(&fd).ok_or(libc::EBADF)?;
                Box::new(move || sys::close(l.fd).map(|()| Raw::Unit))
            }
            SockCall::GetFl { fd } => {
                let l = self.live(fd)?;
                Box::new(move || {
                    let fl = sys::get_fl(l.fd)?;
                    // The script's O_NONBLOCK, whatever the kernel holds.
                    let fl = if l.nonblock {
                        fl | libc::O_NONBLOCK
                    } else {
                        fl & !libc::O_NONBLOCK
                    };
                    Ok(Raw::Int(i64::from(fl)))
                })
            }
            SockCall::SetFl { fd, nonblock } => {
                let l = self.live(fd)?;
                if let Some(e) = self.fds.get_mut(&fd) {
                    e.nonblock = nonblock;
                }
                Box::new(move || {
                    let fl = sys::get_fl(l.fd)?;
                    let fl = if nonblock {
                        fl | libc::O_NONBLOCK
                    } else {
                        fl & !libc::O_NONBLOCK
                    };
                    sys::set_fl(l.fd, fl).map(|()| Raw::Unit)
                })
            }
            SockCall::Poll { fds, timeout_ms } => {
                // An unknown descriptor polls as -1 would not: POLLNVAL, as
                // for a closed one.
                let live: Vec<(RawFd, i16)> = fds
                    .iter()
                    .map(|&(fd, ev)| (self.fds.get(&fd).map_or(i32::MAX, |l| l.fd), ev as i16))
                    .collect();
                let t = timeout_ms.clamp(-1, i64::from(i32::MAX)) as i32;
                Box::new(move || sys::poll(&live, t).map(|(n, rev)| Raw::Poll(n, rev)))
            }
            SockCall::InQueue { fd } | SockCall::OutQueue { fd } => {
                let l = self.live(fd)?;
                let inq = matches!(call, SockCall::InQueue { .. });
                Box::new(move || sys::queue(l.fd, inq).map(|n| Raw::Int(i64::from(n))))
            }
            SockCall::Pipe { .. } => Box::new(|| sys::pipe().map(|(r, w)| Raw::Pipe(r, w))),
            SockCall::Splice {
                fd_in,
                fd_out,
                len,
                flags,
            } => {
                let (i, o) = (self.live(fd_in)?, self.live(fd_out)?);
                Box::new(move || sys::splice(i.fd, o.fd, len, flags as u32).map(Raw::Count))
            }
            SockCall::EpollCreate { .. } => Box::new(|| sys::epoll_create().map(Raw::Fd)),
            SockCall::EpollCtl {
                epfd,
                op,
                fd,
                events,
            } => {
                let e = self.live(epfd)?;
                let l = self.live(fd)?;
                let op = match op {
                    EpollOp::Add => libc::EPOLL_CTL_ADD,
                    EpollOp::Mod => libc::EPOLL_CTL_MOD,
                    EpollOp::Del => libc::EPOLL_CTL_DEL,
                };
                Box::new(move || sys::epoll_ctl(e.fd, op, l.fd, events).map(|()| Raw::Unit))
            }
            SockCall::EpollWait {
                epfd,
                max,
                timeout_ms,
            } => {
                let e = self.live(epfd)?;
                let t = timeout_ms.clamp(-1, i64::from(i32::MAX)) as i32;
                let max = max.clamp(1, 1024) as usize;
                Box::new(move || sys::epoll_wait(e.fd, max, t).map(Raw::Ready))
            }
        })
    }

    fn mark_bound(&mut self, fd: i64) {
        if let Some(l) = self.fds.get_mut(&fd) {
            l.bound = true;
        }
    }

    /// The script's view of what a call's thread returned: new descriptors
    /// entered under the script's numbers, live descriptors mapped back.
    fn finish(&mut self, call: &SockCall, raw: SysResult<Raw>) -> SockResult {
        let raw = match raw {
            Ok(r) => r,
            Err(e) => return SockResult::err(e),
        };
        match (call, raw) {
            (
                SockCall::Accept {
                    new_fd, nonblock, ..
                },
                Raw::Fd(live),
            ) => {
                self.enter(*new_fd, live, *nonblock);
                // Accepted from a bound listener: its address is bound.
                self.mark_bound(*new_fd);
                SockResult::ok(*new_fd)
            }
            (SockCall::Pipe { rd, wr }, Raw::Pipe(r, w)) => {
                self.enter(*rd, r, false);
                self.enter(*wr, w, false);
                SockResult::ok(0)
            }
            (_, Raw::Pipe(r, w)) => {
                let _ = (sys::close(r), sys::close(w));
                SockResult::err(libc::EINVAL)
            }
            (SockCall::EpollCreate { epfd }, Raw::Fd(live)) => {
                self.enter(*epfd, live, false);
                SockResult::ok(*epfd)
            }
            (_, Raw::Count(n)) => SockResult::ok(n as i64),
            (_, Raw::Bytes(b)) => SockResult::ok(b.len() as i64).with(CallData::Bytes(b)),
            (SockCall::GetFl { .. }, Raw::Int(fl)) => SockResult::ok(fl),
            (_, Raw::Int(n)) => SockResult::ok(0).with(CallData::Opt(OptValue::Int(n))),
            (_, Raw::Opt(v)) => SockResult::ok(0).with(CallData::Opt(v)),
            (_, Raw::Poll(n, rev)) => SockResult::ok(i64::from(n)).with(CallData::Revents(
                rev.iter().map(|&r| r as u16 as u32).collect(),
            )),
            (_, Raw::Ready(ready)) => {
                let by_live: HashMap<RawFd, i64> =
                    self.fds.iter().map(|(s, l)| (l.fd, *s)).collect();
                let ready: Vec<(i64, u32)> = ready
                    .into_iter()
                    .map(|(fd, ev)| (by_live.get(&fd).copied().unwrap_or(-1), ev))
                    .collect();
                SockResult::ok(ready.len() as i64).with(CallData::Ready(ready))
            }
            (_, Raw::Msg(bytes, flags, cmsgs)) => {
                // CLOCK_REALTIME (the kernel's timestamps) to session time.
                let real_now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_micros() as i64);
                let offset = real_now - self.at(Instant::now()).as_micros() as i64;
                let cmsgs = cmsgs
                    .iter()
                    .map(|(level, kind, data)| Cmsg::decode(*level, *kind, data, |us| us - offset))
                    .collect();
                SockResult::ok(bytes.len() as i64).with(CallData::Msg {
                    flags: i64::from(flags),
                    cmsgs,
                })
            }
            (_, Raw::Fd(fd)) => SockResult::ok(i64::from(fd)),
            (_, Raw::Unit) => SockResult::ok(0),
        }
    }

    /// `TCP_INFO` of the script's descriptor `fd`, now (for `%{ }%` blocks).
    pub fn tcp_info(&self, fd: i64) -> Option<Vec<(&'static str, i64)>> {
        sys::tcp_info(self.fds.get(&fd)?.fd).ok()
    }
}

impl LabSockets {
    /// Closes every descriptor the case left open (with `SO_LINGER` 0),
    /// waking any call still blocked on one first.
    pub fn close_all(&mut self) {
        for (_, l) in self.fds.drain() {
            if !self.running.is_empty() {
                // Wakes a thread blocked on it (read, accept, connect, poll).
                let _ = sys::shutdown(l.fd, libc::SHUT_RDWR);
            }
            let _ = sys::set_linger(l.fd, 1, 0);
            let _ = sys::close(l.fd);
        }
    }
}

impl Drop for LabSockets {
    fn drop(&mut self) {
        self.close_all();
    }
}

fn set_opt(fd: RawFd, opt: SockOpt, value: &OptValue) -> SysResult<()> {
    let (level, name) = opt_number(opt).ok_or(libc::ENOPROTOOPT)?;
    match (opt, value) {
        (SockOpt::Linger, OptValue::Linger { onoff, linger }) => {
            sys::set_linger(fd, *onoff as i32, *linger as i32)
        }
        (_, OptValue::Int(v)) => sys::set_int(fd, level, name, *v as i32),
        (_, OptValue::Bytes(b)) => sys::set_bytes(fd, level, name, b),
        _ => Err(libc::EINVAL),
    }
}

fn get_opt(fd: RawFd, opt: SockOpt) -> SysResult<OptValue> {
    match opt {
        SockOpt::Linger => {
            let (onoff, linger) = sys::get_linger(fd)?;
            Ok(OptValue::Linger {
                onoff: i64::from(onoff),
                linger: i64::from(linger),
            })
        }
        SockOpt::Info => Ok(OptValue::Info(
            sys::tcp_info(fd)?
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )),
        _ => {
            let (level, name) = opt_number(opt).ok_or(libc::ENOPROTOOPT)?;
            sys::get_int(fd, level, name).map(|v| OptValue::Int(i64::from(v)))
        }
    }
}

/// A `MSG_ZEROCOPY` send: each iovec (or the one buffer) in a buffer of
/// its own with a gap between, so the kernel makes each a page fragment of
/// its own as it does packetdrill's separately allocated iovecs (adjacent
/// bytes would coalesce into one fragment); the buffer is kept in `pinned`.
fn send_zerocopy(
    fd: RawFd,
    bytes: &[u8],
    iov: &[usize],
    flags: i32,
    pinned: &Mutex<Vec<Vec<u8>>>,
) -> SysResult<Raw> {
    const GAP: usize = 64;
    let one = [bytes.len()];
    let lens = if iov.is_empty() { &one[..] } else { iov };
    let mut buf = Vec::with_capacity(bytes.len() + GAP * lens.len());
    let mut at = Vec::with_capacity(lens.len());
    let mut from = 0;
    for &n in lens {
        at.push((buf.len(), n));
        buf.extend_from_slice(&bytes[from..from + n]);
        buf.resize(buf.len() + GAP, 0);
        from += n;
    }
    let parts: Vec<&[u8]> = at.iter().map(|&(i, n)| &buf[i..i + n]).collect();
    let r = sys::sendmsg(fd, &parts, flags);
    drop(parts);
    // A poisoned lock only means another call thread panicked: keep the
    // buffer all the same.
    pinned.lock().unwrap_or_else(|e| e.into_inner()).push(buf);
    r.map(Raw::Count)
}

/// The descriptor an active open (`connect`, `sendto`) works on.
fn call_fd(call: &SockCall) -> Option<i64> {
    match call {
        SockCall::Connect { fd } | SockCall::Send { fd, .. } => Some(*fd),
        _ => None,
    }
}

/// Linux's level and number of an option.
fn opt_number(opt: SockOpt) -> Option<(i32, i32)> {
    use libc::{SOL_SOCKET as S, SOL_TCP as T};
    Some(match opt {
        SockOpt::ReuseAddr => (S, libc::SO_REUSEADDR),
        SockOpt::ReusePort => (S, libc::SO_REUSEPORT),
        SockOpt::Linger => (S, libc::SO_LINGER),
        SockOpt::RcvBuf => (S, libc::SO_RCVBUF),
        SockOpt::SndBuf => (S, libc::SO_SNDBUF),
        SockOpt::KeepAlive => (S, libc::SO_KEEPALIVE),
        SockOpt::Error => (S, libc::SO_ERROR),
        SockOpt::NoDelay => (T, libc::TCP_NODELAY),
        SockOpt::MaxSeg => (T, libc::TCP_MAXSEG),
        SockOpt::Cork => (T, libc::TCP_CORK),
        SockOpt::KeepIdle => (T, libc::TCP_KEEPIDLE),
        SockOpt::KeepIntvl => (T, libc::TCP_KEEPINTVL),
        SockOpt::KeepCnt => (T, libc::TCP_KEEPCNT),
        SockOpt::UserTimeout => (T, libc::TCP_USER_TIMEOUT),
        SockOpt::FastOpen => (T, libc::TCP_FASTOPEN),
        SockOpt::Info => (T, libc::TCP_INFO),
        SockOpt::NotSentLowat => (T, libc::TCP_NOTSENT_LOWAT),
        SockOpt::DeferAccept => (T, libc::TCP_DEFER_ACCEPT),
        SockOpt::WindowClamp => (T, libc::TCP_WINDOW_CLAMP),
        SockOpt::QuickAck => (T, libc::TCP_QUICKACK),
        SockOpt::RcvLowat => (S, libc::SO_RCVLOWAT),
        SockOpt::FastOpenConnect => (T, libc::TCP_FASTOPEN_CONNECT),
        SockOpt::SynCount => (T, libc::TCP_SYNCNT),
        SockOpt::InQueue => (T, libc::TCP_INQ),
        SockOpt::ZeroCopy => (S, libc::SO_ZEROCOPY),
        SockOpt::Timestamping => (S, libc::SO_TIMESTAMPING),
        SockOpt::Mark => (S, libc::SO_MARK),
        SockOpt::MtuDiscover => (libc::SOL_IP, libc::IP_MTU_DISCOVER),
        SockOpt::Tos => (libc::SOL_IP, libc::IP_TOS),
        SockOpt::FastOpenKey => (T, libc::TCP_FASTOPEN_KEY),
        SockOpt::FreeBind => (libc::SOL_IP, libc::IP_FREEBIND),
    })
}
