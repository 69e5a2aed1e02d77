//! `results.json`: the machine-readable run, from which every other report
//! can be regenerated (`synack report merge` does exactly that).
//!
//! # Schema `synack-results/1`
//!
//! One JSON object. Times are integer **nanoseconds** (`*_ns`); byte
//! strings are lowercase **hex**; every key below is always present (`null`
//! where the text says "or null"). Readers must ignore keys they do not
//! know: later minor additions keep the schema name; a breaking change
//! bumps it to `synack-results/2`.
//!
//! ```text
//! {
//!   "schema": "synack-results/1",
//!   "run": {
//!     "target": "embedded",          // target name
//!     "profile": "rfc9293",          // oracle profile
//!     "seed": 7,                     // u64 (JavaScript: parse as BigInt)
//!     "cases": 42,                   // cases selected for this run
//!     "shard": "1/3" | null,         // K/N when this run is one shard
//!     "oracle_only": false           // `>` lines ignored
//!   },
//!   "summary": {
//!     "total": 42, "passed": 40, "failed": 1, "errors": 0, "unsupported": 1,
//!     "deviations": 0, "waived": 0, "skipped": 0,
//!     "wall_time_ns": 123456789      // not stable run to run
//!   },
//!   "cases": [ {                     // in run order
//!     "id": "core/b01-handshake",    // stable id: path under cases/, no extension
//!     "path": "cases/core/b01-handshake.pkt",
//!     "title": "…" | null, "rfc": ["9293 3.5"], "covers": ["MUST-1"], "tags": [],
//!     "service": "echo", "target": "embedded", "profile": "rfc9293", "seed": 7,
//!     "outcome": "pass" | "fail" | "error" | "unsupported" | "deviation" | "waived" | "skipped",
//!     "reason": "tcp.ack: expected 1, got 2" | null,
//!     "waiver": "…" | null,          // the waiver's reason when outcome is waived
//!     "mismatches": [ {
//!       "line": 6 | null, "source": "+0 > R. 0:0(0) ack 1 win 0" | null,
//!       "message": "tcp.ack: expected 1, got 2",
//!       "expected": "…" | null, "actual": "…" | null,
//!       "entry": 1 | null            // index into "transcript"
//!     } ],
//!     "violations": [ {
//!       "rule": "rst-closed-ack", "level": "MUST" | "SHOULD",
//!       "section": "RFC 9293 §3.10.7.1", "requirement": "MUST-2",
//!       "message": "…",              // absolute (live) sequence numbers
//!       "numbers": [ {               // each sequence number in "message" (optional)
//!         "start": 4, "end": 14,     // its bytes in "message"
//!         "space": "target" | "peer", // whose sequence space
//!         "absolute": 3735928560, "relative": 2  // relative: as the transcript counts
//!       } ],
//!       "deviation": "profile's reason" | null,
//!       "entry": 1 | null
//!     } ],
//!     "target_addr": "192.0.2.1:8080", "harness_addr": "198.51.100.1:40000",
//!     "virtual_time": true,
//!     "session_time_ns": 4000000,    // session time at the end of the case
//!     "wall_time_ns": 1234000,       // not stable run to run
//!     "resolution_ns": 1000000,      // rounding of the snapshot form
//!     "script_times_ns": { "5": 0, "7": 10000000 },  // line → due by the script (optional)
//!     "transcript": [                // in order; one of four kinds:
//!       { "at_ns": 0, "line": 5 | null, "kind": "packet",
//!         "dir": "in" | "out",       // in: harness → target (`<`)
//!         "bytes": "4500002c…",      // the IP packet exactly as it crossed
//!         "script": "S 0:0(0) win 65535 <mss 1460>",  // script space, no ISNs
//!         "summary": "198.51.100.1.40000 > 192.0.2.1.8080: Flags [S], …" | null,
//!         "checksum_ok": true },
//!       { "at_ns": …, "line": …, "kind": "state",
//!         "state": "ESTABLISHED", "expected": ["ESTABLISHED"] | null },
//!       { "at_ns": …, "line": …, "kind": "app", "action": "close", "result": "done" },
//!       { "at_ns": …, "line": …, "kind": "note", "text": "…" }
//!     ]
//!   } ]
//! }
//! ```
//!
//! `summary` on a packet is tcpdump's line with absolute numbers, for
//! people reading the file; readers derive the parsed segment from `bytes`
//! (`wire::parse`) and ignore `summary`. States are spelled as RFC 9293
//! spells them.

