//! `report`: reporters over the runner's event stream (STYLE.md: one event
//! stream, many reporters). Each format is a pure function of the run's
//! [`RunInfo`](crate::run::RunInfo), [`RunSummary`](crate::run::RunSummary)
//! and [`CaseReport`](crate::run::CaseReport)s, so `results.json` alone can
//! regenerate all the others ([`merge`] does).
//!
//! A report directory (`synack run --report DIR`, [`write_all`]):
//!
//! | file | module | for |
//! |---|---|---|
//! | `results.json` | [`json`] | machines; schema `synack-results/1`, documented there |
//! | `junit.xml` | [`junit`] | CI systems |
//! | `summary.md` | [`markdown`] | people: a PR comment, a CI summary page |
//! | `index.html` | [`html`] | people: ladder diagrams, self-contained |
//! | `<case>.pcap` | [`pcap`] | Wireshark / tshark; LINKTYPE_RAW, session times |
//! | `<case>.txt` | [`snapshot`] | the normalised transcript plus raw lines |
//!
//! `<case>` is the case id with `/` replaced by `__` ([`text::case_file_stem`]).
//! Every written report lists cases in id order ([`sort_cases`]), so a run
//! whose cases finish in any order, and the [`merge`] of its shards, write
//! the same files apart from timings. [`matrix`] builds `reports/MATRIX.md`
//! from several targets' cases; [`snapshot::normalise`] is the snapshot
//! form kept under `reports/<target>/`. [`pcap::read_capture`] reads
//! captures for `synack judge`.
//!
//! Imports: `run` and `wire` only (never `cli`).

#[doc(hidden)]
pub mod coverage;
mod files;
pub mod finding;
pub mod fixture;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod matrix;
pub mod pcap;
pub mod recorded;
pub mod snapshot;
pub mod terminal;
pub mod text;
pub mod times;

pub use files::{
    merge, sort_cases, summarise, write_all, ReportWriter, INDEX_HTML, JUNIT_XML, RESULTS_JSON,
    SUMMARY_MD,
};
pub use matrix::matrix;
