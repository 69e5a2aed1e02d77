//! Listening sockets kept across the embedded target's sessions, with
//! their buffers, so a case does not allocate and zero two fresh
//! [`RX_BUFFER`](super::RX_BUFFER)/[`TX_BUFFER`](super::TX_BUFFER) buffers
//! for every listener it starts with (`synack bench` measured that as the
//! largest single cost of a short case's set-up).
//!
//! Only a socket that never left LISTEN comes back: smoltcp 0.14 hands no
//! buffer back, and its reset leaves some per-connection state as it was
//! (duplicate-ACK counters, the congestion controller, the last TSval), so
//! a socket that had a connection could answer differently from a fresh
//! one. A listener that never took a SYN has none of that: smoltcp's
//! LISTEN state takes nothing but a SYN (a segment with ACK or RST is not
//! offered to it, any other is dropped before it changes a field), and
//! `listen` resets what remains, so a pooled listener is a fresh one.

use smoltcp::iface::SocketSet;
use smoltcp::socket::tcp;
use std::cell::RefCell;

/// Listeners kept per thread, at most (a case leaves one or two).
const KEEP: usize = 8;

thread_local! {
    static POOL: RefCell<Vec<tcp::Socket<'static>>> = const { RefCell::new(Vec::new()) };
}

/// A closed socket with the target's buffers: a pooled one, or a fresh one.
pub(super) fn socket() -> tcp::Socket<'static> {
    let pooled = POOL.with(|p| p.borrow_mut().pop());
    match pooled {
        Some(mut socket) => {
            // LISTEN → CLOSED; the caller's `listen` then resets the rest.
            socket.close();
            socket
        }
        None => tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; super::RX_BUFFER]),
            tcp::SocketBuffer::new(vec![0; super::TX_BUFFER]),
        ),
    }
}

/// Keeps `socket`, a listener that never left LISTEN, for a later session.
pub(super) fn keep(socket: tcp::Socket<'static>) {
    if socket.state() != tcp::State::Listen {
        return;
    }
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < KEEP {
            p.push(socket);
        }
    });
}

thread_local! {
    static SETS: RefCell<Vec<SocketSet<'static>>> = const { RefCell::new(Vec::new()) };
}

/// An empty socket set: a kept one, or a fresh one with room for a case's
/// usual sockets (a listener, a connection, the listener that replaces
/// it), so that adding one does not move the sockets already there. Its
/// storage is a few KiB (a socket slot is large): allocated anew per
/// session, it was the first large allocation of every case, where the
/// allocator consolidated what the last case freed.
///
/// A kept set behaves as a fresh one: smoltcp puts a socket in the first
/// empty slot or, with none, in a new slot at the end, and resets the
/// slot's metadata when it does; every slot of a kept set is empty, so
/// each socket lands where a fresh set would put it, with the same handle.
pub(super) fn socket_set() -> SocketSet<'static> {
    SETS.with(|s| s.borrow_mut().pop())
        .unwrap_or_else(|| SocketSet::new(Vec::with_capacity(4)))
}

/// Keeps `set` for a later session if it holds no socket.
pub(super) fn keep_set(set: SocketSet<'static>) {
    if set.iter().next().is_some() {
        return;
    }
    SETS.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < KEEP {
            s.push(set);
        }
    });
}
