//! Example case reports built from real packets (`wire` segments emitted
//! with computed checksums), for the reporters' tests and for the tests of
//! their consumers (tshark, a JUnit reader, Chromium). Not a mock: every
//! packet is a real, parseable IP packet, as a runner would record it.

use super::finding::MessageNumber;
use crate::oracle::Space;
use crate::run::{CaseReport, Dir, Entry, EntryKind, Mismatch, Outcome, Violation};
use crate::wire::{ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption, TcpState};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// The target's ISN in the examples: close to the 2^32 wrap on purpose.
pub const TARGET_ISN: u32 = 0xffff_fff0;
/// The harness's ISN in the examples.
pub const HARNESS_ISN: u32 = 1_000;

/// Builds a transcript packet by packet, keeping both sides' ISNs so the
/// script-space line is derived from the segment itself.
pub struct CaseBuilder {
    /// The report as built so far.
    pub case: CaseReport,
    harness: (IpAddr, u16),
    target: (IpAddr, u16),
}

impl CaseBuilder {
    /// An empty passing case on the given addresses (family from `harness`).
    pub fn new(id: &str, harness: (IpAddr, u16), target: (IpAddr, u16)) -> CaseBuilder {
        CaseBuilder {
            case: CaseReport {
                id: id.into(),
                path: format!("cases/{id}.pkt").into(),
                title: Some(format!("example {id}").into()),
                rfc: vec!["9293 3.5".to_string()].into(),
                covers: vec!["MUST-1".to_string()].into(),
                tags: vec!["example".to_string()].into(),
                service: "echo".into(),
                target: "embedded".into(),
                profile: "rfc9293".into(),
                seed: 7,
                outcome: Outcome::Pass,
                reason: None,
                mismatches: Vec::new(),
                violations: Vec::new(),
                waiver: None,
                transcript: Vec::new(),
                target_addr: sock(target),
                harness_addr: sock(harness),
                virtual_time: true,
                session_time: Duration::ZERO,
                wall_time: Duration::from_micros(1234),
                resolution: Duration::from_millis(1),
                script_times: Default::default(),
            },
            harness,
            target,
        }
    }

    /// Adds a packet: `seq` and `ack` are script-space (relative to the
    /// sender's and receiver's ISN); `policy` decides the checksum.
    #[allow(clippy::too_many_arguments)]
    pub fn packet(
        &mut self,
        at_ms: u64,
        dir: Dir,
        flags: TcpFlags,
        seq: u32,
        ack: u32,
        options: Vec<TcpOption>,
        payload: &[u8],
        policy: ChecksumPolicy,
    ) -> &mut CaseBuilder {
        let (src, dst, seq_base, ack_base) = match dir {
            Dir::In => (self.harness, self.target, HARNESS_ISN, TARGET_ISN),
            Dir::Out => (self.target, self.harness, TARGET_ISN, HARNESS_ISN),
        };
        let ip = IpEnvelope::between(src.0, dst.0).unwrap_or_else(|| {
            IpEnvelope::v4(Ipv4Addr::new(198, 51, 100, 1), Ipv4Addr::new(192, 0, 2, 1))
        });
        let mut seg = Segment::new(ip, src.1, dst.1, flags);
        seg.seq = SeqNumber(seq_base).add(seq);
        seg.ack = if flags.ack() {
            SeqNumber(ack_base).add(ack)
        } else {
            SeqNumber(0)
        };
        seg.window = 65535;
        seg.options = options;
        seg.payload = payload.to_vec();
        let bytes = seg.to_bytes(policy);
        let (parsed, checksum_ok) = match crate::wire::parse_with_checksum(&bytes) {
            Ok((seg, valid)) => (Some(seg), valid),
            Err(_) => (None, false),
        };
        let script = script_line(&seg, seq, ack);
        let at = Duration::from_millis(at_ms);
        self.case.session_time = at;
        self.case.transcript.push(Entry {
            at,
            line: Some(self.case.transcript.len() as u32 + 5),
            what: EntryKind::Packet {
                dir,
                bytes,
                segment: parsed,
                script: script.into(),
                checksum_ok,
            },
        });
        self
    }

    /// Adds a transcript entry at `at_ms` milliseconds.
    pub fn entry(&mut self, at_ms: u64, what: EntryKind) -> &mut CaseBuilder {
        self.case.transcript.push(Entry {
            at: Duration::from_millis(at_ms),
            line: None,
            what,
        });
        self
    }

