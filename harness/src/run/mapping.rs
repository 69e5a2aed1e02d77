//! Script space ↔ live space.
//!
//! Sequence numbers in a case are relative to each side's ISN: `<` lines
//! write the harness's sequence numbers relative to the harness ISN and their
//! acknowledgments relative to the target's ISN; `>` lines the other way
//! round. The harness picks its ISN (from the seed); the target's is learned
//! from the first SYN it sends (and relearned from each later SYN, so a
//! second connection in a case works). Until then the target ISN is taken as
//! zero, so a RST from a port that never had a connection reads as the
//! absolute numbers §3.10.7.1 prescribes. Timestamps work the same way: the
//! target's TSval base is learned from the first TSval it sends. All
//! arithmetic is modulo 2^32.

use crate::wire::SeqNumber;

/// The live ↔ script offsets of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The harness's ISN: script seq 0 of `<` lines.
    pub harness_isn: SeqNumber,
    /// The target's ISN, once learned (else zero).
    pub target_isn: SeqNumber,
    /// Whether `target_isn` has been learned (from the target's SYN).
    pub target_isn_known: bool,
    /// The target's TSval base, once learned (else zero).
    pub target_ts_base: u32,
    /// Whether `target_ts_base` has been learned.
    pub target_ts_known: bool,
    /// How far (in ticks) a `>` line's TSval may be from the target's:
    /// `None` (the default, as packetdrill) does not compare it at all
    /// (see `super::pdscript::ts_val_slack`).
    pub ts_val_slack: Option<u32>,
    /// packetdrill's numbering, for scripts in packetdrill form (see
    /// [`Mapping::with_packetdrill_numbering`]).
    pub pd_numbering: bool,
    /// Where a SYN's harness-side numbers count from (the harness ISN as
    /// the seed picked it).
    pub harness_syn_base: SeqNumber,
    /// The script's first harness SYN set `harness_isn` (packetdrill's
    /// remote ISN).
    pub remote_isn_set: bool,
    /// Under packetdrill's numbering, what the target's SYN line wrote for
    /// its sequence number (`> S. 1234:1234(0)`): numbers in segments that
    /// carry SYN count from it, every other target-side number from the
    /// live ISN (`ack 1` is ISN+1), as packetdrill's `socket.h` maps them.
    pub target_syn_script: u32,
}

impl Mapping {
    /// A mapping with the harness's ISN and nothing of the target's learned yet.
    pub fn new(harness_isn: SeqNumber) -> Mapping {
        Mapping {
            harness_isn,
            target_isn: SeqNumber(0),
            target_isn_known: false,
            target_ts_base: 0,
            target_ts_known: false,
            ts_val_slack: None,
            pd_numbering: false,
            harness_syn_base: harness_isn,
            remote_isn_set: false,
            target_syn_script: 0,
        }
    }

    /// packetdrill's numbering of the harness side: the sequence number a
    /// `<` SYN writes is its ISN (`< S. 123:123(0)`), and every later
    /// harness-side number of a segment without SYN counts from it
    /// (`< . 1:1(0)` is ISN+1, `> . 1:1(0) ack 1` acknowledges it), while
    /// numbers in segments that carry SYN (the SYN's sequence number, a
    /// SYN-ACK's acknowledgment) count from the same base as the SYN's. The
    /// ISN is set by the first harness SYN and again by a harness SYN-ACK
    /// (an active open), as packetdrill sets its remote ISN. synack's own
    /// cases count every harness number from one base.
    pub fn with_packetdrill_numbering(mut self, on: bool) -> Mapping {
        self.pd_numbering = on;
        self
    }

    /// Live harness-side sequence number of a script number in a segment
    /// that does (`syn`) or does not carry SYN.
    pub fn harness_live_in(&self, script: u32, syn: bool) -> SeqNumber {
        if syn && self.pd_numbering {
            self.harness_syn_base.add(script)
        } else {
            self.harness_live(script)
        }
    }

    /// Script number of a live harness-side number in a segment that does
    /// (`syn`) or does not carry SYN.
    pub fn harness_script_in(&self, live: SeqNumber, syn: bool) -> u32 {
        if syn && self.pd_numbering {
            live.offset_from(self.harness_syn_base)
        } else {
            self.harness_script(live)
        }
    }

    /// The harness injected a SYN (`syn_ack`: a SYN-ACK) written with
    /// sequence number `script`: under packetdrill's numbering, that is the
    /// harness ISN from now on (the first SYN, or a SYN-ACK).
    pub fn harness_syn_sent(&mut self, script: u32, syn_ack: bool) {
        if self.pd_numbering && (!self.remote_isn_set || syn_ack) {
            self.harness_isn = self.harness_syn_base.add(script);
            self.remote_isn_set = true;
        }
    }

    /// Live sequence number of a harness-side script number.
    pub fn harness_live(&self, script: u32) -> SeqNumber {
        self.harness_isn.add(script)
    }
    /// Script number of a live harness-side sequence number.
    pub fn harness_script(&self, live: SeqNumber) -> u32 {
        live.offset_from(self.harness_isn)
    }
    /// Live sequence number of a target-side script number.
    pub fn target_live(&self, script: u32) -> SeqNumber {
        self.target_isn.add(script)
    }
    /// Script number of a live target-side sequence number.
    pub fn target_script(&self, live: SeqNumber) -> u32 {
        live.offset_from(self.target_isn)
    }

