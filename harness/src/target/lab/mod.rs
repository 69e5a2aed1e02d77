//! `lab`: the local Linux kernel as the target, reached through a TUN device
//! in a private network namespace that the harness creates.
//!
//! [`Lab::start`] starts a thread that unshares into a new, anonymous network
//! namespace (nothing in `/run/netns`; it dies with the process, even after
//! SIGKILL) and keeps it for the lab's lifetime. Inside: loopback up; a TUN
//! device [`TUN_NAME`] holding the target's addresses ([`addr::TARGET_V4`]/24,
//! [`addr::TARGET_V6`]/64, `nodad`); routes to the harness ranges
//! (198.51.100.0/24, 2001:db8:0:2::/64) through it; router solicitations,
//! router advertisements, DAD and link-local addresses off, so the kernel
//! sends nothing unasked. The kernel never sees a harness address as its
//! own, so it sends no stray RSTs. Every setting the lab relies on
//! (forwarding, buffers, TCP options, IPv6 autoconfiguration) is written
//! inside the namespace at start-up ([`sysctls`]): a new namespace inherits
//! some of them from the host's.
//!
//! Services run on the real kernel in the namespace (one listener per
//! address and port, shared by sessions); `--serve CMD` runs any server
//! there instead, confined so that it cannot outlive the harness.
//!
//! Sessions share the TUN device; each has its own 4-tuple (the harness
//! address comes from the case index, [`crate::target::endpoints`]), and a
//! demultiplexer hands each session only the TCP packets of its 4-tuple.
//! Time is real: `now()` is the wall time since `open`.
//!
//! A packet's time is when the kernel sent it on the TUN device (a packet
//! socket's transmit timestamp, [`sys::pktstamp`]), not when a session got
//! round to reading it: on a loaded machine the reading thread may run tens
//! of milliseconds late, and a reply that came in time would look late.
//!
//! Socket state comes from `NETLINK_SOCK_DIAG`, as `ss` reads it.
//!
//! Application actions act on the connection the service accepted from the
//! session's harness address: Write and Read never block; Close and Abort
//! need the connection to be the case's alone, which it is with the `silent`
//! service (other services own theirs and refuse). On the `--serve` port the
//! server is the application, and actions are unsupported.
//!
//! All OS calls live in [`crate::target::sys`].
//!
//! [`addr::TARGET_V4`]: crate::target::addr::TARGET_V4
//! [`addr::TARGET_V6`]: crate::target::addr::TARGET_V6

mod bench;
mod commands;
mod demux;
pub(crate) mod ns;
pub(crate) mod packet;
pub(crate) mod services;
pub mod sockets;
pub mod sysctls;

pub use bench::{harness_rtt, raw_tun_rtt};
pub use ns::PRIVILEGE_HINT;

use crate::target::sys::netlink::{self, DiagEntry, Netlink};
use crate::target::sys::{self, tun::Tun};
use crate::target::{
    addr, endpoints, AppAction, AppOutcome, CallStatus, Capabilities, IpFamily, Received, Service,
    Session, SessionInfo, SessionSpec, SockCall, SockResult, Target, TargetError,
};
use crate::wire::TcpState;
use demux::{Demux, Key};
use ns::{os_error, NsThread};
use services::Services;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::process::Child;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The TUN device's name inside the lab's namespace.
pub const TUN_NAME: &str = "synack0";

/// The `--serve` port when none is given.
pub const DEFAULT_SERVE_PORT: u16 = 80;

/// How long an app action waits for the service to accept its connection.
const ACCEPT_WAIT: Duration = Duration::from_millis(500);

/// How long `--serve` may take to listen when no timeout is given.
pub const DEFAULT_SERVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the lab is set up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabOptions {
    /// `--serve CMD`: a server command (`sh -c CMD`) to run in the namespace.
    /// Sessions on its port talk to it instead of a built-in service.
    pub serve: Option<String>,
    /// The port the `--serve` command listens on ([`DEFAULT_SERVE_PORT`]).
    pub serve_port: Option<u16>,
    /// How long to wait for the `--serve` command to listen
    /// ([`DEFAULT_SERVE_TIMEOUT`]).
    pub serve_timeout: Option<Duration>,
}

