//! T14, ISN predictability (RFC 9293 §3.4.1, MUST-8, SHLD-1; RFC 6528): a
//! statistical check over the initial sequence numbers of many SYN-ACKs.
//!
//! [`sample`] sends `n` SYNs to a target's listener, each from its own
//! source port (a new 4-tuple: RFC 6528 makes the ISN a keyed function of
//! it plus a clock), takes the sequence number of each SYN-ACK and resets
//! the half-open connection. [`judge`] applies the stated test to them:
//!
//! 1. **no constant step**: of the n−1 increments ISN(i+1) − ISN(i) mod
//!    2^32, the most frequent one occurs in at most 1 % of the pairs;
//! 2. **no repeats**: at least 99 % of the ISNs are distinct;
//! 3. **bit balance**: each of the 32 bits is one in n/2 ± 5·√n/2 of the
//!    ISNs (5 σ of a fair coin; a false alarm is ~2·10⁻⁵ over all 32 bits).
//!
//! A counter (RFC 793's 4 µs clock alone) fails 1, a constant or a small
//! table fails 2, a generator with stuck or biased bits fails 3. It is a
//! screen for predictable ISNs, not a proof of unpredictability.

use crate::target::{IpFamily, Service, SessionSpec, Target, TargetError};
use crate::wire::{self, ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// How long one SYN waits for its SYN-ACK (session time).
const WAIT: Duration = Duration::from_secs(2);

/// The ISNs of `n` SYN-ACKs from `target`'s `echo` listener (IPv4, the
/// first harness address).
pub fn sample(target: &dyn Target, n: usize, seed: u64) -> Result<Vec<u32>, TargetError> {
    sample_with(target, n, seed, 0, IpFamily::V4).map(|(isns, _)| isns)
}

/// [`sample`] from the harness address of `index` (a case's run index, so
/// its 4-tuples are its own) in `family`; beyond 40,000 SYNs the following
/// addresses are taken. Also returns the target's address and port as its
/// sessions saw them (`None` when `n` is 0), for the case's report.
pub fn sample_with(
    target: &dyn Target,
    n: usize,
    seed: u64,
    index: u32,
    family: IpFamily,
) -> Result<(Vec<u32>, Option<std::net::SocketAddr>), TargetError> {
    let mut out = Vec::with_capacity(n);
    let mut target_addr = None;
    for i in 0..n {
        let spec = probe_spec(i, seed, index, family);
        let mut s = target.open(&spec)?;
        let info = s.info().clone();
        target_addr.get_or_insert(info.target);
        let (syn, rst) = probe_segments(i, info.harness, info.target)
            .ok_or_else(|| TargetError::Broken("session endpoints of two families".into()))?;
        s.inject(&syn.to_bytes(ChecksumPolicy::Compute))?;
        let deadline = s.now() + WAIT;
        let isn = loop {
            let Some(pkt) = s.recv(deadline)? else {
                return Err(TargetError::Broken(format!(
                    "no SYN-ACK to SYN {i} within {WAIT:?}"
                )));
            };
            if let Ok(seg) = wire::parse(&pkt.bytes) {
                if seg.flags.syn() && seg.flags.ack() {
                    break seg.seq;
                }
            }
        };
        out.push(isn.0);
        // no half-open request left behind: a RST at RCV.NXT
        s.inject(&rst.to_bytes(ChecksumPolicy::Compute))?;
    }
    Ok((out, target_addr))
}

/// The session of the `i`th SYN of [`sample_with`]'s sample.
pub fn probe_spec(i: usize, seed: u64, index: u32, family: IpFamily) -> SessionSpec {
    SessionSpec {
        service: Service::Echo,
        family,
        target_port: Service::Echo.port(),
        harness_port: 20000 + (i % 40000) as u16,
        index: index + (i / 40000) as u32,
        seed: seed.wrapping_add(i as u64),
        ..SessionSpec::default()
    }
}

/// The `i`th SYN of a sample from `harness` to `target`, and the RST that
/// follows its SYN-ACK (at RCV.NXT, so no half-open request is left
/// behind); `None` for endpoints of two families. Neither depends on the
/// SYN-ACK, so `synack bench`'s raw baseline replays the same two packets.
pub fn probe_segments(
    i: usize,
    harness: std::net::SocketAddr,
    target: std::net::SocketAddr,
) -> Option<(Segment, Segment)> {
    let ip = IpEnvelope::between(harness.ip(), target.ip())?;
    let mut syn = Segment::new(ip.clone(), harness.port(), target.port(), TcpFlags::SYN);
    syn.seq = SeqNumber(0x1000_0000 ^ i as u32);
    syn.window = 65535;
    syn.options = vec![TcpOption::Mss(1460)];
    let mut rst = Segment::new(ip, harness.port(), target.port(), TcpFlags::RST);
    rst.seq = syn.seq.add(1);
    Some((syn, rst))
}

/// What [`judge`] measured.
#[derive(Clone, Debug, PartialEq)]
pub struct IsnStats {
    /// How many ISNs were judged.
    pub n: usize,
    /// The most frequent increment and how often it occurs.
    pub top_step: (u32, usize),
    /// How many of them are distinct.
    pub distinct: usize,
    /// Per bit, how many ISNs have it set.
    pub ones: [usize; 32],
}

/// Why the ISNs look predictable.
#[derive(Clone, Debug, PartialEq)]
pub enum IsnVerdict {
    /// Fewer ISNs than the test needs (1000): how many there were.
    TooFew(usize),
    /// Test 1 failed: one increment ISN(i+1) − ISN(i) occurs in more than 1 % of the pairs.
    ConstantStep {
        /// The increment, mod 2^32.
        step: u32,
        /// How often it occurs.
        count: usize,
        /// How many pairs there are (n−1).
        pairs: usize,
    },
    /// Test 2 failed: fewer than 99 % of the ISNs are distinct.
    Repeats {
        /// How many are distinct.
        distinct: usize,
        /// How many ISNs there are.
        n: usize,
    },
    /// Test 3 failed: a bit is set beyond 5 σ of n/2.
    BiasedBit {
        /// The bit, 0 the least significant.
        bit: usize,
        /// How many ISNs have it set.
        ones: usize,
        /// How many ISNs there are.
        n: usize,
    },
}

impl fmt::Display for IsnVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsnVerdict::TooFew(n) => write!(f, "{n} ISNs are too few for the test (at least 1000)"),
            IsnVerdict::ConstantStep { step, count, pairs } => write!(
                f,
                "predictable ISNs: the increment {step} occurs in {count} of {pairs} pairs (more than 1 %)"
            ),
            IsnVerdict::Repeats { distinct, n } => {
                write!(f, "predictable ISNs: only {distinct} of {n} are distinct (under 99 %)")
            }
            IsnVerdict::BiasedBit { bit, ones, n } => write!(
                f,
                "predictable ISNs: bit {bit} is set in {ones} of {n} (beyond 5 sigma of n/2)"
            ),
        }
    }
}

