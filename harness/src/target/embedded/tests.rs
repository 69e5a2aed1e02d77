//! The embedded target seen from the wire: segments built and parsed with
//! `crate::wire`, injected as bytes, every reply checked byte-exactly for its
//! checksums.

use super::*;
use crate::target::services::HTTP_RESPONSE;
use crate::target::{
    AppAction, AppOutcome, IpFamily, Service, ServiceCall, ServiceEvent, Session, SessionSpec,
    Target,
};
use crate::wire::{
    parse, ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption, TcpState,
};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The harness's ISN, near the 2^32 wrap.
const HARNESS_ISS: SeqNumber = SeqNumber(0xffff_fff0);
const SYN: TcpFlags = TcpFlags::SYN;
const ACK: TcpFlags = TcpFlags::ACK;
const FIN: TcpFlags = TcpFlags::FIN;
const RST: TcpFlags = TcpFlags::RST;
const PSH: TcpFlags = TcpFlags::PSH;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn spec(service: Service) -> SessionSpec {
    SessionSpec {
        service,
        seed: 42,
        ..SessionSpec::default()
    }
}

/// The harness's end of one connection: its session and sequence space.
struct Peer {
    session: EmbeddedSession,
    from: SocketAddr,
    /// The harness's SND.NXT.
    snd_nxt: SeqNumber,
    /// The target's next sequence number as the harness has seen it (RCV.NXT).
    rcv_nxt: SeqNumber,
}

impl Peer {
    fn open(spec: &SessionSpec) -> Peer {
        let session = EmbeddedSession::new(spec).expect("embedded session opens");
        let from = session.info().harness;
        Peer {
            session,
            from,
            snd_nxt: HARNESS_ISS,
            rcv_nxt: SeqNumber(0),
        }
    }

    /// A segment from `from` to the target.
    fn segment_from(
        &self,
        from: SocketAddr,
        flags: TcpFlags,
        seq: SeqNumber,
        ack: SeqNumber,
        payload: &[u8],
    ) -> Segment {
        let to = self.session.info().target;
        let ip = IpEnvelope::between(from.ip(), to.ip()).expect("same family");
        Segment {
            seq,
            ack,
            window: 65535,
            payload: payload.to_vec(),
            ..Segment::new(ip, from.port(), to.port(), flags)
        }
    }

    fn segment(&self, flags: TcpFlags, payload: &[u8]) -> Segment {
        let ack = if flags.ack() {
            self.rcv_nxt
        } else {
            SeqNumber(0)
        };
        self.segment_from(self.from, flags, self.snd_nxt, ack, payload)
    }

    /// Injects `seg` and advances SND.NXT past it.
    fn send(&mut self, seg: Segment) {
        if seg.src_port == self.from.port() {
            self.snd_nxt = seg.seq.add(seg.seg_len());
        }
        self.session
            .inject(&seg.to_bytes(ChecksumPolicy::Compute))
            .expect("inject");
    }

    fn syn(&mut self) {
        let mut syn = self.segment(SYN, &[]);
        syn.options = vec![TcpOption::Mss(1460)];
        self.send(syn);
    }

    /// The next segment by `deadline`, checksums verified; learns RCV.NXT.
    #[track_caller]
    fn recv(&mut self, deadline: Duration) -> (Duration, Segment) {
        let got = self
            .session
            .recv(deadline)
            .expect("recv")
            .unwrap_or_else(|| panic!("nothing from the target by {deadline:?}"));
        let seg = parse(&got.bytes).expect("the target's packet parses");
        assert_eq!(
            seg.to_bytes(ChecksumPolicy::Compute),
            got.bytes,
            "the target's checksums are correct"
        );
        let end = seg.seq.add(seg.seg_len());
        if seg.dst_port == self.from.port()
            && !seg.flags.rst()
            && crate::wire::seq_gt(end, self.rcv_nxt)
            || self.rcv_nxt == SeqNumber(0)
        {
            self.rcv_nxt = end;
        }
        (got.at, seg)
    }

    #[track_caller]
    fn recv_nothing(&mut self, deadline: Duration) {
        let got = self.session.recv(deadline).expect("recv");
        assert!(
            got.is_none(),
            "unexpected packet {:?}",
            got.map(|r| parse(&r.bytes))
        );
        assert_eq!(self.session.now(), deadline);
    }

