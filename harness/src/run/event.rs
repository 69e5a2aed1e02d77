//! The runner's one event stream (STYLE.md: one stream, many reporters).
//!
//! The runner emits [`Event`]s; the terminal, JSON, JUnit, Markdown, HTML,
//! pcap and snapshot reporters consume them. A finished case arrives whole,
//! as a [`CaseReport`]: everything any reporter needs, and nothing that
//! depends on how it will be shown.

pub use super::script_text::ScriptText;
use crate::wire::{Segment, TcpState};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

/// One event of a run, in order.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    /// The run begins: what it runs against.
    RunStarted(&'a RunInfo),
    /// A case begins.
    CaseStarted {
        /// Its position among the run's cases, from 0.
        index: usize,
        /// Its id (`core/b01-handshake`).
        id: &'a str,
    },
    /// A case is over, with everything about it.
    CaseFinished(&'a CaseReport),
    /// The run is over: the totals.
    RunFinished(&'a RunSummary),
}

/// What every report names: the target, the profile, the seed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The target's name (`embedded`, `lab`, …).
    pub target: String,
    /// The oracle profile's name.
    pub profile: String,
    /// The run's seed (`--seed`), which reproduces it.
    pub seed: u64,
    /// Cases selected for this run (after tags and sharding).
    pub cases: usize,
    /// `K/N` when the run is one shard of a larger suite.
    pub shard: Option<String>,
    /// Whether `>` lines were ignored (`--oracle-only`).
    pub oracle_only: bool,
}

/// The verdict on one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every line matched and the oracle found no MUST violation.
    Pass,
    /// A mismatch, an unexpected segment, or a MUST violation.
    Fail,
    /// The harness or the target broke: not a verdict.
    Error,
    /// The target cannot run what the case needs.
    Unsupported,
    /// Passed, with differences the selected profile allows (listed).
    Deviation,
    /// Failed, but a waiver for this target records why (listed).
    Waived,
    /// Not run (e.g. left out by tags).
    Skipped,
}

impl Outcome {
    /// The outcome as reports write it (`pass`, `fail`, …).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Unsupported => "unsupported",
            Outcome::Deviation => "deviation",
            Outcome::Waived => "waived",
            Outcome::Skipped => "skipped",
        }
    }
    /// Whether this outcome makes the run exit non-zero.
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Error)
    }
}

/// Which way a packet went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Injected by the harness into the target (`<`).
    In,
    /// Sent by the target (`>`).
    Out,
}

/// One thing that happened in a case, at a session time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Session time (virtual on the embedded target).
    pub at: Duration,
    /// The case line (1-based) this entry belongs to, if any.
    pub line: Option<u32>,
    /// What happened.
    pub what: EntryKind,
}

/// What a transcript entry records.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EntryKind {
    /// A packet, exactly as it crossed, and its parse.
    Packet {
        /// Injected or sent by the target.
        dir: Dir,
        /// The IP packet's bytes as sent or received.
        bytes: Vec<u8>,
        /// Parsed form (`None` when the bytes do not parse: reported, not dropped).
        segment: Option<Segment>,
        /// The segment in script space, as a case line would write it
        /// (`S. 0:0(0) ack 1 win 65535 <mss 1460>`): no ISNs. Rendered
        /// when first asked ([`EntryKind::script`]).
        script: ScriptText,
        /// Whether the TCP (and IPv4 header) checksum is valid.
        checksum_ok: bool,
    },
    /// The target socket's state, read where the case asked (or observed).
    State {
        /// The state read.
        state: TcpState,
        /// The state the case expected, if this was an assertion.
        expected: Option<Vec<TcpState>>,
    },
    /// An application action performed on the target.
    App {
        /// The call, in the script.s syntax.
        action: String,
        /// What it returned.
        result: String,
    },
    /// Anything else worth a line in the transcript.
    Note(String),
}

impl EntryKind {
    /// A packet's script text, rendered now if it was not yet (empty for
    /// anything but a packet).
    pub fn script(&self) -> &str {
        match self {
            EntryKind::Packet {
                segment, script, ..
            } => script.get(segment.as_ref()),
            _ => "",
        }
    }
}

