//! CLOSE-WAIT (RFC 9293 §3.10.7.4 eighth check): the peer's FIN taken, dropped or in
//! doubt, and what the target may send after it.

mod fin_in_doubt_then_close;
mod fin_in_zero_window;
mod fin_past_held_text;
mod fin_past_part_of_held_text;
mod fin_segment_window;
mod fin_states;
mod fin_under_later_text;
mod fin_with_old_ack;
mod text_syn_and_fin_segments;