    fn state(&mut self) -> TcpState {
        self.session.socket_state(self.from).expect("socket_state")
    }

    /// Handshake done: the target's socket is ESTABLISHED.
    fn established(spec: &SessionSpec) -> Peer {
        let mut p = Peer::open(spec);
        p.syn();
        let (_, syn_ack) = p.recv(ms(0));
        assert_eq!(syn_ack.flags, SYN | ACK);
        p.send(p.segment(ACK, &[]));
        assert_eq!(p.state(), TcpState::Established);
        p
    }
}

// --- LISTEN and CLOSED (RFC 9293 §3.10.7.1, §3.10.7.2) ---

#[test]
fn syn_to_listener_gets_syn_ack_acking_isn_plus_one_with_mss() {
    let mut p = Peer::open(&spec(Service::Echo));
    assert_eq!(p.state(), TcpState::Closed);
    p.syn();
    let (at, seg) = p.recv(ms(0));
    assert_eq!(at, Duration::ZERO);
    assert_eq!(seg.flags, SYN | ACK);
    assert_eq!(seg.ack, HARNESS_ISS.add(1));
    assert_eq!(seg.mss(), Some(1460));
    assert!(seg.payload.is_empty());
    assert_eq!(seg.ip.src(), p.session.info().target.ip());
    assert_eq!(seg.ip.dst(), p.from.ip());
    assert_eq!((seg.src_port, seg.dst_port), (8080, 40000));
    assert_eq!(p.state(), TcpState::SynReceived);
}

#[test]
fn ipv6_handshake_completes() {
    let mut p = Peer::open(&SessionSpec {
        family: IpFamily::V6,
        ..spec(Service::Echo)
    });
    p.syn();
    let (_, seg) = p.recv(ms(0));
    assert_eq!(seg.flags, SYN | ACK);
    assert_eq!(seg.ack, HARNESS_ISS.add(1));
    assert_eq!(seg.mss(), Some(1440));
    assert!(matches!(seg.ip, IpEnvelope::V6 { .. }));
    p.send(p.segment(ACK, &[]));
    assert_eq!(p.state(), TcpState::Established);
}

#[test]
fn syn_to_closed_port_gets_rst_ack() {
    let mut p = Peer::open(&spec(Service::Closed));
    assert_eq!(p.state(), TcpState::Closed);
    p.syn();
    let (_, seg) = p.recv(ms(0));
    assert_eq!(seg.flags, RST | ACK);
    assert_eq!(seg.seq, SeqNumber(0));
    assert_eq!(seg.ack, HARNESS_ISS.add(1));
}

#[test]
fn bare_ack_to_listener_gets_rst_from_its_ack_number() {
    let mut p = Peer::open(&spec(Service::Echo));
    p.send(p.segment_from(p.from, ACK, SeqNumber(5), SeqNumber(0xdead_beef), &[]));
    let (_, seg) = p.recv(ms(0));
    assert_eq!(seg.flags, RST);
    assert_eq!(seg.seq, SeqNumber(0xdead_beef));
    assert_eq!(p.state(), TcpState::Closed);
}

#[test]
fn rst_to_listener_draws_nothing() {
    let mut p = Peer::open(&spec(Service::Echo));
    p.send(p.segment_from(p.from, RST, SeqNumber(5), SeqNumber(0), &[]));
    p.recv_nothing(ms(3000));
    assert_eq!(p.state(), TcpState::Closed);
}

#[test]
fn syn_with_bad_checksum_is_dropped() {
    let mut p = Peer::open(&spec(Service::Echo));
    let mut syn = p.segment(SYN, &[]);
    syn.options = vec![TcpOption::Mss(1460)];
    p.session
        .inject(&syn.to_bytes(ChecksumPolicy::Corrupt))
        .expect("inject");
    p.recv_nothing(ms(5000));
    assert_eq!(p.state(), TcpState::Closed);
    p.send(syn);
    assert_eq!(p.recv(ms(5000)).1.flags, SYN | ACK);
}

