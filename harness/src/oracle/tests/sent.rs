//! What the harness has "sent", for ack-of-unsent-data: only segments the
//! target could accept (RFC 9293 §3.10.7.4 Table 6) count, since nothing
//! else can move its RCV.NXT. From fuzz findings (ack-of-unsent-data, 29
//! inputs): a chain of junk segments, each less than 2^31 ahead of the
//! last, walked the harness's SND.MAX round the sequence circle until it lay
//! behind the real data, and the target's ACK of RCV.NXT was flagged.

use super::*;

/// Far outside the window (RCV.NXT is r(1), RCV.WND 64240): unacceptable.
fn junk(seq: SeqNumber, len: usize, flags: TcpFlags) -> Segment {
    Segment {
        seq,
        ack: l(1),
        flags,
        window: 1,
        payload: vec![b'j'; len],
        ..send_tmpl()
    }
}

#[test]
fn junk_far_outside_the_window_does_not_count_as_sent() {
    let mut t = established();
    // Each piece less than 2^31 ahead of the last, as the fuzzer found them:
    // without the window test, the harness's SND.MAX ends behind RCV.NXT.
    send!(t, junk(r(1_155_674_705), 75, TcpFlags::empty()));
    send!(t, junk(r(3_221_225_473), 1355, ACK));
    // The ACK owed for the unacceptable segments, at RCV.NXT.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
}

#[test]
fn ack_past_in_window_data_is_still_ack_of_unsent_data_after_junk() {
    let mut t = established();
    send!(t, junk(r(1_155_674_705), 75, TcpFlags::empty()));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    // The junk did not count as sent: an ACK past the 10 octets is of unsent data.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(12),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
}

#[test]
fn data_inside_the_window_out_of_order_counts_as_sent() {
    let mut t = established();
    // A hole at r(1)..r(11), then the data after it: acceptable, queued.
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'y'; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    // The hole filled: the target acknowledges both.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(21),
            ..recv_tmpl()
        }
    );
}
