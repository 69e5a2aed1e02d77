//! The embedded target: smoltcp in-process over an in-memory device, on a
//! virtual clock.
//!
//! Each case gets a fresh smoltcp `Interface` (Medium::Ip) with the target's
//! IPv4 and IPv6 addresses ([`addr::TARGET_V4`](crate::target::addr::TARGET_V4),
//! [`addr::TARGET_V6`](crate::target::addr::TARGET_V6)) and default routes
//! towards the harness's networks. Packets move as bytes through two queues
//! ([`MemoryDevice`]); the stack computes and verifies every checksum.
//!
//! - **Determinism**: smoltcp's random generator (its ISNs) is seeded from
//!   `spec.seed`; nothing reads wall time, so the same spec and the same
//!   injected packets give byte-identical output.
//! - **Virtual clock**: `recv` jumps the session time straight to the next
//!   smoltcp timer (retransmission, delayed ACK, TIME-WAIT) or service
//!   wake-up, so a 1 s retransmission takes microseconds. smoltcp's timers
//!   are left as they are (delayed ACK 10 ms, RTO from 1 s, TIME-WAIT 10 s).
//! - **Listening**: [`LISTEN_POOL`] sockets listen on the service port and
//!   the pool is topped up after every packet smoltcp takes in, so a port
//!   serves several connections (a new SYN after a RST, a second
//!   connection). Service `closed` has no socket: smoltcp itself answers
//!   with RST.
//! - **Services**: the built-in service of [`services`](crate::target::services)
//!   runs on every connection as a [`ServiceLogic`](crate::target::services::ServiceLogic),
//!   between smoltcp's ingress and egress, until the case acts as the
//!   application on that connection (see [`EmbeddedSession`]'s `app`).

mod configured;
mod device;
pub mod raw;
mod session;
pub mod settings;
#[cfg(test)]
mod tests;

pub use configured::Configured;
pub use device::{MemoryDevice, MTU};
pub use session::{tcp_state, EmbeddedSession, LISTEN_POOL, RX_BUFFER, TX_BUFFER};

use crate::target::{Capabilities, Session, SessionSpec, Target, TargetError};

/// smoltcp in-process, one fresh stack per case.
#[derive(Clone, Copy, Debug, Default)]
pub struct Embedded {}

impl Embedded {
    /// The embedded target; each session builds its own stack.
    pub fn new() -> Embedded {
        Embedded {}
    }
}

impl Target for Embedded {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn default_profile(&self) -> &'static str {
        "smoltcp"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            virtual_time: true,
            socket_state: true,
            app_actions: true,
            ipv6: true,
        }
    }

    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        Ok(Box::new(EmbeddedSession::new(spec)?))
    }

    /// A target whose commands run in a sandbox and set the stack
    /// ([`Configured`]); the script's addresses are not used (every session
    /// has a fresh stack of its own anyway).
    fn isolated(
        &self,
        _addresses: &crate::target::command::ScriptAddresses,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        Some(Ok(Box::new(Configured::new())))
    }
}
