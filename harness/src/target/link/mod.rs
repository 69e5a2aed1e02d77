//! `link`: a host elsewhere, reached with raw Ethernet frames on a real
//! interface (pnet's datalink channel, [`crate::target::sys::datalink`]).
//!
//! [`Link::start`] opens the interface named by `--iface`, takes a source
//! address of the harness's own for each peer address (`--source`, or the
//! last host address of the interface's prefix that holds the peer, after
//! an ARP/ND probe shows nobody uses it), resolves the peer's MAC address
//! (ARP, RFC 826; neighbour discovery, RFC 4861) and from then on answers
//! ARP and neighbour solicitations for its own addresses itself. The local
//! kernel owns none of them, so it answers nothing for them: no RST to a
//! SYN-ACK it did not ask for. (The alternative, an address the kernel
//! does own with an nftables rule that drops the kernel's own RSTs, is in
//! the README.)
//!
//! Each session has its own 4-tuple: the harness port comes from a count of
//! the sessions opened and a per-run offset (one source address serves every
//! session, and `synack fuzz` runs all its inputs at one case index). The built-in services on the peer come from
//! an agent (`--agent`, [`crate::target::agent`]), which also performs
//! application actions and reports socket state; without one, only a server
//! of the peer's own (`--peer ADDR:PORT`) can be tested, and cases needing
//! anything else are unsupported. Injection is paced by the runner's
//! `--max-pps` (on by default).

mod bench;
mod frame;
mod port;

pub use frame::Mac;

use crate::target::agent::{AgentAddr, AgentClient};
use crate::target::calls::{CallStatus, SockCall, SockResult};
use crate::target::sys::datalink;
use crate::target::{
    AppAction, AppOutcome, Capabilities, IpFamily, Received, Service, Session, SessionInfo,
    SessionSpec, Target, TargetError,
};
use crate::wire::TcpState;
use port::{Key, Port};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the peer may take to answer ARP or neighbour discovery, in all.
pub const DEFAULT_RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// What the link target says when it lacks the privilege for a raw socket.
pub const PRIVILEGE_HINT: &str =
    "the link target needs CAP_NET_RAW to open a raw socket on the interface: run as root";

/// How the link target is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkOptions {
    /// `--iface`: the interface the peer is on.
    pub iface: String,
    /// `--peer`: the peer's addresses, at most one per family.
    pub peers: Vec<IpAddr>,
    /// `--peer ADDR:PORT`: a server of the peer's own on this port; the
    /// `http` cases go there.
    pub server_port: Option<u16>,
    /// `--source`: the harness's own addresses (else derived).
    pub sources: Vec<IpAddr>,
    /// `--agent`: where the agent listens, and its token.
    pub agent: Option<AgentAddr>,
    /// How long the peer may take to answer ARP / neighbour discovery.
    pub resolve_timeout: Duration,
}

/// One peer address, with our source address for it and its MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Peer {
    ip: IpAddr,
    source: IpAddr,
    mac: Mac,
}

#[derive(Debug)]
struct Inner {
    agent: Option<AgentClient>,
    peers: Vec<Peer>,
    server_port: Option<u16>,
    /// Per-run offset of the harness ports, so that a second run does not
    /// meet the first one's TIME-WAIT connections.
    port_salt: u32,
    /// Sessions opened so far: the next one's harness port.
    opened: std::sync::atomic::AtomicU32,
    port: Port,
}

/// A remote host on a real interface.
#[derive(Debug)]
pub struct Link {
    inner: Arc<Inner>,
}

fn family(ip: IpAddr) -> IpFamily {
    if ip.is_ipv4() {
        IpFamily::V4
    } else {
        IpFamily::V6
    }
}

/// The last host address of `net`/`prefix`: for IPv4 the one below the
/// broadcast address, for IPv6 the one below the last.
fn last_host(net: IpAddr, prefix: u8) -> Option<IpAddr> {
    match net {
        IpAddr::V4(a) if prefix <= 30 => {
            let host = u32::MAX >> prefix;
            Some(Ipv4Addr::from((u32::from(a) & !host) | (host - 1)).into())
        }
        IpAddr::V6(a) if prefix <= 126 => {
            let host = u128::MAX >> prefix;
            Some(Ipv6Addr::from((u128::from(a) & !host) | (host - 1)).into())
        }
        _ => None,
    }
}

