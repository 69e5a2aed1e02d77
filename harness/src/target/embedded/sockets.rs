//! The socket API on smoltcp, in virtual time ([`crate::target::calls`]).
//!
//! A script's descriptors map onto smoltcp sockets of the session's stack:
//!
//! - `socket` makes a descriptor with no smoltcp socket yet; `bind` notes
//!   it (smoltcp binds at `listen` or `connect`); `listen` puts a socket in
//!   LISTEN on the session's port. smoltcp's listening socket *becomes* the
//!   connection when a SYN arrives, so each time it does, the socket joins
//!   the descriptor's accept queue and a fresh one listens in its place (the
//!   backlog is not enforced); `accept` hands out the first queued
//!   connection whose handshake is done.
//! - `connect` opens actively to the harness (the SYN leaves at once);
//!   `read`, `write`, `shutdown(SHUT_WR)` (smoltcp's `close`, which only
//!   ends the sending side), `close` (`abort` after `SO_LINGER` 0), `fcntl`
//!   O_NONBLOCK, `poll`, `ioctl` SIOCINQ/SIOCOUTQ and the options smoltcp
//!   has: `TCP_NODELAY` (Nagle), `SO_KEEPALIVE` with `TCP_KEEPIDLE` (keep-alive
//!   interval), `TCP_USER_TIMEOUT` (smoltcp's timeout), `SO_RCVBUF` and
//!   `SO_SNDBUF` (buffer sizes, before `listen` or `connect`).
//! - A call that would block waits: with an end time in the script it is
//!   retried whenever the runner asks ([`Session::sock_finished`]) and
//!   returns at that virtual time; without one it is
//!   [`CallStatus::Blocked`].
//! - `shutdown(SHUT_RD)` is the descriptor's alone (reads return end of
//!   stream; Linux sends nothing for it either); `SHUT_RDWR` adds smoltcp's
//!   `close`.
//! - What smoltcp lacks is *unsupported* with the reason, never guessed:
//!   `TCP_MAXSEG`, `TCP_CORK`, `TCP_KEEPINTVL`, `TCP_KEEPCNT`,
//!   `TCP_FASTOPEN`, `TCP_INFO`, epoll, a lingering close, `MSG_FASTOPEN`,
//!   and any result that depends on whether a closed connection was reset
//!   (smoltcp does not say).
//!
//! [`Session::sock_finished`]: crate::target::Session::sock_finished

use super::super::settings::StackSettings;
use super::{Conn, EmbeddedSession, RX_BUFFER, TX_BUFFER};
use crate::target::calls::{
    events, CallData, CallStatus, OptValue, Shut, SockCall, SockOpt, SockResult,
};
use crate::target::TargetError;
use smoltcp::socket::tcp;
use std::collections::HashMap;
use std::time::Duration;

/// Linux's keep-alive idle time before `TCP_KEEPIDLE` changes it.
const DEFAULT_KEEPIDLE: i64 = 7200;

/// The options a descriptor holds (smoltcp's socket gets those it has).
#[derive(Clone, Debug)]
struct Opts {
    reuseaddr: i64,
    reuseport: i64,
    linger: (i64, i64),
    rcvbuf: Option<usize>,
    sndbuf: Option<usize>,
    nodelay: bool,
    keepalive: bool,
    keepidle: i64,
    user_timeout: i64,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            reuseaddr: 0,
            reuseport: 0,
            linger: (0, 0),
            rcvbuf: None,
            sndbuf: None,
            nodelay: false,
            keepalive: false,
            keepidle: DEFAULT_KEEPIDLE,
            user_timeout: 0,
        }
    }
}

impl Opts {
    /// Every option, on a socket before it listens or connects.
    fn apply(&self, s: &mut tcp::Socket<'static>) {
        for opt in [SockOpt::NoDelay, SockOpt::KeepAlive, SockOpt::UserTimeout] {
            self.apply_one(s, opt);
        }
    }

