//! `oracle`: judges every segment a TCP endpoint (the *target*) sends
//! against RFC 9293, RFC 5961, RFC 7323, RFC 6298 (and RFC 2018's SYN-only
//! option rule), from the traffic alone.
//!
//! # Trace checking
//!
//! The target is a black box: the oracle sees what went over the wire in
//! both directions, what the target's application did, and the time. It
//! checks that trace against the RFC the way Netsem's TCP specification
//! checks captured traces against its model (Bishop et al., "Rigorous
//! specification and conformance testing techniques for network
//! protocols, as applied to TCP, UDP, and sockets", SIGCOMM 2005): it runs
//! its own model of the target's TCP beside the real one and asks, at each
//! segment the target sends, "could an endpoint that follows the RFC have
//! sent this here?".
//!
//! Everything enters through one door, [`Oracle::observe`], one
//! [`Observation`] at a time in the order things happened (`observe.rs`):
//!
//! - a segment [`Direction::ToTarget`] (with its [`Checksum`] verdict) is
//!   an *input*: the model runs RFC 9293 §3.10.7 event processing on it and
//!   learns what the target now owes (a RST with the §3.10.7.1 numbers, an
//!   ACK for an unacceptable segment, a challenge ACK) and by when. One
//!   with a bad checksum only is remembered: the target must discard it
//!   (MUST-3), so a later ACK of it is `bad-checksum-accepted`;
//! - a segment [`Direction::FromTarget`] is an *output*: it is checked
//!   against every rule and the findings are returned (empty: allowed);
//!   bytes that do not parse are `malformed-segment`;
//! - an application event ([`AppEvent`]: write, close, abort, connect…) is
//!   an RFC 9293 §3.10 user call: it changes what the target owes;
//! - the passing of time reports owed replies that never came.
//!
//! # The model
//!
//! One *model* is what an RFC endpoint would hold: a table of connections,
//! each a TCB (`tcb.rs`: the §3.3.1 send and receive sequence variables,
//! the negotiated options, the state), the obligations each owes with
//! their deadlines, and the tuples that closed (`closed_store.rs`: what a
//! segment to them draws).
//!
//! The RFC often leaves the target a choice: a segment with an illegal
//! option length may be processed or dropped (§3.1, MUST-7); a profile may
//! declare a transition of its own ([`Transition`]). The oracle does not
//! guess. It holds a **set** of models, one per choice that still matters:
//!
//! 1. An input goes to every model. Where it is a choice in a model, that
//!    model *forks*: one copy takes the RFC's transition, the other the
//!    alternative (never saw the segment, or took the profile's own
//!    transition). See `branches.rs`.
//! 2. An output (or a deadline passing) is judged in every model. The
//!    models in which it is a violation explain the target worse than
//!    those in which it is not: only the models with the fewest violations
//!    stay (a deviation the profile allows counts for nothing), and the
//!    findings returned are those of the first of them. So a target that
//!    made either choice passes, and a violation every model sees is
//!    reported.
//! 3. A model may *hold* findings (`held`): a choice that is itself a
//!    violation (RFC 793's reset on an in-window RST) is true of the
//!    target only if that model is. A held finding counts among the
//!    model's violations on an event that is a violation in some model,
//!    and is reported once every model left holds one (the fork is
//!    decided, or each explains the target with a violation of its own).
//! 4. Models that have become equal merge (the same connections, as a set,
//!    the same closed tuples and pending opens; they keep only the
//!    findings both hold): a choice that changed nothing costs nothing,
//!    and the set holds only models that differ.
//! 5. The set has a stated cap, [`MAX_BRANCHES`]. It is reached only on
//!    bursts of droppable segments (each owes a reply its dropped copy
//!    does not, so the subsets of owed replies differ); reaching it is
//!    reported in the verdict, once, as the warning `model-set-capped`
//!    naming the cap, and the models kept are those nearest taking or
//!    dropping every forking segment.
//!
//! A segment acceptable for some RCV.NXT candidates only forks too: one
//! copy took it (it is acceptable there: its ACK moves SND.UNA, its window
//! is the send window), the other never saw it; so does an ACK whose zero
//! window the target may or may not have taken (`arrive.rs`). A segment
//! that may or may not have reset its connection (a RST at one RCV.NXT
//! candidate, one a stack may drop, an in-window RST RFC 793 resets on)
//! splits the model once it is judged: one copy reset (CLOSED, or LISTEN
//! again), one not (`reset_fork.rs`).
//!
//! Still held inside one TCB instead of as forks (issue #16 item 1):
//!
//! - RCV.NXT is a range `rcv.lo..=rcv.hi` where a SYN's text may be queued
//!   (RFC 9293 §3.10.7.2: "queued for processing later", so RCV.NXT moves
//!   only at ESTABLISHED) or dropped, or where a stack took text RFC 9293
//!   ignores (after the harness's FIN, on an ACK of unsent data, on a
//!   duplicate ACK after a close in SYN-RECEIVED); while it is a range,
//!   data owes no timed ACK.
//! - A harness FIN inside that range (or on a segment a stack may drop) is
//!   `maybe_fin` until the target's ACK decides.
//! - `maybe_reset` marks a connection the target may have reset itself,
//!   sending a RST of its own: RFC 793's reset on a SYN in a synchronized
//!   state or on a SYN-ACK in SYN-RECEIVED, a RST after SHUT_RD, a SYN in
//!   TIME-WAIT (`judge_time_wait.rs`); `void_if_reset` marks the
//!   obligations such a reset would cancel, and its rule is reported when
//!   the target shows the reset (its RST, a SYN-ACK for a new SYN).
//! - `Follow` fields follow deviations whatever the profile, rather than
//!   as the profile's transitions.
//! - A non-zero window from an ACK the target may have dropped only lets
//!   the send window's edges grow.
//!
//! # The TCB
//!
//! `tcb.rs`: one connection is its state and RFC 9293 §3.3.1's groups, the
//! send sequence variables (ISS, SND.UNA, SND.NXT, SND.WL1, SND.WL2, the
//! window's edges), the receive sequence variables (IRS, RCV.NXT, the
//! advertised edge), the options in effect; then what it owes and its
//! timers. What a target that took a deviation stacks take (smoltcp taking
//! an ACK of unsent data, dropping a FIN segment's ACK) still holds is kept
//! apart (`Follow`), each field naming the rule it follows.
//!
//! # Profiles
//!
//! A [`Profile`] names the stack's known, allowed differences: a rule it
//! allows turns that finding into one labelled `deviation` (reported, not
//! failing), its timers set the bounds, its [`Transition`]s add forks.
//! The RFC core itself follows RFC 9293.
//!
//! # Opens
//!
//! The target may open passively (a harness SYN to a listening port:
//! SYN-RECEIVED) or actively (its own SYN, after [`AppEvent::Connect`] or,
//! in a capture with no application events, on the SYN alone: SYN-SENT,
//! then ESTABLISHED, or SYN-RECEIVED on a crossing SYN); see `syn_sent.rs`.
//! [`Oracle::states`] lists every state each connection may be in (over
//! the whole set), for transcripts; [`Oracle::next_deadline`] says when an
//! owed reply falls due.
//!
//! Only `crate::wire` is imported: the oracle could be its own crate.
//!
//! # Files
//!
//! `rules.rs` (the rule table, [`Finding`]), `profile.rs`, `tcb.rs` (one
//! connection), `model.rs` (the [`Oracle`]: the table, user calls,
//! deadlines), `branches.rs` (the set: fork, judge, merge, cap, held
//! findings), `reset_fork.rs` (a reset taken or not),
//! `observe.rs` (the entry point), `arrive.rs` (segments the target
//! receives; `arrive_syn.rs` in SYN-RECEIVED, `arrive_kinds.rs` what kind
//! a segment is), `syn_sent.rs` (the active open), `judge.rs` (segments it
//! sends; `judge_closed.rs` on no connection and its RSTs; `judge_seq.rs` a
//! segment's place in the sequence space and its size; `zero_window.rs`
//! zero-window probes), `handshake.rs` (its SYN-ACK, retransmission
//! timing), `closed_store.rs`, `icmp.rs`, `bench.rs`. Tests are in
//! `tests/`, grouped by state and rule; new ones state their sequences in
//! the case language's line form (`tests/lines.rs`) and assert the exact
//! set of findings.

mod addresses;
mod arrive;
mod arrive_kinds;
mod arrive_syn;
mod bench;
mod branches;
mod challenge;
mod closed_store;
pub mod finding;
mod handshake;
pub mod icmp;
mod judge;
mod judge_closed;
mod judge_seq;
mod judge_time_wait;
mod model;
mod observe;
mod profile;
mod rcv_sws;
mod reset_fork;
mod rules;
mod seq_first;
mod syn_sent;
mod tcb;
#[cfg(test)]
mod tests;
pub mod tfo;
mod zero_window;

pub use bench::{bench_fresh_tuples, bench_judge, bench_transcript, fresh_tuples};
pub use finding::{peer, tgt, Message, SeqIn, Space};
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
