//! parse / emit / buffer_len. (PLACEHOLDER: being written; see issue 2.)

use super::segment::{ChecksumPolicy, Segment};
use std::fmt;

/// Why bytes are not a segment synack can represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Fewer bytes than the named header needs.
    Truncated { what: &'static str, need: usize, have: usize },
    /// Something else; the message says what.
    Invalid(String),
    /// The output buffer is shorter than `buffer_len()`.
    BufferTooSmall { need: usize, have: usize },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated { what, need, have } => {
                write!(f, "truncated {what}: need {need} bytes, have {have}")
            }
            WireError::Invalid(m) => f.write_str(m),
            WireError::BufferTooSmall { need, have } => {
                write!(f, "buffer too small: need {need} bytes, have {have}")
            }
        }
    }
}
impl std::error::Error for WireError {}

/// Parses an IP packet (IPv4 or IPv6) carrying TCP.
pub fn parse(_bytes: &[u8]) -> Result<Segment, WireError> {
    todo!("wire::parse")
}

impl Segment {
    /// Bytes `emit` writes: IP header + TCP header + options + payload.
    pub fn buffer_len(&self) -> usize {
        todo!("wire::buffer_len")
    }
    /// Writes the IP packet into `buf[..buffer_len()]`.
    pub fn emit(&self, _buf: &mut [u8], _policy: ChecksumPolicy) -> Result<usize, WireError> {
        todo!("wire::emit")
    }
    /// `emit` into a fresh vector.
    pub fn to_bytes(&self, policy: ChecksumPolicy) -> Vec<u8> {
        let mut v = vec![0; self.buffer_len()];
        // Cannot fail: the buffer is exactly buffer_len() long.
        let n = self.emit(&mut v, policy).expect("buffer is buffer_len long");
        v.truncate(n);
        v
    }
}