    /// The option `opt` changed: only what it sets (smoltcp winds its
    /// keep-alive timer each time keep-alive is set).
    fn apply_one(&self, s: &mut tcp::Socket<'static>, opt: SockOpt) {
        match opt {
            SockOpt::NoDelay => s.set_nagle_enabled(!self.nodelay),
            SockOpt::KeepAlive | SockOpt::KeepIdle
                if self.keepalive || s.keep_alive().is_some() =>
            {
                s.set_keep_alive(
                    self.keepalive
                        .then(|| smoltcp::time::Duration::from_secs(self.keepidle.max(1) as u64)),
                )
            }
            SockOpt::UserTimeout => s.set_timeout(
                (self.user_timeout > 0)
                    .then(|| smoltcp::time::Duration::from_millis(self.user_timeout as u64)),
            ),
            _ => {}
        }
    }
}

#[derive(Clone, Debug)]
enum Kind {
    /// `socket()`: no smoltcp socket yet.
    Fresh,
    /// Listening: the socket in LISTEN and the connections it took.
    Listening { id: u64, queue: Vec<u64> },
    /// A connection (accepted or opened).
    Conn { id: u64 },
}

#[derive(Clone, Debug)]
struct Fd {
    nonblock: bool,
    kind: Kind,
    opts: Opts,
    /// `shutdown(SHUT_RD)`: reads see the end of the stream at once.
    /// Linux sends nothing for it (data that arrives is still acknowledged
    /// and queued), so the wire is smoltcp's as before.
    rd_shut: bool,
}

/// A call waiting on the virtual clock.
#[derive(Clone, Debug)]
struct Waiting {
    token: u32,
    call: SockCall,
    start: Duration,
}

/// The socket API's state in one session.
#[derive(Debug, Default)]
pub(super) struct Api {
    next_id: u64,
    /// Connections that reached a synchronized state at some point: one
    /// that closed without ever reaching it was refused (a RST in SYN-SENT).
    synced: std::collections::HashSet<u64>,
    fds: HashMap<i64, Fd>,
    waiting: Vec<Waiting>,
    /// Waiting calls that returned, at the virtual time they did.
    returned: Vec<Result<(u32, Duration, SockResult), TargetError>>,
    /// What the script's commands set ([`super::super::settings`]); `None`:
    /// smoltcp's own settings and the target's buffers.
    settings: Option<StackSettings>,
}

