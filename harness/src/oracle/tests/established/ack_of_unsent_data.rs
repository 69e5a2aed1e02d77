//! What the harness has "sent", for ack-of-unsent-data: only segments the
//! target could accept (RFC 9293 §3.10.7.4 Table 6) count, since nothing
//! else can move its RCV.NXT. From fuzz findings (ack-of-unsent-data, 29
//! inputs): a chain of junk segments, each less than 2^31 ahead of the
//! last, walked the harness's SND.MAX round the sequence circle until it lay
//! behind the real data, and the target's ACK of RCV.NXT was flagged.

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// ESTABLISHED, then `rest`. Junk lies far outside the window (RCV.NXT is
/// 1, RCV.WND 64240): unacceptable.
fn established_then(rest: &str) -> String {
    format!(
        "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        {rest}
        "
    )
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn junk_far_outside_the_window_does_not_count_as_sent() {
    // Each piece less than 2^31 ahead of the last, as the fuzzer found them:
    // without the window test, the harness's SND.MAX ends behind RCV.NXT.
    // Then the ACK owed for the unacceptable segments, at RCV.NXT.
    let seq = established_then(
        "< none 1155674705:1155674780(75) ack 1 win 1
        < . 3221225473:3221226828(1355) ack 1 win 1
        > . 1:1(0) ack 1 win 64240",
    );
    expect_findings(Profile::rfc9293(), &seq, &[]);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-of-unsent-data (RFC 9293 §3.4).
#[test]
fn ack_past_in_window_data_is_still_ack_of_unsent_data_after_junk() {
    // The junk did not count as sent: an ACK past the 10 octets is of unsent data.
    let seq = established_then(
        "< none 1155674705:1155674780(75) ack 1 win 1
        < P. 1:11(10) ack 1 win 65535
        > . 1:1(0) ack 12 win 64240",
    );
    expect_findings(Profile::rfc9293(), &seq, &["7 ack-of-unsent-data"]);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn data_inside_the_window_out_of_order_counts_as_sent() {
    // A hole at 1..11, then the data after it: acceptable, queued; the
    // hole filled, the target acknowledges both.
    let seq = established_then(
        "< P. 11:21(10) ack 1 win 65535
        > . 1:1(0) ack 1 win 64240
        < P. 1:11(10) ack 1 win 65535
        > . 1:1(0) ack 21 win 64240",
    );
    expect_findings(Profile::rfc9293(), &seq, &[]);
}
