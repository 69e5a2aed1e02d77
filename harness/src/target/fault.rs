//! A fault-injecting decorator: wraps any [`Target`] and mutates what the
//! inner target sends (parse → modify → emit with a computed checksum; drop
//! or add packets), so that each [`Fault`] produces a specific RFC
//! violation. It proves the oracle catches what it claims to catch.

use crate::target::command::{Output, ScriptAddresses};
use crate::target::{
    AppAction, AppOutcome, Capabilities, Received, ServiceEvent, Session, SessionInfo, SessionSpec,
    Target, TargetError,
};
use crate::wire::{parse, seq_gt, ChecksumPolicy, Segment, SeqNumber, TcpFlags, TcpState};
use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// What the decorator breaks, and the oracle rule that must catch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Flips the top bit of the ACK number of every ACK-bearing segment
    /// (`syn-ack-acks-isn`, `ack-of-unsent-data`, `ack-went-backwards`).
    FlipAck,
    /// Drops every RST the target sends (`rst-not-sent`).
    DropRst,
    /// Answers every RST the harness injects with a RST (`rst-for-rst`).
    RstForRst,
    /// Pads every data segment to end 10 octets past the harness's window,
    /// or, when that would take more than 500 octets, follows it with 20
    /// octets straddling the window's right edge (`data-beyond-window`).
    DataPastWindow,
    /// Sends 4 octets of data right after the target's FIN (`data-after-fin`).
    DataAfterFin,
}

impl Fault {
    /// Every fault, in the order `--fault` lists them.
    pub const ALL: [Fault; 5] = [
        Fault::FlipAck,
        Fault::DropRst,
        Fault::RstForRst,
        Fault::DataPastWindow,
        Fault::DataAfterFin,
    ];

    /// The fault's name, as `--fault` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Fault::FlipAck => "flip-ack",
            Fault::DropRst => "drop-rst",
            Fault::RstForRst => "rst-for-rst",
            Fault::DataPastWindow => "data-past-window",
            Fault::DataAfterFin => "data-after-fin",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!("unknown fault `{s}` (one of {})", names.join(", "))
            })
    }
}

/// Any target, with one fault injected into what it sends.
pub struct Faulty<T: Target> {
    inner: T,
    fault: Fault,
}

impl<T: Target> Faulty<T> {
    /// `inner` with `fault` injected into every session.
    pub fn new(inner: T, fault: Fault) -> Faulty<T> {
        Faulty { inner, fault }
    }
    /// The fault injected.
    pub fn fault(&self) -> Fault {
        self.fault
    }
    /// A private instance of the inner target, with this fault injected too.
    fn faulty(
        &self,
        private: Option<Result<Box<dyn Target>, TargetError>>,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        let fault = self.fault;
        private.map(|r| r.map(|t| Box::new(Faulty::new(t, fault)) as Box<dyn Target>))
    }
}

impl<T: Target> Target for Faulty<T> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn default_profile(&self) -> &'static str {
        self.inner.default_profile()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        Ok(Box::new(FaultySession::new(
            self.inner.open(spec)?,
            self.fault,
        )))
    }
    fn command(&self, cmd: &str, cwd: &Path) -> Result<Output, TargetError> {
        self.inner.command(cmd, cwd)
    }
    fn case_over(&self) {
        self.inner.case_over()
    }
    fn command_notes(&self) -> Vec<String> {
        self.inner.command_notes()
    }
    fn offload(&self) -> Option<bool> {
        self.inner.offload()
    }
    /// The inner target's private instance (a case's commands run there),
    /// with the same fault.
    fn isolated(
        &self,
        addresses: &ScriptAddresses,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        self.faulty(self.inner.isolated(addresses))
    }
    fn isolated_with(
        &self,
        addresses: &ScriptAddresses,
        tso: bool,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        self.faulty(self.inner.isolated_with(addresses, tso))
    }
}

/// The most octets `DataPastWindow` pads a segment with (keeps it under any MSS).
const PAD_MAX: usize = 500;

/// A boxed target is a target, so the CLI can wrap whichever it built:
/// `Faulty::new(boxed, fault)`.
impl Target for Box<dyn Target> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn default_profile(&self) -> &'static str {
        (**self).default_profile()
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        (**self).open(spec)
    }
    fn command(&self, cmd: &str, cwd: &Path) -> Result<Output, TargetError> {
        (**self).command(cmd, cwd)
    }
    fn case_over(&self) {
        (**self).case_over()
    }
    fn command_notes(&self) -> Vec<String> {
        (**self).command_notes()
    }
    fn offload(&self) -> Option<bool> {
        (**self).offload()
    }
    fn isolated(
        &self,
        addresses: &ScriptAddresses,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        (**self).isolated(addresses)
    }
    fn isolated_with(
        &self,
        addresses: &ScriptAddresses,
        tso: bool,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        (**self).isolated_with(addresses, tso)
    }
}

/// A session whose outgoing packets pass through a [`Fault`].
pub struct FaultySession {
    inner: Box<dyn Session>,
    fault: Fault,
    /// Packets the fault made up, delivered before the inner session's next.
    pending: VecDeque<Received>,
    /// The harness's SYN offered this window-scale shift.
    harness_shift: Option<u8>,
    /// The target's SYN-ACK carried Window Scale too.
    target_scales: bool,
    /// Right edge of the harness's window per harness endpoint (ACK + scaled window).
    right_edge: Vec<(SocketAddr, SeqNumber)>,
}

impl FaultySession {
    /// Wraps one session of the inner target.
    pub fn new(inner: Box<dyn Session>, fault: Fault) -> FaultySession {
        FaultySession {
            inner,
            fault,
            pending: VecDeque::new(),
            harness_shift: None,
            target_scales: false,
            right_edge: Vec::new(),
        }
    }

