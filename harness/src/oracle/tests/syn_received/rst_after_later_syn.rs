//! SYN-RECEIVED: a RST at the sequence number after a SYN that came after
//! the SYN-ACK (which acknowledged another): RCV.NXT only for a target that
//! went over to that SYN, so it may or may not return to LISTEN (RFC 9293
//! §3.10.7.4 first check; fuzz campaign 10 syn-ack-without-syn-13847eeb…:
//! smoltcp ignored the SYN, had RCV.NXT past the first one, dropped the
//! RST, retransmitted its SYN-ACK). Every sequence in line form (see
//! `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// SYN-RECEIVED (SYN-ACK seen), a SYN at 5000, then `rest`.
fn syn_received_then_a_later_syn(rest: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < S 5000:5000(0) win 65535
        {rest}
        "
    )
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn rst_after_a_later_syn_may_be_dropped_and_the_syn_ack_retransmitted() {
    let seq = syn_received_then_a_later_syn(
        "< R 5001:5001(0) win 65535
        1 > S. 0:0(0) ack 1 win 64240 <mss 1460>
        state SYN-RECEIVED",
    );
    expect_findings(Profile::smoltcp(), &seq, &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn rst_after_a_later_syn_may_return_to_listen() {
    // The target went back to LISTEN on it: a fresh SYN then draws a
    // SYN-ACK with a new ISS.
    let seq = syn_received_then_a_later_syn(
        "< R 5001:5001(0) win 65535
        < S 9000:9000(0) win 65535
        > S. 7000:7000(0) ack 9001 win 64240 <mss 1460>",
    );
    expect_findings(Profile::smoltcp(), &seq, &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn rst_at_rcv_nxt_then_a_syn_ack_retransmission_is_still_a_violation() {
    let seq = syn_received_then_a_later_syn(
        "< R 1:1(0) win 65535
        1 > S. 0:0(0) ack 1 win 64240 <mss 1460>",
    );
    expect_findings(Profile::smoltcp(), &seq, &["6 syn-ack-without-syn"]);
}
