//! CLOSED (RFC 9293 §3.10.7.1): a segment to no connection, and the RST it draws.

mod droppable_segments;
mod rst_replies;
mod rsts_after_optional_ones;

use crate::oracle::tests::*;

pub(in crate::oracle::tests) fn to_closed() -> Segment {
    Segment {
        dst_port: CLOSED_PORT,
        ..send_tmpl()
    }
}

pub(in crate::oracle::tests) fn from_closed() -> Segment {
    Segment {
        src_port: CLOSED_PORT,
        window: 0,
        ..recv_tmpl()
    }
}

/// A Timestamps option of length 8: illegal too, but smoltcp 0.14 takes it
/// for an unknown option and processes the segment.
pub(in crate::oracle::tests) fn short_timestamps() -> TcpOption {
    TcpOption::Unknown {
        kind: 8,
        data: vec![0x88, 0xaf, 8, 8, 8, 8],
    }
}

pub(in crate::oracle::tests) fn rst(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: SeqNumber(0),
        flags: RST,
        ..from_closed()
    }
}
