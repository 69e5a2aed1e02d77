//! Built-in services: the application behind the target's port when a case
//! does not script it. Every target the harness controls runs the same
//! behaviour (DESIGN.md "Services").

use std::fmt;
use std::str::FromStr;

/// The application behind the target's port, the same on every target.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Service {
    /// Echoes every byte; closes (FIN) after the peer's FIN, once all echoed.
    #[default]
    Echo,
    /// Reads and drops every byte; closes after the peer's FIN.
    Discard,
    /// Reads one request up to the blank line (`\r\n\r\n`), answers it with
    /// [`HTTP_RESPONSE`], then closes first (server-side active close).
    Http,
    /// Accepts, never reads, never writes, never closes.
    Silent,
    /// Accepts, reads whatever arrives first (at least one byte), then aborts
    /// with RST.
    Abort,
    /// No listener on the port.
    Closed,
}

impl Service {
    /// Every service.
    pub const ALL: [Service; 6] = [
        Service::Echo,
        Service::Discard,
        Service::Http,
        Service::Silent,
        Service::Abort,
        Service::Closed,
    ];

    /// The service's name, as a case's `service:` header and the agent protocol write it.
    pub fn name(self) -> &'static str {
        match self {
            Service::Echo => "echo",
            Service::Discard => "discard",
            Service::Http => "http",
            Service::Silent => "silent",
            Service::Abort => "abort",
            Service::Closed => "closed",
        }
    }

    /// The target port a case with this service talks to: the classic
    /// ports for echo (7), discard (9) and http (80), others above 8080. Each
    /// service has its own, so a target that runs all of them side by side
    /// (the lab) keeps them apart.
    pub fn port(self) -> u16 {
        match self {
            Service::Echo => 7,
            Service::Discard => 9,
            Service::Http => 80,
            Service::Silent => 8081,
            Service::Abort => 8082,
            Service::Closed => 8083,
        }
    }

    /// One line on what the service does.
    pub fn describe(self) -> &'static str {
        match self {
            Service::Echo => "echoes every byte; closes after the peer's FIN",
            Service::Discard => "reads and drops every byte; closes after the peer's FIN",
            Service::Http => "answers one GET with 200 OK, then closes first",
            Service::Silent => "accepts, never reads, writes or closes",
            Service::Abort => "accepts, reads, then resets the connection",
            Service::Closed => "no listener: the port is closed",
        }
    }
}

/// The exact response of the `http` service: 41 bytes.
pub const HTTP_RESPONSE: &[u8] = b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

/// The end of an HTTP request head.
pub const HTTP_REQUEST_END: &[u8] = b"\r\n\r\n";

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Service {
    type Err = String;
    fn from_str(s: &str) -> Result<Service, String> {
        Service::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Service::ALL.iter().map(|v| v.name()).collect();
                format!(
                    "unknown service `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// What a service does next on its connection, decided by [`ServiceLogic`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceAction {
    /// Queue these bytes for sending (never more than the input's `tx_room`).
    Write(Vec<u8>),
    /// `close()`: FIN after all queued data (the active or the passive close).
    Close,
    /// Abort: RST now.
    Abort,
}

/// What the adapter tells [`ServiceLogic`] on each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceInput<'a> {
    /// Bytes just read from the socket (at most [`ServiceLogic::read_budget`]).
    pub received: &'a [u8],
    /// The peer's FIN has arrived and every byte before it has been read.
    pub peer_closed: bool,
    /// Session time.
    pub now: std::time::Duration,
    /// Free space in the socket's send buffer.
    pub tx_room: usize,
}

/// A built-in service's behaviour on one connection, sans I/O: the adapter
/// (the embedded target's smoltcp glue, the lab target's socket loop) reads
/// at most [`read_budget`](ServiceLogic::read_budget) bytes, calls
/// [`step`](ServiceLogic::step) with what it read, performs the returned
/// actions in order, and calls again at [`next_wake`](ServiceLogic::next_wake).
///
/// `close_delay` is how long the service waits, once it has decided to close
/// (echo/discard: the peer's FIN; http: response queued), before it calls
/// `close()`. With zero, the close happens in the same step as the peer's FIN,
/// so a stack can send its ACK and FIN in one segment; with a delay, the ACK
/// of the peer's FIN goes first and the FIN later. Both are the legal FIN
/// orders of RFC 9293 §3.6.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceLogic {
    service: Service,
    close_delay: std::time::Duration,
    /// Bytes the service still has to write (the http response).
    outbox: Vec<u8>,
    /// The http request head read so far.
    request: Vec<u8>,
    responded: bool,
    /// When the service will close; set once it has decided to.
    close_at: Option<std::time::Duration>,
    /// Close or Abort already returned: the service is done.
    finished: bool,
}

