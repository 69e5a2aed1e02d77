//! Where an oracle finding points, as a reader looks for it (issue #15 item
//! 1): the segment at fault by its transcript index and session time, and
//! that segment as the transcript writes it, with sequence and
//! acknowledgment numbers relative to each side's ISN. The finding's own
//! message keeps the oracle's absolute numbers (the JSON report has both:
//! `entry` and the transcript's `script` and `segment`).

use super::times::{clock_label, clock_time};
use crate::run::{CaseReport, Dir, EntryKind, Violation};

/// `segment 5 at 0.012000 real s: > P. 1:1450(1449) ack 1 …` (the
/// transcript's 5th entry, counted from 1 as the judge's RST messages and a
/// capture's frame numbers count; the JSON `entry` is its index from 0), or
/// `None` when the finding concerns no transcript entry (a reply owed at the end).
pub fn at_segment(case: &CaseReport, v: &Violation) -> Option<String> {
    let index = v.entry?;
    let entry = case.transcript.get(index)?;
    let at = format!(
        "segment {} at {} {}",
        index + 1,
        clock_time(entry.at),
        clock_label(case.virtual_time)
    );
    Some(match &entry.what {
        EntryKind::Packet { dir, script, .. } if !script.is_empty() => {
            let arrow = match dir {
                Dir::In => '<',
                Dir::Out => '>',
            };
            format!("{at}: {arrow} {script}")
        }
        _ => at,
    })
}

/// A second line `at segment 5 at …` under a finding's message, or nothing.
pub fn suffix(case: &CaseReport, v: &Violation) -> String {
    at_segment(case, v)
        .map(|s| format!("\n      at {s}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn a_violation_names_its_segment_by_index_time_and_script_line() {
        let case = fixture::closed_port_fail();
        let s = at_segment(&case, &case.violations[0]).expect("points at a segment");
        assert!(
            s.starts_with("segment 2 at 0.000000 ") && s.contains(" s: > R. 0:0(0) ack 2"),
            "{s}"
        );
        let mut end = case.violations[0].clone();
        end.entry = None;
        assert_eq!(at_segment(&case, &end), None);
        assert_eq!(suffix(&case, &end), "");
    }
}
