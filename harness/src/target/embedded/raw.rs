//! smoltcp with nothing of the harness around it: the baseline `synack
//! bench` measures the embedded target against.
//!
//! [`drive`] builds a fresh `Interface` the way the embedded target does
//! (Medium::Ip, the target's two addresses, default routes, one listener
//! with the same buffers), then feeds it a fixed sequence of IP packets at
//! their session times, polling at every smoltcp timer in between and
//! counting (then dropping) what it sends. No script, no oracle, no
//! recording, no built-in service, no application actions. Its one guard is
//! the embedded target's: the same segment sent more than
//! [`MAX_IDENTICAL_PER_STEP`] times at one instant ends the run (smoltcp
//! 0.14's ACK storm would otherwise never end).

use super::device::MemoryDevice;
use super::session::{same_segment, MAX_EGRESS_PER_STEP, MAX_IDENTICAL_PER_STEP};
use super::{RX_BUFFER, TX_BUFFER};
use crate::target::addr;
use smoltcp::iface::{Config, Interface, PollIngressSingleResult, PollResult, SocketSet};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, Ipv4Address, Ipv6Address};
use std::time::Duration;

/// One case as raw input: the stack's seed, the listening port (`None`:
/// nothing listens), and the packets the harness injected, at their
/// session times, in order.
#[derive(Clone, Debug, Default)]
pub struct RawCase {
    /// The seed of the stack's randomness (its ISN among others).
    pub seed: u64,
    /// The port a socket listens on; `None`: nothing listens.
    pub listen: Option<u16>,
    /// The injected IP packets, each at its session time, in order.
    pub inputs: Vec<(Duration, Vec<u8>)>,
    /// Session time the stack runs to after the last input.
    pub end: Duration,
}

/// Runs `case` on a fresh stack; returns how many packets went each way
/// (injected plus sent).
pub fn drive(case: &RawCase) -> u64 {
    let mut device = MemoryDevice::default();
    let mut config = Config::new(HardwareAddress::Ip);
    config.random_seed = case.seed;
    let mut iface = Interface::new(config, &mut device, at(Duration::ZERO));
    iface.update_ip_addrs(|addrs| {
        // Two entries in a table of more: these pushes cannot fail.
        let _ = addrs.push(IpCidr::new(IpAddress::Ipv4(addr::TARGET_V4), 24));
        let _ = addrs.push(IpCidr::new(IpAddress::Ipv6(addr::TARGET_V6), 64));
    });
    let routes = iface.routes_mut();
    let _ = routes.add_default_ipv4_route(Ipv4Address::new(192, 0, 2, 254));
    let _ = routes.add_default_ipv6_route(Ipv6Address::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0xfe));
    let mut sockets = SocketSet::new(Vec::new());
    let mut stack = Stack {
        iface,
        device,
        sockets: &mut sockets,
        listen: case.listen,
        now: Duration::ZERO,
        packets: 0,
        broken: false,
    };
    stack.top_up();
    for (t, bytes) in &case.inputs {
        stack.run_until(*t);
        stack.device.rx.push_back(bytes.clone());
        stack.packets += 1;
        stack.step();
    }
    stack.run_until(case.end);
    stack.packets
}

struct Stack<'s, 'b> {
    iface: Interface,
    device: MemoryDevice,
    sockets: &'s mut SocketSet<'b>,
    listen: Option<u16>,
    now: Duration,
    packets: u64,
    broken: bool,
}

impl Stack<'_, '_> {
    /// One listener on the port while nothing else listens.
    fn top_up(&mut self) {
        let Some(port) = self.listen else { return };
        let listening = self
            .sockets
            .iter()
            .any(|(_, s)| matches!(s, smoltcp::socket::Socket::Tcp(t) if t.state() == tcp::State::Listen));
        if !listening {
            let mut socket = tcp::Socket::new(
                tcp::SocketBuffer::new(vec![0; RX_BUFFER]),
                tcp::SocketBuffer::new(vec![0; TX_BUFFER]),
            );
            if socket.listen(port).is_ok() {
                self.sockets.add(socket);
            }
        }
    }