thread_local! {
    /// The session's virtual time in ms, for the TSvals smoltcp asks
    /// [`virtual_tsval`] for (its generator is a plain `fn`): set before
    /// each poll's egress, on the thread that polls.
    static TS_CLOCK_MS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// TSval (RFC 7323 §5.4): a 1 ms clock, the session's virtual time.
fn virtual_tsval() -> u32 {
    TS_CLOCK_MS.with(std::cell::Cell::get)
}

/// What one attempt at a call came to.
enum Try {
    Done(SockResult),
    WouldBlock,
}

type T = Result<Try, TargetError>;

fn done(r: SockResult) -> T {
    Ok(Try::Done(r))
}

fn unsupported(why: impl Into<String>) -> TargetError {
    TargetError::Unsupported(format!("embedded (smoltcp): {}", why.into()))
}

/// A connection's state that tells nothing about a reset: smoltcp forgets it.
fn closed_unknown(what: &str) -> TargetError {
    unsupported(format!(
        "{what} on a connection smoltcp has closed: it does not say whether it was reset \
         (Linux answers ECONNRESET or EPIPE then) or closed"
    ))
}

impl EmbeddedSession {
    fn api_index(&self, id: u64) -> Option<usize> {
        self.conns.iter().position(|c| c.api == Some(id))
    }

    fn api_socket(&mut self, id: u64) -> Option<&mut tcp::Socket<'static>> {
        let i = self.api_index(id)?;
        let h = self.conns[i].handle;
        Some(self.sockets.get_mut::<tcp::Socket>(h))
    }

    fn api_state(&self, id: u64) -> Option<tcp::State> {
        let i = self.api_index(id)?;
        Some(
            self.sockets
                .get::<tcp::Socket>(self.conns[i].handle)
                .state(),
        )
    }

    /// Takes the settings a script's commands asked for: every socket the
    /// script makes from now on gets them.
    pub(crate) fn configure(&mut self, settings: StackSettings) {
        self.api.settings = Some(settings);
    }

    /// The options a new descriptor starts with.
    fn api_default_opts(&self) -> Opts {
        let mut o = Opts::default();
        if let Some(s) = &self.api.settings {
            o.keepidle = s.keepalive_time;
        }
        o
    }

    fn api_new_socket(&mut self, opts: &Opts) -> (u64, tcp::Socket<'static>) {
        self.api.next_id += 1;
        let (rx, tx, ts) = match &self.api.settings {
            Some(s) => (s.rcvbuf, s.sndbuf, s.timestamps),
            None => (RX_BUFFER, TX_BUFFER, false),
        };
        let max = super::super::settings::MAX_BUFFER;
        let mut s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; opts.rcvbuf.unwrap_or(rx).clamp(1, max)]),
            tcp::SocketBuffer::new(vec![0; opts.sndbuf.unwrap_or(tx).clamp(1, max)]),
        );
        if ts {
            s.set_tsval_generator(Some(virtual_tsval));
        }
        opts.apply(&mut s);
        (self.api.next_id, s)
    }

    fn api_add(&mut self, id: u64, s: tcp::Socket<'static>) {
        let handle = self.sockets.add(s);
        self.conns.push(Conn {
            handle,
            service: None,
            app_driven: true,
            api: Some(id),
            clean: false,
        });
    }

    fn api_remove(&mut self, id: u64) {
        if let Some(i) = self.api_index(id) {
            let c = self.conns.remove(i);
            self.sockets.remove(c.handle);
        }
    }

    /// A fresh listener for `opts` on the session's port.
    fn api_listener(&mut self, opts: &Opts) -> Result<u64, TargetError> {
        let (id, mut s) = self.api_new_socket(opts);
        s.listen(self.port).map_err(|e| {
            TargetError::Broken(format!("smoltcp cannot listen on port {}: {e}", self.port))
        })?;
        self.api_add(id, s);
        Ok(id)
    }

    /// Keeps every listening descriptor listening: a listener that took a
    /// SYN joins its accept queue and a fresh one replaces it; a queued one
    /// back in LISTEN (a RST in SYN-RECEIVED) leaves the queue.
    pub(super) fn api_arrange(&mut self) {
        for c in &self.conns {
            if let Some(id) = c.api {
                let st = self.sockets.get::<tcp::Socket>(c.handle).state();
                if !matches!(
                    st,
                    tcp::State::Closed
                        | tcp::State::Listen
                        | tcp::State::SynSent
                        | tcp::State::SynReceived
                ) {
                    self.api.synced.insert(id);
                }
            }
        }
        let fds: Vec<i64> = self
            .api
            .fds
            .iter()
            .filter(|(_, f)| matches!(f.kind, Kind::Listening { .. }))
            .map(|(k, _)| *k)
            .collect();
        for fd in fds {
            let Some(Fd {
                kind: Kind::Listening { id, mut queue },
                opts,
                ..
            }) = self.api.fds.get(&fd).cloned()
            else {
                continue;
            };
            let mut gone = Vec::new();
            queue.retain(|q| match self.api_state(*q) {
                Some(tcp::State::Listen) => {
                    gone.push(*q);
                    false
                }
                Some(_) => true,
                None => false,
            });
            for q in gone {
                self.api_remove(q);
            }
            let mut listener = id;
            if self.api_state(id) != Some(tcp::State::Listen) {
                if self.api_index(id).is_some() {
                    queue.push(id);
                }
                match self.api_listener(&opts) {
                    Ok(new) => listener = new,
                    Err(_) => continue,
                }
            }
            if let Some(f) = self.api.fds.get_mut(&fd) {
                f.kind = Kind::Listening {
                    id: listener,
                    queue,
                };
            }
        }
    }

    /// Performs a call ([`crate::target::Session::sock_call`]).
    pub(super) fn api_call(
        &mut self,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<CallStatus, TargetError> {
        let start = self.now;
        let tried = self.api_try(call, false, start)?;
        self.step()?;
        match tried {
            Try::Done(result) => Ok(CallStatus::Done {
                at: self.now,
                result,
            }),
            Try::WouldBlock if may_block => {
                self.api.waiting.push(Waiting {
                    token,
                    call: call.clone(),
                    start,
                });
                Ok(CallStatus::Pending)
            }
            Try::WouldBlock => Ok(CallStatus::Blocked),
        }
    }

    /// A waiting call that can return now.
    pub(super) fn api_finished(
        &mut self,
    ) -> Result<Option<(u32, Duration, SockResult)>, TargetError> {
        self.api_retry();
        if self.api.returned.is_empty() {
            return Ok(None);
        }
        self.api.returned.remove(0).map(Some)
    }

    /// Retries every waiting call (after each poll of the stack, between
    /// ingress and egress, so a read takes the data the moment it arrives
    /// and the ACK that leaves shows the window it freed).
    pub(super) fn api_retry(&mut self) {
        // The TSvals of the segments this poll sends (its egress follows).
        TS_CLOCK_MS.with(|c| c.set(self.now.as_millis() as u32));
        let mut i = 0;
        while i < self.api.waiting.len() {
            let w = self.api.waiting[i].clone();
            let r = match self.api_try(&w.call, true, w.start) {
                Ok(Try::WouldBlock) => {
                    i += 1;
                    continue;
                }
                Ok(Try::Done(r)) => Ok((w.token, self.now, r)),
                Err(e) => Err(e),
            };
            self.api.waiting.remove(i);
            self.api.returned.push(r);
        }
    }

    /// A connection that closed before it was ever synchronized was
    /// refused: RFC 9293 §3.10.7.3, a RST in SYN-SENT ("connection
    /// reset", Linux's ECONNREFUSED), unless a user timeout could have
    /// ended it instead.
    fn refused(&self, id: u64, opts: &Opts) -> bool {
        !self.api.synced.contains(&id) && opts.user_timeout == 0
    }

    fn fd(&self, fd: i64) -> Option<Fd> {
        self.api.fds.get(&fd).cloned()
    }

    /// One attempt at `call`; `retry`: it has waited already (a blocked
    /// connect then only looks whether it finished).
    fn api_try(&mut self, call: &SockCall, retry: bool, start: Duration) -> T {
        let fd_of = |fd: i64| fd;
        match call {
            SockCall::Socket { fd, nonblock } => {
                if let Some(old) = self.fd(*fd) {
                    self.api_drop(&old);
                }
                self.api.fds.insert(
                    *fd,
                    Fd {
                        nonblock: *nonblock,
                        kind: Kind::Fresh,
                        opts: self.api_default_opts(),
                        rd_shut: false,
                    },
                );
                done(SockResult::ok(*fd))
            }
            SockCall::Bind { fd } => match self.fd(*fd).map(|f| f.kind) {
                None => done(SockResult::err(libc::EBADF)),
                Some(Kind::Fresh) => done(SockResult::ok(0)),
                Some(_) => done(SockResult::err(libc::EINVAL)),
            },
            SockCall::Listen { fd, .. } => {
                let Some(f) = self.fd(*fd) else {
                    return done(SockResult::err(libc::EBADF));
                };
                match f.kind {
                    Kind::Fresh => {
                        let id = self.api_listener(&f.opts)?;
                        if let Some(e) = self.api.fds.get_mut(fd) {
                            e.kind = Kind::Listening {
                                id,
                                queue: Vec::new(),
                            };
                        }
                        done(SockResult::ok(0))
                    }
                    Kind::Listening { .. } => done(SockResult::ok(0)),
                    Kind::Conn { .. } => done(SockResult::err(libc::EINVAL)),
                }
            }
            SockCall::Accept {
                fd,
                new_fd,
                nonblock,
            } => {
                let Some(f) = self.fd(*fd) else {
                    return done(SockResult::err(libc::EBADF));
                };
                let Kind::Listening { id, queue } = f.kind else {
                    return done(SockResult::err(libc::EINVAL));
                };
                let ready = queue.iter().position(|q| {
                    !matches!(
                        self.api_state(*q),
                        Some(tcp::State::SynReceived | tcp::State::Listen) | None
                    )
                });
                let Some(i) = ready else {
                    return self.would_block(f.nonblock);
                };
                let mut queue = queue;
                let conn = queue.remove(i);
                if let Some(e) = self.api.fds.get_mut(fd) {
                    e.kind = Kind::Listening { id, queue };
                }
                self.api.fds.insert(
                    *new_fd,
                    Fd {
                        nonblock: *nonblock,
                        kind: Kind::Conn { id: conn },
                        opts: f.opts,
                        rd_shut: false,
                    },
                );
                done(SockResult::ok(*new_fd))
            }
            SockCall::Connect { fd } => self.api_connect(*fd, retry),
            SockCall::SetOpt { fd, opt, value } => self.api_setopt(*fd, *opt, value),
            SockCall::GetOpt { fd, opt } => self.api_getopt(*fd, *opt),
            SockCall::Send {
                fd, bytes, flags, ..
            } => self.api_send(*fd, bytes, *flags),
            SockCall::Recv { fd, len, flags } => self.api_recv(*fd, *len, *flags),
            SockCall::Pipe { .. } | SockCall::Splice { .. } => {
                Err(unsupported("pipe and splice are not run on smoltcp"))
            }
            SockCall::RecvMsg { .. } => Err(unsupported(
                "recvmsg with msg_control or MSG_ERRQUEUE (control messages, the error queue) is not run on smoltcp",
            )),
            SockCall::Shutdown { fd, how } => match self.fd(*fd).map(|f| f.kind) {
                None => done(SockResult::err(libc::EBADF)),
                Some(Kind::Conn { id }) => {
                    let Some(s) = self.api_socket(id) else {
                        return Err(closed_unknown("shutdown"));
                    };
                    if *how != Shut::Rd {
                        s.close();
                    }
                    if *how != Shut::Wr {
                        if let Some(f) = self.api.fds.get_mut(fd) {
                            f.rd_shut = true;
                        }
                    }
                    done(SockResult::ok(0))
                }
                Some(_) => done(SockResult::err(libc::ENOTCONN)),
            },
            SockCall::Close { fd } => {
                let Some(f) = self.api.fds.remove(fd) else {
                    return done(SockResult::err(libc::EBADF));
                };
                if f.opts.linger.0 != 0 && f.opts.linger.1 != 0 {
                    return Err(unsupported(
                        "smoltcp has no lingering close (SO_LINGER > 0)",
                    ));
                }
                self.api_drop(&f);
                done(SockResult::ok(0))
            }
            SockCall::GetFl { fd } => match self.fd(*fd) {
                None => done(SockResult::err(libc::EBADF)),
                Some(f) => {
                    let nb = if f.nonblock { libc::O_NONBLOCK } else { 0 };
                    done(SockResult::ok(i64::from(libc::O_RDWR | nb)))
                }
            },
            SockCall::SetFl { fd, nonblock } => match self.api.fds.get_mut(fd) {
                None => done(SockResult::err(libc::EBADF)),
                Some(f) => {
                    f.nonblock = *nonblock;
                    done(SockResult::ok(0))
                }
            },
            SockCall::Poll { fds, timeout_ms } => {
                let mut revents = Vec::new();
                for &(fd, ev) in fds {
                    let r = self.api_revents(fd_of(fd))?;
                    revents.push(r & (ev | events::POLLERR | events::POLLHUP | events::POLLNVAL));
                }
                let n = revents.iter().filter(|r| **r != 0).count() as i64;
                let expired = *timeout_ms >= 0
                    && self.now >= start + Duration::from_millis(*timeout_ms as u64);
                if n == 0 && !expired {
                    return Ok(Try::WouldBlock);
                }
                done(SockResult::ok(n).with(CallData::Revents(revents)))
            }
            SockCall::InQueue { fd } | SockCall::OutQueue { fd } => {
                let inq = matches!(call, SockCall::InQueue { .. });
                match self.fd(*fd).map(|f| f.kind) {
                    None => done(SockResult::err(libc::EBADF)),
                    Some(Kind::Conn { id }) => match self.api_socket(id) {
                        Some(s) => {
                            let n = if inq { s.recv_queue() } else { s.send_queue() };
                            done(SockResult::ok(0).with(CallData::Opt(OptValue::Int(n as i64))))
                        }
                        None => Err(closed_unknown("ioctl")),
                    },
                    Some(_) => done(SockResult::err(libc::EINVAL)),
                }
            }
            SockCall::EpollCreate { .. }
            | SockCall::EpollCtl { .. }
            | SockCall::EpollWait { .. } => Err(unsupported("epoll is not run on smoltcp")),
        }
    }

    fn would_block(&self, nonblock: bool) -> T {
        if nonblock {
            done(SockResult::err(libc::EAGAIN))
        } else {
            Ok(Try::WouldBlock)
        }
    }

    /// Closes what a descriptor holds: a connection closes (aborts with
    /// `SO_LINGER` 0); a listener stops, resetting the connections it took
    /// that nobody accepted (as Linux does).
    fn api_drop(&mut self, f: &Fd) {
        match &f.kind {
            Kind::Fresh => {}
            Kind::Conn { id } => {
                let abort =
                    f.opts.linger == (1, 0) || (f.opts.linger.0 != 0 && f.opts.linger.1 == 0);
                if let Some(s) = self.api_socket(*id) {
                    if abort {
                        s.abort();
                    } else {
                        s.close();
                    }
                }
            }
            Kind::Listening { id, queue } => {
                self.api_remove(*id);
                for q in queue {
                    if let Some(s) = self.api_socket(*q) {
                        s.abort();
                    }
                }
            }
        }
    }

    fn api_connect(&mut self, fd: i64, retry: bool) -> T {
        let Some(f) = self.fd(fd) else {
            return done(SockResult::err(libc::EBADF));
        };
        match f.kind {
            Kind::Fresh => {
                let (id, mut s) = self.api_new_socket(&f.opts);
                let (remote, local) = (self.info.harness, self.info.target);
                s.connect(self.iface.context(), remote, local)
                    .map_err(|e| unsupported(format!("smoltcp refused to connect: {e}")))?;
                self.api_add(id, s);
                if let Some(e) = self.api.fds.get_mut(&fd) {
                    e.kind = Kind::Conn { id };
                }
                if f.nonblock {
                    done(SockResult::err(libc::EINPROGRESS))
                } else {
                    Ok(Try::WouldBlock)
                }
            }
            Kind::Conn { id } => match self.api_state(id) {
                Some(tcp::State::SynSent | tcp::State::SynReceived) => {
                    if retry {
                        Ok(Try::WouldBlock)
                    } else if f.nonblock {
                        done(SockResult::err(libc::EALREADY))
                    } else {
                        Ok(Try::WouldBlock)
                    }
                }
                Some(tcp::State::Closed) | None if retry && self.refused(id, &f.opts) => {
                    done(SockResult::err(libc::ECONNREFUSED))
                }
                Some(tcp::State::Closed) | None => Err(closed_unknown("connect")),
                Some(_) if retry => done(SockResult::ok(0)),
                Some(_) => done(SockResult::err(libc::EISCONN)),
            },
            Kind::Listening { .. } => done(SockResult::err(libc::EINVAL)),
        }
    }

    fn api_setopt(&mut self, fd: i64, opt: SockOpt, value: &OptValue) -> T {
        let Some(mut f) = self.fd(fd) else {
            return done(SockResult::err(libc::EBADF));
        };
        let int = match value {
            OptValue::Int(v) => *v,
            _ => 0,
        };
        let live = !matches!(f.kind, Kind::Fresh);
        match opt {
            SockOpt::ReuseAddr => f.opts.reuseaddr = int,
            SockOpt::ReusePort => f.opts.reuseport = int,
            SockOpt::Linger => {
                if let OptValue::Linger { onoff, linger } = value {
                    f.opts.linger = (*onoff, *linger);
                }
            }
            SockOpt::RcvBuf | SockOpt::SndBuf if live => {
                return Err(unsupported(
                    "smoltcp cannot resize a socket's buffers once it listens or connects",
                ))
            }
            SockOpt::RcvBuf => f.opts.rcvbuf = Some(int.max(1) as usize),
            SockOpt::SndBuf => f.opts.sndbuf = Some(int.max(1) as usize),
            SockOpt::KeepAlive => f.opts.keepalive = int != 0,
            SockOpt::KeepIdle => f.opts.keepidle = int,
            SockOpt::NoDelay => f.opts.nodelay = int != 0,
            SockOpt::UserTimeout => f.opts.user_timeout = int,
            other => {
                return Err(unsupported(format!(
                    "smoltcp has no {} (options run: SO_REUSEADDR, SO_REUSEPORT, SO_LINGER 0, \
                     SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_NODELAY, TCP_USER_TIMEOUT)",
                    other.name()
                )))
            }
        }
        let ids: Vec<u64> = match &f.kind {
            Kind::Fresh => Vec::new(),
            Kind::Conn { id } => vec![*id],
            Kind::Listening { id, .. } => vec![*id],
        };
        for id in ids {
            let opts = f.opts.clone();
            if let Some(s) = self.api_socket(id) {
                opts.apply_one(s, opt);
            }
        }
        self.api.fds.insert(fd, f);
        done(SockResult::ok(0))
    }

    fn api_getopt(&mut self, fd: i64, opt: SockOpt) -> T {
        let Some(f) = self.fd(fd) else {
            return done(SockResult::err(libc::EBADF));
        };
        let v = match opt {
            SockOpt::ReuseAddr => f.opts.reuseaddr,
            SockOpt::ReusePort => f.opts.reuseport,
            SockOpt::KeepAlive => i64::from(f.opts.keepalive),
            SockOpt::KeepIdle => f.opts.keepidle,
            SockOpt::NoDelay => i64::from(f.opts.nodelay),
            SockOpt::UserTimeout => f.opts.user_timeout,
            SockOpt::Linger => {
                let (onoff, linger) = f.opts.linger;
                return done(
                    SockResult::ok(0).with(CallData::Opt(OptValue::Linger { onoff, linger })),
                );
            }
            SockOpt::Error => match f.kind {
                Kind::Conn { id } => match self.api_state(id) {
                    Some(tcp::State::Closed) | None if self.refused(id, &f.opts) => {
                        i64::from(libc::ECONNREFUSED)
                    }
                    Some(tcp::State::Closed) | None => return Err(closed_unknown("SO_ERROR")),
                    Some(_) => 0,
                },
                _ => 0,
            },
            other => {
                return Err(unsupported(format!(
                    "getsockopt {} is not read on smoltcp",
                    other.name()
                )))
            }
        };
        done(SockResult::ok(0).with(CallData::Opt(OptValue::Int(v))))
    }

    fn api_send(&mut self, fd: i64, bytes: &[u8], flags: i64) -> T {
        let known = i64::from(libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL);
        if flags & !known != 0 {
            return Err(unsupported(
                "send flags other than MSG_DONTWAIT and MSG_NOSIGNAL are not run on smoltcp (MSG_FASTOPEN, MSG_MORE, MSG_EOR …)",
            ));
        }
        let Some(f) = self.fd(fd) else {
            return done(SockResult::err(libc::EBADF));
        };
        let nonblock = f.nonblock || flags & i64::from(libc::MSG_DONTWAIT) != 0;
        let Kind::Conn { id } = f.kind else {
            return done(SockResult::err(libc::EPIPE));
        };
        let Some(s) = self.api_socket(id) else {
            return Err(closed_unknown("write"));
        };
        match s.state() {
            tcp::State::SynSent | tcp::State::SynReceived => return self.would_block(nonblock),
            tcp::State::Established | tcp::State::CloseWait => {}
            tcp::State::Closed => return Err(closed_unknown("write")),
            _ => return done(SockResult::err(libc::EPIPE)),
        }
        let room = s.send_capacity() - s.send_queue();
        if room == 0 && !bytes.is_empty() {
            return self.would_block(nonblock);
        }
        if room < bytes.len() && !nonblock {
            return Err(unsupported(
                "a blocking write that must wait for send-buffer room is not run on smoltcp",
            ));
        }
        match s.send_slice(bytes) {
            Ok(n) => done(SockResult::ok(n as i64)),
            Err(_) => Err(closed_unknown("write")),
        }
    }

    fn api_recv(&mut self, fd: i64, len: usize, flags: i64) -> T {
        let known = i64::from(libc::MSG_DONTWAIT | libc::MSG_PEEK);
        if flags & !known != 0 {
            return Err(unsupported(
                "recv flags other than MSG_DONTWAIT and MSG_PEEK are not run on smoltcp",
            ));
        }
        let Some(f) = self.fd(fd) else {
            return done(SockResult::err(libc::EBADF));
        };
        let nonblock = f.nonblock || flags & i64::from(libc::MSG_DONTWAIT) != 0;
        let Kind::Conn { id } = f.kind else {
            return done(SockResult::err(libc::ENOTCONN));
        };
        if f.rd_shut {
            // As Linux after SHUT_RD: end of stream, whatever is queued.
            return done(SockResult::ok(0).with(CallData::Bytes(Vec::new())));
        }
        let Some(s) = self.api_socket(id) else {
            return Err(closed_unknown("read"));
        };
        let mut buf = vec![0; len];
        let got = if flags & i64::from(libc::MSG_PEEK) != 0 {
            s.peek_slice(&mut buf)
        } else {
            s.recv_slice(&mut buf)
        };
        match got {
            Ok(n) if n > 0 || len == 0 => {
                buf.truncate(n);
                done(SockResult::ok(n as i64).with(CallData::Bytes(buf)))
            }
            Ok(_) => match s.state() {
                tcp::State::Closed => Err(closed_unknown("read")),
                _ => self.would_block(nonblock),
            },
            // The peer's FIN and every byte before it read: end of stream.
            Err(tcp::RecvError::Finished) => {
                done(SockResult::ok(0).with(CallData::Bytes(Vec::new())))
            }
            Err(_) => match s.state() {
                tcp::State::SynSent | tcp::State::SynReceived => self.would_block(nonblock),
                _ => Err(closed_unknown("read")),
            },
        }
    }

    /// What `poll` says of one descriptor now.
    fn api_revents(&mut self, fd: i64) -> Result<u32, TargetError> {
        let Some(f) = self.fd(fd) else {
            return Ok(events::POLLNVAL);
        };
        match f.kind {
            Kind::Fresh => Err(unsupported(
                "poll on a socket that neither listens nor connects is not run on smoltcp",
            )),
            Kind::Listening { queue, .. } => {
                let ready = queue.iter().any(|q| {
                    !matches!(
                        self.api_state(*q),
                        Some(tcp::State::SynReceived | tcp::State::Listen) | None
                    )
                });
                Ok(if ready { events::POLLIN } else { 0 })
            }
            Kind::Conn { id } => {
                let Some(s) = self.api_socket(id) else {
                    return Err(closed_unknown("poll"));
                };
                let mut r = 0;
                let peer_fin = matches!(
                    s.state(),
                    tcp::State::CloseWait
                        | tcp::State::LastAck
                        | tcp::State::Closing
                        | tcp::State::TimeWait
                );
                if s.recv_queue() > 0 || peer_fin {
                    r |= events::POLLIN | events::POLLRDNORM;
                }
                if peer_fin {
                    r |= events::POLLRDHUP;
                }
                if f.rd_shut {
                    r |= events::POLLIN | events::POLLRDNORM | events::POLLRDHUP;
                }
                match s.state() {
                    tcp::State::Established | tcp::State::CloseWait
                        if s.send_queue() < s.send_capacity() =>
                    {
                        r |= events::POLLOUT | events::POLLWRNORM;
                    }
                    tcp::State::Closed => return Err(closed_unknown("poll")),
                    _ => {}
                }
                Ok(r)
            }
        }
    }
}
