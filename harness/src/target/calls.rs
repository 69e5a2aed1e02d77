//! The socket API a case performs on a target, as packetdrill's local mode
//! does: `socket`, `bind`, `listen`, `accept`, `connect`, options, reads and
//! writes, `shutdown`, `close`, `fcntl`, `poll`, `ioctl`, epoll.
//!
//! A [`SockCall`] names its sockets by the *script's* descriptors (`3`, `4`):
//! the session keeps the map from those to its live sockets (kernel
//! descriptors on the lab, smoltcp handles on the embedded target). `socket`
//! and `accept` carry the descriptor the script gives their result, so the
//! session can enter it. Addresses are never written by the script: a
//! socket binds to the session's target address and port, and connects to
//! the harness's (packetdrill's `...`).
//!
//! Results are Linux's: a return value, and on -1 an errno (Linux numbers,
//! named by [`errno_name`]), whichever target runs the call.

use std::fmt;

#[path = "calls_msg.rs"]
pub mod msg;

/// `shutdown`'s `how`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Shut {
    /// `SHUT_RD`: no more receives.
    Rd,
    /// `SHUT_WR`: no more sends; a FIN follows queued data (RFC 9293 §3.10.4).
    Wr,
    /// `SHUT_RDWR`: both.
    RdWr,
}

/// A socket option the socket API sets or reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SockOpt {
    /// `SO_REUSEADDR`: bind to an address still in use (TIME-WAIT).
    ReuseAddr,
    /// `SO_REUSEPORT`: several sockets bound to one port.
    ReusePort,
    /// `SO_LINGER`: with {1, 0}, `close` aborts with a RST (RFC 9293 §3.10.5).
    Linger,
    /// `SO_RCVBUF`: the receive buffer, which bounds RCV.WND.
    RcvBuf,
    /// `SO_SNDBUF`: the send buffer.
    SndBuf,
    /// `SO_KEEPALIVE`: keep-alive probes on an idle connection (RFC 9293 §3.8.4).
    KeepAlive,
    /// `SO_ERROR` (read only).
    Error,
    /// `TCP_NODELAY`: Nagle's algorithm off (RFC 9293 §3.7.4).
    NoDelay,
    /// `TCP_MAXSEG`: the MSS to announce and send with (RFC 9293 §3.7.1).
    MaxSeg,
    /// `TCP_CORK`: hold partial segments until uncorked.
    Cork,
    /// `TCP_KEEPIDLE`: idle seconds before the first keep-alive.
    KeepIdle,
    /// `TCP_KEEPINTVL`: seconds between keep-alives.
    KeepIntvl,
    /// `TCP_KEEPCNT`: keep-alives unanswered before the connection drops.
    KeepCnt,
    /// `TCP_USER_TIMEOUT`: the user timeout, in ms (RFC 5482).
    UserTimeout,
    /// `TCP_FASTOPEN`: a listener's TFO queue length (RFC 7413).
    FastOpen,
    /// `TCP_INFO` (read only).
    Info,
    /// `TCP_NOTSENT_LOWAT`: writable only below this many unsent bytes.
    NotSentLowat,
    /// `TCP_DEFER_ACCEPT`: wake `accept` only when data arrives.
    DeferAccept,
    /// `TCP_WINDOW_CLAMP`: an upper bound on the advertised window.
    WindowClamp,
    /// `TCP_QUICKACK`: acknowledge at once rather than delay the ACK.
    QuickAck,
    /// `SO_RCVLOWAT`: readable only at this many bytes.
    RcvLowat,
    /// `TCP_FASTOPEN_CONNECT`: `connect` defers the SYN to carry the first write (RFC 7413).
    FastOpenConnect,
    /// `TCP_SYNCNT`: SYN retransmissions before `connect` fails.
    SynCount,
    /// `TCP_INQ`: report unread bytes.
    InQueue,
    /// `SO_ZEROCOPY`: allow `send(…, MSG_ZEROCOPY)`, whose completions
    /// come on the error queue ([`msg`]).
    ZeroCopy,
    /// `SO_TIMESTAMPING`: `SOF_TIMESTAMPING_*` flags; transmit timestamps
    /// come on the error queue ([`msg`]).
    Timestamping,
    /// `SO_MARK`: the packets' firewall mark.
    Mark,
    /// `IP_MTU_DISCOVER`: path MTU discovery (`IP_PMTUDISC_*`, RFC 1191).
    MtuDiscover,
    /// `IP_TOS`: the IPv4 TOS octet (DSCP and ECN bits).
    Tos,
    /// `TCP_FASTOPEN_KEY`: the listener's Fast Open cookie key (16 or 32
    /// octets; RFC 7413 §4.1.2).
    FastOpenKey,
    /// `IP_FREEBIND`: bind to an address not (yet) the host's.
    FreeBind,
}

