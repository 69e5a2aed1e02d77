//! LISTEN (RFC 9293 §3.10.7.2): an ACK draws <SEQ=SEG.ACK><CTL=RST>, a RST nothing,
//! a SYN with a bad checksum nothing.

use crate::oracle::tests::*;

// ---- rst-listen-numbers ----

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn listen_ack_draws_rst_with_seq_of_seg_ack() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(5),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(5),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(Duration::from_secs(5)));
}

/// LISTEN: RFC 9293 §3.10.7.2; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn listen_ack_answered_with_wrong_seq_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(5),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(6),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstListenNumbers
    );
}

/// LISTEN: RFC 9293 §3.10.7.2; reply-to-rst (RFC 9293 §3.10.7.1).
#[test]
fn listen_rst_answered_by_an_ack_violates() {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: RST | ACK,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        },
        RuleId::ReplyToRst
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
