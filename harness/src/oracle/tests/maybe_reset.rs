//! Replies owed before a segment that may have reset the connection are
//! void if it did: a reset target sends nothing more on it (fuzz finding
//! ack-delayed-too-long: data, then an in-window RST that smoltcp takes
//! as a reset, then silence).

use super::*;

/// ESTABLISHED; 10 octets arrive (an ACK is owed within 0.5 s), then a RST
/// inside the window but not at RCV.NXT: RFC 793 stacks (smoltcp) reset.
fn data_then_in_window_rst(profile: Profile) -> T {
    let mut t = established_with(profile);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(100),
            flags: RST,
            ..send_tmpl()
        }
    );
    assert!(t.states().contains(&TcpState::Closed));
    t
}

#[test]
fn silence_after_a_rst_that_may_have_reset_is_allowed() {
    let mut t = data_then_in_window_rst(Profile::smoltcp());
    let f = t.wait(ms(5_000));
    assert!(
        !f.iter().any(|f| f.rule == RuleId::AckDelayedTooLong),
        "{f:#?}"
    );
}

#[test]
fn data_left_unacknowledged_without_a_rst_violates() {
    let mut t = established_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            payload: vec![b'x'; 10],
            ..send_tmpl()
        }
    );
    expect_rule(t.wait(ms(5_000)), RuleId::AckDelayedTooLong);
}

#[test]
fn challenge_ack_the_rst_itself_draws_is_still_owed() {
    // RFC 5961 §3.2: the RST draws a challenge ACK; only what was owed
    // before it is void if the target reset.
    let mut t = data_then_in_window_rst(Profile::rfc9293());
    expect_rule(t.wait(ms(5_000)), RuleId::ChallengeAckNotSent);
}
