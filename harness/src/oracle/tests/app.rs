//! Application events on the target's side (RFC 9293 §3.10.4 CLOSE, §3.10.5
//! ABORT) and what they change in what the target owes. From fuzz findings:
//! an abort's RST judged as the answer to an earlier segment
//! (rst-listen-numbers, rst-for-rst, syn-in-window-resets), and a duplicate
//! ACK after a close in SYN-RECEIVED (rst-not-sent).

use super::*;

/// An ACK below ISS+1 in SYN-RECEIVED (the fifth check: unacceptable).
fn ack_of_iss() -> Segment {
    Segment {
        seq: r(1),
        ack: l(0),
        ..send_tmpl()
    }
}

/// The RST of an ABORT: <SEQ=SND.NXT>, here with the ACK bit as smoltcp sends it.
fn abort_rst() -> Segment {
    Segment {
        seq: l(1),
        ack: r(1),
        flags: RST | ACK,
        ..recv_tmpl()
    }
}

#[test]
fn abort_rst_after_an_unacceptable_ack_in_syn_received_is_allowed() {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(t, ack_of_iss());
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    recv!(t, abort_rst());
    assert!(t.states().is_empty(), "aborted: CLOSED");
    expect_none(t.wait(ms(5_000)));
}

#[test]
fn rst_after_an_unacceptable_ack_in_syn_received_without_abort_has_wrong_numbers() {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(t, ack_of_iss());
    recv!(t, abort_rst(), RuleId::RstListenNumbers);
}

/// An in-window RST not at RCV.NXT in ESTABLISHED (a legacy stack resets).
fn rst_in_window() -> Segment {
    Segment {
        seq: r(5),
        flags: RST,
        ..send_tmpl()
    }
}

#[test]
fn abort_rst_after_a_harness_rst_is_not_a_reply_to_it() {
    let mut t = established_with(Profile::smoltcp());
    send!(t, rst_in_window());
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    recv!(t, abort_rst());
    assert!(t.states().is_empty(), "aborted: CLOSED");
}

#[test]
fn rst_after_a_harness_rst_without_abort_is_a_reply_to_it() {
    let mut t = established_with(Profile::smoltcp());
    send!(t, rst_in_window());
    recv!(t, abort_rst(), RuleId::RstForRst);
}

#[test]
fn duplicate_ack_after_close_in_syn_received_may_be_ignored() {
    // §3.10.4: CLOSE in SYN-RECEIVED → FIN-WAIT-1, where SEG.ACK =< SND.UNA
    // is a duplicate and is ignored (§3.10.7.4): no RST is owed.
    let mut t = syn_received_with(Profile::smoltcp());
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    send!(t, ack_of_iss());
    expect_none(t.wait(ms(5_000)));
}

#[test]
fn duplicate_ack_in_syn_received_without_close_draws_a_rst() {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(t, ack_of_iss());
    expect_rule(t.wait(ms(5_000)), RuleId::RstNotSent);
}

#[test]
fn ack_of_unsent_data_after_close_in_syn_received_still_draws_a_reply() {
    let mut t = syn_received_with(Profile::smoltcp());
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(50),
            ..send_tmpl()
        }
    );
    expect_rule(t.wait(ms(5_000)), RuleId::RstNotSent);
}
