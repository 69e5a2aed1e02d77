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

#[path = "sockets_table.rs"]
mod table;

use super::EmbeddedSession;
use crate::target::calls::{
    events, CallData, CallStatus, OptValue, Shut, SockCall, SockOpt, SockResult,
};
use crate::target::TargetError;
use smoltcp::socket::tcp;
use std::time::Duration;
pub(super) use table::Api;
use table::{Fd, Kind, Waiting, TS_CLOCK_MS};

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
