//! `synack agent`: synack's own agent for Linux. It performs the
//! application's side with the same code the lab uses locally (the lab's
//! built-in services and their registry of connections), and reads socket
//! state from `NETLINK_SOCK_DIAG` as `ss` does.
//!
//! It binds only the control address it is given, answers only a harness
//! whose first line is a `hello` with its token, and ties everything a
//! control connection made (listeners, connections) to that connection:
//! when the harness goes, even killed, they close.

use super::protocol::{self, How, Op, Reply, Request};
use crate::target::lab::services::{Registry, Services};
use crate::target::lab::{linux_tcp_state, SockInfo};
use crate::target::sys::{self, netlink::Netlink};
use crate::target::{AppAction, AppOutcome, Service, TargetError};
use crate::wire::TcpState;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The agent's name and version at `hello`.
pub const AGENT_NAME: &str = concat!("synack-agent ", env!("CARGO_PKG_VERSION"));

/// Longest request line the agent reads (a 1 MiB `write`, in hex).
const MAX_LINE: u64 = 4 << 20;

/// How long a call waits for the service to accept the connection.
const ACCEPT_WAIT: Duration = Duration::from_millis(500);

/// The longest wait a request may ask for.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// How the agent runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentOptions {
    /// The control address to listen on (never the interface under test).
    pub listen: SocketAddr,
    /// The token a harness must present.
    pub token: String,
    /// Serve one control connection, then exit (tests).
    pub once: bool,
}

/// Binds the control address; `serve` then answers on it.
pub fn bind(opts: &AgentOptions) -> Result<TcpListener, TargetError> {
    if opts.token.is_empty() {
        return Err(TargetError::Unsupported(
            "the agent needs a token (--token or SYNACK_AGENT_TOKEN)".into(),
        ));
    }
    TcpListener::bind(opts.listen)
        .map_err(|e| TargetError::Io(format!("agent: cannot listen on {}: {e}", opts.listen)))
}

/// Answers control connections on `listener`, one thread each.
pub fn serve(listener: TcpListener, opts: &AgentOptions) -> Result<(), TargetError> {
    loop {
        let (stream, from) = listener
            .accept()
            .map_err(|e| TargetError::Io(format!("agent: accept: {e}")))?;
        let token = opts.token.clone();
        let handle = std::thread::Builder::new()
            .name("synack-agent-ctl".into())
            .spawn(move || {
                if let Err(e) = control(stream, &token) {
                    eprintln!("synack agent: control connection from {from}: {e}");
                }
            })
            .map_err(|e| TargetError::Io(format!("agent: cannot start a thread: {e}")))?;
        if opts.once {
            let _ = handle.join();
            return Ok(());
        }
    }
}

/// What one control connection made.
struct Control {
    services: Services,
    diag: Netlink,
    /// `connect` failures, by remote, for the calls that follow.
    connect_errors: Arc<Mutex<HashMap<SocketAddr, String>>>,
    /// The socket API: the lab's performer, per session.
    calls: super::calls::Calls,
}

impl Drop for Control {
    fn drop(&mut self) {
        self.services.stop();
    }
}

fn write_reply(w: &mut TcpStream, r: &Reply) -> std::io::Result<()> {
    let mut line = serde_json::to_string(r).map_err(std::io::Error::other)?;
    line.push('\n');
    w.write_all(line.as_bytes())
}

/// One harness: hello with the token first, then requests until it goes.
fn control(stream: TcpStream, token: &str) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    let mut ctl: Option<Control> = None;
    loop {
        let mut line = String::new();
        let n = (&mut lines).take(MAX_LINE).read_line(&mut line)?;
        if n == 0 {
            return Ok(()); // the harness went: `ctl` drops, everything closes
        }
        let req: Request = match serde_json::from_str(line.trim_end()) {
            Ok(r) => r,
            Err(e) => {
                // Without an id to answer to: id 0, then hang up.
                write_reply(&mut out, &Reply::error(0, format!("not a request: {e}")))?;
                return Ok(());
            }
        };
        let reply = match (&mut ctl, req.op) {
            (None, Op::Hello { token: given }) => {
                if !same(&given, token) {
                    write_reply(&mut out, &Reply::error(req.id, "wrong token"))?;
                    return Ok(());
                }
                let diag = Netlink::sock_diag()
                    .map_err(|e| std::io::Error::other(format!("open sock_diag: {e}")))?;
                let calls = super::calls::Calls::new().map_err(std::io::Error::other)?;
                ctl = Some(Control {
                    services: Services::default(),
                    diag,
                    connect_errors: Arc::default(),
                    calls,
                });
                hello(req.id)
            }
            (None, _) => {
                write_reply(
                    &mut out,
                    &Reply::error(req.id, "say hello with the token first"),
                )?;
                return Ok(());
            }
            (Some(_), Op::Hello { .. }) => Reply::error(req.id, "hello twice"),
            (Some(c), op) => c.perform(req.id, op),
        };
        write_reply(&mut out, &reply)?;
    }
}

