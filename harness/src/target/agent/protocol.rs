//! The agent's JSON-lines protocol (docs/agent-protocol.md): one request a
//! line from the harness, one reply a line from the agent, in order.

use crate::target::calls::{SockCall, SockResult};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;

/// The protocol version an agent states at `hello`.
pub const VERSION: u32 = 1;

/// The operations every agent implements.
pub const CORE_OPS: [&str; 10] = [
    "hello", "listen", "accept", "connect", "read", "write", "shutdown", "close", "abort", "state",
];

/// The optional operations (an agent lists those it has at `hello`).
pub const EXTENDED_OPS: [&str; 6] = [
    "setsockopt",
    "getsockopt",
    "poll",
    "call",
    "finished",
    "release",
];

/// One request: an id the reply repeats, and the operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The request's number; the reply carries it back.
    pub id: u64,
    /// The operation and its arguments, flattened into the same object.
    #[serde(flatten)]
    pub op: Op,
}

/// What `shutdown` shuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    /// `SHUT_WR`: FIN after queued data.
    Wr,
    /// `SHUT_RD`: no more reads.
    Rd,
    /// `SHUT_RDWR`: both directions.
    Rdwr,
}

/// An operation. Connections are named by the harness's end (`peer`): each
/// case has its own 4-tuple.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// First line of every control connection.
    Hello {
        /// The shared secret (`--token`, `SYNACK_AGENT_TOKEN`); an agent answers only a harness that knows it.
        token: String,
    },
    /// Listen on `local` with a built-in `service` (`echo`, `discard`,
    /// `http`, `silent`, `abort`, `closed`); none: hold accepted connections
    /// for the harness's calls (as `silent`). `close_delay_ms` applies to
    /// the connection from `peer` (echo, discard, http).
    Listen {
        /// The address and port to listen on.
        local: SocketAddr,
        /// The built-in service; `None`: hold accepted connections for the harness.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<String>,
        /// The harness's end of the connection `close_delay_ms` applies to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<SocketAddr>,
        /// How long the service waits before it closes that connection.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        close_delay_ms: Option<u64>,
    },
    /// Waits up to `timeout_ms` for the connection from `peer` to be accepted.
    Accept {
        /// The harness's end of the connection to accept.
        peer: SocketAddr,
        /// How long to wait for it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Opens a connection to `remote` (returns at once; later calls on
    /// `peer` = `remote` wait for it).
    Connect {
        /// The harness's address and port to connect to.
        remote: SocketAddr,
    },
    /// Reads up to `max` bytes now (or waits up to `timeout_ms` for some).
    Read {
        /// The harness's end of the connection.
        peer: SocketAddr,
        /// The most bytes to read.
        max: usize,
        /// How long to wait for bytes; `None`: do not wait.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Queues `data` (hex) for sending, without blocking.
    Write {
        /// The harness's end of the connection.
        peer: SocketAddr,
        /// The bytes to queue, in hex.
        data: String,
    },
    /// `shutdown(how)` on the connection.
    Shutdown {
        /// The harness's end of the connection.
        peer: SocketAddr,
        /// Which direction to shut.
        how: How,
    },
    /// `close()`.
    Close {
        /// The harness's end of the connection.
        peer: SocketAddr,
    },
    /// `SO_LINGER` {1, 0} and `close()`: RST now.
    Abort {
        /// The harness's end of the connection.
        peer: SocketAddr,
    },
    /// The state of the socket `local` ↔ `peer`, as `ss` shows it.
    State {
        /// The agent's end of the connection.
        local: SocketAddr,
        /// The harness's end of the connection.
        peer: SocketAddr,
    },
    /// Extended: sets a socket option (`TCP_NODELAY`, `IP_TTL`, …).
    Setsockopt {
        /// The harness's end of the connection.
        peer: SocketAddr,
        /// The option's name, as the C constant spells it.
        name: String,
        /// The value to set (booleans as 0 or 1).
        value: i64,
    },
    /// Extended: reads a socket option (`TCP_NODELAY`, `IP_TTL`, `SO_ERROR`).
    Getsockopt {
        /// The harness's end of the connection.
        peer: SocketAddr,
        /// The option's name, as the C constant spells it.
        name: String,
    },
    /// Extended: waits up to `timeout_ms` for `events` (`in`).
    Poll {
        /// The harness's end of the connection.
        peer: SocketAddr,
        /// The events to wait for (`in`).
        events: Vec<String>,
        /// How long to wait.
        timeout_ms: u64,
    },
    /// Extended: one call of the socket API (`target/calls.rs`) in the
    /// session `local` ↔ `peer`, with the script's descriptors, as the lab
    /// performs it: `bind` binds `local`, `connect` goes to `peer`.
    /// `may_block`: the script gave it an end time. Reply: `status`
    /// (`done` with `result`, `pending`, `blocked`).
    Call {
        /// The agent's end of the session.
        local: SocketAddr,
        /// The harness's end of the session.
        peer: SocketAddr,
        /// The call, with the script's descriptor numbers.
        call: SockCall,
        /// Whether the call may block: the script gave it an end time.
        may_block: bool,
        /// The harness's number for the call, which `finished` returns when it completes.
        token: u32,
    },
    /// Extended: a `pending` call of that session that has returned since:
    /// `token` and `result`, or neither.
    Finished {
        /// The agent's end of the session.
        local: SocketAddr,
        /// The harness's end of the session.
        peer: SocketAddr,
    },
    /// Extended: the session is over: close its descriptors (SO_LINGER 0).
    Release {
        /// The agent's end of the session.
        local: SocketAddr,
        /// The harness's end of the session.
        peer: SocketAddr,
    },
}

impl Op {
    /// The operation's name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Hello { .. } => "hello",
            Op::Listen { .. } => "listen",
            Op::Accept { .. } => "accept",
            Op::Connect { .. } => "connect",
            Op::Read { .. } => "read",
            Op::Write { .. } => "write",
            Op::Shutdown { .. } => "shutdown",
            Op::Close { .. } => "close",
            Op::Abort { .. } => "abort",
            Op::State { .. } => "state",
            Op::Setsockopt { .. } => "setsockopt",
            Op::Getsockopt { .. } => "getsockopt",
            Op::Poll { .. } => "poll",
            Op::Call { .. } => "call",
            Op::Finished { .. } => "finished",
            Op::Release { .. } => "release",
        }
    }
}

