//! The performed socket API: syscall lines → calls, results → verdicts, and
//! what the oracle hears.

use super::*;
use crate::oracle::AppEvent;
use crate::run::case::load_source;
use crate::run::syscall::{plan, Call, Plan, PlanError};
use crate::target::calls::{CallData, SockResult};
use std::path::Path;

/// A packetdrill server preamble: the script's own socket.
const SERVER: &str = "\
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
";

fn planned(body: &str) -> Result<Plan, PlanError> {
    let script = crate::script::parse(body, "t.pkt").expect("parses");
    plan(&script, body, "t.pkt")
}

/// The call and expectation of the last line of `SERVER` + `line`.
fn one(line: &str) -> (SockCall, SockExpect) {
    let body = format!("{SERVER}{line}\n");
    let p = planned(&body).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(p.performed);
    match p.calls.into_values().last() {
        Some(Call::Sock { call, expect }) => (call, expect),
        other => panic!("{other:?}"),
    }
}

fn unsupported(line: &str) -> String {
    match planned(&format!("{SERVER}{line}\n")) {
        Err(PlanError::Unsupported(why)) => why,
        other => panic!("expected unsupported, got {other:?}"),
    }
}

fn mistake(line: &str) -> String {
    match planned(&format!("{SERVER}{line}\n")) {
        Err(PlanError::Script(d)) => d[0].to_string(),
        other => panic!("expected a diagnostic, got {other:?}"),
    }
}

#[test]
fn a_script_with_its_own_listening_or_connecting_socket_is_performed() {
    let p = planned(SERVER).expect("plans");
    assert!(p.performed && p.listens());
    assert_eq!(p.calls.len(), 4);
    let client = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 connect(3, ..., ...) = 0\n";
    let p = planned(client).expect("plans");
    assert!(p.performed && !p.listens());
    // A named service keeps the set-up meaning; so do socket + accept alone.
    let named = format!("//! service: silent\n{SERVER}");
    assert!(!planned(&named).expect("plans").performed);
    let repro = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 accept(3, ..., ...) = 4\n";
    assert!(!planned(repro).expect("plans").performed);
    let case = load_source(Path::new("a.pkt"), SERVER.to_string()).expect("loads");
    assert_eq!(case.meta.service, crate::target::Service::Closed);
}

#[test]
fn calls_map_with_the_script_s_descriptors() {
    assert_eq!(
        one("+0 accept4(3, ..., ..., SOCK_NONBLOCK) = 4").0,
        SockCall::Accept {
            fd: 3,
            new_fd: 4,
            nonblock: true
        }
    );
    assert_eq!(
        one("+0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 5").0,
        SockCall::Socket {
            fd: 5,
            nonblock: true
        }
    );
    assert_eq!(
        one("+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0").0,
        SockCall::SetFl {
            fd: 3,
            nonblock: true
        }
    );
    assert_eq!(
        one("+0 shutdown(4, SHUT_RD) = 0").0,
        SockCall::Shutdown {
            fd: 4,
            how: Shut::Rd
        }
    );
    assert_eq!(
        one("+0 writev(4, [{iov_base=..., iov_len=4}, {iov_base=..., iov_len=6}], 2) = 10").0,
        SockCall::Send {
            fd: 4,
            bytes: filler(10),
            flags: 0,
            iov: vec![4, 6],
        }
    );
    assert_eq!(
        one("+0 sendmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 4}, {..., 6}], msg_flags=0}, 0) = 10").0,
        SockCall::Send {
            fd: 4,
            bytes: filler(10),
            flags: 0,
            iov: vec![4, 6],
        }
    );
    assert_eq!(
        one("+0 recv(4, ..., 100, MSG_PEEK) = 10").0,
        SockCall::Recv {
            fd: 4,
            len: 100,
            flags: i64::from(libc::MSG_PEEK)
        }
    );
    assert_eq!(
        one("+0 write(4, \"hi\", 2) = 2").0,
        SockCall::Send {
            fd: 4,
            bytes: b"hi".to_vec(),
            flags: 0,
            iov: Vec::new(),
        }
    );
    assert_eq!(
        one("+0 setsockopt(4, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0").0,
        SockCall::SetOpt {
            fd: 4,
            opt: SockOpt::NoDelay,
            value: OptValue::Int(1)
        }
    );
    assert_eq!(
        one("+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0").0,
        SockCall::SetOpt {
            fd: 4,
            opt: SockOpt::Linger,
            value: OptValue::Linger {
                onoff: 1,
                linger: 0
            }
        }
    );
}

