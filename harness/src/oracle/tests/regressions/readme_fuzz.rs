//! The README fuzz command's stops (`cargo fuzz run --sanitizer none
//! sequence_embedded`, smoltcp 0.14, the allow list of
//! `cases/waivers/embedded.txt`), each as `synack repro` prints its
//! artifact, judged with the campaign's profile. The earlier stops are in
//! `close_in_syn_received_follow.rs`.

use crate::oracle::tests::lines::{expect_findings, judge_lines};
use crate::oracle::tests::*;

pub(in crate::oracle::tests) fn smoltcp_campaign() -> Profile {
    let list = crate::fuzzing::allow::embedded_default();
    crate::fuzzing::exec::allowing(Profile::smoltcp(), &list)
}

/// main's binary at 12:36 (issue #12's note: "ack-delayed-too-long, data
/// held out of order in SYN-RECEIVED", 5.6 minutes from an empty corpus):
/// shutdown in SYN-RECEIVED, then FIN segments on the SYN's place whose
/// text smoltcp takes (ACK 420) with the FIN; its own FIN comes at ISS, a
/// second later (smoltcp's FIN in the SYN's place, `close-fin-missing`).
/// The text from 420 on arrives after the harness's FIN, which CLOSING
/// ignores: no ACK is owed for it. Fixed on main since (the profile's
/// `Transition::FinInSynsPlace`, f1e58fd); kept as the stop's regression
/// test: its two findings are smoltcp's known deviations.
const SHUTDOWN_IN_SYN_RECEIVED_TEXT_PAST_FIN: &str = "0 < SUWNr6 4294967202:4294967202(0) ack 4294967202 win 56532 urg 2570
0 > S. 0:0(0) ack 4294967203 win 8192 <mss 1460>
0 shutdown(4, SHUT_WR) = 0
0 < FPUWN.r4 4294967203:419(512) ack 0 win 54315 urg 2570 <TS val 2376237730 ecr 2191711444,wscale 14,sackOK,wscale 0,eol>
0 shutdown(4, SHUT_WR) = 0
0 < FPUWN.r4 4294967203:1132(1225) ack 1 win 0 urg 0
0 < FPUWN.r4 4294967203:4294967203(0) ack 1 win 54315 urg 2570 <TS val 2376237730 ecr 2191711444,wscale 0,mss 0,mss 0,eol>
0 > . 1:1(0) ack 420 win 7680
0 < none 420:420(0) ack 1 win 0
0 < none 420:420(0) ack 1 win 0
0 < FE 0:0(0) ack 1 win 0
0 < r7 420:420(0) ack 1 win 0 urg 11018 <mss 0>
0 < none 420:420(0) ack 1 win 0
0 < none 420:420(0) ack 1 win 0
0 < none 420:1636(1216) ack 1 win 0 <wscale 0,eol>
0 < F. 420:420(0) ack 4294967271 win 58890 urg 2560
1 > F. 0:0(0) ack 420 win 7680
";

/// RFC 9293; close-fin-missing (RFC 9293 §3.10.4); fin-segment-ack-ignored (RFC 9293
/// §3.10.7.4).
#[test]
fn text_past_the_fin_after_shutdown_in_syn_received_owes_no_ack() {
    expect_findings(
        smoltcp_campaign(),
        SHUTDOWN_IN_SYN_RECEIVED_TEXT_PAST_FIN,
        &[
            "17 close-fin-missing (deviation)",
            "17 fin-segment-ack-ignored (deviation)",
        ],
    );
}

/// RFC 9293.
#[test]
fn without_the_profiles_transition_that_text_was_owed_an_ack() {
    let mut profile = smoltcp_campaign();
    profile.transitions.clear();
    let judged = judge_lines(profile, SHUTDOWN_IN_SYN_RECEIVED_TEXT_PAST_FIN);
    assert!(
        judged
            .names
            .iter()
            .any(|n| n.ends_with("ack-delayed-too-long")),
        "{:?}",
        judged.names
    );
}

