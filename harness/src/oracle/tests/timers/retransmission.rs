//! Retransmission timing (RFC 6298 §2.1, §2.4, §5.5).

use crate::oracle::tests::lines::{expect_after, rfc, ESTABLISHED, SYN_RECEIVED};
use crate::oracle::tests::*;

fn synack() -> Segment {
    Segment {
        seq: LOCAL_SEQ,
        ack: r(1),
        flags: SYN | ACK,
        options: vec![TcpOption::Mss(1460)],
        ..recv_tmpl()
    }
}

// ---- rto-too-short ----

/// RFC 6298.
#[test]
fn syn_received_syn_ack_retransmitted_after_one_second_then_doubling() {
    let mut t = syn_received();
    for gap in [1, 2, 4, 8] {
        t.now += Duration::from_secs(gap);
        recv!(t, synack());
    }
}

/// RFC 6298; rto-too-short (RFC 6298 §2.4, RFC 6298 §2.1).
#[test]
fn syn_received_syn_ack_retransmitted_after_200_ms_warns() {
    let judged = expect_after(
        Profile::rfc9293(),
        SYN_RECEIVED,
        "+0.201 > S. 0:0(0) ack 1 win 64240 <mss 1460>",
        &["4 rto-too-short"],
    );
    let f = judged.finding("4 rto-too-short");
    assert_eq!(f.level, Level::Should);
    assert!(f.message.contains("20"), "{f}");
}

/// RFC 6298.
#[test]
fn syn_received_repeated_syn_may_draw_an_immediate_syn_ack() {
    rfc(
        SYN_RECEIVED,
        "< S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>",
        &[],
    );
}

/// RFC 6298.
#[test]
fn established_data_retransmitted_after_one_second_is_allowed() {
    rfc(
        ESTABLISHED,
        "> . 1:11(10) ack 1 win 64240
         +1.001 > . 1:11(10) ack 1 win 64240
         +2.001 > . 1:11(10) ack 1 win 64240",
        &[],
    );
}

/// RFC 6298; rto-too-short (RFC 6298 §2.4, RFC 6298 §2.1).
#[test]
fn established_data_retransmitted_after_300_ms_warns() {
    rfc(
        ESTABLISHED,
        "> . 1:11(10) ack 1 win 64240
         +0.301 > . 1:11(10) ack 1 win 64240",
        &["6 rto-too-short"],
    );
}

/// RFC 6298.
#[test]
fn established_fast_retransmit_after_duplicate_acks_is_allowed() {
    let mut t = established();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1; 10],
            ..recv_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(11),
            ack: r(1),
            payload: vec![1; 10],
            ..recv_tmpl()
        }
    );
    for _ in 0..3 {
        send!(
            t,
            Segment {
                seq: r(1),
                ack: l(1),
                ..send_tmpl()
            }
        );
    }
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![1; 10],
            ..recv_tmpl()
        }
    );
}

// ---- rto-no-backoff ----

/// RFC 6298; rto-no-backoff (RFC 6298 §5.5, MUST-19).
#[test]
fn syn_received_syn_ack_retransmissions_without_backoff_violate() {
    let judged = expect_after(
        Profile::rfc9293(),
        SYN_RECEIVED,
        "+2.001 > S. 0:0(0) ack 1 win 64240 <mss 1460>
         +1.001 > S. 0:0(0) ack 1 win 64240 <mss 1460>",
        &["5 rto-no-backoff"],
    );
    let f = judged.finding("5 rto-no-backoff");
    assert!(f.is_failure());
    assert!(f.message.contains("shorter than the previous"), "{f}");
}

/// RFC 6298; rto-no-backoff (RFC 6298 §5.5, MUST-19).
#[test]
fn established_data_retransmissions_without_backoff_violate() {
    rfc(
        ESTABLISHED,
        "> . 1:11(10) ack 1 win 64240
         +2.001 > . 1:11(10) ack 1 win 64240
         +1.001 > . 1:11(10) ack 1 win 64240",
        &["7 rto-no-backoff"],
    );
}
