//! The send MSS (RFC 9293 §3.7.1, MUST-15/16; RFC 9293 §3.7.1 default 536 for IPv4,
//! 1220 for IPv6) and the SYN-ACK's MSS option (SHLD).

use crate::oracle::tests::lines::{expect_after, rfc, LISTEN};
use crate::oracle::tests::*;

// ---- segment-exceeds-mss ----

/// RFC 9293 §3.7.1.
#[test]
fn established_segment_of_exactly_the_mss_is_allowed() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 100>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         < . 1:1(0) ack 1 win 65535
         > . 1:101(100) ack 1 win 64240",
        &[],
    );
}

/// RFC 9293 §3.7.1; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn established_segment_above_the_peer_mss_violates() {
    let judged = expect_after(
        Profile::rfc9293(),
        LISTEN,
        "< S 0:0(0) win 65535 <mss 100>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         < . 1:1(0) ack 1 win 65535
         > . 1:102(101) ack 1 win 64240",
        &["5 segment-exceeds-mss"],
    );
    let f = judged.finding("5 segment-exceeds-mss");
    assert!(
        f.message.contains("101 bytes") && f.message.contains("100"),
        "{f}"
    );
}

/// RFC 9293 §3.7.1; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn established_without_peer_mss_segments_are_limited_to_536() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         < . 1:1(0) ack 1 win 65535
         > . 1:537(536) ack 1 win 64240
         > . 537:1074(537) ack 1 win 64240",
        &["6 segment-exceeds-mss"],
    );
}

// ---- mss-missing ----

/// RFC 9293 §3.7.1; mss-missing (RFC 9293 §3.7.1, SHLD-5).
#[test]
fn listen_syn_ack_without_mss_is_a_should_warning() {
    let judged = expect_after(
        Profile::rfc9293(),
        LISTEN,
        "< S 0:0(0) win 65535
         > S. 0:0(0) ack 1 win 64240",
        &["3 mss-missing"],
    );
    let f = judged.finding("3 mss-missing");
    assert_eq!(f.level, Level::Should);
    assert!(!f.is_failure());
}

/// RFC 9293 §3.7.1; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn ipv6_without_peer_mss_segments_are_limited_to_1220() {
    use std::net::Ipv6Addr;
    let target = Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1);
    let harness = Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 1);
    let mut t = T {
        oracle: Oracle::new(
            Profile::rfc9293(),
            TargetModel {
                addr: target.into(),
                listening: vec![LISTEN_PORT],
            },
        ),
        now: Duration::ZERO,
    };
    let to = Segment {
        ip: IpEnvelope::v6(harness, target),
        ..send_tmpl()
    };
    let from = Segment {
        ip: IpEnvelope::v6(target, harness),
        ..recv_tmpl()
    };
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            ..to.clone()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1440)],
            ..from.clone()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..to
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            payload: vec![0; 1220],
            ..from.clone()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1221),
            ack: r(1),
            payload: vec![0; 1221],
            ..from
        },
        RuleId::SegmentExceedsMss
    );
}
