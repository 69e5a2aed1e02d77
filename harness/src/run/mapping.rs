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
    pub target_isn_known: bool,
    /// The target's TSval base, once learned (else zero).
    pub target_ts_base: u32,
    pub target_ts_known: bool,
    /// How far (in ticks) a `>` line's TSval may be from the target's:
    /// `None` (the default, as packetdrill) does not compare it at all
    /// (see `super::pdscript::ts_val_slack`).
    pub ts_val_slack: Option<u32>,
}

impl Mapping {
    pub fn new(harness_isn: SeqNumber) -> Mapping {
        Mapping {
            harness_isn,
            target_isn: SeqNumber(0),
            target_isn_known: false,
            target_ts_base: 0,
            target_ts_known: false,
            ts_val_slack: None,
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
        self.target_isn = live.sub(script);
        self.target_isn_known = true;
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
