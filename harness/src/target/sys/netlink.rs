//! Netlink, built by hand: rtnetlink (link up, addresses, routes) and
//! `NETLINK_SOCK_DIAG` (the socket table, as `ss` reads it).
//!
//! A netlink socket talks to the network namespace of the thread that
//! created it, whichever thread uses it later.

use super::cvt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

const NLMSG_HDRLEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const NLM_F_DUMP: u16 = 0x300;

const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_FLAGS: u16 = 8;
const IFA_F_NODAD: u32 = 0x02;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RT_TABLE_MAIN: u8 = 254;
const RTPROT_BOOT: u8 = 3;
const RT_SCOPE_UNIVERSE: u8 = 0;
const RT_SCOPE_LINK: u8 = 253;
const RTN_UNICAST: u8 = 1;
const IFF_UP: u32 = 0x1;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `sizeof(struct inet_diag_msg)`.
const INET_DIAG_MSG_LEN: usize = 72;

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Appends one `rtattr`/`nlattr` (type, payload, padding to 4 bytes).
fn push_attr(buf: &mut Vec<u8>, kind: u16, data: &[u8]) {
    let len = 4 + data.len();
    buf.extend_from_slice(&(len as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(data);
    buf.resize(align4(buf.len()), 0);
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

fn family_of(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => libc::AF_INET as u8,
        IpAddr::V6(_) => libc::AF_INET6 as u8,
    }
}

/// A bound netlink socket of one protocol.
#[derive(Debug)]
pub struct Netlink {
    fd: OwnedFd,
    seq: u32,
}

impl Netlink {
    /// `NETLINK_ROUTE`, for configuring links, addresses and routes.
    pub fn route() -> io::Result<Netlink> {
        Netlink::open(libc::NETLINK_ROUTE)
    }
    /// `NETLINK_SOCK_DIAG`, for reading the socket table.
    pub fn sock_diag() -> io::Result<Netlink> {
        Netlink::open(libc::NETLINK_SOCK_DIAG)
    }

    fn open(protocol: libc::c_int) -> io::Result<Netlink> {
        // SAFETY: socket() with constant arguments; the fd is owned at once.
        let raw = cvt(unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                protocol,
            )
        })?;
        // SAFETY: `raw` is a fresh fd that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: sockaddr_nl is plain data; all-zero is valid (pid 0: the
        // kernel picks the port id).
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: passes a valid sockaddr_nl with its size.
        cvt(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sa as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })?;
        Ok(Netlink { fd, seq: 1 })
    }

    /// Sends one request and collects the payloads of the answers (type,
    /// bytes after the header) up to `NLMSG_DONE` (dumps) or the ACK.
    fn request(
        &mut self,
        kind: u16,
        flags: u16,
        payload: &[u8],
    ) -> io::Result<Vec<(u16, Vec<u8>)>> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut msg = Vec::with_capacity(NLMSG_HDRLEN + payload.len());
        msg.extend_from_slice(&((NLMSG_HDRLEN + payload.len()) as u32).to_ne_bytes());
        msg.extend_from_slice(&kind.to_ne_bytes());
        msg.extend_from_slice(&(flags | NLM_F_REQUEST).to_ne_bytes());
        msg.extend_from_slice(&seq.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(payload);
        // SAFETY: sends `msg.len()` bytes from a live buffer.
        let n = unsafe { libc::send(self.fd.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            // SAFETY: receives into a live buffer of `buf.len()` bytes.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let mut rest = &buf[..n as usize];
            while rest.len() >= NLMSG_HDRLEN {
                let len = u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                if len < NLMSG_HDRLEN || len > rest.len() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "bad netlink message length",
                    ));
                }
                let kind = u16::from_ne_bytes([rest[4], rest[5]]);
                let mseq = u32::from_ne_bytes([rest[8], rest[9], rest[10], rest[11]]);
                let body = &rest[NLMSG_HDRLEN..len];
                rest = &rest[align4(len).min(rest.len())..];
                if mseq != seq {
                    continue; // a stale answer to an earlier request
                }
                match kind {
                    NLMSG_DONE => return Ok(out),
                    NLMSG_ERROR => {
                        let err = body
                            .get(..4)
                            .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                            .unwrap_or(-libc::EINVAL);
                        if err != 0 {
                            return Err(io::Error::from_raw_os_error(-err));
                        }
                        if !dump {
                            return Ok(out);
                        }
                    }
                    _ => out.push((kind, body.to_vec())),
                }
            }
        }
    }

    /// Sets `IFF_UP` on interface `index`.
    pub fn link_up(&mut self, index: u32) -> io::Result<()> {
        let mut p = Vec::with_capacity(16);
        p.extend_from_slice(&[libc::AF_UNSPEC as u8, 0, 0, 0]); // family, pad, type
        p.extend_from_slice(&(index as i32).to_ne_bytes());
        p.extend_from_slice(&IFF_UP.to_ne_bytes()); // flags
        p.extend_from_slice(&IFF_UP.to_ne_bytes()); // change mask
        self.request(RTM_NEWLINK, NLM_F_ACK, &p).map(drop)
    }

    /// Adds `addr/prefix` to interface `index`, without duplicate address
    /// detection (`nodad`).
    pub fn add_address(&mut self, index: u32, addr: IpAddr, prefix: u8) -> io::Result<()> {
        let mut p = vec![
            family_of(addr),
            prefix,
            IFA_F_NODAD as u8,
            RT_SCOPE_UNIVERSE,
        ];
        p.extend_from_slice(&index.to_ne_bytes());
        let bytes = ip_bytes(addr);
        push_attr(&mut p, IFA_LOCAL, &bytes);
        push_attr(&mut p, IFA_ADDRESS, &bytes);
        push_attr(&mut p, IFA_FLAGS, &IFA_F_NODAD.to_ne_bytes());
        self.request(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &p)
            .map(drop)
    }

    /// Routes `dst/prefix` out of interface `index` (no gateway).
    pub fn add_route(&mut self, index: u32, dst: IpAddr, prefix: u8) -> io::Result<()> {
        let scope = if dst.is_ipv4() {
            RT_SCOPE_LINK
        } else {
            RT_SCOPE_UNIVERSE
        };
        let mut p = vec![
            family_of(dst),
            prefix,
            0,
            0,
            RT_TABLE_MAIN,
            RTPROT_BOOT,
            scope,
            RTN_UNICAST,
        ];
        p.extend_from_slice(&0u32.to_ne_bytes()); // rtm_flags
        push_attr(&mut p, RTA_DST, &ip_bytes(dst));
        push_attr(&mut p, RTA_OIF, &index.to_ne_bytes());
        self.request(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &p)
            .map(drop)
    }

    /// Every TCP socket of one family in this socket's namespace, in any
    /// state (request sockets in SYN-RECEIVED and TIME-WAIT included).
    pub fn tcp_sockets(&mut self, v6: bool) -> io::Result<Vec<DiagEntry>> {
        let family = if v6 { libc::AF_INET6 } else { libc::AF_INET } as u8;
        let mut p = vec![family, libc::IPPROTO_TCP as u8, 0, 0];
        p.extend_from_slice(&u32::MAX.to_ne_bytes()); // idiag_states: all
        p.resize(p.len() + 48, 0); // inet_diag_sockid: no filter
        let answers = self.request(SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &p)?;
        Ok(answers
            .iter()
            .filter(|(kind, _)| *kind == SOCK_DIAG_BY_FAMILY)
            .filter_map(|(_, body)| DiagEntry::parse(body))
            .collect())
    }
}

