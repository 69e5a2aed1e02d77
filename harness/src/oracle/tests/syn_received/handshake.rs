//! SYN-RECEIVED (RFC 9293 §3.10.7.2, §3.10.7.4): the SYN-ACK's ISS kept over
//! retransmissions, a SYN's data, an unacceptable third segment.

use crate::oracle::tests::lines::{expect_after, rfc, SYN_RECEIVED};
use crate::oracle::tests::*;

// ---- iss-changed ----

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_retransmitted_syn_ack_keeps_the_iss() {
    rfc(
        SYN_RECEIVED,
        "+1.001 > S. 0:0(0) ack 1 win 64240 <mss 1460>",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; iss-changed (RFC 9293 §3.4).
#[test]
fn syn_received_retransmitted_syn_ack_with_another_iss_violates() {
    rfc(
        SYN_RECEIVED,
        "+1.001 > S. 7777:7777(0) ack 1 win 64240 <mss 1460>",
        &["4 iss-changed"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_repeated_syn_draws_the_same_syn_ack_again() {
    rfc(
        SYN_RECEIVED,
        "< S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_with_data_may_be_queued_or_dropped() {
    for queued in [true, false] {
        let mut t = listen();
        send!(
            t,
            Segment {
                seq: REMOTE_SEQ,
                flags: SYN,
                payload: b"early".to_vec(),
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
                seq: r(6),
                ack: l(1),
                ..send_tmpl()
            }
        );
        let ack = if queued { r(6) } else { r(1) };
        recv!(
            t,
            Segment {
                seq: l(1),
                ack,
                ..recv_tmpl()
            }
        );
    }
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; data-before-established (RFC 9293 §3.10.2).
#[test]
fn syn_received_final_ack_with_unacceptable_seq_draws_an_ack_and_stays() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED,
        "// smoltcp: the ACK number is right, the sequence number is past the
         // window → ACK, and the handshake is not complete (§3.10.7.4 first check).
         < . 100000:100000(0) ack 1 win 65535
         state SYN-RECEIVED
         > . 1:1(0) ack 1 win 64240
         > P. 1:6(5) ack 1 win 64240",
        &["9 data-before-established"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; ack-not-sent (RFC 9293 §3.10.7.4).
#[test]
fn syn_received_unacceptable_seq_without_the_ack_is_still_owed_an_ack() {
    rfc(
        SYN_RECEIVED,
        "< . 100000:100000(0) ack 1 win 65535",
        &["end ack-not-sent"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; ack-checked-before-seq (RFC 9293 §3.10.7.4); ack-not-sent
/// (RFC 9293 §3.10.7.4).
#[test]
fn syn_received_unacceptable_seq_and_ack_may_draw_rst_or_ack() {
    // smoltcp (and Linux) check the ACK first and answer <SEQ=SEG.ACK><CTL=RST>:
    // their profiles allow it; the strict one wants the first check's ACK
    // (`oracle/seq_first.rs`).
    let bad = Segment {
        seq: r(100_000),
        ack: l(50),
        ..send_tmpl()
    };
    let rst = Segment {
        seq: l(50),
        flags: RST,
        window: 0,
        ..recv_tmpl()
    };
    let mut t = syn_received_with(Profile::smoltcp());
    send!(t, bad.clone());
    recv!(t, rst.clone());
    expect_none(t.wait(ms(2000)));

    let mut t = syn_received();
    send!(t, bad.clone());
    let f = recv!(t, rst.clone(), RuleId::AckCheckedBeforeSeq);
    assert!(f.is_failure(), "{f}");

    let mut t = syn_received();
    send!(t, bad.clone());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(ms(2000)));

    // Neither: the first check's ACK is the RFC's own answer (a SHOULD).
    let mut t = syn_received();
    send!(t, bad);
    expect_rule(t.wait(ms(2000)), RuleId::AckNotSent);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn syn_received_after_app_close_an_unacceptable_ack_may_draw_an_ack() {
    // The campaign's `data-after-fin`: smoltcp's close() in SYN-RECEIVED
    // enters FIN-WAIT-1 (RFC 9293 §3.10.4), where an ACK of unsent data
    // draws an ACK, not the SYN-RECEIVED RST.
    let bad = Segment {
        seq: r(1),
        ack: l(42),
        ..send_tmpl()
    };
    let mut t = syn_received();
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    recv!(
        t,
        crate::oracle::tests::app::abort_and_close::fin_after_syn()
    );
    send!(t, bad.clone());
    recv!(
        t,
        Segment {
            seq: l(2),
            ack: r(1),
            ..recv_tmpl()
        }
    );
    expect_none(t.wait(ms(2000)));
    // Without the close, the RST is owed.
    let mut t = syn_received();
    send!(t, bad);
    expect_rule(t.wait(ms(2000)), RuleId::RstNotSent);
}
