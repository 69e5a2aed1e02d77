//! The README fuzz command's stops (`cargo fuzz run --sanitizer none
//! sequence_embedded`, smoltcp 0.14, the allow list of
//! `cases/waivers/embedded.txt`), each as `synack repro` prints its
//! artifact, judged with the campaign's profile. The earlier stops are in
//! `close_in_syn_received_follow.rs`.

use super::lines::{expect_findings, judge_lines};
use super::*;

fn smoltcp_campaign() -> Profile {
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
