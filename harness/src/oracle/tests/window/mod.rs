//! The send window and zero-window probing (RFC 9293 §3.8.6, §3.10.7.4; RFC 7323 §2.3),
//! receiver SWS avoidance (§3.8.6.2.2).

mod peer_window;
mod receiver_sws;
mod window_edge;
mod zero_window_in_doubt;
mod zero_window_probes;
