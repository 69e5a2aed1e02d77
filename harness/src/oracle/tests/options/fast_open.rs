//! TCP Fast Open (RFC 7413, `oracle/tfo.rs`): data on the target's SYN with
//! a cookie, and a SYN-ACK acknowledging the harness's SYN data, are not
//! findings; without a cookie, or acknowledging part of it, they still are.
//! Every sequence in line form (see `lines.rs`): `<` to the target, `>`
//! from it.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// RFC 7413.
#[test]
fn the_target_may_send_data_on_its_syn_with_a_cookie() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:10(10) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO abcd1234,nop,nop>
        < S. 0:0(0) ack 11 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8>
        > . 11:11(0) ack 1 win 502
        ",
        &[],
    );
}

/// RFC 7413; data-before-established (RFC 9293 §3.10.2).
#[test]
fn data_on_the_targets_syn_without_a_cookie_is_still_a_finding() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:10(10) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO,nop,nop>
        ",
        &["3 data-before-established"],
    );
}

/// RFC 7413.
#[test]
fn a_server_that_rejects_the_cookie_acks_the_syn_alone_and_the_data_is_sent_again() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:10(10) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO abcd1234,nop,nop>
        < S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8>
        > P. 1:11(10) ack 1 win 502
        < . 1:1(0) ack 11 win 260
        ",
        &[],
    );
}

/// RFC 7413.
#[test]
fn a_syn_ack_may_acknowledge_all_of_the_syns_data() {
    expect_findings(
        Profile::rfc9293(),
        "
        < S 0:10(10) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>
        > S. 0:0(0) ack 11 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        < . 11:11(0) ack 1 win 260
        ",
        &[],
    );
}

/// RFC 7413; syn-ack-acks-isn (RFC 9293 §3.10.7.2).
#[test]
fn a_syn_ack_acknowledging_part_of_the_syns_data_is_a_finding() {
    expect_findings(
        Profile::rfc9293(),
        "
        < S 0:10(10) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>
        > S. 0:0(0) ack 5 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        ",
        &["3 syn-ack-acks-isn"],
    );
}

/// RFC 7413.
#[test]
fn a_server_that_took_the_syns_data_may_send_before_the_handshake_completes() {
    expect_findings(
        Profile::rfc9293(),
        "
        < S 0:10(10) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>
        > S. 0:0(0) ack 11 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        > P. 1:101(100) ack 11 win 502
        ",
        &[],
    );
}

/// RFC 7413; data-before-established (RFC 9293 §3.10.2).
#[test]
fn a_server_that_did_not_take_the_syns_data_may_not() {
    expect_findings(
        Profile::rfc9293(),
        "
        < S 0:10(10) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8>
        > S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        > P. 1:101(100) ack 1 win 502
        ",
        &["4 data-before-established"],
    );
}

/// packetdrill's `fastopen/server/*/basic-zero-payload`: a SYN with a
/// cookie and no data, a SYN-ACK with no cookie of the target's (it took
/// the cookie), and the server's data before the handshake completes.
///
/// RFC 7413.
#[test]
fn a_server_that_took_the_cookie_may_send_before_the_handshake_completes() {
    expect_findings(
        Profile::rfc9293(),
        "
        < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,FO 3021b9d889017eeb,nop,nop>
        > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>
        > P. 1:101(100) ack 1 win 65535
        < . 1:1(0) ack 101 win 5840
        ",
        &[],
    );
}

/// A server that answers the cookie with a cookie of its own did not take
/// it (RFC 7413 §4.2.2): its data before the handshake completes is
/// still a finding.
#[test]
fn a_server_that_answered_with_its_own_cookie_may_not() {
    expect_findings(
        Profile::rfc9293(),
        "
        < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,FO 3021b9d889017eeb,nop,nop>
        > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,FO abcd1234abcd1234,nop,nop>
        > P. 1:101(100) ack 1 win 65535
        ",
        &["4 data-before-established"],
    );
}

/// packetdrill's `fastopen/client/simultaneous-fast-open`: the target's
/// SYN carried 1000 octets with its cookie, the harness's SYN crossed it,
/// and in SYN-RECEIVED the harness acknowledges 999 of them: SND.UNA <
/// SEG.ACK =< SND.NXT, acceptable (RFC 9293 §3.10.7.4), so ESTABLISHED and
/// no RST (the model took only ISS+1 as acceptable: `rst-not-sent`).
#[test]
fn in_a_simultaneous_open_an_ack_of_the_syns_data_is_acceptable() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:1000(1000) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>
        < S 0:500(500) win 14600 <mss 1040,nop,nop,sackOK,nop,wscale 6,FO 87654321,nop,nop>
        > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8>
        < P. 1:501(500) ack 1000 win 257
        > . 1001:1001(0) ack 501 win 1050
        ",
        &[],
    );
}

/// packetdrill's `fastopen/client/synack-data` TEST2: a SYN-ACK with data
/// and FIN completes the active open; the target's ACK of all of it (the
/// FIN too) is the ACK the SYN-ACK is owed.
///
/// RFC 7413.
#[test]
fn a_syn_ack_with_data_and_fin_is_acknowledged() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 connect(3, ..., ...) = 0
        > S 0:1000(1000) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>
        < SF. 0:1400(1400) ack 1001 win 5840 <mss 1040,nop,nop,sackOK,nop,wscale 6>
        > . 1001:1001(0) ack 1402 win 1049
        +2 < . 1402:1402(0) ack 1001 win 257
        ",
        &[],
    );
}
