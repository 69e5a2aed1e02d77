//! SYN-RECEIVED: an unacceptable segment with a bad ACK draws the first
//! check's ACK (RFC 9293 §3.10.7.4); the fifth check's RST in its place is
//! `ack-checked-before-seq`, allowed by the Linux and smoltcp profiles
//! (`oracle/seq_first.rs`). Line form (see `lines.rs`).

use crate::oracle::tests::lines::{expect_findings, SYN_RECEIVED};
use crate::oracle::tests::*;

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; ack-checked-before-seq (RFC 9293 §3.10.7.4).
#[test]
fn the_strict_profile_wants_the_ack_not_the_rst() {
    let found = expect_findings(
        Profile::rfc9293(),
        &format!("{SYN_RECEIVED}< . 100001:100001(0) ack 5 win 65535\n> R 5:5(0) win 0\n"),
        &["5 ack-checked-before-seq"],
    );
    assert!(found[0].is_failure(), "{}", found[0]);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn the_strict_profile_takes_the_first_checks_ack() {
    expect_findings(
        Profile::rfc9293(),
        &format!(
            "{SYN_RECEIVED}< . 100001:100001(0) ack 5 win 65535\n> . 1:1(0) ack 1 win 64240\n"
        ),
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn linux_and_smoltcp_may_send_the_rst() {
    for profile in [Profile::linux(), Profile::smoltcp()] {
        expect_findings(
            profile,
            &format!("{SYN_RECEIVED}< . 100001:100001(0) ack 5 win 65535\n> R 5:5(0) win 0\n"),
            &[],
        );
    }
}
