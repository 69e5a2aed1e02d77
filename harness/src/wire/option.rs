//! TCP options as an open list (RFC 9293 §3.1, RFC 7323, RFC 2018).
//!
//! Unknown kinds survive a round trip and print as numbers; an option whose
//! length byte is impossible is kept as raw bytes, so synack can both send and
//! report illegal option lists exactly.

/// Option kind numbers (IANA "TCP Option Kind Numbers").
pub mod kind {
    /// End of option list.
    pub const EOL: u8 = 0;
    /// No-operation.
    pub const NOP: u8 = 1;
    /// Maximum segment size (RFC 9293 §3.7.1).
    pub const MSS: u8 = 2;
    /// Window scale (RFC 7323 §2).
    pub const WINDOW_SCALE: u8 = 3;
    /// SACK permitted (RFC 2018 §2).
    pub const SACK_PERMITTED: u8 = 4;
    /// SACK blocks (RFC 2018 §3).
    pub const SACK: u8 = 5;
    /// Timestamps (RFC 7323 §3).
    pub const TIMESTAMPS: u8 = 8;
}

/// One TCP option, kept losslessly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TcpOption {
    /// Kind 0. Ends the list; the bytes after it in the header are kept in
    /// [`TcpOption::Padding`].
    Eol,
    /// Kind 1.
    Nop,
    /// Kind 2, length 4 (RFC 9293 §3.7.1).
    Mss(u16),
    /// Kind 3, length 3 (RFC 7323 §2.2). The shift as sent, even above 14.
    WindowScale(u8),
    /// Kind 4, length 2 (RFC 2018).
    SackPermitted,
    /// Kind 5, length 2 + 8n (RFC 2018): `(left edge, right edge)` blocks.
    Sack(Vec<(u32, u32)>),
    /// Kind 8, length 10 (RFC 7323 §3).
    Timestamps {
        /// TSval: the sender's timestamp clock.
        tsval: u32,
        /// TSecr: the TSval echoed from the peer.
        tsecr: u32,
    },
    /// A well-formed option of a kind not listed above (or a listed kind with
    /// a length other than its fixed one): kind, then the data after the
    /// length byte.
    Unknown {
        /// The option's kind byte.
        kind: u8,
        /// The bytes after the length byte.
        data: Vec<u8>,
    },
    /// Bytes that do not form an option: a length byte of 0 or 1, or one that
    /// runs past the header. Everything from the bad option to the end of the
    /// option area.
    Malformed(Vec<u8>),
    /// Bytes after an EOL up to the end of the option area (normally zeros).
    Padding(Vec<u8>),
}

impl TcpOption {
    /// Bytes this option takes on the wire.
    pub fn wire_len(&self) -> usize {
        match self {
            TcpOption::Eol | TcpOption::Nop => 1,
            TcpOption::Mss(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::Sack(blocks) => 2 + 8 * blocks.len(),
            TcpOption::Timestamps { .. } => 10,
            TcpOption::Unknown { data, .. } => 2 + data.len(),
            TcpOption::Malformed(bytes) | TcpOption::Padding(bytes) => bytes.len(),
        }
    }
}
