//! SYN-RECEIVED (RFC 9293 §3.10.7.4 in SYN-RECEIVED, §3.10.4 CLOSE there): the handshake's
//! third segment, the SYN's data, RSTs and repeated SYNs, a close before ESTABLISHED.

mod ack_before_syn_ack;
mod close;
mod close_fin_in_syns_place;
mod close_then_fin_on_old_text;
pub(in crate::oracle::tests) mod close_then_peer_fin;
mod close_then_rst;
mod fin_on_old_text;
mod handshake;
mod repeated_syn;
mod rst_after_later_syn;
mod rst_at_rcv_nxt;
mod rst_replies;
mod syn_ack_from_peer;
mod syn_data;
mod unacceptable_with_bad_ack;
