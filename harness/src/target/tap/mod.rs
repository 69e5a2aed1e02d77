//! `tap` / `tun`: a user-space stack as the target, started by the harness
//! (`--exec CMD`) and attached to a TAP (Ethernet) or TUN (IP) device in a
//! private network namespace.
//!
//! [`Tap::start`] starts a namespace thread (the lab's: anonymous, gone with
//! the process even after SIGKILL), creates the persistent device
//! [`DEVICE_NAME`] there with the kernel kept off it (no addresses, IPv6
//! disabled on it), and opens the harness's end: an `AF_PACKET` socket on
//! the interface ([`crate::target::sys::tap`]). It then runs CMD in the
//! namespace, confined (a PID namespace and `PR_SET_PDEATHSIG`: it dies with
//! the harness), with the environment [`stack_env`] describes, and waits
//! until the stack answers a SYN on the service's port.
//!
//! The stack serves one built-in service at a time (`SYNACK_SERVICE` on
//! `SYNACK_PORT`); a case that wants another service, another close delay,
//! or (with `--restart-per-case`) any case at all, restarts it. Sessions run
//! one at a time (a second `open` waits for the first session to end) and
//! each case has its own 4-tuple ([`crate::target::endpoints`]).
//!
//! On TAP the harness is every other host on the link and its router: it
//! answers ARP, neighbour and router solicitations itself ([`eth`]).
//!
//! A stack that dies mid-case makes the case an error (a finding: the run
//! exits 1) with its exit status and the last lines of its stderr, and the
//! next case restarts it; one that went quiet (nothing came back during
//! the case, or the case's last wait timed out) is probed with a SYN before
//! the next case and restarted if it does not answer (a hung stack). A stack
//! that cannot start at all is an infrastructure error.
//!
//! Application actions and socket state come from the stack's own agent
//! ([`agent`], docs/agent-protocol.md) when it has one; without, cases that
//! need them are *unsupported*.

pub mod agent;
mod bench;
pub mod eth;
mod stack;

use crate::target::agent::AgentClient;
use crate::target::calls::{CallStatus, SockCall, SockResult};
use crate::target::lab::ns::NsThread;
use crate::target::lab::packet::{self, flag};
use crate::target::sys::netlink::{self, Netlink};
use crate::target::sys::tap::{self as systap, PacketSocket};
use crate::target::{
    addr, endpoints, AppAction, AppOutcome, Capabilities, IpFamily, Received, Service, Session,
    SessionInfo, SessionSpec, Target, TargetError,
};
use crate::wire::TcpState;
use eth::{Incoming, Link};
use stack::Stack;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub use systap::DeviceKind;

/// The device's name inside the target's namespace.
pub const DEVICE_NAME: &str = "synack0";

/// The device's MTU on the harness's side (the stack keeps its own).
pub const DEVICE_MTU: u32 = 65000;

/// How long the stack may take to answer its first SYN when no timeout is given.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the probe before a case waits for a stack that heard nothing
/// during the case before.
const HEALTH_TIMEOUT: Duration = Duration::from_millis(500);

/// The harness address the start-up probes come from: in the harness range,
/// but one no case uses (cases use hosts 1 to 253).
const PROBE_V4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 254);
/// The IPv6 probe address: no case index maps to it (segment 5 is never set).
const PROBE_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 1, 0, 1);
const MSS_1460: [u8; 4] = [2, 4, 0x05, 0xb4];

/// What the privilege error says.
pub const PRIVILEGE_HINT: &str = "the tap and tun targets need CAP_NET_ADMIN to create a network namespace and a device: run as root (sudo synack run --target tap --exec CMD)";

