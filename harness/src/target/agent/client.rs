//! The harness's end of a control connection to an agent.

use super::protocol::{self, How, Op, Reply, Request};
use crate::target::calls::{CallStatus, SockCall, SockResult};
use crate::target::{AppAction, AppOutcome, TargetError};
use crate::wire::TcpState;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the harness waits to reach an agent.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long an agent may take to answer, beyond what the request itself
/// asks it to wait.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest reply line the harness reads (a `read` of 1 MiB, in hex).
const MAX_LINE: u64 = 4 << 20;

/// Where the agent is, and the token it wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentAddr {
    /// The agent's control address (`--agent`).
    pub addr: SocketAddr,
    /// The shared secret it checks at `hello` (`--agent-token`).
    pub token: String,
}

#[derive(Debug)]
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    next_id: u64,
}

/// A control connection, shared by the sessions of one target (requests
/// are serialised).
#[derive(Debug)]
pub struct AgentClient {
    addr: SocketAddr,
    conn: Mutex<Conn>,
    /// From `hello`: the agent's name and version.
    pub name: String,
    /// From `hello`: every operation the agent implements.
    pub ops: Vec<String>,
    /// From `hello`: the built-in services it runs.
    pub services: Vec<String>,
}

impl AgentClient {
    /// Connects and says hello with the token. Errors say what to check.
    pub fn connect(agent: &AgentAddr) -> Result<AgentClient, TargetError> {
        let addr = agent.addr;
        let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| {
            TargetError::Io(format!(
                "cannot reach the agent at {addr}: {e} (is `synack agent --listen {addr}` running on the target host?)"
            ))
        })?;
        AgentClient::over(stream, agent)
    }

    /// Says hello with the token over a control connection already made
    /// (the tap target connects inside its namespace).
    pub fn over(stream: TcpStream, agent: &AgentAddr) -> Result<AgentClient, TargetError> {
        let addr = agent.addr;
        let _ = stream.set_nodelay(true);
        let writer = stream
            .try_clone()
            .map_err(|e| TargetError::Io(format!("agent at {addr}: {e}")))?;
        let mut client = AgentClient {
            addr,
            conn: Mutex::new(Conn {
                reader: BufReader::new(stream),
                writer,
                next_id: 1,
            }),
            name: String::new(),
            ops: Vec::new(),
            services: Vec::new(),
        };
        let hello = client.call(
            Op::Hello {
                token: agent.token.clone(),
            },
            Duration::ZERO,
        )?;
        if !hello.ok {
            return Err(TargetError::Broken(format!(
                "the agent at {addr} refused hello: {}",
                why(&hello)
            )));
        }
        if hello.version != Some(protocol::VERSION) {
            return Err(TargetError::Broken(format!(
                "the agent at {addr} speaks protocol version {:?}; this harness speaks {}",
                hello.version,
                protocol::VERSION
            )));
        }
        for core in protocol::CORE_OPS {
            if !hello.ops.iter().any(|o| o == core) {
                return Err(TargetError::Broken(format!(
                    "the agent at {addr} lacks the core operation `{core}` (it lists {:?})",
                    hello.ops
                )));
            }
        }
        client.name = hello.agent.unwrap_or_default();
        client.ops = hello.ops;
        client.services = hello.services;
        Ok(client)
    }

    /// Whether the agent implements `op`.
    pub fn has(&self, op: &str) -> bool {
        self.ops.iter().any(|o| o == op)
    }

    /// Sends one request and reads its reply. `waits`: how long the
    /// request itself may make the agent wait.
    pub fn call(&self, op: Op, waits: Duration) -> Result<Reply, TargetError> {
        if !matches!(op, Op::Hello { .. }) && !self.ops.is_empty() && !self.has(op.name()) {
            return Err(TargetError::Unsupported(format!(
                "the agent at {} does not implement `{}`",
                self.addr,
                op.name()
            )));
        }
        let addr = self.addr;
        let broken = |what: String| TargetError::Broken(format!("agent at {addr}: {what}"));
        let mut c = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let id = c.next_id;
        c.next_id += 1;
        let mut line = serde_json::to_string(&Request { id, op })
            .map_err(|e| broken(format!("cannot encode a request: {e}")))?;
        line.push('\n');
        c.writer
            .write_all(line.as_bytes())
            .map_err(|e| broken(format!("send: {e}")))?;
        c.reader
            .get_ref()
            .set_read_timeout(Some(REPLY_TIMEOUT + waits))
            .map_err(|e| broken(format!("{e}")))?;
        let mut reply = String::new();
        let n = (&mut c.reader)
            .take(MAX_LINE)
            .read_line(&mut reply)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    broken(format!("no reply within {:?}", REPLY_TIMEOUT + waits))
                }
                _ => broken(format!("receive: {e}")),
            })?;
        if n == 0 {
            return Err(broken("closed the control connection".into()));
        }
        if !reply.ends_with('\n') {
            return Err(broken(format!(
                "a reply longer than {MAX_LINE} bytes, or cut short"
            )));
        }
        let reply: Reply = serde_json::from_str(reply.trim_end()).map_err(|e| {
            let shown: String = reply.trim_end().chars().take(80).collect();
            broken(format!(
                "answered something that is not a reply ({e}): `{shown}`"
            ))
        })?;
        if reply.id != id {
            return Err(broken(format!(
                "answered request {} when {id} was asked",
                reply.id
            )));
        }
        Ok(reply)
    }

    /// `call`, with `refused`/`unsupported`/`error` mapped: refused →
    /// `Ok(Err(why))`.
    fn checked(&self, op: Op, waits: Duration) -> Result<Result<Reply, String>, TargetError> {
        let name = op.name();
        let r = self.call(op, waits)?;
        if r.ok {
            return Ok(Ok(r));
        }
        if let Some(why) = r.refused {
            return Ok(Err(why));
        }
        if let Some(why) = r.unsupported {
            return Err(TargetError::Unsupported(format!("agent `{name}`: {why}")));
        }
        Err(TargetError::Io(format!(
            "agent at {} failed `{name}`: {}",
            self.addr,
            r.error.unwrap_or_else(|| "no reason given".into())
        )))
    }

    /// Makes sure `service` answers on `local` (the agent's address).
    pub fn listen(
        &self,
        local: SocketAddr,
        service: &str,
        peer: SocketAddr,
        close_delay: Duration,
    ) -> Result<(), TargetError> {
        let op = Op::Listen {
            local,
            service: Some(service.into()),
            peer: Some(peer),
            close_delay_ms: Some(close_delay.as_millis() as u64),
        };
        match self.checked(op, Duration::ZERO)? {
            Ok(_) => Ok(()),
            Err(why) => Err(TargetError::Io(format!(
                "the agent cannot listen on {local}: {why}"
            ))),
        }
    }

    /// Performs an application action on the connection from `peer`.
    pub fn act(&self, peer: SocketAddr, action: &AppAction) -> Result<AppOutcome, TargetError> {
        let op = match action {
            AppAction::Write(bytes) => Op::Write {
                peer,
                data: protocol::to_hex(bytes),
            },
            AppAction::Read(max) => Op::Read {
                peer,
                max: *max,
                timeout_ms: None,
            },
            AppAction::ShutdownWrite => Op::Shutdown { peer, how: How::Wr },
            AppAction::Close => Op::Close { peer },
            AppAction::Abort => Op::Abort { peer },
        };
        let r = match self.checked(op, Duration::from_secs(1))? {
            Ok(r) => r,
            Err(why) => return Ok(AppOutcome::Refused(why)),
        };
        Ok(match action {
            AppAction::Write(_) => AppOutcome::Wrote(r.wrote.unwrap_or(0)),
            AppAction::Read(_) => {
                let data = r.data.unwrap_or_default();
                AppOutcome::Read(protocol::from_hex(&data).map_err(|e| {
                    TargetError::Broken(format!("agent at {}: read: {e}", self.addr))
                })?)
            }
            _ => AppOutcome::Done,
        })
    }

    /// The state of the agent's socket `local` ↔ `peer`.
    pub fn state(&self, local: SocketAddr, peer: SocketAddr) -> Result<TcpState, TargetError> {
        match self.checked(Op::State { local, peer }, Duration::ZERO)? {
            Ok(r) => {
                let s = r.state.unwrap_or_default();
                s.parse::<TcpState>()
                    .map_err(|e| TargetError::Broken(format!("agent at {}: state: {e}", self.addr)))
            }
            Err(why) => Err(TargetError::Io(format!("agent state: {why}"))),
        }
    }
}