#[test]
fn new_syn_after_rst_in_syn_received_gets_a_fresh_syn_ack() {
    let mut p = Peer::open(&spec(Service::Echo));
    p.syn();
    let first = p.recv(ms(0)).1;
    p.send(p.segment_from(p.from, RST, HARNESS_ISS.add(1), SeqNumber(0), &[]));
    assert_eq!(p.state(), TcpState::Closed);
    p.snd_nxt = SeqNumber(7);
    p.syn();
    let second = p.recv(ms(0)).1;
    assert_eq!(second.flags, SYN | ACK);
    assert_eq!(second.ack, SeqNumber(8));
    assert_ne!(second.seq, first.seq, "a new ISN");
}

#[test]
fn port_serves_more_connections_than_the_listen_pool_at_once() {
    let mut p = Peer::open(&spec(Service::Echo));
    let target = p.session.info().target;
    for i in 0..(LISTEN_POOL as u16 + 3) {
        let from = SocketAddr::new(p.from.ip(), 50000 + i);
        p.send(p.segment_from(from, SYN, SeqNumber(100), SeqNumber(0), &[]));
        let seg = p.recv(ms(0)).1;
        assert_eq!(
            (seg.flags, seg.dst_port, seg.ack),
            (SYN | ACK, 50000 + i, SeqNumber(101))
        );
        let ack = p.segment_from(from, ACK, SeqNumber(101), seg.seq.add(1), &[]);
        p.send(ack);
        assert_eq!(p.session.socket_state(from).unwrap(), TcpState::Established);
    }
    // A retransmitted SYN reaches its own connection, not a fresh listener.
    let from = SocketAddr::new(p.from.ip(), 50000);
    p.send(p.segment_from(from, SYN, SeqNumber(100), SeqNumber(0), &[]));
    assert_eq!(p.session.socket_state(from).unwrap(), TcpState::Established);
    assert_eq!(target.port(), 8080);
}

// --- Data (RFC 9293 §3.10.7.4) ---

#[test]
fn echo_returns_data_with_the_ack() {
    let mut p = Peer::established(&spec(Service::Echo));
    p.send(p.segment(PSH | ACK, b"hello"));
    let (at, seg) = p.recv(ms(1000));
    assert_eq!(at, Duration::ZERO);
    assert_eq!(seg.payload, b"hello");
    assert!(seg.flags.ack());
    assert_eq!(seg.ack, p.snd_nxt);
}

#[test]
fn discard_acks_data_after_the_delayed_ack_and_sends_nothing_back() {
    let mut p = Peer::established(&spec(Service::Discard));
    p.send(p.segment(PSH | ACK, b"hello"));
    let (at, seg) = p.recv(ms(1000));
    assert_eq!(at, ms(10), "smoltcp's delayed ACK");
    assert_eq!(seg.flags, ACK);
    assert!(seg.payload.is_empty());
    assert_eq!(seg.ack, p.snd_nxt);
    p.recv_nothing(ms(5000));
}

// --- Close: the two legal FIN orders (RFC 9293 §3.6) ---

#[test]
fn peer_fin_with_zero_close_delay_gets_ack_and_fin_in_one_segment() {
    let mut p = Peer::established(&spec(Service::Echo));
    p.send(p.segment(FIN | ACK, &[]));
    let (_, seg) = p.recv(ms(1000));
    assert_eq!(seg.flags, FIN | ACK);
    assert_eq!(seg.ack, p.snd_nxt);
    assert_eq!(p.state(), TcpState::LastAck);
    p.send(p.segment(ACK, &[]));
    assert_eq!(
        p.state(),
        TcpState::Closed,
        "connection gone, listeners remain"
    );
}

#[test]
fn peer_fin_with_close_delay_gets_ack_first_and_fin_later() {
    let mut p = Peer::established(&SessionSpec {
        close_delay: ms(200),
        ..spec(Service::Echo)
    });
    p.send(p.segment(FIN | ACK, &[]));
    let (at, ack) = p.recv(ms(1000));
    assert_eq!(ack.flags, ACK);
    assert_eq!(ack.ack, p.snd_nxt);
    assert!(at < ms(200), "ACK at {at:?}");
    assert_eq!(p.state(), TcpState::CloseWait);
    let (at, fin) = p.recv(ms(1000));
    assert_eq!(at, ms(200));
    assert_eq!(fin.flags, FIN | ACK);
    assert_eq!(p.state(), TcpState::LastAck);
}

