//! ESTABLISHED (RFC 9293 §3.10.7.4 fifth check): data on a duplicate ACK is taken.

use crate::oracle::tests::lines::{expect_after, rfc};
use crate::oracle::tests::*;

// ---- old-ack-data-dropped ----

/// ESTABLISHED after the target sent 5 octets and the harness ACKed them.
///
/// As lines: 2 to 6; a test's lines start at line 7.
const ESTABLISHED_AFTER_TARGET_DATA: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 64240 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    > P. 1:6(5) ack 1 win 64240
    < . 1:1(0) ack 6 win 65535
";

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn established_data_with_a_duplicate_ack_is_accepted() {
    rfc(
        ESTABLISHED_AFTER_TARGET_DATA,
        "< . 1:11(10) ack 1 win 65535
         > . 6:6(0) ack 11 win 64240",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; old-ack-data-dropped (RFC 9293 §3.10.7.4, MAY-12).
#[test]
fn established_data_with_a_duplicate_ack_dropped_warns() {
    let judged = expect_after(
        Profile::rfc9293(),
        ESTABLISHED_AFTER_TARGET_DATA,
        "< . 1:11(10) ack 1 win 65535",
        &["end old-ack-data-dropped"],
    );
    let f = judged.finding("end old-ack-data-dropped");
    assert_eq!(f.level, Level::Should);
}
