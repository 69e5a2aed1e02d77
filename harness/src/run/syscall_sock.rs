//! Syscall lines performed as the socket API ([`crate::target::calls`]).
//!
//! A case that creates its own socket (a `socket` line) and names no
//! `//! service` is a packetdrill script: the target has no built-in service
//! on its port, and every syscall line is performed on the target, as
//! packetdrill's local mode performs it. [`plan_line`] turns one line into a
//! [`SockCall`] and what its result must be ([`SockExpect`]); [`check`]
//! compares a result with it. The runner performs the calls at their times
//! (a call with an end time, `+0...0.1 read(…)`, may block while the case
//! goes on), and [`SockApp`] tells the oracle what each call did.
//!
//! The script's addresses are never used: `bind` binds the target's address
//! and port, `connect` connects to the harness's (`...` as packetdrill
//! writes them; any other value is accepted and replaced).

use super::build::filler;
use super::syscall::{Expect, MAX_IO_LEN};
use crate::script::{Expr, ExprKind, Span, SyscallLine};
use crate::target::calls::{
    errno_by_name, events, EpollOp, OptValue, Shut, SockCall, SockOpt, TCP_INFO_FIELDS,
};

/// What a performed call's result must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SockExpect {
    /// The return value (`= ...`: any).
    pub ret: Expect,
    /// The errno named after `-1` (`EAGAIN`), if any.
    pub errno: Option<i32>,
    /// What the call must fill in.
    pub data: DataExpect,
}

/// What a call must fill in beside its return value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataExpect {
    /// Nothing compared.
    Any,
    /// `getsockopt`'s `[N]`, `ioctl`'s `[N]`.
    Int(i64),
    /// `getsockopt(…, SO_LINGER, {l_onoff=…, l_linger=…})`.
    Linger {
        /// `l_onoff`: whether lingering is on.
        onoff: i64,
        /// `l_linger`: the linger time, in seconds.
        linger: i64,
    },
    /// `getsockopt(…, TCP_INFO, {tcpi_state=…, …})`: the fields written.
    Info(Vec<(String, i64)>),
    /// `poll`'s `revents`, entry by entry (`None`: not written).
    Revents(Vec<Option<u32>>),
    /// `epoll_wait`'s ready entries, `(fd, events)`.
    Ready(Vec<(i64, u32)>),
    /// `recvmsg`'s `msg_flags` and control messages ([`msg`]).
    Msg(msg::MsgExpect),
}

/// A mistake in a line: where and what, for a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// Where in the line the mistake is.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What to write instead, when there is a suggestion.
    pub help: Option<String>,
    /// The call or option is valid but not performed by this version: the
    /// case is *unsupported*, not wrong.
    pub unsupported: bool,
}

fn wrong(span: Span, message: impl Into<String>, help: Option<&str>) -> LineError {
    LineError {
        span,
        message: message.into(),
        help: help.map(str::to_string),
        unsupported: false,
    }
}

fn unsupported(span: Span, message: impl Into<String>) -> LineError {
    LineError {
        span,
        message: message.into(),
        help: None,
        unsupported: true,
    }
}

type R<T> = Result<T, LineError>;

/// The calls performed, for messages.
pub const CALLS: &str = "socket, bind, listen, accept, accept4, connect, setsockopt, getsockopt, \
     read, write, send, recv, sendto, recvfrom, sendmsg, recvmsg, readv, writev, shutdown, close, \
     fcntl, poll, ioctl, epoll_create, epoll_ctl, epoll_wait, pipe, splice";

struct Args<'a> {
    s: &'a SyscallLine,
}

