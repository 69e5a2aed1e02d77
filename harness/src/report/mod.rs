//! `report`: reporters over the runner's event stream.

#[doc(hidden)]
pub mod fixture;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod pcap;
pub mod snapshot;
pub mod terminal;
pub mod text;
