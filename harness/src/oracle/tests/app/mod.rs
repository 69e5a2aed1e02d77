//! Application events (RFC 9293 §3.10.4 CLOSE, §3.10.5 ABORT) and what they change in what
//! the target owes.

pub(super) mod abort_and_close;