/// This session's README run (fresh clone, 22 s): close in SYN-RECEIVED,
/// a FIN segment smoltcp takes (ACK 621), then 21 s of silence, past
/// smoltcp's 10-second TIME-WAIT: a segment whose ACK field is 126 below
/// the ISS draws smoltcp's closed-port RST `<SEQ=SEG.ACK>` (RFC 9293
/// §3.10.7.1), which the oracle called `seq-before-iss`. A RST from a
/// TIME-WAIT that may be over answers as CLOSED, with whatever number the
/// harness's ACK field held.
const CLOSED_PORT_RST_AFTER_TIME_WAIT: &str = "0 < SNr1 0:0(0) win 6 urg 221
0 > S. 0:0(0) ack 1 win 8192 <mss 1460>
0 write(4, ..., 1331) = -1  // refused: invalid state
0 shutdown(4, SHUT_WR) = 0
0 < FUWN. 0:620(620) ack 1 win 32768 urg 6 <eol,raw 02040082080a828c00dd02ff0000010204b05203035200>
0.01 > . 1:1(0) ack 621 win 7573
21.163 < FUWN. 621:622(1) ack 4294967170 win 33420 urg 33281
21.163 > R 4294967170:4294967170(0) win 0
21.163 < none 621:621(0) ack 1 win 5376
21.163 < none 621:621(0) ack 1 win 0 <mss 0,mss 0,mss 0,mss 0,mss 0>
";

/// RFC 9293; close-fin-missing (RFC 9293 §3.10.4); time-wait-too-short (RFC 9293 §3.6.1,
/// MUST-13).
#[test]
fn a_closed_ports_rst_after_time_wait_carries_the_harnesss_ack_not_a_seq_before_iss() {
    expect_findings(
        smoltcp_campaign(),
        CLOSED_PORT_RST_AFTER_TIME_WAIT,
        &[
            "7 close-fin-missing (deviation)",
            "8 time-wait-too-short (deviation)",
        ],
    );
}

/// Campaign 12 (`syn-in-window-resets`, 46 inputs, reduced): TIME-WAIT,
/// an in-window RST not at RCV.NXT (smoltcp resets on it, allowed by its
/// profile), then a SYN-ACK: the target's RST is a closed port's answer
/// after that reset, not RFC 793's reset of the SYN in TIME-WAIT.
#[test]
fn a_rst_after_an_in_window_rst_in_time_wait_is_that_resets_not_the_syns() {
    expect_findings(
        smoltcp_campaign(),
        "0 < S 0:0(0) win 65535 <mss 1460>
0 > S. 0:0(0) ack 1 win 8192 <mss 1460>
0.010 < . 1:1(0) ack 1 win 65535
0.020 shutdown(4, SHUT_WR) = 0
0.021 > F. 1:1(0) ack 1 win 8192
0.030 < F. 1:1(0) ack 2 win 65535
0.031 > . 2:2(0) ack 2 win 8192
0.040 < R. 100:100(0) ack 2 win 65535
0.050 < S. 200:200(0) ack 2 win 65535
0.051 > R 2:2(0) win 0
",
        &["10 rst-in-window-resets (deviation)"],
    );
}

/// Campaign 12 (segment-on-closed-connection 49, syn-ack-acks-isn 47,
/// reply-to-rst 48, syn-ack-without-syn 48: one cause, reduced): a SYN
/// with text (RCV.NXT 1 or 260 until the target shows whether it queued
/// it), then a FIN segment on old text ending at 1 with the handshake's
/// ACK. smoltcp drops it whole (`fin-on-old-data-ignored`: ACK 1, still
/// SYN-RECEIVED), so an ACK past SND.NXT draws its SYN-RECEIVED RST
/// `<SEQ=SEG.ACK>` (§3.10.7.4) and the connection goes on. The model forked
/// on that drop only when RCV.NXT was known; with the SYN's text undecided
/// it followed the RFC alone, read the RST as the end of the connection,
/// and every later segment as one after it.
#[test]
fn a_fin_on_old_text_after_a_syn_with_text_may_be_dropped_whole() {
    expect_findings(
        smoltcp_campaign(),
        "0 < S 0:259(259) win 65535
0 > S. 0:0(0) ack 1 win 8192 <mss 1460>
0 < S 0:0(0) win 65535 <mss 1460>
0.01 < FP. 0:1(1) ack 1 win 65535
0.01 > . 1:1(0) ack 1 win 8192
0.02 < P. 50:50(0) ack 3 win 511 urg 65280
0.02 > R 3:3(0) win 0
0.02 < . 1:1(0) ack 1 win 2
0.02 > . 1:1(0) ack 1 win 8192
",
        &[],
    );
}
