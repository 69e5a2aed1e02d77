//! RSTs and SYNs in synchronized states (RFC 9293 §3.10.7.4 second and fourth checks,
//! RFC 5961 §3.2, §4.2): challenge ACKs, resets that may or may not have been taken.

mod challenge_ack;
mod challenge_ack_first_of_burst;
mod in_window_rst_and_syn;
mod replies_void_after_reset;
mod rst_at_one_rcv_nxt_candidate;
mod rst_below_taken_text;
mod rst_with_data;
