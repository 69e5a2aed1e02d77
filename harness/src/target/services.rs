//! Built-in services: the application behind the target's port when a case
//! does not script it. Every target the harness controls runs the same
//! behaviour (DESIGN.md "Services").

use std::fmt;
use std::str::FromStr;

/// The application behind the target's port, the same on every target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
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
    pub const ALL: [Service; 6] = [
        Service::Echo,
        Service::Discard,
        Service::Http,
        Service::Silent,
        Service::Abort,
        Service::Closed,
    ];

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
pub const HTTP_RESPONSE: &[u8] =
    b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

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
                format!("unknown service `{s}` (expected one of: {})", names.join(", "))
            })
    }
}
