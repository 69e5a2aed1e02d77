//! ESTABLISHED (RFC 9293 §3.10.7.4 second and fourth checks; RFC 5961 §3.2, §4.2): a RST
//! at RCV.NXT resets, one in the window draws a challenge ACK, so does a SYN.

use crate::oracle::tests::lines::{expect_after, rfc, ESTABLISHED_DATA};
use crate::oracle::tests::*;

// ---- RFC 5961: rst-in-window-resets / challenge-ack-* / rst-at-rcv-nxt-ignored ----

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_in_window_rst_draws_challenge_ack_and_connection_lives() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(15),
            flags: RST,
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established, TcpState::Closed]);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            payload: vec![1; 5],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(16),
            ..recv_tmpl()
        }
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn established_in_window_rst_that_resets_violates_under_rfc9293() {
    let judged = expect_after(
        Profile::rfc9293(),
        ESTABLISHED_DATA,
        "< R 15:15(0) win 65535
         < . 11:16(5) ack 1 win 65535
         > R 1:1(0) win 64240",
        &["9 rst-in-window-resets"],
    );
    let f = judged.finding("9 rst-in-window-resets");
    assert!(f.is_failure());
    assert!(
        f.message
            .contains(&format!("seq {} not at RCV.NXT {}", r(15), r(11))),
        "{f}"
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; challenge-ack-numbers (RFC 9293 §3.10.7.4, RFC 5961 §3.2);
/// ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn established_challenge_ack_with_wrong_numbers_violates() {
    rfc(
        ESTABLISHED_DATA,
        "< R 15:15(0) win 65535
         > . 1:1(0) ack 15 win 64240",
        &["8 challenge-ack-numbers", "8 ack-of-unsent-data"],
    );
}

/// The first challenge ACK of a burst is a MUST (RFC 5961 §3.2; no
/// throttle, §7, explains its absence): `challenge.rs`.
#[test]
fn established_missing_first_challenge_ack_is_a_must_failure() {
    let judged = expect_after(
        Profile::rfc9293(),
        ESTABLISHED_DATA,
        "< R 15:15(0) win 65535",
        &["end challenge-ack-not-sent"],
    );
    let f = judged.finding("end challenge-ack-not-sent");
    assert!(f.is_failure());
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_rst_at_rcv_nxt_resets_silently() {
    rfc(
        ESTABLISHED_DATA,
        "< R 11:11(0) win 65535
         state CLOSED
         +5.001 < . 11:16(5) ack 1 win 65535
         > R 1:1(0) win 64240",
        &[],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn established_rst_at_rcv_nxt_ignored_violates() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(11),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            payload: vec![1; 5],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(16),
            ..recv_tmpl()
        },
        RuleId::RstAtRcvNxtIgnored
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_syn_draws_challenge_ack() {
    rfc(
        ESTABLISHED_DATA,
        "< S 5:5(0) win 65535
         > . 1:1(0) ack 11 win 64240
         state ESTABLISHED",
        &[],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn established_syn_answered_by_rst_violates_under_rfc9293() {
    rfc(
        ESTABLISHED_DATA,
        "< S 12:12(0) win 65535
         > R 1:1(0) win 64240",
        &["8 syn-in-window-resets"],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_syn_ack_from_the_peer_draws_a_bare_challenge_ack() {
    rfc(
        ESTABLISHED_DATA,
        "// Linux's behaviour too: a SYN-ACK on an open connection gets an ACK.
         < S. 500:500(0) ack 1 win 65535
         > . 1:1(0) ack 11 win 64240",
        &[],
    );
}

/// A SYN with a new ISN on the connection's 4-tuple, and smoltcp's SYN-ACK
/// for it with a new ISS: the old connection is gone.
fn new_syn_and_syn_ack(t: &mut T, irs: SeqNumber, iss: SeqNumber) -> Vec<Finding> {
    send!(
        *t,
        Segment {
            seq: irs,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: iss,
            ack: irs.add(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        },
    )
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn established_in_window_rst_then_new_syn_opens_a_fresh_connection_under_smoltcp() {
    // The fuzz campaign's `ack-went-backwards`: smoltcp resets on an in-window
    // RST (profile deviation), then answers a new SYN with a new ISS.
    let mut t = established_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(5),
            flags: RST,
            ..send_tmpl()
        }
    );
    let f = new_syn_and_syn_ack(&mut t, SeqNumber(7), SeqNumber(1000));
    assert!(
        f.iter()
            .all(|x| x.rule == RuleId::RstInWindowResets && x.deviation.is_some()),
        "{f:#?}"
    );
    assert_eq!(f.len(), 1);
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
    // The fresh connection: final ACK, then data from the new ISS.
    send!(
        t,
        Segment {
            seq: SeqNumber(8),
            ack: SeqNumber(1001),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: SeqNumber(1001),
            ack: SeqNumber(8),
            payload: b"hi".to_vec(),
            ..recv_tmpl()
        }
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn established_in_window_rst_then_syn_ack_for_new_syn_violates_under_rfc9293() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(5),
            flags: RST,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    // The challenge ACK showed the connection alive: a SYN-ACK for a new SYN is wrong.
    let f = new_syn_and_syn_ack(&mut t, SeqNumber(7), SeqNumber(1000));
    expect_rule(f, RuleId::SynAckWithoutSyn);
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn rst_possibly_at_rcv_nxt_acking_unsent_data_then_new_syn_is_a_fresh_connection() {
    // The campaign's `fin-moved`: after a SYN with data (RCV.NXT ambiguous), a
    // RST that may be at RCV.NXT and whose ACK field covers unsent data (it is
    // irrelevant: §3.10.7.4 second check comes before the ACK), then a new SYN.
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            payload: vec![7; 20],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
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
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(500),
            flags: RST | ACK,
            payload: vec![1; 33],
            ..send_tmpl()
        }
    );
    let f = new_syn_and_syn_ack(&mut t, r(40), SeqNumber(1000));
    expect_none(f);
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

/// RFC 9293 §3.10.7.4, RFC 5961; syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn established_rst_after_possible_reset_and_a_syn_is_rfc_793s_reset_on_the_syn() {
    // A SYN that is not answered by a SYN-ACK leaves the connection as it
    // was: a later RST from the target is a violation either way, RFC
    // 793's reset on the SYN in the model the in-window RST did not reset
    // (the first, whose finding is reported), or on the RST in the other.
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(5),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: SeqNumber(7),
            flags: SYN,
            ..send_tmpl()
        }
    );
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        },
        RuleId::SynInWindowResets
    );
    assert!(f.deviation.is_none());
}