    /// The report built.
    pub fn build(&self) -> CaseReport {
        self.case.clone()
    }
}

fn sock((ip, port): (IpAddr, u16)) -> crate::run::event::Endpoint {
    std::net::SocketAddr::new(ip, port).into()
}

/// A case line for a segment, as packetdrill writes it.
fn script_line(seg: &Segment, seq: u32, ack: u32) -> String {
    let len = seg.payload.len() as u32;
    let mut s = format!("{} {}:{}({})", seg.flags, seq, seq.wrapping_add(len), len);
    if seg.flags.ack() {
        s.push_str(&format!(" ack {ack}"));
    }
    s.push_str(&format!(" win {}", seg.window));
    if !seg.options.is_empty() {
        let opts: Vec<String> = seg.options.iter().map(|o| o.to_string()).collect();
        s.push_str(&format!(" <{}>", opts.join(",")));
    }
    s
}

/// The harness's address and port in IPv4 fixtures (198.51.100.1:40000).
pub fn harness_v4() -> (IpAddr, u16) {
    (IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)), 40000)
}
/// The target's address and port in IPv4 fixtures (192.0.2.1:8080).
pub fn target_v4() -> (IpAddr, u16) {
    (IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 8080)
}
/// The harness's address and port in IPv6 fixtures.
pub fn harness_v6() -> (IpAddr, u16) {
    (
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 1)),
        40001,
    )
}
/// The target's address and port in IPv6 fixtures.
pub fn target_v6() -> (IpAddr, u16) {
    (
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1)),
        8080,
    )
}

const S: TcpFlags = TcpFlags::SYN;
const A: TcpFlags = TcpFlags::ACK;
const P: TcpFlags = TcpFlags::PSH;
const F: TcpFlags = TcpFlags::FIN;
const R: TcpFlags = TcpFlags::RST;
const OK: ChecksumPolicy = ChecksumPolicy::Compute;

/// A passing echo exchange: handshake, 5 bytes echoed, the peer's FIN
/// answered with FIN, all on virtual time.
pub fn echo_pass() -> CaseReport {
    let mut b = CaseBuilder::new("core/b01-echo", harness_v4(), target_v4());
    b.case.title = Some("echo: handshake, one write echoed, orderly close".into());
    b.packet(0, Dir::In, S, 0, 0, vec![TcpOption::Mss(1460)], b"", OK)
        .packet(
            0,
            Dir::Out,
            S | A,
            0,
            1,
            vec![TcpOption::Mss(1460)],
            b"",
            OK,
        )
        .packet(1, Dir::In, A, 1, 1, vec![], b"", OK)
        .entry(
            1,
            EntryKind::State {
                state: TcpState::Established,
                expected: Some(vec![TcpState::Established]),
            },
        )
        .packet(2, Dir::In, P | A, 1, 1, vec![], b"hello", OK)
        .packet(2, Dir::Out, A, 1, 6, vec![], b"", OK)
        .packet(3, Dir::Out, P | A, 1, 6, vec![], b"hello", OK)
        .packet(4, Dir::In, F | A, 6, 6, vec![], b"", OK)
        .packet(4, Dir::Out, F | A, 6, 7, vec![], b"", OK)
        .packet(1004, Dir::In, A, 7, 7, vec![], b"", OK);
    b.build()
}

