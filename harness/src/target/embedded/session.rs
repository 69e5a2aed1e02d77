//! One case's smoltcp stack: an `Interface` over a [`MemoryDevice`], a pool
//! of listening TCP sockets, the built-in service on every connection, and
//! the virtual clock that drives it all.

#[path = "pool.rs"]
mod pool;
#[path = "sockets.rs"]
mod sockets;

use super::device::MemoryDevice;
use crate::target::services::{Service, ServiceAction, ServiceInput, ServiceLogic};
use crate::target::{
    addr, endpoints, AppAction, AppOutcome, Received, ServiceCall, ServiceEvent, Session,
    SessionInfo, SessionSpec, TargetError,
};
use crate::wire::TcpState;
use smoltcp::iface::{
    Config, Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet,
};
use smoltcp::socket::{tcp, AnySocket};
use smoltcp::time::Instant;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, IpEndpoint};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// A stack that sends more than this many times at one instant is broken
/// (a segment storm): the session ends with [`TargetError::SegmentStorm`] instead
/// of growing its transmit queue without bound. A backstop: a storm of one
/// segment repeated is stopped much sooner ([`MAX_IDENTICAL_PER_STEP`]).
pub const MAX_EGRESS_PER_STEP: usize = 10_000;
/// A stack that sends the same TCP segment (byte for byte past the IP
/// header, whose identification may differ) more than this many times in a
/// row at one instant is broken (a segment storm: smoltcp 0.14's bare ACKs
/// in FIN-WAIT-2). A burst of data never repeats a segment; a retransmission
/// needs time to pass.
pub const MAX_IDENTICAL_PER_STEP: usize = 100;

/// Listening sockets kept on the service port at all times, so a new SYN
/// finds a listener while earlier connections are still alive. One is
/// enough: the pool is topped up after every packet smoltcp takes in, so
/// each packet meets a full pool, and listeners are interchangeable (a
/// larger pool behaves the same, and costs a fresh pair of socket buffers
/// per listener per case: most of a fuzz execution's allocation).
pub const LISTEN_POOL: usize = 1;
/// Receive buffer (and so the advertised window) of every socket.
pub const RX_BUFFER: usize = 8192;
/// Send buffer of every socket.
pub const TX_BUFFER: usize = 8192;
/// smoltcp's clock at session time zero. Any value works; a non-zero one
/// keeps smoltcp away from `Instant` zero, which it uses for "poll now".
const CLOCK_BASE_MICROS: i64 = 1_000_000;
/// Polls at one instant without any progress before the session is
/// declared broken (smoltcp asking to be polled "now" forever).
const MAX_IDLE_POLLS: u32 = 1000;
/// Next hops of the default routes. Medium::Ip has no neighbours, but smoltcp
/// still needs a route to the harness's network to answer it.
const GATEWAY_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 254);
const GATEWAY_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0xfe);

/// Whether two IP packets carry the same TCP segment: equal past their IP
/// headers (IPv4's identification, and so its checksum, may differ).
pub(super) fn same_segment(a: &[u8], b: &[u8]) -> bool {
    let header = |p: &[u8]| match p.first().map(|v| v >> 4) {
        Some(4) => usize::from(p[0] & 0x0f) * 4,
        Some(6) => 40,
        _ => 0,
    };
    let (ha, hb) = (header(a), header(b));
    a.len() - ha.min(a.len()) == b.len() - hb.min(b.len()) && a.get(ha..) == b.get(hb..)
}

/// A socket of the session with the service logic of its connection.
struct Conn {
    handle: SocketHandle,
    /// The built-in service on this connection, once it left LISTEN.
    service: Option<ServiceLogic>,
    /// The case has acted as the application on this connection: the
    /// service is detached from it for good.
    app_driven: bool,
    /// The socket API's id of this socket, when the case's own socket
    /// ([`sockets`]): no service ever runs on it.
    api: Option<u64>,
    /// A listener of the pool that has never left LISTEN: it goes back to
    /// the [`pool`] when the session ends.
    clean: bool,
}