#[test]
fn echo_sends_pending_data_before_its_fin() {
    let mut p = Peer::established(&spec(Service::Echo));
    p.send(p.segment(FIN | PSH | ACK, b"bye"));
    let (_, seg) = p.recv(ms(1000));
    assert_eq!(seg.payload, b"bye");
    assert!(seg.flags.fin(), "data and FIN together: {:?}", seg.flags);
    assert_eq!(seg.ack, p.snd_nxt);
}

#[test]
fn http_exchange_ends_with_server_active_close_and_time_wait() {
    let mut p = Peer::established(&spec(Service::Http));
    p.send(p.segment(PSH | ACK, b"GET / HTTP/1.0\r\n\r\n"));
    let mut response = Vec::new();
    let mut fin = false;
    while !fin {
        let (_, seg) = p.recv(ms(1000));
        response.extend_from_slice(&seg.payload);
        fin = seg.flags.fin();
    }
    assert_eq!(response, HTTP_RESPONSE);
    assert_eq!(p.state(), TcpState::FinWait1);
    p.send(p.segment(ACK, &[]));
    assert_eq!(p.state(), TcpState::FinWait2);
    p.send(p.segment(FIN | ACK, &[]));
    let (_, ack) = p.recv(ms(1000));
    assert_eq!(ack.flags, ACK);
    assert_eq!(ack.ack, p.snd_nxt);
    assert_eq!(p.state(), TcpState::TimeWait);
    // smoltcp's TIME-WAIT is 10 s, on the virtual clock.
    p.recv_nothing(ms(9_000));
    assert_eq!(p.state(), TcpState::TimeWait);
    p.recv_nothing(ms(20_000));
    assert_eq!(p.state(), TcpState::Closed);
}

#[test]
fn abort_service_resets_after_the_first_bytes() {
    let mut p = Peer::established(&spec(Service::Abort));
    p.send(p.segment(PSH | ACK, b"x"));
    let (_, seg) = p.recv(ms(1000));
    assert!(seg.flags.rst(), "{:?}", seg.flags);
    assert_eq!(seg.seq, p.rcv_nxt);
    assert_eq!(p.state(), TcpState::Closed);
}

#[test]
fn a_services_writes_abort_and_close_are_told_once_with_time_and_peer() {
    let mut p = Peer::established(&spec(Service::Abort));
    assert_eq!(p.session.service_events(), Vec::new(), "nothing yet");
    p.send(p.segment(PSH | ACK, b"x"));
    let (at, seg) = p.recv(ms(1000));
    assert!(seg.flags.rst());
    let events = p.session.service_events();
    assert_eq!(
        events,
        vec![ServiceEvent {
            at,
            peer: p.from,
            call: ServiceCall::Abort
        }],
        "the abort, at the RST's time"
    );
    assert_eq!(p.session.service_events(), Vec::new(), "taken once");

    // A service that closes (discard, when the peer closes) is told too.
    let mut p = Peer::established(&spec(Service::Discard));
    p.send(p.segment(FIN | ACK, &[]));
    while p.session.recv(ms(2000)).expect("recv").is_some() {}
    let events = p.session.service_events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (events[0].peer, events[0].call),
        (p.from, ServiceCall::Close)
    );

    // Its writes by the octets the stack queued, in order with the close:
    // http answers a request, then closes first.
    let mut p = Peer::established(&spec(Service::Http));
    p.send(p.segment(PSH | ACK, b"GET / HTTP/1.0\r\n\r\n"));
    let (at, seg) = p.recv(ms(1000));
    assert_eq!(seg.payload, HTTP_RESPONSE);
    let calls: Vec<_> = p
        .session
        .service_events()
        .into_iter()
        .map(|e| (e.at, e.peer, e.call))
        .collect();
    assert_eq!(
        calls,
        vec![
            (at, p.from, ServiceCall::Wrote(HTTP_RESPONSE.len())),
            (at, p.from, ServiceCall::Close)
        ]
    );

    // Echo: each write as it is queued, none for text not yet read.
    let mut p = Peer::established(&spec(Service::Echo));
    p.send(p.segment(PSH | ACK, b"hello"));
    let (_, seg) = p.recv(ms(1000));
    assert_eq!(seg.payload, b"hello");
    p.send(p.segment(PSH | ACK, b"abc"));
    while p.session.recv(ms(2000)).expect("recv").is_some() {}
    let calls: Vec<_> = p.session.service_events().iter().map(|e| e.call).collect();
    assert_eq!(calls, vec![ServiceCall::Wrote(5), ServiceCall::Wrote(3)]);
}