impl SockOpt {
    /// The option's name as scripts write it, with its level.
    pub const ALL: [(&'static str, &'static str, SockOpt); 31] = [
        ("SOL_SOCKET", "SO_REUSEADDR", SockOpt::ReuseAddr),
        ("SOL_SOCKET", "SO_REUSEPORT", SockOpt::ReusePort),
        ("SOL_SOCKET", "SO_LINGER", SockOpt::Linger),
        ("SOL_SOCKET", "SO_RCVBUF", SockOpt::RcvBuf),
        ("SOL_SOCKET", "SO_SNDBUF", SockOpt::SndBuf),
        ("SOL_SOCKET", "SO_KEEPALIVE", SockOpt::KeepAlive),
        ("SOL_SOCKET", "SO_ERROR", SockOpt::Error),
        ("SOL_TCP", "TCP_NODELAY", SockOpt::NoDelay),
        ("SOL_TCP", "TCP_MAXSEG", SockOpt::MaxSeg),
        ("SOL_TCP", "TCP_CORK", SockOpt::Cork),
        ("SOL_TCP", "TCP_KEEPIDLE", SockOpt::KeepIdle),
        ("SOL_TCP", "TCP_KEEPINTVL", SockOpt::KeepIntvl),
        ("SOL_TCP", "TCP_KEEPCNT", SockOpt::KeepCnt),
        ("SOL_TCP", "TCP_USER_TIMEOUT", SockOpt::UserTimeout),
        ("SOL_TCP", "TCP_FASTOPEN", SockOpt::FastOpen),
        ("SOL_TCP", "TCP_INFO", SockOpt::Info),
        ("SOL_TCP", "TCP_NOTSENT_LOWAT", SockOpt::NotSentLowat),
        ("SOL_TCP", "TCP_DEFER_ACCEPT", SockOpt::DeferAccept),
        ("SOL_TCP", "TCP_WINDOW_CLAMP", SockOpt::WindowClamp),
        ("SOL_TCP", "TCP_QUICKACK", SockOpt::QuickAck),
        ("SOL_SOCKET", "SO_RCVLOWAT", SockOpt::RcvLowat),
        ("SOL_TCP", "TCP_FASTOPEN_CONNECT", SockOpt::FastOpenConnect),
        ("SOL_TCP", "TCP_SYNCNT", SockOpt::SynCount),
        ("SOL_TCP", "TCP_INQ", SockOpt::InQueue),
        ("SOL_SOCKET", "SO_ZEROCOPY", SockOpt::ZeroCopy),
        ("SOL_SOCKET", "SO_TIMESTAMPING", SockOpt::Timestamping),
        ("SOL_SOCKET", "SO_MARK", SockOpt::Mark),
        ("SOL_IP", "IP_MTU_DISCOVER", SockOpt::MtuDiscover),
        ("SOL_IP", "IP_TOS", SockOpt::Tos),
        ("SOL_TCP", "TCP_FASTOPEN_KEY", SockOpt::FastOpenKey),
        ("SOL_IP", "IP_FREEBIND", SockOpt::FreeBind),
    ];

    /// The option a script names (`IPPROTO_TCP` is `SOL_TCP`).
    pub fn by_name(level: &str, name: &str) -> Option<SockOpt> {
        let level = match level {
            "IPPROTO_TCP" => "SOL_TCP",
            "IPPROTO_IP" => "SOL_IP",
            other => other,
        };
        Self::ALL
            .iter()
            .find(|(l, n, _)| *l == level && *n == name)
            .map(|(_, _, o)| *o)
    }

