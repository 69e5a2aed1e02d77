//! CLOSE in SYN-RECEIVED (RFC 9293 §3.10.4) with the FIN withheld, then the peer's FIN
//! (§3.10.7.4 eighth check): TIME-WAIT.

use crate::oracle::tests::*;

/// SYN-RECEIVED (smoltcp profile), and the application closes
/// (`close_in_syn_received.rs` has the plain cases, in line form).
pub(in crate::oracle::tests) fn closed_in_syn_received() -> T {
    let mut t = syn_received_with(Profile::smoltcp());
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    t
}

// From fuzz findings (campaign 8, syn-ack-without-syn, 45 inputs): after a
// close in SYN-RECEIVED smoltcp never sends its FIN, counts it acknowledged
// by the handshake's ACK (FIN-WAIT-2), goes to TIME-WAIT on the harness's
// FIN and, TIME-WAIT over, answers a new SYN with a fresh SYN-ACK. The model
// had it in CLOSE-WAIT, where that SYN-ACK answers nothing.

pub(in crate::oracle::tests) fn harness_fin() -> Segment {
    Segment {
        seq: r(1),
        ack: l(1),
        flags: FIN | ACK,
        ..send_tmpl()
    }
}

pub(in crate::oracle::tests) fn new_syn() -> Segment {
    Segment {
        seq: r(100_000),
        flags: SYN,
        ..send_tmpl()
    }
}

pub(in crate::oracle::tests) fn fresh_syn_ack() -> Segment {
    Segment {
        seq: l(5000),
        ack: r(100_001),
        flags: SYN | ACK,
        options: vec![TcpOption::Mss(1460)],
        ..recv_tmpl()
    }
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn close_in_syn_received_fin_withheld_then_peer_fin_leads_to_time_wait() {
    let mut t = closed_in_syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    send!(t, harness_fin());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    expect_rule(t.wait(ms(1_500)), RuleId::CloseFinMissing);
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
    expect_none(t.wait(ms(20_000)));
    send!(t, new_syn());
    recv!(t, fresh_syn_ack());
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn close_in_syn_received_fin_withheld_before_peer_fin_leads_to_time_wait() {
    let mut t = closed_in_syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    expect_rule(t.wait(ms(1_500)), RuleId::CloseFinMissing);
    send!(t, harness_fin());
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
}