/// A fresh smoltcp stack for one case, on a virtual clock.
pub struct EmbeddedSession {
    info: SessionInfo,
    service: Service,
    close_delay: Duration,
    port: u16,
    now: Duration,
    device: MemoryDevice,
    iface: Interface,
    sockets: SocketSet<'static>,
    /// Every socket in the set, in the set's slot order (the order smoltcp
    /// offers segments to sockets).
    conns: Vec<Conn>,
    /// The case's own sockets (the socket API).
    api: sockets::Api,
    /// Writes, closes and aborts the services made, not yet taken
    /// ([`Session::service_events`]).
    events: Vec<ServiceEvent>,
}

impl EmbeddedSession {
    /// Builds the stack for `spec`. The services close `spec.close_delay`
    /// after they decide to (see [`ServiceLogic`]).
    pub fn new(spec: &SessionSpec) -> Result<EmbeddedSession, TargetError> {
        let (target, harness) = endpoints(spec);
        let mut device = MemoryDevice::default();
        let mut config = Config::new(HardwareAddress::Ip);
        // smoltcp draws its ISNs (and nothing else we see) from this seed:
        // the same spec gives the same ISNs and byte-identical packets.
        config.random_seed = spec.seed;
        let mut iface = Interface::new(config, &mut device, instant(Duration::ZERO));
        let mut full = false;
        iface.update_ip_addrs(|addrs| {
            full |= addrs
                .push(IpCidr::new(IpAddress::Ipv4(addr::TARGET_V4), 24))
                .is_err();
            full |= addrs
                .push(IpCidr::new(IpAddress::Ipv6(addr::TARGET_V6), 64))
                .is_err();
        });
        let routes = iface.routes_mut();
        full |= routes.add_default_ipv4_route(GATEWAY_V4).is_err();
        full |= routes.add_default_ipv6_route(GATEWAY_V6).is_err();
        if full {
            return Err(TargetError::Broken(
                "smoltcp's address or route table is too small for the target's two addresses"
                    .into(),
            ));
        }
        let mut session = EmbeddedSession {
            info: SessionInfo {
                target,
                harness,
                virtual_time: true,
            },
            service: spec.service,
            close_delay: spec.close_delay,
            port: spec.target_port,
            now: Duration::ZERO,
            device,
            iface,
            sockets: pool::socket_set(),
            conns: Vec::new(),
            api: sockets::Api::default(),
            events: Vec::new(),
        };
        session.arrange()?;
        Ok(session)
    }

    fn instant(&self) -> Instant {
        instant(self.now)
    }

    /// One poll at `now`: every queued packet in, the services, every
    /// packet out. Services run between ingress and egress, so a close
    /// decided on the peer's FIN leaves in the same segment as its ACK.
    fn step(&mut self) -> Result<(), TargetError> {
        let ts = self.instant();
        self.iface.poll_maintenance(ts);
        while self
            .iface
            .poll_ingress_single(ts, &mut self.device, &mut self.sockets)
            != PollIngressSingleResult::None
        {
            // A listener that took a SYN is replaced before the next packet.
            self.arrange()?;
        }
        self.arrange()?;
        self.run_services();
        self.api_retry();
        let mut rounds = 0;
        let mut repeats = 0;
        while self
            .iface
            .poll_egress(ts, &mut self.device, &mut self.sockets)
            != PollResult::None
        {
            rounds += 1;
            let n = self.device.tx.len();
            if n >= 2 && same_segment(&self.device.tx[n - 2], &self.device.tx[n - 1]) {
                repeats += 1;
                if repeats > MAX_IDENTICAL_PER_STEP {
                    // Each of these rounds sent the segment again.
                    return Err(TargetError::SegmentStorm {
                        stack: "smoltcp",
                        rounds: MAX_IDENTICAL_PER_STEP,
                        at: self.now,
                    });
                }
            } else {
                repeats = 0;
            }
            if rounds > MAX_EGRESS_PER_STEP {
                return Err(TargetError::SegmentStorm {
                    stack: "smoltcp",
                    rounds: MAX_EGRESS_PER_STEP,
                    at: self.now,
                });
            }
        }
        self.arrange()
    }

