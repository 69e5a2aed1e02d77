//! The SYN → SYN-ACK round trip over link, raw and through the harness,
//! and full handshakes per second, as the lab's bench measures them.
//!
//! Every sample sends a SYN with an MSS option to the agent's `echo`
//! service from a port of its own, times the SYN-ACK, and resets the
//! half-open connection so that no request socket piles up on the peer.

use super::{frame, Link};
use crate::target::lab::packet::{self, flag};
use crate::target::sys::datalink;
use crate::target::{AppAction, IpFamily, Service, Session, SessionSpec, TargetError};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long one sample may wait for its SYN-ACK.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(1);
const ISN: u32 = 0xffff_ff00;
const MSS_1460: [u8; 4] = [2, 4, 0x05, 0xb4];
/// Raw samples use source ports from here, apart from the sessions'.
const RAW_BASE_PORT: u16 = 10000;

fn segment(src: SocketAddr, dst: SocketAddr, seq: u32, flags: u8) -> Result<Vec<u8>, TargetError> {
    let options: &[u8] = if flags & flag::SYN != 0 {
        &MSS_1460
    } else {
        &[]
    };
    packet::tcp_segment(src, dst, seq, 0, flags, options)
        .ok_or_else(|| TargetError::Broken("benchmark addresses of different families".into()))
}

fn is_syn_ack(bytes: &[u8], from: SocketAddr, to: SocketAddr) -> bool {
    packet::tcp_head(bytes).is_some_and(|h| {
        h.src == from && h.dst == to && h.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK
    })
}

fn spec(index: u32) -> SessionSpec {
    SessionSpec {
        service: Service::Echo,
        family: IpFamily::V4,
        target_port: Service::Echo.port(),
        index,
        ..SessionSpec::default()
    }
}

impl Link {
    /// `samples` round trips through a second raw channel of its own on the
    /// same interface (no reader thread, no demultiplexer, no session): the
    /// floor for [`Link::harness_rtt`].
    pub fn raw_rtt(&self, samples: usize) -> Result<Vec<Duration>, TargetError> {
        let peer = self
            .inner
            .peer(IpFamily::V4)
            .ok_or_else(|| TargetError::Unsupported("the benchmark needs an IPv4 peer".into()))?;
        // The agent listens (through a session opened once).
        drop(self.open_session(&spec(0))?);
        let shared = &self.inner.port.shared;
        let io = |e: std::io::Error| TargetError::Io(format!("benchmark raw channel: {e}"));
        let (mut tx, mut rx) = datalink::open(&shared.iface, SAMPLE_TIMEOUT).map_err(io)?;
        let target = SocketAddr::new(peer.ip, Service::Echo.port());
        let mut out = Vec::with_capacity(samples);
        for i in 0..samples {
            let from = SocketAddr::new(peer.source, RAW_BASE_PORT.wrapping_add(i as u16 % 10000));
            let syn = segment(from, target, ISN, flag::SYN)?;
            let f = frame::ethernet(peer.mac, shared.mac, frame::ETH_IPV4, &syn);
            let t0 = Instant::now();
            tx.send(&f).map_err(io)?;
            loop {
                let Some(got) = rx.next_frame().map_err(io)? else {
                    return Err(TargetError::Broken(format!(
                        "no SYN-ACK to {from} within {SAMPLE_TIMEOUT:?}"
                    )));
                };
                let ip = frame::parse_ethernet(got).map(|(_, _, _, p)| p);
                if ip.is_some_and(|p| is_syn_ack(p, target, from)) {
                    out.push(t0.elapsed());
                    break;
                }
                if t0.elapsed() > SAMPLE_TIMEOUT {
                    return Err(TargetError::Broken(format!(
                        "no SYN-ACK to {from} within {SAMPLE_TIMEOUT:?}"
                    )));
                }
            }
            let rst = segment(from, target, ISN.wrapping_add(1), flag::RST)?;
            tx.send(&frame::ethernet(
                peer.mac,
                shared.mac,
                frame::ETH_IPV4,
                &rst,
            ))
            .map_err(io)?;
        }
        Ok(out)
    }

    /// `samples` round trips through [`Session::inject`] and
    /// [`Session::recv`] (a fresh session per sample; opening it, which asks
    /// the agent to listen, is not timed). `first` numbers the sessions.
    pub fn harness_rtt(&self, samples: usize, first: u32) -> Result<Vec<Duration>, TargetError> {
        let mut out = Vec::with_capacity(samples);
        for i in 0..samples as u32 {
            let mut s = self.open_session(&spec(first + i))?;
            let (from, target) = (s.info().harness, s.info().target);
            let syn = segment(from, target, ISN, flag::SYN)?;
            let t0 = Instant::now();
            s.inject(&syn)?;
            loop {
                let deadline = s.now() + SAMPLE_TIMEOUT;
                match s.recv(deadline)? {
                    Some(r) if is_syn_ack(&r.bytes, target, from) => {
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
            s.inject(&segment(from, target, ISN.wrapping_add(1), flag::RST)?)?;
        }
        Ok(out)
    }

    /// Full handshakes for `budget`, each on its own 4-tuple: SYN, SYN-ACK,
    /// ACK, the agent's service has accepted it (a read of nothing through
    /// the agent waits for the accept), RST. Returns how many.
    pub fn handshakes(&self, budget: Duration, first: u32) -> Result<u32, TargetError> {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < budget {
            let mut s = self.open_session(&spec(first + n))?;
            let (from, target) = (s.info().harness, s.info().target);
            s.inject(&segment(from, target, ISN, flag::SYN)?)?;
            let deadline = s.now() + SAMPLE_TIMEOUT;
            let isn = loop {
                match s.recv(deadline)? {
                    Some(r) if is_syn_ack(&r.bytes, target, from) => {
                        break packet::tcp_head(&r.bytes).map_or(0, |h| h.seq);
                    }
                    Some(_) => {}
                    None => return Err(TargetError::Broken("no SYN-ACK within 1 s".into())),
                }
            };
            let ack = packet::tcp_segment(
                from,
                target,
                ISN.wrapping_add(1),
                isn.wrapping_add(1),
                flag::ACK,
                &[],
            )
            .ok_or_else(|| TargetError::Broken("address families differ".into()))?;
            s.inject(&ack)?;
            s.app(&AppAction::Read(0))?;
            s.inject(&segment(from, target, ISN.wrapping_add(1), flag::RST)?)?;
            n += 1;
        }
        Ok(n)
    }
}
