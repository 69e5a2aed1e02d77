//! `target`: the TCP stack under test, behind one narrow trait.
//!
//! A [`Target`] opens one [`Session`] per case (a fresh smoltcp stack on the
//! embedded target; a fresh 4-tuple in a shared namespace on the lab target).
//! A session moves IP packets (bytes, exactly as emitted by `wire`, so a
//! deliberately corrupt segment reaches the stack as it is), performs
//! application actions, reports the target socket's state where it can, and
//! owns the session clock: virtual on the embedded target, real elsewhere.
//!
//! The `link` target reaches a host elsewhere with raw Ethernet frames; the
//! `agent` module drives the application's side there over a control
//! connection of its own (JSON lines, docs/agent-protocol.md).
//!
//! Only this module does I/O; all OS and unsafe code lives under `target/sys/`.

pub mod agent;
pub mod calls;
pub mod child_stderr;
pub mod command;
pub mod embedded;
pub mod fault;
pub mod lab;
pub mod link;
pub mod services;
#[allow(unsafe_code)] // the only place: see its module doc
pub mod sys;
pub mod tap;
pub mod userns;

pub use calls::{CallStatus, SockCall, SockResult};
pub use services::Service;

use crate::wire::TcpState;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The address family a case runs over.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum IpFamily {
    /// IPv4.
    #[default]
    V4,
    /// IPv6.
    V6,
}

/// What a case asks of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSpec {
    /// The application behind the target's port.
    pub service: Service,
    /// The address family of both ends.
    pub family: IpFamily,
    /// The target's (listening) port.
    pub target_port: u16,
    /// The harness's source port for the connection under test.
    pub harness_port: u16,
    /// The case's index in the run: targets that share one stack between
    /// cases use it to give each case its own harness address.
    pub index: u32,
    /// Seed for anything random in the target (ISNs, ports).
    pub seed: u64,
    /// How long the service waits, after the peer's FIN, before it closes
    /// (echo, discard). Zero: in the same instant, so ACK and FIN can share
    /// one segment; otherwise the ACK goes first (RFC 9293 §3.6 allows both).
    pub close_delay: Duration,
}

impl Default for SessionSpec {
    fn default() -> SessionSpec {
        SessionSpec {
            service: Service::Echo,
            family: IpFamily::V4,
            target_port: 8080,
            harness_port: 40000,
            index: 0,
            seed: 0,
            close_delay: Duration::ZERO,
        }
    }
}

/// Where a session's connection runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The target's address and listening port.
    pub target: SocketAddr,
    /// The harness's address and port for the connection under test.
    pub harness: SocketAddr,
    /// True when the session clock is virtual (jumps to the next event).
    pub virtual_time: bool,
}

/// What a target can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Its session clock is virtual: waits jump to the next event instead of sleeping.
    pub virtual_time: bool,
    /// Can report the target socket's state (as `ss` does).
    pub socket_state: bool,
    /// Can perform application actions (write, close, …) on the connection.
    pub app_actions: bool,
    /// Can run a session over IPv6.
    pub ipv6: bool,
}

/// An application action on the target's end of the connection under test.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AppAction {
    /// Queue bytes for sending.
    Write(Vec<u8>),
    /// Read up to this many received bytes.
    Read(usize),
    /// `shutdown(SHUT_WR)`: send FIN after queued data.
    ShutdownWrite,
    /// `close()`: FIN (or RST with unread data, as the stack decides).
    Close,
    /// Abort: RST now (`SO_LINGER` 0 and close).
    Abort,
}

/// The result of an [`AppAction`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AppOutcome {
    /// The action was taken and returns nothing.
    Done,
    /// Bytes written (may be fewer than asked).
    Wrote(usize),
    /// Bytes read (empty at end of stream or when nothing is there).
    Read(Vec<u8>),
    /// The stack refused, e.g. "not connected"; not a harness failure.
    Refused(String),
}

