//! The socket API as a script performs it on the lab (`target::lab::sockets`):
//! thin wrappers over the libc calls, each returning Linux's errno on
//! failure (`Err(errno)`), never a panic. Descriptors are raw: the caller
//! owns them (it closes them with [`close`]).

use std::net::SocketAddr;
use std::os::fd::RawFd;

/// A call's result: the value, or the errno it failed with.
pub type SysResult<T> = Result<T, i32>;

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

fn check(ret: libc::c_int) -> SysResult<libc::c_int> {
    if ret == -1 {
        Err(errno())
    } else {
        Ok(ret)
    }
}

fn check_size(ret: libc::ssize_t) -> SysResult<usize> {
    if ret < 0 {
        Err(errno())
    } else {
        Ok(ret as usize)
    }
}

/// The kernel's thread id of the calling thread.
pub fn gettid() -> i32 {
    // SAFETY: gettid takes nothing and cannot fail.
    unsafe { libc::gettid() }
}

/// Whether thread `tid` of this process sleeps in the kernel (state `S` or
/// `D` in /proc): a call it makes blocks. False when it cannot be read.
pub fn thread_sleeping(tid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")) else {
        return false;
    };
    // `pid (comm) S …`: the state follows the last `)` (comm may hold any text).
    stat.rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next())
        .is_some_and(|s| s == "S" || s == "D")
}

/// `socket(AF_INET or AF_INET6, SOCK_STREAM [| SOCK_NONBLOCK], IPPROTO_TCP)`.
pub fn socket(v6: bool, nonblock: bool) -> SysResult<RawFd> {
    let family = if v6 { libc::AF_INET6 } else { libc::AF_INET };
    let mut ty = libc::SOCK_STREAM | libc::SOCK_CLOEXEC;
    if nonblock {
        ty |= libc::SOCK_NONBLOCK;
    }
    // SAFETY: socket takes no pointers.
    check(unsafe { libc::socket(family, ty, libc::IPPROTO_TCP) })
}

/// `close(fd)`.
pub fn close(fd: RawFd) -> SysResult<()> {
    // SAFETY: closes a descriptor the caller owns and no longer uses.
    check(unsafe { libc::close(fd) }).map(drop)
}

/// A `sockaddr_storage` holding `addr`, and its length.
fn sockaddr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all zeroes is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe {
                std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin);
            }
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: 0,
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe {
                std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6);
            }
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// `bind(fd, addr)`.
pub fn bind(fd: RawFd, addr: SocketAddr) -> SysResult<()> {
    let (sa, len) = sockaddr(addr);
    // SAFETY: `sa` is a valid sockaddr of `len` bytes, alive for the call.
    check(unsafe { libc::bind(fd, (&sa as *const libc::sockaddr_storage).cast(), len) }).map(drop)
}

/// `listen(fd, backlog)`.
pub fn listen(fd: RawFd, backlog: i32) -> SysResult<()> {
    // SAFETY: no pointers.
    check(unsafe { libc::listen(fd, backlog) }).map(drop)
}

/// `accept4(fd, NULL, NULL, SOCK_CLOEXEC [| SOCK_NONBLOCK])`.
pub fn accept(fd: RawFd, nonblock: bool) -> SysResult<RawFd> {
    let mut flags = libc::SOCK_CLOEXEC;
    if nonblock {
        flags |= libc::SOCK_NONBLOCK;
    }
    // SAFETY: null address and length pointers are allowed (no peer address wanted).
    check(unsafe { libc::accept4(fd, std::ptr::null_mut(), std::ptr::null_mut(), flags) })
}

/// `connect(fd, addr)`.
pub fn connect(fd: RawFd, addr: SocketAddr) -> SysResult<()> {
    let (sa, len) = sockaddr(addr);
    // SAFETY: `sa` is a valid sockaddr of `len` bytes, alive for the call.
    check(unsafe { libc::connect(fd, (&sa as *const libc::sockaddr_storage).cast(), len) })
        .map(drop)
}

