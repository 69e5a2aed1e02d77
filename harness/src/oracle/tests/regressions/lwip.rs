//! lwIP 2.1.3's fuzz findings that were the oracle's misreadings (issue
//! #13's 600-second campaigns against synack-lwip, profile rfc9293), each
//! as lwIP's own transcript (`synack repro --target tap --exec
//! target/lwip/synack-lwip` of the artifact), judged right per RFC 9293.

use crate::oracle::tests::lines::{expect_findings, rfc};
use crate::oracle::tests::*;

/// lwIP's TIME-WAIT after its own close (`shutdown(SHUT_WR)`), as its
/// transcripts show it: lines 1 to 8.
macro_rules! lwip_time_wait {
    () => {
        "\
0 < S 0:0(0) win 65535 <mss 1460>
0 > S. 0:0(0) ack 1 win 65535 <mss 1460>
0.010 < . 1:1(0) ack 1 win 65535
0.020 shutdown(4, SHUT_WR) = 0
0.021 > F. 1:1(0) ack 1 win 65535
0.030 < . 99:99(0) ack 2 win 65535
0.040 < F. 1:1(0) ack 2 win 65535
0.041 > . 2:2(0) ack 2 win 65534
"
    };
}
/// [`lwip_time_wait!`] as an opener.
const LWIP_TIME_WAIT: &str = lwip_time_wait!();

/// TIME-WAIT, then a SYN-ACK in the window: lwIP answers it with
/// `<SEQ=SEG.ACK><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` and stays in TIME-WAIT
/// (tcp_in.c `tcp_timewait_input`: "If the SYN is in the window it is an
/// error, send a reset", then `return` with the pcb kept), so the text that
/// follows is ACKed with TIME-WAIT's numbers. RFC 9293 §3.10.7.4's fourth
/// check leaves a SYN in TIME-WAIT three readings (a new connection, "an
/// error where the connection should be reset", or an attack answered by a
/// challenge ACK, RFC 5961 §4.2); RFC 793's reset is the second, kept
/// "for implementations that do not follow RFC 5961". The RST answers the
/// SYN: `syn-in-window-resets`, as for a reset SYN in any synchronized
/// state (the rfc793 profile allows it), not TIME-WAIT's timer running out
/// (`time-wait-too-short`, MUST-13, what the oracle said). A TCB still in
/// TIME-WAIT after it honours MUST-13 (the oracle said
/// `segment-on-closed-connection`).
const TIME_WAIT_SYN_ACK_RESET: &str = concat!(
    lwip_time_wait!(),
    "0.050 < S. 2:2(0) ack 2 win 65535
0.051 > R. 2:2(0) ack 3 win 65407
0.060 < P. 1:2(1) ack 2 win 65535
0.061 > . 2:2(0) ack 2 win 65534
"
);

/// RFC 9293; syn-in-window-resets (RFC 9293 §3.10.7.4, RFC 5961 §4.2).
#[test]
fn a_reset_answering_a_syn_ack_in_time_wait_is_not_time_wait_cut_short() {
    expect_findings(
        Profile::rfc9293(),
        TIME_WAIT_SYN_ACK_RESET,
        &["10 syn-in-window-resets"],
    );
    expect_findings(
        Profile::rfc793(),
        TIME_WAIT_SYN_ACK_RESET,
        &["10 syn-in-window-resets (deviation)"],
    );
}

/// The same reset, and a target that did delete the TCB (RFC 793): the
/// text after it draws a closed port's RST, which is no second finding.
#[test]
fn a_reset_answering_a_syn_ack_in_time_wait_may_close_the_connection() {
    rfc(
        LWIP_TIME_WAIT,
        "0.050 < S. 2:2(0) ack 2 win 65535
0.051 > R. 2:2(0) ack 3 win 65407
0.060 < P. 1:2(1) ack 2 win 65535
0.061 > R 2:2(0) win 0
",
        &["10 syn-in-window-resets"],
    );
}

/// A RST from TIME-WAIT that answers nothing is still the timer cut
/// short: the fix above is for the reset that answers a SYN.
///
/// RFC 9293; time-wait-too-short (RFC 9293 §3.6.1, MUST-13).
#[test]
fn an_unprompted_reset_in_time_wait_is_still_time_wait_cut_short() {
    rfc(
        LWIP_TIME_WAIT,
        "1.000 > R 2:2(0) win 0
",
        &["9 time-wait-too-short"],
    );
}

