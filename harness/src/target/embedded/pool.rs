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
