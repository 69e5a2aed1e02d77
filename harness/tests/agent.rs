//! `synack agent` performs the protocol's core and extended operations on
//! the real kernel: here over loopback, with the test as the harness's
//! application peer (no privileges needed).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;
use synack::target::agent::protocol::{How, Op};
use synack::target::agent::server::{self, AgentOptions};
use synack::target::agent::{AgentAddr, AgentClient};
use synack::target::{AppAction, AppOutcome, TargetError};
use synack::wire::TcpState;

const TOKEN: &str = "agent-test";

/// Starts an agent on a free loopback port; it serves until the test ends.
fn agent() -> SocketAddr {
    let opts = AgentOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: TOKEN.into(),
        once: false,
    };
    let listener = server::bind(&opts).expect("bind the agent");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || server::serve(listener, &opts));
    addr
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn client(addr: SocketAddr) -> AgentClient {
    AgentClient::connect(&AgentAddr {
        addr,
        token: TOKEN.into(),
    })
    .expect("hello")
}

#[track_caller]
fn ok(c: &AgentClient, op: Op) -> synack::target::agent::protocol::Reply {
    let r = c.call(op, Duration::from_secs(2)).expect("a reply");
    assert!(r.ok, "{r:?}");
    r
}

#[test]
fn the_agent_runs_the_core_and_extended_operations_on_the_kernel() {
    let c = client(agent());
    for op in ["listen", "state", "connect", "poll", "getsockopt"] {
        assert!(c.has(op), "{op}: {:?}", c.ops);
    }
    assert!(c.services.iter().any(|s| s == "echo"));

    // A scripted application: listen, the peer connects, accept.
    let local = free_port();
    ok(
        &c,
        Op::Listen {
            local,
            service: None,
            peer: None,
            close_delay_ms: None,
        },
    );
    let mut peer_end = TcpStream::connect(local).unwrap();
    peer_end
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let peer = peer_end.local_addr().unwrap();
    ok(
        &c,
        Op::Accept {
            peer,
            timeout_ms: Some(1000),
        },
    );
    assert_eq!(c.state(local, peer).unwrap(), TcpState::Established);

    // write → the peer reads it; the peer writes → a blocking read gets it.
    assert_eq!(
        c.act(peer, &AppAction::Write(b"hi".to_vec())).unwrap(),
        AppOutcome::Wrote(2)
    );
    let mut buf = [0u8; 2];
    peer_end.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hi");
    peer_end.write_all(b"yo").unwrap();
    let r = ok(
        &c,
        Op::Read {
            peer,
            max: 10,
            timeout_ms: Some(1000),
        },
    );
    assert_eq!(r.data.as_deref(), Some("796f"));
    assert_eq!(
        c.act(peer, &AppAction::Read(10)).unwrap(),
        AppOutcome::Read(vec![]),
        "a non-blocking read with nothing there"
    );

    // Extended: poll, socket options.
    let poll = |ms| Op::Poll {
        peer,
        events: vec!["in".into()],
        timeout_ms: ms,
    };
    assert_eq!(ok(&c, poll(0)).value, Some(0));
    peer_end.write_all(b"!").unwrap();
    assert_eq!(ok(&c, poll(1000)).value, Some(1));
    ok(
        &c,
        Op::Setsockopt {
            peer,
            name: "TCP_NODELAY".into(),
            value: 1,
        },
    );
    let got = ok(
        &c,
        Op::Getsockopt {
            peer,
            name: "TCP_NODELAY".into(),
        },
    );
    assert_eq!(got.value, Some(1));
    let r = c
        .call(
            Op::Setsockopt {
                peer,
                name: "SO_FROB".into(),
                value: 1,
            },
            Duration::ZERO,
        )
        .unwrap();
    assert_eq!(r.unsupported.as_deref(), Some("setsockopt SO_FROB"));

    // shutdown(SHUT_WR): the peer reads the end of the stream.
    ok(&c, Op::Shutdown { peer, how: How::Wr });
    assert_eq!(peer_end.read(&mut buf).unwrap(), 0);
    let s = c.state(local, peer).unwrap();
    assert!(
        matches!(s, TcpState::FinWait1 | TcpState::FinWait2),
        "after SHUT_WR: {s}"
    );
    // abort: RST. The peer is in CLOSE-WAIT (it had our FIN), where it
    // could still write; after the reset its write fails (Linux reports a
    // reset in CLOSE-WAIT as EPIPE, tcp_reset()).
    assert_eq!(c.act(peer, &AppAction::Abort).unwrap(), AppOutcome::Done);
    let e = peer_end.write(b"x").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BrokenPipe, "{e}");
    assert_eq!(c.state(local, peer).unwrap(), TcpState::Closed);
    // A call on a connection that is gone is refused, as -1 would be.
    match c.act(peer, &AppAction::Close).unwrap() {
        AppOutcome::Refused(why) => assert!(why.contains("no open connection"), "{why}"),
        other => panic!("{other:?}"),
    }

    // connect: the agent opens a connection to the test's listener.
    let remote_l = TcpListener::bind("127.0.0.1:0").unwrap();
    let remote = remote_l.local_addr().unwrap();
    ok(&c, Op::Connect { remote });
    let (mut accepted, _) = remote_l.accept().unwrap();
    accepted
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    assert_eq!(
        c.act(remote, &AppAction::Write(b"ok".to_vec())).unwrap(),
        AppOutcome::Wrote(2)
    );
    accepted.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ok");
    assert_eq!(c.act(remote, &AppAction::Close).unwrap(), AppOutcome::Done);
    assert_eq!(accepted.read(&mut buf).unwrap(), 0, "FIN after close");
}

