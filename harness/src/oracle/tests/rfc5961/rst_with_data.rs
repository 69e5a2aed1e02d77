//! A RST whose sequence number is outside the window but whose data reaches
//! into it passes the RFC 9293 §3.10.7.4 acceptability test (SEG.LEN > 0):
//! RFC 793 (and smoltcp) reset on it, RFC 5961 §3.2 drops it. Resetting is
//! `rst-in-window-resets`: a deviation under the smoltcp profile, a
//! violation under the strict one.

use crate::oracle::tests::lines::{expect_after, SYN_RECEIVED};
use crate::oracle::tests::*;

/// A RST one octet below RCV.NXT carrying `len` octets of data.
fn rst_below_with_data(rcv_nxt: u32, len: usize) -> Segment {
    Segment {
        seq: r(rcv_nxt - 1),
        flags: RST,
        payload: vec![b'r'; len],
        ..send_tmpl()
    }
}

/// The target answers the harness's next ACK as LISTEN would: it was reset.
fn ack_then_listen_rst(t: &mut T) -> Finding {
    send!(
        *t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    recv!(
        *t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstInWindowResets
    )
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn smoltcp_established_reset_by_rst_with_data_into_the_window_is_a_deviation() {
    let mut t = established_with(Profile::smoltcp());
    send!(t, rst_below_with_data(1, 10));
    assert!(t.states().contains(&TcpState::Closed));
    let f = ack_then_listen_rst(&mut t);
    assert!(f.deviation.is_some(), "{f}");
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_reset_by_rst_with_data_into_the_window_violates_rfc5961() {
    let mut t = established();
    send!(t, rst_below_with_data(1, 10));
    let f = ack_then_listen_rst(&mut t);
    assert_eq!(f.deviation, None);
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_rst_with_data_into_the_window_dropped_is_allowed() {
    let mut t = established();
    send!(t, rst_below_with_data(1, 10));
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![b'y'; 5],
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn established_rst_with_data_before_the_window_may_not_reset() {
    // Seq and data both below RCV.NXT: out of the window by any reading.
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(0).sub(20),
            flags: RST,
            payload: vec![b'r'; 10],
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn smoltcp_syn_received_back_to_listen_on_in_window_rst_then_new_iss_is_a_deviation() {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(5),
            flags: RST,
            ..send_tmpl()
        }
    );
    // smoltcp went back to LISTEN: a new SYN gets a SYN-ACK with a new ISS.
    send!(
        t,
        Segment {
            seq: r(1000),
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(7000),
            ack: r(1001),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        },
    );
    assert!(
        f.iter().all(|f| f.deviation.is_some()),
        "expected only deviations, got: {f:#?}"
    );
    expect_rule(f, RuleId::RstInWindowResets);
}

/// RFC 9293 §3.10.7.4, RFC 5961; iss-changed (RFC 9293 §3.4).
#[test]
fn syn_received_new_iss_without_any_reset_is_still_caught() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED,
        "> S. 7000:7000(0) ack 1 win 64240 <mss 1460>",
        &["4 iss-changed"],
    );
}