    /// The option's name (`TCP_NODELAY`).
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, _, o)| *o == self)
            .map_or("?", |(_, n, _)| n)
    }
}

/// An option's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum OptValue {
    /// `[1]`: an `int`.
    Int(i64),
    /// `{l_onoff=1, l_linger=0}`.
    Linger {
        /// `l_onoff`: whether lingering is on.
        onoff: i64,
        /// `l_linger`: the linger time, in seconds.
        linger: i64,
    },
    /// `TCP_INFO`: `(field, value)` pairs, named as in `struct tcp_info`
    /// (`tcpi_state`, `tcpi_rto`, …).
    Info(Vec<(String, i64)>),
    /// `"\x01…", 16`: octets, as many as the length argument says.
    Bytes(Vec<u8>),
}

/// `poll`'s and epoll's event bits (Linux's values).
pub mod events {
    /// Data to read.
    pub const POLLIN: u32 = 0x001;
    /// Urgent data to read.
    pub const POLLPRI: u32 = 0x002;
    /// Writing will not block.
    pub const POLLOUT: u32 = 0x004;
    /// An error is pending (returned only).
    pub const POLLERR: u32 = 0x008;
    /// Hung up: both directions closed, or reset (returned only).
    pub const POLLHUP: u32 = 0x010;
    /// The descriptor is not open (returned only).
    pub const POLLNVAL: u32 = 0x020;
    /// Normal data to read.
    pub const POLLRDNORM: u32 = 0x040;
    /// Normal data may be written.
    pub const POLLWRNORM: u32 = 0x100;
    /// The peer closed its side: its FIN arrived.
    pub const POLLRDHUP: u32 = 0x2000;
    /// `EPOLLET`: edge-triggered (epoll only).
    pub const EPOLLET: u32 = 1 << 31;
    /// `EPOLLONESHOT`: disarm after one event (epoll only).
    pub const EPOLLONESHOT: u32 = 1 << 30;
    /// `EPOLLEXCLUSIVE`: wake one waiter only (epoll only).
    pub const EPOLLEXCLUSIVE: u32 = 1 << 28;

    /// Every name a script may use, with its bit (`EPOLLIN` = `POLLIN`).
    pub const NAMES: [(&str, u32); 21] = [
        ("POLLIN", POLLIN),
        ("POLLPRI", POLLPRI),
        ("POLLOUT", POLLOUT),
        ("POLLERR", POLLERR),
        ("POLLHUP", POLLHUP),
        ("POLLNVAL", POLLNVAL),
        ("POLLRDNORM", POLLRDNORM),
        ("POLLWRNORM", POLLWRNORM),
        ("POLLRDHUP", POLLRDHUP),
        ("EPOLLIN", POLLIN),
        ("EPOLLPRI", POLLPRI),
        ("EPOLLOUT", POLLOUT),
        ("EPOLLERR", POLLERR),
        ("EPOLLHUP", POLLHUP),
        ("EPOLLRDNORM", POLLRDNORM),
        ("EPOLLWRNORM", POLLWRNORM),
        ("EPOLLRDHUP", POLLRDHUP),
        ("EPOLLET", EPOLLET),
        ("EPOLLONESHOT", EPOLLONESHOT),
        ("EPOLLEXCLUSIVE", EPOLLEXCLUSIVE),
        ("0", 0),
    ];

    /// `POLLIN|POLLOUT` for the bits set (poll names).
    pub fn text(bits: u32) -> String {
        let names: Vec<&str> = NAMES[..9]
            .iter()
            .filter(|(_, b)| bits & b != 0)
            .map(|(n, _)| *n)
            .collect();
        if names.is_empty() {
            "0".into()
        } else {
            names.join("|")
        }
    }
}

/// `epoll_ctl`'s operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EpollOp {
    /// `EPOLL_CTL_ADD`: watch the descriptor.
    Add,
    /// `EPOLL_CTL_MOD`: change its events.
    Mod,
    /// `EPOLL_CTL_DEL`: stop watching it.
    Del,
}

