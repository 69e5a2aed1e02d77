//! ESTABLISHED, the target's own sequence space and segment size: every
//! segment starts between ISS and SND.NXT (RFC 9293 §3.3.1, §3.10.2:
//! `seq-before-iss`; beyond SND.NXT is `seq-gap`), and no segment carries
//! more than the effective send MSS, the peer's MSS less the segment's TCP
//! options (§3.7.1, MUST-16: `segment-exceeds-mss`). In line form (see
//! `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// A passive open with timestamps on both SYNs: the harness offers MSS 1460.
const OPEN_TS: &str = "
    0 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 7>
    > S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 100 ecr 700,nop,wscale 7>
    < . 1:1(0) ack 1 win 502 <nop,nop,TS val 701 ecr 100>
";

// ---- effective send MSS (§3.7.1, MUST-16) ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn with_timestamps_a_full_segment_is_the_mss_less_twelve() {
    let seq = format!("{OPEN_TS}> P. 1:1449(1448) ack 1 win 510 <nop,nop,TS val 101 ecr 701>");
    expect_findings(Profile::rfc9293(), &seq, &[]);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn with_timestamps_one_octet_more_exceeds_the_effective_mss() {
    let seq = format!("{OPEN_TS}> P. 1:1450(1449) ack 1 win 510 <nop,nop,TS val 101 ecr 701>");
    let f = expect_findings(Profile::rfc9293(), &seq, &["5 segment-exceeds-mss"]);
    assert!(
        f[0].message.contains("effective send MSS is 1448"),
        "{}",
        f[0].message
    );
    // Every profile: no stack we know sends it (smoltcp and Linux subtract the options).
    expect_findings(Profile::smoltcp(), &seq, &["5 segment-exceeds-mss"]);
    expect_findings(Profile::linux(), &seq, &["5 segment-exceeds-mss"]);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; segment-exceeds-mss (RFC 9293 §3.7.1, MUST-15, MUST-16).
#[test]
fn without_options_the_whole_mss_is_payload() {
    let open = "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 65160 <mss 1460>
        < . 1:1(0) ack 1 win 65535
    ";
    expect_findings(
        Profile::rfc9293(),
        &format!("{open}> P. 1:1461(1460) ack 1 win 65160"),
        &[],
    );
    expect_findings(
        Profile::rfc9293(),
        &format!("{open}> P. 1:1462(1461) ack 1 win 65160"),
        &["5 segment-exceeds-mss"],
    );
}

// ---- the sequence space used, ISS to SND.NXT (§3.3.1) ----

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn an_ack_at_snd_nxt_and_a_keepalive_at_snd_una_minus_one_are_in_the_space() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 65160 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        > P. 1:11(10) ack 1 win 65160
        < . 1:1(0) ack 11 win 65535
        < P. 1:6(5) ack 11 win 65535
        > . 11:11(0) ack 6 win 65160
        +75 > . 10:10(0) ack 6 win 65160
        ",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; seq-before-iss (RFC 9293 §3.3.1).
#[test]
fn an_ack_two_to_the_thirty_below_snd_nxt_is_before_iss() {
    // 2^32 − 2^30 + 11: SND.NXT 11 less 2^30.
    expect_findings(
        Profile::rfc9293(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 65160 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        > P. 1:11(10) ack 1 win 65160
        < P. 1:6(5) ack 11 win 65535
        > . 3221225483:3221225483(0) ack 6 win 65160
        ",
        &["7 seq-before-iss"],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; seq-before-iss (RFC 9293 §3.3.1); retransmit-below-snd-una
/// (RFC 9293 §3.3.1).
#[test]
fn a_fin_two_to_the_thirty_below_is_before_iss_not_only_a_retransmission() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 65160 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        > F. 3221225473:3221225473(0) ack 1 win 65160
        ",
        &["5 seq-before-iss", "5 retransmit-below-snd-una"],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; seq-before-iss (RFC 9293 §3.3.1).
#[test]
fn a_reset_at_snd_nxt_is_in_the_space_and_one_far_below_is_not() {
    let open = "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 65160 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        > P. 1:11(10) ack 1 win 65160
        < . 1:1(0) ack 11 win 65535
    ";
    expect_findings(
        Profile::rfc9293(),
        &format!("{open}> R. 11:11(0) ack 1 win 0"),
        &[],
    );
    // An ABORT's RST is <SEQ=SND.NXT> (§3.10.5): 2^30 below is no number used.
    expect_findings(
        Profile::rfc9293(),
        &format!("{open}> R. 3221225483:3221225483(0) ack 1 win 0"),
        &["7 seq-before-iss"],
    );
}
