//! Retransmission timing (RFC 6298; RFC 9293 §3.8.1).

mod retransmission;