/// One socket-API call, with the script's descriptors.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SockCall {
    /// `socket(AF_INET or AF_INET6, SOCK_STREAM[|SOCK_NONBLOCK], …) = fd`:
    /// a TCP socket of the session's family.
    Socket {
        /// The descriptor the script gives the new socket.
        fd: i64,
        /// `SOCK_NONBLOCK`: calls on it never block.
        nonblock: bool,
    },
    /// `bind(fd, …)`: to the session's target address and port.
    Bind {
        /// The script's descriptor of the socket.
        fd: i64,
    },
    /// `listen(fd, backlog)`: the socket goes to LISTEN (RFC 9293 §3.10.1, passive OPEN).
    Listen {
        /// The script's descriptor of the socket.
        fd: i64,
        /// The most connections waiting for `accept`.
        backlog: i64,
    },
    /// `accept(fd, …) = new_fd`, `accept4(…, SOCK_NONBLOCK)`.
    Accept {
        /// The script's descriptor of the listener.
        fd: i64,
        /// The descriptor the script gives the accepted connection.
        new_fd: i64,
        /// `SOCK_NONBLOCK` on the accepted socket.
        nonblock: bool,
    },
    /// `connect(fd, …)`: to the harness's address and port (the target opens
    /// actively, RFC 9293 §3.10.1).
    Connect {
        /// The script's descriptor of the socket.
        fd: i64,
    },
    /// `setsockopt(fd, level, opt, value)`.
    SetOpt {
        /// The script's descriptor of the socket.
        fd: i64,
        /// The option.
        opt: SockOpt,
        /// The value to set.
        value: OptValue,
    },
    /// `getsockopt(fd, level, opt, …)`.
    GetOpt {
        /// The script's descriptor of the socket.
        fd: i64,
        /// The option.
        opt: SockOpt,
    },
    /// `write`, `send`, `sendto`, `sendmsg`, `writev`: these bytes, with
    /// `send` flags (`MSG_FASTOPEN` on an unconnected socket opens it to the
    /// harness).
    Send {
        /// The script's descriptor of the socket.
        fd: i64,
        /// The bytes to send.
        bytes: Vec<u8>,
        /// The `send` flags (`MSG_*`, Linux's values).
        flags: i64,
        /// `sendmsg`'s and `writev`'s iovec lengths, adding up to the
        /// bytes (empty: one buffer). With `MSG_ZEROCOPY` each becomes a
        /// page fragment of its own.
        #[serde(default)]
        iov: Vec<usize>,
    },
    /// `recvmsg` with `msg_control` or `MSG_ERRQUEUE`: up to `len` bytes,
    /// and the `msg_flags` and control messages the call returns
    /// ([`CallData::Msg`]). With `MSG_ERRQUEUE`, from the error queue.
    RecvMsg {
        /// The script's descriptor of the socket.
        fd: i64,
        /// The most bytes to read.
        len: usize,
        /// The `recvmsg` flags (`MSG_*`, Linux's values).
        flags: i64,
        /// Whether the script gave `msg_control` (else no room for any).
        control: bool,
    },
    /// `read`, `recv`, `recvfrom`, `recvmsg`, `readv`: up to `len` bytes.
    Recv {
        /// The script's descriptor of the socket.
        fd: i64,
        /// The most bytes to read.
        len: usize,
        /// The `recv` flags (`MSG_*`, Linux's values).
        flags: i64,
    },
    /// `shutdown(fd, how)`.
    Shutdown {
        /// The script's descriptor of the socket.
        fd: i64,
        /// Which direction to shut.
        how: Shut,
    },
    /// `close(fd)`: the socket's CLOSE call (RFC 9293 §3.10.4).
    Close {
        /// The script's descriptor of the socket.
        fd: i64,
    },
    /// `fcntl(fd, F_GETFL)`.
    GetFl {
        /// The script's descriptor of the socket.
        fd: i64,
    },
    /// `fcntl(fd, F_SETFL, …)`: only `O_NONBLOCK` is honoured (O_RDWR is
    /// the access mode, which F_SETFL ignores).
    SetFl {
        /// The script's descriptor of the socket.
        fd: i64,
        /// Whether `O_NONBLOCK` is set.
        nonblock: bool,
    },
    /// `poll([{fd, events}, …], n, timeout_ms)`.
    Poll {
        /// Each entry's script descriptor and requested events ([`events`]).
        fds: Vec<(i64, u32)>,
        /// How long to wait, in ms (negative: without limit).
        timeout_ms: i64,
    },
    /// `ioctl(fd, SIOCINQ)`: bytes unread.
    InQueue {
        /// The script's descriptor of the socket.
        fd: i64,
    },
    /// `ioctl(fd, SIOCOUTQ)`: bytes not yet acknowledged.
    OutQueue {
        /// The script's descriptor of the socket.
        fd: i64,
    },
    /// `pipe([rd, wr])`: a pipe, its ends named by the script.
    Pipe {
        /// The descriptor the script gives the read end.
        rd: i64,
        /// The descriptor the script gives the write end.
        wr: i64,
    },
    /// `splice(fd_in, NULL, fd_out, NULL, len, flags)`: up to `len` octets
    /// from one descriptor to the other (a socket and a pipe).
    Splice {
        /// The script's descriptor read from.
        fd_in: i64,
        /// The script's descriptor written to.
        fd_out: i64,
        /// The most octets to move.
        len: usize,
        /// `SPLICE_F_*`.
        flags: i64,
    },
    /// `epoll_create(n) = epfd`.
    EpollCreate {
        /// The descriptor the script gives the epoll instance.
        epfd: i64,
    },
    /// `epoll_ctl(epfd, op, fd, {events})`.
    EpollCtl {
        /// The script's descriptor of the epoll instance.
        epfd: i64,
        /// Add, modify or delete.
        op: EpollOp,
        /// The script's descriptor of the socket watched.
        fd: i64,
        /// The events to watch ([`events`]).
        events: u32,
    },
    /// `epoll_wait(epfd, …, max, timeout_ms)`.
    EpollWait {
        /// The script's descriptor of the epoll instance.
        epfd: i64,
        /// The most entries to return.
        max: i64,
        /// How long to wait, in ms (negative: without limit).
        timeout_ms: i64,
    },
}