/// `setsockopt(fd, level, name, &int, 4)`.
pub fn set_int(fd: RawFd, level: i32, name: i32, value: i32) -> SysResult<()> {
    // SAFETY: passes one int with its exact size.
    check(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const i32).cast(),
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// `setsockopt(fd, level, name, bytes, bytes.len())`.
pub fn set_bytes(fd: RawFd, level: i32, name: i32, bytes: &[u8]) -> SysResult<()> {
    // SAFETY: passes a live slice with its exact length: the kernel reads
    // at most that many octets (none of an empty slice).
    check(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            bytes.as_ptr().cast(),
            bytes.len() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// `getsockopt(fd, level, name, &int, &4)`.
pub fn get_int(fd: RawFd, level: i32, name: i32) -> SysResult<i32> {
    let mut value: i32 = 0;
    let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `value`.
    check(unsafe { libc::getsockopt(fd, level, name, (&mut value as *mut i32).cast(), &mut len) })?;
    Ok(value)
}

/// `setsockopt(fd, SOL_SOCKET, SO_LINGER, {onoff, linger})`.
pub fn set_linger(fd: RawFd, onoff: i32, linger: i32) -> SysResult<()> {
    let l = libc::linger {
        l_onoff: onoff,
        l_linger: linger,
    };
    // SAFETY: passes one valid `struct linger` with its exact size.
    check(unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&l as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// `getsockopt(fd, SOL_SOCKET, SO_LINGER)`: `(onoff, linger)`.
pub fn get_linger(fd: RawFd) -> SysResult<(i32, i32)> {
    let mut l = libc::linger {
        l_onoff: 0,
        l_linger: 0,
    };
    let mut len = std::mem::size_of::<libc::linger>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `l`.
    check(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&mut l as *mut libc::linger).cast(),
            &mut len,
        )
    })?;
    Ok((l.l_onoff, l.l_linger))
}

/// `getsockopt(fd, SOL_TCP, TCP_INFO)`: the fields of
/// `crate::target::calls::TCP_INFO_FIELDS`, in that order.
pub fn tcp_info(fd: RawFd) -> SysResult<Vec<(&'static str, i64)>> {
    // SAFETY: tcp_info is plain data; all zeroes is a valid value.
    let mut i: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `i`.
    check(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_TCP,
            libc::TCP_INFO,
            (&mut i as *mut libc::tcp_info).cast(),
            &mut len,
        )
    })?;
    let w = i.tcpi_snd_rcv_wscale;
    let v = |x: u32| i64::from(x);
    // Fields past what this kernel wrote (an older `struct tcp_info`) are
    // left out, not read as zero.
    let len = len as usize;
    let has = |offset: usize, size: usize| offset + size <= len;
    macro_rules! ext {
        ($out:ident, $($f:ident),*) => {
            $(
                if has(std::mem::offset_of!(libc::tcp_info, $f), std::mem::size_of_val(&i.$f)) {
                    $out.push((stringify!($f), i.$f as i64));
                }
            )*
        };
    }
    let mut out = vec![
        ("tcpi_state", i64::from(i.tcpi_state)),
        ("tcpi_ca_state", i64::from(i.tcpi_ca_state)),
        ("tcpi_retransmits", i64::from(i.tcpi_retransmits)),
        ("tcpi_probes", i64::from(i.tcpi_probes)),
        ("tcpi_backoff", i64::from(i.tcpi_backoff)),
        ("tcpi_options", i64::from(i.tcpi_options)),
        ("tcpi_snd_wscale", i64::from(w & 0xf)),
        ("tcpi_rcv_wscale", i64::from(w >> 4)),
        ("tcpi_rto", v(i.tcpi_rto)),
        ("tcpi_ato", v(i.tcpi_ato)),
        ("tcpi_snd_mss", v(i.tcpi_snd_mss)),
        ("tcpi_rcv_mss", v(i.tcpi_rcv_mss)),
        ("tcpi_unacked", v(i.tcpi_unacked)),
        ("tcpi_sacked", v(i.tcpi_sacked)),
        ("tcpi_lost", v(i.tcpi_lost)),
        ("tcpi_retrans", v(i.tcpi_retrans)),
        ("tcpi_fackets", v(i.tcpi_fackets)),
        ("tcpi_last_data_sent", v(i.tcpi_last_data_sent)),
        ("tcpi_last_ack_sent", v(i.tcpi_last_ack_sent)),
        ("tcpi_last_data_recv", v(i.tcpi_last_data_recv)),
        ("tcpi_last_ack_recv", v(i.tcpi_last_ack_recv)),
        ("tcpi_pmtu", v(i.tcpi_pmtu)),
        ("tcpi_rcv_ssthresh", v(i.tcpi_rcv_ssthresh)),
        ("tcpi_rtt", v(i.tcpi_rtt)),
        ("tcpi_rttvar", v(i.tcpi_rttvar)),
        ("tcpi_snd_ssthresh", v(i.tcpi_snd_ssthresh)),
        ("tcpi_snd_cwnd", v(i.tcpi_snd_cwnd)),
        ("tcpi_advmss", v(i.tcpi_advmss)),
        ("tcpi_reordering", v(i.tcpi_reordering)),
        ("tcpi_total_retrans", v(i.tcpi_total_retrans)),
    ];
    ext!(
        out,
        tcpi_rcv_rtt,
        tcpi_rcv_space,
        tcpi_pacing_rate,
        tcpi_max_pacing_rate,
        tcpi_bytes_acked,
        tcpi_bytes_received,
        tcpi_segs_out,
        tcpi_segs_in,
        tcpi_notsent_bytes,
        tcpi_min_rtt,
        tcpi_data_segs_in,
        tcpi_data_segs_out,
        tcpi_delivery_rate,
        tcpi_busy_time,
        tcpi_rwnd_limited,
        tcpi_sndbuf_limited,
        tcpi_delivered,
        tcpi_delivered_ce,
        tcpi_bytes_sent,
        tcpi_bytes_retrans,
        tcpi_dsack_dups,
        tcpi_reord_seen,
        tcpi_rcv_ooopack,
        tcpi_snd_wnd,
        tcpi_rcv_wnd
    );
    Ok(out)
}

