//! CLOSED (RFC 9293 §3.10.7.1): a segment to no connection, and the RST it draws.

mod droppable_segments;
mod rst_replies;
mod rsts_after_optional_ones;