/// How the target is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapOptions {
    /// TAP (Ethernet frames) or TUN (IP packets).
    pub kind: DeviceKind,
    /// `--exec CMD`: the stack, run as `sh -c CMD` in the namespace.
    pub exec: String,
    /// The target's name in reports, waiver files and profiles (e.g.
    /// `lwip`); default `tap` or `tun`.
    pub name: Option<String>,
    /// Restart the stack before every case.
    pub restart_per_case: bool,
    /// The family the start-up probe uses (the run's).
    pub family: IpFamily,
    /// `SYNACK_SEED` for the stack.
    pub seed: u64,
    /// How long the stack may take to answer its first SYN
    /// ([`DEFAULT_START_TIMEOUT`]).
    pub start_timeout: Option<Duration>,
}

impl Default for TapOptions {
    fn default() -> TapOptions {
        TapOptions {
            kind: DeviceKind::Tap,
            exec: String::new(),
            name: None,
            restart_per_case: false,
            family: IpFamily::V4,
            seed: 1,
            start_timeout: None,
        }
    }
}

/// What a running stack serves: a case that wants something else restarts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Instance {
    service: Service,
    port: u16,
    close_delay: Duration,
}

impl Instance {
    fn of(spec: &SessionSpec) -> Instance {
        Instance {
            service: spec.service,
            port: spec.target_port,
            close_delay: spec.close_delay,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The environment the stack gets (README, "Testing your own stack").
pub fn stack_env(
    options: &TapOptions,
    service: Service,
    port: u16,
    close_delay: Duration,
) -> Vec<(String, String)> {
    let link = match options.kind {
        DeviceKind::Tap => "tap",
        DeviceKind::Tun => "tun",
    };
    let mut env: Vec<(&str, String)> = vec![
        ("SYNACK_LINK", link.into()),
        ("SYNACK_DEVICE", DEVICE_NAME.into()),
        ("SYNACK_SERVICE", service.name().into()),
        ("SYNACK_PORT", port.to_string()),
        ("SYNACK_CLOSE_DELAY_MS", close_delay.as_millis().to_string()),
        ("SYNACK_SEED", options.seed.to_string()),
        (
            "SYNACK_FAMILY",
            match options.family {
                IpFamily::V4 => "ipv4",
                IpFamily::V6 => "ipv6",
            }
            .into(),
        ),
        ("SYNACK_TARGET_V4", addr::TARGET_V4.to_string()),
        ("SYNACK_PREFIX_V4", "24".into()),
        ("SYNACK_GATEWAY_V4", eth::GATEWAY_V4.to_string()),
        ("SYNACK_TARGET_V6", addr::TARGET_V6.to_string()),
        ("SYNACK_PREFIX_V6", "64".into()),
        ("SYNACK_HARNESS_V4", format!("{}/24", addr::HARNESS_V4_NET)),
        ("SYNACK_HARNESS_V6", format!("{}/64", addr::HARNESS_V6_NET)),
    ];
    if options.kind == DeviceKind::Tap {
        env.push(("SYNACK_GATEWAY_V6", eth::ROUTER_V6.to_string()));
        let mac: Vec<String> = eth::HARNESS_MAC
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        env.push(("SYNACK_HARNESS_MAC", mac.join(":")));
    }
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The harness's end of the device and the running stack. Only the session
/// that holds the target (or start-up) uses it.
#[derive(Debug)]
struct Core {
    sock: PacketSocket,
    link: Link,
    stack: Option<Stack>,
    /// The running stack's agent, when it has one.
    agent: Option<AgentClient>,
    instance: Option<Instance>,
    /// Started and not yet used by a session.
    fresh: bool,
    /// The last session heard nothing from the target.
    suspect: bool,
    /// The next probe's source port.
    probe_port: u16,
    /// Packets from the target that no session claimed.
    dropped: u64,
    buf: Vec<u8>,
}

#[derive(Debug)]
struct Inner {
    core: Mutex<Core>,
    /// A session holds the target.
    busy: Mutex<bool>,
    free: Condvar,
    options: TapOptions,
    name: &'static str,
    /// The token the stack's agent wants (`SYNACK_AGENT_TOKEN`).
    token: String,
    /// The stack answered as an agent when it last started.
    has_agent: AtomicBool,
    /// Last: the namespace ends after the stack and the socket are gone.
    ns: NsThread,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let mut core = lock(&self.core);
        core.agent = None;
        if let Some(mut s) = core.stack.take() {
            s.stop();
        }
    }
}

/// A user-space stack on a TAP or TUN device.
#[derive(Debug)]
pub struct Tap {
    inner: Arc<Inner>,
}

fn os_error(what: &str, e: std::io::Error) -> TargetError {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            TargetError::Privilege(format!("{PRIVILEGE_HINT} ({what}: {e})"))
        }
        _ => TargetError::Io(format!("{what}: {e}")),
    }
}

/// Runs on the namespace thread: the device, the kernel kept off it, the socket.
fn set_up_namespace(kind: DeviceKind) -> Result<PacketSocket, TargetError> {
    // No IPv6 on the device for the kernel: it sends nothing on the link
    // (no link-local address, no MLD, no router solicitations) and takes
    // none of the stack's IPv6 packets as its own.
    if std::path::Path::new("/proc/sys/net/ipv6").exists() {
        for conf in ["all", "default"] {
            let name = format!("/proc/sys/net/ipv6/conf/{conf}/disable_ipv6");
            std::fs::write(&name, "1").map_err(|e| os_error(&format!("write {name}"), e))?;
        }
    }
    systap::create_persistent(DEVICE_NAME, kind).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ENODEV) => {
            TargetError::Privilege(format!("{PRIVILEGE_HINT} (open /dev/net/tun: {e})"))
        }
        _ => os_error(&format!("create the device {DEVICE_NAME}"), e),
    })?;
    let mut rt = Netlink::route().map_err(|e| os_error("open rtnetlink", e))?;
    let lo = netlink::if_index("lo").map_err(|e| os_error("find lo", e))?;
    let dev = netlink::if_index(DEVICE_NAME).map_err(|e| os_error("find the device", e))?;
    // Room for any segment a case sends (a full-sized IPv6 one is 1520
    // octets): the stack, not the harness's device, decides what is too big.
    systap::set_mtu(DEVICE_NAME, DEVICE_MTU).map_err(|e| os_error("set the device's MTU", e))?;
    rt.link_up(lo).map_err(|e| os_error("set lo up", e))?;
    rt.link_up(dev)
        .map_err(|e| os_error("set the device up", e))?;
    PacketSocket::open(dev, kind).map_err(|e| os_error("open a packet socket on the device", e))
}

