//! Malformed input (RFC 9293 §3.1): bytes that do not parse, odd flag combinations, random
//! segments.

mod robustness;
mod unparseable;