#[test]
fn built_in_services_run_on_the_agent_and_own_their_connections() {
    let c = client(agent());
    let local = free_port();
    let peer_of = |s: &TcpStream| s.local_addr().unwrap();
    c.listen(
        local,
        "echo",
        "127.0.0.1:1".parse().unwrap(),
        Duration::ZERO,
    )
    .unwrap();
    // Idempotent for the same service; another service on the port is refused.
    c.listen(
        local,
        "echo",
        "127.0.0.1:1".parse().unwrap(),
        Duration::ZERO,
    )
    .unwrap();
    let e = c
        .listen(
            local,
            "discard",
            "127.0.0.1:1".parse().unwrap(),
            Duration::ZERO,
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("already runs the `echo` service"),
        "{e}"
    );
    let mut s = TcpStream::connect(local).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    match c.act(peer_of(&s), &AppAction::Close).unwrap() {
        AppOutcome::Refused(why) => assert!(why.contains("built-in service owns"), "{why}"),
        other => panic!("{other:?}"),
    }
    // An unknown service is unsupported, not an error of the agent's.
    let e = c
        .listen(
            free_port(),
            "chargen",
            "127.0.0.1:1".parse().unwrap(),
            Duration::ZERO,
        )
        .unwrap_err();
    assert!(matches!(e, TargetError::Unsupported(_)), "{e:?}");
}

#[test]
fn the_agent_answers_only_its_token_and_hangs_up_on_garbage() {
    let addr = agent();
    let e = AgentClient::connect(&AgentAddr {
        addr,
        token: "guess".into(),
    })
    .unwrap_err();
    assert!(e.to_string().contains("refused hello: wrong token"), "{e}");
    for (first, says) in [
        ("GET / HTTP/1.0\n", "not a request"),
        (
            "{\"id\":1,\"op\":\"listen\",\"local\":\"127.0.0.1:9\"}\n",
            "say hello with the token first",
        ),
    ] {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        s.write_all(first.as_bytes()).unwrap();
        let mut lines = BufReader::new(s);
        let mut reply = String::new();
        lines.read_line(&mut reply).unwrap();
        assert!(
            reply.contains("\"ok\":false") && reply.contains(says),
            "{reply}"
        );
        reply.clear();
        assert_eq!(lines.read_line(&mut reply).unwrap(), 0, "hung up");
    }
}
