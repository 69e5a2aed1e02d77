//! SYN-RECEIVED reached from SYN-SENT: a simultaneous open (RFC 9293 §3.5
//! Figure 7; §3.10.7.3 fourth check: a SYN without ACK in SYN-SENT). The
//! target answers the crossing SYN with `<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>`;
//! the peer's SYN-ACK, or its ACK, completes the handshake. Line form (see
//! `lines.rs`): `<` to the target, `>` from it.

use crate::oracle::tests::lines::{expect_findings, rfc, SYN_SENT};
use crate::oracle::tests::*;

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn crossing_syn_acks_complete_a_simultaneous_open() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        state SYN-RECEIVED
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        state ESTABLISHED
        write(3, ..., 10) = 10
        > P. 1:11(10) ack 1 win 64240
        < . 1:1(0) ack 11 win 65535
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn the_peer_syn_ack_may_come_before_the_target_syn_ack() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        < S. 0:0(0) ack 1 win 65535 <mss 1460>
        state ESTABLISHED
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_plain_ack_completes_a_simultaneous_open() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240 <mss 1460,TS val 100 ecr 0>
        < S 0:0(0) win 65535 <mss 1460,TS val 700 ecr 0>
        > S. 0:0(0) ack 1 win 64240 <mss 1460,TS val 101 ecr 700>
        < . 1:1(0) ack 1 win 65535 <TS val 701 ecr 101>
        state ESTABLISHED
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; iss-changed (RFC 9293 §3.4).
#[test]
fn a_simultaneous_open_syn_ack_at_another_iss_violates() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        > S. 7:7(0) ack 1 win 64240 <mss 1460>
        ",
        &["5 iss-changed"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; syn-ack-acks-isn (RFC 9293 §3.10.7.2).
#[test]
fn a_simultaneous_open_syn_ack_acknowledging_the_peer_isn_itself_violates() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 0 win 64240 <mss 1460>
        ",
        &["5 syn-ack-acks-isn"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; wscale-without-offer (RFC 7323 §2.2).
#[test]
fn a_simultaneous_open_syn_ack_with_wscale_the_peer_did_not_offer_violates() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:0(0) win 64240 <mss 1460,wscale 7>
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 7>
        ",
        &["5 wscale-without-offer"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; data-before-established (RFC 9293 §3.10.2).
#[test]
fn a_simultaneous_open_syn_ack_with_data_violates() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:10(10) ack 1 win 64240 <mss 1460>
        ",
        &["5 data-before-established"],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn a_rst_at_rcv_nxt_refuses_a_simultaneous_open() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < R 1:1(0) win 0
        state CLOSED
        ",
        &[],
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; rst-for-rst (RFC 9293 §3.5.2).
#[test]
fn a_rst_answering_the_rst_that_refused_a_simultaneous_open_violates() {
    rfc(
        SYN_SENT,
        "
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < R 1:1(0) win 0
        > R 1:1(0) win 0
        ",
        &["7 rst-for-rst"],
    );
}
