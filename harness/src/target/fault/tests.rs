//! Each fault, injected into the embedded (smoltcp) target, is caught by
//! the oracle with the rule it is meant to break; the same transcripts
//! on the plain embedded target draw no failure under the smoltcp profile.

use super::*;
use crate::oracle::{
    Checksum, Direction, Finding, Observation, Oracle, Profile, RuleId, TargetModel,
};
use crate::target::embedded::Embedded;
use crate::target::Service;
use crate::wire::{IpEnvelope, TcpOption};

const ISN: SeqNumber = SeqNumber(0xffff_fff0);

struct Drive {
    s: Box<dyn Session>,
    oracle: Oracle,
    findings: Vec<Finding>,
    harness: SocketAddr,
    target: SocketAddr,
    snd_nxt: SeqNumber,
    rcv_nxt: SeqNumber,
}

impl Drive {
    fn open(target: &dyn Target) -> Drive {
        Drive::open_with(target, Service::Echo, Profile::smoltcp())
    }

    fn open_with(target: &dyn Target, service: Service, profile: Profile) -> Drive {
        // Each drive its own harness port, so lab sessions never share a tuple.
        static NEXT_PORT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(40000);
        let harness_port = NEXT_PORT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let spec = SessionSpec {
            seed: 7,
            service,
            harness_port,
            ..SessionSpec::default()
        };
        let s = target.open(&spec).expect("session opens");
        let info = s.info().clone();
        let oracle = Oracle::new(
            profile,
            TargetModel {
                addr: info.target.ip(),
                listening: vec![info.target.port()],
            },
        );
        Drive {
            s,
            oracle,
            findings: Vec::new(),
            harness: info.harness,
            target: info.target,
            snd_nxt: ISN,
            rcv_nxt: SeqNumber(0),
        }
    }

    fn seg(&self, flags: TcpFlags, payload: &[u8]) -> Segment {
        let ip = IpEnvelope::between(self.harness.ip(), self.target.ip()).expect("same family");
        Segment {
            seq: self.snd_nxt,
            ack: if flags.ack() {
                self.rcv_nxt
            } else {
                SeqNumber(0)
            },
            window: 65535,
            payload: payload.to_vec(),
            ..Segment::new(ip, self.harness.port(), self.target.port(), flags)
        }
    }

    fn send(&mut self, seg: Segment) {
        let now = self.s.now();
        let what = Observation::Segment {
            dir: Direction::ToTarget,
            segment: &seg,
            checksum: Checksum::Valid,
        };
        self.findings.extend(self.oracle.observe(now, what));
        if !seg.flags.rst() && seg.dst_port == self.target.port() && seg.seq == self.snd_nxt {
            self.snd_nxt = seg.seq.add(seg.seg_len());
        }
        self.s
            .inject(&seg.to_bytes(ChecksumPolicy::Compute))
            .expect("inject");
    }

    /// Receives everything the target sends for `d` of session time.
    fn drain(&mut self, d: Duration) -> Vec<Segment> {
        let deadline = self.s.now() + d;
        let mut got = Vec::new();
        while let Some(p) = self.s.recv(deadline).expect("recv") {
            let seg = parse(&p.bytes).expect("target sends parseable segments");
            let what = Observation::Segment {
                dir: Direction::FromTarget,
                segment: &seg,
                checksum: Checksum::Valid,
            };
            self.findings.extend(self.oracle.observe(p.at, what));
            if seg.src_port == self.target.port() && !seg.flags.rst() {
                let end = seg.seq.add(seg.seg_len());
                if seg.seg_len() > 0 && (self.rcv_nxt == SeqNumber(0) || seq_gt(end, self.rcv_nxt))
                {
                    self.rcv_nxt = end;
                }
            }
            got.push(seg);
        }
        let now = self.s.now();
        self.findings
            .extend(self.oracle.observe(now, Observation::Time));
        got
    }

    fn handshake(&mut self, window: u16) {
        let syn = Segment {
            options: vec![TcpOption::Mss(1460)],
            ..self.seg(TcpFlags::SYN, b"")
        };
        self.send(syn);
        let got = self.drain(Duration::from_millis(100));
        assert!(
            got.iter().any(|s| s.flags.syn() && s.flags.ack()),
            "no SYN-ACK: {got:?}"
        );
        let ack = Segment {
            window,
            ..self.seg(TcpFlags::ACK, b"")
        };
        self.send(ack);
        self.drain(Duration::from_millis(100));
    }

