//! A SYN's data may be queued or dropped (RFC 9293 §3.10.7.2), so RCV.NXT
//! is a range until the target shows which. A harness FIN inside that range
//! is taken for one candidate and old for the other: the target's ACK of it
//! decides (fuzz finding crash-9876b4a7…, smoltcp drops a SYN's data).

use super::*;

/// SYN-RECEIVED after a SYN carrying 10 octets, ESTABLISHED by the final ACK.
fn established_after_syn_with_data() -> T {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            payload: vec![b's'; 10],
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

/// 4 octets and a FIN from RCV.NXT if the SYN's data was dropped (FIN at r(5),
/// inside the range r(1)..=r(11)).
fn data_and_fin() -> Segment {
    Segment {
        seq: r(1),
        ack: l(1),
        flags: FIN | PSH | ACK,
        payload: vec![b'd'; 4],
        ..send_tmpl()
    }
}

#[test]
fn fin_inside_the_syn_data_range_is_taken_when_the_target_acks_it() {
    let mut t = established_after_syn_with_data();
    send!(t, data_and_fin());
    assert_eq!(t.states(), vec![TcpState::Established], "not decided yet");
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(6),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::CloseWait]);
    // Its own FIN then makes LAST-ACK; the harness's ACK closes it; a new SYN
    // on the tuple draws a SYN-ACK.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(6),
            flags: FIN | ACK,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::LastAck]);
    send!(
        t,
        Segment {
            seq: r(6),
            ack: l(2),
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty(), "LAST-ACK acknowledged: CLOSED");
    send!(
        t,
        Segment {
            seq: r(100),
            flags: SYN,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1000),
            ack: r(101),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
}

#[test]
fn fin_inside_the_syn_data_range_not_acked_leaves_the_state_open() {
    let mut t = established_after_syn_with_data();
    send!(t, data_and_fin());
    // The target ACKs the SYN's data instead: it queued it, the FIN was old.
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
}

#[test]
fn syn_ack_in_close_wait_reached_through_the_range_is_a_violation() {
    let mut t = established_after_syn_with_data();
    send!(t, data_and_fin());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(6),
            ..recv_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1000),
            ack: r(6),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        },
        RuleId::SynAckWithoutSyn
    );
}
