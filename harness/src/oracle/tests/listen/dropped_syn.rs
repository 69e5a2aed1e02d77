//! Branches a droppable segment left equal (RFC 9293 §3.1 MUST-7: a
//! segment with an illegal option length may be dropped or processed):
//! twins go, so that the branch the target really follows is not lost when
//! only `MAX_BRANCHES` fit (fuzz: wscale-without-offer, crash-e631c26b).

use crate::oracle::tests::*;

/// A length running past the option area: illegal (RFC 9293 §3.1).
fn bad_option() -> TcpOption {
    TcpOption::Malformed(vec![0x61, 0x62, 0x63, 0x64])
}

/// To LISTEN, as the fuzz target sent them: a SYN|FIN|RST, a segment with
/// no flags and an illegal option, and a SYN with data and an illegal
/// option offering no Window Scale, which the target drops (no SYN-ACK).
/// Then a SYN two octets on offering Window Scale 2, its TS option of the
/// wrong length (droppable as well), which the target takes.
fn second_syn_taken() -> T {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            flags: SYN | FIN | RST | PSH,
            payload: vec![b'a'; 763],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: TcpFlags::empty(),
            options: vec![TcpOption::SackPermitted, bad_option()],
            payload: vec![b'g'; 480],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::SackPermitted, bad_option()],
            payload: vec![b'g'; 962],
            ..send_tmpl()
        }
    );
    expect_none(t.wait(ms(2560)));
    send!(
        t,
        Segment {
            seq: r(2),
            flags: SYN,
            options: vec![
                TcpOption::Unknown {
                    kind: 8,
                    data: vec![8, 8, 8, 8, 0x69, 0, 0x0a]
                },
                TcpOption::Mss(24),
                TcpOption::SackPermitted,
                TcpOption::WindowScale(2),
            ],
            ..send_tmpl()
        }
    );
    t
}

fn syn_ack(options: Vec<TcpOption>) -> Segment {
    Segment {
        seq: LOCAL_SEQ,
        ack: r(3),
        flags: SYN | ACK,
        options,
        ..recv_tmpl()
    }
}

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn listen_syn_ack_for_a_second_syn_after_the_first_was_dropped_is_allowed() {
    let mut t = second_syn_taken();
    assert!(t.oracle.branch_count() <= crate::oracle::model::MAX_BRANCHES);
    recv!(
        t,
        syn_ack(vec![
            TcpOption::Mss(1460),
            TcpOption::WindowScale(0),
            TcpOption::SackPermitted
        ])
    );
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

/// LISTEN: RFC 9293 §3.10.7.2; timestamps-without-offer (RFC 7323 §3.2).
#[test]
fn listen_syn_ack_with_a_timestamp_neither_syn_offered_still_violates() {
    let mut t = second_syn_taken();
    recv!(
        t,
        syn_ack(vec![
            TcpOption::Mss(1460),
            TcpOption::Timestamps { tsval: 1, tsecr: 0 }
        ]),
        RuleId::TimestampsWithoutOffer
    );
}

/// LISTEN: RFC 9293 §3.10.7.2.
#[test]
fn droppable_segment_that_changes_nothing_adds_no_branch() {
    let mut t = established_with(Profile::smoltcp());
    // An out-of-window RST with an illegal option: the first marks the
    // last segment a RST (or was dropped); after it, processed or dropped,
    // the model is the same.
    let rst = Segment {
        seq: r(1_000_000),
        flags: RST,
        options: vec![bad_option()],
        ..send_tmpl()
    };
    send!(t, rst.clone());
    let after_first = t.oracle.branch_count();
    assert_eq!(after_first, 2);
    for _ in 0..3 {
        send!(t, rst.clone());
        assert_eq!(t.oracle.branch_count(), after_first);
    }
}
