//! `oracle`: a sans-IO model of the target's TCP endpoint that judges every
//! segment the target sends against RFC 9293, RFC 5961, RFC 7323, RFC 6298
//! (and RFC 2018's SYN-only option rule).
//!
//! The oracle is fed everything (rustls `conn/` style: no I/O, no clock)
//! through one entry point, [`Oracle::observe`], one [`Observation`] at a
//! time in the order things happened (`observe.rs`):
//!
//! - a segment [`Direction::ToTarget`] with its [`Checksum`] verdict runs RFC
//!   9293 §3.10.7 event processing on the model, so the oracle knows what the
//!   target now owes (a RST with the §3.10.7.1 numbers, an ACK for an
//!   unacceptable segment, a challenge ACK) and which states it may be in; one
//!   with a bad checksum only is remembered (the target must discard it,
//!   MUST-3: a later ACK of it is `bad-checksum-accepted`);
//! - a segment [`Direction::FromTarget`] is checked against every rule (a bad
//!   checksum: `bad-checksum`, MUST-2), and the findings are returned (empty:
//!   allowed); bytes from the target that do not parse are `malformed-segment`;
//! - an application event ([`AppEvent`]) says what the target's application
//!   did; the passing of time reports owed replies that never came;
//! - [`Oracle::states`] lists every state each connection may be in, for
//!   transcripts; [`Oracle::next_deadline`] says when an owed reply falls due.
//!
//! Where the RFCs allow several behaviours, every one passes: ACK and FIN
//! together or apart, delayed ACKs (under 0.5 s), a SYN's data queued or
//! dropped (RCV.NXT is kept as a range), RFC 793 or RFC 5961 reset handling
//! (a connection that may have been reset keeps `CLOSED` among its possible
//! states until the target shows which). A [`Profile`] turns a known
//! difference into a finding with `deviation: Some(reason)`.
//!
//! A segment the target may legitimately drop, one with an illegal option
//! length (RFC 9293 §3.1, MUST-7: drop it or reset), forks the model into
//! "processed" and "dropped" branches; what the target sends next decides
//! between them (see `model.rs`), so both behaviours pass while a violation
//! in every branch is still reported.
//!
//! The target may open passively (a harness SYN to a listening port:
//! SYN-RECEIVED) or actively (its own SYN without ACK, after
//! [`AppEvent::Connect`] or, in a capture with no application events, on
//! the SYN alone: SYN-SENT, then ESTABLISHED, or SYN-RECEIVED on a crossing
//! SYN, a simultaneous open); see `syn_sent.rs`.
//!
//! Only `crate::wire` is imported: the oracle could be its own crate.
//!
//! Files: `rules.rs` (the rule table, [`Finding`]), `profile.rs`, `tcb.rs`
//! (the connection model), `model.rs` (the [`Oracle`]), `observe.rs` (its
//! entry point), `arrive.rs` (segments the target receives; `arrive_syn.rs`
//! in SYN-RECEIVED), `syn_sent.rs` (the target's active open: its SYN, and
//! SYN-SENT both ways), `judge.rs` (segments it sends; `judge_closed.rs` on
//! no connection and its RSTs; `judge_seq.rs` a segment's place in the
//! sequence space and its size; `zero_window.rs` zero-window probes),
//! `handshake.rs` (its SYN-ACK, retransmission timing), `bench.rs`. Tests
//! are in `tests/`, grouped by state and rule; new ones state their
//! sequences in the case language's line form (`tests/lines.rs`) and assert
//! the exact set of findings.

mod arrive;
mod arrive_kinds;
mod arrive_syn;
mod bench;
mod branches;
mod closed_store;
mod handshake;
pub mod icmp;
mod judge;
mod judge_closed;
mod judge_seq;
mod judge_time_wait;
mod model;
mod observe;
mod profile;
mod rules;
mod syn_sent;
mod tcb;
#[cfg(test)]
mod tests;
mod zero_window;

pub use bench::{bench_fresh_tuples, bench_judge, bench_transcript, fresh_tuples};
pub use model::{Oracle, MAX_BRANCHES};
pub use observe::{Checksum, Observation};
pub use profile::{Profile, ResetPolicy, Transition, RFC_MIN_RTO, RFC_TIME_WAIT};
pub use rules::{rules, Finding, Level, RuleId, RuleInfo};

use std::net::IpAddr;

/// Which way a segment travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Direction {
    /// From the harness (or the remote peer in a capture) to the target.
    ToTarget,
    /// From the target.
    FromTarget,
}

/// An application action on the target's side, as far as the oracle cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AppEvent {
    /// `write()`/`send()` returned this many octets: the target now owes them (RFC 9293 §3.10.2, SEND call).
    Write(usize),
    /// `read()`/`recv()` returned this many octets: the receive window may reopen (§3.10.3, RECEIVE call).
    Read(usize),
    /// `shutdown(SHUT_WR)`: a FIN follows the queued text (§3.10.4, CLOSE call).
    ShutdownWrite,
    /// `close()`: a FIN follows the queued text (§3.10.4); text arriving afterwards may draw a RST (§3.6.1).
    Close,
    /// `close()` with `SO_LINGER` {1, 0}: a RST now, the TCB deleted (§3.10.5, ABORT call).
    Abort,
    /// `connect()`: the target opens actively (RFC 9293 §3.10.1, OPEN call, active); its SYN
    /// follows and opens SYN-SENT, replacing whatever the model still has on that tuple.
    Connect,
    /// `shutdown(SHUT_RD)`: the application reads no more. Text that still arrives is
    /// acknowledged as before; a RST for it instead is `rst-after-shutdown-read` (a warning; the
    /// Linux profile allows it).
    ShutdownRead,
}

/// What the oracle knows about the target before any segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetModel {
    /// The target's address: segments from it are judged.
    pub addr: IpAddr,
    /// Ports where the target listens; any other port is CLOSED.
    pub listening: Vec<u16>,
}
