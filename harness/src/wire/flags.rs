//! The twelve bits of the TCP flags field: nine assigned bits (RFC 9293 §3.1,
//! RFC 3168 ECE/CWR, RFC 9768 AE) and three reserved bits that a conforming
//! sender keeps zero (MUST-2 covers the reserved field) but synack may set.

use std::fmt;

/// The 12-bit TCP flags field, kept exactly as on the wire (bits 0..=11).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    /// FIN: no more data from the sender (RFC 9293 §3.1).
    pub const FIN: TcpFlags = TcpFlags(0x001);
    /// SYN: synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x002);
    /// RST: reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x004);
    /// PSH: push function.
    pub const PSH: TcpFlags = TcpFlags(0x008);
    /// ACK: the acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(0x010);
    /// URG: the urgent pointer field is significant.
    pub const URG: TcpFlags = TcpFlags(0x020);
    /// ECE: ECN-Echo (RFC 3168 §6.1).
    pub const ECE: TcpFlags = TcpFlags(0x040);
    /// CWR: congestion window reduced (RFC 3168 §6.1).
    pub const CWR: TcpFlags = TcpFlags(0x080);
    /// Accurate ECN (RFC 9768), formerly NS.
    pub const AE: TcpFlags = TcpFlags(0x100);
    /// The three reserved bits (the high bits of byte 12).
    pub const RESERVED: TcpFlags = TcpFlags(0xE00);
    /// All twelve bits.
    pub const ALL: TcpFlags = TcpFlags(0xFFF);

    /// No flag set.
    pub const fn empty() -> TcpFlags {
        TcpFlags(0)
    }
    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The field's bits as on the wire.
    pub const fn bits(self) -> u16 {
        self.0
    }
    /// Keeps the low 12 bits; anything above cannot be on the wire.
    pub const fn from_bits_truncate(bits: u16) -> TcpFlags {
        TcpFlags(bits & 0xFFF)
    }
    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: TcpFlags) -> bool {
        self.0 & other.0 != 0
    }
    /// The bits of both.
    pub const fn union(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | other.0)
    }
    /// These bits less those of `other`.
    pub const fn without(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 & !other.0)
    }
    /// SYN set.
    pub fn syn(self) -> bool {
        self.contains(Self::SYN)
    }
    /// FIN set.
    pub fn fin(self) -> bool {
        self.contains(Self::FIN)
    }
    /// RST set.
    pub fn rst(self) -> bool {
        self.contains(Self::RST)
    }
    /// ACK set.
    pub fn ack(self) -> bool {
        self.contains(Self::ACK)
    }
    /// PSH set.
    pub fn psh(self) -> bool {
        self.contains(Self::PSH)
    }
    /// URG set.
    pub fn urg(self) -> bool {
        self.contains(Self::URG)
    }
    /// The reserved bits, shifted down (0..=7).
    pub fn reserved(self) -> u8 {
        ((self.0 & Self::RESERVED.0) >> 9) as u8
    }
}

impl std::ops::BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, rhs: TcpFlags) -> TcpFlags {
        self.union(rhs)
    }
}
impl std::ops::BitOrAssign for TcpFlags {
    fn bitor_assign(&mut self, rhs: TcpFlags) {
        self.0 |= rhs.0;
    }
}

/// tcpdump's letters: `S F R P U E W` then `.` for ACK, plus `N` for AE (once NS) and
/// `r<bits>` for the reserved bits. The case language parses the same letters.
/// An empty set prints as `none`.
impl TcpFlags {
    /// Writes the [`Display`](fmt::Display) text to `w`, a letter at a
    /// time (no intermediate string: transcripts write one per segment).
    pub fn write_text<W: fmt::Write>(self, w: &mut W) -> fmt::Result {
        let mut any = false;
        for (flag, c) in [
            (Self::SYN, 'S'),
            (Self::FIN, 'F'),
            (Self::RST, 'R'),
            (Self::PSH, 'P'),
            (Self::URG, 'U'),
            (Self::ECE, 'E'),
            (Self::CWR, 'W'),
            (Self::AE, 'N'),
        ] {
            if self.contains(flag) {
                w.write_char(c)?;
                any = true;
            }
        }
        if self.ack() {
            w.write_char('.')?;
            any = true;
        }
        let reserved = self.reserved();
        if reserved != 0 {
            // Three bits: one decimal digit.
            w.write_char('r')?;
            w.write_char(char::from(b'0' + (reserved & 0x7)))?;
            any = true;
        }
        if !any {
            w.write_str("none")?;
        }
        Ok(())
    }
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl fmt::Debug for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TcpFlags({self} {:#05x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_tcpdump() {
        assert_eq!((TcpFlags::SYN | TcpFlags::ACK).to_string(), "S.");
        assert_eq!((TcpFlags::RST | TcpFlags::ACK).to_string(), "R.");
        assert_eq!(
            (TcpFlags::FIN | TcpFlags::PSH | TcpFlags::ACK).to_string(),
            "FP."
        );
        assert_eq!(TcpFlags::empty().to_string(), "none");
        assert_eq!(TcpFlags(0xA02).to_string(), "Sr5");
    }

    #[test]
    fn truncates_to_twelve_bits() {
        assert_eq!(TcpFlags::from_bits_truncate(0xF012), TcpFlags(0x012));
    }
}
