//! A SYN repeated at the IRS while SYN-RECEIVED may have ended (RFC 9293
//! §3.10.7.4; fuzz: wscale-without-offer). A stack that kept the
//! connection (smoltcp drops both the harness's SYN-ACK and the repeated
//! SYN there) retransmits its own SYN-ACK, same ISS, whose options answer
//! the first SYN; a stack that went back to LISTEN answers the repeated
//! SYN with a fresh SYN-ACK, whose options answer that SYN.

use crate::oracle::tests::lines::expect_after;
use crate::oracle::tests::*;

/// SYN-RECEIVED after a SYN offering Window Scale 2, a SYN-ACK with
/// shift 0, a harness SYN-ACK (which may return the target to LISTEN,
/// §3.10.7.4 fourth check) and the first SYN again without any option.
///
/// As lines: 2 to 5; a test's lines start at line 6.
const SYN_RECEIVED_AFTER_REPEATED_SYN: &str = "
    < S 0:0(0) win 65535 <mss 1460,wscale 2>
    > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 0>
    < S. 1:1(0) ack 1 win 65535
    < S 0:0(0) win 65535
";

/// SYN-RECEIVED after a SYN offering Window Scale 2, a SYN-ACK with
/// shift 0, a harness SYN-ACK (which may return the target to LISTEN,
/// §3.10.7.4 fourth check) and the first SYN again without any option.
fn syn_received_after_repeated_syn() -> T {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460), TcpOption::WindowScale(2)],
            ..send_tmpl()
        }
    );
    recv!(t, synack_ws(LOCAL_SEQ));
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            ..send_tmpl()
        }
    );
    t
}

fn synack_ws(iss: SeqNumber) -> Segment {
    Segment {
        seq: iss,
        ack: r(1),
        flags: SYN | ACK,
        options: vec![TcpOption::Mss(1460), TcpOption::WindowScale(0)],
        ..recv_tmpl()
    }
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4.
#[test]
fn syn_received_retransmitted_syn_ack_answers_the_first_syn() {
    expect_after(
        Profile::smoltcp(),
        SYN_RECEIVED_AFTER_REPEATED_SYN,
        "+1.001 > S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 0>
         state SYN-RECEIVED
         // The handshake completes with scaling in effect.
         < . 1:1(0) ack 1 win 65535
         state ESTABLISHED",
        &[],
    );
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; wscale-without-offer (RFC 7323 §2.2).
#[test]
fn syn_received_fresh_syn_ack_for_the_repeated_syn_with_window_scale_violates() {
    // A new ISS: the target went back to LISTEN and took the repeated SYN,
    // which offered no Window Scale.
    let mut t = syn_received_after_repeated_syn();
    recv!(t, synack_ws(SeqNumber(12345)), RuleId::WscaleWithoutOffer);
}

/// SYN-RECEIVED: RFC 9293 §3.10.7.4; wscale-without-offer (RFC 7323 §2.2).
#[test]
fn syn_received_retransmitted_syn_ack_with_window_scale_the_first_syn_lacked_violates() {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460)],
            ..send_tmpl()
        }
    );
    let synack = Segment {
        options: vec![TcpOption::Mss(1460)],
        ..synack_ws(LOCAL_SEQ)
    };
    recv!(t, synack);
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            flags: SYN | ACK,
            ..send_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options: vec![TcpOption::Mss(1460), TcpOption::WindowScale(2)],
            ..send_tmpl()
        }
    );
    t.now += ms(1000);
    recv!(t, synack_ws(LOCAL_SEQ), RuleId::WscaleWithoutOffer);
}