/// A failing case: the target answers a SYN to a closed port with the
/// wrong acknowledgment number; one mismatch, one MUST violation.
pub fn closed_port_fail() -> CaseReport {
    let mut b = CaseBuilder::new("core/b02-closed-rst", harness_v4(), target_v4());
    b.case.title = Some("SYN to a closed port is answered by RST|ACK".into());
    b.case.rfc = vec!["9293 3.10.7.1".to_string()].into();
    b.case.covers = vec!["MUST-2".to_string(), "RST-CLOSED".to_string()].into();
    b.case.service = "closed".into();
    b.packet(0, Dir::In, S, 0, 0, vec![TcpOption::Mss(1460)], b"", OK)
        .packet(0, Dir::Out, R | A, 0, 2, vec![], b"", OK);
    let mut c = b.build();
    c.outcome = Outcome::Fail;
    c.reason = Some("tcp.ack: expected 1, got 2".into());
    c.mismatches.push(Mismatch {
        line: Some(6),
        source: Some("+0 > R. 0:0(0) ack 1 win 0".into()),
        message: "tcp.ack: expected 1, got 2".into(),
        expected: Some("R. 0:0(0) ack 1 win 0".into()),
        actual: Some("R. 0:0(0) ack 2 win 65535".into()),
        entry: Some(1),
    });
    c.violations.push(Violation {
        rule: "rst-closed-ack".into(),
        level: "MUST".into(),
        section: "RFC 9293 §3.10.7.1".into(),
        requirement: "MUST-2".into(),
        // As the oracle writes it: absolute numbers, each typed as the
        // peer's (the harness's ISN is 1000), shown relative by readers.
        message: "RST to a SYN must acknowledge SEG.SEQ+SEG.LEN = 1001, sent ack 1002".into(),
        numbers: [(48, 1001), (63, 1002)]
            .map(|(start, absolute)| MessageNumber {
                start,
                end: start + 4,
                space: Space::Peer,
                absolute,
                relative: absolute - HARNESS_ISN,
            })
            .to_vec(),
        deviation: None,
        entry: Some(1),
    });
    c
}

/// IPv6, with a corrupt checksum injected on purpose and a profile
/// deviation.
pub fn v6_deviation() -> CaseReport {
    let mut b = CaseBuilder::new("timers/t03-v6-time-wait", harness_v6(), target_v6());
    b.case.title = Some("IPv6 handshake; a corrupt segment is ignored".into());
    b.case.profile = "smoltcp".into();
    b.packet(
        0,
        Dir::In,
        S,
        0,
        0,
        vec![
            TcpOption::Mss(1440),
            TcpOption::Nop,
            TcpOption::WindowScale(7),
        ],
        b"",
        OK,
    )
    .packet(
        0,
        Dir::Out,
        S | A,
        0,
        1,
        vec![TcpOption::Mss(1440)],
        b"",
        OK,
    )
    .packet(100, Dir::In, A, 1, 1, vec![], b"", OK)
    .packet(
        200,
        Dir::In,
        P | A,
        1,
        1,
        vec![],
        b"bad",
        ChecksumPolicy::Corrupt,
    )
    .entry(
        200,
        EntryKind::Note("corrupt checksum: the target must drop it".into()),
    )
    .entry(
        300,
        EntryKind::App {
            action: "close".into(),
            result: "done".into(),
        },
    )
    .packet(300, Dir::Out, F | A, 1, 1, vec![], b"", OK);
    let mut c = b.build();
    c.outcome = Outcome::Deviation;
    c.reason = Some("TIME-WAIT of 10 s (smoltcp profile)".into());
    c.violations.push(Violation {
        rule: "time-wait-2msl".into(),
        level: "SHOULD".into(),
        section: "RFC 9293 §3.10.7.4".into(),
        requirement: "MUST-13".into(),
        message: "TIME-WAIT lasted 10.000 s, 2*MSL is 240 s".into(),
        numbers: Vec::new(),
        deviation: Some("smoltcp keeps TIME-WAIT for 10 s".into()),
        entry: Some(6),
    });
    c
}

/// An unsupported case with text that needs escaping everywhere.
pub fn nasty_unsupported() -> CaseReport {
    let mut b = CaseBuilder::new("odd/x<&>\"'", harness_v4(), target_v4());
    b.case.title = Some("<script>alert('x')</script> & \"quotes\" ]]> \u{1} é".into());
    b.case.outcome = Outcome::Unsupported;
    b.case.reason = Some("needs setsockopt(SO_LINGER) <&> ]]>".into());
    b.entry(
        0,
        EntryKind::Note("note with <b>markup</b> & \u{7} control".into()),
    );
    b.build()
}

/// A waived failure.
pub fn waived() -> CaseReport {
    let mut c = closed_port_fail();
    c.id = "core/b09-waived".into();
    c.path = "cases/core/b09-waived.pkt".into();
    c.outcome = Outcome::Waived;
    c.waiver = Some("smoltcp acks SYN+1 twice; upstream issue 123".into());
    c
}

/// All the examples.
pub fn all() -> Vec<CaseReport> {
    vec![
        echo_pass(),
        closed_port_fail(),
        v6_deviation(),
        nasty_unsupported(),
        waived(),
    ]
}
