//! Text the model drops or ignores but smoltcp 0.14 takes, followed by a
//! RST at the RCV.NXT before it (fuzz: rst-at-rcv-nxt-ignored of campaign
//! 11): to smoltcp the RST is below its window and dropped, and its ACK of
//! the text shows it. The model keeps RCV.NXT anywhere up to the text's end
//! until then, so the RST may or may not have reset the connection.

use crate::oracle::tests::lines::expect_after;
use crate::oracle::tests::segments::rst;
use crate::oracle::tests::segments::text;
use crate::oracle::tests::*;

/// smoltcp as a campaign runs it: its deviations on the way here allowed.
fn smoltcp_campaign() -> Profile {
    let mut p = Profile::smoltcp();
    for rule in [
        RuleId::AckPastFin,
        RuleId::UnacceptableAckNumbers,
        RuleId::AckOfUnsentData,
    ] {
        p.allowed.push((rule, "campaign allow list"));
    }
    p
}

fn ack(seq: SeqNumber, ack: SeqNumber) -> Segment {
    Segment {
        seq,
        ack,
        ..recv_tmpl()
    }
}

// ---- text on the ACK that ends CLOSING ----
// smoltcp takes text past the harness's FIN (`ack-past-fin`), also on the
// segment whose ACK of its FIN takes CLOSING to TIME-WAIT.

/// ESTABLISHED, the application's close, the target's FIN at l(1), the
/// harness's FIN at r(1) (not acknowledging it) and the target's ACK:
/// CLOSING.
///
/// As lines: 2 to 9; a test's lines start at line 10.
const CLOSING: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    +0 close(4) = 0
    > F. 1:1(0) ack 1 win 64240
    < F. 1:1(0) ack 1 win 65535
    > . 2:2(0) ack 2 win 64240
    state CLOSING
";

/// RFC 9293 §3.10.7.4, RFC 5961; ack-past-fin (RFC 9293 §3.10.7.4).
#[test]
fn text_on_the_ack_that_ends_closing_then_rst_at_the_old_rcv_nxt_may_be_below_the_window() {
    expect_after(
        smoltcp_campaign(),
        CLOSING,
        "< P. 2:12(10) ack 2 win 65535
         state TIME-WAIT
         < R 2:2(0) win 65535
         // Allowed by the campaign: reported, not a failure.
         > . 2:2(0) ack 12 win 64240",
        &["14 ack-past-fin (deviation)"],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn ack_that_ends_closing_without_text_then_rst_at_rcv_nxt_ignored_violates() {
    expect_after(
        smoltcp_campaign(),
        CLOSING,
        "< . 2:2(0) ack 2 win 65535
         < R 2:2(0) win 65535
         > . 2:2(0) ack 2 win 64240",
        &["12 rst-at-rcv-nxt-ignored"],
    );
}

// ---- text on an ACK of data the application wrote but not yet sent ----
// smoltcp takes any ACK within its send buffer, and the segment's text.

/// ESTABLISHED, the application wrote 10 octets, the target sent 1 of them.
fn one_of_ten_sent() -> T {
    let mut t = established_with(smoltcp_campaign());
    t.oracle.on_app(t.now, peer(), AppEvent::Write(10));
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: ACK,
            payload: vec![b'w'],
            ..recv_tmpl()
        }
    );
    t
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn text_on_an_ack_of_written_unsent_data_then_rst_at_the_old_rcv_nxt_may_be_below_the_window() {
    let mut t = one_of_ten_sent();
    send!(t, text(r(1), l(4), 10));
    send!(t, rst(r(1)));
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &ack(l(2), r(11)));
    assert!(
        f.iter().all(|f| f.rule != RuleId::RstAtRcvNxtIgnored),
        "{f:#?}"
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn text_on_an_ack_past_all_written_then_rst_at_rcv_nxt_ignored_violates() {
    let mut t = one_of_ten_sent();
    send!(t, text(r(1), l(20), 10));
    send!(t, rst(r(1)));
    let f = t
        .oracle
        .on_segment(t.now, Direction::FromTarget, &ack(l(2), r(1)));
    expect_rule(f, RuleId::RstAtRcvNxtIgnored);
}
