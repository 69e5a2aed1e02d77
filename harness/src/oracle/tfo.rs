//! TCP Fast Open (RFC 7413, Experimental): what the oracle accepts of it.
//!
//! RFC 9293 queues a SYN's text until ESTABLISHED (§3.10.7.2), so data on
//! a SYN and a SYN-ACK that acknowledges it are findings
//! (`data-before-established`, `syn-ack-acks-isn`) for a stack that does not
//! do Fast Open. RFC 7413 changes both, and only with its option:
//!
//! - §4.2.1: a client that holds a cookie for the server sends the Fast
//!   Open option with that cookie, and data, on its SYN. The target's SYN
//!   with text is therefore accepted when it carries a Fast Open option
//!   with a cookie (kind 34, §4.1.1; or the experimental kind 254 with
//!   ExID 0xF989, RFC 6994, which stacks sent before kind 34 was
//!   assigned). A SYN with text and no cookie is still a finding.
//! - §4.2.2: a server that accepts the cookie acknowledges the SYN's data
//!   in its SYN-ACK (SEG.ACK = SEG.SEQ + 1 + the text's length) and
//!   delivers it at once. A SYN-ACK acknowledging exactly all of the SYN's
//!   text is therefore accepted. The server decides whether the cookie is
//!   valid (and Linux's `tcp_fastopen` 0x200 accepts data with no cookie
//!   at all), so the oracle does not require the option on the harness's
//!   SYN: acknowledging the whole text is only ever done by Fast Open.
//!   A SYN-ACK acknowledging part of it stays a finding. Having taken the
//!   text, such a server may send data before the handshake completes
//!   (§4.2.2), so that is no `data-before-established` either; nor is it
//!   after a SYN that offered a cookie and a SYN-ACK with no cookie of the
//!   target's (it accepted the cookie: [`cookie_accepted`]), text or not.
//! - §4.2.1 with a simultaneous open: the target's SYN carried text, so
//!   SND.NXT is past it, and in SYN-RECEIVED the peer's ACK of that text is
//!   acceptable (RFC 9293 §3.10.7.4: SND.UNA < SEG.ACK =< SND.NXT).

use crate::wire::{Segment, SeqNumber, TcpOption};

/// The Fast Open option's kind (RFC 7413 §4.1.1).
pub const KIND: u8 = 34;
/// The shared experimental kind (RFC 6994) earlier stacks send it under.
pub const KIND_EXP: u8 = 254;
/// Fast Open's experiment identifier under [`KIND_EXP`].
pub const EXID: [u8; 2] = [0xf9, 0x89];

/// The cookie of `seg`'s Fast Open option, if it carries one (empty: a
/// cookie request, RFC 7413 §4.1.1).
pub fn cookie(seg: &Segment) -> Option<&[u8]> {
    seg.options.iter().find_map(|o| match o {
        TcpOption::Unknown { kind: KIND, data } => Some(&data[..]),
        TcpOption::Unknown {
            kind: KIND_EXP,
            data,
        } if data.starts_with(&EXID) => Some(&data[2..]),
        _ => None,
    })
}

/// Whether the target's SYN may carry its text: it sends a Fast Open
/// cookie with it (RFC 7413 §4.2.1).
pub fn syn_text_allowed(syn: &Segment) -> bool {
    cookie(syn).is_some_and(|c| !c.is_empty())
}

/// Whether a SYN-ACK's `ack` acknowledges all the text of the SYN at `irs`
/// that carried `text` octets, as a Fast Open server that accepted it does
/// (RFC 7413 §4.2.2).
pub fn synack_acks_syn_text(irs: SeqNumber, text: u32, ack: SeqNumber) -> bool {
    text > 0 && ack == irs.add(1 + text)
}

/// Whether a Fast Open server took the SYN's text (its SYN-ACK acknowledged
/// it, so RCV.NXT is past the SYN's, `rcv_lo`): it may then send data
/// before the handshake completes (RFC 7413 §4.2.2: "the server can send
/// data ... before the handshake completes").
pub fn syn_text_taken(irs: SeqNumber, rcv_lo: SeqNumber) -> bool {
    rcv_lo != irs.add(1)
}

/// Whether the target took a Fast Open whose SYN `offered` a cookie, by
/// its SYN-ACK `synack`: a server that accepts the cookie answers without
/// a cookie of its own, while one that rejects it, or was asked for one,
/// sends its cookie on the SYN-ACK (RFC 7413 §4.2.2, §4.1.2). The oracle
/// cannot tell a valid cookie from another (the server decides), so a
/// SYN-ACK without a cookie after an offered one may be a Fast Open; the
/// server may then send data before the handshake completes, even when
/// the SYN carried none (packetdrill's `fastopen/server/*/basic-zero-payload`:
/// Linux creates the Fast Open socket for a valid cookie alone).
pub fn cookie_accepted(offered: bool, synack: &Segment) -> bool {
    offered && cookie(synack).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IpEnvelope, TcpFlags};
    use std::net::Ipv4Addr;

    fn syn(options: Vec<TcpOption>) -> Segment {
        let ip = IpEnvelope::v4(Ipv4Addr::new(198, 51, 100, 1), Ipv4Addr::new(192, 0, 2, 1));
        let mut s = Segment::new(ip, 40000, 8080, TcpFlags::SYN);
        s.options = options;
        s.payload = vec![1; 10];
        s
    }

    #[test]
    fn the_cookie_is_read_from_either_kind() {
        let c = vec![1, 2, 3, 4, 5, 6, 7, 8];
        let opt = TcpOption::Unknown {
            kind: KIND,
            data: c.clone(),
        };
        assert_eq!(cookie(&syn(vec![opt])), Some(&c[..]));
        let exp = TcpOption::Unknown {
            kind: KIND_EXP,
            data: [&EXID[..], &c[..]].concat(),
        };
        assert_eq!(cookie(&syn(vec![exp])), Some(&c[..]));
        let other = TcpOption::Unknown {
            kind: KIND_EXP,
            data: vec![0x12, 0x34, 1],
        };
        assert_eq!(cookie(&syn(vec![other])), None);
        assert!(syn_text_allowed(&syn(vec![TcpOption::Unknown {
            kind: KIND,
            data: c
        }])));
        let request = TcpOption::Unknown {
            kind: KIND,
            data: vec![],
        };
        assert!(!syn_text_allowed(&syn(vec![request])));
        assert!(!syn_text_allowed(&syn(vec![])));
    }

    #[test]
    fn only_all_of_the_syn_text_is_acknowledged_by_fast_open() {
        let irs = SeqNumber(u32::MAX - 3);
        assert!(synack_acks_syn_text(irs, 10, irs.add(11)));
        assert!(!synack_acks_syn_text(irs, 10, irs.add(5)));
        assert!(!synack_acks_syn_text(irs, 0, irs.add(1)));
    }
}
