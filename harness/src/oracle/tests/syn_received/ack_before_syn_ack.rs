//! An ACK that reaches SYN-RECEIVED before the oracle has seen the target's
//! SYN-ACK (on a real clock the fuzz driver may build it first, with a stray
//! ACK number). From differential fuzzing against Linux
//! (segment-on-closed-connection): Linux answered the unacceptable ACK with
//! <SEQ=SEG.ACK><CTL=RST> and stayed in SYN-RECEIVED (RFC 9293 §3.10.7.4,
//! fifth check), but the oracle, which owed nothing for an ACK it could not
//! judge, took that RST as the end of the connection. Now such an ACK is
//! processed once the SYN-ACK is seen.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// SYN in; then, before the SYN-ACK is seen, an ACK of `ack`; the SYN-ACK;
/// then `rest` (Linux's profile): exactly `findings`.
#[track_caller]
fn expect(ack: u32, rest: &str, findings: &[&str]) {
    let seq = format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        < . 1:1(0) ack {ack} win 65535
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        {rest}
        "
    );
    expect_findings(Profile::linux(), &seq, findings);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn rst_answering_an_early_bad_ack_keeps_syn_received() {
    expect(
        1000,
        "> R 1000:1000(0) win 0
        state SYN-RECEIVED
        < . 1:1(0) ack 1 win 65535
        state ESTABLISHED
        < P. 1:11(10) ack 1 win 65535
        > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn an_early_right_ack_completes_the_handshake_once_the_syn_ack_is_seen() {
    expect(1, "state ESTABLISHED", &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn an_early_bad_ack_without_a_rst_violates() {
    expect(1000, "", &["end rst-not-sent"]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn rst_with_other_numbers_after_an_early_bad_ack_has_wrong_numbers() {
    expect(1000, "> R 1:1(0) win 0", &["5 rst-listen-numbers"]);
}