/// Compares tokens in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn hello(id: u64) -> Reply {
    let mut ops: Vec<String> = protocol::CORE_OPS.iter().map(|s| s.to_string()).collect();
    ops.extend(protocol::EXTENDED_OPS.iter().map(|s| s.to_string()));
    Reply {
        agent: Some(AGENT_NAME.into()),
        version: Some(protocol::VERSION),
        ops,
        services: Service::ALL.iter().map(|s| s.to_string()).collect(),
        ..Reply::done(id)
    }
}

fn ms(v: Option<u64>, default: Duration) -> Duration {
    v.map_or(default, Duration::from_millis).min(MAX_WAIT)
}

/// The outcome of an action as a reply.
fn outcome(id: u64, r: Result<AppOutcome, TargetError>) -> Reply {
    match r {
        Ok(AppOutcome::Done) => Reply::done(id),
        Ok(AppOutcome::Wrote(n)) => Reply {
            wrote: Some(n),
            ..Reply::done(id)
        },
        Ok(AppOutcome::Read(bytes)) => Reply {
            data: Some(protocol::to_hex(&bytes)),
            ..Reply::done(id)
        },
        Ok(AppOutcome::Refused(why)) => Reply::refused(id, why),
        Err(TargetError::Unsupported(why)) => Reply::unsupported(id, why),
        Err(e) => Reply::error(id, e.to_string()),
    }
}

impl Control {
    fn registry(&self) -> &Arc<Registry> {
        self.services.registry()
    }

