//! SYN-RECEIVED (RFC 9293 §3.10.7.4 second check): a RST at RCV.NXT returns a passive
//! open to LISTEN.

use crate::oracle::tests::*;

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_rst_at_rcv_nxt_returns_to_listen() {
    let mut t = syn_received();
    send!(
        t,
        Segment {
            seq: r(1),
            flags: RST,
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty());
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
            seq: l(9),
            ack: r(101),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
}
