//! An ACK that reaches SYN-RECEIVED before the oracle has seen the target's
//! SYN-ACK (on a real clock the fuzz driver may build it first, with a stray
//! ACK number). From differential fuzzing against Linux
//! (segment-on-closed-connection): Linux answered the unacceptable ACK with
//! <SEQ=SEG.ACK><CTL=RST> and stayed in SYN-RECEIVED (RFC 9293 §3.10.7.4,
//! fifth check), but the oracle, which owed nothing for an ACK it could not
//! judge, took that RST as the end of the connection. Now such an ACK is
//! processed once the SYN-ACK is seen.

use super::*;

/// SYN in; then, before the SYN-ACK is seen, an ACK of `ack`.
fn ack_before_syn_ack(ack: SeqNumber) -> T {
    let mut t = listen_with(Profile::linux());
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack,
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
    t
}

/// The right final ACK, 10 octets, and the target's ACK of them.
fn complete_and_send_data(t: &mut T) {
    send!(
        *t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
    send!(
        *t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
}

#[test]
fn rst_answering_an_early_bad_ack_keeps_syn_received() {
    let mut t = ack_before_syn_ack(l(1000));
    recv!(
        t,
        Segment {
            seq: l(1000),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
    complete_and_send_data(&mut t);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        }
    );
}

#[test]
fn an_early_right_ack_completes_the_handshake_once_the_syn_ack_is_seen() {
    let mut t = ack_before_syn_ack(l(1));
    assert_eq!(t.states(), vec![TcpState::Established]);
    expect_none(t.wait(ms(5_000)));
}

#[test]
fn an_early_bad_ack_without_a_rst_violates() {
    let mut t = ack_before_syn_ack(l(1000));
    expect_rule(t.wait(ms(5_000)), RuleId::RstNotSent);
}

#[test]
fn rst_with_other_numbers_after_an_early_bad_ack_has_wrong_numbers() {
    let mut t = ack_before_syn_ack(l(1000));
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        },
        RuleId::RstListenNumbers
    );
}