/// A packet the target sent, with the session time it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// Session time the packet was seen at.
    pub at: Duration,
    /// The IP packet, as the target sent it.
    pub bytes: Vec<u8>,
}

/// The harness's or the target's plumbing failed (never a verdict).
/// Callers match on the variant, never on the message's text; more variants
/// may come.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetError {
    /// The target cannot do what was asked (a case needing it is *unsupported*).
    Unsupported(String),
    /// Missing privilege; the message says what to do instead.
    Privilege(String),
    /// An OS call failed.
    Io(String),
    /// The target is in a state it cannot continue from.
    Broken(String),
    /// The stack kept sending without time passing: more than `rounds`
    /// egress rounds at session time `at` (the embedded target's hang guard;
    /// smoltcp 0.14's ACK storm, `fuzz/findings/embedded-egress-storm.input`).
    /// A broken session, which a fuzz campaign may allow as `segment-storm`.
    SegmentStorm {
        /// The stack, as the message names it (`smoltcp`).
        stack: &'static str,
        /// The guard's limit of egress rounds at one instant.
        rounds: usize,
        /// Session time of the storm.
        at: Duration,
    },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Unsupported(m) => write!(f, "unsupported by this target: {m}"),
            TargetError::Privilege(m) => {
                write!(f, "insufficient privilege: {m}{}", userns::note())
            }
            TargetError::Io(m) => write!(f, "I/O error: {m}"),
            TargetError::Broken(m) => write!(f, "target broken: {m}"),
            TargetError::SegmentStorm { stack, rounds, at } => write!(
                f,
                "target broken: {stack} kept sending at one instant: more than {rounds} \
                 egress rounds at t={at:?} without time passing"
            ),
        }
    }
}
impl std::error::Error for TargetError {}

/// A TCP stack under test.
pub trait Target: Send + Sync {
    /// Short name used in reports and snapshot paths: `embedded`, `lab`, …
    fn name(&self) -> &'static str;
    /// What this target can do, so cases needing more are reported unsupported.
    fn capabilities(&self) -> Capabilities;
    /// The name of the oracle profile that describes this stack's allowed
    /// deviations (`crate::oracle::Profile::by_name`), used when the user
    /// names none; a name of no profile leaves callers on `rfc9293`, the
    /// strict reading, which is also the default.
    fn default_profile(&self) -> &'static str {
        "rfc9293"
    }
    /// A fresh session for one case.
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError>;
    /// Runs a script's back-quoted command where the target's stack lives
    /// ([`command`]). Targets that cannot say *unsupported*.
    fn command(&self, cmd: &str, cwd: &std::path::Path) -> Result<command::Output, TargetError> {
        let _ = (cmd, cwd);
        Err(TargetError::Unsupported(format!(
            "the {} target cannot run a script's commands",
            self.name()
        )))
    }
    /// The case's lines are done: the commands that follow are its cleanup
    /// (the embedded target then lets them change settings).
    fn case_over(&self) {}
    /// What the target made of the commands run so far, one line each, for
    /// the transcript (the embedded target: each setting they changed,
    /// honoured or accepted, and why).
    fn command_notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// A fresh instance of this target with settings of its own, for a case
    /// whose commands change them, holding the addresses the script asks
    /// for; `None` when the target has no such thing.
    fn isolated(
        &self,
        addresses: &command::ScriptAddresses,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        let _ = addresses;
        None
    }
    /// Whether this target's device hands over TCP segments as the stack
    /// made them before segmentation (TSO/GSO super-segments, as
    /// packetdrill's TUN device does): `None` when it has no such setting.
    fn offload(&self) -> Option<bool> {
        None
    }
    /// [`Target::isolated`] with segmentation offload set to `tso` (a
    /// target without the setting ignores it).
    fn isolated_with(
        &self,
        addresses: &command::ScriptAddresses,
        tso: bool,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        let _ = tso;
        self.isolated(addresses)
    }
}

