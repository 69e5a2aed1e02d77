//! Syscall lines → what the runner does at their time.
//!
//! A case scripts the target's application with packetdrill's syscall lines.
//! [`plan`] reads them in order, once, when the case loads: a script author's
//! mistake (a `write` without a length) is a [`Diagnostic`]; a call this
//! version cannot perform makes the case *unsupported* with the line and
//! the reason; everything else becomes a [`Call`] the runner performs at the
//! line's time.
//!
//! A script that opens its own socket and listens or connects with it, and
//! names no service ([`performs_sockets`]), is a packetdrill script: every
//! line is a [`Call::Sock`] performed on the target ([`super::syscall_sock`]).
//! The rules below are for every other case.
//!
//! The rules (cases/README.md, "Syscall lines"):
//!
//! - **Setup the service already did** is accepted and not performed:
//!   `socket(…) = N` (N is the listening socket), `bind(N, …) = 0`,
//!   `listen(N, …) = 0`, `accept(N, …) = M` (M is the connection),
//!   `setsockopt(fd, SOL_SOCKET, SO_REUSEADDR or SO_REUSEPORT, …) = 0`, and
//!   `fcntl(fd, F_GETFL) = …` / `fcntl(fd, F_SETFL, …O_NONBLOCK…) = 0` (the
//!   harness's calls never block). Their results are taken as written (they
//!   name the descriptors), so a setup line that expects failure is
//!   unsupported.
//! - **Application actions** on the connection, at the line's time, with
//!   the result compared:
//!   `write(fd, ..., N) = R` writes N filler bytes (the `<` lines' filler),
//!   `write(fd, "text", N)` those bytes; `read(fd, ..., N) = R` reads up to
//!   N; `shutdown(fd, SHUT_WR) = 0` half-closes; `close(fd) = 0` closes.
//!   `= ...` accepts any result. A refused action returns -1; the errno
//!   name is not compared. `read` returns 0 when nothing is there (the
//!   harness never blocks), as at the end of the stream.
//! - **Abort**: `setsockopt(fd, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, …)
//!   = 0` performs nothing; the next `close` of that socket becomes an
//!   abort (RST now), as on a real kernel. `{onoff=0, …}` undoes it. Set on
//!   the listening socket, it is inherited by the connection, as Linux does.
//!   A lingering close (`onoff=1`, `linger` > 0) is unsupported.
//! - Descriptors: a case has one connection; `accept` names its
//!   descriptor, else the first one a call on the connection uses; another
//!   is a script error. Calls after `close` still reach the connection (and
//!   the stack refuses them: -1). `send`/`recv`/`accept4` read as
//!   `write`/`read`/`accept`.
//! - Anything else (`connect`, `getsockopt`, `poll`, `sendmsg`, other
//!   options, `close` of the listening socket) is unsupported.

use super::build::filler;
use super::syscall_sock::SockExpect;
use crate::oracle::{AppEvent, Oracle};
use crate::script::{Diagnostic, Expr, ExprKind, Item, Line, LineKind, Script, Span, SyscallLine};
use crate::target::SockCall;
use crate::target::{AppAction, AppOutcome, Capabilities, Service, ServiceCall, Session};
use std::collections::BTreeMap;

/// A `write` or `read` moves at most this many bytes (a typo is not a
/// gigabyte allocation).
pub const MAX_IO_LEN: i64 = 1 << 20;

/// What one syscall line does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// Setup the service already did: nothing to perform.
    Setup,
    /// `SO_LINGER`: arms (or disarms) the abort of the next `close`; nothing
    /// to perform now.
    Linger,
    /// An application action on the connection and the result it must return.
    Act {
        /// What the application does on the connection.
        action: AppAction,
        /// What the call must return.
        expect: Expect,
    },
    /// A socket-API call performed on the target ([`super::syscall_sock`]).
    Sock {
        /// The call, with the script's descriptor numbers.
        call: SockCall,
        /// What it must return, and write where the line says.
        expect: SockExpect,
    },
}