    /// Keeps the socket set in order: closed sockets dropped (once an
    /// aborted one has sent its RST: smoltcp keeps its tuple until then), live
    /// connections ahead of every listener (smoltcp gives a segment to the
    /// first socket that accepts it, and a listener accepts a SYN, so a
    /// retransmitted SYN must meet its own SYN-RECEIVED socket first), and
    /// [`LISTEN_POOL`] listeners on the port (none for `closed`).
    fn arrange(&mut self) -> Result<(), TargetError> {
        let mut reorder = false;
        let mut listeners = 0;
        for conn in &mut self.conns {
            let socket = self.sockets.get::<tcp::Socket>(conn.handle);
            match socket.state() {
                tcp::State::Closed if socket.remote_endpoint().is_none() => {
                    conn.clean = false;
                    reorder = true;
                }
                tcp::State::Listen => {
                    listeners += 1;
                    // Back in LISTEN (a RST in SYN-RECEIVED): a fresh socket.
                    conn.service = None;
                    conn.app_driven = conn.api.is_some();
                }
                _ => {
                    conn.clean = false;
                    reorder |= listeners > 0;
                    if conn.service.is_none() && !conn.app_driven && conn.api.is_none() {
                        conn.service = Some(ServiceLogic::new(self.service, self.close_delay));
                    }
                }
            }
        }
        if reorder {
            let mut live = Vec::new();
            let mut listening = Vec::new();
            for conn in self.conns.drain(..) {
                let socket = self.sockets.remove(conn.handle);
                let (state, remote) = tcp::Socket::downcast(&socket)
                    .map_or((tcp::State::Closed, None), |s| {
                        (s.state(), s.remote_endpoint())
                    });
                match state {
                    tcp::State::Closed if remote.is_none() => {}
                    tcp::State::Listen => listening.push((socket, conn)),
                    _ => live.push((socket, conn)),
                }
            }
            for (socket, conn) in live.into_iter().chain(listening) {
                let handle = self.sockets.add(socket);
                self.conns.push(Conn { handle, ..conn });
            }
        }
        self.api_arrange();
        if self.service == Service::Closed {
            return Ok(());
        }
        for _ in listeners..LISTEN_POOL {
            let mut socket = pool::socket();
            socket.listen(self.port).map_err(|e| {
                TargetError::Broken(format!("smoltcp cannot listen on port {}: {e}", self.port))
            })?;
            let handle = self.sockets.add(socket);
            self.conns.push(Conn {
                handle,
                service: None,
                app_driven: false,
                api: None,
                clean: true,
            });
        }
        Ok(())
    }