/// One reply. `ok` true: done, with the fields the operation returns.
/// `ok` false: exactly one of `refused` (the stack refused the call, as a
/// syscall returning -1 would), `unsupported` (this agent cannot do it) or
/// `error` (the agent itself failed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's `id`.
    pub id: u64,
    /// Whether the operation was done; when false, exactly one of `refused`, `unsupported`, `error` is set.
    pub ok: bool,
    /// `hello`: the agent's name and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// `hello`: the protocol version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// `hello`: every operation this agent implements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<String>,
    /// `hello`: the built-in services it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// `read`: the bytes, hex (empty: nothing there, or end of stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// `write`: bytes queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrote: Option<usize>,
    /// `state`: as `ss` spells it (`ESTAB`, `SYN-RECV`, …; `CLOSED` when
    /// there is no such socket); `getsockopt`: absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `state`: bytes received, not yet read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recv_q: Option<u32>,
    /// `state`: bytes sent, not yet acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_q: Option<u32>,
    /// `getsockopt`: the value; `poll`: the events that are ready, as bits
    /// (1: in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// `call`: `done`, `pending` or `blocked`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `call` (done) and `finished`: what the call returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<SockResult>,
    /// `finished`: the token of the call that returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<u32>,
    /// `finished`, optional: how long ago the call returned, in µs (an
    /// agent that records when it woke the call; without, the harness
    /// takes the time of the `finished` request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ago_us: Option<u64>,
    /// The stack refused the call (as a syscall returning -1 would), and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// This agent cannot do the operation, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
    /// The agent itself failed, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Reply {
    /// A success with no fields.
    pub fn done(id: u64) -> Reply {
        Reply {
            id,
            ok: true,
            ..Reply::default()
        }
    }
    /// A refusal: the stack refused the call, as a syscall returning -1 would.
    pub fn refused(id: u64, why: impl Into<String>) -> Reply {
        Reply {
            id,
            refused: Some(why.into()),
            ..Reply::default()
        }
    }
    /// An operation this agent does not implement.
    pub fn unsupported(id: u64, why: impl Into<String>) -> Reply {
        Reply {
            id,
            unsupported: Some(why.into()),
            ..Reply::default()
        }
    }
    /// A failure of the agent itself.
    pub fn error(id: u64, why: impl Into<String>) -> Reply {
        Reply {
            id,
            error: Some(why.into()),
            ..Reply::default()
        }
    }
}

