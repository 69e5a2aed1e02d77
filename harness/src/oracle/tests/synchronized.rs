//! ESTABLISHED and the other synchronized states: window, RFC 5961, old
//! ACKs (RFC 9293 §3.10.7.4). The ACK field, acceptability and the target's
//! sequence space are in `established.rs`, in line form.

use super::*;

// ---- data-beyond-window ----

#[test]
fn established_data_up_to_the_window_edge_is_allowed() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 100,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1; 100],
            ..recv_tmpl()
        }
    );
}

#[test]
fn established_data_past_the_window_violates() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 100,
            ..send_tmpl()
        }
    );
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1; 101],
            ..recv_tmpl()
        },
        RuleId::DataBeyondWindow
    );
    assert!(f.message.contains(&format!("right edge {}", l(101))), "{f}");
}

#[test]
fn established_one_byte_zero_window_probe_is_allowed() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 0,
            ..send_tmpl()
        }
    );
    // The first probe waits a retransmission timeout (SHLD-29, `zero-window-probe-early`).
    t.now += RFC_MIN_RTO;
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1],
            ..recv_tmpl()
        }
    );
    t.now += Duration::from_secs(3);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1],
            ..recv_tmpl()
        }
    );
}

#[test]
fn established_two_byte_zero_window_probe_violates() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            window: 0,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1, 2],
            ..recv_tmpl()
        },
        RuleId::DataBeyondWindow
    );
}

// ---- RFC 5961: rst-in-window-resets / challenge-ack-* / rst-at-rcv-nxt-ignored ----

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

#[test]
fn established_in_window_rst_that_resets_violates_under_rfc9293() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(15),
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
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstInWindowResets
    );
    assert!(f.is_failure());
    assert!(
        f.message
            .contains(&format!("seq {} not at RCV.NXT {}", r(15), r(11))),
        "{f}"
    );
}

#[test]
fn established_challenge_ack_with_wrong_numbers_violates() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(15),
            flags: RST,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(15),
            ..recv_tmpl()
        },
        RuleId::ChallengeAckNumbers,
        also[RuleId::AckOfUnsentData]
    );
}

/// The first challenge ACK of a burst is a MUST (RFC 5961 §3.2; no
/// throttle, §7, explains its absence): `challenge.rs`.
#[test]
fn established_missing_first_challenge_ack_is_a_must_failure() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(15),
            flags: RST,
            ..send_tmpl()
        }
    );
    let f = expect_rule(t.wait(Duration::from_secs(2)), RuleId::ChallengeAckNotSent);
    assert!(f.is_failure());
}

#[test]
fn established_rst_at_rcv_nxt_resets_silently() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(11),
            flags: RST,
            ..send_tmpl()
        }
    );
    assert!(t.states().is_empty());
    expect_none(t.wait(Duration::from_secs(5)));
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
            flags: RST,
            ..recv_tmpl()
        }
    );
}

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

#[test]
fn established_syn_draws_challenge_ack() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(5),
            flags: SYN,
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
    assert_eq!(t.states(), vec![TcpState::Established]);
}

#[test]
fn established_syn_answered_by_rst_violates_under_rfc9293() {
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(12),
            flags: SYN,
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
        RuleId::SynInWindowResets
    );
}

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

// ---- old-ack-data-dropped ----

/// ESTABLISHED after the target sent 5 octets and the harness ACKed them.
fn established_after_target_data() -> T {
    let mut t = established();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: PSH | ACK,
            payload: vec![1; 5],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(6),
            ..send_tmpl()
        }
    );
    t
}

#[test]
fn established_data_with_a_duplicate_ack_is_accepted() {
    let mut t = established_after_target_data();
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
            seq: l(6),
            ack: r(11),
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(Duration::from_secs(2)));
}

#[test]
fn established_data_with_a_duplicate_ack_dropped_warns() {
    let mut t = established_after_target_data();
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    let f = expect_rule(t.wait(Duration::from_secs(1)), RuleId::OldAckDataDropped);
    assert_eq!(f.level, Level::Should);
}

#[test]
fn established_syn_ack_from_the_peer_draws_a_bare_challenge_ack() {
    // Linux's behaviour too: a SYN-ACK on an open connection gets an ACK.
    let mut t = established_with_data();
    send!(
        t,
        Segment {
            seq: r(500),
            ack: l(1),
            flags: SYN | ACK,
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
    expect_none(t.wait(Duration::from_secs(2)));
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

#[test]
fn established_syn_after_possible_reset_keeps_the_rst_as_the_reason() {
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
