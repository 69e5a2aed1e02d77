//! CLOSING (RFC 9293 §3.6 Figure 13, §3.10.7.4): a simultaneous close.

mod fin_states;
mod simultaneous_close;
