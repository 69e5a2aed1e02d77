//! A RST at the SYN's sequence number plus one after the application closed
//! in SYN-RECEIVED and a segment with a duplicate ACK (the ISS) brought text:
//! a target in FIN-WAIT-1 (RFC 9293 §3.10.4) ignores the ACK and takes the
//! text and FIN (§3.10.7.4), so RCV.NXT may lie past the text and the RST
//! need not be at RCV.NXT (MUST-11 binds only there). Campaign 8,
//! segment-on-closed-connection crash-34c466a2… and crash-9ef3fa07…:
//! smoltcp took the text, dropped the RST, then acknowledged the text.

use super::*;

/// SYN-RECEIVED (smoltcp profile), the application closed, then `payload`
/// octets at `seq` with `ack l(0)`, the ISS (with a FIN when `fin`).
fn duplicate_ack_text_after_close(seq: SeqNumber, payload: usize, fin: bool) -> T {
    let mut t = syn_received_with(Profile::smoltcp());
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    send!(
        t,
        Segment {
            seq,
            ack: l(0),
            flags: if fin { FIN | PSH | ACK } else { PSH | ACK },
            payload: vec![b'x'; payload],
            ..send_tmpl()
        }
    );
    t
}

fn rst(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        flags: RST,
        ..send_tmpl()
    }
}

/// The target's ACK in FIN-WAIT-1 or CLOSING (smoltcp: from ISS+1).
fn ack_of(ack: SeqNumber) -> Segment {
    Segment {
        seq: l(1),
        ack,
        ..recv_tmpl()
    }
}

#[test]
fn rst_at_syn_plus_one_after_text_with_a_duplicate_ack_may_be_dropped() {
    // The reduced sequence of crash-34c466a2…: text and a FIN from r(0).
    let mut t = duplicate_ack_text_after_close(r(0), 62, true);
    send!(t, rst(r(1)));
    // Reset or not: the model keeps both (`maybe_reset`).
    assert!(
        t.states().contains(&TcpState::SynReceived),
        "{:?}",
        t.states()
    );
    // The target took the text and the FIN: RCV.NXT r(63), the RST was
    // below it; CLOSING.
    recv!(t, ack_of(r(63)));
    assert_eq!(t.states(), vec![TcpState::Closing]);
}

#[test]
fn rst_at_syn_plus_one_after_text_with_a_duplicate_ack_may_reset() {
    // A target still in SYN-RECEIVED dropped the text: the RST was at
    // RCV.NXT and it returned to LISTEN, sending nothing more on it.
    let mut t = duplicate_ack_text_after_close(r(1), 10, false);
    send!(t, rst(r(1)));
    expect_none(t.wait(ms(5000)));
}

#[test]
fn rst_at_the_text_end_after_a_duplicate_ack_may_reset() {
    // In FIN-WAIT-1 with the text taken, RCV.NXT is r(11): MUST-11 there.
    let mut t = duplicate_ack_text_after_close(r(1), 10, false);
    send!(t, rst(r(11)));
    expect_none(t.wait(ms(5000)));
}

#[test]
fn rst_at_syn_plus_one_after_out_of_order_text_still_resets() {
    // The text begins past r(1): taken by neither, RCV.NXT is r(1), the RST
    // is exact (MUST-11), and a segment after it is on no connection.
    let mut t = duplicate_ack_text_after_close(r(5), 10, false);
    send!(t, rst(r(1)));
    recv!(t, ack_of(r(1)), RuleId::SegmentOnClosedConnection);
}

#[test]
fn rst_at_rcv_nxt_after_the_target_acknowledged_the_text_still_resets() {
    // The target's ACK r(11) shows where RCV.NXT is: a RST there is exact.
    let mut t = duplicate_ack_text_after_close(r(1), 10, false);
    recv!(t, ack_of(r(11)));
    send!(t, rst(r(11)));
    recv!(t, ack_of(r(11)), RuleId::SegmentOnClosedConnection);
}