/// One case's view of a target.
pub trait Session: Send {
    /// Where the session's connection runs.
    fn info(&self) -> &SessionInfo;
    /// Session time: zero at `open`, virtual or real.
    fn now(&self) -> Duration;
    /// Hands one IP packet to the target's stack.
    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError>;
    /// When the target's stack took in the packet of the last successful
    /// [`Session::inject`] (session time), where the target can tell: the
    /// lab reads the kernel's receive stamp. What the packet provokes is
    /// timed from it, not from a thread that may be preempted around its
    /// write. `None`: the target cannot tell.
    fn injected_at(&mut self) -> Option<Duration> {
        None
    }
    /// The next packet the target sends at or before `deadline` (session
    /// time). `Ok(None)` means none by then, and `now()` is then `deadline`.
    /// On a virtual clock, time jumps straight to the stack's next event.
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError>;
    /// Performs an application action on the connection under test.
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError>;
    /// The state of the target's socket for the connection from `harness`
    /// (`Closed` when there is none), as `ss` would show it.
    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError>;
    /// What the built-in services did on their own (wrote, closed or
    /// aborted a connection) since the last call, oldest first. A target
    /// that cannot tell when (the lab's services run on the kernel's sockets
    /// in their own threads) returns none. Allocates only when there are
    /// events.
    fn service_events(&mut self) -> Vec<ServiceEvent> {
        Vec::new()
    }
    /// Performs a socket-API call of the case ([`calls`]); `may_block`: the
    /// script gave it an end time, so it may block while the case goes on;
    /// `token` names it when [`Session::sock_finished`] reports its return.
    /// A target without the socket API says *unsupported*.
    fn sock_call(
        &mut self,
        call: &SockCall,
        may_block: bool,
        token: u32,
    ) -> Result<CallStatus, TargetError> {
        let _ = (may_block, token);
        Err(TargetError::Unsupported(format!(
            "this target does not perform the socket API (`{}`)",
            call.name()
        )))
    }
    /// A call that [`Session::sock_call`] left pending and that has returned
    /// since: its token, the session time it returned, its result.
    fn sock_finished(&mut self) -> Result<Option<(u32, Duration, SockResult)>, TargetError> {
        Ok(None)
    }
    /// `TCP_INFO` of the case's descriptor `fd` now, as `(tcpi_* field,
    /// value)` pairs, where the target can read it.
    fn tcp_info(&mut self, fd: i64) -> Option<Vec<(&'static str, i64)>> {
        let _ = fd;
        None
    }
    /// The harness's address the active open of the case's descriptor `fd`
    /// went to, where the target gives each connection a port of the
    /// harness's own (`None`: the session's [`SessionInfo::harness`]).
    fn sock_peer(&self, fd: i64) -> Option<std::net::SocketAddr> {
        let _ = fd;
        None
    }
    /// Takes the target's packets to `peer` (another harness address) as
    /// the session's too, for a further connection the harness opens from
    /// there; false where the target cannot.
    fn add_peer(&mut self, peer: std::net::SocketAddr) -> bool {
        let _ = peer;
        false
    }
    /// Takes the target's packets from `target` to `harness` as the
    /// session's: a `<` line sent from or to another address (`[src …]`,
    /// `[dst …]`, catalogue row T15), whose reply must be seen. Only a
    /// target on a network of its own (in memory, a private namespace) says
    /// yes: such a line is never sent where other hosts could receive it.
    fn take_tuple(&mut self, target: std::net::SocketAddr, harness: std::net::SocketAddr) -> bool {
        let _ = (target, harness);
        false
    }
}

/// An application call a built-in service made on its own, not one a case
/// asked for: the oracle may hear of it as of the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceEvent {
    /// Session time of the call.
    pub at: Duration,
    /// The harness end of the connection.
    pub peer: SocketAddr,
    /// What the service called.
    pub call: ServiceCall,
}