impl<'a> Args<'a> {
    fn count(&self, min: usize, max: usize, form: &str) -> R<()> {
        let n = self.s.args.len();
        if n < min || n > max {
            let want = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(wrong(
                self.s.span,
                format!("`{}` takes {want} arguments, not {n}", self.s.name),
                Some(form),
            ));
        }
        Ok(())
    }
    fn get(&self, i: usize) -> &'a Expr {
        &self.s.args[i]
    }
    fn int(&self, i: usize, what: &str) -> R<i64> {
        let e = self.get(i);
        match e.kind {
            ExprKind::Int(n) => Ok(n),
            _ => Err(wrong(
                e.span,
                format!("`{}` needs {what} (a number) here", self.s.name),
                None,
            )),
        }
    }
    fn fd(&self, i: usize) -> R<i64> {
        self.int(i, "a file descriptor")
    }
    fn ident(&self, i: usize, what: &str) -> R<&'a str> {
        let e = self.get(i);
        match &e.kind {
            ExprKind::Ident(s) => Ok(s),
            _ => Err(wrong(
                e.span,
                format!("`{}` needs {what} (a name) here", self.s.name),
                None,
            )),
        }
    }
    fn len(&self, i: usize) -> R<usize> {
        let e = self.get(i);
        match e.kind {
            ExprKind::Int(n) if (0..=MAX_IO_LEN).contains(&n) => Ok(n as usize),
            _ => Err(wrong(
                e.span,
                format!(
                    "`{}` needs a byte count (0 to {MAX_IO_LEN}) here",
                    self.s.name
                ),
                None,
            )),
        }
    }
}

/// Every name among `A|B|C` (or the one name), and numbers OR-ed in.
fn flag_names(e: &Expr) -> (Vec<&str>, i64) {
    match &e.kind {
        ExprKind::Ident(s) => (vec![s.as_str()], 0),
        ExprKind::Int(n) => (Vec::new(), *n),
        ExprKind::Or(terms) => {
            let mut names = Vec::new();
            let mut bits = 0;
            for t in terms {
                let (n, b) = flag_names(t);
                names.extend(n);
                bits |= b;
            }
            (names, bits)
        }
        _ => (Vec::new(), 0),
    }
}

/// `send`/`recv` flags: the ones this version passes on.
fn msg_flags(e: &Expr, name: &str) -> R<i64> {
    let (names, bits) = flag_names(e);
    if matches!(e.kind, ExprKind::Ellipsis) {
        return Ok(0);
    }
    let mut out = bits;
    for n in names {
        out |= match n {
            "MSG_DONTWAIT" => i64::from(libc::MSG_DONTWAIT),
            "MSG_PEEK" => i64::from(libc::MSG_PEEK),
            "MSG_WAITALL" => i64::from(libc::MSG_WAITALL),
            "MSG_FASTOPEN" => i64::from(libc::MSG_FASTOPEN),
            "MSG_MORE" => i64::from(libc::MSG_MORE),
            "MSG_NOSIGNAL" => i64::from(libc::MSG_NOSIGNAL),
            "MSG_EOR" => i64::from(libc::MSG_EOR),
            "MSG_ZEROCOPY" => i64::from(libc::MSG_ZEROCOPY),
            "MSG_ERRQUEUE" => i64::from(libc::MSG_ERRQUEUE),
            other => {
                return Err(unsupported(
                    e.span,
                    format!("`{name}` flag `{other}` is not performed (performed: MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, MSG_FASTOPEN, MSG_MORE, MSG_NOSIGNAL, MSG_EOR, MSG_ZEROCOPY, MSG_ERRQUEUE)"),
                ))
            }
        };
    }
    Ok(out)
}

/// The bytes of a write: a string as written, else `n` filler bytes.
fn payload(e: &Expr, n: usize, name: &str) -> R<Vec<u8>> {
    match &e.kind {
        ExprKind::Str(b) if b.len() == n => Ok(b.clone()),
        ExprKind::Str(b) => Err(wrong(
            e.span,
            format!(
                "`{name}`: the text is {} bytes, the count says {n}",
                b.len()
            ),
            None,
        )),
        _ => Ok(filler(n)),
    }
}

/// The total length of an iovec array `[{iov_base=…, iov_len=N}, …]`.
fn iov_len(e: &Expr, name: &str) -> R<usize> {
    Ok(iov_lens(e, name)?.iter().sum())
}