/// `sendto(fd, bytes, flags | MSG_NOSIGNAL, to)`; `to` only where given.
pub fn send(fd: RawFd, bytes: &[u8], flags: i32, to: Option<SocketAddr>) -> SysResult<usize> {
    let flags = flags | libc::MSG_NOSIGNAL;
    let n = match to {
        Some(addr) => {
            let (sa, len) = sockaddr(addr);
            // SAFETY: reads `bytes.len()` bytes of a live slice; `sa` is a
            // valid sockaddr of `len` bytes, alive for the call.
            unsafe {
                libc::sendto(
                    fd,
                    bytes.as_ptr().cast(),
                    bytes.len(),
                    flags,
                    (&sa as *const libc::sockaddr_storage).cast(),
                    len,
                )
            }
        }
        // SAFETY: reads `bytes.len()` bytes of a live slice.
        None => unsafe { libc::send(fd, bytes.as_ptr().cast(), bytes.len(), flags) },
    };
    check_size(n)
}

/// `recv(fd, buf, len, flags)`: the bytes read.
pub fn recv(fd: RawFd, len: usize, flags: i32) -> SysResult<Vec<u8>> {
    let mut buf = vec![0u8; len];
    // SAFETY: writes at most `buf.len()` bytes into a live buffer.
    let n = check_size(unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) })?;
    buf.truncate(n);
    Ok(buf)
}

/// `shutdown(fd, how)` with `libc::SHUT_*`.
pub fn shutdown(fd: RawFd, how: i32) -> SysResult<()> {
    // SAFETY: no pointers.
    check(unsafe { libc::shutdown(fd, how) }).map(drop)
}

/// `fcntl(fd, F_GETFL)`.
pub fn get_fl(fd: RawFd) -> SysResult<i32> {
    // SAFETY: F_GETFL takes no argument.
    check(unsafe { libc::fcntl(fd, libc::F_GETFL) })
}

/// `fcntl(fd, F_SETFL, flags)`.
pub fn set_fl(fd: RawFd, flags: i32) -> SysResult<()> {
    // SAFETY: F_SETFL takes an int.
    check(unsafe { libc::fcntl(fd, libc::F_SETFL, flags) }).map(drop)
}

/// `poll(fds, timeout_ms)`: the count ready and each entry's `revents`.
pub fn poll(fds: &[(RawFd, i16)], timeout_ms: i32) -> SysResult<(i32, Vec<i16>)> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    // SAFETY: `p` holds `p.len()` valid pollfds, alive for the call.
    let n = check(unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, timeout_ms) })?;
    Ok((n, p.iter().map(|x| x.revents).collect()))
}

/// `ioctl(fd, SIOCINQ)` (`inq`) or `SIOCOUTQ`: a byte count.
pub fn queue(fd: RawFd, inq: bool) -> SysResult<i32> {
    let req = if inq { libc::FIONREAD } else { libc::TIOCOUTQ };
    let mut n: libc::c_int = 0;
    // SAFETY: both requests write one int through the pointer.
    check(unsafe { libc::ioctl(fd, req, &mut n as *mut libc::c_int) })?;
    Ok(n)
}

/// `epoll_create1(EPOLL_CLOEXEC)`.
pub fn epoll_create() -> SysResult<RawFd> {
    // SAFETY: no pointers.
    check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })
}

