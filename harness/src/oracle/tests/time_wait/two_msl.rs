//! TIME-WAIT (RFC 9293 §3.6.1, §3.10.7.4): a retransmitted FIN draws an ACK, the target
//! sends nothing else, 2×MSL before a RST, a new SYN may reopen. Line form (see `lines.rs`).

use crate::oracle::tests::lines::rfc;

/// The target closes first (FIN line 5, acknowledged), the harness's FIN
/// (line 7) is acknowledged: TIME-WAIT, asserted on line 9.
const TIME_WAIT: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > F. 1:1(0) ack 1 win 64240
    < . 1:1(0) ack 2 win 65535
    < F. 1:1(0) ack 2 win 65535
    > . 2:2(0) ack 2 win 64240
    state TIME-WAIT
";

// ---- TIME-WAIT: time-wait-sends, time-wait-too-short, a new SYN ----

/// TIME-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn time_wait_a_retransmitted_fin_draws_an_ack() {
    rfc(
        TIME_WAIT,
        "< F. 1:1(0) ack 2 win 65535
         > . 2:2(0) ack 2 win 64240",
        &[],
    );
}

/// TIME-WAIT: RFC 9293 §3.10.7.4; time-wait-sends (RFC 9293 §3.10.7.4); data-after-fin (RFC
/// 9293 §3.10.4).
#[test]
fn time_wait_data_from_the_target_violates() {
    // Past the FIN too: both rules hold.
    rfc(
        TIME_WAIT,
        "> . 2:6(4) ack 2 win 64240",
        &["10 time-wait-sends", "10 data-after-fin"],
    );
}

/// TIME-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn time_wait_a_rst_after_two_msl_is_allowed() {
    rfc(
        TIME_WAIT,
        "+241 < . 2:2(0) ack 2 win 65535
         > R 2:2(0) win 64240",
        &[],
    );
}

/// TIME-WAIT: RFC 9293 §3.10.7.4; time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn time_wait_a_rst_after_thirty_seconds_violates() {
    let f = rfc(
        TIME_WAIT,
        "+30 < . 2:2(0) ack 2 win 65535
         > R 2:2(0) win 64240",
        &["11 time-wait-too-short"],
    );
    assert!(f[0].is_failure());
    assert_eq!(f[0].requirement, "MUST-13");
}

/// TIME-WAIT: RFC 9293 §3.10.7.4.
#[test]
fn time_wait_a_new_syn_may_reopen_the_connection() {
    rfc(
        TIME_WAIT,
        "< S 100000:100000(0) win 65535
         > S. 5000:5000(0) ack 100001 win 64240 <mss 1460>
         state SYN-RECEIVED",
        &[],
    );
}
