//! Options (RFC 7323, RFC 2018) and header fields (RFC 9293 §3.1).

use crate::oracle::tests::lines::{expect_after, rfc, ESTABLISHED, LISTEN};
use crate::oracle::tests::*;

/// ESTABLISHED with timestamps and window scaling (harness shift 2, target shift 7).
///
/// As lines: 2 to 4; a test's lines start at line 5.
const ESTABLISHED_TS_WS: &str = "
    < S 0:0(0) win 65535 <mss 1460,wscale 2,TS val 100 ecr 0>
    > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 7,TS val 9000 ecr 100>
    < . 1:1(0) ack 1 win 25 <TS val 101 ecr 9000>
";

// ---- wscale-on-non-syn / sack-permitted-on-non-syn ----

/// RFC 9293 §3.1, RFC 7323, RFC 2018; wscale-on-non-syn (RFC 7323 §2.2).
#[test]
fn established_window_scale_on_an_ack_violates() {
    rfc(
        ESTABLISHED,
        "> . 1:1(0) ack 1 win 64240 <wscale 7>",
        &["5 wscale-on-non-syn"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; sack-permitted-on-non-syn (RFC 2018 §2).
#[test]
fn established_sack_permitted_on_an_ack_violates() {
    rfc(
        ESTABLISHED,
        "> . 1:1(0) ack 1 win 64240 <sackOK>",
        &["5 sack-permitted-on-non-syn"],
    );
}

// ---- wscale-without-offer / wscale-too-large ----

/// RFC 9293 §3.1, RFC 7323, RFC 2018; wscale-without-offer (RFC 7323 §2.2).
#[test]
fn listen_syn_ack_with_window_scale_the_syn_lacked_violates() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 7>",
        &["3 wscale-without-offer"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; wscale-too-large (RFC 7323 §2.3).
#[test]
fn listen_syn_ack_with_shift_fifteen_warns() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460,wscale 2>
         > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 15>",
        &["3 wscale-too-large"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn established_window_is_scaled_by_the_harness_shift() {
    rfc(
        ESTABLISHED_TS_WS,
        "// window 25 << 2 = 100 octets.
         > . 1:101(100) ack 1 win 64240 <TS val 9001 ecr 101>
         > . 101:102(1) ack 1 win 64240 <TS val 9001 ecr 101>",
        &["7 data-beyond-window"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; data-beyond-window (RFC 9293 §3.8.6).
#[test]
fn established_without_negotiation_the_window_is_not_scaled() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460,wscale 2>
         > S. 0:0(0) ack 1 win 64240 <mss 1460>
         < . 1:1(0) ack 1 win 25
         > . 1:27(26) ack 1 win 64240",
        &["5 data-beyond-window"],
    );
}

// ---- timestamps-without-offer / timestamps-missing / tsecr-not-echoed ----

/// RFC 9293 §3.1, RFC 7323, RFC 2018; timestamps-without-offer (RFC 7323 §3.2).
#[test]
fn listen_syn_ack_with_timestamps_the_syn_lacked_violates() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460,TS val 5 ecr 0>",
        &["3 timestamps-without-offer"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; tsecr-not-echoed (RFC 7323 §4.3).
#[test]
fn listen_syn_ack_tsecr_must_echo_the_syn_tsval() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460,TS val 100 ecr 0>
         > S. 0:0(0) ack 1 win 64240 <mss 1460,TS val 9 ecr 99>",
        &["3 tsecr-not-echoed"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018.
#[test]
fn established_timestamps_on_every_segment_echoing_ts_recent() {
    rfc(
        ESTABLISHED_TS_WS,
        "> . 1:1(0) ack 1 win 64240 <TS val 9001 ecr 101>
         < . 1:5(4) ack 1 win 25 <TS val 150 ecr 9001>
         > . 1:1(0) ack 5 win 64240 <TS val 9002 ecr 150>",
        &[],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; timestamps-missing (RFC 7323 §3.2).
#[test]
fn established_segment_without_timestamps_violates() {
    rfc(
        ESTABLISHED_TS_WS,
        "> . 1:1(0) ack 1 win 64240",
        &["5 timestamps-missing"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018.
#[test]
fn established_rst_without_timestamps_is_allowed() {
    rfc(ESTABLISHED_TS_WS, "> R. 1:1(0) ack 1 win 64240", &[]);
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; tsecr-not-echoed (RFC 7323 §4.3).
#[test]
fn established_tsecr_never_sent_by_the_harness_violates() {
    let judged = expect_after(
        Profile::rfc9293(),
        ESTABLISHED_TS_WS,
        "> . 1:1(0) ack 1 win 64240 <TS val 9001 ecr 5555>",
        &["5 tsecr-not-echoed"],
    );
    let f = judged.finding("5 tsecr-not-echoed");
    assert!(f.message.contains("5555"), "{f}");
}

// ---- reserved-bits-set / bad-checksum ----

/// RFC 9293 §3.1, RFC 7323, RFC 2018; reserved-bits-set (RFC 9293 §3.1).
#[test]
fn established_reserved_bits_violate() {
    let mut t = established();
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            flags: ACK | TcpFlags(0x200),
            ..recv_tmpl()
        },
        RuleId::ReservedBitsSet
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; bad-checksum (RFC 9293 §3.1, MUST-2).
#[test]
fn bad_checksum_is_a_must_2_violation_and_a_good_one_is_not() {
    let mut t = established();
    let seg = Segment {
        seq: l(1),
        ack: r(1),
        flags: ACK,
        ..recv_tmpl()
    };
    let mut observe = |checksum| {
        t.now += ms(1);
        let segment = &seg;
        let what = Observation::Segment {
            dir: Direction::FromTarget,
            segment,
            checksum,
        };
        t.oracle.observe(t.now, what)
    };
    assert_eq!(observe(Checksum::Valid), vec![]);
    let f = observe(Checksum::Invalid);
    let rules: Vec<_> = f.iter().map(|f| (f.rule, f.requirement)).collect();
    assert_eq!(rules, vec![(RuleId::BadChecksum, "MUST-2")]);
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018.
#[test]
fn established_segment_without_timestamps_may_be_dropped_silently() {
    rfc(
        ESTABLISHED_TS_WS,
        "< . 1:5(4) ack 1 win 25
         // ... or accepted: both pass.
         +2.001 > . 1:1(0) ack 5 win 64240 <TS val 9002 ecr 101>",
        &[],
    );
}

// ---- sack-permitted-without-offer / sack-without-permission / sack-block-invalid ----

/// ESTABLISHED with SACK-permitted on both SYNs.
fn established_sack() -> T {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460), TcpOption::SackPermitted],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460), TcpOption::SackPermitted],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    t
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; sack-permitted-without-offer (RFC 2018 §2).
#[test]
fn listen_syn_ack_with_sack_permitted_the_syn_lacked_warns() {
    rfc(
        LISTEN,
        "< S 0:0(0) win 65535 <mss 1460>
         > S. 0:0(0) ack 1 win 64240 <mss 1460,sackOK>",
        &["3 sack-permitted-without-offer"],
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018.
#[test]
fn established_sack_for_out_of_order_data_is_allowed() {
    let mut t = established_sack();
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            options: vec![
                TcpOption::Nop,
                TcpOption::Nop,
                TcpOption::Sack(vec![(r(11).0, r(21).0)])
            ],
            ..recv_tmpl()
        }
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; sack-without-permission (RFC 2018 §4).
#[test]
fn established_sack_without_permission_violates() {
    let mut t = established();
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            options: vec![TcpOption::Sack(vec![(r(11).0, r(21).0)])],
            ..recv_tmpl()
        },
        RuleId::SackWithoutPermission
    );
}

/// RFC 9293 §3.1, RFC 7323, RFC 2018; sack-block-invalid (RFC 2018 §3, RFC 2018 §4).
#[test]
fn established_sack_block_beyond_sent_data_violates() {
    let mut t = established_sack();
    send!(
        t,
        Segment {
            seq: r(11),
            ack: l(1),
            payload: vec![1; 10],
            ..send_tmpl()
        }
    );
    let f = recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(1),
            options: vec![TcpOption::Sack(vec![(r(11).0, r(91).0)])],
            ..recv_tmpl()
        },
        RuleId::SackBlockInvalid
    );
    assert!(f.message.contains(&format!("sent up to {}", r(21))), "{f}");
}
