//! A RST at one RCV.NXT candidate and inside the window of the other (a
//! SYN's text queued or dropped, RFC 9293 §3.10.7.2): it reset the
//! connection (§3.10.7.4, MUST-11) or it drew a challenge ACK, and nothing
//! is a violation yet. The model splits (`reset_fork.rs`): in one copy the
//! connection is CLOSED, in the other it goes on, and the target's next
//! segments decide. Each copy owes what it owes: data that arrives after
//! the RST draws a closed port's RST in the one, an ACK in the other.

use crate::oracle::tests::lines::{expect_findings, judge_lines};
use crate::oracle::tests::*;

/// ESTABLISHED after a SYN with 10 octets of text the SYN-ACK did not
/// acknowledge (RCV.NXT is 1 or 11), a RST at 11, then 10 octets of data.
fn rst_then_data(then: &str) -> String {
    format!(
        "
        0 < S 0:10(10) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        < R 11:11(0) win 65535
        < P. 11:21(10) ack 1 win 65535
        {then}
        "
    )
}

/// ESTABLISHED with RCV.NXT 1, a RST with FIN at 1 (a stack may drop a
/// segment with several control bits, MUST-7), then 10 octets of data.
fn rst_fin_then_data(then: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        < RF 1:1(0) win 65535
        < P. 1:11(10) ack 1 win 65535
        {then}
        "
    )
}

#[test]
fn silence_after_data_that_follows_a_rst_a_stack_may_drop_violates() {
    // Reset, the target owed a RST for the data (§3.10.7.1); not reset, an
    // ACK for it (MUST-40): either way it owed a reply, and one of the two
    // is reported. (Before the split, the ACK was void while the reset was
    // possible, no RST was owed, and silence passed.)
    let judged = judge_lines(Profile::rfc9293(), &rst_fin_then_data(""));
    let either = ["end rst-not-sent", "end ack-delayed-too-long"];
    assert!(
        judged.names.len() == 1 && either.contains(&judged.names[0].as_str()),
        "{:?}",
        judged.names
    );
}

#[test]
fn a_closed_ports_rst_after_a_rst_a_stack_may_drop_shows_the_reset() {
    expect_findings(
        Profile::rfc9293(),
        &rst_fin_then_data("> R 1:1(0)\n        state CLOSED"),
        &[],
    );
}

#[test]
fn a_closed_ports_rst_for_the_data_shows_the_reset() {
    expect_findings(
        Profile::rfc9293(),
        &rst_then_data("> R 1:1(0)\n        state CLOSED"),
        &[],
    );
}

#[test]
fn an_ack_of_the_data_shows_the_connection_alive() {
    expect_findings(
        Profile::rfc9293(),
        &rst_then_data("> . 1:1(0) ack 21 win 64240\n        state ESTABLISHED"),
        &[],
    );
}
