//! Segment builders several test files share (the harness's own segments
//! unless a name says otherwise); fixtures are in `mod.rs`, line openers in
//! `lines.rs`.

use crate::oracle::tests::*;

pub(in crate::oracle::tests) fn text(seq: SeqNumber, ack: SeqNumber, n: usize) -> Segment {
    Segment {
        seq,
        ack,
        flags: PSH | ACK,
        payload: vec![b't'; n],
        ..send_tmpl()
    }
}

pub(in crate::oracle::tests) fn rst(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        flags: RST,
        ..send_tmpl()
    }
}

/// The target's RST for an ACK-bearing segment once TIME-WAIT is over: <SEQ=SEG.ACK>.
pub(in crate::oracle::tests) fn rst_at(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: SeqNumber(0),
        flags: RST,
        window: 0,
        ..recv_tmpl()
    }
}

/// A length byte of 1: illegal (RFC 9293 §3.1).
pub(in crate::oracle::tests) fn bad_option() -> TcpOption {
    TcpOption::Malformed(vec![9, 1, 0, 0])
}

/// SACK with a length byte of 2 (smoltcp's parser drops the segment).
pub(in crate::oracle::tests) fn short_sack() -> TcpOption {
    TcpOption::Unknown {
        kind: 5,
        data: Vec::new(),
    }
}
