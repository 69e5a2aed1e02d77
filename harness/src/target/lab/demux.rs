//! One TUN device, many sessions: routes each packet the kernel sends to the
//! session whose 4-tuple it carries.
//!
//! There is no reader thread. A session waiting in `recv` becomes *the*
//! reader if nobody else is (leader/followers): it polls the TUN device,
//! stamps and files every packet it reads under its 4-tuple, and wakes the
//! others; the rest wait on a condition variable.
//!
//! A packet is stamped with the kernel's transmit time when a packet socket
//! on the device supplies it ([`TxStamps`]: the same packet, matched by its
//! bytes, in the same order), else with the time it was read. A lone session thus reads
//! its answer straight off the device with no thread hand-off, and with
//! `--jobs N` whichever session is waiting serves all of them. Packets for
//! no registered session (IPv6 noise, replies to a finished case) are
//! dropped and counted.
//!
//! The same packet socket stamps the harness's own packets as the kernel
//! takes them in ([`Demux::arrival`]), so what a packet provokes is timed
//! from its receipt, not from a thread that may be preempted around its
//! write.

use super::packet;
use crate::target::sys::pktstamp::TxStamps;
use crate::target::sys::tun::{self, Tun};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A connection as the kernel sends on it: (target, harness).
pub type Key = (SocketAddr, SocketAddr);

/// A packet and the moment it was read off the device.
pub type Stamped = (Instant, Vec<u8>);

#[derive(Debug, Default)]
struct State {
    /// Somebody is polling the device right now.
    reading: bool,
    /// How many times a reader has filed what it read.
    rounds: u64,
    queues: HashMap<Key, VecDeque<Stamped>>,
    /// Further connections of a session, filed under its key (`alias`).
    aliases: HashMap<Key, Key>,
    dropped: u64,
}

#[derive(Debug)]
pub struct Demux {
    tun: Tun,
    state: Mutex<State>,
    wake: Condvar,
    /// The reader's buffer (only the reader locks it).
    buf: Mutex<Vec<u8>>,
    /// The reader may hold packets it has not filed yet: set before it
    /// reads the device, cleared only while it waits in poll (nothing in
    /// hand) and once it has filed them.
    holding: AtomicBool,
    /// Kernel transmit times, and the stamped copies not yet matched with
    /// a packet read off the device (only the reader locks it).
    stamps: Option<TxStamps>,
    unmatched: Mutex<VecDeque<Stamped>>,
    /// The harness's packets as the kernel received them, not yet claimed
    /// by the session that wrote them (locked after `unmatched`).
    arrived: Mutex<VecDeque<Stamped>>,
    /// The buffer [`Demux::arrival`] drains with (the reader's stays the
    /// reader's while it polls).
    arrival_buf: Mutex<Vec<u8>>,
    /// GSO super-segments read (with segmentation offload on), and the
    /// largest `gso_size` among them.
    gso: Mutex<(u64, u16)>,
}

/// At most this many stamped copies wait for their packet.
const MAX_UNMATCHED: usize = 4096;

/// How long a session past its deadline waits at most for a reader to file
/// what it holds (a preempted reader on a loaded machine), and how often it
/// looks again whether the reader still holds anything.
const ROUND_WAIT: Duration = Duration::from_secs(2);
const ROUND_STEP: Duration = Duration::from_millis(5);

/// How far a kernel stamp, converted from the wall clock, may fall before
/// the monotonic instant it cannot precede.
const CLOCK_SLACK: Duration = Duration::from_millis(1);

impl Demux {
    pub fn new(tun: Tun) -> Demux {
        Demux {
            tun,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            buf: Mutex::new(vec![0; tun::MAX_PACKET]),
            holding: AtomicBool::new(false),
            stamps: None,
            unmatched: Mutex::new(VecDeque::new()),
            arrived: Mutex::new(VecDeque::new()),
            arrival_buf: Mutex::new(Vec::new()),
            gso: Mutex::new((0, 0)),
        }
    }

