//! LISTEN (RFC 9293 §3.10.7.2): the passive open, the SYN-ACK, and what LISTEN resets or drops.

mod dropped_syn;
mod repeated_syn;
mod rst_not_sent_after_maybe_reset;
mod rst_replies;
mod syn_ack;
