//! SYN-RECEIVED (RFC 9293 §3.10.7.4 fifth check): an unacceptable ACK draws
//! <SEQ=SEG.ACK><CTL=RST> and the handshake goes on.

use crate::oracle::tests::*;

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_bad_final_ack_draws_rst_and_the_handshake_can_still_complete() {
    let mut t = syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(50),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(50),
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
    assert_eq!(t.states(), vec![TcpState::Established]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn syn_received_bad_final_ack_answered_with_wrong_rst_violates() {
    let mut t = syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(50),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstListenNumbers
    );
}
