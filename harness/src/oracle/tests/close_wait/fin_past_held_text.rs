//! A FIN the model is unsure of (inside the RCV.NXT range a SYN's data
//! leaves) with text past it that the target may hold out of order: smoltcp
//! 0.14 counts the FIN after all it holds (`ack-of-unsent-data`, waived as
//! `smoltcp-fin-acked-past-queued-data`) and goes to CLOSE-WAIT. The model
//! follows, so that its FIN, the close and a new connection on the tuple
//! are judged as such (fuzz campaign 10: syn-ack-without-syn,
//! syn-in-window-resets after the model stayed in FIN-WAIT-2). Where the
//! target had closed first, that FIN makes CLOSING (last section).

use crate::oracle::tests::lines::{expect_after, ESTABLISHED};
use crate::oracle::tests::*;

/// ESTABLISHED after a SYN carrying 10 octets (RCV.NXT r(1) if dropped,
/// r(11) if queued), then text r(5)..r(20): in order for the high
/// candidate, held out of order by a target that dropped the SYN's data,
/// which answers with a duplicate ACK.
///
/// As lines: 2 to 5; a test's lines start at line 6.
const ESTABLISHED_HOLDING_TEXT: &str = "
    0 < S 0:10(10) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < P. 5:20(15) ack 1 win 65535
    > . 1:1(0) ack 1 win 64240
";

/// ESTABLISHED after a SYN carrying 10 octets (RCV.NXT r(1) if dropped,
/// r(11) if queued), then text r(5)..r(20): in order for the high
/// candidate, held out of order by a target that dropped the SYN's data,
/// which answers with a duplicate ACK.
fn established_holding_text() -> T {
    let mut t = syn_received_after_syn_data(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(5),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'h'; 15],
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
    t
}

/// 4 octets and a FIN from r(1): the FIN at r(5), inside the range, before
/// the held text.
fn fin_before_held_text() -> Segment {
    Segment {
        seq: r(1),
        ack: l(1),
        flags: FIN | PSH | ACK,
        payload: vec![b'd'; 4],
        ..send_tmpl()
    }
}

/// The target's FIN, its ACK at `ack`.
pub(in crate::oracle::tests) fn target_fin(ack: SeqNumber) -> Segment {
    Segment {
        seq: l(1),
        ack,
        flags: FIN | ACK,
        ..recv_tmpl()
    }
}

