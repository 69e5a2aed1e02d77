//! `agent`: the application's side on a host synack does not run, driven
//! over a control connection kept apart from the interface under test.
//!
//! - [`protocol`]: the JSON-lines requests and replies
//!   (docs/agent-protocol.md): a core every agent implements (listen,
//!   accept, connect, read, write, shutdown, close, abort, state) and an
//!   optional extended set (setsockopt, getsockopt, poll, blocking reads);
//!   an agent lists what it implements at `hello`, and a case needing more
//!   is *unsupported*.
//! - [`client`]: the harness's end (`--agent ADDR:PORT`).
//! - [`server`]: synack's own agent for Linux (`synack agent`), performing
//!   the actions with the lab's own code on the host's kernel.

pub mod calls;
pub mod client;
pub mod protocol;
pub mod server;

pub use client::{AgentAddr, AgentClient};

/// A real-time target's capabilities, where an agent (when `agent`) reports
/// socket state and performs the application's actions (the tap/tun and
/// link targets).
pub fn capabilities(agent: bool, ipv6: bool) -> crate::target::Capabilities {
    crate::target::Capabilities {
        virtual_time: false,
        socket_state: agent,
        app_actions: agent,
        ipv6,
    }
}
