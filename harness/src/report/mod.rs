//! `report`: reporters over the runner's event stream.

mod files;
#[doc(hidden)]
pub mod fixture;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod matrix;
pub mod pcap;
pub mod snapshot;
pub mod terminal;
pub mod text;

pub use files::{
    merge, sort_cases, summarise, write_all, ReportWriter, INDEX_HTML, JUNIT_XML, RESULTS_JSON,
    SUMMARY_MD,
};
pub use matrix::matrix;
