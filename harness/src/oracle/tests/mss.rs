//! The send MSS bound (RFC 9293 §3.7.1, MUST-15/16) when the harness's SYN
//! offers several MSS options, or an MSS of 0.

use super::*;

/// ESTABLISHED after a SYN with `options`.
fn established_after_syn(options: Vec<TcpOption>) -> T {
    let mut t = listen();
    send!(
        t,
        Segment {
            seq: REMOTE_SEQ,
            flags: SYN,
            options,
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        }
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    t
}

fn data(at: u32, len: usize) -> Segment {
    Segment {
        seq: l(at),
        ack: r(1),
        payload: vec![0; len],
        ..recv_tmpl()
    }
}

#[test]
fn several_mss_options_the_target_may_take_the_last() {
    // smoltcp takes the last MSS option.
    let mut t = established_after_syn(vec![TcpOption::Mss(100), TcpOption::Mss(1000)]);
    recv!(t, data(1, 1000));
}

#[test]
fn several_mss_options_the_target_may_take_the_first() {
    let mut t = established_after_syn(vec![TcpOption::Mss(1000), TcpOption::Mss(100)]);
    recv!(t, data(1, 1000));
}

#[test]
fn several_mss_options_above_the_largest_violates() {
    let mut t = established_after_syn(vec![TcpOption::Mss(100), TcpOption::Mss(1000)]);
    let f = recv!(t, data(1, 1001), RuleId::SegmentExceedsMss);
    assert!(f.message.contains("1000"), "{f}");
}

#[test]
fn mss_zero_counts_as_no_mss_option() {
    // Linux and smoltcp ignore an MSS of 0: the default 536 applies.
    let mut t = established_after_syn(vec![TcpOption::Mss(0)]);
    recv!(t, data(1, 536));
    recv!(t, data(537, 537), RuleId::SegmentExceedsMss);
}
