//! TIME-WAIT (RFC 9293 §3.10.7.4; §3.10.7.1 once it may be over): which segment a RST
//! answers, and a RST an earlier reset explains.

use crate::oracle::tests::segments::rst_at;
use crate::oracle::tests::*;

// ---- rst-for-rst: only the harness's latest segment counts ----

/// TIME-WAIT (smoltcp's 10 s), then a RST outside the window, which the
/// target ignores.
fn time_wait_after_an_ignored_rst() -> T {
    let mut t = time_wait_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(100_000),
            flags: RST,
            ..send_tmpl()
        }
    );
    t
}

/// TIME-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn rst_after_a_syn_in_time_wait_does_not_answer_an_earlier_rst() {
    // Fuzz campaign 8 (rst-for-rst): the SYN came after the RST, and the
    // target's RST answers the SYN (its TIME-WAIT over, the tuple CLOSED).
    let mut t = time_wait_after_an_ignored_rst();
    expect_none(t.wait(ms(11_000)));
    send!(
        t,
        Segment {
            seq: r(2),
            ack: l(2),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_at(l(2)));
    assert!(f.iter().all(|f| f.deviation.is_some()), "{f:#?}");
}

/// TIME-WAIT: RFC 9293 §3.10.7.4; rst-for-rst (RFC 9293 §3.5.2); time-wait-too-short (RFC 9293
/// §3.6.1, MUST-13).
#[test]
fn rst_right_after_an_ignored_rst_in_time_wait_violates() {
    let mut t = time_wait_after_an_ignored_rst();
    recv!(
        t,
        rst_at(l(2)),
        RuleId::RstForRst,
        also[RuleId::TimeWaitTooShort]
    );
}

// ---- a RST that an earlier reset explains ----

/// TIME-WAIT: RFC 9293 §3.10.7.4; time-wait-too-short (RFC 9293 §3.6.1, MUST-13);
/// rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn rst_explained_by_an_earlier_in_window_rst_is_not_a_short_time_wait() {
    // Fuzz campaign 8 (time-wait-too-short): smoltcp resets on an in-window
    // RST (its profile's deviation); the model kept the connection in case
    // it had not, and took the harness's FIN to TIME-WAIT. The target's RST
    // then shows the earlier reset, not a TIME-WAIT of 0 s.
    let mut t = fin_wait_1_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(50),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(2),
            flags: FIN | ACK,
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::TimeWait), "{:?}", t.states());
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_at(l(2)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::TimeWaitTooShort),
        "{f:#?}"
    );
    let f = expect_rule(f, RuleId::RstInWindowResets);
    assert!(f.deviation.is_some(), "{f:#?}");
}

/// TIME-WAIT: RFC 9293 §3.10.7.4; time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn syn_after_an_in_window_rst_in_time_wait_keeps_the_reset_as_the_explanation() {
    // Fuzz campaign 8 (time-wait-too-short): smoltcp resets on an in-window
    // RST in TIME-WAIT; a SYN (here with ACK) then finds the tuple CLOSED and
    // draws <SEQ=SEG.ACK><CTL=RST>. The in-window RST explains it.
    let mut t = time_wait_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(50),
            flags: RST,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(8000),
            ack: l(7),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    t.now += ms(1);
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &rst_at(l(7)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::TimeWaitTooShort),
        "{f:#?}"
    );
}