/// After LAST-ACK closed: a new SYN on the tuple, and its SYN-ACK.
fn new_syn_is_answered(t: &mut T) {
    send!(
        *t,
        Segment {
            seq: r(5000),
            flags: SYN,
            ..send_tmpl()
        }
    );
    recv!(
        *t,
        Segment {
            seq: l(9000),
            ack: r(5001),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    // The main model closed LAST-ACK and opened this one; a copy that
    // did not take the FIN (FIN-WAIT-2) may linger, contradicted.
    assert_eq!(t.states()[0], TcpState::SynReceived, "{:?}", t.states());
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn fin_counted_past_all_the_harness_sent_is_taken_and_close_wait_follows() {
    let mut t = established_holding_text();
    send!(t, fin_before_held_text());
    assert_eq!(t.states(), vec![TcpState::Established], "not decided yet");
    // ACK r(21): the FIN counted after the held text r(5)..r(20).
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(21),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
    assert!(f.is_failure(), "the deviation is still reported: {f:#?}");
    assert_eq!(t.states()[0], TcpState::CloseWait, "{:?}", t.states());
    let f = t
        .oracle
        .on_segment(t.now + ms(1), Direction::FromTarget, &target_fin(r(21)));
    t.now += ms(1);
    assert!(
        f.iter().all(|f| f.rule == RuleId::AckOfUnsentData),
        "only the same ACK field again: {f:#?}"
    );
    assert_eq!(t.states()[0], TcpState::LastAck, "{:?}", t.states());
    send!(
        t,
        Segment {
            seq: r(21),
            ack: l(2),
            ..send_tmpl()
        }
    );
    new_syn_is_answered(&mut t);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn fin_counted_past_the_highest_rcv_nxt_candidate_is_taken_though_a_syn_came_later() {
    // Reduced from campaign 10 syn-ack-without-syn-0ff8bbd1…: an in-window
    // SYN past the text (challenge ACK, dropped) is nothing the target can
    // acknowledge, so the ACK one past the held text is still one past all
    // the harness sent.
    let mut t = established_holding_text();
    send!(
        t,
        Segment {
            seq: r(500),
            ack: l(1),
            flags: SYN,
            payload: vec![b'y'; 20],
            ..send_tmpl()
        }
    );
    send!(t, fin_before_held_text());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(21),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
    assert_eq!(t.states()[0], TcpState::CloseWait, "{:?}", t.states());
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn ack_at_the_fin_inside_the_range_is_conformant_and_takes_it() {
    // The target that did not hold the text (or purged it, as RFC 9293
    // §3.10.7.4 wants after a FIN) ACKs the FIN at its own place.
    let mut t = established_holding_text();
    send!(t, fin_before_held_text());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(6),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states()[0], TcpState::CloseWait, "{:?}", t.states());
    recv!(t, target_fin(r(6)));
    send!(
        t,
        Segment {
            seq: r(6),
            ack: l(2),
            ..send_tmpl()
        }
    );
    new_syn_is_answered(&mut t);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn ack_of_the_held_text_without_the_fin_leaves_the_connection_open() {
    expect_after(
        Profile::smoltcp(),
        ESTABLISHED_HOLDING_TEXT,
        "// A target that queued the SYN's data has RCV.NXT r(20): the FIN at r(5)
         // was old; its ACK r(20) is conformant and the FIN was not taken, so a
         // SYN-ACK on the tuple now is still a violation.
         < FP. 1:5(4) ack 1 win 65535
         > . 1:1(0) ack 20 win 64240
         state ESTABLISHED
         > S. 9000:9000(0) ack 20 win 64240 <mss 1460>",
        &["12 syn-ack-without-syn"],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4); challenge-ack-numbers
/// (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn ack_of_a_syns_sequence_number_in_established_acknowledges_nothing_sent() {
    // RFC 9293 §3.10.7.4 fourth check: a SYN in a synchronized state draws
    // a challenge ACK and is dropped; its sequence numbers are never taken.
    let mut t = established_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(100),
            ack: l(1),
            flags: SYN,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(101),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData,
        also[RuleId::ChallengeAckNumbers]
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn ack_of_text_that_came_without_ack_in_established_acknowledges_nothing_sent() {
    expect_after(
        Profile::smoltcp(),
        ESTABLISHED,
        "// RFC 9293 §3.10.7.4 fifth check: without the ACK bit the segment is
         // dropped; its text is never taken (campaign 9
         // syn-in-window-resets-2ca7e36a…: such text let a dropped-FIN branch
         // explain the ACK one past the held text).
         < P 1:21(20) win 65535
         > . 1:1(0) ack 21 win 64240",
        &["10 ack-of-unsent-data"],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn fin_counted_past_the_held_text_is_taken_though_text_without_ack_reached_further() {
    let mut t = established_holding_text();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: PSH,
            payload: vec![b'n'; 100],
            ..send_tmpl()
        }
    );
    send!(t, fin_before_held_text());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(21),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
    assert_eq!(t.states()[0], TcpState::CloseWait, "{:?}", t.states());
}

// ---- a FIN after the target's CLOSE, before its own FIN went out ----
// RFC 9293 §3.10.4: CLOSE in ESTABLISHED enters FIN-WAIT-1 at once, the FIN
// queued behind data not yet sent (here: the harness's zero window). A FIN
// then makes CLOSING, and the ACK of the target's FIN TIME-WAIT (campaign 10
// challenge-ack-numbers-80d7262c…: the model took CLOSE-WAIT, LAST-ACK, and
// judged the TIME-WAIT that followed as a closed connection).

/// As lines: 2 to 8; a test's lines start at line 9.
const CLOSED_BEHIND_A_ZERO_WINDOW: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < . 1:1(0) ack 1 win 0
    +0 write(4, ..., 10) = 10
    +0 close(4) = 0
    < F. 1:1(0) ack 1 win 0
";

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn fin_after_close_with_the_fin_still_queued_makes_closing_then_time_wait() {
    expect_after(
        Profile::smoltcp(),
        CLOSED_BEHIND_A_ZERO_WINDOW,
        "state CLOSING
         > . 1:1(0) ack 2 win 64240
         // The window opens: the data, then the FIN; the harness ACKs both.
         < . 2:2(0) ack 1 win 65535
         > P. 1:11(10) ack 2 win 64240
         > F. 11:11(0) ack 2 win 64240
         < . 2:2(0) ack 12 win 65535
         state TIME-WAIT
         // TIME-WAIT: a retransmitted FIN is ACKed, not answered by a RST.
         < F. 1:1(0) ack 12 win 65535
         > . 12:12(0) ack 2 win 64240",
        &[],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; data-after-fin (RFC 9293 §3.10.4); data-beyond-window (RFC
/// 9293 §3.8.6).
#[test]
fn data_after_its_fin_in_closing_is_still_a_violation() {
    expect_after(
        Profile::smoltcp(),
        CLOSED_BEHIND_A_ZERO_WINDOW,
        "> F. 1:1(0) ack 2 win 64240
         > P. 2:7(5) ack 2 win 64240",
        &["10 data-after-fin", "10 data-beyond-window"],
    );
}