/// FIN-WAIT-1; a duplicate segment (text at the SYN's place, below
/// RCV.NXT) owes an ACK (§3.10.7.4 first check), and the harness's RST at
/// RCV.NXT follows 80 µs later, before lwIP's ACK of the duplicate came
/// back. That ACK crossed the RST (lwIP read the duplicate first and
/// answered it; `tcp_process` then takes the RST at rcv_nxt and frees the
/// pcb); the oracle said `rst-at-rcv-nxt-ignored`. The owed ACK may come
/// once after the RST; a second segment is the RST ignored.
const ACK_CROSSING_THE_RST: &str = "0 < S 0:0(0) win 65535 <mss 1460>
0 > S. 0:0(0) ack 1 win 65535 <mss 1460>
0.150 < . 1:1(0) ack 1 win 65535
0.160 shutdown(4, SHUT_WR) = 0
0.1601 > F. 1:1(0) ack 1 win 65535
0.170 < . 1073741825:1073741825(0) ack 3 win 32767
0.1701 > . 2:2(0) ack 1 win 65535
0.1702 > . 2:2(0) ack 1 win 65535
0.18283 < P. 0:1(1) ack 1 win 65535
0.18289 < RPE.r5 1:1(0) ack 2 win 0
0.18297 > . 2:2(0) ack 1 win 65535
";

/// RFC 9293.
#[test]
fn an_owed_ack_crossing_the_harnesss_rst_is_not_the_rst_ignored() {
    expect_findings(Profile::rfc9293(), ACK_CROSSING_THE_RST, &[]);
}

/// RFC 9293; rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn a_second_segment_after_the_harnesss_rst_is_the_rst_ignored() {
    let more = format!("{ACK_CROSSING_THE_RST}0.500 > F. 1:1(0) ack 1 win 65535\n");
    expect_findings(Profile::rfc9293(), &more, &["12 rst-at-rcv-nxt-ignored"]);
}

/// On a virtual clock (the embedded target) the target answers at the
/// instant it reads a segment: an ACK at the RST's own instant came after
/// the RST was taken, so it crossed nothing.
///
/// RFC 9293; rst-at-rcv-nxt-ignored (RFC 9293 §3.10.7.4, RFC 5961 §3.2).
#[test]
fn an_owed_ack_at_the_rsts_own_instant_is_the_rst_ignored() {
    let same_instant = ACK_CROSSING_THE_RST.replace("0.18297 >", "0.18289 >");
    expect_findings(
        Profile::rfc9293(),
        &same_instant,
        &["11 rst-at-rcv-nxt-ignored"],
    );
}

/// The same in TIME-WAIT for a SYN without ACK: lwIP's reset is
/// `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` (its `ackno` is the SYN's
/// zero ACK field), §3.10.7.1's form for a segment without ACK, not a
/// sequence number below ISS (`seq-before-iss`, which the oracle also
/// said). Sequence number 0 is 100 relative to the target's ISN here.
#[test]
fn a_reset_with_seq_zero_answering_a_bare_syn_in_time_wait_is_not_below_iss() {
    expect_findings(
        Profile::rfc9293(),
        "0 < S 0:0(0) win 65535 <mss 1460>
0 > S. 0:0(0) ack 1 win 65535 <mss 1460>
0.010 < . 1:1(0) ack 1 win 65535
0.020 shutdown(4, SHUT_WR) = 0
0.021 > F. 1:1(0) ack 1 win 65535
0.030 < . 1:1(0) ack 2 win 65535
0.040 < F. 1:1(0) ack 2 win 65535
0.041 > . 2:2(0) ack 2 win 65534
0.050 < S 2:2(0) win 65535
0.051 > R. 100:100(0) ack 3 win 65407
",
        &["10 syn-in-window-resets"],
    );
}

/// Campaign 12 (`syn-in-window-resets` on smoltcp, 27 inputs): the
/// application aborts after a SYN arrived in TIME-WAIT; its RST
/// `<SEQ=SND.NXT>` is the abort's (§3.10.5), not a reset of that SYN.
/// (Segment form: the line form has no abort line.)
#[test]
fn an_aborts_rst_after_a_syn_in_time_wait_is_the_aborts() {
    let seg = |seq, ack, flags| Segment {
        seq,
        ack,
        flags,
        ..send_tmpl()
    };
    let from = |seq, ack, flags| Segment {
        seq,
        ack,
        flags,
        ..recv_tmpl()
    };
    let mut t = established_with(Profile::rfc9293());
    t.oracle.on_app(t.now, peer(), AppEvent::ShutdownWrite);
    recv!(t, from(l(1), r(1), FIN | ACK));
    send!(t, seg(r(1), l(2), ACK));
    send!(t, seg(r(1), l(2), FIN | ACK));
    recv!(t, from(l(2), r(2), ACK));
    assert_eq!(t.states(), vec![TcpState::TimeWait]);
    send!(t, seg(r(2), l(0), TcpFlags::SYN));
    t.oracle.on_app(t.now, peer(), AppEvent::Abort);
    t.now += ms(1);
    let f = observe(
        &mut t,
        Direction::FromTarget,
        &from(l(2), r(2), TcpFlags::RST | ACK),
    );
    assert!(
        f.iter().all(|f| f.rule != RuleId::SynInWindowResets),
        "{f:#?}"
    );
}
