//! CLOSING: a simultaneous close (RFC 9293 §3.6 Figure 13): both FINs
//! cross, each side goes FIN-WAIT-1 → CLOSING → TIME-WAIT (§3.10.7.4,
//! eighth check in FIN-WAIT-1; fifth check in CLOSING). On connections the
//! target opened actively and passively. Line form (see `lines.rs`).

use crate::oracle::tests::lines::{expect_findings_after, rfc, ACTIVE_ESTABLISHED, ESTABLISHED};
use crate::oracle::tests::*;

/// After [`ACTIVE_ESTABLISHED`], the application's close, the target's FIN
/// and the harness's, crossing it (lines 6 to 8; a test's lines start at
/// line 9).
const FINS_CROSS: &str = "\
    close(3) = 0
    > F. 1:1(0) ack 1 win 64240
    < F. 1:1(0) ack 1 win 65535
";

/// CLOSING: RFC 9293 §3.10.7.4.
#[test]
fn crossing_fins_after_an_active_open_go_through_closing_to_time_wait() {
    rfc(
        ACTIVE_ESTABLISHED,
        "
        close(3) = 0
        > F. 1:1(0) ack 1 win 64240
        state FIN-WAIT-1
        < F. 1:1(0) ack 1 win 65535
        state CLOSING
        > . 2:2(0) ack 2 win 64240
        < . 2:2(0) ack 2 win 65535
        state TIME-WAIT
        ",
        &[],
    );
}

/// CLOSING: RFC 9293 §3.10.7.4.
#[test]
fn crossing_fins_after_a_passive_open_go_through_closing_to_time_wait() {
    rfc(
        ESTABLISHED,
        "
        close(4) = 0
        > F. 1:1(0) ack 1 win 64240
        < F. 1:1(0) ack 1 win 65535
        state CLOSING
        > . 2:2(0) ack 2 win 64240
        < . 2:2(0) ack 2 win 65535
        state TIME-WAIT
        ",
        &[],
    );
}

/// CLOSING: RFC 9293 §3.10.7.4.
#[test]
fn the_ack_of_the_crossing_fin_may_carry_the_fin_again() {
    // A retransmission of the FIN with the ACK of the peer's: allowed.
    expect_findings_after(
        Profile::rfc9293(),
        &[ACTIVE_ESTABLISHED, FINS_CROSS].concat(),
        "
        > F. 1:1(0) ack 2 win 64240
        < . 2:2(0) ack 2 win 65535
        state TIME-WAIT
        ",
        &[],
    );
}

/// CLOSING: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn the_crossing_fin_left_unacknowledged_in_closing_violates() {
    expect_findings_after(
        Profile::rfc9293(),
        &[ACTIVE_ESTABLISHED, FINS_CROSS].concat(),
        "
        state CLOSING
        ",
        &["end ack-delayed-too-long"],
    );
}

/// CLOSING: RFC 9293 §3.10.7.4; data-after-fin (RFC 9293 §3.10.4).
#[test]
fn data_in_closing_violates() {
    expect_findings_after(
        Profile::rfc9293(),
        &[ACTIVE_ESTABLISHED, FINS_CROSS].concat(),
        "
        > P. 2:12(10) ack 2 win 64240
        ",
        &["9 data-after-fin"],
    );
}

/// CLOSING: RFC 9293 §3.10.7.4.
#[test]
fn a_fin_acknowledging_the_target_fin_goes_from_fin_wait_1_to_time_wait() {
    rfc(
        ACTIVE_ESTABLISHED,
        "
        close(3) = 0
        > F. 1:1(0) ack 1 win 64240
        < F. 1:1(0) ack 2 win 65535
        state TIME-WAIT
        > . 2:2(0) ack 2 win 64240
        ",
        &[],
    );
}
