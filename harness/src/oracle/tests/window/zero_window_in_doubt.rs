//! A zero window the target may or may not have taken forks the model
//! (`Oracle::zero_window_unknown`): a window update with no new ACK,
//! acceptable for some RCV.NXT candidates only (a SYN's text queued or
//! dropped). In the copy that took it the send window is zero, so a
//! one-octet probe past the edge is allowed (RFC 9293 §3.8.6.1); more is
//! beyond the window in both copies.

use crate::oracle::tests::*;

/// ESTABLISHED after a SYN with 10 octets of text (RCV.NXT r(1) or
/// r(11)), the target's data `l(1)..l(145)` sent, an ACK of l(33) every
/// candidate accepts (seq r(11)) leaving the edge at l(145), then the same
/// ACK with a zero window at r(1), acceptable only if RCV.NXT is r(1).
fn zero_window_update_maybe_taken() -> T {
    let mut t = syn_received_after_syn_data(Profile::rfc9293());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 144,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![b'd'; 144],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(33),
            window: 112,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(33),
            window: 0,
            ..send_tmpl()
        }
    );
    t.now += ms(1000);
    t
}

/// RFC 9293 §3.8.6.
#[test]
fn one_octet_probe_after_a_window_update_the_target_may_have_taken() {
    let mut t = zero_window_update_maybe_taken();
    recv!(
        t,
        Segment {
            seq: l(145),
            ack: r(1),
            payload: vec![b'd'],
            ..recv_tmpl()
        }
    );
}

/// RFC 9293 §3.8.6; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn two_octets_after_a_window_update_the_target_may_have_taken_are_beyond_the_window() {
    let mut t = zero_window_update_maybe_taken();
    recv!(
        t,
        Segment {
            seq: l(145),
            ack: r(1),
            payload: vec![b'd'; 2],
            ..recv_tmpl()
        },
        RuleId::DataBeyondWindow
    );
}