impl PartialEq for EntryKind {
    fn eq(&self, other: &EntryKind) -> bool {
        use EntryKind::*;
        match (self, other) {
            (
                Packet {
                    dir,
                    bytes,
                    segment,
                    checksum_ok,
                    ..
                },
                Packet {
                    dir: d2,
                    bytes: b2,
                    segment: s2,
                    checksum_ok: c2,
                    ..
                },
            ) => {
                dir == d2
                    && bytes == b2
                    && segment == s2
                    && checksum_ok == c2
                    && self.script() == other.script()
            }
            (
                State { state, expected },
                State {
                    state: s2,
                    expected: e2,
                },
            ) => state == s2 && expected == e2,
            (
                App { action, result },
                App {
                    action: a2,
                    result: r2,
                },
            ) => action == a2 && result == r2,
            (Note(a), Note(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for EntryKind {}

impl Serialize for EntryKind {
    /// As derived, with a packet's script text rendered.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "kind", rename_all = "lowercase")]
        enum View<'a> {
            Packet {
                dir: Dir,
                bytes: &'a [u8],
                segment: &'a Option<Segment>,
                script: &'a str,
                checksum_ok: bool,
            },
            State {
                state: &'a TcpState,
                expected: &'a Option<Vec<TcpState>>,
            },
            App {
                action: &'a str,
                result: &'a str,
            },
            Note(&'a str),
        }
        let view = match self {
            EntryKind::Packet {
                dir,
                bytes,
                segment,
                checksum_ok,
                ..
            } => View::Packet {
                dir: *dir,
                bytes,
                segment,
                script: self.script(),
                checksum_ok: *checksum_ok,
            },
            EntryKind::State { state, expected } => View::State { state, expected },
            EntryKind::App { action, result } => View::App { action, result },
            EntryKind::Note(n) => View::Note(n),
        };
        view.serialize(s)
    }
}

/// A way the target's behaviour differed from the case script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The case line that expected something else.
    pub line: Option<u32>,
    /// The case line's text.
    pub source: Option<String>,
    /// Field-level message: `tcp.ack: expected 1, got 2`.
    pub message: String,
    /// What the line expected, in script syntax.
    pub expected: Option<String>,
    /// What arrived (or `nothing`), in script syntax.
    pub actual: Option<String>,
    /// Index into the transcript of the offending entry.
    pub entry: Option<usize>,
}

/// An RFC requirement the target broke (or deviated from under its profile).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Stable rule name (`synack explain NAME`).
    pub rule: String,
    /// `MUST` or `SHOULD`.
    pub level: String,
    /// `RFC 9293 §3.10.7.1`.
    pub section: String,
    /// `MUST-2`, `SHLD-3`, or a companion RFC's section.
    pub requirement: String,
    /// What happened, with the numbers (absolute, as the oracle saw them).
    pub message: String,
    /// The sequence numbers in `message`: where, whose space, absolute and
    /// relative to that side's ISN as the transcript counts it
    /// (`report::finding`; readers show the relative text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<crate::report::finding::MessageNumber>,
    /// Set when the profile allows it: the profile's reason.
    pub deviation: Option<String>,
    /// Index into the transcript of the segment judged.
    pub entry: Option<usize>,
}

/// Everything about one finished case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReport {
    /// Stable id: the path under the cases root, without extension (`core/b01-handshake`).
    /// This field and the five after it are shared with the case
    /// ([`super::case_shared`]): a run does not copy them.
    pub id: Arc<str>,
    /// The file as given.
    pub path: Arc<str>,
    /// The case's `//! title:`.
    pub title: Option<Arc<str>>,
    /// Its `//! rfc:` entries (`RFC 9293 §3.5`).
    pub rfc: Arc<[String]>,
    /// Its `//! covers:` list: the catalogue ids it tests.
    pub covers: Arc<[String]>,
    /// Its `//! tags:` list.
    pub tags: Arc<[String]>,
    /// The built-in service behind the target's port (`echo`, `closed`, …).
    pub service: Cow<'static, str>,
    /// The target's name.
    pub target: Cow<'static, str>,
    /// The oracle profile's name.
    pub profile: String,
    /// The run's seed.
    pub seed: u64,
    /// The verdict.
    pub outcome: Outcome,
    /// Why, in one line (the first mismatch, violation or error).
    pub reason: Option<String>,
    /// Every way the target differed from the script.
    pub mismatches: Vec<Mismatch>,
    /// Every oracle finding, deviations included.
    pub violations: Vec<Violation>,
    /// Waiver reason, when the outcome is `Waived`.
    pub waiver: Option<String>,
    /// Everything that happened, in order.
    pub transcript: Vec<Entry>,
    /// Addresses of the connection: target and harness (`ip:port`).
    pub target_addr: Endpoint,
    /// The harness's address and port (`ip:port`).
    pub harness_addr: Endpoint,
    /// Whether session times are virtual.
    pub virtual_time: bool,
    /// Session time at the end of the case.
    pub session_time: Duration,
    /// Wall time the case took.
    pub wall_time: Duration,
    /// Time resolution for normalised transcripts.
    pub resolution: Duration,
    /// When each line was due by the script alone (line number → time, see
    /// [`super::nominal`]): the times the snapshot form prints on a
    /// real-time target. Empty for reports that did not come from a script.
    /// Shared with the case ([`super::case::Derived`]): a run does not copy it.
    #[serde(default)]
    pub script_times: std::sync::Arc<std::collections::BTreeMap<u32, Duration>>,
}

impl CaseReport {
    /// A report for `case` on `target` that no run made (a panic caught,
    /// a verdict read back from a snapshot): `outcome` and `reason`, the
    /// case's own fields, nothing observed, seed 0, no time taken, and a
    /// real-time target's resolution.
    pub fn unrun(
        case: &super::Case,
        target: &str,
        profile: String,
        outcome: Outcome,
        reason: String,
    ) -> CaseReport {
        let shared = case.derived.shared.for_case(case);
        CaseReport {
            id: shared.id,
            path: case.path.display().to_string().into(),
            title: shared.title,
            rfc: shared.rfc,
            covers: shared.covers,
            tags: shared.tags,
            service: case.meta.service.to_string().into(),
            target: target.to_string().into(),
            profile,
            seed: 0,
            outcome,
            reason: Some(reason),
            mismatches: Vec::new(),
            violations: Vec::new(),
            waiver: None,
            transcript: Vec::new(),
            script_times: Default::default(),
            target_addr: Endpoint::default(),
            harness_addr: Endpoint::default(),
            virtual_time: false,
            session_time: Duration::ZERO,
            wall_time: Duration::ZERO,
            resolution: super::runner::resolution(false),
        }
    }
}

/// A report's address and port, kept as a value (issue #17 item 3):
/// written `192.0.2.1:8080` or `[2001:db8::1]:80`, and empty for a case
/// that opened no session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Endpoint(pub Option<std::net::SocketAddr>);

impl Endpoint {
    /// The address, if the case had one.
    pub fn get(self) -> Option<std::net::SocketAddr> {
        self.0
    }
    /// Whether there is none.
    pub fn is_empty(self) -> bool {
        self.0.is_none()
    }
}

impl From<std::net::SocketAddr> for Endpoint {
    fn from(a: std::net::SocketAddr) -> Endpoint {
        Endpoint(Some(a))
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(a) => a.fmt(f),
            None => Ok(()),
        }
    }
}

impl std::str::FromStr for Endpoint {
    type Err = std::net::AddrParseError;
    /// `ip:port`, or the empty text.
    fn from_str(s: &str) -> Result<Endpoint, Self::Err> {
        if s.is_empty() {
            Ok(Endpoint(None))
        } else {
            s.parse().map(|a| Endpoint(Some(a)))
        }
    }
}

/// Totals at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases where the harness or the target broke.
    pub errors: usize,
    /// Cases the target cannot run.
    pub unsupported: usize,
    /// Cases that passed with deviations the profile allows.
    pub deviations: usize,
    /// Cases that failed under a waiver.
    pub waived: usize,
    /// Cases not run.
    pub skipped: usize,
    /// Wall time the run took.
    pub wall_time: Duration,
}

impl RunSummary {
    /// Counts one case's outcome.
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail => self.failed += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Unsupported => self.unsupported += 1,
            Outcome::Deviation => self.deviations += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }
    /// True when the run must exit 1.
    pub fn any_failed(&self) -> bool {
        self.failed + self.errors > 0
    }
}

/// A consumer of the event stream.
pub trait Reporter {
    /// Takes one event; an I/O error stops the run.
    fn event(&mut self, event: &Event<'_>) -> std::io::Result<()>;
}
