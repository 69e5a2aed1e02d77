//! SYN-RECEIVED, then the handshake's ACK on a FIN after text that is all
//! old (it ends at RCV.NXT). RFC 9293 §3.10.7.4 accepts the segment (the
//! FIN is new): ESTABLISHED, then CLOSE-WAIT. smoltcp 0.14 measures the
//! segment by its text in the window test, drops it, ACK and all
//! (`fin-on-old-data-ignored`), and stays in SYN-RECEIVED: its SYN-ACK comes
//! again. Where the profile allows that deviation the model follows either
//! (fuzz: syn-ack-without-syn 8 of campaign 11: the model took the ACK, so
//! the SYN-ACK retransmission answered no SYN); elsewhere it does not fork,
//! and the FIN left unacknowledged is the violation.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// The smoltcp profile as a campaign runs it, allowing the deviation.
fn smoltcp_campaign() -> Profile {
    let mut p = Profile::smoltcp();
    p.allowed.push((
        RuleId::FinOnOldDataIgnored,
        "a known deviation of the target",
    ));
    p
}

/// SYN-RECEIVED, then `<SEQ=-10><ACK=1><CTL=FIN,ACK>` with 10 octets
/// (line 4): its text ends at RCV.NXT 1, its FIN sits there; then `rest`.
fn fin_after_old_text_then(rest: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < F. 4294967287:1(10) ack 1 win 65535
        {rest}
        "
    )
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; fin-on-old-data-ignored (RFC 9293 §3.3.1).
#[test]
fn a_target_that_dropped_the_segment_ack_and_all_may_send_its_syn_ack_again() {
    // Its SYN-ACK a second on: the deviation. Then an ACK of something
    // never sent draws SYN-RECEIVED's <SEQ=SEG.ACK><CTL=RST> (fifth
    // check), not an ACK.
    let seq = fin_after_old_text_then(
        "+1 > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 500 win 65535
        > R 500:500(0) win 0
        state SYN-RECEIVED",
    );
    expect_findings(
        smoltcp_campaign(),
        &seq,
        &["5 fin-on-old-data-ignored (deviation)"],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn a_target_that_took_the_fin_makes_close_wait() {
    let seq = fin_after_old_text_then(
        "> . 1:1(0) ack 2 win 64240
        state CLOSE-WAIT",
    );
    expect_findings(smoltcp_campaign(), &seq, &[]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; fin-on-old-data-ignored (RFC 9293 §3.3.1).
#[test]
fn the_dropped_fin_is_still_a_violation_where_the_profile_does_not_allow_it() {
    let seq = fin_after_old_text_then(
        "state CLOSE-WAIT
        +1 > S. 0:0(0) ack 1 win 64240 <mss 1460>",
    );
    expect_findings(Profile::rfc9293(), &seq, &["6 fin-on-old-data-ignored"]);
}
