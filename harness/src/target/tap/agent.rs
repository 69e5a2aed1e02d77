//! The stack's own agent on the tap and tun targets (docs/agent-protocol.md).
//!
//! The control connection stays off the device under test: the harness
//! tells the stack, in `SYNACK_AGENT` and `SYNACK_AGENT_TOKEN`, to listen on
//! [`AGENT_ADDR`], a loopback address of the *kernel* in the target's
//! namespace (the kernel owns `lo` there; the stack under test owns only
//! the device), and connects to it from the namespace thread. A stack that
//! speaks the protocol listens there before it answers its first SYN; one
//! that does not leaves the port closed, and the target then runs without
//! application actions or socket state (those cases are *unsupported*), as
//! before. A stack that listens and then fails `hello` is an infrastructure
//! error: it claimed an agent it does not have.

use crate::target::agent::{AgentAddr, AgentClient};
use crate::target::lab::ns::NsThread;
use crate::target::TargetError;
use std::io::{ErrorKind, Read};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::time::Duration;

/// Where the stack's agent listens: loopback in the target's namespace.
pub const AGENT_ADDR: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 7070));

/// How long the harness waits for the agent's port to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A fresh token for one target: 16 random octets, hex.
pub fn token() -> Result<String, TargetError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| TargetError::Io(format!("read /dev/urandom for the agent's token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The variables that tell the stack where its agent listens.
pub fn env(token: &str) -> Vec<(String, String)> {
    vec![
        ("SYNACK_AGENT".into(), AGENT_ADDR.to_string()),
        ("SYNACK_AGENT_TOKEN".into(), token.into()),
    ]
}

/// Connects to the stack's agent, from inside the namespace. `None`: the
/// stack has none (nothing listens on [`AGENT_ADDR`]).
pub fn connect(ns: &NsThread, token: &str) -> Result<Option<AgentClient>, TargetError> {
    let stream = ns.run(|| TcpStream::connect_timeout(&AGENT_ADDR, CONNECT_TIMEOUT))?;
    let stream = match stream {
        Ok(s) => s,
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Ok(None),
        Err(e) => {
            return Err(TargetError::Io(format!(
                "the stack's agent at {AGENT_ADDR} (in the target's namespace): {e}"
            )))
        }
    };
    let addr = AgentAddr {
        addr: AGENT_ADDR,
        token: token.into(),
    };
    AgentClient::over(stream, &addr).map(Some).map_err(|e| {
        TargetError::Io(format!(
            "the stack listens on SYNACK_AGENT ({AGENT_ADDR}) but is no agent: {e}"
        ))
    })
}
