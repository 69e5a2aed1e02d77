//! `report`: reporters over the runner's event stream.

#[doc(hidden)]
pub mod fixture;
pub mod json;
pub mod pcap;
pub mod snapshot;