    /// Runs the service of every connection the application does not drive.
    fn run_services(&mut self) {
        let now = self.now;
        for conn in &mut self.conns {
            let Some(logic) = conn.service.as_mut().filter(|_| !conn.app_driven) else {
                continue;
            };
            let socket = self.sockets.get_mut::<tcp::Socket>(conn.handle);
            let tx_room = socket.send_capacity() - socket.send_queue();
            let budget = logic.read_budget(tx_room).min(socket.recv_queue());
            let mut received = vec![0; budget];
            let n = if budget > 0 {
                socket.recv_slice(&mut received).unwrap_or(0)
            } else {
                0
            };
            received.truncate(n);
            // The peer's FIN is in (RFC 9293 §3.10.7.4, eighth check) and
            // every byte before it has been read.
            let peer_closed = matches!(
                socket.state(),
                tcp::State::CloseWait
                    | tcp::State::LastAck
                    | tcp::State::Closing
                    | tcp::State::TimeWait
            ) && socket.recv_queue() == 0;
            let input = ServiceInput {
                received: &received,
                peer_closed,
                now,
                tx_room,
            };
            // Taken first: an aborted socket forgets its peer.
            let peer = socket
                .remote_endpoint()
                .map(|p| SocketAddr::new(p.addr.into(), p.port));
            for action in logic.step(input) {
                let call = match action {
                    // Never more than tx_room: the whole slice is queued.
                    ServiceAction::Write(bytes) => match socket.send_slice(&bytes) {
                        Ok(n) if n > 0 => ServiceCall::Wrote(n),
                        _ => continue,
                    },
                    ServiceAction::Close => {
                        socket.close();
                        ServiceCall::Close
                    }
                    ServiceAction::Abort => {
                        socket.abort();
                        ServiceCall::Abort
                    }
                };
                if let Some(peer) = peer {
                    self.events.push(ServiceEvent {
                        at: now,
                        peer,
                        call,
                    });
                }
            }
        }
    }

    /// The next session time at which the stack or a service has work.
    fn next_event(&mut self) -> Option<Duration> {
        let stack = self
            .iface
            .poll_at(self.instant(), &self.sockets)
            .map(|at| duration(at).max(self.now));
        let services = self
            .conns
            .iter()
            .filter(|c| !c.app_driven)
            .filter_map(|c| c.service.as_ref()?.next_wake())
            .map(|at| at.max(self.now))
            .min();
        match (stack, services) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The socket connected to `remote`, first in the order smoltcp offers
    /// segments (the one that gets the connection's packets).
    fn conn_of(&self, remote: SocketAddr) -> Option<usize> {
        let remote = IpEndpoint::from(remote);
        self.conns.iter().position(|c| {
            let socket = self.sockets.get::<tcp::Socket>(c.handle);
            socket.state() != tcp::State::Listen && socket.remote_endpoint() == Some(remote)
        })
    }
}

impl Drop for EmbeddedSession {
    /// Listeners that never took a connection go back to the [`pool`], and
    /// so does the emptied socket set.
    fn drop(&mut self) {
        for conn in &self.conns {
            let socket = self.sockets.remove(conn.handle);
            if conn.clean && conn.api.is_none() {
                // (Irrefutable while TCP is the one socket kind built in.)
                #[allow(irrefutable_let_patterns)]
                if let smoltcp::socket::Socket::Tcp(socket) = socket {
                    pool::keep(socket);
                }
            }
        }
        pool::keep_set(std::mem::replace(
            &mut self.sockets,
            SocketSet::new(Vec::new()),
        ));
    }
}

impl Session for EmbeddedSession {
    fn info(&self) -> &SessionInfo {
        &self.info
    }

    /// The stack is in memory: every packet it sends comes to the session.
    fn take_tuple(&mut self, _target: SocketAddr, _harness: SocketAddr) -> bool {
        true
    }

    fn now(&self) -> Duration {
        self.now
    }

    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError> {
        self.device.rx.push_back(packet.to_vec());
        self.step()
    }

    /// Returns a queued packet at `now`; otherwise jumps the clock to each
    /// next smoltcp timer or service wake-up up to `deadline`, polling there,
    /// and returns the first packet produced. With none, `now` becomes
    /// `deadline` (the clock never goes back: a past deadline leaves it).
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError> {
        let mut idle_polls = 0;
        loop {
            if let Some(bytes) = self.device.tx.pop_front() {
                return Ok(Some(Received {
                    at: self.now,
                    bytes,
                }));
            }
            match self.next_event() {
                Some(at) if at <= deadline => {
                    if at == self.now {
                        idle_polls += 1;
                        if idle_polls > MAX_IDLE_POLLS {
                            return Err(TargetError::Broken(format!(
                                "smoltcp asks to be polled at {at:?} but sends nothing"
                            )));
                        }
                    } else {
                        idle_polls = 0;
                    }
                    self.now = at;
                    self.step()?;
                }
                _ => {
                    self.now = self.now.max(deadline);
                    return Ok(None);
                }
            }
        }
    }