impl SockCall {
    /// The call's name, for messages (`write` and friends are `send`).
    pub fn name(&self) -> &'static str {
        match self {
            SockCall::Socket { .. } => "socket",
            SockCall::Bind { .. } => "bind",
            SockCall::Listen { .. } => "listen",
            SockCall::Accept { .. } => "accept",
            SockCall::Connect { .. } => "connect",
            SockCall::SetOpt { .. } => "setsockopt",
            SockCall::GetOpt { .. } => "getsockopt",
            SockCall::Send { .. } => "send",
            SockCall::Recv { .. } => "recv",
            SockCall::RecvMsg { .. } => "recvmsg",
            SockCall::Shutdown { .. } => "shutdown",
            SockCall::Close { .. } => "close",
            SockCall::GetFl { .. } | SockCall::SetFl { .. } => "fcntl",
            SockCall::Poll { .. } => "poll",
            SockCall::InQueue { .. } | SockCall::OutQueue { .. } => "ioctl",
            SockCall::Pipe { .. } => "pipe",
            SockCall::Splice { .. } => "splice",
            SockCall::EpollCreate { .. } => "epoll_create",
            SockCall::EpollCtl { .. } => "epoll_ctl",
            SockCall::EpollWait { .. } => "epoll_wait",
        }
    }
}

/// What a call returned: its value, its errno when it failed, and what it
/// filled in (bytes read, an option's value, poll's `revents`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SockResult {
    /// The return value (-1: failed).
    pub ret: i64,
    /// Linux's errno number when `ret` is -1.
    pub errno: Option<i32>,
    /// What the call filled in.
    pub data: CallData,
}