impl ServiceLogic {
    /// `service` on a fresh connection, closing `close_delay` after it decides to.
    pub fn new(service: Service, close_delay: std::time::Duration) -> ServiceLogic {
        ServiceLogic {
            service,
            close_delay,
            outbox: Vec::new(),
            request: Vec::new(),
            responded: false,
            close_at: None,
            finished: false,
        }
    }

    /// Which service this is.
    pub fn service(&self) -> Service {
        self.service
    }

    /// True once the service has closed or aborted its connection.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// How many bytes the service wants to read now. Echo reads no more than
    /// it can write back (`tx_room`), so a peer that does not take the echo
    /// sees the window close, as with a blocking echo server.
    pub fn read_budget(&self, tx_room: usize) -> usize {
        if self.finished {
            return 0;
        }
        match self.service {
            Service::Echo => tx_room,
            Service::Discard | Service::Abort => usize::MAX,
            Service::Http if self.responded => 0,
            Service::Http => usize::MAX,
            Service::Silent | Service::Closed => 0,
        }
    }

    /// One step: consume what was read and the peer's close, and say what to do.
    pub fn step(&mut self, input: ServiceInput<'_>) -> Vec<ServiceAction> {
        let mut actions = Vec::new();
        if self.finished {
            return actions;
        }
        match self.service {
            Service::Echo => self.outbox.extend_from_slice(input.received),
            Service::Discard | Service::Silent | Service::Closed => {}
            Service::Http => {
                if !self.responded {
                    self.request.extend_from_slice(input.received);
                    if contains(&self.request, HTTP_REQUEST_END) {
                        self.responded = true;
                        self.outbox.extend_from_slice(HTTP_RESPONSE);
                    }
                }
            }
            Service::Abort => {
                if !input.received.is_empty() {
                    self.finished = true;
                    actions.push(ServiceAction::Abort);
                    return actions;
                }
            }
        }
        if !self.outbox.is_empty() && input.tx_room > 0 {
            let n = self.outbox.len().min(input.tx_room);
            actions.push(ServiceAction::Write(self.outbox.drain(..n).collect()));
        }
        let wants_close = self.outbox.is_empty()
            && match self.service {
                Service::Echo | Service::Discard | Service::Abort => input.peer_closed,
                // Server-side active close once the response is queued; a
                // peer that closes before a full request is closed on too.
                Service::Http => self.responded || input.peer_closed,
                Service::Silent | Service::Closed => false,
            };
        if wants_close && self.close_at.is_none() {
            self.close_at = Some(input.now + self.close_delay);
        }
        if let Some(at) = self.close_at {
            if input.now >= at {
                self.finished = true;
                actions.push(ServiceAction::Close);
            }
        }
        actions
    }

