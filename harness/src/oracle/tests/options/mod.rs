//! Options (RFC 9293 §3.1, §3.7.1 MSS; RFC 7323; RFC 2018; RFC 7413 Fast Open).

mod fast_open;
mod header_options;
mod mss_bound;
mod mss_options;