#[test]
fn expectations_carry_errno_and_what_the_call_fills_in() {
    let (_, e) = one("+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)");
    assert_eq!(e.ret, Expect::Value(-1));
    assert_eq!(e.errno, Some(libc::EAGAIN));
    let (_, e) = one("+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0");
    assert_eq!(e.data, DataExpect::Int(i64::from(libc::ECONNREFUSED)));
    let (_, e) = one("+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1");
    assert_eq!(e.data, DataExpect::Revents(vec![Some(events::POLLOUT)]));
    let (_, e) = one("+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=1}, [104]) = 0");
    assert_eq!(e.data, DataExpect::Info(vec![("tcpi_state".into(), 1)]));
    let (_, e) = one("+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1");
    assert_eq!(e.data, DataExpect::Ready(vec![(4, events::POLLIN)]));
    let (_, e) = one("+0 close(4) = ...");
    assert_eq!(e.ret, Expect::Any);
}

#[test]
fn results_that_differ_say_what_was_expected_and_what_came() {
    let (call, e) = one("+0 read(4, ..., 1000) = 1000");
    let got = SockResult::err(libc::EAGAIN);
    assert_eq!(
        check(&e, &call, &got).as_deref(),
        Some("expected 1000, got -1 EAGAIN")
    );
    assert_eq!(check(&e, &call, &SockResult::ok(1000)), None);
    let (call, e) = one("+0 connect(3, ..., ...) = -1 EINPROGRESS");
    assert_eq!(
        check(&e, &call, &SockResult::err(libc::ECONNREFUSED)).as_deref(),
        Some("expected -1 EINPROGRESS, got -1 ECONNREFUSED")
    );
    // The descriptor socket() returns may be any number: it names it.
    let (call, e) = one("+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4");
    assert_eq!(check(&e, &call, &SockResult::ok(4)), None);
    assert!(check(&e, &call, &SockResult::err(libc::EMFILE)).is_some());
    let (call, e) = one("+0 getsockopt(4, SOL_TCP, TCP_MAXSEG, [1000], [4]) = 0");
    let got = SockResult::ok(0).with(CallData::Opt(OptValue::Int(1460)));
    assert_eq!(
        check(&e, &call, &got).as_deref(),
        Some("expected [1000], got [1460]")
    );
    let (call, e) = one("+0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1");
    let got = SockResult::ok(1).with(CallData::Revents(vec![0]));
    assert_eq!(
        check(&e, &call, &got).as_deref(),
        Some("fd 4 revents: expected POLLIN, got 0")
    );
    let (call, e) = one("+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=1}, [104]) = 0");
    let got = SockResult::ok(0).with(CallData::Opt(OptValue::Info(vec![(
        "tcpi_state".into(),
        8,
    )])));
    assert_eq!(
        check(&e, &call, &got).as_deref(),
        Some("tcpi_state: expected 1, got 8")
    );
}

#[test]
fn calls_and_options_not_performed_are_unsupported_at_their_file_line_and_column() {
    let why = unsupported("+0 sendfile(4, 5, ..., 10) = 10");
    assert!(
        why.starts_with("t.pkt:5:4: `sendfile(…)`") && why.contains("not performed"),
        "{why}"
    );
    let why = unsupported("+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, \"reno\", 4) = 0");
    assert!(
        why.contains("t.pkt:5:") && why.contains("TCP_CONGESTION"),
        "{why}"
    );
    let why = unsupported("+0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 4");
    assert!(why.contains("SOCK_STREAM"), "{why}");
    let why = unsupported("+0 send(4, ..., 10, MSG_OOB) = 10");
    assert!(why.contains("MSG_OOB"), "{why}");
}