fn in_prefix(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

impl Link {
    /// Opens the interface, resolves the peer, says hello to the agent.
    pub fn start(options: LinkOptions) -> Result<Link, TargetError> {
        let name = &options.iface;
        let iface = datalink::interface(name).ok_or_else(|| {
            TargetError::Io(format!(
                "no interface `{name}` in this network namespace (`ip link` lists them)"
            ))
        })?;
        if !iface.up {
            return Err(TargetError::Io(format!(
                "interface `{name}` is down (`ip link set {name} up`)"
            )));
        }
        let mac = iface.mac.filter(|m| *m != [0; 6]).ok_or_else(|| {
            TargetError::Io(format!("interface `{name}` has no Ethernet address"))
        })?;
        if options.peers.is_empty() {
            return Err(TargetError::Io(
                "the link target needs a peer address".into(),
            ));
        }
        let local_owned = |ip: IpAddr| {
            datalink::interfaces()
                .iter()
                .any(|i| i.addrs.iter().any(|(a, _)| *a == ip))
        };
        // Our source address for each peer, and whether we chose it.
        let mut pairs = Vec::new();
        for &peer in &options.peers {
            if local_owned(peer) {
                return Err(TargetError::Io(format!(
                    "the peer {peer} is an address of this host: the link target tests a host elsewhere"
                )));
            }
            let given = options
                .sources
                .iter()
                .copied()
                .find(|s| family(*s) == family(peer));
            let (source, derived) = match given {
                Some(s) => (s, false),
                None => {
                    let derived = iface
                        .addrs
                        .iter()
                        .filter(|(a, p)| in_prefix(peer, *a, *p))
                        .find_map(|(a, p)| last_host(*a, *p))
                        .ok_or_else(|| {
                            TargetError::Io(format!(
                                "no address on `{name}` covers the peer {peer}: give the harness's own address with --source"
                            ))
                        })?;
                    (derived, true)
                }
            };
            if local_owned(source) {
                return Err(TargetError::Io(format!(
                    "--source {source} is an address of this host's kernel, which would answer for it: \
                     give an unused address on the peer's network"
                )));
            }
            if source == peer {
                return Err(TargetError::Io(format!(
                    "--source {source} is the peer's address"
                )));
            }
            pairs.push((peer, source, derived));
        }
        let (tx, rx) =
            datalink::open(name, port::READ_TICK).map_err(|e| match e.raw_os_error() {
                Some(libc::EPERM) | Some(libc::EACCES) => {
                    TargetError::Privilege(format!("{PRIVILEGE_HINT} (open `{name}`: {e})"))
                }
                _ => TargetError::Io(format!("open a raw channel on `{name}`: {e}")),
            })?;
        let sources = pairs.iter().map(|(_, s, _)| *s).collect();
        let port = Port::start(name.clone(), mac, sources, tx, rx)
            .map_err(|e| TargetError::Io(format!("cannot start the link reader: {e}")))?;
        let shared = &port.shared;
        let mut peers = Vec::new();
        for (peer, source, derived) in pairs {
            if derived {
                // Nobody may answer for the address we chose (RFC 5227's
                // probe, in spirit; RFC 4862 §5.4 for IPv6).
                let probe = shared
                    .resolve(source, source, 1, Duration::from_millis(300))
                    .map_err(|e| TargetError::Io(format!("probe {source} on `{name}`: {e}")))?;
                if let Some(m) = probe {
                    return Err(TargetError::Io(format!(
                        "{source}, the address the harness would use on `{name}`, is in use by {}: give an unused one with --source",
                        frame::mac_string(&m)
                    )));
                }
            }
            let tries = 3;
            let asked = if peer.is_ipv4() {
                "ARP"
            } else {
                "neighbour discovery"
            };
            let mac = shared
                .resolve(source, peer, tries, options.resolve_timeout / tries)
                .map_err(|e| TargetError::Io(format!("resolve {peer} on `{name}`: {e}")))?
                .ok_or_else(|| {
                    TargetError::Io(format!(
                        "the peer {peer} did not answer {asked} on `{name}` within {:?} (is it on this link, and up?)",
                        options.resolve_timeout
                    ))
                })?;
            peers.push(Peer {
                ip: peer,
                source,
                mac,
            });
        }
        let agent = options
            .agent
            .as_ref()
            .map(AgentClient::connect)
            .transpose()?;
        let port_salt = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() ^ d.as_secs() as u32);
        Ok(Link {
            inner: Arc::new(Inner {
                agent,
                peers,
                server_port: options.server_port,
                port_salt,
                opened: std::sync::atomic::AtomicU32::new(0),
                port,
            }),
        })
    }

    /// The peer's MAC address for `family`, as resolved at start.
    pub fn peer_mac(&self, family: IpFamily) -> Option<Mac> {
        self.inner.peer(family).map(|p| p.mac)
    }

    /// The harness's own address for `family`.
    pub fn source(&self, family: IpFamily) -> Option<IpAddr> {
        self.inner.peer(family).map(|p| p.source)
    }

    /// TCP packets that no session claimed.
    pub fn dropped_packets(&self) -> u64 {
        self.inner.port.shared.dropped()
    }

    /// What the agent said at hello (`None` without one).
    pub fn agent(&self) -> Option<&AgentClient> {
        self.inner.agent.as_ref()
    }

    /// A link session, with its concrete type.
    pub fn open_session(&self, spec: &SessionSpec) -> Result<LinkSession, TargetError> {
        let inner = &self.inner;
        let peer = inner.peer(spec.family).ok_or_else(|| {
            TargetError::Unsupported(format!(
                "no {} peer address: give one with --peer",
                if spec.family == IpFamily::V4 {
                    "IPv4"
                } else {
                    "IPv6"
                }
            ))
        })?;
        let target = SocketAddr::new(peer.ip, spec.target_port);
        let nth = inner
            .opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let harness_port = 20000 + (inner.port_salt.wrapping_add(nth) % 40000) as u16;
        let harness = SocketAddr::new(peer.source, harness_port);
        let external = inner.server_port == Some(spec.target_port);
        if !external {
            let agent = inner.agent.as_ref().ok_or_else(|| {
                TargetError::Unsupported(format!(
                    "the `{}` service on the peer comes from an agent: run `synack agent` there and give --agent",
                    spec.service
                ))
            })?;
            agent.listen(target, &spec.service.to_string(), harness, spec.close_delay)?;
        } else if spec.service != Service::Http {
            return Err(TargetError::Unsupported(format!(
                "port {} runs the peer's own server, not the `{}` service",
                spec.target_port, spec.service
            )));
        }
        let key: Key = (target, harness);
        if !inner.port.shared.register(key) {
            return Err(TargetError::Broken(format!(
                "another live session already uses {harness} -> {target}"
            )));
        }
        Ok(LinkSession {
            info: SessionInfo {
                target,
                harness,
                virtual_time: false,
            },
            key,
            peer,
            external,
            start: Instant::now(),
            calls: false,
            inner: Arc::clone(inner),
        })
    }
}

