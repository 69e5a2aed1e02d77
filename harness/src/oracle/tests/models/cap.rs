//! The cap on the set of models (`MAX_BRANCHES`) on a long chain of
//! segments the target may drop (an illegal option length, MUST-7): past
//! it, the models nearest an extreme (fewest segments taken, or fewest
//! dropped) are kept, so a target that dropped every such segment but the
//! latest (smoltcp drops most, takes some) still matches one (fuzz:
//! data-beyond-window of campaign 9), and the verdict carries
//! `model-set-capped` naming the cap, once.

use crate::oracle::tests::segments::bad_option;
use crate::oracle::tests::*;

/// ESTABLISHED, then `n` segments with an illegal option, all text from
/// r(1), each shorter than the one before: the k-th (from 0) carries
/// 20 - k octets. A target that took one and no earlier one owes the ACK
/// of its text and no more.
fn droppable_chain(n: u32) -> T {
    let mut t = established();
    let mut capped = 0;
    for k in 0..n {
        capped += send_forking!(
            t,
            Segment {
                seq: r(1),
                ack: l(1),
                flags: PSH | ACK,
                options: vec![bad_option()],
                payload: vec![b'x'; 20 - k as usize],
                ..send_tmpl()
            }
        );
        assert!(t.oracle.branch_count() <= MAX_BRANCHES);
    }
    assert!(capped <= 1, "the cap is reported once");
    t
}

/// The target's ACK at `ack`, and a second of quiet after it.
fn ack_then_quiet(t: &mut T, ack: SeqNumber) -> Vec<Finding> {
    t.now += ms(1);
    let mut f = t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: l(1),
            ack,
            ..recv_tmpl()
        },
    );
    f.extend(t.wait(Duration::from_secs(1)));
    f
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn a_target_that_dropped_every_droppable_segment_but_the_latest_matches_a_branch() {
    for n in 1..=12 {
        let mut t = droppable_chain(n);
        // Only the last (20 - (n - 1) octets) taken.
        let f = ack_then_quiet(&mut t, r(21 - (n - 1)));
        assert!(f.is_empty(), "{n} segments, the last taken alone: {f:#?}");
    }
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn a_target_that_took_every_droppable_segment_matches_a_branch() {
    let mut t = droppable_chain(12);
    assert!(t.oracle.capped, "12 droppable segments reach the cap");
    let f = ack_then_quiet(&mut t, r(21));
    assert!(f.is_empty(), "{f:#?}");
}

/// RFC 9293 §3.1 (MUST-7).
#[test]
fn an_ack_that_no_branch_explains_is_still_caught() {
    // Past all the text any of the segments carried.
    let mut t = droppable_chain(12);
    let f = ack_then_quiet(&mut t, r(30));
    assert!(!f.is_empty(), "an ACK past all the text passes");
}

/// RFC 9293 §3.1 (MUST-7); model-set-capped (RFC 9293 §3.10).
#[test]
fn reaching_the_cap_is_a_warning_naming_it_once() {
    let mut t = established();
    let mut found = Vec::new();
    for k in 0..12 {
        t.now += ms(1);
        let seg = Segment {
            seq: r(1),
            ack: l(1),
            flags: PSH | ACK,
            options: vec![bad_option()],
            payload: vec![b'x'; 20 - k],
            ..send_tmpl()
        };
        found.extend(observe(&mut t, Direction::ToTarget, &seg));
    }
    let [f] = found.as_slice() else {
        panic!("one finding expected: {found:#?}");
    };
    assert_eq!(f.rule, RuleId::ModelSetCapped);
    assert_eq!(f.level, Level::Should);
    assert!(!f.is_failure());
    assert!(
        f.message.contains(&format!("cap of {MAX_BRANCHES}")),
        "{}",
        f.message
    );
}