impl AgentClient {
    /// One socket-API call of the session `local` ↔ `peer` (the extended
    /// `call`), returned at session time `now()` when it is done.
    pub fn sock_call(
        &self,
        local: SocketAddr,
        peer: SocketAddr,
        call: &SockCall,
        may_block: bool,
        token: u32,
        now: impl Fn() -> Duration,
    ) -> Result<CallStatus, TargetError> {
        let op = Op::Call {
            local,
            peer,
            call: call.clone(),
            may_block,
            token,
        };
        // The agent lets a call run up to a second before it calls it blocked.
        let r = match self.checked(op, Duration::from_secs(2))? {
            Ok(r) => r,
            Err(why) => return Err(TargetError::Io(format!("agent call: {why}"))),
        };
        match (r.status.as_deref(), r.result) {
            (Some("done"), Some(result)) => Ok(CallStatus::Done { at: now(), result }),
            (Some("pending"), _) => Ok(CallStatus::Pending),
            (Some("blocked"), _) => Ok(CallStatus::Blocked),
            (other, _) => Err(TargetError::Broken(format!(
                "agent at {}: `call` answered status {other:?}",
                self.addr
            ))),
        }
    }

    /// A pending call of the session that has returned since (`finished`):
    /// its token, the session time it returned (the agent says how long ago;
    /// now when it does not) on a session clock that started at `start`,
    /// and its result ([`crate::target::Session::sock_finished`]).
    pub fn sock_finished(
        &self,
        local: SocketAddr,
        peer: SocketAddr,
        start: Instant,
    ) -> Result<Option<(u32, Duration, SockResult)>, TargetError> {
        match self.checked(Op::Finished { local, peer }, Duration::ZERO)? {
            Ok(r) => {
                let ago = Duration::from_micros(r.ago_us.unwrap_or(0));
                let at = start.elapsed().saturating_sub(ago);
                Ok(r.token.zip(r.result).map(|(t, res)| (t, at, res)))
            }
            Err(why) => Err(TargetError::Io(format!("agent finished: {why}"))),
        }
    }

    /// Ends the session on the agent: its descriptors close (`release`).
    pub fn release(&self, local: SocketAddr, peer: SocketAddr) -> Result<(), TargetError> {
        self.checked(Op::Release { local, peer }, Duration::ZERO)
            .map(|_| ())
    }
}

fn why(r: &Reply) -> String {
    r.error
        .clone()
        .or_else(|| r.refused.clone())
        .or_else(|| r.unsupported.clone())
        .unwrap_or_else(|| "no reason given".into())
}
