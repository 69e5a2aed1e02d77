//! A performed call's result against its line ([`check`]), and what the
//! oracle hears of it ([`SockApp`]).

use super::{DataExpect, SockExpect};
use crate::oracle::AppEvent;
use crate::run::syscall::Expect;
use crate::target::calls::{
    errno_name, events, CallData, OptValue, Shut, SockCall, SockOpt, SockResult,
};
use std::collections::HashMap;

/// What differs between a result and what the line expects, as the
/// mismatch says it (`expected 1000, got -1 EAGAIN`), or `None`.
pub fn check(expect: &SockExpect, call: &SockCall, got: &SockResult) -> Option<String> {
    let want = match expect.ret {
        Expect::Value(v) => Some(v),
        Expect::Any => None,
    };
    // socket/accept/epoll_create name their descriptor: any number
    // stands for it; only failure or success is compared.
    let opens = matches!(
        call,
        SockCall::Socket { .. } | SockCall::Accept { .. } | SockCall::EpollCreate { .. }
    );
    let ret_ok = match want {
        None => true,
        Some(v) if opens => (v >= 0) == (got.ret >= 0) && (v >= 0 || v == got.ret),
        Some(v) => v == got.ret,
    };
    let errno_ok = match (expect.errno, got.errno) {
        (Some(e), Some(g)) => e == g || got.ret != -1,
        (Some(_), None) => got.ret != -1 || want.is_none(),
        _ => true,
    };
    if !ret_ok || !errno_ok {
        let wanted = match (want, expect.errno) {
            (Some(v), Some(e)) => format!("{v} {}", errno_name(e)),
            (Some(v), None) => v.to_string(),
            (None, _) => "...".into(),
        };
        return Some(format!("expected {wanted}, got {got}"));
    }
    match (&expect.data, &got.data) {
        (DataExpect::Any, _) => None,
        (DataExpect::Int(w), CallData::Opt(OptValue::Int(g))) if w != g => {
            Some(format!("expected [{w}], got [{g}]"))
        }
        (
            DataExpect::Linger { onoff, linger },
            CallData::Opt(OptValue::Linger {
                onoff: o,
                linger: l,
            }),
        ) if (onoff != o) || (linger != l) => Some(format!(
            "expected {{l_onoff={onoff}, l_linger={linger}}}, got {{l_onoff={o}, l_linger={l}}}"
        )),
        (DataExpect::Info(want), CallData::Opt(OptValue::Info(got))) => {
            let got: HashMap<&str, i64> = got.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            want.iter().find_map(|(k, w)| match got.get(k.as_str()) {
                Some(g) if g == w => None,
                Some(g) => Some(format!("{k}: expected {w}, got {g}")),
                None => Some(format!("{k}: not read by this target")),
            })
        }
        (DataExpect::Revents(want), CallData::Revents(got)) => {
            let fds: Vec<i64> = match call {
                SockCall::Poll { fds, .. } => fds.iter().map(|(fd, _)| *fd).collect(),
                _ => Vec::new(),
            };
            want.iter()
                .zip(got)
                .enumerate()
                .find_map(|(i, (w, g))| match w {
                    Some(w) if w != g => Some(format!(
                        "fd {} revents: expected {}, got {}",
                        fds.get(i).copied().unwrap_or(-1),
                        events::text(*w),
                        events::text(*g)
                    )),
                    _ => None,
                })
        }
        (DataExpect::Ready(want), CallData::Ready(got)) => {
            let flags = events::EPOLLET | events::EPOLLONESHOT | events::EPOLLEXCLUSIVE;
            let norm = |v: &[(i64, u32)]| {
                let mut v: Vec<(i64, u32)> = v.iter().map(|(f, e)| (*f, e & !flags)).collect();
                v.sort_unstable();
                v
            };
            let (w, g) = (norm(want), norm(got));
            // `{events=0, …}` with a 0 result expects nothing ready.
            let w: Vec<(i64, u32)> = w.into_iter().filter(|(_, e)| *e != 0).collect();
            if w != g {
                let show = |v: &[(i64, u32)]| {
                    v.iter()
                        .map(|(f, e)| format!("{{fd={f}, events={}}}", events::text(*e)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                Some(format!(
                    "events: expected [{}], got [{}]",
                    show(&w),
                    show(&g)
                ))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The application's view the oracle keeps of a case's descriptors:
/// which are connections, and which close aborts (`SO_LINGER` 0).
#[derive(Clone, Debug, Default)]
pub struct SockApp {
    /// `SO_LINGER` with a zero timeout, per descriptor.
    linger0: HashMap<i64, bool>,
    /// Descriptors that listen.
    listening: HashMap<i64, bool>,
    /// Descriptors that are pipe ends (`pipe`).
    pipes: HashMap<i64, bool>,
    /// The socket `%{ }%` blocks read: the last one `accept` or `connect`
    /// gave (else the last `socket`), as packetdrill's socket under test.
    under_test: Option<i64>,
}

impl SockApp {
    /// The socket `%{ }%` blocks read `TCP_INFO` of.
    pub fn under_test(&self) -> Option<i64> {
        self.under_test
    }

    /// A call that blocks has started: an active open (`connect`, a Fast
    /// Open `sendto`) makes its socket the one under test now, as
    /// packetdrill's does when the call starts, not when it returns.
    pub fn started(&mut self, call: &SockCall) {
        match call {
            SockCall::Connect { fd } => self.under_test = Some(*fd),
            SockCall::Send { fd, flags, .. } if flags & i64::from(libc::MSG_FASTOPEN) != 0 => {
                self.under_test = Some(*fd)
            }
            _ => {}
        }
    }

    /// What the oracle hears of a call that returned `got` (in order; none
    /// for calls that change nothing the target may send).
    pub fn events(&mut self, call: &SockCall, got: &SockResult) -> Vec<AppEvent> {
        let ok = got.ret >= 0;
        match call {
            SockCall::Socket { fd, .. } if ok && self.under_test.is_none() => {
                self.under_test = Some(*fd);
            }
            SockCall::Accept { new_fd, .. } if ok => self.under_test = Some(*new_fd),
            SockCall::Connect { fd } => self.under_test = Some(*fd),
            // An active open by `sendto`/`sendmsg` with MSG_FASTOPEN.
            SockCall::Send { fd, flags, .. } if flags & i64::from(libc::MSG_FASTOPEN) != 0 => {
                self.under_test = Some(*fd)
            }
            _ => {}
        }
        match call {
            SockCall::SetOpt {
                fd,
                opt: SockOpt::Linger,
                value: OptValue::Linger { onoff, linger },
            } if ok => {
                self.linger0.insert(*fd, *onoff != 0 && *linger == 0);
                Vec::new()
            }
            SockCall::Listen { fd, .. } if ok => {
                self.listening.insert(*fd, true);
                Vec::new()
            }
            SockCall::Accept { fd, new_fd, .. } if ok => {
                // Linux copies SO_LINGER from the listener.
                let l = self.linger0.get(fd).copied().unwrap_or(false);
                self.linger0.insert(*new_fd, l);
                Vec::new()
            }
            // A connect that failed at once (not EINPROGRESS) sent nothing.
            SockCall::Connect { .. } if ok || got.errno == Some(libc::EINPROGRESS) => {
                vec![AppEvent::Connect]
            }
            SockCall::Send { flags, .. }
                if flags & i64::from(libc::MSG_FASTOPEN) != 0
                    && (ok || got.errno == Some(libc::EINPROGRESS)) =>
            {
                let mut v = vec![AppEvent::Connect];
                if got.ret > 0 {
                    v.push(AppEvent::Write(got.ret as usize));
                }
                v
            }
            SockCall::Send { .. } if got.ret > 0 => vec![AppEvent::Write(got.ret as usize)],
            SockCall::Recv { .. } if got.ret > 0 => vec![AppEvent::Read(got.ret as usize)],
            SockCall::Pipe { rd, wr } if ok => {
                self.pipes.insert(*rd, true);
                self.pipes.insert(*wr, true);
                Vec::new()
            }
            // From a socket into a pipe: a read; from a pipe: a write.
            SockCall::Splice { fd_in, fd_out, .. } if got.ret > 0 => {
                let n = got.ret as usize;
                if !self.pipes.contains_key(fd_in) {
                    vec![AppEvent::Read(n)]
                } else if !self.pipes.contains_key(fd_out) {
                    vec![AppEvent::Write(n)]
                } else {
                    Vec::new()
                }
            }
            // The error queue holds no stream bytes.
            SockCall::RecvMsg { flags, .. }
                if got.ret > 0 && flags & crate::target::calls::msg::MSG_ERRQUEUE == 0 =>
            {
                vec![AppEvent::Read(got.ret as usize)]
            }
            SockCall::Shutdown { how, .. } if ok => match how {
                Shut::Rd => vec![AppEvent::ShutdownRead],
                Shut::Wr => vec![AppEvent::ShutdownWrite],
                Shut::RdWr => vec![AppEvent::ShutdownRead, AppEvent::ShutdownWrite],
            },
            SockCall::Close { fd } if ok => {
                if self.listening.remove(fd).is_some() || self.pipes.remove(fd).is_some() {
                    return Vec::new();
                }
                if self.linger0.remove(fd).unwrap_or(false) {
                    vec![AppEvent::Abort]
                } else {
                    vec![AppEvent::Close]
                }
            }
            _ => Vec::new(),
        }
    }
}