    /// A refusal for calls on a connection whose `connect` failed.
    fn connect_error(&self, peer: SocketAddr) -> Option<String> {
        self.connect_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&peer)
            .cloned()
    }

    fn act(&self, id: u64, peer: SocketAddr, action: AppAction) -> Reply {
        if let Some(why) = self.connect_error(peer) {
            return Reply::refused(id, why);
        }
        outcome(id, self.registry().act(peer, &action, ACCEPT_WAIT))
    }

    /// The connection from `peer`, waiting up to `wait` for it.
    fn stream(&self, peer: SocketAddr, wait: Duration) -> Result<Arc<TcpStream>, String> {
        if let Some(why) = self.connect_error(peer) {
            return Err(why);
        }
        self.registry()
            .connection(peer, wait)
            .map(|(_, s)| s)
            .ok_or_else(|| format!("no open connection with {peer}"))
    }

    fn perform(&mut self, id: u64, op: Op) -> Reply {
        match op {
            Op::Call {
                local,
                peer,
                call,
                may_block,
                token,
            } => self.calls.call(id, local, peer, &call, may_block, token),
            Op::Finished { local, peer } => self.calls.finished(id, local, peer),
            Op::Release { local, peer } => self.calls.release(id, local, peer),
            Op::Hello { .. } => Reply::error(id, "hello twice"),
            Op::Listen {
                local,
                service,
                peer,
                close_delay_ms,
            } => {
                let service = match service.as_deref().unwrap_or("silent").parse::<Service>() {
                    Ok(s) => s,
                    Err(e) => return Reply::unsupported(id, e.to_string()),
                };
                if let (Some(peer), Some(d)) = (peer, close_delay_ms) {
                    self.registry()
                        .set_close_delay(peer, Duration::from_millis(d));
                }
                let bound = self.services.ensure(local, service, || {
                    TcpListener::bind(local)
                        .map_err(|e| TargetError::Io(format!("bind {local}: {e}")))
                });
                match bound {
                    Ok(()) => Reply::done(id),
                    Err(e) => Reply::refused(id, e.to_string()),
                }
            }
            Op::Accept { peer, timeout_ms } => {
                match self.stream(peer, ms(timeout_ms, ACCEPT_WAIT)) {
                    Ok(_) => Reply::done(id),
                    Err(why) => Reply::refused(id, why),
                }
            }
            Op::Connect { remote } => {
                let registry = Arc::clone(self.registry());
                let errors = Arc::clone(&self.connect_errors);
                let spawned = std::thread::Builder::new()
                    .name("synack-agent-connect".into())
                    .spawn(move || {
                        match TcpStream::connect_timeout(&remote, Duration::from_secs(10)) {
                            Ok(s) => {
                                registry.add(remote, Arc::new(s));
                            }
                            Err(e) => {
                                errors
                                    .lock()
                                    .unwrap_or_else(PoisonError::into_inner)
                                    .insert(remote, format!("connect: {e}"));
                            }
                        }
                    });
                match spawned {
                    Ok(_) => Reply::done(id),
                    Err(e) => Reply::error(id, format!("cannot start a thread: {e}")),
                }
            }
            Op::Read {
                peer,
                max,
                timeout_ms,
            } => {
                if let Some(t) = timeout_ms {
                    // A blocking read: wait for the data first.
                    match self.stream(peer, ACCEPT_WAIT) {
                        Ok(s) => {
                            let _ = sys::poll_readable(s.as_fd(), Some(ms(Some(t), MAX_WAIT)));
                        }
                        Err(why) => return Reply::refused(id, why),
                    }
                }
                self.act(id, peer, AppAction::Read(max.min(1 << 20)))
            }
            Op::Write { peer, data } => match protocol::from_hex(&data) {
                Ok(bytes) => self.act(id, peer, AppAction::Write(bytes)),
                Err(e) => Reply::error(id, e.to_string()),
            },
            Op::Shutdown { peer, how } => match how {
                How::Wr => self.act(id, peer, AppAction::ShutdownWrite),
                How::Rd | How::Rdwr => match self.stream(peer, ACCEPT_WAIT) {
                    Ok(s) => {
                        let h = if how == How::Rd {
                            Shutdown::Read
                        } else {
                            Shutdown::Both
                        };
                        match s.shutdown(h) {
                            Ok(()) => Reply::done(id),
                            Err(e) => Reply::refused(id, format!("shutdown: {e}")),
                        }
                    }
                    Err(why) => Reply::refused(id, why),
                },
            },
            Op::Close { peer } => self.act(id, peer, AppAction::Close),
            Op::Abort { peer } => self.act(id, peer, AppAction::Abort),
            Op::State { local, peer } => match self.state(local, peer) {
                Ok(info) => Reply {
                    state: Some(ss_name(info.map_or(TcpState::Closed, |i| i.state)).into()),
                    recv_q: info.map(|i| i.recv_q),
                    send_q: info.map(|i| i.send_q),
                    ..Reply::done(id)
                },
                Err(e) => Reply::error(id, e),
            },
            Op::Setsockopt { peer, name, value } => {
                let s = match self.stream(peer, ACCEPT_WAIT) {
                    Ok(s) => s,
                    Err(why) => return Reply::refused(id, why),
                };
                let r = match name.as_str() {
                    "TCP_NODELAY" => s.set_nodelay(value != 0),
                    "IP_TTL" => s.set_ttl(value.clamp(0, 255) as u32),
                    other => {
                        return Reply::unsupported(id, format!("setsockopt {other}"));
                    }
                };
                match r {
                    Ok(()) => Reply::done(id),
                    Err(e) => Reply::refused(id, format!("setsockopt {name}: {e}")),
                }
            }
            Op::Getsockopt { peer, name } => {
                let s = match self.stream(peer, ACCEPT_WAIT) {
                    Ok(s) => s,
                    Err(why) => return Reply::refused(id, why),
                };
                let r = match name.as_str() {
                    "TCP_NODELAY" => s.nodelay().map(i64::from),
                    "IP_TTL" => s.ttl().map(i64::from),
                    "SO_ERROR" => s
                        .take_error()
                        .map(|e| e.and_then(|e| e.raw_os_error()).map_or(0, i64::from)),
                    other => return Reply::unsupported(id, format!("getsockopt {other}")),
                };
                match r {
                    Ok(v) => Reply {
                        value: Some(v),
                        ..Reply::done(id)
                    },
                    Err(e) => Reply::refused(id, format!("getsockopt {name}: {e}")),
                }
            }
            Op::Poll {
                peer,
                events,
                timeout_ms,
            } => {
                if let Some(other) = events.iter().find(|e| e.as_str() != "in") {
                    return Reply::unsupported(id, format!("poll for `{other}`"));
                }
                match self.stream(peer, ACCEPT_WAIT) {
                    Ok(s) => {
                        match sys::poll_readable(s.as_fd(), Some(ms(Some(timeout_ms), MAX_WAIT))) {
                            Ok(ready) => Reply {
                                value: Some(i64::from(ready)),
                                ..Reply::done(id)
                            },
                            Err(e) => Reply::error(id, format!("poll: {e}")),
                        }
                    }
                    Err(why) => Reply::refused(id, why),
                }
            }
        }
    }

    /// The socket `local` ↔ `peer` as `ss` shows it; `None`: no such socket.
    fn state(&mut self, local: SocketAddr, peer: SocketAddr) -> Result<Option<SockInfo>, String> {
        let mut found = Vec::new();
        let tables: &[bool] = if peer.is_ipv6() {
            &[true]
        } else {
            &[false, true]
        };
        for &v6 in tables {
            let table = self
                .diag
                .tcp_sockets(v6)
                .map_err(|e| format!("sock_diag: {e}"))?;
            found.extend(
                table
                    .into_iter()
                    .filter(|s| same_end(s.local, local) && same_end(s.remote, peer))
                    .filter_map(|s| {
                        Some(SockInfo {
                            state: linux_tcp_state(s.state)?,
                            recv_q: s.recv_q,
                            send_q: s.send_q,
                        })
                    }),
            );
        }
        // A TIME-WAIT remnant and a live connection may share the 4-tuple:
        // the live one first. A socket the application still holds after
        // its connection went to TIME-WAIT reads CLOSED beside the TIME-WAIT
        // one: TIME-WAIT then (as the lab's socket_info orders them).
        found.sort_by_key(|s| match s.state {
            TcpState::TimeWait => 1,
            TcpState::Closed => 2,
            _ => 0,
        });
        Ok(found.first().copied())
    }
}

