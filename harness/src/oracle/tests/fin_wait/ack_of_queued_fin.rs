//! After the application's close, an ACK of data the target has not sent
//! yet that covers its queued FIN too: smoltcp takes any ACK up to the end
//! of its send buffer (`smoltcp-ack-of-buffered-unsent-data`), so to it the
//! FIN is sent and acknowledged: FIN-WAIT-2, then TIME-WAIT on the peer's
//! FIN. The model follows once the target sends from that ACK (fuzz
//! campaigns 9 and 10: syn-in-window-resets-a4d44567…, -0479f545…, where
//! it stayed in CLOSING and took TIME-WAIT's end for a reset).

use crate::oracle::tests::*;

/// ESTABLISHED; the harness closes its window; the application writes 10
/// octets and closes (nothing of it sent: a zero window); the harness
/// ACKs `ack`, past all the target sent.
fn closed_with_an_unsent_ack(ack: SeqNumber) -> T {
    let mut t = established_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 0,
            ..send_tmpl()
        }
    );
    t.oracle.on_app(t.now, peer(), AppEvent::Write(10));
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    send!(
        t,
        Segment {
            seq: r(1),
            ack,
            ..send_tmpl()
        }
    );
    t
}

/// The target's ACK from SND.NXT `seq`.
fn ack_from(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: r(1),
        ..recv_tmpl()
    }
}

fn harness_fin(ack: SeqNumber) -> Segment {
    Segment {
        seq: r(1),
        ack,
        flags: FIN | ACK,
        ..send_tmpl()
    }
}

/// FIN-WAIT: RFC 9293 §3.10.7.4; seq-gap (RFC 9293 §3.3.1).
#[test]
fn unsent_ack_past_the_queued_fin_then_the_peers_fin_makes_time_wait() {
    // 10 octets and the FIN: l(1)..l(11), FIN at l(11), ACK l(12).
    let mut t = closed_with_an_unsent_ack(l(12));
    recv!(t, ack_from(l(12)), RuleId::SeqGap);
    assert_eq!(t.states(), vec![TcpState::FinWait2]);
    send!(t, harness_fin(l(12)));
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
    // TIME-WAIT: the FIN is ACKed, nothing else is sent.
    recv!(
        t,
        Segment {
            seq: l(12),
            ack: r(2),
            ..recv_tmpl()
        }
    );
}

/// FIN-WAIT: RFC 9293 §3.10.7.4; seq-gap (RFC 9293 §3.3.1).
#[test]
fn unsent_ack_of_the_data_only_leaves_the_fin_to_come() {
    let mut t = closed_with_an_unsent_ack(l(11));
    recv!(t, ack_from(l(11)), RuleId::SeqGap);
    send!(t, harness_fin(l(11)));
    assert_eq!(t.states(), vec![TcpState::Closing]);
    // Its FIN at l(11) is still to come, and conformant when it does.
    recv!(
        t,
        Segment {
            seq: l(11),
            ack: r(2),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Closing]);
}

/// FIN-WAIT: RFC 9293 §3.10.7.4; seq-gap (RFC 9293 §3.3.1); data-after-fin (RFC 9293 §3.10.4).
#[test]
fn data_after_the_fin_an_unsent_ack_covered_is_a_violation() {
    let mut t = closed_with_an_unsent_ack(l(12));
    recv!(t, ack_from(l(12)), RuleId::SeqGap);
    recv!(
        t,
        Segment {
            seq: l(12),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 5],
            ..recv_tmpl()
        },
        RuleId::DataAfterFin
    );
}
