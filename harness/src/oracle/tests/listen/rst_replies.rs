//! LISTEN (RFC 9293 §3.10.7.2): an ACK draws <SEQ=SEG.ACK><CTL=RST>, a RST nothing,
//! a SYN with a bad checksum nothing.

use crate::oracle::tests::lines::{rfc, LISTEN};
use crate::oracle::tests::*;

// ---- rst-listen-numbers ----

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn listen_ack_draws_rst_with_seq_of_seg_ack() {
    rfc(
        LISTEN,
        "< . 1:1(0) ack 5 win 65535
         > R 5:5(0) win 0",
        &[],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn listen_ack_answered_with_wrong_seq_violates() {
    rfc(
        LISTEN,
        "< . 1:1(0) ack 5 win 65535
         > R 6:6(0) win 64240",
        &["3 rst-listen-numbers"],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; reply-to-rst (RFC 9293 §3.10.7.1).
#[test]
fn listen_rst_answered_by_an_ack_violates() {
    rfc(
        LISTEN,
        "< R. 1:1(0) ack 1 win 65535
         > . 1:1(0) ack 1 win 64240",
        &["3 reply-to-rst"],
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; bad-checksum-accepted (RFC 9293 §3.1, MUST-3).
#[test]
fn listen_syn_ack_for_a_syn_with_bad_checksum_violates() {
    let mut t = listen();
    let bad = Segment {
        seq: REMOTE_SEQ,
        flags: SYN,
        ..send_tmpl()
    };
    t.oracle.on_corrupt_to_target(t.now, &bad);
    expect_none(t.wait(Duration::from_secs(2)));
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            ..recv_tmpl()
        },
        RuleId::BadChecksumAccepted
    );
}
