//! SYN-SENT (RFC 9293 §3.10.7.3): the active open's handshake with `Segment` literals.

use crate::oracle::tests::*;

// ---- the target's active open (SYN-SENT) ----

/// SYN-SENT: RFC 9293 §3.10.7.3.
#[test]
fn syn_sent_active_open_completes_and_data_flows() {
    let mut t = listen();
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    t.now += Duration::from_secs(1);
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            ack: l(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        }
    );
}

/// SYN-SENT: RFC 9293 §3.10.7.3; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn syn_sent_ack_beyond_the_peer_syn_violates() {
    let mut t = listen();
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            ack: l(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            ..recv_tmpl()
        },
        RuleId::AckOfUnsentData
    );
}