impl Tap {
    /// Creates the namespace and the device, starts the stack and waits
    /// until it answers a SYN. Errors are infrastructure errors (exit 3).
    pub fn start(options: TapOptions) -> Result<Tap, TargetError> {
        if options.exec.trim().is_empty() {
            return Err(TargetError::Io(
                "the tap and tun targets need --exec CMD: the stack to test".into(),
            ));
        }
        let ns = NsThread::start()?;
        let kind = options.kind;
        let sock = ns.run(move || set_up_namespace(kind))??;
        let name: &'static str = match &options.name {
            // One small leak per target: `Target::name` is `&'static str`.
            Some(n) => Box::leak(n.clone().into_boxed_str()),
            None => match kind {
                DeviceKind::Tap => "tap",
                DeviceKind::Tun => "tun",
            },
        };
        let tap = Tap {
            inner: Arc::new(Inner {
                core: Mutex::new(Core {
                    sock,
                    link: Link::default(),
                    stack: None,
                    agent: None,
                    instance: None,
                    fresh: false,
                    suspect: false,
                    probe_port: 1024,
                    dropped: 0,
                    buf: vec![0; 65536],
                }),
                busy: Mutex::new(false),
                free: Condvar::new(),
                options,
                name,
                token: agent::token()?,
                has_agent: AtomicBool::new(false),
                ns,
            }),
        };
        let first = Instance {
            service: Service::Echo,
            port: Service::Echo.port(),
            close_delay: Duration::ZERO,
        };
        let family = tap.inner.options.family;
        tap.inner
            .restart(&mut lock(&tap.inner.core), first, family)?;
        Ok(tap)
    }

    /// The pid of the running stack (the leader of its process group).
    pub fn stack_pid(&self) -> Option<u32> {
        lock(&self.inner.core).stack.as_ref().map(Stack::pid)
    }

    /// Packets from the target no session claimed.
    pub fn dropped_packets(&self) -> u64 {
        lock(&self.inner.core).dropped
    }

    /// A session with its concrete type.
    pub fn open_session(&self, spec: &SessionSpec) -> Result<TapSession, TargetError> {
        let mut busy = lock(&self.inner.busy);
        while *busy {
            busy = self
                .inner
                .free
                .wait(busy)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *busy = true;
        drop(busy);
        let mut guard = Release(Some(Arc::clone(&self.inner)));
        self.inner.prepare(spec)?;
        let (target, harness) = endpoints(spec);
        // From here the session releases the target.
        let inner = guard.0.take().unwrap_or_else(|| Arc::clone(&self.inner));
        Ok(TapSession {
            info: SessionInfo {
                target,
                harness,
                virtual_time: false,
            },
            start: Instant::now(),
            heard: false,
            timed_out: false,
            calls: false,
            tuples: Vec::new(),
            inner,
        })
    }
}

