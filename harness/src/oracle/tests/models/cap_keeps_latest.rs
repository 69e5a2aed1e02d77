//! The cut past the cap on the set of models (`MAX_BRANCHES`, reported
//! as `model-set-capped`) among branches as near an extreme:
//! the one whose odd decision is the latest stays, so a target that took
//! every droppable segment but the latest still matches a branch. Before,
//! ties went to the branches forked first, and the copy of the all-taken
//! branch that dropped the latest segment was always cut (fuzz:
//! data-beyond-window 49 and ack-delayed-too-long 40 of campaign 11, which
//! passed with 16 branches: smoltcp took 14 segments with an illegal
//! option, dropped the 15th, which shrank the window, and sent into the
//! window before it).

use crate::oracle::tests::segments::bad_option;
use crate::oracle::tests::*;

/// Segments in a chain.
const CHAIN: u32 = 8;

/// ESTABLISHED, then [`CHAIN`] segments carrying consecutive text, 10
/// octets each from r(1), with an illegal option (each forks a branch that
/// did not see it), then an ACK that closes the window at its end, with an
/// illegal option when `droppable_close`.
fn text_chain_then_window_close(droppable_close: bool) -> T {
    let mut t = established();
    let mut capped = 0;
    for k in 0..CHAIN {
        capped += send_forking!(
            t,
            Segment {
                seq: r(1 + 10 * k),
                ack: l(1),
                flags: PSH | ACK,
                options: vec![bad_option()],
                payload: vec![b'x'; 10],
                ..send_tmpl()
            }
        );
        assert!(t.oracle.branch_count() <= MAX_BRANCHES);
    }
    capped += send_forking!(
        t,
        Segment {
            seq: r(1 + 10 * CHAIN),
            ack: l(1),
            window: 0,
            options: if droppable_close {
                vec![bad_option()]
            } else {
                Vec::new()
            },
            ..send_tmpl()
        }
    );
    assert!(t.oracle.branch_count() <= MAX_BRANCHES);
    assert!(capped <= 1, "the cap is reported once");
    t
}

/// The target's data, 536 octets from l(1), acknowledging all the text.
fn data_acking_the_chain() -> Segment {
    Segment {
        seq: l(1),
        ack: r(1 + 10 * CHAIN),
        payload: vec![b'd'; 536],
        ..recv_tmpl()
    }
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn a_target_that_took_every_droppable_segment_but_the_latest_matches_a_branch() {
    // All the text taken (the ACK says so), the window's close dropped:
    // the data goes into the 65535 octets the handshake announced.
    let mut t = text_chain_then_window_close(true);
    recv!(t, data_acking_the_chain());
    expect_none(t.wait(Duration::from_secs(1)));
}

/// RFC 9293 §3.1 (MUST-7); data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn data_past_a_window_closed_by_a_segment_no_stack_may_drop_is_beyond_the_window() {
    let mut t = text_chain_then_window_close(false);
    recv!(t, data_acking_the_chain(), RuleId::DataBeyondWindow);
}