impl Inner {
    fn peer(&self, family: IpFamily) -> Option<Peer> {
        self.peers
            .iter()
            .copied()
            .find(|p| self::family(p.ip) == family)
    }
}

impl Target for Link {
    fn name(&self) -> &'static str {
        "link"
    }
    fn capabilities(&self) -> Capabilities {
        crate::target::agent::capabilities(
            self.inner.agent.is_some(),
            self.inner.peer(IpFamily::V6).is_some(),
        )
    }
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        Ok(Box::new(self.open_session(spec)?))
    }
}

/// One case's connection on the link target.
#[derive(Debug)]
pub struct LinkSession {
    info: SessionInfo,
    key: Key,
    peer: Peer,
    /// The peer's own server: no agent acts on it.
    external: bool,
    start: Instant,
    /// The case made socket-API calls on the agent (released at the end).
    calls: bool,
    inner: Arc<Inner>,
}

impl Session for LinkSession {
    fn info(&self) -> &SessionInfo {
        &self.info
    }
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError> {
        let shared = &self.inner.port.shared;
        let mac = shared.neighbour(self.peer.ip).unwrap_or(self.peer.mac);
        shared.send_ip(mac, packet).map_err(|e| {
            let hint = if e.raw_os_error() == Some(libc::EMSGSIZE) {
                format!(
                    " (a {}-byte packet: raise `{}`'s MTU)",
                    packet.len(),
                    shared.iface
                )
            } else {
                String::new()
            };
            TargetError::Io(format!("send on `{}`: {e}{hint}", shared.iface))
        })
    }
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError> {
        let shared = &self.inner.port.shared;
        let got = shared
            .recv(self.key, self.start + deadline)
            .map_err(|e| TargetError::Io(format!("receive on `{}`: {e}", shared.iface)))?;
        Ok(got.map(|(at, bytes)| Received {
            at: at.saturating_duration_since(self.start),
            bytes,
        }))
    }
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError> {
        if self.external {
            return Err(TargetError::Unsupported(
                "app actions on the peer's own server: the server is its own application".into(),
            ));
        }
        match &self.inner.agent {
            Some(agent) => agent.act(self.info.harness, action),
            None => Err(TargetError::Unsupported(
                "app actions on a remote host need an agent (--agent)".into(),
            )),
        }
    }
    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError> {
        match &self.inner.agent {
            Some(agent) => agent.state(self.info.target, harness),
            None => Err(TargetError::Unsupported(
                "socket state on a remote host needs an agent (--agent)".into(),
            )),
        }
    }
    fn sock_call(
        &mut self,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<CallStatus, TargetError> {
        let agent = self.inner.agent.as_ref().ok_or_else(|| {
            TargetError::Unsupported(format!(
                "the socket API (`{}`) on a remote host needs an agent (--agent)",
                call.name()
            ))
        })?;
        self.calls = true;
        let start = self.start;
        let (local, peer) = (self.info.target, self.info.harness);
        agent.sock_call(local, peer, call, may_block, token, || start.elapsed())
    }
    fn sock_finished(&mut self) -> Result<Option<(u32, Duration, SockResult)>, TargetError> {
        match (&self.inner.agent, self.calls) {
            (Some(agent), true) => {
                agent.sock_finished(self.info.target, self.info.harness, self.start)
            }
            _ => Ok(None),
        }
    }
}

impl Drop for LinkSession {
    fn drop(&mut self) {
        self.inner.port.shared.unregister(self.key);
        if let (Some(agent), true) = (&self.inner.agent, self.calls) {
            // The case's descriptors close on the peer (SO_LINGER 0), as the
            // lab's do when its session ends.
            let _ = agent.release(self.info.target, self.info.harness);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_source_is_the_last_host_of_the_prefix() {
        let v4 = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(last_host(v4("192.0.2.7"), 24), Some(v4("192.0.2.254")));
        assert_eq!(last_host(v4("198.51.100.1"), 30), Some(v4("198.51.100.2")));
        assert_eq!(last_host(v4("198.51.100.1"), 31), None);
        assert_eq!(
            last_host(v4("2001:db8:0:1::9"), 64),
            Some(v4("2001:db8:0:1:ffff:ffff:ffff:fffe"))
        );
        assert!(in_prefix(v4("192.0.2.1"), v4("192.0.2.200"), 24));
        assert!(!in_prefix(v4("192.0.3.1"), v4("192.0.2.200"), 24));
        assert!(!in_prefix(v4("2001:db8::1"), v4("192.0.2.200"), 0));
        assert!(in_prefix(v4("2001:db8::1"), v4("2001:db8::2"), 64));
    }
}
