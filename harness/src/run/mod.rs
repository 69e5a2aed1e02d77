//! `run`: drives a case against a target and emits one event stream.

pub mod event;

pub use event::{
    CaseReport, Dir, Entry, EntryKind, Event, Mismatch, Outcome, Reporter, RunInfo, RunSummary,
    Violation,
};
