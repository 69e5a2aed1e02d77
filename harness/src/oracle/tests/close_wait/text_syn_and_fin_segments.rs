//! CLOSE-WAIT (RFC 9293 §3.10.7.4 seventh and eighth checks): text past the peer's FIN is
//! ignored, a FIN segment's ACK is used, a SYN after the FIN.

use crate::oracle::tests::lines::rfc;
use crate::oracle::tests::syn_received::close_then_peer_fin::closed_in_syn_received;
use crate::oracle::tests::syn_received::close_then_peer_fin::fresh_syn_ack;
use crate::oracle::tests::syn_received::close_then_peer_fin::harness_fin;
use crate::oracle::tests::syn_received::close_then_peer_fin::new_syn;
use crate::oracle::tests::*;

/// CLOSE-WAIT; the harness sends 10 octets past its FIN (RFC 9293
/// §3.10.7.4, seventh check: the text is ignored).
///
/// As lines: 2 to 7; a test's lines start at line 8.
const CLOSE_WAIT_TEXT_AFTER_FIN: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < F. 1:1(0) ack 1 win 65535
    > . 1:1(0) ack 2 win 64240
    < P. 2:12(10) ack 1 win 65535
";

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn close_wait_text_after_fin_ignored_is_allowed() {
    rfc(CLOSE_WAIT_TEXT_AFTER_FIN, "> . 1:1(0) ack 2 win 64240", &[]);
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; ack-past-fin (RFC 9293 §3.10.7.4).
#[test]
fn close_wait_text_after_fin_acknowledged_violates() {
    rfc(
        CLOSE_WAIT_TEXT_AFTER_FIN,
        "// smoltcp 0.14 takes it in (cases/close/t32-data-beyond-fin, fuzz
         // segment-on-closed-connection).
         > . 1:1(0) ack 12 win 64240",
        &["10 ack-past-fin"],
    );
}

// From fuzz findings (campaign 8, syn-ack-without-syn, 45 inputs): after a
// close in SYN-RECEIVED smoltcp never sends its FIN, counts it acknowledged
// by the handshake's ACK (FIN-WAIT-2), goes to TIME-WAIT on the harness's
// FIN and, TIME-WAIT over, answers a new SYN with a fresh SYN-ACK. The model
// had it in CLOSE-WAIT, where that SYN-ACK answers nothing.

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; syn-ack-without-syn (RFC 9293 §3.5).
#[test]
fn close_wait_syn_ack_for_a_new_syn_violates() {
    // Without the application's close, the harness's FIN leaves CLOSE-WAIT:
    // a SYN there draws a challenge ACK, never a SYN-ACK.
    let mut t = established_with(Profile::smoltcp());
    send!(t, harness_fin());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::CloseWait]);
    expect_none(t.wait(ms(20_000)));
    send!(t, new_syn());
    recv!(t, fresh_syn_ack(), RuleId::SynAckWithoutSyn);
}

/// CLOSE-WAIT with 10 octets from the target in flight; a second harness
/// FIN, at RCV.NXT, acknowledges them (fuzz campaign 8, challenge-ack-numbers:
/// smoltcp drops a FIN segment in CLOSE-WAIT before using its ACK).
///
/// As lines: 2 to 8; a test's lines start at line 9.
const CLOSE_WAIT_DATA_ACKED_BY_A_FIN_SEGMENT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < F. 1:1(0) ack 1 win 65535
    > . 1:1(0) ack 2 win 64240
    > P. 1:11(10) ack 2 win 64240
    < F. 2:2(0) ack 11 win 65535
";

/// CLOSE-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn close_wait_fin_segment_ack_is_used() {
    rfc(
        CLOSE_WAIT_DATA_ACKED_BY_A_FIN_SEGMENT,
        "> . 11:11(0) ack 2 win 64240",
        &[],
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; fin-segment-ack-ignored (RFC 9293 §3.10.7.4).
#[test]
fn close_wait_retransmission_below_a_fin_segments_ack_violates() {
    rfc(
        CLOSE_WAIT_DATA_ACKED_BY_A_FIN_SEGMENT,
        "> P. 1:11(10) ack 2 win 64240",
        &["9 fin-segment-ack-ignored"],
    );
}

/// A SYN right after the harness's FIN, before the FIN owed after a close
/// in SYN-RECEIVED is overdue: the model is in CLOSE-WAIT then, but the
/// target (smoltcp) was in TIME-WAIT, which it leaves after 10 s; its RST
/// to a later segment is not the SYN's doing (fuzz: syn-in-window-resets,
/// campaign 8).
fn syn_after_peer_fin_with_fin_withheld() -> T {
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
    send!(
        t,
        Segment {
            seq: r(9_000),
            flags: SYN,
            ..send_tmpl()
        }
    );
    t
}

fn late_ack_and_its_rst(t: &mut T) -> Vec<Finding> {
    t.now += ms(20_000);
    let _ = t.oracle.on_segment(
        t.now,
        Direction::ToTarget,
        &Segment {
            seq: r(2),
            ack: l(1),
            ..send_tmpl()
        },
    );
    t.now += ms(1);
    t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(1),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        },
    )
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn syn_after_peer_fin_with_fin_withheld_is_a_time_wait_syn() {
    let mut t = syn_after_peer_fin_with_fin_withheld();
    let f = late_ack_and_its_rst(&mut t);
    assert!(
        f.iter().all(|x| x.rule != RuleId::SynInWindowResets),
        "{f:#?}"
    );
}

/// CLOSE-WAIT: RFC 9293 §3.10.7.4; syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn syn_in_close_wait_then_a_reset_violates() {
    // Without the application's close the target is in CLOSE-WAIT indeed.
    let mut t = established_with(Profile::smoltcp());
    send!(t, harness_fin());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(9_000),
            flags: SYN,
            ..send_tmpl()
        }
    );
    let f = late_ack_and_its_rst(&mut t);
    expect_rule(f, RuleId::SynInWindowResets);
}
