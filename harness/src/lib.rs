//! # synack: a TCP conformance test harness and fuzzer
//!
//! synack crafts raw TCP segments, sends them to a TCP stack under test (the
//! *target*), and judges every segment the target sends back: against what a
//! case script expects, and against an RFC model of what any conforming TCP
//! may do.
//!
//! ## Layers
//!
//! Imports go one way only; nothing imports upward:
//!
//! ```text
//! wire  <-  script, oracle, target  <-  run  <-  report  <-  cli
//! ```
//!
//! - [`wire`]: the lossless segment codec. `parse` never panics; `emit` never
//!   panics into a buffer of `buffer_len()` bytes.
//! - [`script`]: the case language (packetdrill syntax plus `//!` metadata):
//!   lexer, parser with a span on every node, printer, diagnostics with
//!   `file:line:col` and a caret.
//! - [`oracle`]: a sans-IO model of the target's endpoint that judges every
//!   segment the target sends against RFC 9293, 5961, 7323 and 6298.
//! - [`target`]: the stack under test behind one trait: inject a packet,
//!   receive with a deadline, act as the application, report socket state.
//! - [`run`]: drives a case against a target: script ↔ live sequence
//!   numbers, field-level matching, timing, one event stream out.
//! - [`report`]: reporters over that event stream.
//! - `cli`: the only module that knows clap (cargo feature `cli`, on by
//!   default; the fuzz crate builds the library without it).
//! - [`fuzzing`]: what the `fuzz/` targets call.
//! - [`grid`]: the state × segment grid as generated case files (it writes
//!   case text; `run` loads it like any other case).

// `unsafe` only under `target/sys/`, which allows it (each block with a
// SAFETY comment); anywhere else it does not compile.
#![deny(unsafe_code)]
// Every public item of the library carries a doc comment (#15 item 9).
#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod fuzzing;
pub mod grid;
pub mod oracle;
pub mod report;
pub mod run;
pub mod script;
pub mod target;
pub mod wire;