#[test]
fn silent_fills_its_window_and_never_closes() {
    let mut p = Peer::established(&spec(Service::Silent));
    let chunk = vec![0xa5; 1000];
    for _ in 0..(RX_BUFFER / 1000) {
        p.send(p.segment(ACK, &chunk));
    }
    let mut last = None;
    while let Some(r) = p.session.recv(ms(1000)).expect("recv") {
        last = Some(parse(&r.bytes).expect("parses"));
    }
    let last = last.expect("an ACK");
    assert_eq!(last.window as usize, RX_BUFFER % 1000);
    p.send(p.segment(FIN | ACK, &[]));
    p.recv(ms(2000));
    assert_eq!(p.state(), TcpState::CloseWait);
    p.recv_nothing(ms(60_000));
    assert_eq!(p.state(), TcpState::CloseWait);
}

// --- Timers on the virtual clock (RFC 6298) ---

#[test]
fn syn_ack_is_retransmitted_at_1s_then_3s_in_no_real_time() {
    let started = Instant::now();
    let mut p = Peer::open(&spec(Service::Echo));
    p.syn();
    let (_, first) = p.recv(ms(0));
    let (at, again) = p.recv(ms(10_000));
    assert_eq!(at, ms(1000));
    assert_eq!(again.flags, SYN | ACK);
    assert_eq!(again.seq, first.seq);
    let (at, third) = p.recv(ms(10_000));
    assert_eq!(at, ms(3000), "the RTO doubles");
    assert_eq!(third.seq, first.seq);
    assert!(
        started.elapsed() < ms(500),
        "took {:?} of real time",
        started.elapsed()
    );
}

// --- Determinism ---