impl Netlink {
    /// Ends the TCP socket in TIME-WAIT from `local` to `remote` in this
    /// socket's namespace (`SOCK_DESTROY`, as `ss -K` does; the kernel
    /// needs `CONFIG_INET_DIAG_DESTROY`). `ENOENT`: there was none.
    pub fn destroy_time_wait(&mut self, local: SocketAddr, remote: SocketAddr) -> io::Result<()> {
        const SOCK_DESTROY: u16 = 21;
        const TCP_TIME_WAIT: u32 = 6;
        let family = family_of(local.ip());
        let mut p = vec![family, libc::IPPROTO_TCP as u8, 0, 0];
        p.extend_from_slice(&(1u32 << TCP_TIME_WAIT).to_ne_bytes());
        // struct inet_diag_sockid: ports big-endian, addresses in 16 bytes.
        p.extend_from_slice(&local.port().to_be_bytes());
        p.extend_from_slice(&remote.port().to_be_bytes());
        for ip in [local.ip(), remote.ip()] {
            let mut a = ip_bytes(ip);
            a.resize(16, 0);
            p.extend_from_slice(&a);
        }
        p.extend_from_slice(&0u32.to_ne_bytes()); // idiag_if
        p.extend_from_slice(&[0xff; 8]); // INET_DIAG_NOCOOKIE
        self.request(SOCK_DESTROY, NLM_F_ACK, &p).map(drop)
    }
}

/// One socket as `NETLINK_SOCK_DIAG` reports it (`struct inet_diag_msg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiagEntry {
    /// The kernel's TCP state number (`TCP_ESTABLISHED` = 1 … `TCP_NEW_SYN_RECV` = 12).
    pub state: u8,
    /// The socket's own address and port.
    pub local: SocketAddr,
    /// The peer's address and port (unspecified for a listener).
    pub remote: SocketAddr,
    /// Bytes received and not read (for a listener: the accept backlog).
    pub recv_q: u32,
    /// Bytes sent and not acknowledged (for a listener: the backlog limit).
    pub send_q: u32,
}

impl DiagEntry {
    fn parse(b: &[u8]) -> Option<DiagEntry> {
        if b.len() < INET_DIAG_MSG_LEN {
            return None;
        }
        let family = b[0] as libc::c_int;
        let addr = |off: usize| -> Option<IpAddr> {
            let raw: [u8; 16] = b[off..off + 16].try_into().ok()?;
            match family {
                libc::AF_INET => Some(Ipv4Addr::new(raw[0], raw[1], raw[2], raw[3]).into()),
                libc::AF_INET6 => Some(Ipv6Addr::from(raw).into()),
                _ => None,
            }
        };
        let u32_at = |off: usize| u32::from_ne_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]]);
        // sockid at 4: sport(be16) dport(be16) src[16] dst[16] if cookie[2]
        let sport = u16::from_be_bytes([b[4], b[5]]);
        let dport = u16::from_be_bytes([b[6], b[7]]);
        Some(DiagEntry {
            state: b[1],
            local: SocketAddr::new(addr(8)?, sport),
            remote: SocketAddr::new(addr(24)?, dport),
            recv_q: u32_at(56),
            send_q: u32_at(60),
        })
    }
}

/// The index of interface `name` in the calling thread's namespace.
pub fn if_index(name: &str) -> io::Result<u32> {
    let c =
        std::ffi::CString::new(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: a valid NUL-terminated string.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if i == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(i)
    }
}