/// What a built-in service did ([`ServiceEvent`]): the call as the stack
/// took it, not its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceCall {
    /// Octets the stack queued for sending (never zero).
    Wrote(usize),
    /// The service called `close()`: a FIN follows its queued data.
    Close,
    /// The service aborted (`SO_LINGER` {1, 0} and `close()`): a RST.
    Abort,
}

/// Documentation addresses (RFC 5737, RFC 3849) used by targets the harness
/// builds itself. Never any other address.
pub mod addr {
    use std::net::{Ipv4Addr, Ipv6Addr};
    /// The target's IPv4 address.
    pub const TARGET_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    /// The harness's IPv4 addresses are 198.51.100.0/24; case `i` uses host `1 + i % 253`.
    pub const HARNESS_V4_NET: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 0);
    /// The target's IPv6 address.
    pub const TARGET_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1);
    /// The harness's IPv6 prefix 2001:db8:0:2::/64; case `i` uses host `1 + i`.
    pub const HARNESS_V6_NET: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 0);

    /// The harness address for case `index`.
    pub fn harness_v4(index: u32) -> Ipv4Addr {
        let o = HARNESS_V4_NET.octets();
        Ipv4Addr::new(o[0], o[1], o[2], (1 + index % 253) as u8)
    }
    /// The harness IPv6 address for case `index`.
    pub fn harness_v6(index: u32) -> Ipv6Addr {
        let s = HARNESS_V6_NET.segments();
        // Host `1 + index` as a 48-bit number: no overflow at any index.
        let host = u64::from(index) + 1;
        Ipv6Addr::new(
            s[0],
            s[1],
            s[2],
            s[3],
            0,
            (host >> 32) as u16,
            (host >> 16) as u16,
            host as u16,
        )
    }
}

/// The harness and target addresses for a spec's family and index.
pub fn endpoints(spec: &SessionSpec) -> (SocketAddr, SocketAddr) {
    let (t, h): (IpAddr, IpAddr) = match spec.family {
        IpFamily::V4 => (addr::TARGET_V4.into(), addr::harness_v4(spec.index).into()),
        IpFamily::V6 => (addr::TARGET_V6.into(), addr::harness_v6(spec.index).into()),
    };
    (
        SocketAddr::new(t, spec.target_port),
        SocketAddr::new(h, spec.harness_port),
    )
}

#[cfg(test)]
mod tests {
    use super::addr::harness_v6;
    use std::collections::BTreeSet;

    /// Case `i` gets host `1 + i` in the harness's /64, carried across the
    /// 16-bit groups: no overflow at an index whose low 16 bits are all ones.
    #[test]
    fn harness_v6_addresses_are_distinct_across_16_bit_boundaries() {
        let indexes = [
            0,
            1,
            0xfffe,
            0xffff,
            0x1_0000,
            0x1_ffff,
            u32::MAX - 1,
            u32::MAX,
        ];
        let addrs: BTreeSet<_> = indexes.iter().map(|&i| harness_v6(i)).collect();
        assert_eq!(addrs.len(), indexes.len(), "{addrs:?}");
        assert_eq!(harness_v6(0).to_string(), "2001:db8:0:2::1");
        assert_eq!(harness_v6(0xffff).to_string(), "2001:db8:0:2::1:0");
        assert_eq!(harness_v6(u32::MAX).to_string(), "2001:db8:0:2:0:1::");
    }
}

#[cfg(test)]
mod error_tests {
    use super::TargetError;
    use std::time::Duration;

    #[test]
    fn segment_storm_message_names_the_stack_rounds_and_time() {
        let e = TargetError::SegmentStorm {
            stack: "smoltcp",
            rounds: 10_000,
            at: Duration::from_millis(1500),
        };
        assert_eq!(
            e.to_string(),
            "target broken: smoltcp kept sending at one instant: more than 10000 egress \
             rounds at t=1.5s without time passing"
        );
    }
}