impl SockResult {
    /// A call that returned `ret`.
    pub fn ok(ret: i64) -> SockResult {
        SockResult {
            ret,
            errno: None,
            data: CallData::None,
        }
    }
    /// A call that failed with `errno`.
    pub fn err(errno: i32) -> SockResult {
        SockResult {
            ret: -1,
            errno: Some(errno),
            data: CallData::None,
        }
    }
    /// With what the call filled in.
    pub fn with(self, data: CallData) -> SockResult {
        SockResult { data, ..self }
    }
}

impl fmt::Display for SockResult {
    /// `1000`, or `-1 EAGAIN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errno {
            Some(e) if self.ret == -1 => write!(f, "-1 {}", errno_name(e)),
            _ => write!(f, "{}", self.ret),
        }
    }
}

/// What a call filled in beside its return value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CallData {
    /// Nothing.
    None,
    /// The bytes a read returned.
    Bytes(Vec<u8>),
    /// The value `getsockopt` or `ioctl` read.
    Opt(OptValue),
    /// `poll`: each entry's `revents`, in order.
    Revents(Vec<u32>),
    /// `epoll_wait`: `(script fd, events)` of each ready entry.
    Ready(Vec<(i64, u32)>),
    /// `recvmsg`: the flags it returned in `msg_flags`, and the control
    /// messages, in order.
    Msg {
        /// `msg_flags` on return.
        flags: i64,
        /// The control messages.
        cmsgs: Vec<msg::Cmsg>,
    },
}

/// Whether a call finished, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallStatus {
    /// It returned at session time `at`.
    Done {
        /// Session time of the return.
        at: std::time::Duration,
        /// What it returned.
        result: SockResult,
    },
    /// It blocks (the script gave it an end time): the session reports it
    /// from [`crate::target::Session::sock_finished`] when it returns.
    Pending,
    /// It blocked although the script gave it no end time (`+0...0.1`): it
    /// is left blocked and the case cannot go on.
    Blocked,
}

/// Linux errno numbers and their names, for scripts and messages.
pub const ERRNOS: [(&str, i32); 35] = [
    ("EPERM", 1),
    ("ENOENT", 2),
    ("EINTR", 4),
    ("EIO", 5),
    ("EBADF", 9),
    ("EAGAIN", 11),
    ("ENOMEM", 12),
    ("EACCES", 13),
    ("EFAULT", 14),
    ("EEXIST", 17),
    ("EINVAL", 22),
    ("EMFILE", 24),
    ("EPIPE", 32),
    ("ENOMSG", 42),
    ("ENOTSOCK", 88),
    ("EDESTADDRREQ", 89),
    ("EMSGSIZE", 90),
    ("ENOPROTOOPT", 92),
    ("EPROTONOSUPPORT", 93),
    ("EOPNOTSUPP", 95),
    ("EAFNOSUPPORT", 97),
    ("EADDRINUSE", 98),
    ("EADDRNOTAVAIL", 99),
    ("ENETUNREACH", 101),
    ("ECONNABORTED", 103),
    ("ECONNRESET", 104),
    ("ENOBUFS", 105),
    ("EISCONN", 106),
    ("ENOTCONN", 107),
    ("ESHUTDOWN", 108),
    ("ETIMEDOUT", 110),
    ("ECONNREFUSED", 111),
    ("EHOSTUNREACH", 113),
    ("EALREADY", 114),
    ("EINPROGRESS", 115),
];

/// `EAGAIN` for 11; `errno 200` for a number without a name here.
pub fn errno_name(errno: i32) -> String {
    ERRNOS
        .iter()
        .find(|(_, n)| *n == errno)
        .map_or_else(|| format!("errno {errno}"), |(name, _)| (*name).to_string())
}

