//! CLOSED after LAST-ACK (RFC 9293 §3.10.7.4 fifth check in LAST-ACK, §3.10.7.1): the
//! duplicate ACK for out-of-order data, and a LAST-ACK closed by a FIN segment.

use crate::oracle::tests::*;

// ---- after LAST-ACK: the duplicate ACK for out-of-order data ----

/// LAST-ACK (the target's FIN at l(1), RCV.NXT r(2)), then 10 octets at
/// r(50), out of order, whose ACK acknowledges the target's FIN: the ACK
/// closes the connection, the text draws a duplicate ACK (fuzz campaign 8,
/// segment-on-closed-connection: smoltcp sends both).
fn last_ack_closed_by_out_of_order_data() -> T {
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(50),
            ack: l(2),
            flags: PSH | ACK,
            payload: vec![b'o'; 10],
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty(), "the ACK of its FIN closed it");
    t
}

fn duplicate_ack() -> Segment {
    Segment {
        seq: l(2),
        ack: r(2),
        ..recv_tmpl()
    }
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_out_of_order_data_may_send_one_duplicate_ack() {
    let mut t = last_ack_closed_by_out_of_order_data();
    recv!(t, duplicate_ack());
    recv!(t, duplicate_ack(), RuleId::SegmentOnClosedConnection);
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_out_of_order_data_then_data_violates() {
    let mut t = last_ack_closed_by_out_of_order_data();
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(2),
            flags: PSH | ACK,
            payload: vec![b'y'; 3],
            ..recv_tmpl()
        },
        RuleId::SegmentOnClosedConnection
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_in_order_ack_allows_no_ack_after() {
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
    recv!(t, duplicate_ack(), RuleId::SegmentOnClosedConnection);
}

// ---- after LAST-ACK closed by a FIN segment ----

/// LAST-ACK, closed by a FIN segment that acknowledges the target's FIN
/// (RFC 9293 §3.10.7.4: the ACK comes first), then an ACK of that FIN to
/// what is LISTEN again: <SEQ=SEG.ACK><CTL=RST> is owed.
fn ack_after_fin_segment_closed_last_ack() -> T {
    let mut t = last_ack();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty());
    send!(
        t,
        Segment {
            seq: r(3),
            ack: l(2),
            ..send_tmpl()
        }
    );
    t
}

/// LAST-ACK: RFC 9293 §3.10.7.4.
#[test]
fn ack_after_fin_segment_closed_last_ack_draws_the_listen_rst() {
    let mut t = ack_after_fin_segment_closed_last_ack();
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: SeqNumber(0),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(ms(2000)));
}

/// LAST-ACK: RFC 9293 §3.10.7.4; rst-not-sent (RFC 9293 §3.10.7.1); fin-segment-ack-ignored
/// (RFC 9293 §3.10.7.4).
#[test]
fn silence_after_fin_segment_closed_last_ack_is_the_ignored_fin_segment() {
    // Fuzz campaign 8 (rst-not-sent, 15 inputs): smoltcp dropped the FIN
    // segment, stayed in LAST-ACK and took the later ACK silently.
    let mut t = ack_after_fin_segment_closed_last_ack();
    let f = t.wait(ms(2000));
    assert!(f.iter().all(|f| f.rule != RuleId::RstNotSent), "{f:#?}");
    expect_rule(f, RuleId::FinSegmentAckIgnored);
}