    /// Learns the target's ISN from a SYN it sent with sequence number
    /// `live`, which the case writes as `script`.
    pub fn learn_target_isn(&mut self, live: SeqNumber, script: u32) {
        if self.pd_numbering {
            self.target_isn = live;
            self.target_syn_script = script;
        } else {
            self.target_isn = live.sub(script);
        }
        self.target_isn_known = true;
    }

    /// Script number of a live target-side number in a segment that does
    /// (`syn`) or does not carry SYN (see `target_syn_script`).
    pub fn target_script_in(&self, live: SeqNumber, syn: bool) -> u32 {
        let n = self.target_script(live);
        if syn && self.pd_numbering {
            n.wrapping_add(self.target_syn_script)
        } else {
            n
        }
    }

    /// Live target-side number of a script number in a segment that does
    /// (`syn`) or does not carry SYN.
    pub fn target_live_in(&self, script: u32, syn: bool) -> SeqNumber {
        if syn && self.pd_numbering {
            self.target_live(script.wrapping_sub(self.target_syn_script))
        } else {
            self.target_live(script)
        }
    }

    /// Learns the target's TSval base from the first TSval it sends.
    pub fn learn_target_ts(&mut self, live: u32, script: u32) {
        if !self.target_ts_known {
            self.target_ts_base = live.wrapping_sub(script);
            self.target_ts_known = true;
        }
    }
    /// Live value of a target TSval written in script space (a `<` line's TSecr).
    pub fn target_ts_live(&self, script: u32) -> u32 {
        script.wrapping_add(self.target_ts_base)
    }
    /// Script value of a live target TSval.
    pub fn target_ts_script(&self, live: u32) -> u32 {
        live.wrapping_sub(self.target_ts_base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packetdrill_numbering_counts_from_the_syns_own_number() {
        let mut m = Mapping::new(SeqNumber(1000)).with_packetdrill_numbering(true);
        // `< S. 123:123(0)`: the SYN-ACK goes out as base + 123 ...
        assert_eq!(m.harness_live_in(123, true), SeqNumber(1123));
        m.harness_syn_sent(123, true);
        // ... and `> . 1:1(0) ack 1` acknowledges it: 1124 is script 1.
        assert_eq!(m.harness_script_in(SeqNumber(1124), false), 1);
        assert_eq!(m.harness_live_in(1, false), SeqNumber(1124));
        // A SYN later in the connection keeps its own number, and does not
        // move the ISN (only the first SYN or a SYN-ACK does).
        assert_eq!(m.harness_live_in(5, true), SeqNumber(1005));
        m.harness_syn_sent(5, false);
        assert_eq!(m.harness_script_in(SeqNumber(1124), false), 1);
        // A target SYN-ACK's acknowledgment counts from the SYN's base.
        assert_eq!(m.harness_script_in(SeqNumber(1124), true), 124);
        // synack's own numbering: one base for everything.
        let mut own = Mapping::new(SeqNumber(1000));
        own.harness_syn_sent(123, true);
        assert_eq!(own.harness_live_in(1, false), SeqNumber(1001));
        assert_eq!(own.harness_script_in(SeqNumber(1124), true), 124);
    }

    const NEAR_WRAP: SeqNumber = SeqNumber(u32::MAX - 5);

    #[test]
    fn harness_numbers_map_across_the_wrap() {
        let m = Mapping::new(NEAR_WRAP);
        assert_eq!(m.harness_live(0), NEAR_WRAP);
        assert_eq!(m.harness_live(1), SeqNumber(u32::MAX - 4));
        assert_eq!(m.harness_live(10), SeqNumber(4));
        assert_eq!(m.harness_script(SeqNumber(4)), 10);
        assert_eq!(m.harness_script(NEAR_WRAP), 0);
    }

    #[test]
    fn target_isn_is_learned_and_wraps() {
        let mut m = Mapping::new(SeqNumber(0));
        assert_eq!(
            m.target_live(5000),
            SeqNumber(5000),
            "unknown ISN reads absolute"
        );
        m.learn_target_isn(SeqNumber(u32::MAX - 1), 0);
        assert!(m.target_isn_known);
        assert_eq!(m.target_live(1), SeqNumber(u32::MAX));
        assert_eq!(m.target_live(2), SeqNumber(0));
        assert_eq!(m.target_live(100), SeqNumber(98));
        assert_eq!(m.target_script(SeqNumber(98)), 100);
        m.learn_target_isn(SeqNumber(7), 0);
        assert_eq!(m.target_script(SeqNumber(8)), 1, "a later SYN relearns");
    }

    #[test]
    fn target_timestamps_are_relative_to_the_first_tsval() {
        let mut m = Mapping::new(SeqNumber(0));
        m.learn_target_ts(u32::MAX, 0);
        m.learn_target_ts(12, 0);
        assert_eq!(m.target_ts_script(u32::MAX), 0);
        assert_eq!(m.target_ts_script(9), 10);
        assert_eq!(m.target_ts_live(10), 9);
    }
}
