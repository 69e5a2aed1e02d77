//! A missing challenge ACK (RFC 5961 §3.2, §4.2: "TCP MUST send an ACK"):
//! the first of a burst is `challenge-ack-not-sent`, a MUST the strict
//! profile fails and the throttling stacks' profiles allow; one owed while
//! another is still pending is `challenge-ack-missing`, a SHOULD (a
//! throttle, §7, may withhold it). `oracle/challenge.rs`; the grid's cells
//! where smoltcp drops a SYN in a synchronized state
//! (docs/grid-oracle-misses.md). Line form (see `lines.rs`).

use crate::oracle::tests::lines::{expect_findings, ESTABLISHED};
use crate::oracle::tests::*;

/// RFC 9293 §3.10.7.4, RFC 5961; challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn a_syn_in_established_dropped_silently_fails_the_strict_profile() {
    let found = expect_findings(
        Profile::rfc9293(),
        &format!("{ESTABLISHED}< S 101:101(0) win 65535\n"),
        &["end challenge-ack-not-sent"],
    );
    assert!(found[0].is_failure(), "{}", found[0]);
    assert_eq!(found[0].requirement, "RFC 5961 §4.2");
}

/// RFC 9293 §3.10.7.4, RFC 5961; challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn the_throttling_profiles_allow_it() {
    for profile in [Profile::smoltcp(), Profile::linux()] {
        let found = expect_findings(
            profile,
            &format!("{ESTABLISHED}< S 101:101(0) win 65535\n"),
            &["end challenge-ack-not-sent (deviation)"],
        );
        assert!(!found[0].is_failure(), "{}", found[0]);
    }
}

/// RFC 9293 §3.10.7.4, RFC 5961.
#[test]
fn a_syn_and_its_challenge_ack_draw_nothing() {
    expect_findings(
        Profile::rfc9293(),
        &format!("{ESTABLISHED}< S 101:101(0) win 65535\n> . 1:1(0) ack 1 win 64240\n"),
        &[],
    );
}

/// RFC 9293 §3.10.7.4, RFC 5961; challenge-ack-not-sent (RFC 9293 §3.10.7.4, RFC 5961 §3.2);
/// challenge-ack-missing (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn within_a_burst_only_the_first_is_a_must() {
    let found = expect_findings(
        Profile::rfc9293(),
        &format!("{ESTABLISHED}< S 101:101(0) win 65535\n< S 201:201(0) win 65535\n"),
        &["end challenge-ack-not-sent", "end challenge-ack-missing"],
    );
    let failures: Vec<_> = found.iter().map(|f| (f.rule, f.is_failure())).collect();
    assert!(
        failures.contains(&(RuleId::ChallengeAckNotSent, true)),
        "{failures:?}"
    );
    assert!(
        failures.contains(&(RuleId::ChallengeAckMissing, false)),
        "{failures:?}"
    );
}
