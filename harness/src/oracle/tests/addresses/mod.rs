//! Addresses (RFC 9293 §3.9.2.3, MUST-57, MUST-63): broadcast and multicast.

mod non_unicast;
