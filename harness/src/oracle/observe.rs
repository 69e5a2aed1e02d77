//! The oracle's one entry point: [`Oracle::observe`] takes an
//! [`Observation`] (a segment in either direction with its checksum verdict,
//! bytes that do not parse, an application event, the passing of time) at a
//! session time, and returns the findings it causes. The runner, the fuzz
//! driver and the judge all feed the oracle through it, so the order of the
//! steps inside (expire owed replies, then the checksum, then the segment)
//! is decided here once, not by each caller (issue #16, item 3).

use super::model::Oracle;
use super::rules::{Finding, RuleId};
use super::{AppEvent, Direction};
use crate::wire::Segment;
use std::net::SocketAddr;
use std::time::Duration;

/// The verdict on a segment's TCP checksum, from the caller who has its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// The checksum is right.
    Valid,
    /// The checksum is wrong: to the target, a segment it must discard (RFC
    /// 9293 §3.1, MUST-3); from it, `bad-checksum` (MUST-2).
    Invalid,
    /// Not checked: a capture's checksums the caller does not trust
    /// (offloaded to the NIC, `--ignore-checksums`). The segment counts as
    /// valid.
    Unchecked,
}

impl Checksum {
    /// `Valid` or `Invalid` from a checked verdict.
    pub fn checked(ok: bool) -> Checksum {
        if ok {
            Checksum::Valid
        } else {
            Checksum::Invalid
        }
    }
}

/// One thing the oracle observes.
#[derive(Clone, Copy, Debug)]
pub enum Observation<'a> {
    /// A segment that parsed, in `dir`, with its checksum verdict.
    Segment {
        /// Which way it travelled.
        dir: Direction,
        /// The parsed segment.
        segment: &'a Segment,
        /// Its checksum verdict.
        checksum: Checksum,
    },
    /// Bytes sent in `dir` that do not parse as a TCP segment (a data
    /// offset below 5, a length past the packet): from the target,
    /// `malformed-segment`; to it, nothing (the target drops them).
    Unparseable {
        /// Which way they travelled.
        dir: Direction,
        /// How many bytes.
        len: usize,
        /// Why they do not parse (the wire error's text).
        error: &'a str,
    },
    /// An application call on the target's side for the connection to `peer`.
    App {
        /// The remote end of the connection.
        peer: SocketAddr,
        /// What the application did.
        event: AppEvent,
    },
    /// Time passed with nothing else: owed replies that never came.
    Time,
}

impl Oracle {
    /// Feeds one observation at session time `at` and returns its findings
    /// (empty: allowed). Observations must come in the order they happened.
    pub fn observe(&mut self, at: Duration, what: Observation<'_>) -> Vec<Finding> {
        match what {
            Observation::Segment {
                dir: Direction::ToTarget,
                segment,
                checksum: Checksum::Invalid,
            } => {
                // The target must discard it (MUST-3): nothing is owed for it.
                self.on_corrupt_to_target(at, segment);
                Vec::new()
            }
            Observation::Segment {
                dir,
                segment,
                checksum,
            } => {
                // MUST-57/MUST-63: a broadcast or multicast address (`addresses.rs`).
                if let Some(out) = self.non_unicast_segment(at, dir, segment) {
                    return out;
                }
                let mut out = self.on_segment(at, dir, segment);
                if dir == Direction::FromTarget && checksum == Checksum::Invalid {
                    out.push(self.finding(
                        RuleId::BadChecksum,
                        format!(
                            "segment from the target has an invalid TCP checksum ({} octets of payload)",
                            segment.payload.len()
                        ),
                    ));
                }
                out
            }
            Observation::Unparseable { dir, len, error } => {
                if dir == Direction::ToTarget {
                    return Vec::new();
                }
                vec![self.finding(
                    RuleId::MalformedSegment,
                    format!("{len} bytes from the target do not parse as a TCP segment: {error}"),
                )]
            }
            Observation::App { peer, event } => {
                self.on_app(at, peer, event);
                Vec::new()
            }
            Observation::Time => self.on_time(at),
        }
    }
}
