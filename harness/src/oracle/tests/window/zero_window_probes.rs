//! ESTABLISHED with the harness's window at zero: zero-window probing (RFC
//! 9293 §3.8.6.1). The first probe waits a retransmission timeout (SHLD-29,
//! `zero-window-probe-early`; smoltcp probes at once, which its profile
//! allows), and the intervals grow (SHLD-30, `zero-window-probe-backoff`).
//! In line form (see `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// ESTABLISHED; the target sent 1000 octets, which the harness acknowledges
/// with a zero window (line 6).
const CLOSED_WINDOW: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 65160 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > P. 1:1001(1000) ack 1 win 65160
    < . 1:1(0) ack 1001 win 0
";

/// RFC 9293 §3.8.6.
#[test]
fn probes_after_a_timeout_with_doubling_intervals_conform() {
    let seq = format!(
        "{CLOSED_WINDOW}
        +1.2 > P. 1001:1002(1) ack 1 win 65160
        < . 1:1(0) ack 1001 win 0
        +2.4 > P. 1001:1002(1) ack 1 win 65160
        < . 1:1(0) ack 1001 win 0
        +4.8 > P. 1001:1002(1) ack 1 win 65160
        < . 1:1(0) ack 1002 win 65535
        > P. 1002:2002(1000) ack 1 win 65160
        "
    );
    expect_findings(Profile::rfc9293(), &seq, &[]);
}

/// RFC 9293 §3.8.6; zero-window-probe-early (RFC 9293 §3.8.6.1, SHLD-29).
#[test]
fn a_probe_before_a_retransmission_timeout_is_early() {
    let seq = format!("{CLOSED_WINDOW}+0.010 > P. 1001:1002(1) ack 1 win 65160");
    let f = expect_findings(Profile::rfc9293(), &seq, &["7 zero-window-probe-early"]);
    assert_eq!(f[0].requirement, "SHLD-29");
    // smoltcp probes at once when the application writes into a zero window.
    expect_findings(
        Profile::smoltcp(),
        &seq,
        &["7 zero-window-probe-early (deviation)"],
    );
}

/// RFC 9293 §3.8.6; zero-window-probe-backoff (RFC 9293 §3.8.6.1, SHLD-30).
#[test]
fn a_probe_sooner_than_the_interval_before_it_does_not_back_off() {
    let seq = format!(
        "{CLOSED_WINDOW}
        +1.2 > P. 1001:1002(1) ack 1 win 65160
        < . 1:1(0) ack 1001 win 0
        +2.4 > P. 1001:1002(1) ack 1 win 65160
        < . 1:1(0) ack 1001 win 0
        +1.0 > P. 1001:1002(1) ack 1 win 65160
        "
    );
    let f = expect_findings(Profile::rfc9293(), &seq, &["12 zero-window-probe-backoff"]);
    assert_eq!(f[0].requirement, "SHLD-30");
}

/// RFC 9293 §3.8.6; zero-window-probe-early (RFC 9293 §3.8.6.1, SHLD-29).
#[test]
fn a_window_that_reopens_and_closes_again_starts_the_timeout_anew() {
    let seq = format!(
        "{CLOSED_WINDOW}
        +1.2 > P. 1001:1002(1) ack 1 win 65160
        < . 1:1(0) ack 1002 win 1000
        > P. 1002:2002(1000) ack 1 win 65160
        < . 1:1(0) ack 2002 win 0
        +0.1 > P. 2002:2003(1) ack 1 win 65160
        "
    );
    expect_findings(Profile::rfc9293(), &seq, &["12 zero-window-probe-early"]);
}