    /// Stamps packets with the kernel's transmit times from `stamps`.
    pub fn with_stamps(mut self, stamps: Option<TxStamps>) -> Demux {
        self.stamps = stamps;
        self
    }

    /// The kernel's transmit time of each packet in `read` (read off the
    /// device, in order), where the packet socket has it: never later than
    /// the time it was read.
    fn kernel_times(&self, read: &mut [Stamped], buf: &mut [u8]) {
        let Some(stamps) = &self.stamps else { return };
        let mut unmatched = self
            .unmatched
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // A failed drain leaves the read times: a packet is never lost.
        if let Ok(copies) = stamps.drain(buf) {
            unmatched.extend(copies.sent);
            self.file_arrived(copies.arrived);
        }
        for (at, bytes) in read.iter_mut() {
            if let Some(i) = unmatched.iter().position(|(_, b)| b == bytes) {
                if let Some((sent, _)) = unmatched.drain(..=i).next_back() {
                    *at = sent.min(*at);
                }
            }
        }
        while unmatched.len() > MAX_UNMATCHED {
            unmatched.pop_front();
        }
    }

    /// Keeps the stamped copies of packets written into the device for
    /// [`Demux::arrival`], at most [`MAX_UNMATCHED`].
    fn file_arrived(&self, copies: Vec<Stamped>) {
        let mut arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
        arrived.extend(copies);
        while arrived.len() > MAX_UNMATCHED {
            arrived.pop_front();
        }
    }

