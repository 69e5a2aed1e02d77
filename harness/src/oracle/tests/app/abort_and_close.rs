//! Application events on the target's side (RFC 9293 §3.10.4 CLOSE, §3.10.5
//! ABORT) and what they change in what the target owes. From fuzz findings:
//! an abort's RST judged as the answer to an earlier segment
//! (rst-listen-numbers, rst-for-rst, syn-in-window-resets), and a duplicate
//! ACK after a close in SYN-RECEIVED (rst-not-sent).

use crate::oracle::tests::lines::{expect_after, ESTABLISHED, SYN_RECEIVED};
use crate::oracle::tests::*;

/// An ACK below ISS+1 in SYN-RECEIVED (the fifth check: unacceptable).
fn ack_of_iss() -> Segment {
    Segment {
        seq: r(1),
        ack: l(0),
        ..send_tmpl()
    }
}

/// The FIN a close in SYN-RECEIVED sends at once: <SEQ=ISS+1> (RFC 9293 §3.10.4).
pub(in crate::oracle::tests) fn fin_after_syn() -> Segment {
    Segment {
        seq: l(1),
        ack: r(1),
        flags: FIN | ACK,
        ..recv_tmpl()
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

/// RFC 9293 §3.10.4, §3.10.5.
#[test]
fn abort_rst_after_an_unacceptable_ack_in_syn_received_is_allowed() {
    let mut t = syn_received_with(Profile::smoltcp());
    send!(t, ack_of_iss());
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    recv!(t, abort_rst());
    assert!(t.states().is_empty(), "aborted: CLOSED");
    expect_none(t.wait(ms(5_000)));
}

/// RFC 9293 §3.10.4, §3.10.5; rst-listen-numbers (RFC 9293 §3.10.7.2).
#[test]
fn rst_after_an_unacceptable_ack_in_syn_received_without_abort_has_wrong_numbers() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED,
        "< . 1:1(0) ack 0 win 65535
         > R. 1:1(0) ack 1 win 64240",
        &["5 rst-listen-numbers"],
    );
}

/// An in-window RST not at RCV.NXT in ESTABLISHED (a legacy stack resets).
fn rst_in_window() -> Segment {
    Segment {
        seq: r(5),
        flags: RST,
        ..send_tmpl()
    }
}

/// RFC 9293 §3.10.4, §3.10.5.
#[test]
fn abort_rst_after_a_harness_rst_is_not_a_reply_to_it() {
    let mut t = established_with(Profile::smoltcp());
    send!(t, rst_in_window());
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    recv!(t, abort_rst());
    assert!(t.states().is_empty(), "aborted: CLOSED");
}

/// RFC 9293 §3.10.4, §3.10.5; rst-for-rst (RFC 9293 §3.5.2); rst-in-window-resets (RFC 9293
/// §3.10.7.4, RFC 5961 §3.2).
#[test]
fn rst_after_a_harness_rst_without_abort_is_a_reply_to_it() {
    expect_after(
        Profile::smoltcp(),
        ESTABLISHED,
        "< R 5:5(0) win 65535
         > R. 1:1(0) ack 1 win 64240",
        &["6 rst-for-rst", "6 rst-in-window-resets (deviation)"],
    );
}

/// RFC 9293 §3.10.4, §3.10.5.
#[test]
fn duplicate_ack_after_close_in_syn_received_may_be_ignored() {
    // §3.10.4: CLOSE in SYN-RECEIVED → FIN-WAIT-1, where SEG.ACK =< SND.UNA
    // is a duplicate and is ignored (§3.10.7.4): no RST is owed.
    let mut t = syn_received_with(Profile::smoltcp());
    t.oracle.on_app(t.now, peer(), AppEvent::Close);
    recv!(t, fin_after_syn());
    send!(t, ack_of_iss());
    expect_none(t.wait(ms(5_000)));
}

/// RFC 9293 §3.10.4, §3.10.5; rst-not-sent (RFC 9293 §3.10.7.1).
#[test]
fn duplicate_ack_in_syn_received_without_close_draws_a_rst() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED,
        "< . 1:1(0) ack 0 win 65535",
        &["end rst-not-sent"],
    );
}

/// RFC 9293 §3.10.4, §3.10.5; ack-not-sent (RFC 9293 §3.10.7.4); close-fin-missing (RFC 9293
/// §3.10.4).
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
    // SYN-RECEIVED's RST or FIN-WAIT-1's ACK: neither came. smoltcp
    // throttles that ACK (a deviation of its profile), so the finding is
    // the ACK's.
    let f = expect_rule_also(
        t.wait(ms(5_000)),
        RuleId::AckNotSent,
        &[RuleId::CloseFinMissing],
    );
    assert!(f.deviation.is_some(), "{f:#?}");
}

/// RFC 9293 §3.10.4, §3.10.5.
#[test]
fn rst_acknowledging_data_sent_after_a_syn_is_not_the_syn_s_reset() {
    expect_after(
        Profile::smoltcp(),
        ESTABLISHED,
        "// Fuzz (syn-in-window-resets, service abort): the abort service's RST,
         // which the oracle does not hear of, acknowledges the data that came
         // after the SYN: the connection outlived the SYN.
         < S. 1:1(0) ack 1 win 65535
         < P. 1:11(10) ack 1 win 65535
         > R. 1:1(0) ack 11 win 64240
         state CLOSED",
        &[],
    );
}

/// RFC 9293 §3.10.4, §3.10.5; syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn rst_acknowledging_nothing_after_a_syn_is_still_the_syn_s_reset() {
    expect_after(
        Profile::smoltcp(),
        ESTABLISHED,
        "< S. 1:1(0) ack 1 win 65535
         < P. 1:11(10) ack 1 win 65535
         // The RST stops at RCV.NXT as of the SYN: no sign the data was taken.
         > R. 1:1(0) ack 1 win 64240",
        &["8 syn-in-window-resets"],
    );
}