    fn emit(&self, seg: &Segment, at: Duration) -> Received {
        Received {
            at,
            bytes: seg.to_bytes(ChecksumPolicy::Compute),
        }
    }

    fn note_injected(&mut self, seg: &Segment) {
        let from = SocketAddr::new(seg.ip.src(), seg.src_port);
        if seg.flags.syn() && !seg.flags.ack() {
            self.harness_shift = seg.window_scale();
        }
        if seg.flags.ack() && !seg.flags.rst() && !seg.flags.syn() {
            let shift = if self.target_scales {
                self.harness_shift.unwrap_or(0).min(14)
            } else {
                0
            };
            let right = seg.ack.add((seg.window as u32) << shift);
            self.right_edge.retain(|(p, _)| *p != from);
            self.right_edge.push((from, right));
        }
        if self.fault == Fault::RstForRst && seg.flags.rst() {
            // Answer the RST with a RST, as a broken stack would.
            let (seq, ack, flags) = if seg.flags.ack() {
                (seg.ack, SeqNumber(0), TcpFlags::RST)
            } else {
                (SeqNumber(0), seg.seq, TcpFlags::RST | TcpFlags::ACK)
            };
            let Some(ip) = crate::wire::IpEnvelope::between(seg.ip.dst(), seg.ip.src()) else {
                return;
            };
            let reply = Segment {
                seq,
                ack,
                ..Segment::new(ip, seg.dst_port, seg.src_port, flags)
            };
            let r = self.emit(&reply, self.inner.now());
            self.pending.push_back(r);
        }
    }

    /// Applies the fault to one packet from the target: `None` drops it.
    fn mutate(&mut self, pkt: Received) -> Option<Received> {
        let Ok(mut seg) = parse(&pkt.bytes) else {
            return Some(pkt); // not something we understand: pass it on untouched
        };
        if seg.flags.syn() && seg.flags.ack() {
            self.target_scales = seg.window_scale().is_some();
        }
        match self.fault {
            Fault::FlipAck if seg.flags.ack() => {
                seg.ack = SeqNumber(seg.ack.0 ^ 0x8000_0000);
                Some(self.emit(&seg, pkt.at))
            }
            Fault::DropRst if seg.flags.rst() => None,
            Fault::DataPastWindow if !seg.payload.is_empty() => {
                let to = SocketAddr::new(seg.ip.dst(), seg.dst_port);
                let Some(right) = self
                    .right_edge
                    .iter()
                    .find(|(p, _)| *p == to)
                    .map(|(_, r)| *r)
                else {
                    return Some(pkt); // no window seen yet
                };
                let end = seg.seq.add(seg.payload.len() as u32);
                let past = right.add(10);
                if !seq_gt(past, end) {
                    return Some(pkt); // already past the window
                }
                let extra = past.offset_from(end) as usize;
                if extra <= PAD_MAX {
                    seg.payload.extend(std::iter::repeat_n(b'!', extra));
                    return Some(self.emit(&seg, pkt.at));
                }
                // A large window: pass the real segment on, then send 20
                // octets straddling the right edge.
                let beyond = Segment {
                    seq: right.sub(10),
                    payload: vec![b'!'; 20],
                    options: Vec::new(),
                    data_offset: None,
                    ..seg
                };
                let extra = self.emit(&beyond, pkt.at);
                self.pending.push_back(extra);
                Some(pkt)
            }
            Fault::DataAfterFin if seg.flags.fin() => {
                let after = Segment {
                    seq: seg.seq.add(seg.payload.len() as u32 + 1),
                    flags: TcpFlags::PSH | TcpFlags::ACK,
                    payload: b"late".to_vec(),
                    options: Vec::new(),
                    data_offset: None,
                    ..seg.clone()
                };
                let extra = self.emit(&after, pkt.at);
                self.pending.push_back(extra);
                Some(pkt)
            }
            _ => Some(pkt),
        }
    }
}

impl Session for FaultySession {
    fn info(&self) -> &SessionInfo {
        self.inner.info()
    }
    fn take_tuple(&mut self, target: SocketAddr, harness: SocketAddr) -> bool {
        self.inner.take_tuple(target, harness)
    }
    fn service_events(&mut self) -> Vec<ServiceEvent> {
        self.inner.service_events()
    }
    fn now(&self) -> Duration {
        self.inner.now()
    }
    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError> {
        if let Ok(seg) = parse(packet) {
            self.note_injected(&seg);
        }
        self.inner.inject(packet)
    }
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Ok(Some(p));
            }
            match self.inner.recv(deadline)? {
                None => return Ok(None),
                Some(pkt) => {
                    if let Some(p) = self.mutate(pkt) {
                        return Ok(Some(p));
                    }
                }
            }
        }
    }
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError> {
        self.inner.app(action)
    }
    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError> {
        self.inner.socket_state(harness)
    }
    fn sock_call(
        &mut self,
        call: &crate::target::SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<crate::target::CallStatus, TargetError> {
        self.inner.sock_call(call, may_block, token)
    }
    fn sock_finished(
        &mut self,
    ) -> Result<Option<(u32, Duration, crate::target::SockResult)>, TargetError> {
        self.inner.sock_finished()
    }
    fn tcp_info(&mut self, fd: i64) -> Option<Vec<(&'static str, i64)>> {
        self.inner.tcp_info(fd)
    }
    fn injected_at(&mut self) -> Option<Duration> {
        self.inner.injected_at()
    }
    fn sock_peer(&self, fd: i64) -> Option<SocketAddr> {
        self.inner.sock_peer(fd)
    }
    fn add_peer(&mut self, peer: SocketAddr) -> bool {
        self.inner.add_peer(peer)
    }
}

#[cfg(test)]
mod tests;
