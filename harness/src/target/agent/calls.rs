//! The socket API on `synack agent`: the extended `call`, `finished` and
//! `release` operations, performed by the lab's own performer
//! ([`crate::target::lab::sockets::LabSockets`]) on the host's kernel, one
//! set of descriptors per session (`local` ↔ `peer`), so the agent runs
//! every call the lab runs, as the lab runs it.

use super::protocol::Reply;
use crate::target::calls::{CallStatus, SockCall};
use crate::target::lab::ns::NsThread;
use crate::target::lab::sockets::LabSockets;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

/// The sessions of one control connection: dropped with it, closing every
/// descriptor.
#[derive(Debug)]
pub struct Calls {
    /// Makes `socket()` in the agent's own namespace.
    here: NsThread,
    sessions: HashMap<(SocketAddr, SocketAddr), LabSockets>,
}

impl Calls {
    /// No sessions yet; `socket()` calls run on a job thread in the
    /// caller's network namespace. Errs when that thread cannot start.
    pub fn new() -> Result<Calls, String> {
        Ok(Calls {
            here: NsThread::here().map_err(|e| e.to_string())?,
            sessions: HashMap::new(),
        })
    }

    /// `call`: runs one call of the session `local` ↔ `peer`.
    pub fn call(
        &mut self,
        id: u64,
        local: SocketAddr,
        peer: SocketAddr,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Reply {
        let s = self
            .sessions
            .entry((local, peer))
            .or_insert_with(|| LabSockets::new(local, peer, Instant::now()));
        match s.call(&self.here, call, may_block, token) {
            Ok(CallStatus::Done { result, .. }) => Reply {
                status: Some("done".into()),
                result: Some(result),
                ..Reply::done(id)
            },
            Ok(CallStatus::Pending) => Reply {
                status: Some("pending".into()),
                ..Reply::done(id)
            },
            Ok(CallStatus::Blocked) => Reply {
                status: Some("blocked".into()),
                ..Reply::done(id)
            },
            Err(e) => Reply::error(id, e.to_string()),
        }
    }

    /// `finished`: a pending call that has returned since, if any.
    pub fn finished(&mut self, id: u64, local: SocketAddr, peer: SocketAddr) -> Reply {
        match self
            .sessions
            .get_mut(&(local, peer))
            .and_then(LabSockets::finished)
        {
            Some((token, _, result)) => Reply {
                token: Some(token),
                result: Some(result),
                ..Reply::done(id)
            },
            None => Reply::done(id),
        }
    }

    /// `release`: closes the session's descriptors.
    pub fn release(&mut self, id: u64, local: SocketAddr, peer: SocketAddr) -> Reply {
        self.sessions.remove(&(local, peer));
        Reply::done(id)
    }
}