#[test]
fn malformed_lines_are_diagnostics_at_the_argument() {
    let d = mistake("+0 accept(3, ...) = 4");
    assert!(
        d.contains("t.pkt:5:4") && d.contains("takes 3 arguments, not 2"),
        "{d}"
    );
    let d = mistake("+0 setsockopt(4, SOL_SOCKET, SO_LINGER, [1], 8) = 0");
    assert!(d.contains("t.pkt:5:") && d.contains("l_onoff"), "{d}");
    let d = mistake("+0 poll([4], 1, 0) = 1");
    assert!(d.contains("pollfd"), "{d}");
    let d = mistake("+0 read(4, ..., 1000) = -1 ENOSUCH");
    assert!(d.contains("unknown errno `ENOSUCH`"), "{d}");
    let d = mistake("+0 read(x, ..., 10) = 10");
    assert!(
        d.contains("t.pkt:5:9") && d.contains("file descriptor"),
        "{d}"
    );
    let d = mistake("+0 shutdown(4, SHUT_SIDEWAYS) = 0");
    assert!(d.contains("SHUT_SIDEWAYS"), "{d}");
    let d = mistake("+0 writev(4, [{iov_base=...}], 1) = 1");
    assert!(d.contains("iov_len"), "{d}");
}

#[test]
fn the_oracle_hears_connect_abort_and_half_closes() {
    let mut app = SockApp::default();
    let connect = SockCall::Connect { fd: 3 };
    assert_eq!(
        app.events(&connect, &SockResult::err(libc::EINPROGRESS)),
        [AppEvent::Connect]
    );
    assert!(app
        .events(&connect, &SockResult::err(libc::EBADF))
        .is_empty());
    let linger = SockCall::SetOpt {
        fd: 3,
        opt: SockOpt::Linger,
        value: OptValue::Linger {
            onoff: 1,
            linger: 0,
        },
    };
    assert!(app.events(&linger, &SockResult::ok(0)).is_empty());
    let accept = SockCall::Accept {
        fd: 3,
        new_fd: 4,
        nonblock: false,
    };
    app.events(&accept, &SockResult::ok(4));
    // SO_LINGER 0 carries from the listener to the accepted socket.
    assert_eq!(
        app.events(&SockCall::Close { fd: 4 }, &SockResult::ok(0)),
        [AppEvent::Abort]
    );
    assert_eq!(
        app.events(
            &SockCall::Shutdown {
                fd: 5,
                how: Shut::RdWr
            },
            &SockResult::ok(0)
        ),
        [AppEvent::ShutdownRead, AppEvent::ShutdownWrite]
    );
    let read = SockCall::Recv {
        fd: 5,
        len: 10,
        flags: 0,
    };
    assert_eq!(app.events(&read, &SockResult::ok(7)), [AppEvent::Read(7)]);
    assert_eq!(
        app.events(&SockCall::Close { fd: 5 }, &SockResult::ok(0)),
        [AppEvent::Close]
    );
}

#[test]
fn a_fast_open_sendto_makes_its_socket_the_one_under_test() {
    let mut app = SockApp::default();
    let socket = |fd| SockCall::Socket { fd, nonblock: true };
    app.events(&socket(3), &SockResult::ok(3));
    app.events(
        &SockCall::Connect { fd: 3 },
        &SockResult::err(libc::EINPROGRESS),
    );
    app.events(&socket(4), &SockResult::ok(4));
    assert_eq!(app.under_test(), Some(3));
    let plain = SockCall::Send {
        fd: 4,
        bytes: vec![0; 10],
        flags: 0,
        iov: Vec::new(),
    };
    app.events(&plain, &SockResult::ok(10));
    assert_eq!(app.under_test(), Some(3), "a plain send opens nothing");
    let tfo = SockCall::Send {
        fd: 4,
        bytes: vec![0; 10],
        flags: i64::from(libc::MSG_FASTOPEN),
        iov: Vec::new(),
    };
    app.events(&tfo, &SockResult::ok(10));
    assert_eq!(app.under_test(), Some(4));
}