/// The result a syscall line expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `= N`.
    Value(i64),
    /// `= ...`: whatever the call returns.
    Any,
}

impl Expect {
    /// Whether `got`, what the call returned, is what the line expects.
    pub fn accepts(self, got: i64) -> bool {
        match self {
            Expect::Value(v) => v == got,
            Expect::Any => true,
        }
    }
}

/// Every syscall line's call, by line number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The call of each syscall line, keyed by its line number.
    pub calls: BTreeMap<u32, Call>,
    /// The case performs the socket API itself (a `socket` line and no
    /// `//! service`): every call is a [`Call::Sock`], and the target runs
    /// no built-in service on the case's port.
    pub performed: bool,
}

impl Plan {
    /// Whether the case acts as the application at all.
    pub fn has_actions(&self) -> bool {
        self.calls.values().any(|c| matches!(c, Call::Act { .. }))
    }
    /// Whether the case's own socket listens (a performed `listen`).
    pub fn listens(&self) -> bool {
        self.calls.values().any(|c| {
            matches!(
                c,
                Call::Sock {
                    call: SockCall::Listen { .. },
                    ..
                }
            )
        })
    }
    /// The application actions in line order.
    pub fn actions(&self) -> impl Iterator<Item = (u32, &AppAction)> {
        self.calls.iter().filter_map(|(line, c)| match c {
            Call::Act { action, .. } => Some((*line, action)),
            _ => None,
        })
    }
}

/// Why a script's syscall lines cannot be planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// Mistakes in the script: exit code 2.
    Script(Vec<Diagnostic>),
    /// A call this version cannot perform: `file:line:col: why`.
    Unsupported(String),
}

/// The value a performed action returns, as the syscall would: bytes
/// written or read, 0 for `shutdown` and `close`, -1 when the stack refused.
pub fn returned(outcome: &AppOutcome) -> i64 {
    match outcome {
        AppOutcome::Done => 0,
        AppOutcome::Wrote(n) => *n as i64,
        AppOutcome::Read(bytes) => bytes.len() as i64,
        AppOutcome::Refused(_) => -1,
    }
}

/// The result as the transcript shows it: `10`, or `-1 (not connected)`.
pub fn result_text(outcome: &AppOutcome) -> String {
    match outcome {
        AppOutcome::Refused(why) => format!("-1 ({why})"),
        other => returned(other).to_string(),
    }
}

/// A call as the transcript shows it: `write(4, ..., 10)`.
pub fn call_text(s: &SyscallLine) -> String {
    let args: Vec<String> = s.args.iter().map(crate::script::print_expr).collect();
    format!("{}({})", s.name, args.join(", "))
}

/// Plans every syscall line of `script` (in order: the descriptors and
/// `SO_LINGER` carry from line to line).
pub fn plan(script: &Script, source: &str, file: &str) -> Result<Plan, PlanError> {
    if performs_sockets(script) {
        return plan_performed(script, source, file);
    }
    let mut p = Planner {
        source,
        file,
        listener: None,
        conn: None,
        linger_listener: None,
        linger_conn: None,
        diags: Vec::new(),
        unsupported: None,
    };
    let mut out = Plan::default();
    for item in &script.items {
        // `either` branches hold only `>` and `state` lines (the parser's rule).
        let Item::Line(line) = item else { continue };
        let LineKind::Syscall(s) = &line.kind else {
            continue;
        };
        if let Some(call) = p.call(s) {
            out.calls.insert(s.span.line, call);
        }
        if p.unsupported.is_some() {
            break;
        }
    }
    if !p.diags.is_empty() {
        return Err(PlanError::Script(p.diags));
    }
    if let Some(why) = p.unsupported {
        return Err(PlanError::Unsupported(why));
    }
    Ok(out)
}

/// Whether a script performs the socket API itself: it names no built-in
/// service, creates its socket (`socket(…)`) and listens or connects with it
/// (`listen`, `connect`, or `sendto` for TCP Fast Open), as a packetdrill
/// script does. A script with `socket` and `accept` alone (as `synack
/// repro` prints them) takes them as the service's set-up.
pub fn performs_sockets(script: &Script) -> bool {
    script.meta("service").is_none()
        && syscall_lines(script).any(|s| s.name == "socket")
        && syscall_lines(script).any(|s| matches!(s.name.as_str(), "listen" | "connect" | "sendto"))
}

