//! Profiles turn known differences into labelled deviations.

use crate::oracle::tests::lines::{expect_after, ESTABLISHED, SYN_RECEIVED, TIME_WAIT};
use crate::oracle::tests::*;

/// profiles (RFC 9293).
#[test]
fn profiles_are_found_by_name() {
    for name in ["rfc9293", "rfc793", "linux", "smoltcp", "LINUX"] {
        assert!(Profile::by_name(name).is_some(), "{name}");
    }
    assert!(Profile::by_name("bsd").is_none());
    // Each built-in profile, by its own name in either case, is itself.
    for p in Profile::all() {
        assert_eq!(Profile::by_name(p.name).as_ref(), Some(&p), "{}", p.name);
        assert_eq!(Profile::by_name(&p.name.to_uppercase()), Some(p));
    }
    assert_eq!(Profile::all()[0].name, "rfc9293");
    assert!(Profile::rfc9293().allowed.is_empty());
}

/// profiles (RFC 9293); rto-too-short (RFC 6298 §2.4, RFC 6298 §2.1).
#[test]
fn linux_rto_of_200_ms_is_a_deviation_not_a_failure() {
    let judged = expect_after(
        Profile::linux(),
        ESTABLISHED,
        "> . 1:11(10) ack 1 win 64240
         +0.211 > . 1:11(10) ack 1 win 64240",
        &["6 rto-too-short (deviation)"],
    );
    let f = judged.finding("6 rto-too-short (deviation)");
    assert!(
        f.deviation.as_deref().is_some_and(|d| d.contains("200 ms")),
        "{f}"
    );
}

/// profiles (RFC 9293); rto-too-short (RFC 6298 §2.4, RFC 6298 §2.1).
#[test]
fn linux_rto_below_200_ms_is_not_covered_by_the_profile() {
    let judged = expect_after(
        Profile::linux(),
        ESTABLISHED,
        "> . 1:11(10) ack 1 win 64240
         +0.051 > . 1:11(10) ack 1 win 64240",
        &["6 rto-too-short"],
    );
    let f = judged.finding("6 rto-too-short");
    assert_eq!(f.deviation, None);
}

/// profiles (RFC 9293); time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn linux_time_wait_of_60_s_is_a_deviation() {
    let judged = expect_after(
        Profile::linux(),
        TIME_WAIT,
        "+61.001 < . 2:2(0) ack 2 win 65535
         > R 2:2(0) win 64240",
        &["10 time-wait-too-short (deviation)"],
    );
    let f = judged.finding("10 time-wait-too-short (deviation)");
    assert!(!f.is_failure(), "{f}");
}

/// profiles (RFC 9293); time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn smoltcp_time_wait_of_10_s_is_a_deviation_but_5_s_fails() {
    for (secs, fails) in [(10, false), (5, true)] {
        let mut t = time_wait_with(Profile::smoltcp());
        t.now += Duration::from_secs(secs);
        send!(
            t,
            Segment {
                seq: r(2),
                ack: l(2),
                ..send_tmpl()
            }
        );
        let f = recv!(
            t,
            Segment {
                seq: l(2),
                flags: RST,
                ..recv_tmpl()
            },
            RuleId::TimeWaitTooShort
        );
        assert_eq!(f.is_failure(), fails, "{secs} s: {f}");
    }
}

/// profiles (RFC 9293); rst-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn smoltcp_in_window_rst_reset_is_a_deviation() {
    let mut t = established_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(5),
            flags: RST,
            ..send_tmpl()
        }
    );
    let silent = t.wait(Duration::from_secs(2));
    assert!(silent.iter().all(|f| !f.is_failure()), "{silent:#?}");
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            payload: vec![1; 5],
            ..send_tmpl()
        }
    );
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        },
        RuleId::RstInWindowResets
    );
    assert!(
        f.deviation
            .as_deref()
            .is_some_and(|d| d.starts_with("smoltcp")),
        "{f}"
    );
    assert!(
        f.to_string()
            .starts_with("MUST deviation [rst-in-window-resets]"),
        "{f}"
    );
}

/// profiles (RFC 9293); syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn rfc793_in_window_syn_answered_by_rst_is_a_deviation() {
    let judged = expect_after(
        Profile::rfc793(),
        ESTABLISHED,
        "< S 5:5(0) win 65535
         > R 1:1(0) win 64240",
        &["6 syn-in-window-resets (deviation)"],
    );
    let f = judged.finding("6 syn-in-window-resets (deviation)");
    assert!(!f.is_failure());
}

/// profiles (RFC 9293).
#[test]
fn rfc793_in_window_rst_resets_without_a_challenge() {
    expect_after(Profile::rfc793(), ESTABLISHED, "< R 5:5(0) win 65535", &[]);
}

/// profiles (RFC 9293); close-fin-missing (RFC 9293 §3.10.4).
#[test]
fn linux_refused_close_in_syn_received_is_a_deviation_not_a_failure() {
    let judged = expect_after(
        Profile::linux(),
        SYN_RECEIVED,
        "// The oracle hears of the close before the target refuses it (Linux has
         // no socket for the application before accept()).
         +0 close(4) = 0",
        &["end close-fin-missing (deviation)"],
    );
    let f = judged.finding("end close-fin-missing (deviation)");
    assert!(
        f.deviation
            .as_deref()
            .is_some_and(|d| d.contains("accept()")),
        "{f}"
    );
}