/// The lengths of an iovec array's entries.
fn iov_lens(e: &Expr, name: &str) -> R<Vec<usize>> {
    let help = Some("an iovec array is [{iov_base=..., iov_len=10}, …]");
    let ExprKind::Array(items) = &e.kind else {
        return Err(wrong(
            e.span,
            format!("`{name}` needs an iovec array here"),
            help,
        ));
    };
    let mut total = 0usize;
    let mut lens = Vec::new();
    for it in items {
        let len = match &it.kind {
            ExprKind::Struct(fields) => {
                fields
                    .iter()
                    .find(|(k, _)| k == "iov_len")
                    .and_then(|(_, v)| match v.kind {
                        ExprKind::Int(n) if (0..=MAX_IO_LEN).contains(&n) => Some(n as usize),
                        _ => None,
                    })
            }
            // packetdrill's `{..., 1000}`: base, then length.
            ExprKind::List(parts) if parts.len() == 2 => match parts[1].kind {
                ExprKind::Int(n) if (0..=MAX_IO_LEN).contains(&n) => Some(n as usize),
                _ => None,
            },
            _ => None,
        };
        let Some(len) = len else {
            return Err(wrong(it.span, "an iovec needs iov_len=N", help));
        };
        total += len;
        lens.push(len);
    }
    if total as i64 > MAX_IO_LEN {
        return Err(wrong(e.span, format!("more than {MAX_IO_LEN} bytes"), None));
    }
    Ok(lens)
}

/// The iovec lengths of a `struct msghdr` (`{…, msg_iov(1)=[…], …}`).
fn msg_iov(e: &Expr, name: &str) -> R<Vec<usize>> {
    match &e.kind {
        ExprKind::Struct(fields) => match fields.iter().find(|(k, _)| k.starts_with("msg_iov")) {
            Some((_, v)) => iov_lens(v, name),
            None => Err(wrong(e.span, "a msghdr needs msg_iov=[…]", None)),
        },
        _ => Err(wrong(
            e.span,
            format!("`{name}` needs a struct msghdr here"),
            Some("{msg_name(...)=..., msg_iov(1)=[{iov_base=..., iov_len=10}], msg_flags=0}"),
        )),
    }
}

/// An `int` option value: `[1]` or `1`.
fn int_value(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(n) => Some(*n),
        // `getsockopt(…, SO_ERROR, [ECONNREFUSED], …)`, `[IP_PMTUDISC_DONT]`.
        ExprKind::Ident(name) => errno_by_name(name)
            .map(i64::from)
            .or_else(|| crate::target::calls::msg::by_name(name)),
        ExprKind::Array(v) if v.len() == 1 => int_value(&v[0]),
        _ => None,
    }
}

/// `{l_onoff=1, l_linger=0}` (or `onoff`, `linger`).
fn linger_value(e: &Expr) -> Option<(i64, i64)> {
    let ExprKind::Struct(fields) = &e.kind else {
        return None;
    };
    let field = |names: [&str; 2]| {
        fields
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .and_then(|(_, v)| int_value(v))
    };
    Some((field(["onoff", "l_onoff"])?, field(["linger", "l_linger"])?))
}

/// The option a line names, or why not.
fn option(a: &Args<'_>) -> R<SockOpt> {
    let level = a.ident(1, "a level (SOL_SOCKET, SOL_TCP)")?;
    let name = a.ident(2, "an option name")?;
    SockOpt::by_name(level, name).ok_or_else(|| {
        let known: Vec<&str> = SockOpt::ALL.iter().map(|(_, n, _)| *n).collect();
        unsupported(
            a.get(2).span,
            format!(
                "option {level}, {name} is not performed (performed: {})",
                known.join(", ")
            ),
        )
    })
}

