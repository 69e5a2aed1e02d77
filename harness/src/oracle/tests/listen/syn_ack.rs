//! LISTEN → SYN-RECEIVED → ESTABLISHED (RFC 9293 §3.5, §3.10.7.2): the
//! SYN-ACK's numbers, a SYN-ACK with no SYN to answer, no data before the
//! handshake completes, the MSS option only on a SYN. In line form (see
//! `lines.rs`), each test asserting the exact set of findings. MSS sizes
//! are in `options/mss_bound.rs`, ISS changes and SYN data in
//! `syn_received/`.

use crate::oracle::tests::lines::{expect_findings, ESTABLISHED};
use crate::oracle::tests::*;

fn rfc(sequence: &str, expected: &[&str]) -> Vec<Finding> {
    expect_findings(Profile::rfc9293(), sequence, expected)
}

// ---- syn-ack-acks-isn ----

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn listen_the_syn_ack_acknowledges_the_isn_plus_one() {
    rfc(
        "0 < S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         state SYN-RECEIVED",
        &[],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; syn-ack-acks-isn (RFC 9293 §3.10.7.2).
#[test]
fn listen_a_syn_ack_with_a_wrong_ack_violates() {
    let f = rfc(
        "0 < S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 5 win 64240 <mss 1460>",
        &["2 syn-ack-acks-isn"],
    );
    assert!(
        f[0].message.contains(&format!("expected ack {}", r(1))),
        "{}",
        f[0]
    );
    assert!(f[0].is_failure());
}

// ---- syn-ack-without-syn ----

/// LISTEN: RFC 9293 §3.10.7.2; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn a_syn_ack_to_a_peer_that_sent_no_syn_violates() {
    rfc("0 > S. 0:0(0) ack 1 win 64240", &["1 syn-ack-without-syn"]);
}

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn established_a_repeated_syn_ack_is_a_harmless_retransmission() {
    rfc(
        &format!("{ESTABLISHED}> S. 0:0(0) ack 1 win 64240 <mss 1460>"),
        &[],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn established_a_syn_ack_with_new_numbers_violates() {
    rfc(
        &format!("{ESTABLISHED}> S. 500:500(0) ack 1 win 64240"),
        &["5 syn-ack-without-syn"],
    );
}

// ---- data-before-established ----

/// LISTEN: RFC 9293 §3.10.7.2; data-before-established (RFC 9293 §3.10.2).
#[test]
fn syn_received_data_on_the_syn_ack_violates() {
    rfc(
        "0 < S 0:0(0) win 65535
         > S. 0:5(5) ack 1 win 64240 <mss 1460>",
        &["2 data-before-established"],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; data-before-established (RFC 9293 §3.10.2).
#[test]
fn syn_received_data_before_the_final_ack_violates() {
    rfc(
        "0 < S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         > P. 1:6(5) ack 1 win 64240",
        &["3 data-before-established"],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn established_data_after_the_final_ack_is_allowed() {
    rfc(&format!("{ESTABLISHED}> P. 1:6(5) ack 1 win 64240"), &[]);
}

// ---- mss-on-non-syn ----

/// LISTEN: RFC 9293 §3.10.7.2; mss-on-non-syn (RFC 9293 §3.2, MUST-65).
#[test]
fn established_an_mss_option_on_an_ack_violates() {
    let f = rfc(
        &format!("{ESTABLISHED}> . 1:1(0) ack 1 win 64240 <mss 1460>"),
        &["5 mss-on-non-syn"],
    );
    assert_eq!(f[0].requirement, "MUST-65");
}
