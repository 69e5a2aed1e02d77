//! `fin-segment-ack-ignored` (RFC 9293 §3.10.7.4): in LAST-ACK an
//! acceptable FIN segment that acknowledges the target's FIN closes the
//! connection (fifth check first); smoltcp 0.14 drops it whole as an
//! "unexpected packet" and stays in LAST-ACK. The model closes the
//! connection and remembers how (`Gone::ClosedByFinSegment`), so the old
//! connection's next segment is judged as that deviation. Here a SYN then
//! reopens the tuple in the model and a RST at that SYN's RCV.NXT sends it
//! back to LISTEN before any SYN-ACK: smoltcp, still in LAST-ACK, dropped
//! the SYN ("expecting an ACK": it carries none) and the RST (below RCV.NXT,
//! "dropping out-of-window RST"), and retransmits its FIN at the RTO.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

fn smoltcp_campaign() -> Profile {
    let list = crate::fuzzing::allow::embedded_default();
    crate::fuzzing::exec::allowing(Profile::smoltcp(), &list)
}

/// LAST-ACK, the FIN segment, a SYN below RCV.NXT and a RST at its
/// sequence number + 1, then the target's FIN again. The model used to
/// forget the first connection once the second went back to LISTEN, and
/// called the FIN `segment-on-closed-connection` ("on a connection that
/// does not exist"): the README fuzz run's stop of issue #12.
const SYN_AND_RST_AFTER_THE_FIN_SEGMENT: &str = "0 < S 0:0(0) win 65535
0 > S. 0:0(0) ack 1 win 8192 <mss 1460>
0 < F. 1:1(0) ack 1 win 65535
0 > F. 1:1(0) ack 2 win 8192
0 < F. 2:2(0) ack 2 win 65535
0 < S 4294967000:4294967000(0) win 65535
0 < R 4294967001:4294967001(0) win 0
state CLOSED
1 > F. 1:1(0) ack 2 win 8192
";

#[test]
fn the_old_connections_fin_after_a_syn_and_rst_is_that_deviation() {
    expect_findings(
        smoltcp_campaign(),
        SYN_AND_RST_AFTER_THE_FIN_SEGMENT,
        &["9 fin-segment-ack-ignored (deviation)"],
    );
    // Without the profile's allowance it is still a MUST violation.
    expect_findings(
        Profile::rfc9293(),
        SYN_AND_RST_AFTER_THE_FIN_SEGMENT,
        &["9 fin-segment-ack-ignored"],
    );
}

/// Once the fresh connection's SYN-ACK came, the target had taken the SYN
/// in LISTEN: the old connection was gone, and a FIN of it afterwards is a
/// segment on a closed connection.
#[test]
fn after_the_fresh_connections_syn_ack_the_old_end_no_longer_explains() {
    expect_findings(
        smoltcp_campaign(),
        "0 < S 0:0(0) win 65535
0 > S. 0:0(0) ack 1 win 8192 <mss 1460>
0 < F. 1:1(0) ack 1 win 65535
0 > F. 1:1(0) ack 2 win 8192
0 < F. 2:2(0) ack 2 win 65535
0 < S 4294967000:4294967000(0) win 65535
0 > S. 0:0(0) ack 4294967001 win 8192 <mss 1460>
0 < R 4294967001:4294967001(0) win 0
1 > F. 1:1(0) ack 2 win 8192
",
        &["9 segment-on-closed-connection"],
    );
}

/// The stop itself, as `synack repro` printed the artifact
/// (/work/wt/findings-s13/crash-eb4aba58…, 385 s into the README's
/// `cargo fuzz run --sanitizer none sequence_embedded` on a fresh clone),
/// less its last line (a data offset the case language cannot state).
#[test]
fn the_readme_runs_stop_passes_the_campaign() {
    expect_findings(
        smoltcp_campaign(),
        "0 < SP 4294967234:4294967248(14) ack 86030 win 2576 urg 256
0 > S. 0:0(0) ack 4294967235 win 8192 <mss 1460>
0 < FUEWN.r1 4294967235:4294967235(0) ack 1 win 3165 urg 4097
0 > F. 1:1(0) ack 4294967236 win 8192
0 < FUEW. 4294967236:4294967236(0) ack 2 win 14 urg 2576 <wscale 0,wscale 80,nop,wscale 16,wscale 0,eol>
0 < RWr2 3391363398:3391363719(321) ack 3315893325 win 33924 urg 33924 <eol>
0 < SFUW. 8132:8132(0) ack 2 win 12 urg 23824
0 < none 4294967236:528(588) ack 168820738 win 23824 urg 256
0 < SP 4294967174:4294967188(14) ack 86030 win 2576 urg 256
0 < FUEWN.r1 4294967236:4294967236(0) ack 2 win 3165 urg 4097
0 < r7 4294967159:4294967159(0) ack 2 win 0 urg 12 <mss 0>
0 < RPUEWr7 4294967175:4294967175(0) ack 0 win 0 urg 12 <mss 0>
1 > F. 1:1(0) ack 4294967236 win 8192
",
        &["13 fin-segment-ack-ignored (deviation)"],
    );
}

/// Campaign 11's `challenge-ack-numbers` (14 inputs), reduced: a SYN with
/// 1251 octets leaves RCV.NXT undecided (1 if its text was dropped, as
/// smoltcp does, 1252 if queued), so the FIN of `F. 1:547` is undecided
/// too (`Conn::maybe_fin`) and the model stays in ESTABLISHED. The next FIN
/// segment acknowledges everything sent (1471); smoltcp, in CLOSE-WAIT
/// after the first FIN, drops it whole, and its challenge ACK for the SYN
/// comes from SND.NXT 1461 (its retransmission timer went back to
/// SND.UNA 1), below the SND.UNA the model took: the known deviation, not
/// a challenge ACK with wrong numbers.
const FIN_SEGMENT_AFTER_AN_UNDECIDED_FIN: &str = "0 < S 0:1251(1251) win 65535 <mss 1460>
0 > S. 0:0(0) ack 1 win 8192 <mss 1460>
0.01 < . 1:1(0) ack 1 win 65535
0.01 write(4, ..., 10) = 10
0.01 > P. 1:11(10) ack 1 win 8192
1.01 > P. 1:11(10) ack 1 win 8192
3.01 > P. 1:11(10) ack 1 win 8192
7.01 > P. 1:11(10) ack 1 win 8192
10.814 write(4, ..., 2344) = 2344
10.814 > . 11:1471(1460) ack 1 win 8192
15.01 > . 1:1461(1460) ack 1 win 8192
31.01 > . 1:1461(1460) ack 1 win 8192
43.196 < F. 1:547(546) ack 1 win 103
43.196 < FPWN.r7 1:1277(1276) ack 1471 win 0 urg 33924 <sackOK,nop,eol,raw 040202047769040203036f00>
43.196 < SE. 1073741911:1073742232(321) ack 1314413023 win 12848 urg 13877 <TS val 925992068 ecr 2223735940,eol>
43.196 > . 1461:1461(0) ack 548 win 7646
";

#[test]
fn a_fin_segment_after_an_undecided_fin_may_be_dropped_ack_and_all() {
    expect_findings(
        smoltcp_campaign(),
        FIN_SEGMENT_AFTER_AN_UNDECIDED_FIN,
        &["16 fin-segment-ack-ignored (deviation)"],
    );
}
