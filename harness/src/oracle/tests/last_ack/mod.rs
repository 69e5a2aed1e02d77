//! LAST-ACK (RFC 9293 §3.10.7.4 fifth check in LAST-ACK), and the CLOSED that follows it.

mod closed_after_last_ack;
mod fin_and_after;
mod fin_segment;
mod fin_segment_ack_ignored;
mod text_past_fin_up_to_held_text;
