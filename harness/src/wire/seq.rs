//! Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
//!
//! Sequence numbers are never compared with a bare `<`: every comparison here
//! wraps, so a window that straddles 2^32 behaves like any other.

use std::fmt;

/// A TCP sequence (or acknowledgment) number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct SeqNumber(pub u32);

// `add` and `sub` are methods, not `std::ops` impls, on purpose: sequence
// arithmetic is always spelled out, so a bare `+` or `<` on sequence numbers
// never type-checks by accident (STYLE.md).
#[allow(clippy::should_implement_trait)]
impl SeqNumber {
    /// `self + n` modulo 2^32.
    pub fn add(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(n))
    }
    /// `self - n` modulo 2^32.
    pub fn sub(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(n))
    }
    /// Signed distance from `other` to `self` (`self - other`), in
    /// [-2^31, 2^31). Two numbers exactly 2^31 apart are -2^31 apart
    /// whichever way round: their order is undefined (RFC 1982 §3.2), and
    /// the comparisons below hold for neither.
    pub fn diff(self, other: SeqNumber) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }
    /// Unsigned offset of `self` from `base` modulo 2^32 (`self - base`).
    pub fn offset_from(self, base: SeqNumber) -> u32 {
        self.0.wrapping_sub(base.0)
    }
}

/// The distance at which two numbers have no order (RFC 1982 §3.2).
const UNORDERED: i32 = i32::MIN;

/// `a < b` modulo 2^32: `b` is less than 2^31 ahead of `a` (RFC 9293 §3.4,
/// RFC 1982 §3.2). Never true both ways: 2^31 apart is neither order.
pub fn seq_lt(a: SeqNumber, b: SeqNumber) -> bool {
    let d = a.diff(b);
    d < 0 && d != UNORDERED
}
/// `a <= b` modulo 2^32 (false for numbers 2^31 apart, as [`seq_lt`]).
pub fn seq_le(a: SeqNumber, b: SeqNumber) -> bool {
    let d = a.diff(b);
    d <= 0 && d != UNORDERED
}
/// `a > b` modulo 2^32 (false for numbers 2^31 apart, as [`seq_lt`]).
pub fn seq_gt(a: SeqNumber, b: SeqNumber) -> bool {
    a.diff(b) > 0
}
/// `a >= b` modulo 2^32 (false for numbers 2^31 apart, as [`seq_lt`]).
pub fn seq_ge(a: SeqNumber, b: SeqNumber) -> bool {
    a.diff(b) >= 0
}
/// `start <= x < start + len` modulo 2^32 (a window test).
pub fn seq_in_window(x: SeqNumber, start: SeqNumber, len: u32) -> bool {
    x.offset_from(start) < len
}

impl fmt::Debug for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEAR_WRAP: SeqNumber = SeqNumber(u32::MAX - 2);

    #[test]
    fn comparisons_wrap_at_2_pow_32() {
        let after = NEAR_WRAP.add(5);
        assert_eq!(after, SeqNumber(2));
        assert!(seq_lt(NEAR_WRAP, after));
        assert!(seq_gt(after, NEAR_WRAP));
        assert!(seq_le(after, after));
        assert!(seq_ge(after, after));
        assert_eq!(after.diff(NEAR_WRAP), 5);
        assert_eq!(NEAR_WRAP.diff(after), -5);
        assert_eq!(after.offset_from(NEAR_WRAP), 5);
    }

    #[test]
    fn window_test_straddles_the_wrap() {
        assert!(seq_in_window(SeqNumber(1), NEAR_WRAP, 10));
        assert!(seq_in_window(NEAR_WRAP, NEAR_WRAP, 10));
        assert!(!seq_in_window(NEAR_WRAP.add(10), NEAR_WRAP, 10));
        assert!(!seq_in_window(NEAR_WRAP.sub(1), NEAR_WRAP, 10));
        assert!(!seq_in_window(NEAR_WRAP, NEAR_WRAP, 0));
    }

    /// RFC 1982 §3.2: two numbers exactly 2^31 apart have no order. Neither
    /// is less than, greater than or equal to the other, whichever way round
    /// they are asked, and at one less than 2^31 exactly one order holds.
    #[test]
    fn numbers_2_pow_31_apart_are_unordered_both_ways() {
        for a in [SeqNumber(0), SeqNumber(7), NEAR_WRAP, SeqNumber(1 << 31)] {
            let b = a.add(1 << 31);
            for (x, y) in [(a, b), (b, a)] {
                assert!(!seq_lt(x, y), "{x} < {y}");
                assert!(!seq_gt(x, y), "{x} > {y}");
                assert!(!seq_le(x, y), "{x} <= {y}");
                assert!(!seq_ge(x, y), "{x} >= {y}");
            }
            let just_inside = a.add((1 << 31) - 1);
            assert!(seq_lt(a, just_inside) && !seq_lt(just_inside, a));
            assert!(seq_gt(just_inside, a) && !seq_gt(a, just_inside));
            let just_outside = a.add((1 << 31) + 1);
            assert!(seq_lt(just_outside, a) && !seq_lt(a, just_outside));
        }
    }
}
