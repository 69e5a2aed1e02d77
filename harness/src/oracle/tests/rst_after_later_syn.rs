//! A RST in SYN-RECEIVED at the sequence number after a SYN that came after
//! the SYN-ACK (which acknowledged another): RCV.NXT only for a target that
//! went over to that SYN, so it may or may not return to LISTEN (fuzz
//! campaign 10 syn-ack-without-syn-13847eeb…: smoltcp ignored the SYN, had
//! RCV.NXT past the first one, dropped the RST, retransmitted its SYN-ACK).

use super::*;

/// SYN-RECEIVED (SYN-ACK seen), then a SYN at r(5000).
fn syn_received_then_a_later_syn() -> T {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(5000),
            flags: SYN,
            ..send_tmpl()
        }
    );
    t
}

fn rst(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        flags: RST,
        ..send_tmpl()
    }
}

/// The SYN-ACK retransmitted (RFC 6298: 1 s, then 2 s ...).
fn synack_again() -> Segment {
    Segment {
        seq: LOCAL_SEQ,
        ack: r(1),
        flags: SYN | ACK,
        options: vec![TcpOption::Mss(1460)],
        ..recv_tmpl()
    }
}

#[test]
fn rst_after_a_later_syn_may_be_dropped_and_the_syn_ack_retransmitted() {
    let mut t = syn_received_then_a_later_syn();
    send!(t, rst(r(5001)));
    t.now = ms(1000);
    recv!(t, synack_again());
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

#[test]
fn rst_after_a_later_syn_may_return_to_listen() {
    // The target went back to LISTEN on it: a fresh SYN then draws a
    // SYN-ACK with a new ISS.
    let mut t = syn_received_then_a_later_syn();
    send!(t, rst(r(5001)));
    send!(
        t,
        Segment {
            seq: r(9000),
            flags: SYN,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(7000),
            ack: r(9001),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
}

#[test]
fn rst_at_rcv_nxt_then_a_syn_ack_retransmission_is_still_a_violation() {
    let mut t = syn_received_then_a_later_syn();
    send!(t, rst(r(1)));
    t.now = ms(1000);
    recv!(t, synack_again(), RuleId::SynAckWithoutSyn);
}