/// The number of an errno name (`EWOULDBLOCK` is `EAGAIN`).
pub fn errno_by_name(name: &str) -> Option<i32> {
    let name = if name == "EWOULDBLOCK" {
        "EAGAIN"
    } else {
        name
    };
    ERRNOS.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

/// `TCP_INFO` as `(tcpi_* field, value)` pairs.
pub type TcpInfo = Vec<(&'static str, i64)>;

/// The `struct tcp_info` fields a script may name (`tcpi_*`), in the
/// kernel's order: those the lab reads (where its kernel has them) and
/// `%{ }%` blocks see.
pub const TCP_INFO_FIELDS: [&str; 55] = [
    "tcpi_state",
    "tcpi_ca_state",
    "tcpi_retransmits",
    "tcpi_probes",
    "tcpi_backoff",
    "tcpi_options",
    "tcpi_snd_wscale",
    "tcpi_rcv_wscale",
    "tcpi_rto",
    "tcpi_ato",
    "tcpi_snd_mss",
    "tcpi_rcv_mss",
    "tcpi_unacked",
    "tcpi_sacked",
    "tcpi_lost",
    "tcpi_retrans",
    "tcpi_fackets",
    "tcpi_last_data_sent",
    "tcpi_last_ack_sent",
    "tcpi_last_data_recv",
    "tcpi_last_ack_recv",
    "tcpi_pmtu",
    "tcpi_rcv_ssthresh",
    "tcpi_rtt",
    "tcpi_rttvar",
    "tcpi_snd_ssthresh",
    "tcpi_snd_cwnd",
    "tcpi_advmss",
    "tcpi_reordering",
    "tcpi_total_retrans",
    "tcpi_rcv_rtt",
    "tcpi_rcv_space",
    "tcpi_pacing_rate",
    "tcpi_max_pacing_rate",
    "tcpi_bytes_acked",
    "tcpi_bytes_received",
    "tcpi_segs_out",
    "tcpi_segs_in",
    "tcpi_notsent_bytes",
    "tcpi_min_rtt",
    "tcpi_data_segs_in",
    "tcpi_data_segs_out",
    "tcpi_delivery_rate",
    "tcpi_busy_time",
    "tcpi_rwnd_limited",
    "tcpi_sndbuf_limited",
    "tcpi_delivered",
    "tcpi_delivered_ce",
    "tcpi_bytes_sent",
    "tcpi_bytes_retrans",
    "tcpi_dsack_dups",
    "tcpi_reord_seen",
    "tcpi_rcv_ooopack",
    "tcpi_snd_wnd",
    "tcpi_rcv_wnd",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_round_trip_and_unknown_numbers_print_as_numbers() {
        for (name, n) in ERRNOS {
            assert_eq!(errno_by_name(name), Some(n));
            assert_eq!(errno_name(n), name);
        }
        assert_eq!(errno_by_name("EWOULDBLOCK"), Some(11));
        assert_eq!(errno_name(200), "errno 200");
        assert_eq!(errno_by_name("ENOSUCH"), None);
    }

    #[test]
    fn errno_numbers_are_linux_s() {
        assert_eq!(errno_by_name("EAGAIN"), Some(libc::EAGAIN));
        assert_eq!(errno_by_name("EINPROGRESS"), Some(libc::EINPROGRESS));
        assert_eq!(errno_by_name("ECONNREFUSED"), Some(libc::ECONNREFUSED));
        assert_eq!(errno_by_name("EALREADY"), Some(libc::EALREADY));
        assert_eq!(errno_by_name("ENOPROTOOPT"), Some(libc::ENOPROTOOPT));
    }

    #[test]
    fn results_print_as_packetdrill_writes_them() {
        assert_eq!(SockResult::ok(1000).to_string(), "1000");
        assert_eq!(SockResult::err(11).to_string(), "-1 EAGAIN");
    }

    #[test]
    fn options_are_found_by_level_and_name() {
        assert_eq!(
            SockOpt::by_name("IPPROTO_TCP", "TCP_NODELAY"),
            Some(SockOpt::NoDelay)
        );
        assert_eq!(
            SockOpt::by_name("SOL_SOCKET", "SO_LINGER"),
            Some(SockOpt::Linger)
        );
        assert_eq!(SockOpt::by_name("SOL_SOCKET", "TCP_NODELAY"), None);
        assert_eq!(SockOpt::MaxSeg.name(), "TCP_MAXSEG");
        assert_eq!(
            events::text(events::POLLIN | events::POLLOUT),
            "POLLIN|POLLOUT"
        );
    }
}