fn syscall_lines(script: &Script) -> impl Iterator<Item = &SyscallLine> {
    script.items.iter().filter_map(|item| match item {
        Item::Line(Line {
            kind: LineKind::Syscall(s),
            ..
        }) => Some(s),
        _ => None,
    })
}

/// Plans every syscall line as a performed call; mistakes are diagnostics,
/// calls this version does not perform make the case unsupported (the
/// first one names its `file:line:col`).
fn plan_performed(script: &Script, source: &str, file: &str) -> Result<Plan, PlanError> {
    let mut out = Plan {
        performed: true,
        ..Plan::default()
    };
    let mut diags = Vec::new();
    let mut why = None;
    for s in syscall_lines(script) {
        match super::syscall_sock::plan_line(s) {
            Ok((call, expect)) => {
                out.calls.insert(s.span.line, Call::Sock { call, expect });
            }
            Err(e) if e.unsupported => {
                why.get_or_insert_with(|| {
                    format!(
                        "{file}:{}:{}: `{}(…)`: {}",
                        e.span.line, e.span.col, s.name, e.message
                    )
                });
            }
            Err(e) => diags.push(super::case::diagnostic(
                source, file, e.span, e.message, e.help,
            )),
        }
    }
    if !diags.is_empty() {
        return Err(PlanError::Script(diags));
    }
    if let Some(why) = why {
        return Err(PlanError::Unsupported(why));
    }
    Ok(out)
}

struct Planner<'a> {
    source: &'a str,
    file: &'a str,
    /// The listening socket's descriptor (`socket(…) = N`).
    listener: Option<i64>,
    /// The connection's descriptor (`accept(…) = M`, or the first used).
    conn: Option<i64>,
    /// `SO_LINGER` 0 armed (`Some(true)`) or disarmed on each socket.
    linger_listener: Option<bool>,
    linger_conn: Option<bool>,
    diags: Vec<Diagnostic>,
    unsupported: Option<String>,
}

/// A syscall line's argument, by position, for messages.
fn nth(s: &SyscallLine, i: usize) -> Option<&Expr> {
    s.args.get(i)
}

fn int(e: &Expr) -> Option<i64> {
    match e.kind {
        ExprKind::Int(n) => Some(n),
        _ => None,
    }
}

fn ident(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Ident(s) => Some(s),
        _ => None,
    }
}

/// Whether `e` names `flag`, alone or among `A|B|C`.
fn names(e: &Expr, flag: &str) -> bool {
    match &e.kind {
        ExprKind::Ident(s) => s == flag,
        ExprKind::Or(terms) => terms.iter().any(|t| names(t, flag)),
        _ => false,
    }
}

