//! RFC 9293 §3.9.2.3 (MUST-57, MUST-63): a segment to or from a broadcast
//! or multicast address is discarded: nothing is owed for it, whatever the
//! state, and a segment the target sends to or from one is
//! `non-unicast-reply` (`oracle/addresses.rs`). Line form (see `lines.rs`).

use crate::oracle::tests::lines::expect_findings;
use crate::oracle::tests::*;

/// RFC 9293 §3.9.2.3.
#[test]
fn a_syn_to_a_broadcast_or_multicast_address_is_owed_nothing() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 < [dst 192.0.2.255] S 0:0(0) win 65535 <mss 1460>
        < [dst 224.0.0.1] S 0:0(0) win 65535 <mss 1460>
        < [dst 255.255.255.255] S 0:0(0) win 65535 <mss 1460>
        +1 state CLOSED
        < S 0:0(0) win 65535 <mss 1460>
        > S. 0:0(0) ack 1 win 65535 <mss 1460>
        ",
        &[],
    );
}

/// To a closed port every segment but a RST is owed a RST (§3.10.7.1):
/// not one from or to a broadcast or multicast address.
#[test]
fn a_closed_port_owes_no_rst_to_a_non_unicast_address() {
    expect_findings(
        Profile::rfc9293(),
        "
        //! service: closed
        0 < [src 224.0.0.1] . 1:1(0) ack 1 win 65535
        < [src 192.0.2.255] S 0:0(0) win 65535 <mss 1460>
        < [dst 192.0.2.255] . 1:1(0) ack 1 win 65535
        < [dst 224.0.0.1] S 0:0(0) win 65535 <mss 1460>
        +1 state CLOSED
        ",
        &[],
    );
}

/// RFC 9293 §3.9.2.3; non-unicast-reply (RFC 9293 §3.9.2.3, MUST-57).
#[test]
fn a_syn_ack_or_rst_to_a_non_unicast_address_is_flagged() {
    expect_findings(
        Profile::rfc9293(),
        "
        0 < [src 224.0.0.1] S 0:0(0) win 65535 <mss 1460>
        > [dst 224.0.0.1] S. 0:0(0) ack 1 win 65535 <mss 1460>
        < [dst 192.0.2.255] . 1:1(0) ack 1 win 65535
        > [src 192.0.2.255] R 1:1(0) win 0
        ",
        &["3 non-unicast-reply", "5 non-unicast-reply"],
    );
}

/// RFC 9293 §3.9.2.3; non-unicast-reply (RFC 9293 §3.9.2.3, MUST-57).
#[test]
fn the_profiles_do_not_allow_a_reply_to_a_multicast_source() {
    for profile in [Profile::linux(), Profile::smoltcp()] {
        let found = expect_findings(
            profile,
            "
            0 < [src 224.0.0.251] S 0:0(0) win 65535 <mss 1460>
            > [dst 224.0.0.251] S. 0:0(0) ack 1 win 65535 <mss 1460>
            ",
            &["3 non-unicast-reply"],
        );
        assert!(found[0].is_failure(), "{}", found[0]);
    }
}
