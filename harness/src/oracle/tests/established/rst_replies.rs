//! ESTABLISHED (RFC 9293 §3.10.7.4; §3.1 MUST-3): no RST answers a RST, nothing after the
//! target's own reset, no ACK for data with a bad checksum.

use crate::oracle::tests::lines::{rfc, ESTABLISHED};
use crate::oracle::tests::*;

/// ESTABLISHED: RFC 9293 §3.10.7.4; rst-for-rst (RFC 9293 §3.5.2).
#[test]
fn established_out_of_window_rst_answered_by_rst_violates() {
    rfc(
        ESTABLISHED,
        "< R 1000000:1000000(0) win 65535
         > R 1:1(0) win 64240",
        &["6 rst-for-rst"],
    );
}

// ---- segment-on-closed-connection ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn established_target_abort_then_silence_is_allowed() {
    let mut t = established();
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: RST | ACK,
            ..recv_tmpl()
        }
    );
    assert!(t.states().is_empty());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            flags: RST,
            ..recv_tmpl()
        }
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; segment-on-closed-connection (RFC 9293 §3.3.2).
#[test]
fn data_after_the_targets_own_reset_violates() {
    rfc(
        ESTABLISHED,
        "> R. 1:1(0) ack 1 win 64240
         > P. 1:11(10) ack 1 win 64240",
        &["6 segment-on-closed-connection"],
    );
}

// ---- bad-checksum-accepted (MUST-3) ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn established_data_with_bad_checksum_is_not_acknowledged() {
    let mut t = established();
    let bad = Segment {
        seq: r(1),
        ack: l(1),
        payload: vec![1; 10],
        ..send_tmpl()
    };
    t.oracle.on_corrupt_to_target(t.now, &bad);
    expect_none(t.wait(Duration::from_secs(2)));
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            ..recv_tmpl()
        }
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; bad-checksum-accepted (RFC 9293 §3.1, MUST-3).
#[test]
fn established_ack_of_data_with_bad_checksum_violates() {
    let mut t = established();
    let bad = Segment {
        seq: r(1),
        ack: l(1),
        payload: vec![1; 10],
        ..send_tmpl()
    };
    t.oracle.on_corrupt_to_target(t.now, &bad);
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(11),
            ..recv_tmpl()
        },
        RuleId::BadChecksumAccepted
    );
    assert_eq!(f.requirement, "MUST-3");
}