impl Planner<'_> {
    fn diag(&mut self, span: Span, message: String, help: Option<&str>) {
        self.diags.push(super::case::diagnostic(
            self.source,
            self.file,
            span,
            message,
            help.map(str::to_string),
        ));
    }

    fn unsupported(&mut self, s: &SyscallLine, why: String) {
        if self.unsupported.is_none() {
            self.unsupported = Some(format!(
                "{}:{}:{}: `{}(…)`: {why}",
                self.file, s.span.line, s.span.col, s.name
            ));
        }
    }

    /// The call of one line, or `None` after a diagnostic or an
    /// unsupported call.
    fn call(&mut self, s: &SyscallLine) -> Option<Call> {
        match s.name.as_str() {
            "socket" => {
                let fd = self.setup_result(s)?;
                self.listener = Some(fd);
                Some(Call::Setup)
            }
            "bind" | "listen" => {
                self.listening_fd(s)?;
                self.setup_result(s)?;
                Some(Call::Setup)
            }
            "accept" | "accept4" => {
                self.listening_fd(s)?;
                let fd = self.setup_result(s)?;
                self.conn = Some(fd);
                Some(Call::Setup)
            }
            "setsockopt" => self.setsockopt(s),
            "fcntl" => self.fcntl(s),
            "write" | "send" => self.write(s),
            "read" | "recv" => self.read(s),
            "shutdown" => {
                self.conn_fd(s)?;
                if nth(s, 1).and_then(ident) != Some("SHUT_WR") {
                    self.unsupported(
                        s,
                        "only shutdown(fd, SHUT_WR) is run (SHUT_RD and SHUT_RDWR are not)".into(),
                    );
                    return None;
                }
                self.act(s, AppAction::ShutdownWrite)
            }
            "close" => {
                let fd = self.fd(s)?;
                if Some(fd) == self.listener {
                    self.unsupported(
                        s,
                        "closing the listening socket is not run: the built-in service's listener stays open".into(),
                    );
                    return None;
                }
                self.conn_fd(s)?;
                let abort = self.linger_conn.or(self.linger_listener).unwrap_or(false);
                self.act(
                    s,
                    if abort {
                        AppAction::Abort
                    } else {
                        AppAction::Close
                    },
                )
            }
            other => {
                self.unsupported(
                    s,
                    format!(
                        "`{other}` is not run by this version (runs: write, read, shutdown(SHUT_WR), close, SO_LINGER 0 + close; accepts socket, bind, listen, accept, setsockopt SO_REUSEADDR/SO_REUSEPORT, fcntl O_NONBLOCK as set up)"
                    ),
                );
                None
            }
        }
    }

    /// The first argument as a descriptor.
    fn fd(&mut self, s: &SyscallLine) -> Option<i64> {
        match nth(s, 0).and_then(int) {
            Some(fd) if fd >= 0 => Some(fd),
            _ => {
                let span = nth(s, 0).map_or(s.span, |e| e.span);
                self.diag(
                    span,
                    format!("`{}` needs a file descriptor (a number) first", s.name),
                    Some("e.g. close(4) = 0"),
                );
                None
            }
        }
    }

    /// The descriptor of a call on the listening socket.
    fn listening_fd(&mut self, s: &SyscallLine) -> Option<i64> {
        let fd = self.fd(s)?;
        if self.listener.is_some_and(|l| l != fd) {
            let span = nth(s, 0).map_or(s.span, |e| e.span);
            let l = self.listener.unwrap_or_default();
            self.diag(
                span,
                format!("fd {fd} is not the listening socket (socket() returned {l})"),
                None,
            );
            return None;
        }
        Some(fd)
    }

    /// The descriptor of a call on the connection.
    fn conn_fd(&mut self, s: &SyscallLine) -> Option<i64> {
        let fd = self.fd(s)?;
        if Some(fd) == self.listener {
            self.unsupported(
                s,
                format!("`{}` on the listening socket (fd {fd}) is not run", s.name),
            );
            return None;
        }
        match self.conn {
            None => {
                self.conn = Some(fd);
                Some(fd)
            }
            Some(c) if c == fd => Some(fd),
            Some(c) => {
                let span = nth(s, 0).map_or(s.span, |e| e.span);
                self.diag(
                    span,
                    format!("fd {fd} is not the connection: the case's connection is fd {c}"),
                    Some("a case has one connection, the one the harness opens"),
                );
                None
            }
        }
    }

    /// The result of a setup line: a number, not negative.
    fn setup_result(&mut self, s: &SyscallLine) -> Option<i64> {
        match int(&s.result) {
            Some(n) if n >= 0 => Some(n),
            Some(_) => {
                self.unsupported(
                    s,
                    "a setup call that fails: the built-in service's own setup succeeded".into(),
                );
                None
            }
            None => {
                self.diag(
                    s.result.span,
                    format!("`{}` needs its result as a number", s.name),
                    Some("e.g. socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"),
                );
                None
            }
        }
    }

    fn expect(&mut self, s: &SyscallLine) -> Option<Expect> {
        match &s.result.kind {
            ExprKind::Int(n) => Some(Expect::Value(*n)),
            ExprKind::Ellipsis => Some(Expect::Any),
            _ => {
                self.diag(
                    s.result.span,
                    format!(
                        "`{}` needs its result as a number, or `...` for any",
                        s.name
                    ),
                    None,
                );
                None
            }
        }
    }

    fn act(&mut self, s: &SyscallLine, action: AppAction) -> Option<Call> {
        let expect = self.expect(s)?;
        Some(Call::Act { action, expect })
    }

    /// The byte count of a `write` or `read` (third argument).
    fn count(&mut self, s: &SyscallLine) -> Option<usize> {
        match nth(s, 2).and_then(int) {
            Some(n) if (0..=MAX_IO_LEN).contains(&n) => Some(n as usize),
            _ => {
                let span = nth(s, 2).map_or(s.span, |e| e.span);
                self.diag(
                    span,
                    format!(
                        "`{}` needs a byte count (0 to {MAX_IO_LEN}) as its third argument",
                        s.name
                    ),
                    Some("e.g. write(4, ..., 10) = 10"),
                );
                None
            }
        }
    }

    fn write(&mut self, s: &SyscallLine) -> Option<Call> {
        self.conn_fd(s)?;
        let n = self.count(s)?;
        let bytes = match nth(s, 1).map(|e| &e.kind) {
            Some(ExprKind::Str(b)) if b.len() == n => b.clone(),
            Some(ExprKind::Str(b)) => {
                let span = nth(s, 1).map_or(s.span, |e| e.span);
                self.diag(
                    span,
                    format!("the text is {} bytes, the count says {n}", b.len()),
                    None,
                );
                return None;
            }
            _ => filler(n),
        };
        self.act(s, AppAction::Write(bytes))
    }

    fn read(&mut self, s: &SyscallLine) -> Option<Call> {
        self.conn_fd(s)?;
        let n = self.count(s)?;
        self.act(s, AppAction::Read(n))
    }

    fn setsockopt(&mut self, s: &SyscallLine) -> Option<Call> {
        let fd = self.fd(s)?;
        let level = nth(s, 1).and_then(ident);
        let name = nth(s, 2).and_then(ident);
        match (level, name) {
            (Some("SOL_SOCKET"), Some("SO_REUSEADDR" | "SO_REUSEPORT")) => {
                self.setup_result(s)?;
                Some(Call::Setup)
            }
            (Some("SOL_SOCKET"), Some("SO_LINGER")) => {
                let (onoff, linger) = match nth(s, 3).map(|e| &e.kind) {
                    Some(ExprKind::Struct(fields)) => {
                        let field = |names: [&str; 2]| {
                            fields
                                .iter()
                                .find(|(k, _)| names.contains(&k.as_str()))
                                .and_then(|(_, v)| int(v))
                        };
                        (field(["onoff", "l_onoff"]), field(["linger", "l_linger"]))
                    }
                    _ => (None, None),
                };
                let (Some(onoff), Some(linger)) = (onoff, linger) else {
                    let span = nth(s, 3).map_or(s.span, |e| e.span);
                    self.diag(
                        span,
                        "SO_LINGER takes {onoff=N, linger=N}".into(),
                        Some("setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0 makes the next close(4) an abort"),
                    );
                    return None;
                };
                if onoff != 0 && linger != 0 {
                    self.unsupported(
                        s,
                        "a lingering close (SO_LINGER with linger > 0) is not run; linger=0 makes close an abort".into(),
                    );
                    return None;
                }
                self.setup_result(s)?;
                let abort = Some(onoff != 0);
                if Some(fd) == self.listener && self.conn.is_none() {
                    self.linger_listener = abort;
                } else {
                    self.conn_fd(s)?;
                    self.linger_conn = abort;
                }
                Some(Call::Linger)
            }
            _ => {
                let what = s
                    .args
                    .iter()
                    .skip(1)
                    .take(2)
                    .map(crate::script::print_expr)
                    .collect::<Vec<_>>()
                    .join(", ");
                self.unsupported(
                    s,
                    format!("option {what} is not run (runs SO_LINGER; accepts SO_REUSEADDR, SO_REUSEPORT)"),
                );
                None
            }
        }
    }

    fn fcntl(&mut self, s: &SyscallLine) -> Option<Call> {
        self.fd(s)?;
        let cmd = nth(s, 1).and_then(ident);
        match cmd {
            Some("F_GETFL") => Some(Call::Setup),
            Some("F_SETFL") if nth(s, 2).is_some_and(|f| names(f, "O_NONBLOCK")) => {
                self.setup_result(s)?;
                Some(Call::Setup)
            }
            _ => {
                self.unsupported(
                    s,
                    "only fcntl F_GETFL and F_SETFL with O_NONBLOCK are accepted (the harness's calls never block)".into(),
                );
                None
            }
        }
    }
}

