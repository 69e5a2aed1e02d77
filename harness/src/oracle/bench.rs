//! A throughput benchmark: a realistic transcript judged by fresh oracles.

use super::{Direction, Oracle, Profile, TargetModel};
use crate::wire::{IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

/// The benchmark transcript: handshake, a request and its echo, the
/// harness's FIN, the target's FIN, the last ACK (10 segments), with the
/// session time of each. Sequence numbers straddle 2^32.
pub fn bench_transcript() -> (TargetModel, Vec<(Duration, Direction, Segment)>) {
    let target = Ipv4Addr::new(192, 0, 2, 1);
    let harness = Ipv4Addr::new(198, 51, 100, 1);
    let to = Segment {
        window: 65535,
        ..Segment::new(IpEnvelope::v4(harness, target), 40000, 8080, TcpFlags::ACK)
    };
    let from = Segment {
        window: 64240,
        ..Segment::new(IpEnvelope::v4(target, harness), 8080, 40000, TcpFlags::ACK)
    };
    let h = SeqNumber(u32::MAX - 20); // harness ISN
    let t = SeqNumber(u32::MAX - 3); // target ISS
    let ms = Duration::from_millis;
    let data = b"GET / HTTP/1.0\r\n\r\n".to_vec();
    let n = data.len() as u32;
    let syn = TcpFlags::SYN;
    let ack = TcpFlags::ACK;
    let psh = TcpFlags::PSH | TcpFlags::ACK;
    let fin = TcpFlags::FIN | TcpFlags::ACK;
    let segs = vec![
        (
            ms(0),
            Direction::ToTarget,
            Segment {
                seq: h,
                flags: syn,
                options: vec![TcpOption::Mss(1460)],
                ..to.clone()
            },
        ),
        (
            ms(1),
            Direction::FromTarget,
            Segment {
                seq: t,
                ack: h.add(1),
                flags: syn | ack,
                options: vec![TcpOption::Mss(1460)],
                ..from.clone()
            },
        ),
        (
            ms(2),
            Direction::ToTarget,
            Segment {
                seq: h.add(1),
                ack: t.add(1),
                ..to.clone()
            },
        ),
        (
            ms(3),
            Direction::ToTarget,
            Segment {
                seq: h.add(1),
                ack: t.add(1),
                flags: psh,
                payload: data.clone(),
                ..to.clone()
            },
        ),
        (
            ms(4),
            Direction::FromTarget,
            Segment {
                seq: t.add(1),
                ack: h.add(1 + n),
                flags: psh,
                payload: data,
                ..from.clone()
            },
        ),
        (
            ms(5),
            Direction::ToTarget,
            Segment {
                seq: h.add(1 + n),
                ack: t.add(1 + n),
                ..to.clone()
            },
        ),
        (
            ms(6),
            Direction::ToTarget,
            Segment {
                seq: h.add(1 + n),
                ack: t.add(1 + n),
                flags: fin,
                ..to.clone()
            },
        ),
        (
            ms(7),
            Direction::FromTarget,
            Segment {
                seq: t.add(1 + n),
                ack: h.add(2 + n),
                ..from.clone()
            },
        ),
        (
            ms(8),
            Direction::FromTarget,
            Segment {
                seq: t.add(1 + n),
                ack: h.add(2 + n),
                flags: fin,
                ..from.clone()
            },
        ),
        (
            ms(9),
            Direction::ToTarget,
            Segment {
                seq: h.add(2 + n),
                ack: t.add(2 + n),
                ..to
            },
        ),
    ];
    let model = TargetModel {
        addr: target.into(),
        listening: vec![8080],
    };
    (model, segs)
}

/// Judges the benchmark transcript `iterations` times, each with a fresh
/// strict oracle; returns the number of segments judged and the time taken.
/// Panics if the transcript draws a finding (it is conformant by construction).
pub fn bench_judge(iterations: usize) -> (u64, Duration) {
    let (model, segs) = bench_transcript();
    let profile = Profile::rfc9293();
    let start = Instant::now();
    let mut judged = 0u64;
    for _ in 0..iterations {
        let mut oracle = Oracle::new(profile.clone(), model.clone());
        for (at, dir, seg) in &segs {
            let findings = oracle.on_segment(*at, *dir, seg);
            assert!(
                findings.is_empty(),
                "benchmark transcript drew {findings:?}"
            );
            judged += 1;
        }
    }
    (judged, start.elapsed())
}

/// `n` segments on fresh tuples, 1 ms apart, for one oracle: in turn a SYN
/// to a closed port and the target's RST, a RST to a closed port, an ACK to
/// a closed port and the target's RST, and a handshake on the listening
/// port that the harness resets (SYN, SYN-ACK, RST). Every tuple is new
/// (harness port and address change), so a store of closed tuples that
/// forgets nothing grows with `n`. Conformant by construction.
pub fn fresh_tuples(n: usize) -> (TargetModel, Vec<(Duration, Direction, Segment)>) {
    let target = Ipv4Addr::new(192, 0, 2, 1);
    let mut segs = Vec::with_capacity(n + 3);
    let mut k = 0u32;
    while segs.len() < n {
        let harness = Ipv4Addr::new(198, 51, 100, 1 + (k / 60_000) as u8);
        let port = 1024 + (k % 60_000) as u16;
        k += 1;
        let at = |segs: &Vec<_>| Duration::from_millis(segs.len() as u64);
        let to = |dport: u16, flags: TcpFlags, seq: u32, ack: u32| Segment {
            seq: SeqNumber(seq),
            ack: SeqNumber(ack),
            window: 65535,
            ..Segment::new(IpEnvelope::v4(harness, target), port, dport, flags)
        };
        let from = |sport: u16, flags: TcpFlags, seq: u32, ack: u32| Segment {
            seq: SeqNumber(seq),
            ack: SeqNumber(ack),
            window: if flags.rst() { 0 } else { 64240 },
            ..Segment::new(IpEnvelope::v4(target, harness), sport, port, flags)
        };
        let rst_ack = TcpFlags::RST | TcpFlags::ACK;
        match k % 4 {
            0 => {
                segs.push((
                    at(&segs),
                    Direction::ToTarget,
                    to(81, TcpFlags::SYN, 1000, 0),
                ));
                segs.push((at(&segs), Direction::FromTarget, from(81, rst_ack, 0, 1001)));
            }
            1 => segs.push((
                at(&segs),
                Direction::ToTarget,
                to(81, TcpFlags::RST, 1000, 0),
            )),
            2 => {
                segs.push((
                    at(&segs),
                    Direction::ToTarget,
                    to(81, TcpFlags::ACK, 1000, 5000),
                ));
                segs.push((
                    at(&segs),
                    Direction::FromTarget,
                    from(81, TcpFlags::RST, 5000, 0),
                ));
            }
            _ => {
                let mut syn = to(8080, TcpFlags::SYN, 1000, 0);
                syn.options = vec![TcpOption::Mss(1460)];
                let mut syn_ack = from(8080, TcpFlags::SYN | TcpFlags::ACK, 7000, 1001);
                syn_ack.options = vec![TcpOption::Mss(1460)];
                segs.push((at(&segs), Direction::ToTarget, syn));
                segs.push((at(&segs), Direction::FromTarget, syn_ack));
                segs.push((
                    at(&segs),
                    Direction::ToTarget,
                    to(8080, TcpFlags::RST, 1001, 0),
                ));
            }
        }
    }
    let model = TargetModel {
        addr: target.into(),
        listening: vec![8080],
    };
    (model, segs)
}

/// Feeds [`fresh_tuples`]`(n)` to ONE oracle of `profile`; returns the
/// segments judged and the time taken: this thread's time on a CPU where
/// Linux says (`/proc/thread-self/schedstat`), so that other processes'
/// turns on a shared core do not count; wall time elsewhere. Panics on a
/// finding.
pub fn bench_fresh_tuples(n: usize, profile: &str) -> (u64, Duration) {
    let (model, segs) = fresh_tuples(n);
    let profile = Profile::by_name(profile).expect("a known profile");
    let mut oracle = Oracle::new(profile, model);
    let start = Instant::now();
    let cpu = thread_cpu();
    for (at, dir, seg) in &segs {
        let findings = oracle.on_segment(*at, *dir, seg);
        assert!(findings.is_empty(), "fresh-tuple stream drew {findings:?}");
    }
    let took = match (cpu, thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => start.elapsed(),
    };
    (segs.len() as u64, took)
}

/// Time this thread has run on a CPU (the first field of
/// `/proc/thread-self/schedstat`, in ns); `None` where there is none.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}