/// A target socket as `ss` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockInfo {
    /// The socket's state, in RFC 9293's names.
    pub state: TcpState,
    /// Bytes received and not yet read by the application.
    pub recv_q: u32,
    /// Bytes sent and not yet acknowledged.
    pub send_q: u32,
}

/// The kernel's TCP state numbers (`include/net/tcp_states.h`) in RFC 9293
/// terms. `TCP_NEW_SYN_RECV` (a request socket) is SYN-RECEIVED too.
pub fn linux_tcp_state(state: u8) -> Option<TcpState> {
    Some(match state {
        1 => TcpState::Established,
        2 => TcpState::SynSent,
        3 | 12 => TcpState::SynReceived,
        4 => TcpState::FinWait1,
        5 => TcpState::FinWait2,
        6 => TcpState::TimeWait,
        7 => TcpState::Closed,
        8 => TcpState::CloseWait,
        9 => TcpState::LastAck,
        10 => TcpState::Listen,
        11 => TcpState::Closing,
        _ => return None,
    })
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the lab's sessions share. Dropped (and torn down) with the last of
/// the [`Lab`] and its sessions. Fields drop in order: services, the
/// `--serve` child, sockets, the TUN device, and last the namespace thread.
#[derive(Debug)]
struct Inner {
    services: Services,
    serve: Mutex<Option<Child>>,
    serve_port: Option<u16>,
    diag: Mutex<Netlink>,
    demux: Demux,
    ipv6: bool,
    ns: NsThread,
    /// `--local_ip` / `--remote_ip` of the one case of a lab of its own.
    script_addresses: Mutex<Option<crate::target::command::ScriptAddresses>>,
    /// The `/tmp` of its script commands.
    scratch: commands::Scratch,
    /// TCP segmentation offload on the TUN device (GSO super-segments).
    tso: std::sync::atomic::AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(mut child) = lock(&self.serve).take() {
            let _ = sys::process::kill_group(child.id());
            let _ = child.wait();
        }
        self.services.stop();
    }
}

/// The local Linux kernel, in a private network namespace.
#[derive(Debug)]
pub struct Lab {
    inner: Arc<Inner>,
}

/// Runs on the namespace thread: sysctls, TUN device, addresses, routes.
/// Returns the device, a sock_diag socket, and whether IPv6 is available.
fn set_up_namespace() -> Result<(Tun, Netlink, bool), TargetError> {
    // /proc/sys/net is resolved for the thread that opens it: these writes
    // reach this namespace only (tests check it from outside).
    let ipv6 = std::path::Path::new("/proc/sys/net/ipv6").exists();
    sysctls::apply(ipv6)?;
    let tun = Tun::create(TUN_NAME).map_err(|e| match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) | Some(libc::ENOENT) | Some(libc::ENODEV) => {
            TargetError::Privilege(format!("{PRIVILEGE_HINT} (open /dev/net/tun: {e})"))
        }
        _ => TargetError::Io(format!("create TUN device {TUN_NAME}: {e}")),
    })?;
    let mut rt = Netlink::route().map_err(|e| os_error("open rtnetlink", e))?;
    let lo = netlink::if_index("lo").map_err(|e| os_error("find lo", e))?;
    let dev = netlink::if_index(tun.name()).map_err(|e| os_error("find the TUN device", e))?;
    rt.link_up(lo).map_err(|e| os_error("set lo up", e))?;
    rt.add_address(dev, addr::TARGET_V4.into(), 24)
        .map_err(|e| os_error("add the target IPv4 address", e))?;
    if ipv6 {
        rt.add_address(dev, addr::TARGET_V6.into(), 64)
            .map_err(|e| os_error("add the target IPv6 address", e))?;
    }
    rt.link_up(dev)
        .map_err(|e| os_error("set the TUN device up", e))?;
    rt.add_route(dev, addr::HARNESS_V4_NET.into(), 24)
        .map_err(|e| os_error("route the harness IPv4 range", e))?;
    if ipv6 {
        rt.add_route(dev, addr::HARNESS_V6_NET.into(), 64)
            .map_err(|e| os_error("route the harness IPv6 range", e))?;
    }
    if ipv6 {
        wait_until_usable(addr::TARGET_V6)?;
    }
    let diag = Netlink::sock_diag().map_err(|e| os_error("open sock_diag", e))?;
    Ok((tun, diag, ipv6))
}