    /// Acts on the socket connected to the harness's endpoint. The first
    /// action detaches the built-in service from that connection for good
    /// (bytes it has already read or written stay read or written), so a
    /// case that scripts the application should use the `silent` service,
    /// which never touches the socket.
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError> {
        let Some(index) = self.conn_of(self.info.harness) else {
            return Ok(AppOutcome::Refused("not connected".into()));
        };
        let conn = &mut self.conns[index];
        conn.app_driven = true;
        let socket = self.sockets.get_mut::<tcp::Socket>(conn.handle);
        let outcome = match action {
            AppAction::Write(bytes) => match socket.send_slice(bytes) {
                Ok(n) => AppOutcome::Wrote(n),
                Err(e) => AppOutcome::Refused(e.to_string()),
            },
            AppAction::Read(max) => {
                let mut buf = vec![0; *max];
                match socket.recv_slice(&mut buf) {
                    Ok(n) => {
                        buf.truncate(n);
                        AppOutcome::Read(buf)
                    }
                    Err(tcp::RecvError::Finished) => AppOutcome::Read(Vec::new()),
                    Err(e) => AppOutcome::Refused(e.to_string()),
                }
            }
            // smoltcp has one close: FIN after the queued data. It never
            // turns a close with unread data into a RST (RFC 1122
            // §4.2.2.13 SHOULD): that is smoltcp's behaviour, reported as is.
            AppAction::ShutdownWrite | AppAction::Close => {
                socket.close();
                AppOutcome::Done
            }
            AppAction::Abort => {
                socket.abort();
                AppOutcome::Done
            }
        };
        self.step()?;
        Ok(outcome)
    }

    fn service_events(&mut self) -> Vec<ServiceEvent> {
        std::mem::take(&mut self.events)
    }

    fn sock_call(
        &mut self,
        call: &crate::target::SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<crate::target::CallStatus, TargetError> {
        self.api_call(call, may_block, token)
    }

    fn sock_finished(
        &mut self,
    ) -> Result<Option<(u32, Duration, crate::target::SockResult)>, TargetError> {
        self.api_finished()
    }

    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError> {
        if let Some(index) = self.conn_of(harness) {
            let socket = self.sockets.get::<tcp::Socket>(self.conns[index].handle);
            return Ok(tcp_state(socket.state()));
        }
        // No socket for this 4-tuple: as `ss` would show it, there is none.
        Ok(TcpState::Closed)
    }
}

/// smoltcp's clock for a session time.
fn instant(now: Duration) -> Instant {
    Instant::from_micros(CLOCK_BASE_MICROS + now.as_micros() as i64)
}

/// The session time of a smoltcp instant (zero for anything before the start).
fn duration(at: Instant) -> Duration {
    Duration::from_micros((at.total_micros() - CLOCK_BASE_MICROS).max(0) as u64)
}

/// smoltcp's states are RFC 9293's.
pub fn tcp_state(state: tcp::State) -> TcpState {
    match state {
        tcp::State::Closed => TcpState::Closed,
        tcp::State::Listen => TcpState::Listen,
        tcp::State::SynSent => TcpState::SynSent,
        tcp::State::SynReceived => TcpState::SynReceived,
        tcp::State::Established => TcpState::Established,
        tcp::State::FinWait1 => TcpState::FinWait1,
        tcp::State::FinWait2 => TcpState::FinWait2,
        tcp::State::CloseWait => TcpState::CloseWait,
        tcp::State::Closing => TcpState::Closing,
        tcp::State::LastAck => TcpState::LastAck,
        tcp::State::TimeWait => TcpState::TimeWait,
    }
}