/// Bytes as lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hex string that is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadHex;

impl fmt::Display for BadHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`data` is not an even-length hex string")
    }
}

/// Hex (either case) back to bytes.
pub fn from_hex(s: &str) -> Result<Vec<u8>, BadHex> {
    if s.len() % 2 != 0 {
        return Err(BadHex);
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or(BadHex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_as_the_protocol_page_writes_them() {
        let line = r#"{"id":3,"op":"write","peer":"192.0.2.2:40000","data":"6869"}"#;
        let r: Request = serde_json::from_str(line).unwrap();
        assert_eq!(
            r,
            Request {
                id: 3,
                op: Op::Write {
                    peer: "192.0.2.2:40000".parse().unwrap(),
                    data: "6869".into()
                }
            }
        );
        assert_eq!(serde_json::to_string(&r).unwrap(), line);
        let listen = r#"{"id":1,"op":"listen","local":"[2001:db8::1]:7","service":"echo"}"#;
        let r: Request = serde_json::from_str(listen).unwrap();
        assert_eq!(r.op.name(), "listen");
        assert_eq!(serde_json::to_string(&r).unwrap(), listen);
        let shut = r#"{"id":2,"op":"shutdown","peer":"192.0.2.2:1","how":"wr"}"#;
        assert!(serde_json::from_str::<Request>(shut).is_ok());
    }

    #[test]
    fn socket_api_calls_travel_as_the_lab_types() {
        use crate::target::calls::SockCall;
        let op = Op::Call {
            local: "192.0.2.1:8080".parse().unwrap(),
            peer: "192.0.2.2:40000".parse().unwrap(),
            call: SockCall::Listen { fd: 3, backlog: 1 },
            may_block: false,
            token: 7,
        };
        let line = serde_json::to_string(&Request {
            id: 9,
            op: op.clone(),
        })
        .unwrap();
        assert!(line.contains(r#""op":"call""#), "{line}");
        let back: Request = serde_json::from_str(&line).unwrap();
        assert_eq!(back.op, op);
        let done = Reply {
            status: Some("done".into()),
            result: Some(crate::target::calls::SockResult::ok(0)),
            ..Reply::done(9)
        };
        let text = serde_json::to_string(&done).unwrap();
        assert_eq!(serde_json::from_str::<Reply>(&text).unwrap(), done);
        for name in ["call", "finished", "release"] {
            assert!(EXTENDED_OPS.contains(&name));
        }
    }

    #[test]
    fn unknown_operations_and_missing_fields_are_errors() {
        assert!(serde_json::from_str::<Request>(r#"{"id":1,"op":"fly"}"#).is_err());
        assert!(serde_json::from_str::<Request>(r#"{"id":1,"op":"read"}"#).is_err());
        assert!(serde_json::from_str::<Request>(r#"{"op":"hello","token":"x"}"#).is_err());
    }

    #[test]
    fn replies_carry_only_their_fields() {
        assert_eq!(
            serde_json::to_string(&Reply::done(7)).unwrap(),
            r#"{"id":7,"ok":true}"#
        );
        assert_eq!(
            serde_json::to_string(&Reply::refused(8, "send: EPIPE")).unwrap(),
            r#"{"id":8,"ok":false,"refused":"send: EPIPE"}"#
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        assert_eq!(to_hex(b"GET /"), "474554202f");
        assert_eq!(from_hex("474554202F").unwrap(), b"GET /");
        assert_eq!(from_hex("abc"), Err(BadHex));
        assert_eq!(from_hex("zz"), Err(BadHex));
        assert_eq!(
            BadHex.to_string(),
            "`data` is not an even-length hex string"
        );
    }
}
