//! The socket API's descriptor table on smoltcp: what each of a script's
//! descriptors holds (its options, its smoltcp sockets, a listener's accept
//! queue) and the bookkeeping that keeps listeners listening. The calls that
//! use it are in the `sockets` module.

use super::super::{Conn, EmbeddedSession, RX_BUFFER, TX_BUFFER};
use crate::target::calls::{SockCall, SockOpt, SockResult};
use crate::target::embedded::settings::{StackSettings, MAX_BUFFER};
use crate::target::TargetError;
use smoltcp::socket::tcp;
use std::collections::HashMap;
use std::time::Duration;

/// Linux's keep-alive idle time before `TCP_KEEPIDLE` changes it.
const DEFAULT_KEEPIDLE: i64 = 7200;

/// The options a descriptor holds (smoltcp's socket gets those it has).
#[derive(Clone, Debug)]
pub(super) struct Opts {
    pub(super) reuseaddr: i64,
    pub(super) reuseport: i64,
    pub(super) linger: (i64, i64),
    pub(super) rcvbuf: Option<usize>,
    pub(super) sndbuf: Option<usize>,
    pub(super) nodelay: bool,
    pub(super) keepalive: bool,
    pub(super) keepidle: i64,
    pub(super) user_timeout: i64,
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
    pub(super) fn apply(&self, s: &mut tcp::Socket<'static>) {
        for opt in [SockOpt::NoDelay, SockOpt::KeepAlive, SockOpt::UserTimeout] {
            self.apply_one(s, opt);
        }
    }

    /// The option `opt` changed: only what it sets (smoltcp winds its
    /// keep-alive timer each time keep-alive is set).
    pub(super) fn apply_one(&self, s: &mut tcp::Socket<'static>, opt: SockOpt) {
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
pub(super) enum Kind {
    /// `socket()`: no smoltcp socket yet.
    Fresh,
    /// Listening: the socket in LISTEN and the connections it took.
    Listening { id: u64, queue: Vec<u64> },
    /// A connection (accepted or opened).
    Conn { id: u64 },
}

#[derive(Clone, Debug)]
pub(super) struct Fd {
    pub(super) nonblock: bool,
    pub(super) kind: Kind,
    pub(super) opts: Opts,
    /// `shutdown(SHUT_RD)`: reads see the end of the stream at once.
    /// Linux sends nothing for it (data that arrives is still acknowledged
    /// and queued), so the wire is smoltcp's as before.
    pub(super) rd_shut: bool,
}

/// A call waiting on the virtual clock.
#[derive(Clone, Debug)]
pub(super) struct Waiting {
    pub(super) token: u32,
    pub(super) call: SockCall,
    pub(super) start: Duration,
}

/// The socket API's state in one session.
#[derive(Debug, Default)]
pub(in crate::target::embedded) struct Api {
    pub(super) next_id: u64,
    /// Connections that reached a synchronized state at some point: one
    /// that closed without ever reaching it was refused (a RST in SYN-SENT).
    pub(super) synced: std::collections::HashSet<u64>,
    pub(super) fds: HashMap<i64, Fd>,
    pub(super) waiting: Vec<Waiting>,
    /// Waiting calls that returned, at the virtual time they did.
    pub(super) returned: Vec<Result<(u32, Duration, SockResult), TargetError>>,
    /// What the script's commands set ([`super::super::settings`]); `None`:
    /// smoltcp's own settings and the target's buffers.
    pub(super) settings: Option<StackSettings>,
}

thread_local! {
    /// The session's virtual time in ms, for the TSvals smoltcp asks
    /// [`virtual_tsval`] for (its generator is a plain `fn`): set before
    /// each poll's egress, on the thread that polls.
    pub(super) static TS_CLOCK_MS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// TSval (RFC 7323 §5.4): a 1 ms clock, the session's virtual time.
fn virtual_tsval() -> u32 {
    TS_CLOCK_MS.with(std::cell::Cell::get)
}

impl EmbeddedSession {
    pub(super) fn api_index(&self, id: u64) -> Option<usize> {
        self.conns.iter().position(|c| c.api == Some(id))
    }

    pub(super) fn api_socket(&mut self, id: u64) -> Option<&mut tcp::Socket<'static>> {
        let i = self.api_index(id)?;
        let h = self.conns[i].handle;
        Some(self.sockets.get_mut::<tcp::Socket>(h))
    }

    pub(super) fn api_state(&self, id: u64) -> Option<tcp::State> {
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
    pub(super) fn api_default_opts(&self) -> Opts {
        let mut o = Opts::default();
        if let Some(s) = &self.api.settings {
            o.keepidle = s.keepalive_time;
        }
        o
    }

    pub(super) fn api_new_socket(&mut self, opts: &Opts) -> (u64, tcp::Socket<'static>) {
        self.api.next_id += 1;
        let (rx, tx, ts) = match &self.api.settings {
            Some(s) => (s.rcvbuf, s.sndbuf, s.timestamps),
            None => (RX_BUFFER, TX_BUFFER, false),
        };
        let max = MAX_BUFFER;
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

    pub(super) fn api_add(&mut self, id: u64, s: tcp::Socket<'static>) {
        let handle = self.sockets.add(s);
        self.conns.push(Conn {
            handle,
            service: None,
            app_driven: true,
            api: Some(id),
            clean: false,
        });
    }

    pub(super) fn api_remove(&mut self, id: u64) {
        if let Some(i) = self.api_index(id) {
            let c = self.conns.remove(i);
            self.sockets.remove(c.handle);
        }
    }

    /// A fresh listener for `opts` on the session's port.
    pub(super) fn api_listener(&mut self, opts: &Opts) -> Result<u64, TargetError> {
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
    pub(in crate::target::embedded) fn api_arrange(&mut self) {
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

    /// A connection that closed before it was ever synchronized was
    /// refused: RFC 9293 §3.10.7.3, a RST in SYN-SENT ("connection
    /// reset", Linux's ECONNREFUSED), unless a user timeout could have
    /// ended it instead.
    pub(super) fn refused(&self, id: u64, opts: &Opts) -> bool {
        !self.api.synced.contains(&id) && opts.user_timeout == 0
    }

    pub(super) fn fd(&self, fd: i64) -> Option<Fd> {
        self.api.fds.get(&fd).cloned()
    }
}
