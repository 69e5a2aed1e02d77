//! The built-in services (`target::services`) as std-socket servers inside
//! the lab's namespace, on the real kernel: one listener per (family, port),
//! shared by every session on that port, one thread per connection.
//!
//! A service closes with a real `close()` (the stream's last handle is
//! dropped), never `shutdown`, so the kernel sees exactly what a server
//! that closes sees: orphaned sockets, FIN-WAIT-2 timeouts, RST on late data.

use crate::target::services::{HTTP_REQUEST_END, HTTP_RESPONSE};
use crate::target::sys;
use crate::target::{AppAction, AppOutcome, Service, TargetError};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking service thread must not take the lab down with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the service threads share: live connections (so teardown can wake
/// them) and per-peer settings registered by sessions.
#[derive(Debug, Default)]
pub struct Registry {
    stopping: AtomicBool,
    next_id: AtomicU64,
    /// Target-side streams still open, with their peers. A service that
    /// closes removes its entry first, so its drop is the real `close()`.
    streams: Mutex<HashMap<u64, (SocketAddr, Arc<TcpStream>)>>,
    /// The latest accepted connection from each peer (for app actions).
    by_peer: Mutex<HashMap<SocketAddr, u64>>,
    /// Signalled (with `by_peer` locked) whenever a connection is accepted.
    accepted: Condvar,
    /// `SessionSpec::close_delay` by harness address.
    close_delays: Mutex<HashMap<SocketAddr, Duration>>,
}

impl Registry {
    pub fn set_close_delay(&self, peer: SocketAddr, delay: Duration) {
        lock(&self.close_delays).insert(peer, delay);
    }
    pub fn forget_peer(&self, peer: SocketAddr) {
        lock(&self.close_delays).remove(&peer);
    }
    fn close_delay(&self, peer: SocketAddr) -> Duration {
        lock(&self.close_delays)
            .get(&peer)
            .copied()
            .unwrap_or_default()
    }
    pub(crate) fn add(&self, peer: SocketAddr, stream: Arc<TcpStream>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.streams).insert(id, (peer, stream));
        lock(&self.by_peer).insert(peer, id);
        self.accepted.notify_all();
        id
    }
    fn remove(&self, id: u64) {
        let removed = lock(&self.streams).remove(&id);
        if let Some((peer, _)) = removed {
            let mut by_peer = lock(&self.by_peer);
            if by_peer.get(&peer) == Some(&id) {
                by_peer.remove(&peer);
            }
        }
    }

    /// The open, accepted connection from `peer`, waiting up to `wait` for
    /// the accept (the kernel completes handshakes before `accept` returns).
    pub(crate) fn connection(
        &self,
        peer: SocketAddr,
        wait: Duration,
    ) -> Option<(u64, Arc<TcpStream>)> {
        let until = Instant::now() + wait;
        let mut by_peer = lock(&self.by_peer);
        loop {
            if let Some(found) = by_peer.get(&peer).copied().and_then(|id| {
                lock(&self.streams)
                    .get(&id)
                    .map(|(_, s)| (id, Arc::clone(s)))
            }) {
                return Some(found);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            by_peer = match self.accepted.wait_timeout(by_peer, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Performs `action` as the application on the connection from `peer`.
    /// Write and Read never block. Close and Abort need the connection to
    /// be the harness's alone (the `silent` service): a service thread that
    /// still holds it would keep the socket open, so they are refused then.
    pub fn act(
        &self,
        peer: SocketAddr,
        action: &AppAction,
        wait: Duration,
    ) -> Result<AppOutcome, TargetError> {
        let Some((id, stream)) = self.connection(peer, wait) else {
            return Ok(AppOutcome::Refused(format!(
                "no open connection from {peer} has been accepted"
            )));
        };
        let io = |what: &str, e: std::io::Error| {
            TargetError::Io(format!("{what} on the connection from {peer}: {e}"))
        };
        // What the kernel answers about the connection (EPIPE after a
        // shutdown, ECONNRESET after a RST, …) is the stack refusing the
        // call, as `write` returning -1 would be; anything else is ours.
        let refused_or = |what: &str, e: std::io::Error| {
            if sys::sock::is_connection_error(&e) {
                Ok(AppOutcome::Refused(format!("{what}: {e}")))
            } else {
                Err(io(what, e))
            }
        };
        Ok(match action {
            AppAction::Write(bytes) => match sys::sock::send_now(stream.as_fd(), bytes) {
                Ok(n) => AppOutcome::Wrote(n),
                Err(e) => return refused_or("send", e),
            },
            AppAction::Read(max) => {
                let mut buf = vec![0u8; *max];
                match sys::sock::recv_now(stream.as_fd(), &mut buf) {
                    Ok(n) => {
                        buf.truncate(n);
                        AppOutcome::Read(buf)
                    }
                    Err(e) => return refused_or("recv", e),
                }
            }
            AppAction::ShutdownWrite => match stream.shutdown(Shutdown::Write) {
                Ok(()) => AppOutcome::Done,
                Err(e) => return refused_or("shutdown", e),
            },
            AppAction::Close | AppAction::Abort => {
                // Ours, the registry's: nobody else may hold it.
                if Arc::strong_count(&stream) > 2 {
                    return Ok(AppOutcome::Refused(
                        "a built-in service owns this connection; use the silent service to close it from a case".into(),
                    ));
                }
                if *action == AppAction::Abort {
                    sys::sock::set_linger_zero(stream.as_fd()).map_err(|e| io("SO_LINGER", e))?;
                }
                self.remove(id);
                drop(stream); // the last handle: close()
                AppOutcome::Done
            }
        })
    }
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

struct Listener {
    service: Service,
    socket: Arc<TcpListener>,
    thread: Option<JoinHandle<()>>,
}

/// The listeners of one lab.
#[derive(Default)]
pub struct Services {
    registry: Arc<Registry>,
    listeners: Mutex<HashMap<SocketAddr, Listener>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = lock(&self.listeners);
        let mut d = f.debug_map();
        for (addr, listener) in l.iter() {
            d.entry(addr, &listener.service);
        }
        d.finish()
    }
}

impl Services {
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Makes sure `service` answers on `addr`. `bind` runs in the namespace
    /// (the caller passes a closure that binds there); `closed` needs no
    /// listener but fails if another service holds the port.
    pub fn ensure(
        &self,
        addr: SocketAddr,
        service: Service,
        bind: impl FnOnce() -> Result<TcpListener, TargetError>,
    ) -> Result<(), TargetError> {
        let mut listeners = lock(&self.listeners);
        if let Some(l) = listeners.get(&addr) {
            if l.service == service {
                return Ok(());
            }
            return Err(TargetError::Broken(format!(
                "port {} already runs the `{}` service in this lab; a case asked for `{service}`",
                addr.port(),
                l.service
            )));
        }
        if service == Service::Closed {
            return Ok(());
        }
        let socket = Arc::new(bind()?);
        let registry = Arc::clone(&self.registry);
        let accept_on = Arc::clone(&socket);
        let thread = std::thread::Builder::new()
            .name(format!("synack-lab-{service}-{}", addr.port()))
            .spawn(move || accept_loop(&accept_on, service, &registry))
            .map_err(|e| {
                TargetError::Io(format!("cannot start the {service} service thread: {e}"))
            })?;
        listeners.insert(
            addr,
            Listener {
                service,
                socket,
                thread: Some(thread),
            },
        );
        Ok(())
    }

    /// Stops every listener and wakes every connection thread.
    pub fn stop(&self) {
        self.registry.stopping.store(true, Ordering::Release);
        let mut listeners = lock(&self.listeners);
        for l in listeners.values() {
            let _ = sys::sock::shutdown_both(l.socket.as_fd());
        }
        for l in listeners.values_mut() {
            if let Some(t) = l.thread.take() {
                let _ = t.join();
            }
        }
        listeners.clear();
        let streams: Vec<_> = lock(&self.registry.streams)
            .drain()
            .map(|(_, (_, s))| s)
            .collect();
        for s in &streams {
            let _ = sys::sock::shutdown_both(s.as_fd());
        }
    }
}

fn accept_loop(listener: &TcpListener, service: Service, registry: &Arc<Registry>) {
    loop {
        let accepted = listener.accept();
        if registry.stopping() {
            return;
        }
        let Ok((stream, peer)) = accepted else {
            // ECONNABORTED and the like: the next accept is independent.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let stream = Arc::new(stream);
        if service == Service::Silent {
            // Held open in the registry alone until the lab stops (or a case
            // closes it): no other handle, so a woken `act` may close it.
            registry.add(peer, stream);
            continue;
        }
        let id = registry.add(peer, Arc::clone(&stream));
        let registry = Arc::clone(registry);
        let spawned = std::thread::Builder::new()
            .name(format!("synack-lab-{service}-conn"))
            .spawn(move || serve(service, stream, id, peer, &registry));
        if spawned.is_err() {
            // Out of threads: the connection is left to the kernel's timers.
            continue;
        }
    }
}

/// How long echo and discard wait after the peer's FIN before they close,
/// at least (see `serve`).
const CLOSE_SETTLE: Duration = Duration::from_millis(20);

/// One connection of `service`. Returning drops the last handle: `close()`.
fn serve(service: Service, stream: Arc<TcpStream>, id: u64, peer: SocketAddr, registry: &Registry) {
    let mut s: &TcpStream = &stream;
    let mut buf = vec![0u8; 64 * 1024];
    match service {
        Service::Echo | Service::Discard => loop {
            match s.read(&mut buf) {
                Ok(0) => {
                    // Close a few milliseconds after the peer's FIN even with
                    // no close delay: the kernel then decides alone whether
                    // its ACK of the FIN goes out first or rides on our FIN
                    // (Linux delays it), instead of a race between this
                    // thread's close() and the kernel's receive path that
                    // makes the order change from run to run. 5 ms was not
                    // enough on a loaded machine (a lab snapshot showed ACK
                    // and FIN together once); 20 ms stays inside a case's
                    // default 50 ms tolerance.
                    let delay = registry.close_delay(peer).max(CLOSE_SETTLE);
                    if !registry.stopping() {
                        std::thread::sleep(delay);
                    }
                    break;
                }
                Ok(n) => {
                    if service == Service::Echo && s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        },
        Service::Http => {
            let mut head = Vec::new();
            loop {
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        head.extend_from_slice(&buf[..n]);
                        if head
                            .windows(HTTP_REQUEST_END.len())
                            .any(|w| w == HTTP_REQUEST_END)
                        {
                            let _ = s.write_all(HTTP_RESPONSE);
                            // With a close delay the connection stays open
                            // (as a keep-alive timer would hold it) until the
                            // delay runs out or the peer ends it first.
                            let delay = registry.close_delay(peer);
                            if !delay.is_zero() && !registry.stopping() {
                                let _ = stream.set_read_timeout(Some(delay));
                                let _ = s.read(&mut buf);
                            }
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        Service::Abort => {
            let _ = s.read(&mut buf);
            let _ = sys::sock::set_linger_zero(stream.as_fd());
        }
        Service::Silent | Service::Closed => {}
    }
    registry.remove(id);
}