/// Releases the target on drop (an `open` that failed half-way).
struct Release(Option<Arc<Inner>>);

impl Drop for Release {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            inner.release();
        }
    }
}

impl Inner {
    fn release(&self) {
        *lock(&self.busy) = false;
        self.free.notify_one();
    }

    /// Makes the stack ready for `spec`: restarted when it serves something
    /// else, has died, or (`--restart-per-case`) always; probed first when
    /// it heard nothing during the last case.
    fn prepare(&self, spec: &SessionSpec) -> Result<(), TargetError> {
        let mut core = lock(&self.core);
        let want = Instance::of(spec);
        let mut why = None;
        let alive = match core.stack.as_mut() {
            Some(s) => s.exited().is_none(),
            None => false,
        };
        if !alive {
            why = Some("not running");
        } else if core.instance != Some(want) {
            why = Some("serves another service");
        } else if self.options.restart_per_case && !core.fresh {
            why = Some("--restart-per-case");
        } else if core.suspect && !self.probe(&mut core, want, spec.family, HEALTH_TIMEOUT)? {
            why = Some("did not answer a SYN");
        }
        if why.is_some() {
            self.restart(&mut core, want, spec.family)?;
        }
        core.fresh = false;
        core.suspect = true;
        Ok(())
    }

    /// Stops the stack (if running) and starts it for `want`.
    fn restart(
        &self,
        core: &mut Core,
        want: Instance,
        family: IpFamily,
    ) -> Result<(), TargetError> {
        core.agent = None;
        if let Some(mut old) = core.stack.take() {
            old.stop();
        }
        core.instance = None;
        core.link.forget();
        let mut env = stack_env(&self.options, want.service, want.port, want.close_delay);
        env.extend(agent::env(&self.token));
        core.stack = Some(Stack::spawn(&self.ns, &self.options.exec, env)?);
        let timeout = self.options.start_timeout.unwrap_or(DEFAULT_START_TIMEOUT);
        if !self.probe(core, want, family, timeout)? {
            let cmd = &self.options.exec;
            let (target, _) = probe_endpoints(family, want.port, 0);
            let tail = core
                .stack
                .as_mut()
                .map(Stack::stderr_tail)
                .unwrap_or_default();
            return Err(TargetError::Io(format!(
                "--exec `{cmd}` did not answer a SYN to {target} within {timeout:?}: is it \
                 attached to {DEVICE_NAME} and serving {} on port {}? {tail}",
                want.service, want.port
            )));
        }
        core.agent = agent::connect(&self.ns, &self.token)?;
        self.has_agent
            .store(core.agent.is_some(), Ordering::Relaxed);
        core.instance = Some(want);
        core.fresh = true;
        core.suspect = false;
        Ok(())
    }