/// A poll or epoll event mask (`POLLIN|POLLOUT`, a number).
fn event_mask(e: &Expr) -> R<u32> {
    let (names, bits) = flag_names(e);
    let mut out = bits as u32;
    for n in names {
        let Some((_, b)) = events::NAMES.iter().find(|(k, _)| *k == n) else {
            return Err(wrong(e.span, format!("unknown event `{n}`"), None));
        };
        out |= b;
    }
    Ok(out)
}

fn field<'a>(fields: &'a [(String, Expr)], name: &str) -> Option<&'a Expr> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// One syscall line as a performed call and its expected result.
pub fn plan_line(s: &SyscallLine) -> R<(SockCall, SockExpect)> {
    let a = Args { s };
    let result_int = match s.result.kind {
        ExprKind::Int(n) => Some(n),
        _ => None,
    };
    let ret = match &s.result.kind {
        ExprKind::Int(n) => Expect::Value(*n),
        ExprKind::Ellipsis => Expect::Any,
        _ => {
            return Err(wrong(
                s.result.span,
                format!("`{}` needs its result as a number, or `...`", s.name),
                None,
            ))
        }
    };
    let errno = match &s.errno {
        Some(name) => Some(errno_by_name(name).ok_or_else(|| {
            wrong(
                s.span,
                format!("unknown errno `{name}`"),
                Some("errno names as Linux's: EAGAIN, EINPROGRESS, ECONNREFUSED, …"),
            )
        })?),
        None => None,
    };
    let mut data = DataExpect::Any;
    // The descriptor a call that opens one names (its result), or -1.
    let opened = result_int.filter(|n| *n >= 0).unwrap_or(-1);
    let call = match s.name.as_str() {
        "socket" => {
            a.count(3, 3, "socket(..., SOCK_STREAM, IPPROTO_TCP) = 3")?;
            let (types, _) = flag_names(a.get(1));
            if !types.contains(&"SOCK_STREAM") {
                return Err(unsupported(
                    a.get(1).span,
                    "only SOCK_STREAM sockets are performed",
                ));
            }
            SockCall::Socket {
                fd: opened,
                nonblock: types.contains(&"SOCK_NONBLOCK"),
            }
        }
        "bind" => {
            a.count(3, 3, "bind(3, ..., ...) = 0")?;
            SockCall::Bind { fd: a.fd(0)? }
        }
        "listen" => {
            a.count(2, 2, "listen(3, 1) = 0")?;
            SockCall::Listen {
                fd: a.fd(0)?,
                backlog: a.int(1, "a backlog")?,
            }
        }
        "accept" | "accept4" => {
            if s.name == "accept" {
                a.count(3, 3, "accept(3, ..., ...) = 4")?;
            } else {
                a.count(4, 4, "accept4(3, ..., ..., SOCK_NONBLOCK) = 4")?;
            }
            let nonblock = s.name == "accept4" && flag_names(a.get(3)).0.contains(&"SOCK_NONBLOCK");
            SockCall::Accept {
                fd: a.fd(0)?,
                new_fd: opened,
                nonblock,
            }
        }
        "connect" => {
            a.count(3, 3, "connect(3, ..., ...) = 0")?;
            SockCall::Connect { fd: a.fd(0)? }
        }
        "setsockopt" => {
            a.count(5, 5, "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0")?;
            let opt = option(&a)?;
            let v = a.get(3);
            let value = match opt {
                SockOpt::Linger => {
                    let (onoff, linger) = linger_value(v).ok_or_else(|| {
                        wrong(
                            v.span,
                            "SO_LINGER takes {l_onoff=N, l_linger=N}",
                            Some("setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0"),
                        )
                    })?;
                    OptValue::Linger { onoff, linger }
                }
                // `[SOF_TIMESTAMPING_TX_ACK | SOF_TIMESTAMPING_OPT_ID]`.
                SockOpt::Timestamping => OptValue::Int(msg::value(v)?),
                // `"\xf7\x63…", 16`: the octets, cut or padded to the length.
                SockOpt::FastOpenKey => {
                    let ExprKind::Str(b) = &v.kind else {
                        return Err(wrong(
                            v.span,
                            "TCP_FASTOPEN_KEY takes a string: \"\\x01…\"",
                            None,
                        ));
                    };
                    let mut b = b.clone();
                    b.resize(a.len(4)?, 0);
                    OptValue::Bytes(b)
                }
                SockOpt::Info | SockOpt::Error => {
                    return Err(wrong(
                        a.get(2).span,
                        format!("{} is read only (getsockopt)", opt.name()),
                        None,
                    ))
                }
                _ => OptValue::Int(int_value(v).ok_or_else(|| {
                    wrong(v.span, format!("{} takes an int: [N]", opt.name()), None)
                })?),
            };
            SockCall::SetOpt {
                fd: a.fd(0)?,
                opt,
                value,
            }
        }
        "getsockopt" => {
            a.count(5, 5, "getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0")?;
            let opt = option(&a)?;
            let v = a.get(3);
            data = match (&v.kind, opt) {
                (ExprKind::Ellipsis, _) => DataExpect::Any,
                (_, SockOpt::Linger) => {
                    let (onoff, linger) = linger_value(v).ok_or_else(|| {
                        wrong(v.span, "SO_LINGER reads into {l_onoff=N, l_linger=N}", None)
                    })?;
                    DataExpect::Linger { onoff, linger }
                }
                (ExprKind::Struct(fields), SockOpt::Info) => {
                    let mut want = Vec::new();
                    for (k, e) in fields {
                        if !TCP_INFO_FIELDS.contains(&k.as_str()) {
                            return Err(unsupported(
                                e.span,
                                format!(
                                    "tcp_info field `{k}` is not read (read: {})",
                                    TCP_INFO_FIELDS.join(", ")
                                ),
                            ));
                        }
                        let n = int_value(e)
                            .ok_or_else(|| wrong(e.span, format!("`{k}` needs a number"), None))?;
                        want.push((k.clone(), n));
                    }
                    DataExpect::Info(want)
                }
                _ => DataExpect::Int(int_value(v).ok_or_else(|| {
                    wrong(
                        v.span,
                        format!("{} reads into an int: [N]", opt.name()),
                        None,
                    )
                })?),
            };
            SockCall::GetOpt { fd: a.fd(0)?, opt }
        }
        "write" => {
            a.count(3, 3, "write(4, ..., 1000) = 1000")?;
            let n = a.len(2)?;
            SockCall::Send {
                fd: a.fd(0)?,
                bytes: payload(a.get(1), n, "write")?,
                flags: 0,
                iov: Vec::new(),
            }
        }
        "send" | "sendto" => {
            if s.name == "send" {
                a.count(4, 4, "send(4, ..., 1000, 0) = 1000")?;
            } else {
                a.count(6, 6, "sendto(4, ..., 1000, 0, ..., ...) = 1000")?;
            }
            let n = a.len(2)?;
            SockCall::Send {
                fd: a.fd(0)?,
                bytes: payload(a.get(1), n, &s.name)?,
                flags: msg_flags(a.get(3), &s.name)?,
                iov: Vec::new(),
            }
        }
        "writev" => {
            a.count(3, 3, "writev(4, [{iov_base=..., iov_len=10}], 1) = 10")?;
            let iov = iov_lens(a.get(1), "writev")?;
            SockCall::Send {
                fd: a.fd(0)?,
                bytes: filler(iov.iter().sum()),
                flags: 0,
                iov,
            }
        }
        "sendmsg" => {
            a.count(
                3,
                3,
                "sendmsg(4, {msg_iov(1)=[{iov_base=..., iov_len=10}]}, 0) = 10",
            )?;
            let iov = msg_iov(a.get(1), "sendmsg")?;
            SockCall::Send {
                fd: a.fd(0)?,
                bytes: filler(iov.iter().sum()),
                flags: msg_flags(a.get(2), "sendmsg")?,
                iov,
            }
        }
        "read" => {
            a.count(3, 3, "read(4, ..., 1000) = 1000")?;
            SockCall::Recv {
                fd: a.fd(0)?,
                len: a.len(2)?,
                flags: 0,
            }
        }
        "recv" | "recvfrom" => {
            if s.name == "recv" {
                a.count(4, 4, "recv(4, ..., 1000, 0) = 1000")?;
            } else {
                a.count(6, 6, "recvfrom(4, ..., 1000, 0, ..., ...) = 1000")?;
            }
            SockCall::Recv {
                fd: a.fd(0)?,
                len: a.len(2)?,
                flags: msg_flags(a.get(3), &s.name)?,
            }
        }
        "readv" => {
            a.count(3, 3, "readv(4, [{iov_base=..., iov_len=10}], 1) = 10")?;
            SockCall::Recv {
                fd: a.fd(0)?,
                len: iov_len(a.get(1), "readv")?,
                flags: 0,
            }
        }
        "recvmsg" => {
            a.count(
                3,
                3,
                "recvmsg(4, {msg_iov(1)=[{iov_base=..., iov_len=10}]}, 0) = 10",
            )?;
            let len = msg_iov(a.get(1), "recvmsg")?.iter().sum();
            let flags = msg_flags(a.get(2), "recvmsg")?;
            let m = msg::msghdr(a.get(1))?;
            if msg::wants_msg(&m, flags) {
                let control = m.cmsgs.is_some();
                data = DataExpect::Msg(m);
                SockCall::RecvMsg {
                    fd: a.fd(0)?,
                    len,
                    flags,
                    control,
                }
            } else {
                SockCall::Recv {
                    fd: a.fd(0)?,
                    len,
                    flags,
                }
            }
        }
        "shutdown" => {
            a.count(2, 2, "shutdown(4, SHUT_WR) = 0")?;
            let how = match a.ident(1, "SHUT_RD, SHUT_WR or SHUT_RDWR")? {
                "SHUT_RD" => Shut::Rd,
                "SHUT_WR" => Shut::Wr,
                "SHUT_RDWR" => Shut::RdWr,
                other => {
                    return Err(wrong(
                        a.get(1).span,
                        format!("unknown shutdown `{other}`"),
                        Some("SHUT_RD, SHUT_WR or SHUT_RDWR"),
                    ))
                }
            };
            SockCall::Shutdown { fd: a.fd(0)?, how }
        }
        "close" => {
            a.count(1, 1, "close(4) = 0")?;
            SockCall::Close { fd: a.fd(0)? }
        }
        "fcntl" => {
            a.count(2, 3, "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0")?;
            let fd = a.fd(0)?;
            match a.ident(1, "F_GETFL or F_SETFL")? {
                "F_GETFL" => SockCall::GetFl { fd },
                "F_SETFL" if s.args.len() == 3 => SockCall::SetFl {
                    fd,
                    nonblock: flag_names(a.get(2)).0.contains(&"O_NONBLOCK"),
                },
                other => {
                    return Err(unsupported(
                        a.get(1).span,
                        format!("fcntl `{other}` is not performed (F_GETFL, F_SETFL are)"),
                    ))
                }
            }
        }
        "poll" => {
            a.count(
                3,
                3,
                "poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1",
            )?;
            let ExprKind::Array(items) = &a.get(0).kind else {
                return Err(wrong(
                    a.get(0).span,
                    "poll needs an array of {fd=…, events=…}",
                    None,
                ));
            };
            let mut fds = Vec::new();
            let mut revents = Vec::new();
            for it in items {
                let ExprKind::Struct(fields) = &it.kind else {
                    return Err(wrong(
                        it.span,
                        "a pollfd is {fd=4, events=POLLIN, revents=…}",
                        None,
                    ));
                };
                let fd = field(fields, "fd")
                    .and_then(int_value)
                    .ok_or_else(|| wrong(it.span, "a pollfd needs fd=N", None))?;
                let ev = match field(fields, "events") {
                    Some(e) => event_mask(e)?,
                    None => 0,
                };
                fds.push((fd, ev));
                revents.push(match field(fields, "revents") {
                    Some(e) => Some(event_mask(e)?),
                    None => None,
                });
            }
            data = DataExpect::Revents(revents);
            SockCall::Poll {
                fds,
                timeout_ms: a.int(2, "a timeout in milliseconds")?,
            }
        }
        "ioctl" => {
            a.count(3, 3, "ioctl(4, SIOCINQ, [1000]) = 0")?;
            let fd = a.fd(0)?;
            let req = a.ident(1, "SIOCINQ or SIOCOUTQ")?;
            if let Some(n) = int_value(a.get(2)) {
                data = DataExpect::Int(n);
            }
            match req {
                "SIOCINQ" | "FIONREAD" => SockCall::InQueue { fd },
                "SIOCOUTQ" | "TIOCOUTQ" => SockCall::OutQueue { fd },
                other => {
                    return Err(unsupported(
                        a.get(1).span,
                        format!("ioctl `{other}` is not performed (SIOCINQ, SIOCOUTQ are)"),
                    ))
                }
            }
        }
        "epoll_create" | "epoll_create1" => {
            a.count(1, 1, "epoll_create(1) = 5")?;
            SockCall::EpollCreate { epfd: opened }
        }
        "epoll_ctl" => {
            a.count(
                4,
                4,
                "epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = 0",
            )?;
            let op = match a.ident(1, "EPOLL_CTL_ADD, _MOD or _DEL")? {
                "EPOLL_CTL_ADD" => EpollOp::Add,
                "EPOLL_CTL_MOD" => EpollOp::Mod,
                "EPOLL_CTL_DEL" => EpollOp::Del,
                other => {
                    return Err(wrong(
                        a.get(1).span,
                        format!("unknown epoll op `{other}`"),
                        None,
                    ))
                }
            };
            let ev = match &a.get(3).kind {
                ExprKind::Struct(fields) => match field(fields, "events") {
                    Some(e) => event_mask(e)?,
                    None => 0,
                },
                _ => 0,
            };
            SockCall::EpollCtl {
                epfd: a.fd(0)?,
                op,
                fd: a.fd(2)?,
                events: ev,
            }
        }
        "epoll_wait" => {
            a.count(4, 4, "epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1")?;
            let mut ready = Vec::new();
            let entries: Vec<&Expr> = match &a.get(1).kind {
                ExprKind::Array(items) => items.iter().collect(),
                ExprKind::Struct(_) => vec![a.get(1)],
                _ => Vec::new(),
            };
            for e in entries {
                if let ExprKind::Struct(fields) = &e.kind {
                    let ev = match field(fields, "events") {
                        Some(x) => event_mask(x)?,
                        None => 0,
                    };
                    if let Some(fd) = field(fields, "fd").and_then(int_value) {
                        ready.push((fd, ev));
                    }
                }
            }
            if !matches!(a.get(1).kind, ExprKind::Ellipsis) {
                data = DataExpect::Ready(ready);
            }
            SockCall::EpollWait {
                epfd: a.fd(0)?,
                max: a.int(2, "the most events")?,
                timeout_ms: a.int(3, "a timeout in milliseconds")?,
            }
        }
        "pipe" => pipe::pipe(&a)?,
        "splice" => pipe::splice(&a)?,
        other => {
            return Err(unsupported(
                s.span,
                format!("`{other}` is not performed (performed: {CALLS})"),
            ))
        }
    };
    Ok((call, SockExpect { ret, errno, data }))
}

#[path = "syscall_sock_pipe.rs"]
mod pipe;

#[path = "syscall_sock_msg.rs"]
pub mod msg;

#[path = "syscall_sock_check.rs"]
mod check;
pub use check::{check, SockApp};

#[cfg(test)]
#[path = "syscall_sock_tests.rs"]
mod tests;
