//! LISTEN / SYN-RECEIVED: before any SYN-ACK, a repeated SYN at the same
//! sequence number but with other options may be the one the target opened
//! the connection with (it dropped the first: smoltcp still had the earlier
//! connection on the tuple, a LAST-ACK whose closing ACK it had ignored).
//! The SYN-ACK's options decide which SYN it answers (RFC 7323 §2.2: no
//! Window Scale in a SYN-ACK to a SYN without one; fuzz campaign 10
//! wscale-without-offer-b934c80e…). Every sequence in line form (see
//! `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn syn_ack_with_wscale_answers_a_repeated_syn_that_offered_it() {
    expect_findings(
        Profile::smoltcp(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        < S 0:0(0) win 65535 <mss 1460,wscale 7>
        > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 0>
        state SYN-RECEIVED
        ",
        &[],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; wscale-without-offer (RFC 7323 §2.2).
#[test]
fn syn_ack_with_wscale_when_no_syn_offered_it_violates() {
    expect_findings(
        Profile::smoltcp(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        < S 0:0(0) win 65535 <mss 1000>
        > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 0>
        ",
        &["4 wscale-without-offer"],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn syn_ack_that_fits_the_first_syn_answers_it() {
    // The first SYN offered Window Scale, the repeated one did not: a
    // SYN-ACK with it answers the first, and the scale holds after.
    expect_findings(
        Profile::smoltcp(),
        "
        0 < S 0:0(0) win 65535 <mss 1460,wscale 7>
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 2>
        < . 1:1(0) ack 1 win 65535
        state ESTABLISHED
        ",
        &[],
    );
}
