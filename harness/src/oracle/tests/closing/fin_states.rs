//! FIN-WAIT-1 into CLOSING (RFC 9293 §3.6 Figure 13, §3.10.7.4 eighth check): nothing
//! after the target's FIN. Line form (see `lines.rs`).

use crate::oracle::tests::lines::{rfc, ESTABLISHED};

// ---- FIN-WAIT-1 → CLOSING → TIME-WAIT (simultaneous close) ----

/// CLOSING: RFC 9293 §3.10.7.4.
#[test]
fn fin_wait_1_simultaneous_close_goes_through_closing_to_time_wait() {
    rfc(
        ESTABLISHED,
        "> F. 1:1(0) ack 1 win 64240
         < F. 1:1(0) ack 1 win 65535
         state CLOSING
         > . 2:2(0) ack 2 win 64240
         < . 2:2(0) ack 2 win 65535
         state TIME-WAIT",
        &[],
    );
}

/// CLOSING: RFC 9293 §3.10.7.4; data-after-fin (RFC 9293 §3.10.4).
#[test]
fn closing_data_from_the_target_after_its_fin_violates() {
    rfc(
        ESTABLISHED,
        "> F. 1:1(0) ack 1 win 64240
         < F. 1:1(0) ack 1 win 65535
         > . 2:5(3) ack 2 win 64240",
        &["7 data-after-fin"],
    );
}
