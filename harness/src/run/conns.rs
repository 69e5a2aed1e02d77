//! Several connections in one case, as packetdrill scripts open them: each
//! active open (`connect`, `sendto` with `MSG_FASTOPEN`) of the script's
//! application may go to a harness port of its own (the lab gives the n-th
//! the session's harness port + n: `Session::sock_peer`), as packetdrill's
//! kernel picks a fresh local port for each. `<` lines go to the newest
//! connection the target opened, as packetdrill sends to its socket under
//! test; the application's calls are told to the oracle on the connection
//! of their descriptor.

use super::*;
use crate::target::{SessionInfo, SockCall};
use crate::wire::Segment;
use std::net::SocketAddr;

/// The descriptor a call works on, where it names one connection.
fn call_fd(call: &SockCall) -> Option<i64> {
    match call {
        SockCall::Bind { fd }
        | SockCall::Listen { fd, .. }
        | SockCall::Connect { fd }
        | SockCall::SetOpt { fd, .. }
        | SockCall::GetOpt { fd, .. }
        | SockCall::Send { fd, .. }
        | SockCall::Recv { fd, .. }
        | SockCall::RecvMsg { fd, .. }
        | SockCall::Shutdown { fd, .. }
        | SockCall::Close { fd } => Some(*fd),
        _ => None,
    }
}

impl CaseRun<'_> {
    /// The harness's end of the connection `call` acts on, for the oracle.
    pub(super) fn app_peer(&self, call: &SockCall) -> SocketAddr {
        call_fd(call)
            .and_then(|fd| self.session.sock_peer(fd))
            .unwrap_or(self.session.info().harness)
    }

    /// Follows the target's active opens: its SYN (no ACK) names the
    /// connection later `<` lines go to.
    pub(super) fn note_active_open(&mut self, seg: &Segment) {
        if seg.flags.syn() && !seg.flags.ack() {
            self.peer = Some(SocketAddr::new(seg.ip.dst(), seg.dst_port));
        }
    }

    /// Follows the script's active opens as packetdrill follows its socket
    /// under test: after `connect` or a Fast Open `sendto` on a descriptor
    /// with a harness port of its own, that connection is the newest.
    pub(super) fn note_call(&mut self, call: &SockCall) {
        if matches!(call, SockCall::Listen { .. }) {
            self.passive.1 = true;
        }
        let fd = match call {
            SockCall::Connect { fd } => *fd,
            SockCall::Send { fd, flags, .. } if flags & i64::from(libc::MSG_FASTOPEN) != 0 => *fd,
            _ => return,
        };
        if let Some(peer) = self.session.sock_peer(fd) {
            self.peer = Some(peer);
        }
    }

    /// A `<` SYN (no ACK) in a script in packetdrill form that listened
    /// again since its previous one opens a new passive connection: as
    /// packetdrill gives each a fresh remote port, it comes from the
    /// harness's port + 100 + n (where the target can take it), and its
    /// sequence number is the harness's ISN afresh.
    pub(super) fn new_passive_peer(&mut self, p: &PacketLine) {
        let syn = matches!(p.flags.node, Value::Exact(f) if f.syn() && !f.ack());
        if !syn || !self.case.script.meta.is_empty() {
            return;
        }
        let (count, listened) = self.passive;
        self.passive = (count.saturating_add(1), false);
        if count == 0 || !listened {
            return;
        }
        let mut peer = self.session.info().harness;
        let port = (u32::from(peer.port()) + 99 + u32::from(count)) % 65535 + 1;
        peer.set_port(u16::try_from(port).unwrap_or(1));
        if self.session.add_peer(peer) {
            self.peer = Some(peer);
            self.map.remote_isn_set = false;
        }
    }

    /// The session's endpoints with the harness's as the connection `<`
    /// lines go to.
    pub(super) fn inject_info(&self) -> SessionInfo {
        let mut info = self.session.info().clone();
        if let Some(peer) = self.peer.filter(|p| p.is_ipv4() == info.harness.is_ipv4()) {
            info.harness = peer;
        }
        info
    }
}