    fn has(&self, rule: RuleId) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }

    fn failures(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.is_failure()).collect()
    }
}

/// The transcript that exposes each fault.
fn exercise(d: &mut Drive, fault: Fault) {
    match fault {
        Fault::FlipAck => d.handshake(65535),
        Fault::DropRst => {
            let stray = Segment {
                dst_port: 81,
                ..d.seg(TcpFlags::ACK, b"")
            };
            d.send(stray);
            d.drain(Duration::from_secs(3));
        }
        Fault::RstForRst => {
            d.handshake(65535);
            let rst = Segment {
                seq: d.snd_nxt.add(1_000_000),
                ..d.seg(TcpFlags::RST, b"")
            };
            d.send(rst);
            d.drain(Duration::from_millis(100));
        }
        Fault::DataPastWindow => {
            d.handshake(100);
            let data = Segment {
                window: 100,
                ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello")
            };
            d.send(data);
            d.drain(Duration::from_millis(200));
        }
        Fault::DataAfterFin => {
            d.handshake(65535);
            let fin = d.seg(TcpFlags::FIN | TcpFlags::ACK, b"");
            d.send(fin);
            d.drain(Duration::from_millis(200));
        }
    }
}

fn caught_by(fault: Fault) -> RuleId {
    match fault {
        Fault::FlipAck => RuleId::SynAckAcksIsn,
        Fault::DropRst => RuleId::RstNotSent,
        Fault::RstForRst => RuleId::RstForRst,
        Fault::DataPastWindow => RuleId::DataBeyondWindow,
        Fault::DataAfterFin => RuleId::DataAfterFin,
    }
}

#[test]
fn every_fault_is_caught_by_its_rule() {
    for fault in Fault::ALL {
        let mut d = Drive::open(&Faulty::new(Embedded::new(), fault));
        exercise(&mut d, fault);
        let rule = caught_by(fault);
        assert!(
            d.has(rule),
            "{fault}: expected {rule}, got {:#?}",
            d.findings
        );
        assert!(
            !d.failures().is_empty(),
            "{fault}: caught only as a warning"
        );
    }
}

#[test]
fn the_same_transcripts_on_plain_smoltcp_draw_no_failure() {
    for fault in Fault::ALL {
        let mut d = Drive::open(&Embedded::new());
        exercise(&mut d, fault);
        assert!(
            d.failures().is_empty(),
            "{fault} transcript: {:#?}",
            d.findings
        );
        assert!(
            !d.has(caught_by(fault)),
            "{fault} transcript: {:#?}",
            d.findings
        );
    }
}

#[test]
fn data_past_a_large_window_is_caught_too() {
    let mut d = Drive::open(&Faulty::new(Embedded::new(), Fault::DataPastWindow));
    d.handshake(65535);
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    d.send(data);
    let got = d.drain(Duration::from_millis(200));
    assert!(got.iter().all(|s| s.payload.len() <= 500), "{got:#?}");
    assert!(d.has(RuleId::DataBeyondWindow), "{:#?}", d.findings);
}

#[test]
fn a_boxed_target_can_be_wrapped() {
    let boxed: Box<dyn Target> = Box::new(Embedded::new());
    let faulty = Faulty::new(boxed, Fault::DropRst);
    assert_eq!(faulty.name(), "embedded");
    let mut d = Drive::open(&faulty);
    exercise(&mut d, Fault::DropRst);
    assert!(d.has(RuleId::RstNotSent), "{:#?}", d.findings);
}

#[test]
fn faults_parse_by_name() {
    for f in Fault::ALL {
        assert_eq!(f.name().parse::<Fault>(), Ok(f));
    }
    assert!("nope".parse::<Fault>().unwrap_err().contains("flip-ack"));
}

// ---- the oracle against plain smoltcp: what it really does ----

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[track_caller]
fn no_failures(d: &Drive) {
    assert!(d.failures().is_empty(), "{:#?}", d.findings);
}