/// `IFA_F_TENTATIVE` in /proc/net/if_inet6: the address takes no traffic yet.
const IFA_F_TENTATIVE: u32 = 0x40;

/// `RTF_LOCAL` in /proc/net/ipv6_route: the route that delivers to this host.
const RTF_LOCAL: u32 = 0x8000_0000;

/// How long the kernel may take to make the IPv6 address usable.
const V6_READY_TIMEOUT: Duration = Duration::from_secs(5);

/// Waits until the target's IPv6 address takes traffic: not tentative, and
/// its local route (`local 2001:db8:0:1::1`) in place. Even with `nodad`
/// the kernel finishes bringing an address up from a work queue after the
/// link goes up, and clears the tentative flag before it adds the local
/// route; a SYN that arrives before the route is counted in
/// Ip6InAddrErrors and dropped without a trace (seen: a lab test's IPv6
/// handshake got no SYN-ACK about one run in four on a busy machine, as no
/// case retransmits its SYN).
fn wait_until_usable(want: std::net::Ipv6Addr) -> Result<(), TargetError> {
    let hex: String = want.octets().iter().map(|b| format!("{b:02x}")).collect();
    // The n-th whitespace-separated field of the line of `file` that starts
    // with the address (and has prefix length `plen`, when given), in hex.
    let field = |file: &str, plen: Option<&str>, n: usize| -> Result<Option<u32>, TargetError> {
        // thread-self: the namespace of this thread, not of the process.
        let path = format!("/proc/thread-self/net/{file}");
        let table = std::fs::read_to_string(&path).map_err(|e| os_error(&path, e))?;
        Ok(table.lines().find_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let matches =
                f.first() == Some(&hex.as_str()) && plen.is_none_or(|p| f.get(1) == Some(&p));
            matches
                .then(|| f.get(n).and_then(|x| u32::from_str_radix(x, 16).ok()))
                .flatten()
        }))
    };
    let started = Instant::now();
    loop {
        // if_inet6: address, ifindex, prefix length, scope, flags, name.
        let addr_flags = field("if_inet6", None, 4)?;
        // ipv6_route: destination, prefix length, source, its length, next
        // hop, metric, refcount, use, flags, device.
        let route_flags = field("ipv6_route", Some("80"), 8)?;
        if addr_flags.is_some_and(|f| f & IFA_F_TENTATIVE == 0)
            && route_flags.is_some_and(|f| f & RTF_LOCAL != 0)
        {
            return Ok(());
        }
        if started.elapsed() > V6_READY_TIMEOUT {
            return Err(TargetError::Io(format!(
                "the lab's IPv6 address {want} takes no traffic after {V6_READY_TIMEOUT:?} \
                 (address flags {addr_flags:x?}, local route flags {route_flags:x?})"
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

impl Lab {
    /// GSO super-segments the lab's TUN device handed over so far (with
    /// segmentation offload on), and the largest `gso_size` among them.
    pub fn gso_seen(&self) -> (u64, u16) {
        self.inner.demux.gso_seen()
    }

    /// Creates the namespace, the TUN device and (with `serve`) the server.
    /// Without CAP_NET_ADMIN: `TargetError::Privilege` with what to do.
    pub fn start(options: LabOptions) -> Result<Lab, TargetError> {
        let ns = NsThread::start()?;
        let (tun, diag, ipv6) = ns.run(set_up_namespace)??;
        // Kernel transmit times of the target's packets; without them
        // (no AF_PACKET), a packet's time is when it was read.
        let stamps = ns
            .run(|| netlink::if_index(TUN_NAME).and_then(sys::pktstamp::TxStamps::open))?
            .ok();
        let serve_port = options
            .serve
            .as_ref()
            .map(|_| options.serve_port.unwrap_or(DEFAULT_SERVE_PORT));
        let lab = Lab {
            inner: Arc::new(Inner {
                services: Services::default(),
                serve: Mutex::new(None),
                serve_port,
                diag: Mutex::new(diag),
                demux: Demux::new(tun).with_stamps(stamps),
                ipv6,
                ns,
                script_addresses: Mutex::new(None),
                scratch: commands::Scratch::default(),
                tso: std::sync::atomic::AtomicBool::new(false),
            }),
        };
        if let (Some(cmd), Some(port)) = (options.serve, serve_port) {
            lab.start_server(
                cmd,
                port,
                options.serve_timeout.unwrap_or(DEFAULT_SERVE_TIMEOUT),
            )?;
        }
        Ok(lab)
    }

    fn start_server(&self, cmd: String, port: u16, timeout: Duration) -> Result<(), TargetError> {
        let shown = cmd.clone();
        let child = self
            .inner
            .ns
            .run(move || sys::process::spawn_confined_piped(&cmd))?
            .map_err(|e| TargetError::Io(format!("--serve `{shown}`: cannot start: {e}")))?;
        let mut child = child;
        // Read from now on, so a chatty server never blocks on the pipe.
        let stderr = crate::target::child_stderr::StderrTail::capture(&mut child);
        *lock(&self.inner.serve) = Some(child);
        let started = Instant::now();
        loop {
            // Listeners on the port, and whether one is reachable from the
            // harness (on the target's address or a wildcard).
            let mut listeners = Vec::new();
            for v6 in [false, true] {
                if let Ok(all) = self.sockets(v6) {
                    listeners.extend(all.into_iter().filter(|s| {
                        linux_tcp_state(s.state) == Some(TcpState::Listen) && s.local.port() == port
                    }));
                }
            }
            if listeners.iter().any(|s| reachable(s.local.ip())) {
                return Ok(());
            }
            if let Some(child) = lock(&self.inner.serve).as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    use crate::target::child_stderr::{failure, DRAIN};
                    let lines = stderr.map(|t| t.lines(DRAIN)).unwrap_or_default();
                    return Err(TargetError::Io(failure(
                        &format!("--serve `{shown}` exited before listening on port {port}"),
                        status,
                        &lines,
                    )));
                }
            }
            if started.elapsed() > timeout {
                let seen: Vec<String> = listeners.iter().map(|s| s.local.to_string()).collect();
                let hint = if seen.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (it listens on {}, which the harness cannot reach: bind {} or a wildcard)",
                        seen.join(", "),
                        addr::TARGET_V4
                    )
                };
                let said = stderr
                    .as_ref()
                    .map(|t| t.lines(Duration::ZERO))
                    .unwrap_or_default();
                let said = if said.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the last lines of its stderr:\n    {}",
                        said.join("\n    ")
                    )
                };
                return Err(TargetError::Io(format!(
                    "--serve `{shown}` did not listen on port {port} within {timeout:?}{hint}{said}"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The pid of the `--serve` process (the leader of its process group).
    pub fn serve_pid(&self) -> Option<u32> {
        lock(&self.inner.serve).as_ref().map(Child::id)
    }

    fn sockets(&self, v6: bool) -> Result<Vec<DiagEntry>, TargetError> {
        lock(&self.inner.diag)
            .tcp_sockets(v6)
            .map_err(|e| TargetError::Io(format!("sock_diag: {e}")))
    }

    /// The target's socket with local address `target` and peer `harness`
    /// (`None`: no such socket), as `ss` shows it.
    pub fn socket_info(
        &self,
        target: SocketAddr,
        harness: SocketAddr,
    ) -> Result<Option<SockInfo>, TargetError> {
        self.inner.socket_info(target, harness)
    }

    /// Reads `/proc/sys/<name>` inside the namespace, e.g.
    /// `net/ipv6/conf/synack0/accept_ra`.
    pub fn sysctl(&self, name: &str) -> Result<String, TargetError> {
        let path = format!("/proc/sys/{name}");
        self.inner
            .ns
            .run(move || {
                std::fs::read_to_string(&path)
                    .map(|s| s.trim().to_string())
                    .map_err(|e| format!("{path}: {e}"))
            })?
            .map_err(TargetError::Io)
    }

    /// Packets the kernel sent that no session claimed (noise, or replies
    /// to a connection whose session has ended).
    pub fn dropped_packets(&self) -> u64 {
        self.inner.demux.dropped()
    }

    /// Makes sure the built-in `service` answers on `target`.
    fn listen(&self, target: SocketAddr, service: Service) -> Result<(), TargetError> {
        let ns = &self.inner.ns;
        self.inner.services.ensure(target, service, || {
            ns.run(move || TcpListener::bind(target))?.map_err(|e| {
                TargetError::Io(format!("listen on {target} for the {service} service: {e}"))
            })
        })
    }

    /// A lab session, with its concrete type (for `socket_info`).
    pub fn open_session(&self, spec: &SessionSpec) -> Result<LabSession, TargetError> {
        if spec.family == IpFamily::V6 && !self.inner.ipv6 {
            return Err(TargetError::Unsupported(
                "IPv6 is not available in this kernel".into(),
            ));
        }
        let (mut target, mut harness) = endpoints(spec);
        if let Some(a) = *lock(&self.inner.script_addresses) {
            commands::use_script_addresses(&a, &mut target, &mut harness);
        }
        if self.inner.serve_port != Some(spec.target_port) {
            self.listen(target, spec.service)?;
        }
        let key: Key = (target, harness);
        if !self.inner.demux.register(key) {
            return Err(TargetError::Broken(format!(
                "another live session already uses {harness} -> {target}"
            )));
        }
        self.inner
            .services
            .registry()
            .set_close_delay(harness, spec.close_delay);
        let start = Instant::now();
        Ok(LabSession {
            info: SessionInfo {
                target,
                harness,
                virtual_time: false,
            },
            key,
            start,
            sockets: sockets::LabSockets::new(target, harness, start),
            inner: Arc::clone(&self.inner),
            arrived: None,
        })
    }
}

impl Inner {
    fn socket_info(
        &self,
        target: SocketAddr,
        harness: SocketAddr,
    ) -> Result<Option<SockInfo>, TargetError> {
        // An IPv4 peer of a dual-stack server (`[::]:80`) is an AF_INET6
        // socket with v4-mapped addresses: look in both tables then.
        let mut sockets = Vec::new();
        {
            let mut diag = lock(&self.diag);
            let tables: &[bool] = if harness.is_ipv6() {
                &[true]
            } else {
                &[false, true]
            };
            for &v6 in tables {
                let table = diag
                    .tcp_sockets(v6)
                    .map_err(|e| TargetError::Io(format!("sock_diag: {e}")))?;
                sockets.extend(table);
            }
        }
        let same =
            |a: SocketAddr, b: SocketAddr| a.port() == b.port() && unmap(a.ip()) == unmap(b.ip());
        let mut found: Vec<SockInfo> = sockets
            .iter()
            .filter(|s| same(s.local, target) && same(s.remote, harness))
            .filter_map(|s| {
                Some(SockInfo {
                    state: linux_tcp_state(s.state)?,
                    recv_q: s.recv_q,
                    send_q: s.send_q,
                })
            })
            .collect();
        // A TIME-WAIT remnant and a new connection can share the 4-tuple:
        // the live one is the one under test.
        // A socket the application still holds after its connection went
        // to TIME-WAIT reads CLOSED beside the TIME-WAIT one: TIME-WAIT then.
        found.sort_by_key(|s| match s.state {
            TcpState::TimeWait => 1,
            TcpState::Closed => 2,
            _ => 0,
        });
        Ok(found.first().copied())
    }
}

/// Whether the harness can reach a listener bound to `ip`.
fn reachable(ip: IpAddr) -> bool {
    let ip = unmap(ip);
    ip.is_unspecified()
        || ip == IpAddr::from(addr::TARGET_V4)
        || ip == IpAddr::from(addr::TARGET_V6)
}

/// `::ffff:a.b.c.d` as `a.b.c.d`.
fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, |v4: Ipv4Addr| v4.into()),
        v4 => v4,
    }
}

impl Target for Lab {
    fn name(&self) -> &'static str {
        "lab"
    }
    fn default_profile(&self) -> &'static str {
        "linux"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            virtual_time: false,
            socket_state: true,
            app_actions: true,
            ipv6: self.inner.ipv6,
        }
    }
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        Ok(Box::new(self.open_session(spec)?))
    }
    fn command(
        &self,
        cmd: &str,
        cwd: &std::path::Path,
    ) -> Result<crate::target::command::Output, TargetError> {
        commands::run(&self.inner.ns, &self.inner.scratch, cmd, cwd)
    }
    fn isolated(
        &self,
        addresses: &crate::target::command::ScriptAddresses,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        let tso = self.inner.tso.load(std::sync::atomic::Ordering::Relaxed);
        self.isolated_with(addresses, tso)
    }
    fn offload(&self) -> Option<bool> {
        Some(self.inner.tso.load(std::sync::atomic::Ordering::Relaxed))
    }
    fn isolated_with(
        &self,
        addresses: &crate::target::command::ScriptAddresses,
        tso: bool,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        // A lab of its own: a new namespace, so settings never leak between
        // cases, and the script's own addresses stay in it (no route out).
        let lab = match Lab::start(LabOptions::default()) {
            Ok(lab) => lab,
            Err(e) => return Some(Err(e)),
        };
        if tso {
            if let Err(e) = lab.inner.demux.tun().set_offload(true) {
                return Some(Err(TargetError::Io(format!(
                    "turn on TCP segmentation offload on {TUN_NAME}: {e}"
                ))));
            }
            lab.inner
                .tso
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        commands::alias_tun0(&lab.inner.ns);
        if addresses.any() {
            match commands::add_script_addresses(&lab.inner.ns, addresses) {
                Ok(used) => *lock(&lab.inner.script_addresses) = Some(used),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(Box::new(lab) as Box<dyn Target>))
    }
}

/// A lab that only runs a script's commands for another target (the
/// embedded target's settings: [`crate::target::embedded`]): a namespace of
/// its own, its TUN device also named `tun0`, no sessions.
pub fn command_sandbox() -> Result<Lab, TargetError> {
    let lab = Lab::start(LabOptions::default())?;
    commands::alias_tun0(&lab.inner.ns);
    Ok(lab)
}

/// One case's connection on the lab target.
#[derive(Debug)]
pub struct LabSession {
    info: SessionInfo,
    key: Key,
    start: Instant,
    /// The case's own sockets (the socket API), closed before the session
    /// leaves the demultiplexer.
    sockets: sockets::LabSockets,
    inner: Arc<Inner>,
    /// When the kernel received the packet last injected (its stamp).
    arrived: Option<Instant>,
}

impl LabSession {
    /// The target's socket for the connection from `harness`, with queues.
    pub fn socket_info(&self, harness: SocketAddr) -> Result<Option<SockInfo>, TargetError> {
        self.inner.socket_info(self.info.target, harness)
    }
}

impl Session for LabSession {
    fn info(&self) -> &SessionInfo {
        &self.info
    }
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError> {
        let before = Instant::now();
        self.arrived = None;
        self.inner
            .demux
            .tun()
            .send(packet)
            .map_err(|e| TargetError::Io(format!("write to {TUN_NAME}: {e}")))?;
        self.arrived = self.inner.demux.arrival(packet, before);
        Ok(())
    }
    fn injected_at(&mut self) -> Option<Duration> {
        self.arrived
            .map(|at| at.saturating_duration_since(self.start))
    }
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError> {
        let until = self.start + deadline;
        let got = self
            .inner
            .demux
            .recv(self.key, until)
            .map_err(|e| TargetError::Io(format!("read from {TUN_NAME}: {e}")))?;
        Ok(got.map(|(at, bytes)| Received {
            at: at.saturating_duration_since(self.start),
            bytes,
        }))
    }
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError> {
        if self.inner.serve_port == Some(self.info.target.port()) {
            return Err(TargetError::Unsupported(
                "app actions on a --serve server: the server is its own application".into(),
            ));
        }
        self.inner
            .services
            .registry()
            .act(self.info.harness, action, ACCEPT_WAIT)
    }
    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError> {
        Ok(self
            .socket_info(harness)?
            .map_or(TcpState::Closed, |s| s.state))
    }
    fn sock_call(
        &mut self,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<CallStatus, TargetError> {
        if let Some(peer) = self.sockets.active_open_peer(call) {
            if peer != self.key.1 && !self.inner.demux.alias((self.key.0, peer), self.key) {
                return Err(TargetError::Broken(format!(
                    "another live session already uses {peer} -> {}",
                    self.key.0
                )));
            }
        }
        self.sockets.call(&self.inner.ns, call, may_block, token)
    }
    fn sock_peer(&self, fd: i64) -> Option<SocketAddr> {
        self.sockets.peer_of(fd)
    }
    fn add_peer(&mut self, peer: SocketAddr) -> bool {
        self.inner.demux.alias((self.key.0, peer), self.key)
    }
    fn take_tuple(&mut self, target: SocketAddr, harness: SocketAddr) -> bool {
        (target, harness) == self.key || self.inner.demux.alias((target, harness), self.key)
    }
    fn sock_finished(&mut self) -> Result<Option<(u32, Duration, SockResult)>, TargetError> {
        Ok(self.sockets.finished())
    }
    fn tcp_info(&mut self, fd: i64) -> Option<Vec<(&'static str, i64)>> {
        self.sockets.tcp_info(fd)
    }
}

impl Drop for LabSession {
    fn drop(&mut self) {
        // The case's resets leave while the session still claims its packets.
        self.sockets.close_all();
        self.inner.demux.unregister(self.key);
        self.inner
            .services
            .registry()
            .forget_peer(self.info.harness);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_state_numbers_map_to_rfc_states() {
        let mapped: Vec<_> = (0..=13).map(linux_tcp_state).collect();
        assert_eq!(mapped[0], None);
        assert_eq!(mapped[1], Some(TcpState::Established));
        assert_eq!(mapped[3], Some(TcpState::SynReceived));
        assert_eq!(mapped[6], Some(TcpState::TimeWait));
        assert_eq!(mapped[8], Some(TcpState::CloseWait));
        assert_eq!(mapped[9], Some(TcpState::LastAck));
        assert_eq!(mapped[10], Some(TcpState::Listen));
        assert_eq!(mapped[12], Some(TcpState::SynReceived), "a request socket");
        assert_eq!(mapped[13], None);
        // Every RFC state but SYN-RECEIVED has exactly one kernel number.
        for s in TcpState::ALL {
            let n = mapped.iter().filter(|m| **m == Some(s)).count();
            assert_eq!(n, if s == TcpState::SynReceived { 2 } else { 1 }, "{s}");
        }
    }

    #[test]
    fn listeners_on_the_target_address_or_a_wildcard_are_reachable() {
        assert!(reachable(addr::TARGET_V4.into()));
        assert!(reachable("::ffff:192.0.2.1".parse().unwrap()));
        assert!(reachable("::".parse().unwrap()));
        assert!(reachable(addr::TARGET_V6.into()));
        assert!(!reachable("127.0.0.1".parse().unwrap()));
    }
}
