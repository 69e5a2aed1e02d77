//! One interface, many sessions: a reader thread takes every frame off the
//! datalink channel, answers ARP and neighbour solicitations for the
//! harness's own addresses, learns neighbours' MAC addresses, and files each
//! TCP packet under its 4-tuple for the session that registered it.
//!
//! The local kernel owns none of the harness's addresses, so it answers
//! nothing on their behalf (no RST to a SYN-ACK it never asked for): this
//! thread is the harness's whole network presence.

use super::frame::{self, Arp, ArpOp, Mac, Nd};
use crate::target::lab::packet;
use crate::target::sys::datalink::{FrameReceiver, FrameSender};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A connection as the peer sends on it: (target, harness).
pub type Key = (SocketAddr, SocketAddr);

/// A packet and the moment the reader took it off the interface.
pub type Stamped = (Instant, Vec<u8>);

/// How often the reader wakes to see whether it should stop.
pub const READ_TICK: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
struct State {
    queues: HashMap<Key, VecDeque<Stamped>>,
    neighbours: HashMap<IpAddr, Mac>,
    dropped: u64,
    /// The reader's fatal error, once it has one.
    failed: Option<String>,
}

/// What the reader thread and the sessions share.
#[derive(Debug)]
pub struct Shared {
    pub iface: String,
    pub mac: Mac,
    /// The harness's own addresses (one per family at most).
    pub sources: Vec<IpAddr>,
    tx: Mutex<FrameSender>,
    state: Mutex<State>,
    wake: Condvar,
    stop: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The interface with its reader thread; stops the thread when dropped.
#[derive(Debug)]
pub struct Port {
    pub shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
}

impl Port {
    /// Starts the reader on an open channel.
    pub fn start(
        iface: String,
        mac: Mac,
        sources: Vec<IpAddr>,
        tx: FrameSender,
        rx: FrameReceiver,
    ) -> io::Result<Port> {
        let shared = Arc::new(Shared {
            iface,
            mac,
            sources,
            tx: Mutex::new(tx),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let for_reader = Arc::clone(&shared);
        let reader = std::thread::Builder::new()
            .name("synack-link-rx".into())
            .spawn(move || read_loop(&for_reader, rx))?;
        Ok(Port {
            shared,
            reader: Some(reader),
        })
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

fn read_loop(shared: &Shared, mut rx: FrameReceiver) {
    while !shared.stop.load(Ordering::Acquire) {
        match rx.next_frame() {
            Ok(Some(frame)) => {
                let at = Instant::now();
                shared.handle(at, frame);
            }
            Ok(None) => {}
            Err(e) => {
                lock(&shared.state).failed = Some(format!("read from {}: {e}", shared.iface));
                shared.wake.notify_all();
                return;
            }
        }
    }
}

impl Shared {
    /// Sends one IP packet to `dst_mac`.
    pub fn send_ip(&self, dst_mac: Mac, packet: &[u8]) -> io::Result<()> {
        let ethertype = frame::ethertype_of(packet).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not an IPv4 or IPv6 packet")
        })?;
        self.send_frame(&frame::ethernet(dst_mac, self.mac, ethertype, packet))
    }

    fn send_frame(&self, f: &[u8]) -> io::Result<()> {
        lock(&self.tx).send(f)
    }

    fn ours(&self, ip: IpAddr) -> bool {
        self.sources.contains(&ip)
    }

    /// One frame off the interface.
    fn handle(&self, at: Instant, f: &[u8]) {
        let Some((_, src_mac, ethertype, payload)) = frame::parse_ethernet(f) else {
            return;
        };
        if src_mac == self.mac {
            return; // our own, or the local kernel's: both leave by this interface
        }
        match ethertype {
            frame::ETH_ARP => self.on_arp(payload),
            frame::ETH_IPV4 | frame::ETH_IPV6 => {
                if let Some(nd) = frame::parse_nd(payload) {
                    self.on_nd(src_mac, nd);
                    return;
                }
                let mut st = lock(&self.state);
                // The IP packet alone: Ethernet may pad a short frame.
                let bytes = trim_ip(payload).to_vec();
                match packet::tcp_head(&bytes).and_then(|h| st.queues.get_mut(&(h.src, h.dst))) {
                    Some(q) => {
                        q.push_back((at, bytes));
                        drop(st);
                        self.wake.notify_all();
                    }
                    None => st.dropped += 1,
                }
            }
            _ => {}
        }
    }

    /// RFC 826: learn the sender; answer a request for one of our addresses.
    fn on_arp(&self, payload: &[u8]) {
        let Some(arp) = Arp::parse(payload) else {
            return;
        };
        if !arp.sender_ip.is_unspecified() {
            self.learn(arp.sender_ip.into(), arp.sender_mac);
        }
        if arp.op == ArpOp::Request && self.ours(arp.target_ip.into()) {
            let reply = Arp {
                op: ArpOp::Reply,
                sender_mac: self.mac,
                sender_ip: arp.target_ip,
                target_mac: arp.sender_mac,
                target_ip: arp.sender_ip,
            };
            let f = frame::ethernet(arp.sender_mac, self.mac, frame::ETH_ARP, &reply.emit());
            let _ = self.send_frame(&f);
        }
    }

    /// RFC 4861 §7.2.3, §7.2.5: answer a solicitation for our address;
    /// learn the link-layer address an advertisement or solicitation carries.
    fn on_nd(&self, src_mac: Mac, nd: Nd) {
        match nd {
            Nd::Solicitation {
                src,
                target,
                source_ll,
            } => {
                if !src.is_unspecified() {
                    self.learn(src.into(), source_ll.unwrap_or(src_mac));
                }
                if self.ours(target.into()) {
                    // §7.2.4: to the soliciting node, or all-nodes during DAD.
                    let (dst, dst_mac) = if src.is_unspecified() {
                        let all: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
                        (all, frame::multicast_mac(all))
                    } else {
                        (src, source_ll.unwrap_or(src_mac))
                    };
                    let na = frame::neighbour_advertisement(target, self.mac, dst);
                    let _ = self.send_ip(dst_mac, &na);
                }
            }
            Nd::Advertisement { target, target_ll } => {
                self.learn(target.into(), target_ll.unwrap_or(src_mac));
            }
        }
    }

    fn learn(&self, ip: IpAddr, mac: Mac) {
        lock(&self.state).neighbours.insert(ip, mac);
        self.wake.notify_all();
    }

    /// The MAC address last seen for `ip`.
    pub fn neighbour(&self, ip: IpAddr) -> Option<Mac> {
        lock(&self.state).neighbours.get(&ip).copied()
    }

    /// Asks for `ip`'s MAC address (ARP, or a neighbour solicitation) from
    /// our address `from`, `tries` times, waiting `each` for an answer.
    pub fn resolve(
        &self,
        from: IpAddr,
        ip: IpAddr,
        tries: u32,
        each: Duration,
    ) -> io::Result<Option<Mac>> {
        for _ in 0..tries {
            match (from, ip) {
                (IpAddr::V4(from), IpAddr::V4(to)) => {
                    let req = Arp {
                        op: ArpOp::Request,
                        sender_mac: self.mac,
                        sender_ip: from,
                        target_mac: [0; 6],
                        target_ip: to,
                    };
                    let f =
                        frame::ethernet(frame::BROADCAST, self.mac, frame::ETH_ARP, &req.emit());
                    self.send_frame(&f)?;
                }
                (IpAddr::V6(from), IpAddr::V6(to)) => {
                    let ns = frame::neighbour_solicitation(from, self.mac, to);
                    self.send_ip(frame::multicast_mac(frame::solicited_node(to)), &ns)?;
                }
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "resolve across address families",
                    ))
                }
            }
            let until = Instant::now() + each;
            let mut st = lock(&self.state);
            loop {
                if let Some(mac) = st.neighbours.get(&ip) {
                    return Ok(Some(*mac));
                }
                if let Some(e) = &st.failed {
                    return Err(io::Error::other(e.clone()));
                }
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                st = self
                    .wake
                    .wait_timeout(st, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        Ok(None)
    }

    /// Claims `key`; false if a live session already has it.
    pub fn register(&self, key: Key) -> bool {
        let mut st = lock(&self.state);
        if st.queues.contains_key(&key) {
            return false;
        }
        st.queues.insert(key, VecDeque::new());
        true
    }

    pub fn unregister(&self, key: Key) {
        lock(&self.state).queues.remove(&key);
    }

    /// Frames with TCP for no registered session.
    pub fn dropped(&self) -> u64 {
        lock(&self.state).dropped
    }

    /// The next packet for `key` taken off the interface by `deadline`.
    pub fn recv(&self, key: Key, deadline: Instant) -> io::Result<Option<Stamped>> {
        let mut st = lock(&self.state);
        loop {
            if let Some(e) = &st.failed {
                return Err(io::Error::other(e.clone()));
            }
            if let Some(q) = st.queues.get_mut(&key) {
                if q.front().is_some_and(|(at, _)| *at <= deadline) {
                    return Ok(q.pop_front());
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            st = self
                .wake
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// An IP packet without the Ethernet padding after it (frames are at
/// least 60 bytes; a bare SYN-ACK over IPv4 is 44).
fn trim_ip(payload: &[u8]) -> &[u8] {
    let len = match payload.first().map(|b| b >> 4) {
        Some(4) if payload.len() >= 20 => usize::from(u16::from_be_bytes([payload[2], payload[3]])),
        Some(6) if payload.len() >= 40 => {
            40 + usize::from(u16::from_be_bytes([payload[4], payload[5]]))
        }
        _ => payload.len(),
    };
    &payload[..len.min(payload.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_padding_is_trimmed_by_the_ip_length() {
        let mut v4 = vec![0x45, 0, 0, 44];
        v4.resize(60 - 14, 0);
        assert_eq!(trim_ip(&v4).len(), 44);
        let mut v6 = vec![0x60, 0, 0, 0, 0, 20];
        v6.resize(80, 0);
        assert_eq!(trim_ip(&v6).len(), 60);
        assert_eq!(trim_ip(&[0x45, 0]).len(), 2, "too short to read: as it is");
    }
}