    /// When the service next needs a step without new input (a pending
    /// delayed close).
    pub fn next_wake(&self) -> Option<std::time::Duration> {
        if self.finished {
            None
        } else {
            self.close_at
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn input(received: &[u8], peer_closed: bool, now_ms: u64) -> ServiceInput<'_> {
        ServiceInput {
            received,
            peer_closed,
            now: Duration::from_millis(now_ms),
            tx_room: 1 << 16,
        }
    }

    #[test]
    fn echo_writes_back_and_closes_with_the_peer_fin_when_delay_is_zero() {
        let mut s = ServiceLogic::new(Service::Echo, Duration::ZERO);
        assert_eq!(
            s.step(input(b"hi", false, 0)),
            vec![ServiceAction::Write(b"hi".to_vec())]
        );
        assert_eq!(s.step(input(b"", true, 5)), vec![ServiceAction::Close]);
        assert!(s.is_finished());
        assert_eq!(s.step(input(b"x", true, 6)), vec![]);
    }

    #[test]
    fn echo_close_waits_for_the_close_delay() {
        let mut s = ServiceLogic::new(Service::Echo, Duration::from_millis(200));
        assert_eq!(s.step(input(b"", true, 100)), vec![]);
        assert_eq!(s.next_wake(), Some(Duration::from_millis(300)));
        assert_eq!(s.step(input(b"", true, 299)), vec![]);
        assert_eq!(s.step(input(b"", true, 300)), vec![ServiceAction::Close]);
        assert_eq!(s.next_wake(), None);
    }

    #[test]
    fn echo_reads_no_more_than_it_can_write() {
        let s = ServiceLogic::new(Service::Echo, Duration::ZERO);
        assert_eq!(s.read_budget(10), 10);
        assert_eq!(s.read_budget(0), 0);
    }

    #[test]
    fn http_answers_a_complete_request_then_closes_first() {
        let mut s = ServiceLogic::new(Service::Http, Duration::ZERO);
        assert_eq!(s.step(input(b"GET / HTTP/1.0\r\n", false, 0)), vec![]);
        assert_eq!(
            s.step(input(b"\r\n", false, 1)),
            vec![
                ServiceAction::Write(HTTP_RESPONSE.to_vec()),
                ServiceAction::Close
            ]
        );
        assert_eq!(s.read_budget(100), 0);
    }

    #[test]
    fn http_response_is_split_to_the_room_and_close_follows_the_last_byte() {
        let mut s = ServiceLogic::new(Service::Http, Duration::ZERO);
        let mut small = input(b"GET / HTTP/1.0\r\n\r\n", false, 0);
        small.tx_room = 10;
        assert_eq!(
            s.step(small),
            vec![ServiceAction::Write(HTTP_RESPONSE[..10].to_vec())]
        );
        let mut rest = input(b"", false, 1);
        rest.tx_room = 100;
        assert_eq!(
            s.step(rest),
            vec![
                ServiceAction::Write(HTTP_RESPONSE[10..].to_vec()),
                ServiceAction::Close
            ]
        );
    }

    #[test]
    fn abort_resets_after_the_first_bytes() {
        let mut s = ServiceLogic::new(Service::Abort, Duration::ZERO);
        assert_eq!(s.step(input(b"", false, 0)), vec![]);
        assert_eq!(s.step(input(b"a", false, 1)), vec![ServiceAction::Abort]);
        assert_eq!(s.read_budget(100), 0);
    }

    #[test]
    fn silent_never_reads_writes_or_closes() {
        let mut s = ServiceLogic::new(Service::Silent, Duration::ZERO);
        assert_eq!(s.read_budget(100), 0);
        assert_eq!(s.step(input(b"", true, 0)), vec![]);
        assert_eq!(s.next_wake(), None);
    }

    #[test]
    fn discard_drops_bytes_and_closes_after_the_peer_fin() {
        let mut s = ServiceLogic::new(Service::Discard, Duration::ZERO);
        assert_eq!(s.step(input(b"abc", false, 0)), vec![]);
        assert_eq!(s.step(input(b"", true, 1)), vec![ServiceAction::Close]);
    }
}
