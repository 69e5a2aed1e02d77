//! A SYN-ACK from the harness in SYN-RECEIVED (RFC 9293 §3.10.7.4): the
//! fourth check returns a passive open to LISTEN silently; an RFC 793 stack
//! resets (smoltcp: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>); a stack that
//! checks the ACK first sends <SEQ=SEG.ACK><CTL=RST> and stays.

use crate::oracle::tests::lines::{expect_after, rfc, SYN_RECEIVED};
use crate::oracle::tests::*;

fn syn_ack_from_harness() -> Segment {
    Segment {
        seq: r(1),
        ack: l(1),
        flags: SYN | ACK,
        ..send_tmpl()
    }
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_syn_ack_answered_by_rst_ack_is_allowed() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED,
        "// smoltcp's answer.
         < S. 1:1(0) ack 1 win 65535
         > R. 1:1(0) ack 1 win 64240
         state CLOSED",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_syn_ack_answered_by_nothing_is_allowed() {
    rfc(SYN_RECEIVED, "< S. 1:1(0) ack 1 win 65535", &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_syn_ack_answered_by_fifth_check_rst_keeps_the_handshake() {
    let mut t = syn_received();
    send!(t, syn_ack_from_harness());
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::Established));
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn syn_received_bad_ack_without_syn_still_owes_the_rst() {
    rfc(
        SYN_RECEIVED,
        "< . 1:1(0) ack 50 win 65535",
        &["end rst-not-sent"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; data-before-established (RFC 9293 §3.10.2).
#[test]
fn syn_received_syn_ack_answered_by_data_is_still_caught() {
    rfc(
        SYN_RECEIVED,
        "< S. 1:1(0) ack 1 win 65535
         > . 1:5(4) ack 1 win 64240",
        &["5 data-before-established"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_optional_rst_is_not_the_reason_for_another_rst() {
    rfc(
        SYN_RECEIVED,
        "// The target's SYN-ACK crosses its RST,ACK: the RST is an RFC 793
         // reset, not a wrong answer to the optional fifth-check RST.
         < S. 1:1(0) ack 1 win 65535
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         > R. 1:1(0) ack 1 win 64240",
        &[],
    );
}