#[test]
fn smoltcp_syn_ack_retransmissions_back_off() {
    let mut d = Drive::open(&Embedded::new());
    let syn = Segment {
        options: vec![TcpOption::Mss(1460)],
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    let got = d.drain(secs(20));
    let synacks = got.iter().filter(|s| s.flags.syn()).count();
    assert!(synacks >= 3, "{got:#?}");
    no_failures(&d);
    assert!(!d.has(RuleId::RtoTooShort), "{:#?}", d.findings);
}

#[test]
fn smoltcp_data_retransmissions_back_off() {
    let mut d = Drive::open(&Embedded::new());
    d.handshake(65535);
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    d.send(data);
    let got = d.drain(secs(20));
    let echoes = got.iter().filter(|s| !s.payload.is_empty()).count();
    assert!(echoes >= 3, "{got:#?}");
    no_failures(&d);
    assert!(!d.has(RuleId::RtoTooShort), "{:#?}", d.findings);
}

#[test]
fn smoltcp_in_window_rst_resets_as_a_labelled_deviation() {
    let mut d = Drive::open(&Embedded::new());
    d.handshake(65535);
    let rst = Segment {
        seq: d.snd_nxt.add(5),
        ..d.seg(TcpFlags::RST, b"")
    };
    d.send(rst);
    d.drain(secs(2));
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    d.send(data);
    d.drain(secs(1));
    let f = d
        .findings
        .iter()
        .find(|f| f.rule == RuleId::RstInWindowResets)
        .unwrap_or_else(|| panic!("{:#?}", d.findings));
    assert!(f.deviation.is_some(), "{f}");
    no_failures(&d);
}

/// smoltcp drops a bare SYN in ESTABLISHED ("expecting an ACK"): no
/// challenge ACK (RFC 5961 §4.2), labelled by the smoltcp profile.
#[test]
fn smoltcp_syn_in_established_is_dropped_without_challenge_ack() {
    let mut d = Drive::open(&Embedded::new());
    d.handshake(65535);
    let syn = Segment {
        seq: d.snd_nxt.add(5),
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    let got = d.drain(secs(2));
    assert!(got.is_empty(), "{got:#?}");
    let f = d
        .findings
        .iter()
        .find(|f| f.rule == RuleId::ChallengeAckNotSent)
        .unwrap_or_else(|| panic!("{:#?}", d.findings));
    assert!(f.deviation.is_some(), "{f}");
    no_failures(&d);
    // The connection lives: data still flows.
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hi");
    d.send(data);
    let got = d.drain(secs(1));
    assert!(got.iter().any(|s| s.payload == b"hi"), "{got:#?}");
    no_failures(&d);
}

#[test]
fn smoltcp_out_of_window_data_draws_an_ack() {
    let mut d = Drive::open(&Embedded::new());
    d.handshake(65535);
    let far = Segment {
        seq: d.snd_nxt.add(100_000),
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"far")
    };
    d.send(far);
    let got = d.drain(secs(1));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(d.findings.is_empty(), "{:#?}", d.findings);
}

#[test]
fn smoltcp_timestamps_and_window_scale_are_judged_clean() {
    let mut d = Drive::open(&Embedded::new());
    let syn = Segment {
        options: vec![
            TcpOption::Mss(1460),
            TcpOption::WindowScale(2),
            TcpOption::Timestamps {
                tsval: 1000,
                tsecr: 0,
            },
        ],
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    let got = d.drain(Duration::from_millis(100));
    let synack = got.iter().find(|s| s.flags.syn()).expect("SYN-ACK");
    let ts = synack.timestamps().map(|(v, _)| v).unwrap_or(0);
    let opts = |val: u32| {
        vec![TcpOption::Timestamps {
            tsval: val,
            tsecr: ts,
        }]
    };
    let ack = Segment {
        window: 100,
        options: opts(1001),
        ..d.seg(TcpFlags::ACK, b"")
    };
    d.send(ack);
    let data = Segment {
        window: 100,
        options: opts(1002),
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello")
    };
    d.send(data);
    d.drain(Duration::from_millis(200));
    let fin = Segment {
        window: 100,
        options: opts(1003),
        ..d.seg(TcpFlags::FIN | TcpFlags::ACK, b"")
    };
    d.send(fin);
    d.drain(Duration::from_millis(200));
    assert!(d.findings.is_empty(), "{:#?}", d.findings);
}

#[test]
fn smoltcp_zero_window_gets_probes_not_data() {
    let mut d = Drive::open(&Embedded::new());
    d.handshake(0);
    let data = Segment {
        window: 0,
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello")
    };
    d.send(data);
    d.drain(secs(10));
    no_failures(&d);
    assert!(!d.has(RuleId::DataBeyondWindow), "{:#?}", d.findings);
    let open = d.seg(TcpFlags::ACK, b"");
    d.send(open);
    let got = d.drain(secs(1));
    assert!(got.iter().any(|s| !s.payload.is_empty()), "{got:#?}");
    no_failures(&d);
}

#[test]
fn smoltcp_time_wait_of_ten_seconds_is_a_labelled_deviation() {
    let mut d = Drive::open_with(&Embedded::new(), Service::Http, Profile::smoltcp());
    d.handshake(65535);
    let get = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"GET / HTTP/1.0\r\n\r\n");
    d.send(get);
    let got = d.drain(Duration::from_millis(300));
    assert!(got.iter().any(|s| s.flags.fin()), "{got:#?}");
    let fin = d.seg(TcpFlags::FIN | TcpFlags::ACK, b"");
    d.send(fin);
    d.drain(Duration::from_millis(300));
    d.drain(secs(11));
    let probe = d.seg(TcpFlags::ACK, b"");
    d.send(probe);
    d.drain(secs(1));
    let f = d
        .findings
        .iter()
        .find(|f| f.rule == RuleId::TimeWaitTooShort)
        .unwrap_or_else(|| panic!("{:#?}", d.findings));
    assert!(f.deviation.is_some(), "{f}");
    no_failures(&d);
}

#[test]
fn smoltcp_time_wait_fails_the_strict_profile() {
    let mut d = Drive::open_with(&Embedded::new(), Service::Http, Profile::rfc9293());
    d.handshake(65535);
    let get = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"GET / HTTP/1.0\r\n\r\n");
    d.send(get);
    d.drain(Duration::from_millis(300));
    let fin = d.seg(TcpFlags::FIN | TcpFlags::ACK, b"");
    d.send(fin);
    d.drain(secs(12));
    let probe = d.seg(TcpFlags::ACK, b"");
    d.send(probe);
    d.drain(secs(1));
    assert!(
        d.failures()
            .iter()
            .any(|f| f.rule == RuleId::TimeWaitTooShort),
        "{:#?}",
        d.findings
    );
}

