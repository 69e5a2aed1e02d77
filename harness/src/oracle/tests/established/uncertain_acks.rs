//! Harness segments the target may or may not have taken (a FIN segment a
//! stack drops before using its ACK, an ACK acceptable for some RCV.NXT
//! candidates only, data after an event that may have reset the
//! connection): what the target sends next is judged by every reading.
//! Fuzz: `data-beyond-window` and `ack-delayed-too-long` of campaigns 8
//! and 9 (smoltcp 0.14).

use crate::oracle::tests::lines::{expect_after, rfc};
use crate::oracle::tests::*;

/// CLOSE-WAIT, the harness window 144 filled by the target's data
/// `l(1)..l(145)`: SND.NXT l(145), nothing acknowledged.
fn close_wait_window_full() -> T {
    let mut t = close_wait();
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(1),
            window: 144,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            payload: vec![b'd'; 144],
            ..recv_tmpl()
        }
    );
    t
}

/// An ACK below the model's SND.UNA (`ack l(33)`) opening the window, after
/// `moved_by` moved SND.UNA to l(145) with a zero window.
fn old_ack_opens_window(t: &mut T, moved_by: TcpFlags) {
    send!(
        *t,
        Segment {
            seq: r(2),
            ack: l(145),
            flags: moved_by,
            window: 0,
            ..send_tmpl()
        }
    );
    send!(
        *t,
        Segment {
            seq: r(2),
            ack: l(33),
            window: 37008,
            ..send_tmpl()
        }
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn window_of_an_old_ack_counts_after_a_fin_segment_the_target_may_have_dropped() {
    // smoltcp drops a FIN segment in CLOSE-WAIT before using its ACK
    // (fin-segment-ack-ignored): its SND.UNA stays l(1), so `ack l(33)` is
    // new to it and opens the window; it sends on past l(145).
    let mut t = close_wait_window_full();
    old_ack_opens_window(&mut t, FIN | ACK);
    recv!(
        t,
        Segment {
            seq: l(145),
            ack: r(2),
            payload: vec![b'd'; 200],
            ..recv_tmpl()
        }
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn window_of_an_old_ack_is_ignored_after_a_plain_ack_moved_snd_una() {
    // The same ACK after a segment every stack takes: it is a duplicate
    // (RFC 9293 §3.10.7.4), the window stays zero, the data is beyond it.
    let mut t = close_wait_window_full();
    old_ack_opens_window(&mut t, ACK);
    recv!(
        t,
        Segment {
            seq: l(145),
            ack: r(2),
            payload: vec![b'd'; 200],
            ..recv_tmpl()
        },
        RuleId::DataBeyondWindow
    );
}

/// SYN-RECEIVED (profile smoltcp): a SYN-ACK, which draws an optional
/// `<SEQ=l(1)><CTL=RST>`, then an in-window RST not at RCV.NXT (smoltcp
/// resets on it: back to LISTEN), then the handshake's ACK with 15 octets.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const DATA_AFTER_A_RST_THAT_MAY_HAVE_RESET: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < S. 1:1(0) ack 1 win 65535
    < R 48:48(0) win 65535
    < . 1:16(15) ack 1 win 65535
";

/// SYN-RECEIVED (profile smoltcp): a SYN-ACK, which draws an optional
/// `<SEQ=l(1)><CTL=RST>`, then an in-window RST not at RCV.NXT (smoltcp
/// resets on it: back to LISTEN), then the handshake's ACK with 15 octets.
fn data_after_a_rst_that_may_have_reset() -> T {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(48),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: vec![b'x'; 15],
            ..send_tmpl()
        }
    );
    t
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn no_ack_owed_for_data_after_a_rst_that_may_have_reset_the_connection() {
    // smoltcp, back in LISTEN, answers the ACK with <SEQ=SEG.ACK><CTL=RST>:
    // the same numbers as the RST the SYN-ACK may draw, so the model cannot
    // tell which it is; a reset target owes no ACK for the data.
    let mut t = data_after_a_rst_that_may_have_reset();
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(ms(600)));
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn data_after_a_rst_that_may_have_reset_is_owed_an_ack_once_the_target_shows_it_is_alive() {
    expect_after(
        Profile::smoltcp(),
        DATA_AFTER_A_RST_THAT_MAY_HAVE_RESET,
        "// An ACK shows the connection survived the RST: its data then must be
         // acknowledged within 0.5 s (MUST-40).
         > . 1:1(0) ack 1 win 64240",
        &["end ack-delayed-too-long"],
    );
}

/// ESTABLISHED, the target sent `l(1)..l(11)`; the harness's FIN then
/// acknowledges one octet more (`ack l(12)`): RFC 9293 §3.10.7.4 (fifth
/// check) drops the segment, FIN and all; smoltcp takes any ACK within its
/// send buffer, and the FIN with it.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const FIN_WITH_AN_ACK_OF_UNSENT_DATA: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > . 1:11(10) ack 1 win 64240
    < F. 1:1(0) ack 12 win 65535
";

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn fin_on_an_ack_of_unsent_data_is_followed_when_the_target_acknowledges_it() {
    rfc(
        FIN_WITH_AN_ACK_OF_UNSENT_DATA,
        "> . 11:11(0) ack 2 win 64240
         state CLOSE-WAIT
         // CLOSE-WAIT ignores text (seventh check): no ACK is owed for it.
         < P. 2:12(10) ack 11 win 65535",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn fin_on_an_ack_of_unsent_data_the_target_dropped_leaves_the_connection_established() {
    rfc(
        FIN_WITH_AN_ACK_OF_UNSENT_DATA,
        "// Its next data at SND.NXT, still acknowledging r(1): it dropped the
         // segment (and did not take the ACK of l(12)).
         > . 11:21(10) ack 1 win 64240
         state ESTABLISHED
         // The data then is in order and owed an ACK within 0.5 s (MUST-40).
         < P. 1:11(10) ack 21 win 65535",
        &["end ack-delayed-too-long"],
    );
}

/// SYN-RECEIVED, the application closed (RFC 9293 §3.10.4: FIN-WAIT-1),
/// then 10 octets and a FIN with `ack l(0)`, the ISS: a duplicate ACK,
/// which FIN-WAIT-1 ignores before taking the text and the FIN.
fn fin_with_a_duplicate_ack_after_close_in_syn_received() -> T {
    let mut t = syn_received();
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(0),
            flags: FIN | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    t
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn fin_after_close_in_syn_received_with_a_duplicate_ack_is_followed_into_closing() {
    let mut t = fin_with_a_duplicate_ack_after_close_in_syn_received();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(12),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Closing]);
    // The handshake's ACK with text past the FIN: ignored in CLOSING.
    send!(
        t,
        Segment {
            seq: r(12),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'y'; 10],
            ..send_tmpl()
        }
    );
    let late = t.wait(ms(600));
    assert!(
        !late.iter().any(|f| f.rule == RuleId::AckDelayedTooLong),
        "{late:#?}"
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn segment_with_a_duplicate_ack_after_close_in_syn_received_not_taken_leaves_syn_received() {
    let mut t = fin_with_a_duplicate_ack_after_close_in_syn_received();
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
    // Its text is not owed an ACK: only the handshake's ACK brings it in.
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'y'; 10],
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
    expect_rule(t.wait(ms(600)), RuleId::AckDelayedTooLong);
}
