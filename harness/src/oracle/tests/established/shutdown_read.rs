//! ESTABLISHED and FIN-WAIT-2 after the application's `shutdown(SHUT_RD)`
//! (`AppEvent::ShutdownRead`). It changes nothing the target must send:
//! text that still arrives is acknowledged (MUST-40). A RST instead is the
//! half-duplex close RFC 9293 §3.6.1 describes (`rst-after-shutdown-read`,
//! a warning), which the Linux profile allows: Linux resets on new text in
//! FIN-WAIT-1/2 once reading is shut down (`tcp_rcv_state_process`). Line
//! form (see `lines.rs`).

use crate::oracle::tests::lines::{expect_findings_after, rfc, ESTABLISHED, ESTABLISHED_DATA};
use crate::oracle::tests::*;

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn text_after_shutdown_read_is_acknowledged() {
    rfc(
        ESTABLISHED,
        "
        shutdown(4, SHUT_RD) = 0
        < P. 1:11(10) ack 1 win 65535
        > . 1:1(0) ack 11 win 64240
        state ESTABLISHED
        ",
        &[],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; ack-delayed-too-long (RFC 9293 §3.8.6.3, MUST-40).
#[test]
fn text_after_shutdown_read_left_unacknowledged_violates() {
    expect_findings_after(
        Profile::linux(),
        ESTABLISHED,
        "
        shutdown(4, SHUT_RD) = 0
        < P. 1:11(10) ack 1 win 65535
        ",
        &["end ack-delayed-too-long"],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; rst-after-shutdown-read (RFC 9293 §3.6.1).
#[test]
fn a_rst_for_text_after_shutdown_read_is_a_warning() {
    let f = rfc(
        ESTABLISHED,
        "
        shutdown(4, SHUT_RD) = 0
        < P. 1:11(10) ack 1 win 65535
        > R 1:1(0) win 0
        state CLOSED
        ",
        &["7 rst-after-shutdown-read"],
    );
    assert!(!f[0].is_failure(), "a SHOULD: {}", f[0]);
}

/// ESTABLISHED: RFC 9293 §3.10.7.4; rst-after-shutdown-read (RFC 9293 §3.6.1).
#[test]
fn linux_resets_on_text_in_fin_wait_2_after_shutdown_read() {
    expect_findings_after(
        Profile::linux(),
        ESTABLISHED,
        "
        shutdown(4, SHUT_RDWR) = 0
        > F. 1:1(0) ack 1 win 64240
        < . 1:1(0) ack 2 win 65535
        state FIN-WAIT-2
        < P. 1:11(10) ack 2 win 65535
        > R 2:2(0) win 0
        ",
        &["10 rst-after-shutdown-read (deviation)"],
    );
}

/// ESTABLISHED: RFC 9293 §3.10.7.4.
#[test]
fn shutdown_read_alone_does_not_judge_a_later_rst() {
    // The text arrived (and was acknowledged) before the shutdown: the RST
    // after it is judged as any unprompted RST (an abort the oracle did not
    // hear of), not as the shutdown's.
    expect_findings_after(
        Profile::linux(),
        ESTABLISHED_DATA,
        "
        shutdown(4, SHUT_RD) = 0
        > R 1:1(0) win 0
        ",
        &[],
    );
}
