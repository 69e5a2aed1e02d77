//! The SYN → SYN-ACK round trip, raw and through the harness.
//!
//! Both loops send a SYN with an MSS option to the `echo` service from a new
//! source port each time, time the kernel's SYN-ACK, and then reset the
//! half-open connection with RST so that no request socket piles up.

use super::packet::{self, flag};
use super::{Lab, LabOptions};
use crate::target::{addr, Service, Session, SessionSpec, TargetError};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The `echo` port the benchmark uses.
const BENCH_PORT: u16 = 7;
/// The first source port; sample `i` uses `BASE_PORT + i` (wrapping).
const BASE_PORT: u16 = 20000;
/// How long one sample may wait for its SYN-ACK.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(1);
/// The SYN's ISN: near the wrap, as any test should be.
const ISN: u32 = 0xffff_ff00;
const MSS_1460: [u8; 4] = [2, 4, 0x05, 0xb4];

fn port(i: usize) -> u16 {
    BASE_PORT.wrapping_add(i as u16)
}

fn target() -> SocketAddr {
    SocketAddr::new(addr::TARGET_V4.into(), BENCH_PORT)
}

fn harness(i: usize) -> SocketAddr {
    SocketAddr::new(addr::harness_v4(0).into(), port(i))
}

fn segment(
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    flags: u8,
    options: &[u8],
) -> Result<Vec<u8>, TargetError> {
    packet::tcp_segment(src, dst, seq, 0, flags, options)
        .ok_or_else(|| TargetError::Broken("benchmark addresses of different families".into()))
}

fn is_syn_ack_for(bytes: &[u8], to: SocketAddr) -> bool {
    packet::tcp_head(bytes).is_some_and(|h| {
        h.dst == to
            && h.src == target()
            && h.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK
    })
}

impl Lab {
    /// `samples` SYN → SYN-ACK round trips written and read straight on the
    /// TUN device (no demultiplexer, no session): the floor for
    /// [`Lab::harness_rtt`].
    pub fn raw_rtt(&self, samples: usize) -> Result<Vec<Duration>, TargetError> {
        self.listen(target(), Service::Echo)?;
        let tun = self.inner.demux.tun();
        let io = |e: std::io::Error| TargetError::Io(format!("benchmark TUN I/O: {e}"));
        let mut buf = vec![0u8; 65536];
        let mut out = Vec::with_capacity(samples);
        for i in 0..samples {
            let from = harness(i);
            let syn = segment(from, target(), ISN, flag::SYN, &MSS_1460)?;
            let t0 = Instant::now();
            tun.send(&syn).map_err(io)?;
            loop {
                let n = match tun.try_recv(&mut buf).map_err(io)? {
                    Some(n) => n,
                    None => {
                        let left = SAMPLE_TIMEOUT.saturating_sub(t0.elapsed());
                        if left.is_zero() || !tun.wait_readable(Some(left)).map_err(io)? {
                            return Err(TargetError::Broken(format!(
                                "no SYN-ACK to {from} within {SAMPLE_TIMEOUT:?}"
                            )));
                        }
                        continue;
                    }
                };
                if is_syn_ack_for(&buf[..n], from) {
                    out.push(t0.elapsed());
                    break;
                }
            }
            tun.send(&segment(
                from,
                target(),
                ISN.wrapping_add(1),
                flag::RST,
                &[],
            )?)
            .map_err(io)?;
        }
        Ok(out)
    }

    /// `samples` SYN → SYN-ACK round trips through [`Session::inject`] and
    /// [`Session::recv`] (a fresh session per sample; opening it is not timed).
    pub fn harness_rtt(&self, samples: usize) -> Result<Vec<Duration>, TargetError> {
        let mut out = Vec::with_capacity(samples);
        for i in 0..samples {
            let spec = SessionSpec {
                service: Service::Echo,
                target_port: BENCH_PORT,
                harness_port: port(i),
                index: 0,
                ..SessionSpec::default()
            };
            let mut session = self.open_session(&spec)?;
            let from = session.info().harness;
            let syn = segment(from, target(), ISN, flag::SYN, &MSS_1460)?;
            let t0 = Instant::now();
            session.inject(&syn)?;
            loop {
                let deadline = session.now() + SAMPLE_TIMEOUT;
                match session.recv(deadline)? {
                    Some(r) if is_syn_ack_for(&r.bytes, from) => {
                        out.push(t0.elapsed());
                        break;
                    }
                    Some(_) => {}
                    None => {
                        return Err(TargetError::Broken(format!(
                            "no SYN-ACK to {from} within {SAMPLE_TIMEOUT:?}"
                        )))
                    }
                }
            }
            session.inject(&segment(
                from,
                target(),
                ISN.wrapping_add(1),
                flag::RST,
                &[],
            )?)?;
        }
        Ok(out)
    }
}

/// [`Lab::raw_rtt`] in a lab of its own.
pub fn raw_tun_rtt(samples: usize) -> Result<Vec<Duration>, TargetError> {
    Lab::start(LabOptions::default())?.raw_rtt(samples)
}

/// [`Lab::harness_rtt`] in a lab of its own.
pub fn harness_rtt(samples: usize) -> Result<Vec<Duration>, TargetError> {
    Lab::start(LabOptions::default())?.harness_rtt(samples)
}
