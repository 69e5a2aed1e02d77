//! ESTABLISHED (RFC 9293 §3.10.7.4): acceptability, the ACK field, the target's sequence
//! space, what the target must acknowledge.

mod acceptability;
mod ack_beyond_snd_nxt;
mod ack_of_unsent_data;
mod ambiguous_segments;
mod duplicate_ack_data;
mod rst_replies;
mod sequence_space;
mod shutdown_read;
mod uncertain_acks;
