//! The set of models the oracle holds (`oracle/branches.rs`): segments the target may drop
//! (RFC 9293 §3.1 MUST-7) or take, the cap on the set, a connection the target may still have.

mod cap;
mod cap_keeps_latest;
mod droppable_segments;
mod old_connection_kept;