/// The oracle's view of an action.
pub fn app_event(action: &AppAction) -> AppEvent {
    match action {
        AppAction::Write(bytes) => AppEvent::Write(bytes.len()),
        AppAction::Read(n) => AppEvent::Read(*n),
        AppAction::ShutdownWrite => AppEvent::ShutdownWrite,
        AppAction::Close => AppEvent::Close,
        AppAction::Abort => AppEvent::Abort,
    }
}

/// What the oracle hears of an application call once the stack answered
/// it, before the segments it made the target send: a call the stack
/// refused did nothing (a write refused in SYN-RECEIVED queues no data, so
/// a close then owes its FIN at once), a short write wrote what it returned.
pub fn app_event_done(action: &AppAction, outcome: &AppOutcome) -> Option<AppEvent> {
    match (outcome, app_event(action)) {
        (AppOutcome::Refused(_), _) => None,
        (AppOutcome::Wrote(n), AppEvent::Write(_)) => Some(AppEvent::Write(*n)),
        (_, ev) => Some(ev),
    }
}

/// Tells `oracle` what the target's built-in services did on their own
/// since the last call ([`Session::service_events`]): the octets each write
/// queued, its close, its abort, as a case's `write`, `close` and `abort`
/// would be told. The runner and the fuzz driver call it before each
/// segment either way (before a harness segment is injected, so a call it
/// caused comes after it), so the oracle hears the calls in the order they
/// happened: the `abort` service's RST is then the application's (RFC 9293
/// §3.10.5), not a reset that a SYN or RST from the harness caused
/// (`syn-in-window-resets`); after a service's close its FIN sits past the
/// octets it wrote (§3.10.4), so a harness ACK of that FIN is known as one,
/// and a harness FIN before the close makes CLOSE-WAIT, one after it
/// CLOSING. Allocates only when a service did something.
pub fn report_service_calls(session: &mut dyn Session, oracle: &mut Oracle) {
    for ev in session.service_events() {
        let app = match ev.call {
            ServiceCall::Wrote(n) => AppEvent::Write(n),
            ServiceCall::Close => AppEvent::Close,
            ServiceCall::Abort => AppEvent::Abort,
        };
        let what = crate::oracle::Observation::App {
            peer: ev.peer,
            event: app,
        };
        oracle.observe(ev.at, what);
    }
}

/// Why a target cannot run a case's application actions for `service`, if
/// it cannot. It needs [`Capabilities::app_actions`]; and where the built-in
/// services run alongside the case on a real clock (the lab: a thread per
/// service that reads, writes and closes on its own), only `silent`, which
/// never touches its connection, leaves the connection to the case. On a
/// virtual clock (embedded) the target steps the service itself and
/// detaches it from the connection at the first action, so any service works.
pub fn app_support(target: &str, caps: Capabilities, service: Service) -> Option<String> {
    if !caps.app_actions {
        return Some(format!(
            "the {target} target performs no application actions, which the case's syscall lines need"
        ));
    }
    if !caps.virtual_time && service != Service::Silent {
        return Some(format!(
            "on the {target} target the built-in `{service}` service runs alongside the case and \
             owns the connection: syscall lines run there with `//! service: silent` only"
        ));
    }
    None
}

#[cfg(test)]
#[path = "syscall_tests.rs"]
mod tests;
