//! A bare FIN at RCV.NXT while the target announces a zero window: RFC 9293
//! §3.10.7.4 Table 6 finds a segment of length 1 unacceptable in a zero
//! window, but no MUST forbids taking it, and stacks do (Linux's
//! `tcp_data_queue` takes a bare FIN at RCV.NXT in a zero window; smoltcp
//! 0.14 measures a segment by its payload in the window test, so a bare FIN
//! at RCV.NXT is acceptable to it). The target's ACK of the FIN decides
//! (fuzz: syn-ack-without-syn 35, syn-in-window-resets of campaign 11: the
//! model dropped such a FIN, so after a close it had FIN-WAIT-1, then
//! FIN-WAIT-2 on the ACK of the target's FIN, where the target, in LAST-ACK,
//! closed and answered a new SYN with a SYN-ACK).

use crate::oracle::tests::lines::{rfc, ESTABLISHED};
use crate::oracle::tests::*;

/// ESTABLISHED, the target's window closed at r(1), then a bare FIN at r(1).
fn fin_in_zero_window(profile: Profile) -> T {
    let mut t = established_with(profile);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            window: 0,
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    t
}

/// The application closes; the target's FIN at l(1) acknowledges `ack`.
fn close_and_fin(t: &mut T, ack: SeqNumber) {
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    recv!(
        *t,
        Segment {
            seq: l(1),
            ack,
            flags: FIN | ACK,
            window: 0,
            ..recv_tmpl()
        }
    );
}

/// The harness acknowledges the target's FIN.
fn ack_target_fin(t: &mut T) {
    send!(
        *t,
        Segment {
            seq: r(2),
            ack: l(2),
            ..send_tmpl()
        }
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn bare_fin_taken_in_a_zero_window_makes_last_ack_after_a_close() {
    for profile in [Profile::rfc9293(), Profile::smoltcp()] {
        let mut t = fin_in_zero_window(profile);
        close_and_fin(&mut t, r(2));
        assert_eq!(t.states(), vec![TcpState::LastAck]);
        ack_target_fin(&mut t);
        assert!(t.states().is_empty(), "{:?}", t.states());
        // The port listens again: a new SYN's SYN-ACK answers it.
        send!(
            t,
            Segment {
                seq: r(100),
                flags: SYN,
                ..send_tmpl()
            }
        );
        recv!(
            t,
            Segment {
                seq: l(5000),
                ack: r(101),
                flags: SYN | ACK,
                options: vec![TcpOption::Mss(1460)],
                ..recv_tmpl()
            }
        );
    }
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn bare_fin_dropped_in_a_zero_window_makes_fin_wait_1_after_a_close() {
    let mut t = fin_in_zero_window(Profile::rfc9293());
    close_and_fin(&mut t, r(1));
    assert_eq!(t.states(), vec![TcpState::FinWait1]);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::FinWait2]);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn syn_ack_in_fin_wait_2_after_a_dropped_zero_window_fin_is_still_caught() {
    let mut t = fin_in_zero_window(Profile::rfc9293());
    close_and_fin(&mut t, r(1));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::FinWait2]);
    recv!(
        t,
        Segment {
            seq: l(5000),
            ack: r(1),
            flags: SYN | ACK,
            ..recv_tmpl()
        },
        RuleId::SynAckWithoutSyn
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4); unacceptable-ack-numbers
/// (RFC 9293 §3.10.7.4).
#[test]
fn fin_past_rcv_nxt_in_a_zero_window_is_not_taken() {
    rfc(
        ESTABLISHED,
        "> . 1:1(0) ack 1 win 0
         < F. 2:2(0) ack 1 win 65535
         > . 1:1(0) ack 3 win 0",
        &["7 ack-of-unsent-data", "7 unacceptable-ack-numbers"],
    );
}
