//! The SYN → SYN-ACK round trip on the TAP/TUN target, raw and through the
//! harness, and full handshakes per second (as the lab's bench does).
//!
//! Each sample sends a SYN with an MSS option to the `echo` service from a
//! new source port, times the stack's SYN-ACK, and resets the half-open
//! connection with RST.

use super::{lock, Inner, Tap, TapSession};
use crate::target::lab::packet::{self, flag};
use crate::target::{addr, Service, Session, SessionSpec, TargetError};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const BENCH_PORT: u16 = 7;
/// Source ports of the samples: a range of their own per call.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(1);
const ISN: u32 = 0xffff_ff00;
const MSS_1460: [u8; 4] = [2, 4, 0x05, 0xb4];

fn target() -> SocketAddr {
    SocketAddr::new(addr::TARGET_V4.into(), BENCH_PORT)
}

fn segment(from: SocketAddr, seq: u32, flags: u8, opts: &[u8]) -> Result<Vec<u8>, TargetError> {
    packet::tcp_segment(from, target(), seq, 0, flags, opts)
        .ok_or_else(|| TargetError::Broken("benchmark addresses of two families".into()))
}

fn echo_spec(harness_port: u16, index: u32) -> SessionSpec {
    SessionSpec {
        service: Service::Echo,
        target_port: BENCH_PORT,
        harness_port,
        index,
        ..SessionSpec::default()
    }
}

impl Tap {
    /// `samples` round trips written and read straight on the device's
    /// socket (frames built once, no session, no link handling but the
    /// framing): the floor for [`Tap::harness_rtt`]. `first_port` is the
    /// first source port; sample `i` uses `first_port + i`.
    pub fn raw_rtt(&self, samples: usize, first_port: u16) -> Result<Vec<Duration>, TargetError> {
        // A session first: the stack serves echo and the link is resolved.
        drop(self.open_session(&echo_spec(first_port.wrapping_sub(1), 0))?);
        let inner: &Inner = &self.inner;
        let mut busy = lock(&inner.busy);
        while *busy {
            busy = inner.free.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        let core = lock(&inner.core);
        let kind = inner.options.kind;
        let head = match kind {
            super::DeviceKind::Tap => 14,
            super::DeviceKind::Tun => 0,
        };
        let io = |e: std::io::Error| TargetError::Io(format!("benchmark I/O: {e}"));
        let mut out = Vec::with_capacity(samples);
        let mut buf = vec![0u8; 65536];
        for i in 0..samples {
            let from = SocketAddr::new(
                addr::harness_v4(0).into(),
                first_port.wrapping_add(i as u16),
            );
            let syn = segment(from, ISN, flag::SYN, &MSS_1460)?;
            let frame = match kind {
                super::DeviceKind::Tap => core.link.frame(&syn),
                super::DeviceKind::Tun => syn,
            };
            let t0 = Instant::now();
            core.sock.send(&frame).map_err(io)?;
            loop {
                let n = match core.sock.try_recv(&mut buf).map_err(io)? {
                    Some(n) => n,
                    None => {
                        let left = SAMPLE_TIMEOUT.saturating_sub(t0.elapsed());
                        if left.is_zero() || !core.sock.wait_readable(Some(left)).map_err(io)? {
                            return Err(TargetError::Broken(format!(
                                "no SYN-ACK to {from} within {SAMPLE_TIMEOUT:?}"
                            )));
                        }
                        continue;
                    }
                };
                if n <= head {
                    continue;
                }
                let hit = packet::tcp_head(&buf[head..n]).is_some_and(|h| {
                    h.dst == from && h.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK
                });
                if hit {
                    out.push(t0.elapsed());
                    break;
                }
            }
            let rst = segment(from, ISN.wrapping_add(1), flag::RST, &[])?;
            core.inject(kind, &rst)?;
        }
        Ok(out)
    }

    /// `samples` round trips through [`Session::inject`] and
    /// [`Session::recv`], a fresh session per sample (opening it is not
    /// timed).
    pub fn harness_rtt(
        &self,
        samples: usize,
        first_port: u16,
    ) -> Result<Vec<Duration>, TargetError> {
        let mut out = Vec::with_capacity(samples);
        for i in 0..samples {
            let mut s: TapSession =
                self.open_session(&echo_spec(first_port.wrapping_add(i as u16), 0))?;
            let from = s.info().harness;
            let syn = segment(from, ISN, flag::SYN, &MSS_1460)?;
            let t0 = Instant::now();
            s.inject(&syn)?;
            loop {
                let deadline = s.now() + SAMPLE_TIMEOUT;
                match s.recv(deadline)? {
                    Some(r)
                        if packet::tcp_head(&r.bytes).is_some_and(|h| {
                            h.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK
                        }) =>
                    {
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
            s.inject(&segment(from, ISN.wrapping_add(1), flag::RST, &[])?)?;
        }
        Ok(out)
    }

    /// Full handshakes (SYN, SYN-ACK, ACK, then RST) through sessions for
    /// `budget`; returns how many completed.
    pub fn handshakes(&self, budget: Duration) -> Result<u32, TargetError> {
        let start = Instant::now();
        let mut n: u32 = 0;
        while start.elapsed() < budget {
            // Source addresses apart from the round-trip samples (host .1).
            let spec = echo_spec(20000 + (n % 40000) as u16, 1 + n / 40000);
            let mut s = self.open_session(&spec)?;
            let from = s.info().harness;
            s.inject(&segment(from, ISN, flag::SYN, &MSS_1460)?)?;
            let deadline = s.now() + SAMPLE_TIMEOUT;
            let synack = loop {
                let Some(r) = s.recv(deadline)? else {
                    return Err(TargetError::Broken("no SYN-ACK within 1 s".into()));
                };
                match packet::tcp_head(&r.bytes) {
                    Some(h) if h.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK => {
                        break h
                    }
                    _ => {}
                }
            };
            let ack = packet::tcp_segment(
                from,
                target(),
                ISN.wrapping_add(1),
                synack.seq.wrapping_add(1),
                flag::ACK,
                &[],
            )
            .ok_or_else(|| TargetError::Broken("families".into()))?;
            s.inject(&ack)?;
            s.inject(&segment(from, ISN.wrapping_add(1), flag::RST, &[])?)?;
            n += 1;
        }
        Ok(n)
    }
}