    /// When the kernel received `bytes`, written into the device at or
    /// after `since` (the device takes a write in synchronously, so its
    /// stamped copy is queued once the write returns): `None` without the
    /// packet socket or when no copy is found. Never earlier than `since`.
    pub fn arrival(&self, bytes: &[u8], since: Instant) -> Option<Instant> {
        let stamps = self.stamps.as_ref()?;
        {
            // The drain files outgoing copies as the reader does.
            let mut unmatched = self
                .unmatched
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let mut buf = self
                .arrival_buf
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if buf.is_empty() {
                buf.resize(65536, 0);
            }
            if let Ok(copies) = stamps.drain(&mut buf) {
                unmatched.extend(copies.sent);
                while unmatched.len() > MAX_UNMATCHED {
                    unmatched.pop_front();
                }
                self.file_arrived(copies.arrived);
            }
        }
        let mut arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
        // The stamp goes from the kernel's wall clock to the monotonic one:
        // allow a millisecond of disagreement between the two.
        let floor = since.checked_sub(CLOCK_SLACK).unwrap_or(since);
        let i = arrived
            .iter()
            .position(|(at, b)| *at >= floor && b == bytes)?;
        arrived.remove(i).map(|(at, _)| at.max(since))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// GSO super-segments read so far, and the largest `gso_size` (the MSS
    /// a NIC would have cut them into).
    pub fn gso_seen(&self) -> (u64, u16) {
        *self.gso.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn tun(&self) -> &Tun {
        &self.tun
    }

    /// Claims `key`; false if a live session already has it.
    pub fn register(&self, key: Key) -> bool {
        let mut st = self.lock();
        if st.queues.contains_key(&key) {
            return false;
        }
        st.queues.insert(key, VecDeque::new());
        true
    }

    pub fn unregister(&self, key: Key) {
        let mut st = self.lock();
        st.queues.remove(&key);
        st.aliases.retain(|_, to| *to != key);
    }

    /// Files the packets of connection `extra` with those of the
    /// registered `key` (a session's further connections, as a script's
    /// second `connect` makes); false if another session has `extra`.
    pub fn alias(&self, extra: Key, key: Key) -> bool {
        let mut st = self.lock();
        if st.queues.contains_key(&extra) || st.aliases.get(&extra).is_some_and(|k| *k != key) {
            return false;
        }
        st.aliases.insert(extra, key);
        true
    }

    /// Packets read off the device that no session claimed.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// The next packet for `key` read by `deadline`, if any.
    pub fn recv(&self, key: Key, deadline: Instant) -> io::Result<Option<Stamped>> {
        let mut st = self.lock();
        loop {
            if let Some(q) = st.queues.get_mut(&key) {
                if q.front().is_some_and(|(at, _)| *at <= deadline) {
                    return Ok(q.pop_front());
                }
            }
            let now = Instant::now();
            let expired = now >= deadline;
            if st.reading {
                if expired {
                    // A packet the kernel sent by the deadline may be in the
                    // reader's hand or still on the device, the reader being
                    // preempted before it files it: wait for its round.
                    let round = st.rounds;
                    let pending = |d: &Demux| {
                        d.holding.load(Ordering::Acquire)
                            || d.tun.wait_readable(Some(Duration::ZERO)).unwrap_or(false)
                    };
                    if !pending(self) {
                        return Ok(None);
                    }
                    let give_up = Instant::now() + ROUND_WAIT;
                    while st.reading && st.rounds == round && Instant::now() < give_up {
                        st = self
                            .wake
                            .wait_timeout(st, ROUND_STEP)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                        if !pending(self) && st.rounds == round {
                            break;
                        }
                    }
                    let q = st.queues.get_mut(&key);
                    return Ok(q.and_then(|q| {
                        if q.front().is_some_and(|(at, _)| *at <= deadline) {
                            q.pop_front()
                        } else {
                            None
                        }
                    }));
                }
                st = self
                    .wake
                    .wait_timeout(st, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
                continue;
            }
            // Become the reader. Once expired, still take what is already
            // queued on the device (a zero-length poll), then give up.
            st.reading = true;
            drop(st);
            let read = self.read_some(deadline.saturating_duration_since(now));
            st = self.lock();
            st.reading = false;
            st.rounds += 1;
            self.holding.store(false, Ordering::Release);
            let mut result = Ok(());
            match read {
                Ok(packets) => {
                    for (at, bytes) in packets {
                        let head = packet::tcp_head(&bytes).map(|h| (h.src, h.dst));
                        let key = head.map(|k| st.aliases.get(&k).copied().unwrap_or(k));
                        match key.and_then(|k| st.queues.get_mut(&k)) {
                            Some(q) => q.push_back((at, bytes)),
                            None => st.dropped += 1,
                        }
                    }
                }
                Err(e) => result = Err(e),
            }
            self.wake.notify_all();
            result?;
            if expired {
                let q = st.queues.get_mut(&key);
                return Ok(q.and_then(|q| {
                    if q.front().is_some_and(|(at, _)| *at <= deadline) {
                        q.pop_front()
                    } else {
                        None
                    }
                }));
            }
        }
    }

    /// Waits up to `timeout` for the device to be readable, then reads every
    /// packet queued on it.
    fn read_some(&self, timeout: Duration) -> io::Result<Vec<Stamped>> {
        let mut out = Vec::new();
        let mut buf = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
        // The kernel often answers within the write that provoked it: try a
        // read before paying for a poll.
        self.holding.store(true, Ordering::Release);
        let mut next = self.tun.try_recv_raw(&mut buf)?;
        if next.is_none() {
            // Nothing in hand while polling.
            self.holding.store(false, Ordering::Release);
            let readable = self.tun.wait_readable(Some(timeout))?;
            self.holding.store(true, Ordering::Release);
            if !readable {
                return Ok(out);
            }
            next = self.tun.try_recv_raw(&mut buf)?;
        }
        let mut headers = Vec::new();
        while let Some((n, hdr)) = next {
            out.push((Instant::now(), buf[..n].to_vec()));
            headers.push(hdr);
            next = self.tun.try_recv_raw(&mut buf)?;
        }
        // Matched with the packet socket's copies as the device had them,
        // then with their checksums filled (offload leaves them partial).
        self.kernel_times(&mut out, &mut buf);
        let mut gso = self.gso.lock().unwrap_or_else(PoisonError::into_inner);
        for ((_, bytes), hdr) in out.iter_mut().zip(&headers) {
            tun::complete_checksum(bytes, hdr);
            if hdr.is_gso() {
                gso.0 += 1;
                gso.1 = gso.1.max(hdr.gso_size);
            }
        }
        Ok(out)
    }
}