    /// Sends SYNs from the probe address until the stack answers (SYN-ACK;
    /// RST too for the `closed` service) or `timeout` passes. Resets a
    /// half-open connection it made. Fails when the stack exits.
    fn probe(
        &self,
        core: &mut Core,
        want: Instance,
        family: IpFamily,
        timeout: Duration,
    ) -> Result<bool, TargetError> {
        let started = Instant::now();
        let mut wait = Duration::from_millis(20);
        while started.elapsed() < timeout {
            if let Some(stack) = core.stack.as_mut() {
                if stack.exited().is_some() {
                    let cmd = &self.options.exec;
                    return Err(TargetError::Io(format!(
                        "--exec `{cmd}` {} before answering a SYN on port {}; {}",
                        stack.describe_exit(),
                        want.port,
                        stack.stderr_tail()
                    )));
                }
            }
            let port = core.probe_port;
            core.probe_port = if port >= 32767 { 1024 } else { port + 1 };
            let (target, from) = probe_endpoints(family, want.port, port);
            if self.options.kind == DeviceKind::Tap && family == IpFamily::V6 {
                let ra = core.link.router_advertisement();
                core.send_raw(&ra)?;
            }
            let syn = packet::tcp_segment(from, target, 1, 0, flag::SYN, &MSS_1460)
                .ok_or_else(|| TargetError::Broken("probe addresses of two families".into()))?;
            core.inject(self.options.kind, &syn)?;
            let until = Instant::now() + wait.min(timeout.saturating_sub(started.elapsed()));
            wait = (wait * 2).min(Duration::from_millis(200));
            let key = (target, from);
            if let Some((_, reply)) = core.pump(self.options.kind, &[key], until)? {
                let Some(h) = packet::tcp_head(&reply) else {
                    continue;
                };
                if h.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK {
                    let rst = packet::tcp_segment(from, target, h.ack, 0, flag::RST, &[])
                        .ok_or_else(|| TargetError::Broken("probe families".into()))?;
                    core.inject(self.options.kind, &rst)?;
                    return Ok(true);
                }
                if h.flags & flag::RST != 0 && want.service == Service::Closed {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// The target and the probe's harness end for a family.
fn probe_endpoints(family: IpFamily, port: u16, from_port: u16) -> (SocketAddr, SocketAddr) {
    let (t, h): (IpAddr, IpAddr) = match family {
        IpFamily::V4 => (addr::TARGET_V4.into(), PROBE_V4.into()),
        IpFamily::V6 => (addr::TARGET_V6.into(), PROBE_V6.into()),
    };
    (SocketAddr::new(t, port), SocketAddr::new(h, from_port))
}

impl Core {
    fn send_raw(&self, bytes: &[u8]) -> Result<(), TargetError> {
        self.sock
            .send(bytes)
            .map_err(|e| TargetError::Io(format!("write to {DEVICE_NAME}: {e}")))
    }

    /// Hands one IP packet to the stack (in a frame on TAP).
    fn inject(&self, kind: DeviceKind, packet: &[u8]) -> Result<(), TargetError> {
        match kind {
            DeviceKind::Tap => self.send_raw(&self.link.frame(packet)),
            DeviceKind::Tun => self.send_raw(packet),
        }
    }

    /// Reads the link until an IP packet of a connection in `keys` (target,
    /// harness) arrives or `until` passes, answering ARP and neighbour and
    /// router discovery on the way and dropping what no one waits for.
    fn pump(
        &mut self,
        kind: DeviceKind,
        keys: &[(SocketAddr, SocketAddr)],
        until: Instant,
    ) -> Result<Option<(Instant, Vec<u8>)>, TargetError> {
        let io = |e: std::io::Error| TargetError::Io(format!("read from {DEVICE_NAME}: {e}"));
        loop {
            let n = match self.sock.try_recv(&mut self.buf).map_err(io)? {
                Some(n) => n,
                None => {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() || !self.sock.wait_readable(Some(left)).map_err(io)? {
                        return Ok(None);
                    }
                    continue;
                }
            };
            let at = Instant::now();
            let ip = match kind {
                DeviceKind::Tun => self.buf[..n].to_vec(),
                DeviceKind::Tap => match self.link.incoming(&self.buf[..n]) {
                    Incoming::Ip(p) => p,
                    Incoming::Answer(frame) => {
                        self.send_raw(&frame)?;
                        continue;
                    }
                    Incoming::Ignore => continue,
                },
            };
            match packet::tcp_head(&ip) {
                Some(h) if keys.contains(&(h.src, h.dst)) => return Ok(Some((at, ip))),
                Some(_) => self.dropped += 1,
                None => {}
            }
        }
    }
}

impl Target for Tap {
    fn name(&self) -> &'static str {
        self.inner.name
    }
    /// Its name (`--name lwip`): a name that is an oracle profile's selects
    /// it; any other leaves the caller's strict default.
    fn default_profile(&self) -> &'static str {
        self.inner.name
    }
    fn capabilities(&self) -> Capabilities {
        crate::target::agent::capabilities(self.inner.has_agent.load(Ordering::Relaxed), true)
    }
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        Ok(Box::new(self.open_session(spec)?))
    }
}

/// One case's connection on the TAP/TUN target; it holds the target.
#[derive(Debug)]
pub struct TapSession {
    info: SessionInfo,
    start: Instant,
    /// Something of this connection came back.
    heard: bool,
    /// The last `recv` got nothing by its deadline.
    timed_out: bool,
    /// The case made socket-API calls on the stack's agent: `release` them.
    calls: bool,
    /// Further (target, harness) tuples whose packets are the session's
    /// (`Session::take_tuple`).
    tuples: Vec<(SocketAddr, SocketAddr)>,
    inner: Arc<Inner>,
}

impl TapSession {
    /// The error for a stack that has died, if it has.
    fn died(&self, core: &mut Core) -> Option<TargetError> {
        let stack = core.stack.as_mut()?;
        stack.exited()?;
        Some(TargetError::Broken(format!(
            "the stack under test (--exec `{}`) {} during the case; {}",
            self.inner.options.exec,
            stack.describe_exit(),
            stack.stderr_tail()
        )))
    }
}

impl Session for TapSession {
    fn info(&self) -> &SessionInfo {
        &self.info
    }
    /// The device is in a namespace of the harness's own: the tuple's
    /// packets are read off it like the session's.
    fn take_tuple(&mut self, target: SocketAddr, harness: SocketAddr) -> bool {
        if !self.tuples.contains(&(target, harness)) {
            self.tuples.push((target, harness));
        }
        true
    }
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError> {
        let mut core = lock(&self.inner.core);
        if let Some(e) = self.died(&mut core) {
            return Err(e);
        }
        core.inject(self.inner.options.kind, packet)
    }
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError> {
        let mut core = lock(&self.inner.core);
        let mut keys = vec![(self.info.target, self.info.harness)];
        keys.extend_from_slice(&self.tuples);
        let got = core.pump(self.inner.options.kind, &keys, self.start + deadline)?;
        match got {
            Some((at, bytes)) => {
                self.heard = true;
                self.timed_out = false;
                Ok(Some(Received {
                    at: at.saturating_duration_since(self.start),
                    bytes,
                }))
            }
            None => match self.died(&mut core) {
                Some(e) => Err(e),
                None => {
                    self.timed_out = true;
                    Ok(None)
                }
            },
        }
    }
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError> {
        let mut core = lock(&self.inner.core);
        if let Some(e) = self.died(&mut core) {
            return Err(e);
        }
        match &core.agent {
            Some(a) => a.act(self.info.harness, action),
            None => Err(TargetError::Unsupported(
                "application actions on the tap/tun target: the stack has no agent \
                 (it does not listen on SYNACK_AGENT)"
                    .into(),
            )),
        }
    }
    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError> {
        let mut core = lock(&self.inner.core);
        if let Some(e) = self.died(&mut core) {
            return Err(e);
        }
        match &core.agent {
            Some(a) => a.state(self.info.target, harness),
            None => Err(TargetError::Unsupported(
                "socket state on the tap/tun target: the stack has no agent".into(),
            )),
        }
    }
    fn sock_call(
        &mut self,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<CallStatus, TargetError> {
        let mut core = lock(&self.inner.core);
        if let Some(e) = self.died(&mut core) {
            return Err(e);
        }
        let agent = core.agent.as_ref().ok_or_else(|| {
            TargetError::Unsupported(format!(
                "the socket API (`{}`) on the tap/tun target: the stack has no agent",
                call.name()
            ))
        })?;
        self.calls = true;
        let (start, local, peer) = (self.start, self.info.target, self.info.harness);
        agent.sock_call(local, peer, call, may_block, token, || start.elapsed())
    }
    fn sock_finished(&mut self) -> Result<Option<(u32, Duration, SockResult)>, TargetError> {
        let core = lock(&self.inner.core);
        match (&core.agent, self.calls) {
            (Some(agent), true) => {
                agent.sock_finished(self.info.target, self.info.harness, self.start)
            }
            _ => Ok(None),
        }
    }
}

impl Drop for TapSession {
    fn drop(&mut self) {
        // A stack that went quiet (hung, or just done) is probed before the
        // next case, and restarted if it does not answer.
        let mut core = lock(&self.inner.core);
        core.suspect = !self.heard || self.timed_out;
        if let (Some(agent), true) = (&core.agent, self.calls) {
            // The case's descriptors close (SO_LINGER 0), as on the lab.
            let _ = agent.release(self.info.target, self.info.harness);
        }
        drop(core);
        self.inner.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_env_names_device_addresses_and_service() {
        let opts = TapOptions {
            exec: "x".into(),
            ..TapOptions::default()
        };
        let env = stack_env(&opts, Service::Http, 80, Duration::from_millis(200));
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("SYNACK_LINK"), Some("tap"));
        assert_eq!(get("SYNACK_DEVICE"), Some(DEVICE_NAME));
        assert_eq!(get("SYNACK_SERVICE"), Some("http"));
        assert_eq!(get("SYNACK_PORT"), Some("80"));
        assert_eq!(get("SYNACK_CLOSE_DELAY_MS"), Some("200"));
        assert_eq!(get("SYNACK_TARGET_V4"), Some("192.0.2.1"));
        assert_eq!(get("SYNACK_GATEWAY_V4"), Some("192.0.2.254"));
        assert_eq!(get("SYNACK_TARGET_V6"), Some("2001:db8:0:1::1"));
        assert_eq!(get("SYNACK_GATEWAY_V6"), Some("fe80::1"));
        assert_eq!(get("SYNACK_HARNESS_V4"), Some("198.51.100.0/24"));
        assert_eq!(get("SYNACK_HARNESS_MAC"), Some("02:53:59:4e:41:4b"));
        let tun = TapOptions {
            kind: DeviceKind::Tun,
            ..opts
        };
        let env = stack_env(&tun, Service::Echo, 7, Duration::ZERO);
        assert!(env.iter().all(|(k, _)| k != "SYNACK_GATEWAY_V6"));
    }

    #[test]
    fn probe_addresses_are_outside_every_case_address() {
        for i in 0..100_000u32 {
            assert_ne!(addr::harness_v6(i), PROBE_V6);
        }
        for i in 0..253u32 {
            assert_ne!(addr::harness_v4(i), PROBE_V4);
        }
    }
}
