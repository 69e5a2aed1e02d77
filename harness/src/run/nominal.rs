//! Script times: when each line of a case is due by the script alone, with
//! no measured time in it. On a real-time target the snapshot form prints a
//! line's entries at its script time (the runner has already checked that
//! each `>` segment came inside its line's window), so thread wake-ups and
//! the target's jitter on a loaded machine cannot change a snapshot.
//!
//! A relative time counts from the previous line's script time; a range
//! from its lower end; `*` adds nothing. An `either` block is due when it
//! starts, each branch walks from there, and the line after the block
//! counts from the latest branch end (the same whichever branch is taken).

use crate::script::{Item, Line, TimeSpec};
use std::collections::BTreeMap;
use std::time::Duration;

/// The script time of every line (by 1-based line number, `either` blocks
/// by the line of their `either`).
pub fn script_times(items: &[Item]) -> BTreeMap<u32, Duration> {
    let mut out = BTreeMap::new();
    let mut prev = Duration::ZERO;
    for item in items {
        match item {
            Item::Line(line) => prev = walk(line, prev, &mut out),
            Item::Either { branches, span } => {
                out.insert(span.line, prev);
                let start = prev;
                for branch in branches {
                    let end = branch.iter().fold(start, |p, line| walk(line, p, &mut out));
                    prev = prev.max(end);
                }
            }
        }
    }
    out
}

fn walk(line: &Line, prev: Duration, out: &mut BTreeMap<u32, Duration>) -> Duration {
    let us = Duration::from_micros;
    let t = match line.time.node {
        TimeSpec::Any => prev,
        TimeSpec::Absolute(a) | TimeSpec::AbsoluteRange { lo: a, .. } => us(a),
        TimeSpec::Relative(d) | TimeSpec::RelativeRange { lo: d, .. } => prev + us(d),
    };
    out.insert(line.span.line, t);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(text: &str) -> Vec<(u32, u128)> {
        let script = crate::script::parse(text, "t.pkt").expect("parses");
        script_times(&script.items)
            .into_iter()
            .map(|(l, t)| (l, t.as_millis()))
            .collect()
    }

    #[test]
    fn relative_times_add_up_from_the_script_alone() {
        let t = times(
            "0 < S 0:0(0) win 1000\n\
             +0 > S. 0:0(0) ack 1\n\
             +0.01 < . 1:1(0) ack 1 win 1000\n\
             +0.2~0.5 > . 1:1(0) ack 1\n\
             * > F. 1:1(0) ack 1\n\
             1.5 < . 1:1(0) ack 2 win 1000\n",
        );
        assert_eq!(
            t,
            vec![(1, 0), (2, 0), (3, 10), (4, 210), (5, 210), (6, 1500)]
        );
    }

    #[test]
    fn after_an_either_the_latest_branch_end_counts() {
        let t = times(
            "0 < S 0:0(0) win 1000\n\
             either\n\
             +0.1 > S. 0:0(0) ack 1\n\
             or\n\
             +0.3 > S. 0:0(0) ack 1\n\
             end\n\
             +0.01 < . 1:1(0) ack 1 win 1000\n",
        );
        assert_eq!(t, vec![(1, 0), (2, 0), (3, 100), (5, 300), (7, 310)]);
    }
}
