//! TIME-WAIT (RFC 9293 §3.6.1, §3.10.7.4): 2×MSL, RSTs and SYNs there.

mod rsts;
mod two_msl;