/// `epoll_ctl(epfd, op, fd, {events, data = fd})` with `libc::EPOLL_CTL_*`.
pub fn epoll_ctl(epfd: RawFd, op: i32, fd: RawFd, events: u32) -> SysResult<()> {
    let mut ev = libc::epoll_event {
        events,
        u64: fd as u64,
    };
    // SAFETY: `ev` is a valid epoll_event, alive for the call.
    check(unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) }).map(drop)
}

/// `epoll_wait(epfd, max, timeout_ms)`: `(fd, events)` of each ready entry.
pub fn epoll_wait(epfd: RawFd, max: usize, timeout_ms: i32) -> SysResult<Vec<(RawFd, u32)>> {
    let max = max.clamp(1, 1024);
    let mut evs = vec![libc::epoll_event { events: 0, u64: 0 }; max];
    // SAFETY: `evs` has room for `max` events, alive for the call.
    let n = check(unsafe { libc::epoll_wait(epfd, evs.as_mut_ptr(), max as i32, timeout_ms) })?;
    Ok(evs[..n as usize]
        .iter()
        .map(|e| (e.u64 as RawFd, e.events))
        .collect())
}

/// `sendmsg(fd, {msg_iov = bufs}, flags | MSG_NOSIGNAL)`: each buffer an
/// iovec of its own (with `MSG_ZEROCOPY`, a page fragment of its own). The
/// caller keeps the buffers alive until the kernel reports them released.
pub fn sendmsg(fd: RawFd, bufs: &[&[u8]], flags: i32) -> SysResult<usize> {
    let mut iov: Vec<libc::iovec> = bufs
        .iter()
        .map(|b| libc::iovec {
            iov_base: b.as_ptr() as *mut libc::c_void,
            iov_len: b.len(),
        })
        .collect();
    // SAFETY: msghdr is plain data; all zeroes is a valid value (no name,
    // no control).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len();
    // SAFETY: `iov` holds `iov.len()` iovecs over live slices the kernel
    // only reads, alive for the call.
    check_size(unsafe { libc::sendmsg(fd, &msg, flags | libc::MSG_NOSIGNAL) })
}

/// One control message: `(cmsg_level, cmsg_type, data)`.
pub type RawCmsg = (i32, i32, Vec<u8>);

/// `recvmsg(fd, {msg_iov = [len bytes], msg_control = controllen bytes},
/// flags)`: the bytes read, `msg_flags` on return, and each control
/// message.
pub fn recvmsg(
    fd: RawFd,
    len: usize,
    flags: i32,
    controllen: usize,
) -> SysResult<(Vec<u8>, i32, Vec<RawCmsg>)> {
    let mut buf = vec![0u8; len];
    // u64 words: the control buffer is aligned for `struct cmsghdr`.
    let mut control = vec![0u64; controllen.div_ceil(8)];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: msghdr is plain data; all zeroes is a valid value.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if controllen > 0 {
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control.len() * 8;
    }
    // SAFETY: the kernel writes at most `iov_len` bytes into `buf` and
    // `msg_controllen` bytes into `control`, both alive for the call.
    let n = check_size(unsafe { libc::recvmsg(fd, &mut msg, flags) })?;
    buf.truncate(n);
    let mut out = Vec::new();
    if controllen > 0 {
        // SAFETY: walks the control messages the kernel wrote, within
        // `msg_controllen` (CMSG_FIRSTHDR/CMSG_NXTHDR check the bounds).
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                let hdr = data.offset_from(c.cast::<u8>()) as usize;
                let dlen = ((*c).cmsg_len as usize).saturating_sub(hdr);
                let bytes = std::slice::from_raw_parts(data, dlen).to_vec();
                out.push(((*c).cmsg_level, (*c).cmsg_type, bytes));
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
    }
    Ok((buf, msg.msg_flags, out))
}

/// `pipe2(O_CLOEXEC)`: the read end and the write end.
pub fn pipe() -> SysResult<(RawFd, RawFd)> {
    let mut fds: [libc::c_int; 2] = [-1; 2];
    // SAFETY: the kernel writes two descriptors into `fds`.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    Ok((fds[0], fds[1]))
}

/// `splice(fd_in, NULL, fd_out, NULL, len, flags)`: the octets moved.
pub fn splice(fd_in: RawFd, fd_out: RawFd, len: usize, flags: u32) -> SysResult<usize> {
    // SAFETY: null offsets are allowed (neither end is seekable); no
    // buffer of ours is touched.
    check_size(unsafe {
        libc::splice(
            fd_in,
            std::ptr::null_mut(),
            fd_out,
            std::ptr::null_mut(),
            len,
            flags,
        )
    })
}
