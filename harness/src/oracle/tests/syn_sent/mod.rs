//! SYN-SENT (RFC 9293 §3.10.1, §3.10.7.3): the active open and the simultaneous open.

mod active_open;
mod handshake;
mod simultaneous_open;