// ---- the oracle against the local Linux kernel (lab target, needs root) ----

/// Runs the scenarios above against `target` judged by `profile`; returns
/// every finding per scenario.
fn survey(target: &dyn Target, profile: &Profile) -> Vec<(&'static str, Vec<Finding>)> {
    let mut out = Vec::new();
    let open = |service| Drive::open_with(target, service, profile.clone());

    let mut d = open(Service::Echo);
    let syn = Segment {
        options: vec![TcpOption::Mss(1460)],
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    d.drain(secs(8));
    out.push(("syn-ack retransmissions", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(65535);
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    d.send(data);
    d.drain(secs(8));
    out.push(("data retransmissions", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(65535);
    let rst = Segment {
        seq: d.snd_nxt.add(5),
        ..d.seg(TcpFlags::RST, b"")
    };
    d.send(rst);
    d.drain(secs(2));
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    d.send(data);
    d.drain(secs(1));
    out.push(("in-window rst", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(65535);
    let syn = Segment {
        seq: d.snd_nxt.add(5),
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    d.drain(secs(2));
    out.push(("syn in established", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(65535);
    let far = Segment {
        seq: d.snd_nxt.add(100_000),
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"far")
    };
    d.send(far);
    d.drain(secs(2));
    out.push(("out-of-window data", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(0);
    let data = Segment {
        window: 0,
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello")
    };
    d.send(data);
    d.drain(secs(6));
    let open_wnd = d.seg(TcpFlags::ACK, b"");
    d.send(open_wnd);
    d.drain(secs(1));
    out.push(("zero window", d.findings));

    let mut d = open(Service::Echo);
    let syn = Segment {
        options: vec![
            TcpOption::Mss(1460),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                tsval: 1000,
                tsecr: 0,
            },
            TcpOption::Nop,
            TcpOption::WindowScale(2),
        ],
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    let got = d.drain(Duration::from_millis(200));
    let ts = got
        .iter()
        .find_map(|s| s.timestamps())
        .map(|(v, _)| v)
        .unwrap_or(0);
    let opts = |val: u32| {
        vec![TcpOption::Timestamps {
            tsval: val,
            tsecr: ts,
        }]
    };
    for (i, (flags, payload)) in [
        (TcpFlags::ACK, &b""[..]),
        (TcpFlags::PSH | TcpFlags::ACK, &b"hello"[..]),
        (TcpFlags::FIN | TcpFlags::ACK, &b""[..]),
    ]
    .into_iter()
    .enumerate()
    {
        let seg = Segment {
            window: 100,
            options: opts(1001 + i as u32),
            ..d.seg(flags, payload)
        };
        d.send(seg);
        d.drain(Duration::from_millis(300));
    }
    let last = Segment {
        options: opts(1010),
        ..d.seg(TcpFlags::ACK, b"")
    };
    d.send(last);
    d.drain(Duration::from_millis(300));
    out.push(("timestamps and window scale", d.findings));

    let mut d = open(Service::Echo);
    let syn = Segment {
        options: vec![TcpOption::Mss(1460), TcpOption::SackPermitted],
        ..d.seg(TcpFlags::SYN, b"")
    };
    d.send(syn);
    d.drain(Duration::from_millis(100));
    let ack = d.seg(TcpFlags::ACK, b"");
    d.send(ack);
    let ahead = Segment {
        seq: d.snd_nxt.add(10),
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"0123456789")
    };
    d.send(ahead);
    d.drain(Duration::from_millis(300));
    let fill = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"abcdefghij");
    d.send(fill);
    d.drain(Duration::from_millis(300));
    out.push(("out-of-order data and SACK", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(65535);
    let fin = d.seg(TcpFlags::FIN | TcpFlags::ACK, b"");
    d.send(fin);
    d.drain(Duration::from_millis(300));
    let last = d.seg(TcpFlags::ACK, b"");
    d.send(last);
    d.drain(Duration::from_millis(300));
    let dead = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"dead?");
    d.send(dead);
    d.drain(Duration::from_millis(300));
    out.push(("passive close and dead probe", d.findings));

    let mut d = open(Service::Echo);
    d.handshake(65535);
    let rst = d.seg(TcpFlags::RST, b"");
    d.send(rst);
    d.drain(Duration::from_millis(300));
    let dead = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"dead?");
    d.send(dead);
    d.drain(Duration::from_millis(300));
    out.push(("rst at rcv.nxt", d.findings));

    let mut d = open(Service::Echo);
    // The session's own tuple only: the lab demultiplexes by 4-tuple.
    for (port, flags) in [
        (d.target.port(), TcpFlags::ACK),
        (d.target.port(), TcpFlags::RST | TcpFlags::ACK),
        (d.target.port(), TcpFlags::ACK | TcpFlags::FIN),
    ] {
        let stray = Segment {
            dst_port: port,
            ack: SeqNumber(12345),
            ..d.seg(flags, b"")
        };
        d.send(stray);
        d.drain(Duration::from_millis(1500));
    }
    out.push(("stray segments", d.findings));
    out
}

#[test]
#[ignore = "needs root (CAP_NET_ADMIN): runs against the local Linux kernel"]
fn linux_kernel_draws_no_failure_under_the_linux_profile() {
    let lab = crate::target::lab::Lab::start(Default::default()).expect("lab starts");
    let report = survey(&lab, &Profile::linux());
    for (name, findings) in &report {
        for f in findings {
            eprintln!("{name}: {f}");
        }
    }
    let failures: Vec<_> = report
        .iter()
        .flat_map(|(n, fs)| fs.iter().filter(|f| f.is_failure()).map(move |f| (n, f)))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn smoltcp_survey_draws_no_failure_under_the_smoltcp_profile() {
    let report = survey(&Embedded::new(), &Profile::smoltcp());
    let failures: Vec<_> = report
        .iter()
        .flat_map(|(n, fs)| fs.iter().filter(|f| f.is_failure()).map(move |f| (n, f)))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn smoltcp_drops_data_with_an_old_ack_as_a_labelled_deviation() {
    let mut d = Drive::open(&Embedded::new());
    d.handshake(65535);
    let data = d.seg(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    d.send(data);
    d.drain(Duration::from_millis(100)); // the echo
    let ack = d.seg(TcpFlags::ACK, b"");
    d.send(ack);
    let old = Segment {
        ack: d.rcv_nxt.sub(5),
        ..d.seg(TcpFlags::PSH | TcpFlags::ACK, b"world")
    };
    d.send(old);
    d.drain(secs(2));
    let f = d
        .findings
        .iter()
        .find(|f| f.rule == RuleId::OldAckDataDropped)
        .unwrap_or_else(|| panic!("{:#?}", d.findings));
    assert!(f.deviation.is_some(), "{f}");
    no_failures(&d);
}