/// Same port and address, a v4-mapped IPv6 address counting as its IPv4 one.
fn same_end(a: SocketAddr, b: SocketAddr) -> bool {
    let unmap = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
        v4 => v4,
    };
    a.port() == b.port() && unmap(a.ip()) == unmap(b.ip())
}

/// A state as `ss` spells it.
pub fn ss_name(s: TcpState) -> &'static str {
    match s {
        TcpState::Closed => "CLOSED",
        TcpState::Listen => "LISTEN",
        TcpState::SynSent => "SYN-SENT",
        TcpState::SynReceived => "SYN-RECV",
        TcpState::Established => "ESTAB",
        TcpState::FinWait1 => "FIN-WAIT-1",
        TcpState::FinWait2 => "FIN-WAIT-2",
        TcpState::CloseWait => "CLOSE-WAIT",
        TcpState::Closing => "CLOSING",
        TcpState::LastAck => "LAST-ACK",
        TcpState::TimeWait => "TIME-WAIT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ss_spellings_parse_back_to_the_same_state() {
        for s in TcpState::ALL {
            assert_eq!(ss_name(s).parse::<TcpState>(), Ok(s));
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same("s3cret", "s3cret"));
        assert!(!same("s3cret", "s3cres"));
        assert!(!same("s3cret", "s3cret!"));
        assert!(!same("", "x"));
    }

    #[test]
    fn mapped_addresses_are_the_same_end() {
        let a: SocketAddr = "[::ffff:192.0.2.1]:80".parse().unwrap();
        let b: SocketAddr = "192.0.2.1:80".parse().unwrap();
        assert!(same_end(a, b));
        assert!(!same_end(a, "192.0.2.1:81".parse().unwrap()));
    }
}