use crate::run::{
    CaseReport, Dir, Entry, EntryKind, Mismatch, Outcome, RunInfo, RunSummary, Violation,
};
use crate::wire::{parse, TcpState};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The schema name written in, and required of, every results file.
pub const SCHEMA: &str = "synack-results/1";

/// A whole results file, read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// The run's target, options and version.
    pub info: RunInfo,
    /// The run's counts.
    pub summary: RunSummary,
    /// Every case, in run order.
    pub cases: Vec<CaseReport>,
}

/// Why a results file could not be read (the file is at fault).
#[derive(Debug)]
pub enum ResultsError {
    /// The file could not be read.
    Io(std::io::Error),
    /// Not JSON, or not this schema's shape.
    Json(serde_json::Error),
    /// A `schema` other than [`SCHEMA`].
    Schema(String),
    /// A field with an impossible value (the message says which).
    Invalid(String),
}

impl fmt::Display for ResultsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultsError::Io(e) => write!(f, "cannot read results: {e}"),
            ResultsError::Json(e) => write!(f, "results are not valid {SCHEMA} JSON: {e}"),
            ResultsError::Schema(s) => {
                write!(f, "results have schema `{s}`, this synack reads `{SCHEMA}`")
            }
            ResultsError::Invalid(m) => write!(f, "invalid results: {m}"),
        }
    }
}
impl std::error::Error for ResultsError {}

#[derive(Serialize, Deserialize)]
struct FileJson {
    schema: String,
    run: RunJson,
    summary: SummaryJson,
    cases: Vec<CaseJson>,
}

#[derive(Serialize, Deserialize)]
struct RunJson {
    target: String,
    profile: String,
    seed: u64,
    cases: usize,
    shard: Option<String>,
    oracle_only: bool,
}

#[derive(Serialize, Deserialize)]
struct SummaryJson {
    total: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    unsupported: usize,
    deviations: usize,
    waived: usize,
    skipped: usize,
    wall_time_ns: u64,
}

#[derive(Serialize, Deserialize)]
struct CaseJson {
    id: String,
    path: String,
    title: Option<String>,
    rfc: Vec<String>,
    covers: Vec<String>,
    tags: Vec<String>,
    service: String,
    target: String,
    profile: String,
    seed: u64,
    outcome: Outcome,
    reason: Option<String>,
    waiver: Option<String>,
    mismatches: Vec<Mismatch>,
    violations: Vec<Violation>,
    target_addr: String,
    harness_addr: String,
    virtual_time: bool,
    session_time_ns: u64,
    wall_time_ns: u64,
    resolution_ns: u64,
    /// Line number → when the script says it is due (absent in older files).
    #[serde(default)]
    script_times_ns: std::collections::BTreeMap<u32, u64>,
    transcript: Vec<EntryJson>,
}

