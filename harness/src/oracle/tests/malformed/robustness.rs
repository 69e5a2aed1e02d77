//! The oracle never panics, whatever it is fed: random segments in both
//! directions (any flags, numbers, options, times), as a fuzzer would.

use crate::oracle::tests::lines::{rfc, ESTABLISHED, LISTEN, SYN_RECEIVED};
use crate::oracle::tests::*;
use crate::wire::IpEnvelope;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_segment(rng: &mut Rng, from_target: bool) -> Segment {
    let ports = [LISTEN_PORT, CLOSED_PORT];
    let hports = [HARNESS_PORT, HARNESS_PORT + 1];
    let (tp, hp) = (ports[rng.below(2) as usize], hports[rng.below(2) as usize]);
    let near = |rng: &mut Rng, base: SeqNumber| base.add(rng.below(64) as u32).sub(32);
    let seq_base = if from_target { LOCAL_SEQ } else { REMOTE_SEQ };
    let ack_base = if from_target { REMOTE_SEQ } else { LOCAL_SEQ };
    let mut options = Vec::new();
    for _ in 0..rng.below(3) {
        options.push(match rng.below(7) {
            0 => TcpOption::Mss(rng.below(2000) as u16),
            1 => TcpOption::WindowScale(rng.below(20) as u8),
            2 => TcpOption::SackPermitted,
            3 => TcpOption::Timestamps {
                tsval: rng.below(8) as u32,
                tsecr: rng.below(8) as u32,
            },
            4 => TcpOption::Sack(vec![(rng.next() as u32, rng.next() as u32)]),
            5 => TcpOption::Nop,
            _ => TcpOption::Malformed(vec![9, 0]),
        });
    }
    let ip = if from_target {
        IpEnvelope::v4(TARGET, HARNESS)
    } else {
        IpEnvelope::v4(HARNESS, TARGET)
    };
    let (src, dst) = if from_target { (tp, hp) } else { (hp, tp) };
    Segment {
        seq: if rng.below(8) == 0 {
            SeqNumber(rng.next() as u32)
        } else {
            near(rng, seq_base)
        },
        ack: if rng.below(8) == 0 {
            SeqNumber(rng.next() as u32)
        } else {
            near(rng, ack_base)
        },
        window: [0, 1, 100, 65535][rng.below(4) as usize],
        options,
        payload: vec![0; [0, 0, 1, 10, 600][rng.below(5) as usize]],
        ..Segment::new(
            ip,
            src,
            dst,
            TcpFlags::from_bits_truncate(rng.next() as u16 & 0x0e3f),
        )
    }
}

/// RFC 9293 §3.1.
#[test]
fn random_segments_in_both_directions_never_panic() {
    for profile in Profile::all() {
        let mut rng = Rng(0x5eed_0000_0000_0001);
        let mut t = listen_with(profile);
        let mut findings = 0usize;
        for _ in 0..20_000 {
            t.now += Duration::from_millis(rng.below(3000));
            let from_target = rng.below(2) == 0;
            let seg = random_segment(&mut rng, from_target);
            let dir = if from_target {
                Direction::FromTarget
            } else {
                Direction::ToTarget
            };
            findings += t.oracle.on_segment(t.now, dir, &seg).len();
            if rng.below(50) == 0 {
                findings += t.oracle.on_time(t.now).len();
                let _ = t.oracle.states();
            }
            if rng.below(200) == 0 {
                t.oracle.on_corrupt_to_target(t.now, &seg);
            }
        }
        // Random traffic from the target breaks rules, and the oracle says so.
        assert!(findings > 0);
    }
}

// ---- segments with several of SYN, FIN, RST: processed per RFC 9293, or dropped ----

/// A SYN+FIN to LISTEN (a fuzzer's favourite).
fn syn_fin(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        flags: SYN | FIN,
        ..send_tmpl()
    }
}

fn syn_ack_for(irs: SeqNumber, iss: SeqNumber) -> Segment {
    Segment {
        seq: iss,
        ack: irs.add(1),
        flags: SYN | ACK,
        options: vec![TcpOption::Mss(1460)],
        ..recv_tmpl()
    }
}

/// RFC 9293 §3.1.
#[test]
fn listen_syn_fin_may_be_processed_as_a_syn() {
    let mut t = listen();
    send!(t, syn_fin(REMOTE_SEQ));
    recv!(t, syn_ack_for(REMOTE_SEQ, LOCAL_SEQ));
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

/// RFC 9293 §3.1.
#[test]
fn listen_syn_fin_may_be_dropped_then_a_new_syn_opens_the_connection() {
    // smoltcp's parser rejects SYN+FIN: it stays in LISTEN.
    let mut t = listen();
    send!(t, syn_fin(REMOTE_SEQ));
    expect_none(t.wait(ms(3000)));
    send!(
        t,
        Segment {
            seq: SeqNumber(1_000_000_000),
            flags: SYN,
            ..send_tmpl()
        }
    );
    recv!(t, syn_ack_for(SeqNumber(1_000_000_000), LOCAL_SEQ));
    send!(
        t,
        Segment {
            seq: SeqNumber(1_000_000_001),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: SeqNumber(1_000_000_001),
            payload: b"ok".to_vec(),
            ..recv_tmpl()
        }
    );
}

/// RFC 9293 §3.1.
#[test]
fn listen_syn_fin_dropped_then_ack_draws_rst_from_listen() {
    rfc(
        LISTEN,
        "< SF 0:0(0) win 65535
         < . 1:1(0) ack 1 win 65535
         > R 1:1(0) win 0",
        &[],
    );
}

/// RFC 9293 §3.1; challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn established_syn_fin_may_be_dropped_without_a_challenge_ack() {
    rfc(
        ESTABLISHED,
        "< SF 1:1(0) win 65535
         // An ordinary SYN is still owed a challenge ACK (the rule still fires).
         +3.001 < S 1:1(0) win 65535",
        &["end challenge-ack-not-sent"],
    );
}

/// RFC 9293 §3.1.
#[test]
fn syn_received_rst_syn_at_rcv_nxt_may_be_dropped() {
    rfc(
        SYN_RECEIVED,
        "// The campaign's `data-before-established`: smoltcp drops RST+SYN+FIN,
         // and the handshake then completes.
         < SFR. 1:1(0) ack 1 win 65535
         < . 1:1(0) ack 1 win 65535
         > . 1:3(2) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.1.
#[test]
fn established_rst_fin_at_rcv_nxt_may_reset_or_be_dropped() {
    let seg = Segment {
        seq: r(1),
        ack: l(1),
        flags: RST | FIN | ACK,
        ..send_tmpl()
    };
    // Dropped: the connection lives.
    let mut t = established();
    send!(t, seg.clone());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: b"ok".to_vec(),
            ..recv_tmpl()
        }
    );
    // Reset: a later segment draws a RST.
    let mut t = established();
    send!(t, seg);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: b"x".to_vec(),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
}
