//! Receiver SWS avoidance (RFC 9293 §3.8.6.2.2, MUST-39,
//! `receiver-sws-window-update`): the target must not open a small window.
//! In line form (see `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// ESTABLISHED with a 1,460-octet window (MSS 1460), which the harness's
/// 1,460 octets close (line 6).
const ZERO_WINDOW: &str = "
    0 < S 0:0(0) win 65535 <mss 1460>
    > S. 0:0(0) ack 1 win 1460 <mss 1460>
    < . 1:1(0) ack 1 win 65535
    < P. 1:1461(1460) ack 1 win 65535
    > . 1:1(0) ack 1461 win 0
";

/// RFC 9293 §3.8.6; receiver-sws-window-update (RFC 9293 §3.8.6.2.2, MUST-39).
#[test]
fn a_small_window_opened_after_a_zero_window_is_silly() {
    let seq = format!("{ZERO_WINDOW}+0.05 > . 1:1(0) ack 1461 win 100");
    let f = expect_findings(Profile::rfc9293(), &seq, &["7 receiver-sws-window-update"]);
    assert_eq!(f[0].requirement, "MUST-39");
    assert!(
        f[0].message.contains("by 100), offering a window of 100")
            && f[0].message.contains("= 730"),
        "{}",
        f[0].message
    );
    // smoltcp's window_to_update announces any window after a zero one.
    expect_findings(
        Profile::smoltcp(),
        &seq,
        &["7 receiver-sws-window-update (deviation)"],
    );
}

/// RFC 9293 §3.8.6.
#[test]
fn opening_by_half_the_buffer_or_in_full_conforms() {
    for win in [730, 1460] {
        let seq = format!("{ZERO_WINDOW}+0.05 > . 1:1(0) ack 1461 win {win}");
        expect_findings(Profile::rfc9293(), &seq, &[]);
    }
}

/// RFC 9293 §3.8.6.
#[test]
fn a_right_edge_that_moves_with_data_while_the_window_stays_large_conforms() {
    // Linux-like: each ACK keeps a window of at least the MSS, so the right
    // edge moves by the segment's 100 octets without offering a small window.
    let seq = "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 64240 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        < P. 1:101(100) ack 1 win 65535
        > . 1:1(0) ack 101 win 64240
        < P. 101:201(100) ack 1 win 65535
        > . 1:1(0) ack 201 win 64240
    ";
    expect_findings(Profile::rfc9293(), seq, &[]);
}

/// RFC 9293 §3.8.6.
#[test]
fn a_window_shrinking_as_data_arrives_is_no_update() {
    // The right edge stays where it is while the window shrinks to 60.
    let seq = "
        0 < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 1460 <mss 1460>
        < . 1:1(0) ack 1 win 65535
        < P. 1:1401(1400) ack 1 win 65535
        > . 1:1(0) ack 1401 win 60
    ";
    expect_findings(Profile::rfc9293(), seq, &[]);
}
