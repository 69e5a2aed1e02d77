//! `run`: drives a case against a target and emits one event stream.
//!
//! - [`case`]: finding, parsing and resolving case files.
//! - [`mapping`]: script-space ↔ live sequence numbers (modulo 2^32).
//! - [`build`]: `<` lines → live segments.
//! - [`edge`]: `<` lines counted from the target's window edge (`//! window-edge`).
//! - [`limits`]: what a case may ask for (an event; segments IP can carry).
//! - [`matcher`]: `>` lines against what the target sent, field by field.
//! - [`syscall`]: syscall lines → application actions (and what is unsupported).
//! - [`nominal`]: when each line is due by the script alone (snapshot times).
//! - [`runner`]: one case against one target session → a [`CaseReport`].
//! - [`isn`]: T14, the ISN predictability screen over many SYN-ACKs.
//! - [`event`]: the event stream every reporter consumes.

pub mod build;
pub mod case;
pub mod case_shared;
pub mod code_blocks;
pub mod edge;
pub mod event;
pub mod from_capture;
pub mod ipinfo;
pub mod isn;
pub mod isn_case;
pub mod judge;
pub mod judge_rst;
pub mod judge_side;
pub mod judge_unparsed;
pub mod limits;
pub mod mapping;
pub mod matcher;
pub mod nominal;
pub mod pdscript;
pub mod runner;
pub mod script_text;
pub mod scriptform;
pub mod suite;
pub mod syscall;
pub mod syscall_sock;

pub use case::{Case, CaseMeta, LoadError};
pub use event::{
    CaseReport, Dir, Entry, EntryKind, Event, Mismatch, Outcome, Reporter, RunInfo, RunSummary,
    Violation,
};
pub use runner::{run_case, RunOptions, LATE_DEVIATION_NOTE, LATE_NOTE, STREAM_NOTE};
pub use suite::{run_suite, select, Shard, SuiteOptions, Waivers};
