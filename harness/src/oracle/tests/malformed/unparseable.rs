//! Bytes that do not parse as a TCP segment (RFC 9293 §3.1: a data offset
//! below 5, a header past the packet): from the target `malformed-segment`,
//! in every driver, since all feed [`Oracle::observe`]; to the target
//! nothing (it drops them). Not in line form: the case language writes only
//! segments that parse.

use crate::oracle::tests::*;

/// RFC 9293 §3.1; malformed-segment (RFC 9293 §3.1).
#[test]
fn unparseable_bytes_from_the_target_are_a_malformed_segment() {
    let model = TargetModel {
        addr: TARGET.into(),
        listening: vec![LISTEN_PORT],
    };
    let mut oracle = Oracle::new(Profile::rfc9293(), model);
    let error = "data offset 4 is below 5";
    let from = Observation::Unparseable {
        dir: Direction::FromTarget,
        len: 40,
        error,
    };
    let f = oracle.observe(ms(1), from);
    let rules: Vec<_> = f.iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec![RuleId::MalformedSegment]);
    assert!(f[0].message.contains(error), "{}", f[0].message);
    let to = Observation::Unparseable {
        dir: Direction::ToTarget,
        len: 40,
        error,
    };
    assert_eq!(oracle.observe(ms(2), to), vec![]);
}