/// The stated test (module doc) over `isns`, in the order they were taken.
pub fn judge(isns: &[u32]) -> Result<IsnStats, IsnVerdict> {
    let n = isns.len();
    if n < 1000 {
        return Err(IsnVerdict::TooFew(n));
    }
    let mut steps: HashMap<u32, usize> = HashMap::new();
    for w in isns.windows(2) {
        *steps.entry(w[1].wrapping_sub(w[0])).or_default() += 1;
    }
    let top_step = steps
        .iter()
        .map(|(s, c)| (*s, *c))
        .max_by_key(|(s, c)| (*c, std::cmp::Reverse(*s)))
        .unwrap_or((0, 0));
    let pairs = n - 1;
    if top_step.1 * 100 > pairs {
        return Err(IsnVerdict::ConstantStep {
            step: top_step.0,
            count: top_step.1,
            pairs,
        });
    }
    let mut sorted = isns.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let distinct = sorted.len();
    if distinct * 100 < n * 99 {
        return Err(IsnVerdict::Repeats { distinct, n });
    }
    let mut ones = [0usize; 32];
    for isn in isns {
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += ((isn >> bit) & 1) as usize;
        }
    }
    let limit = 5.0 * (n as f64).sqrt() / 2.0;
    for (bit, &k) in ones.iter().enumerate() {
        if (k as f64 - n as f64 / 2.0).abs() > limit {
            return Err(IsnVerdict::BiasedBit { bit, ones: k, n });
        }
    }
    Ok(IsnStats {
        n,
        top_step,
        distinct,
        ones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_fails_on_its_constant_step() {
        let isns: Vec<u32> = (0..1000u32).map(|i| i.wrapping_mul(64000)).collect();
        let e = judge(&isns).unwrap_err();
        assert!(
            matches!(e, IsnVerdict::ConstantStep { step: 64000, .. }),
            "{e}"
        );
        assert!(e
            .to_string()
            .contains("increment 64000 occurs in 999 of 999"));
    }

    #[test]
    fn a_stuck_bit_fails_and_too_few_is_no_verdict() {
        let mut x: u64 = 1;
        let isns: Vec<u32> = (0..2000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 32) as u32) | 0x10
            })
            .collect();
        assert!(matches!(
            judge(&isns),
            Err(IsnVerdict::BiasedBit { bit: 4, .. })
        ));
        assert_eq!(judge(&isns[..10]), Err(IsnVerdict::TooFew(10)));
        let fair: Vec<u32> = isns.iter().map(|v| v & !0x10 | ((v >> 7) & 0x10)).collect();
        assert!(judge(&fair).is_ok(), "{:?}", judge(&fair));
    }

    #[test]
    fn the_embedded_target_passes() {
        let isns = sample(&crate::target::embedded::Embedded::new(), 1000, 1).expect("sample");
        let stats = judge(&isns).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stats.n, 1000);
    }
}