    /// Polls at every timer up to `t`, then moves the clock to `t`.
    fn run_until(&mut self, t: Duration) {
        let mut polls = 0;
        while let Some(next) = self.iface.poll_at(at(self.now), self.sockets) {
            let next = since(next).max(self.now);
            if next > t || self.broken || polls > MAX_EGRESS_PER_STEP {
                break;
            }
            polls += 1;
            self.now = next;
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Everything in, a listener topped up, everything out (counted, dropped).
    fn step(&mut self) {
        if self.broken {
            self.device.rx.clear();
            return;
        }
        let ts = at(self.now);
        self.iface.poll_maintenance(ts);
        while self
            .iface
            .poll_ingress_single(ts, &mut self.device, self.sockets)
            != PollIngressSingleResult::None
        {}
        self.top_up();
        let (mut rounds, mut repeats) = (0, 0);
        let mut last: Option<Vec<u8>> = None;
        while self.iface.poll_egress(ts, &mut self.device, self.sockets) != PollResult::None {
            rounds += 1;
            while let Some(p) = self.device.tx.pop_front() {
                self.packets += 1;
                if last.as_deref().is_some_and(|l| same_segment(l, &p)) {
                    repeats += 1;
                } else {
                    repeats = 0;
                }
                last = Some(p);
            }
            if repeats > MAX_IDENTICAL_PER_STEP || rounds > MAX_EGRESS_PER_STEP {
                self.broken = true;
                return;
            }
        }
        // Replies made on ingress (a RST for a closed port) go out too.
        self.packets += self.device.tx.len() as u64;
        self.device.tx.clear();
    }
}

fn at(t: Duration) -> Instant {
    // The embedded target's clock base: a non-zero start.
    Instant::from_micros(1_000_000 + t.as_micros() as i64)
}

fn since(i: Instant) -> Duration {
    Duration::from_micros((i.total_micros() - 1_000_000).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal IPv4 header (IHL 5) with identification `id`, then `tcp`.
    fn v4(id: u8, tcp: &[u8]) -> Vec<u8> {
        let mut p = vec![0x45, 0, 0, 0, 0, id, 0, 0, 64, 6, id, 0];
        p.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        p.extend_from_slice(tcp);
        p
    }

    #[test]
    fn the_same_segment_ignores_the_ip_header_and_nothing_else() {
        assert!(same_segment(&v4(1, b"tcp-bytes"), &v4(2, b"tcp-bytes")));
        assert!(!same_segment(&v4(1, b"tcp-bytes"), &v4(1, b"tcp-bytez")));
        assert!(!same_segment(&v4(1, b"tcp"), &v4(1, b"tcp-bytes")));
        let v6 = |x: u8| {
            let mut p = vec![0x60; 40];
            p.push(x);
            p
        };
        assert!(same_segment(&v6(1), &v6(1)));
        assert!(!same_segment(&v6(1), &v6(2)));
    }

    #[test]
    fn nothing_in_gives_nothing_out_and_a_closed_port_answers_a_syn() {
        assert_eq!(drive(&RawCase::default()), 0);
        // A SYN to a port nothing listens on: in, and smoltcp's RST out.
        let syn = crate::wire::Segment::new(
            crate::wire::IpEnvelope::between(
                std::net::IpAddr::V4(addr::harness_v4(0)),
                std::net::IpAddr::V4(addr::TARGET_V4),
            )
            .expect("same family"),
            40000,
            80,
            crate::wire::TcpFlags::SYN,
        )
        .to_bytes(crate::wire::ChecksumPolicy::Compute);
        let case = RawCase {
            seed: 1,
            listen: None,
            inputs: vec![(Duration::ZERO, syn)],
            end: Duration::from_millis(10),
        };
        assert_eq!(drive(&case), 2);
    }
}