fn transcript(seed: u64) -> Vec<(Duration, Vec<u8>)> {
    let mut p = Peer::open(&SessionSpec {
        seed,
        ..spec(Service::Echo)
    });
    let mut out = Vec::new();
    p.syn();
    let got = p.session.recv(ms(5000)).unwrap().unwrap();
    let syn_ack = parse(&got.bytes).unwrap();
    out.push((got.at, got.bytes));
    p.rcv_nxt = syn_ack.seq.add(1);
    p.send(p.segment(ACK, &[]));
    p.send(p.segment(PSH | ACK, b"abc"));
    p.send(p.segment(FIN | ACK, &[]));
    while let Some(r) = p.session.recv(ms(5000)).unwrap() {
        out.push((r.at, r.bytes));
    }
    out
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_another_isn() {
    let a = transcript(7);
    assert!(a.len() >= 3, "{} packets", a.len());
    assert_eq!(a, transcript(7));
    let isn = |t: &[(Duration, Vec<u8>)]| parse(&t[0].1).unwrap().seq;
    assert_ne!(isn(&a), isn(&transcript(8)));
}

// --- Socket state as `ss` shows it ---

#[test]
fn socket_state_follows_the_passive_close() {
    let mut p = Peer::open(&SessionSpec {
        close_delay: ms(500),
        ..spec(Service::Echo)
    });
    assert_eq!(p.state(), TcpState::Closed);
    p.syn();
    assert_eq!(p.state(), TcpState::SynReceived);
    p.recv(ms(0));
    p.send(p.segment(ACK, &[]));
    assert_eq!(p.state(), TcpState::Established);
    p.send(p.segment(FIN | ACK, &[]));
    assert_eq!(p.state(), TcpState::CloseWait);
    p.recv(ms(100));
    p.recv(ms(1000));
    assert_eq!(p.state(), TcpState::LastAck);
    p.send(p.segment(ACK, &[]));
    assert_eq!(p.state(), TcpState::Closed);
}

// --- Application actions ---

#[test]
fn app_actions_before_a_connection_are_refused() {
    let mut p = Peer::open(&spec(Service::Silent));
    assert_eq!(
        p.session.app(&AppAction::Write(b"x".to_vec())).unwrap(),
        AppOutcome::Refused("not connected".into())
    );
}

#[test]
fn app_reads_writes_and_closes_on_the_connection() {
    let mut p = Peer::established(&spec(Service::Silent));
    p.send(p.segment(PSH | ACK, b"ping"));
    assert_eq!(
        p.session.app(&AppAction::Read(100)).unwrap(),
        AppOutcome::Read(b"ping".to_vec())
    );
    assert_eq!(
        p.session.app(&AppAction::Write(b"pong".to_vec())).unwrap(),
        AppOutcome::Wrote(4)
    );
    let (_, seg) = p.recv(ms(1000));
    assert_eq!(seg.payload, b"pong");
    assert_eq!(seg.ack, p.snd_nxt);
    assert_eq!(p.session.app(&AppAction::Close).unwrap(), AppOutcome::Done);
    let (_, fin) = p.recv(ms(1000));
    assert!(fin.flags.fin());
    assert_eq!(p.state(), TcpState::FinWait1);
    p.send(p.segment(ACK, &[]));
    assert_eq!(p.state(), TcpState::FinWait2);
}

#[test]
fn app_abort_sends_rst() {
    let mut p = Peer::established(&spec(Service::Echo));
    assert_eq!(p.session.app(&AppAction::Abort).unwrap(), AppOutcome::Done);
    let (_, seg) = p.recv(ms(1000));
    assert!(seg.flags.rst());
    assert_eq!(p.state(), TcpState::Closed);
}

#[test]
fn target_trait_opens_an_embedded_session() {
    let target = Embedded::new();
    assert_eq!(target.name(), "embedded");
    assert!(target.capabilities().virtual_time && target.capabilities().ipv6);
    let mut s = target.open(&spec(Service::Echo)).expect("opens");
    assert_eq!(s.now(), Duration::ZERO);
    assert_eq!(s.recv(ms(30)).unwrap(), None);
    assert_eq!(s.now(), ms(30));
}

#[test]
fn zero_window_peer_gets_probes_with_back_off_not_a_stall() {
    let mut p = Peer::open(&spec(Service::Silent));
    p.syn();
    p.recv(ms(0));
    let mut ack = p.segment(ACK, &[]);
    ack.window = 0;
    p.send(ack);
    assert_eq!(
        p.session.app(&AppAction::Write(b"data".to_vec())).unwrap(),
        AppOutcome::Wrote(4)
    );
    let mut times = Vec::new();
    while let Some(r) = p.session.recv(ms(60_000)).expect("no stall") {
        let seg = parse(&r.bytes).expect("parses");
        assert!(seg.payload.len() <= 1, "only probes into a zero window");
        times.push(r.at);
    }
    assert!(times.len() >= 3, "probes at {times:?}");
    let gaps: Vec<_> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.windows(2).all(|g| g[1] >= g[0]), "back-off: {times:?}");
    assert_eq!(p.state(), TcpState::Established);
}

/// A tiny deterministic generator (xorshift) for garbage packets.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn garbage_packets_never_panic_the_stack_and_it_still_answers() {
    let mut p = Peer::established(&spec(Service::Echo));
    let template = p
        .segment(PSH | ACK, b"0123456789")
        .to_bytes(ChecksumPolicy::Compute);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..5000 {
        let mut bytes = template.clone();
        let flips = 1 + xorshift(&mut rng) % 4;
        for _ in 0..flips {
            let i = (xorshift(&mut rng) as usize) % bytes.len();
            bytes[i] ^= xorshift(&mut rng) as u8;
        }
        bytes.truncate((xorshift(&mut rng) as usize) % (bytes.len() + 1) + 1);
        p.session.inject(&bytes).expect("inject");
        while p.session.recv(p.session.now()).expect("recv").is_some() {}
    }
    // A fresh connection still works.
    let other = SocketAddr::new(p.from.ip(), 45000);
    p.send(p.segment_from(other, SYN, SeqNumber(1), SeqNumber(0), &[]));
    let mut syn_ack = None;
    while let Some(r) = p.session.recv(p.session.now()).expect("recv") {
        let seg = parse(&r.bytes).expect("parses");
        if seg.dst_port == 45000 {
            syn_ack = Some(seg);
        }
    }
    assert_eq!(syn_ack.expect("a SYN-ACK").flags, SYN | ACK);
}
