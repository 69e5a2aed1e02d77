//! The connection states of RFC 9293 §3.3.2, spelled as the RFC spells them.
//! Shared vocabulary: the oracle models them, targets report them (as `ss`
//! shows a socket), cases assert them.

use std::fmt;
use std::str::FromStr;

/// A connection state of RFC 9293 §3.3.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TcpState {
    /// CLOSED: no connection (no TCB).
    Closed,
    /// LISTEN: waiting for a connection request.
    Listen,
    /// SYN-SENT: a SYN sent, waiting for the matching one.
    SynSent,
    /// SYN-RECEIVED: a SYN received and one sent, waiting for its acknowledgment.
    SynReceived,
    /// ESTABLISHED: an open connection; data flows both ways.
    Established,
    /// FIN-WAIT-1: this side closed; its FIN not yet acknowledged.
    FinWait1,
    /// FIN-WAIT-2: this side's FIN acknowledged; waiting for the peer's FIN.
    FinWait2,
    /// CLOSE-WAIT: the peer closed; waiting for the local application to close.
    CloseWait,
    /// CLOSING: both closed at once; waiting for the acknowledgment of this side's FIN.
    Closing,
    /// LAST-ACK: the peer closed first, then this side; waiting for the last acknowledgment.
    LastAck,
    /// TIME-WAIT: both FINs acknowledged; waiting 2 MSL before the tuple may be reused.
    TimeWait,
}

impl TcpState {
    /// Every state, in the RFC's order.
    pub const ALL: [TcpState; 11] = [
        TcpState::Closed,
        TcpState::Listen,
        TcpState::SynSent,
        TcpState::SynReceived,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::LastAck,
        TcpState::TimeWait,
    ];

    /// The RFC 9293 spelling: `SYN-RECEIVED`, `FIN-WAIT-1`, …
    pub fn rfc_name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
        }
    }

    /// States after the handshake (RFC 9293 §3.3.2 "synchronized").
    pub fn is_synchronized(self) -> bool {
        !matches!(
            self,
            TcpState::Closed | TcpState::Listen | TcpState::SynSent | TcpState::SynReceived
        )
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rfc_name())
    }
}

/// Accepts the RFC spelling and the `ss` one (`SYN-RECV`, `ESTAB`, `FIN-WAIT1`…),
/// case-insensitive, with `-` or `_`.
impl FromStr for TcpState {
    type Err = String;
    fn from_str(s: &str) -> Result<TcpState, String> {
        let norm: String = s
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_uppercase)
            .collect();
        Ok(match norm.as_str() {
            "CLOSED" | "UNCONN" => TcpState::Closed,
            "LISTEN" => TcpState::Listen,
            "SYNSENT" => TcpState::SynSent,
            "SYNRECEIVED" | "SYNRECV" => TcpState::SynReceived,
            "ESTABLISHED" | "ESTAB" => TcpState::Established,
            "FINWAIT1" => TcpState::FinWait1,
            "FINWAIT2" => TcpState::FinWait2,
            "CLOSEWAIT" => TcpState::CloseWait,
            "CLOSING" => TcpState::Closing,
            "LASTACK" => TcpState::LastAck,
            "TIMEWAIT" => TcpState::TimeWait,
            _ => {
                return Err(format!(
                    "unknown TCP state `{s}` (expected e.g. ESTABLISHED, CLOSE-WAIT, TIME-WAIT)"
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc_and_ss_spellings() {
        for s in TcpState::ALL {
            assert_eq!(s.rfc_name().parse::<TcpState>(), Ok(s));
        }
        assert_eq!("SYN-RECV".parse::<TcpState>(), Ok(TcpState::SynReceived));
        assert_eq!("estab".parse::<TcpState>(), Ok(TcpState::Established));
        assert_eq!("time_wait".parse::<TcpState>(), Ok(TcpState::TimeWait));
        assert!("BOGUS".parse::<TcpState>().is_err());
    }
}
