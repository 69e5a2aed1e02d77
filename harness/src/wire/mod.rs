//! `wire`: the segment codec.
//!
//! A lossless [`Segment`] (IPv4 or IPv6 envelope, all twelve flag bits, the
//! raw data offset, the urgent pointer, an open list of options including
//! unknown and malformed ones, the payload) with [`parse`], [`Segment::emit`]
//! and [`Segment::buffer_len`].
//!
//! Contract (as smoltcp's `wire` promises): `parse` never panics, whatever the
//! bytes; our own length checks run before any pnet accessor. `emit` never
//! panics when the buffer is at least `buffer_len()` long. Normalising is
//! the oracle's job, never the codec's: illegal segments (SYN+FIN, reserved
//! bits, a data offset that disagrees with the options) are sent and reported
//! exactly. No pnet type escapes this module.

mod built;
mod codec;
mod display;
pub mod flags;
pub mod icmp;
pub mod option;
pub mod segment;
pub mod seq;
pub mod state;
#[cfg(test)]
mod tests;

pub use codec::{
    checksum_valid, emit_options, parse, parse_options, parse_with_checksum, WireError,
};
pub use flags::TcpFlags;
pub use option::TcpOption;
pub use segment::{ChecksumPolicy, IpEnvelope, Segment};
pub use seq::{seq_ge, seq_gt, seq_in_window, seq_le, seq_lt, SeqNumber};
pub use state::TcpState;
