//! A RST at the SYN's sequence number plus one after the application closed
//! in SYN-RECEIVED and a segment with a duplicate ACK (the ISS) brought text:
//! a target in FIN-WAIT-1 (RFC 9293 §3.10.4) ignores the ACK and takes the
//! text and FIN (§3.10.7.4), so RCV.NXT may lie past the text and the RST
//! need not be at RCV.NXT (MUST-11 binds only there). Campaign 8,
//! segment-on-closed-connection crash-34c466a2… and crash-9ef3fa07…:
//! smoltcp took the text, dropped the RST, then acknowledged the text.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::segments::rst;
use crate::oracle::tests::*;

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

/// The target's ACK in FIN-WAIT-1 or CLOSING (smoltcp: from ISS+1).
fn ack_of(ack: SeqNumber) -> Segment {
    Segment {
        seq: l(1),
        ack,
        ..recv_tmpl()
    }
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
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

/// The same in line form: SYN-RECEIVED, close, `text` (a `<` line with
/// `ack 0`, the ISS), then `rest`.
fn after_close_and(text: &str, rest: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        close(4) = 0
        {text}
        {rest}
        "
    )
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn rst_at_syn_plus_one_after_text_with_a_duplicate_ack_may_reset() {
    // A target still in SYN-RECEIVED dropped the text: the RST was at
    // RCV.NXT and it returned to LISTEN, sending nothing more on it.
    let seq = after_close_and("< P. 1:11(10) ack 0 win 65535", "< R 1:1(0) win 65535");
    expect_findings(Profile::smoltcp(), &seq, &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn rst_at_the_text_end_after_a_duplicate_ack_may_reset() {
    // In FIN-WAIT-1 with the text taken, RCV.NXT is 11: MUST-11 there.
    let seq = after_close_and("< P. 1:11(10) ack 0 win 65535", "< R 11:11(0) win 65535");
    expect_findings(Profile::smoltcp(), &seq, &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn rst_at_syn_plus_one_after_out_of_order_text_still_resets() {
    // The text begins past 1: taken by neither, RCV.NXT is 1, the RST is
    // exact (MUST-11), and a segment after it is on no connection.
    let seq = after_close_and(
        "< P. 5:15(10) ack 0 win 65535",
        "< R 1:1(0) win 65535
        > . 1:1(0) ack 1 win 64240",
    );
    expect_findings(
        Profile::smoltcp(),
        &seq,
        &["7 segment-on-closed-connection"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn rst_at_rcv_nxt_after_the_target_acknowledged_the_text_still_resets() {
    // The target's ACK 11 shows where RCV.NXT is: a RST there is exact.
    let seq = after_close_and(
        "< P. 1:11(10) ack 0 win 65535",
        "> . 1:1(0) ack 11 win 64240
        < R 11:11(0) win 65535
        > . 1:1(0) ack 11 win 64240",
    );
    expect_findings(
        Profile::smoltcp(),
        &seq,
        &["8 segment-on-closed-connection"],
    );
}