#[derive(Serialize, Deserialize)]
struct EntryJson {
    at_ns: u64,
    line: Option<u32>,
    #[serde(flatten)]
    what: KindJson,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum KindJson {
    Packet {
        dir: Dir,
        bytes: String,
        script: String,
        #[serde(default)]
        summary: Option<String>,
        checksum_ok: bool,
    },
    State {
        state: String,
        expected: Option<Vec<String>>,
    },
    App {
        action: String,
        result: String,
    },
    Note {
        text: String,
    },
}

fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Bytes from hex (either case); `None` on an odd length or a non-hex digit.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if s.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

fn entry_json(e: &Entry) -> EntryJson {
    let what = match &e.what {
        EntryKind::Packet {
            dir,
            bytes,
            segment,
            checksum_ok,
            ..
        } => KindJson::Packet {
            dir: *dir,
            bytes: to_hex(bytes),
            script: e.what.script().to_string(),
            summary: segment.as_ref().map(|s| s.to_string()),
            checksum_ok: *checksum_ok,
        },
        EntryKind::State { state, expected } => KindJson::State {
            state: state.rfc_name().to_string(),
            expected: expected
                .as_ref()
                .map(|v| v.iter().map(|s| s.rfc_name().to_string()).collect()),
        },
        EntryKind::App { action, result } => KindJson::App {
            action: action.clone(),
            result: result.clone(),
        },
        EntryKind::Note(text) => KindJson::Note { text: text.clone() },
    };
    EntryJson {
        at_ns: ns(e.at),
        line: e.line,
        what,
    }
}

fn entry_from(e: EntryJson, case: &str, i: usize) -> Result<Entry, ResultsError> {
    let bad = |m: String| ResultsError::Invalid(format!("case {case}, transcript[{i}]: {m}"));
    let state = |s: &str| s.parse::<TcpState>().map_err(bad);
    let what = match e.what {
        KindJson::Packet {
            dir,
            bytes,
            script,
            summary: _,
            checksum_ok,
        } => {
            let bytes = from_hex(&bytes).ok_or_else(|| bad("bytes are not hex".into()))?;
            EntryKind::Packet {
                dir,
                segment: parse(&bytes).ok(),
                bytes,
                script: script.into(),
                checksum_ok,
            }
        }
        KindJson::State { state: s, expected } => EntryKind::State {
            state: state(&s)?,
            expected: match expected {
                Some(v) => Some(v.iter().map(|s| state(s)).collect::<Result<_, _>>()?),
                None => None,
            },
        },
        KindJson::App { action, result } => EntryKind::App { action, result },
        KindJson::Note { text } => EntryKind::Note(text),
    };
    Ok(Entry {
        at: Duration::from_nanos(e.at_ns),
        line: e.line,
        what,
    })
}

/// A report's `ip:port` (or empty) address text as a value.
fn endpoint(text: &str, case: &str) -> Result<crate::run::event::Endpoint, ResultsError> {
    text.parse().map_err(|e| {
        ResultsError::Invalid(format!("case {case}: address `{text}` is not ip:port: {e}"))
    })
}

fn case_json(c: &CaseReport) -> CaseJson {
    CaseJson {
        id: c.id.to_string(),
        path: c.path.to_string(),
        title: c.title.as_deref().map(str::to_string),
        rfc: c.rfc.to_vec(),
        covers: c.covers.to_vec(),
        tags: c.tags.to_vec(),
        service: c.service.to_string(),
        target: c.target.to_string(),
        profile: c.profile.clone(),
        seed: c.seed,
        outcome: c.outcome,
        reason: c.reason.clone(),
        waiver: c.waiver.clone(),
        mismatches: c.mismatches.clone(),
        violations: c.violations.clone(),
        target_addr: c.target_addr.to_string(),
        harness_addr: c.harness_addr.to_string(),
        virtual_time: c.virtual_time,
        session_time_ns: ns(c.session_time),
        wall_time_ns: ns(c.wall_time),
        resolution_ns: ns(c.resolution),
        script_times_ns: c.script_times.iter().map(|(l, t)| (*l, ns(*t))).collect(),
        transcript: c.transcript.iter().map(entry_json).collect(),
    }
}

fn case_from(c: CaseJson) -> Result<CaseReport, ResultsError> {
    let transcript = c
        .transcript
        .into_iter()
        .enumerate()
        .map(|(i, e)| entry_from(e, &c.id, i))
        .collect::<Result<Vec<_>, _>>()?;
    let target_addr = endpoint(&c.target_addr, &c.id)?;
    let harness_addr = endpoint(&c.harness_addr, &c.id)?;
    Ok(CaseReport {
        id: c.id.into(),
        path: c.path.into(),
        title: c.title.map(Into::into),
        rfc: c.rfc.into(),
        covers: c.covers.into(),
        tags: c.tags.into(),
        service: c.service.into(),
        target: c.target.into(),
        profile: c.profile,
        seed: c.seed,
        outcome: c.outcome,
        reason: c.reason,
        mismatches: c.mismatches,
        violations: c.violations,
        waiver: c.waiver,
        transcript,
        target_addr,
        harness_addr,
        virtual_time: c.virtual_time,
        session_time: Duration::from_nanos(c.session_time_ns),
        wall_time: Duration::from_nanos(c.wall_time_ns),
        resolution: Duration::from_nanos(c.resolution_ns),
        script_times: c
            .script_times_ns
            .iter()
            .map(|(l, t)| (*l, Duration::from_nanos(*t)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into(),
    })
}

/// The summary's total: every case counted once.
fn total(s: &RunSummary) -> usize {
    s.passed + s.failed + s.errors + s.unsupported + s.deviations + s.waived + s.skipped
}

/// `results.json` text (pretty-printed, stable key order).
pub fn to_json(info: &RunInfo, summary: &RunSummary, cases: &[CaseReport]) -> String {
    let file = FileJson {
        schema: SCHEMA.to_string(),
        run: RunJson {
            target: info.target.clone(),
            profile: info.profile.clone(),
            seed: info.seed,
            cases: info.cases,
            shard: info.shard.clone(),
            oracle_only: info.oracle_only,
        },
        summary: SummaryJson {
            total: total(summary),
            passed: summary.passed,
            failed: summary.failed,
            errors: summary.errors,
            unsupported: summary.unsupported,
            deviations: summary.deviations,
            waived: summary.waived,
            skipped: summary.skipped,
            wall_time_ns: ns(summary.wall_time),
        },
        cases: cases.iter().map(case_json).collect(),
    };
    // Serialising plain structs of strings and integers to a String cannot fail.
    let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
    s.push('\n');
    s
}

/// Parses `results.json` text.
pub fn parse_results(text: &str) -> Result<Results, ResultsError> {
    // Check the schema first so a future file gets the right message.
    let probe: serde_json::Value = serde_json::from_str(text).map_err(ResultsError::Json)?;
    match probe.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => return Err(ResultsError::Schema(other.to_string())),
        None => return Err(ResultsError::Schema("(none)".to_string())),
    }
    let file: FileJson = serde_json::from_value(probe).map_err(ResultsError::Json)?;
    let cases = file
        .cases
        .into_iter()
        .map(case_from)
        .collect::<Result<Vec<_>, _>>()?;
    let s = file.summary;
    let summary = RunSummary {
        passed: s.passed,
        failed: s.failed,
        errors: s.errors,
        unsupported: s.unsupported,
        deviations: s.deviations,
        waived: s.waived,
        skipped: s.skipped,
        wall_time: Duration::from_nanos(s.wall_time_ns),
    };
    if total(&summary) != s.total {
        return Err(ResultsError::Invalid(format!(
            "summary total {} is not the sum of its counts ({})",
            s.total,
            total(&summary)
        )));
    }
    let r = file.run;
    Ok(Results {
        info: RunInfo {
            target: r.target,
            profile: r.profile,
            seed: r.seed,
            cases: r.cases,
            shard: r.shard,
            oracle_only: r.oracle_only,
        },
        summary,
        cases,
    })
}

/// Reads a `results.json` file.
pub fn read_results(path: &Path) -> Result<Results, ResultsError> {
    let text = std::fs::read_to_string(path).map_err(ResultsError::Io)?;
    parse_results(&text)
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
