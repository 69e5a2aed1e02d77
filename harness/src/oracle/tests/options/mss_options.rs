//! The send MSS bound (RFC 9293 §3.7.1, MUST-15/16) when the harness's SYN
//! offers several MSS options, or an MSS of 0. Every sequence in line form
//! (see `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// ESTABLISHED after a SYN with `options`, then the target's `data` lines.
fn after_syn_with(options: &str, data: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <{options}>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        {data}
        "
    )
}

/// RFC 9293 §3.7.1.
#[test]
fn several_mss_options_the_target_may_take_the_last() {
    // smoltcp takes the last MSS option.
    let seq = after_syn_with("mss 100,mss 1000", "> . 1:1001(1000) ack 1 win 64240");
    expect_findings(Profile::rfc9293(), &seq, &[]);
}

/// RFC 9293 §3.7.1.
#[test]
fn several_mss_options_the_target_may_take_the_first() {
    let seq = after_syn_with("mss 1000,mss 100", "> . 1:1001(1000) ack 1 win 64240");
    expect_findings(Profile::rfc9293(), &seq, &[]);
}

/// RFC 9293 §3.7.1; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn several_mss_options_above_the_largest_violates() {
    let seq = after_syn_with("mss 100,mss 1000", "> . 1:1002(1001) ack 1 win 64240");
    let f = expect_findings(Profile::rfc9293(), &seq, &["5 segment-exceeds-mss"]);
    assert!(f[0].message.contains("1000"), "{}", f[0]);
}

/// RFC 9293 §3.7.1; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn mss_zero_counts_as_no_mss_option() {
    // Linux and smoltcp ignore an MSS of 0: the default 536 applies.
    let seq = after_syn_with(
        "mss 0",
        "> . 1:537(536) ack 1 win 64240
        > . 537:1074(537) ack 1 win 64240",
    );
    expect_findings(Profile::rfc9293(), &seq, &["6 segment-exceeds-mss"]);
}
