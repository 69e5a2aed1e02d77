//! CLOSED after LAST-ACK (RFC 9293 §3.10.7.4 fifth check in LAST-ACK, §3.10.7.1): the
//! duplicate ACK for out-of-order data, and a LAST-ACK closed by a FIN segment.

use crate::oracle::tests::lines::{rfc, LAST_ACK};
use crate::oracle::tests::*;

// ---- after LAST-ACK: the duplicate ACK for out-of-order data ----

/// LAST-ACK (the target's FIN at l(1), RCV.NXT r(2)), then 10 octets at
/// r(50), out of order, whose ACK acknowledges the target's FIN: the ACK
/// closes the connection, the text draws a duplicate ACK (fuzz campaign 8,
/// segment-on-closed-connection: smoltcp sends both).
///
/// As lines: 2 to 9; a test's lines start at line 10.
const LAST_ACK_CLOSED_BY_OUT_OF_ORDER_DATA: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < F. 1:1(0) ack 1 win 65535
    > . 1:1(0) ack 2 win 64240
    > F. 1:1(0) ack 2 win 64240
    < P. 50:60(10) ack 2 win 65535
    state CLOSED
";

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_out_of_order_data_may_send_one_duplicate_ack() {
    rfc(
        LAST_ACK_CLOSED_BY_OUT_OF_ORDER_DATA,
        "> . 2:2(0) ack 2 win 64240
         > . 2:2(0) ack 2 win 64240",
        &["11 segment-on-closed-connection"],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_out_of_order_data_then_data_violates() {
    rfc(
        LAST_ACK_CLOSED_BY_OUT_OF_ORDER_DATA,
        "> P. 2:5(3) ack 2 win 64240",
        &["10 segment-on-closed-connection"],
    );
}

/// LAST-ACK: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn last_ack_closed_by_in_order_ack_allows_no_ack_after() {
    rfc(
        LAST_ACK,
        "< . 2:2(0) ack 2 win 65535
         > . 2:2(0) ack 2 win 64240",
        &["9 segment-on-closed-connection"],
    );
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
