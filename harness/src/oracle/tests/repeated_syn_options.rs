//! Before any SYN-ACK, a repeated SYN at the same sequence number but with
//! other options may be the one the target opened the connection with (it
//! dropped the first: smoltcp still had the earlier connection on the
//! tuple, a LAST-ACK whose closing ACK it had ignored). The SYN-ACK's
//! options decide which SYN it answers (fuzz campaign 10
//! wscale-without-offer-b934c80e…).

use super::*;

fn syn(options: Vec<TcpOption>) -> Segment {
    Segment {
        seq: REMOTE_SEQ,
        flags: SYN,
        options,
        ..send_tmpl()
    }
}

fn synack(options: Vec<TcpOption>) -> Segment {
    Segment {
        seq: LOCAL_SEQ,
        ack: r(1),
        flags: SYN | ACK,
        options,
        ..recv_tmpl()
    }
}

#[test]
fn syn_ack_with_wscale_answers_a_repeated_syn_that_offered_it() {
    let mut t = listen_with(Profile::smoltcp());
    send!(t, syn(vec![TcpOption::Mss(1460)]));
    send!(
        t,
        syn(vec![TcpOption::Mss(1460), TcpOption::WindowScale(7)])
    );
    recv!(
        t,
        synack(vec![TcpOption::Mss(1460), TcpOption::WindowScale(0)])
    );
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

#[test]
fn syn_ack_with_wscale_when_no_syn_offered_it_violates() {
    let mut t = listen_with(Profile::smoltcp());
    send!(t, syn(vec![TcpOption::Mss(1460)]));
    send!(t, syn(vec![TcpOption::Mss(1000)]));
    recv!(
        t,
        synack(vec![TcpOption::Mss(1460), TcpOption::WindowScale(0)]),
        RuleId::WscaleWithoutOffer
    );
}

#[test]
fn syn_ack_that_fits_the_first_syn_answers_it() {
    // The first SYN offered Window Scale, the repeated one did not: a
    // SYN-ACK with it answers the first, and the scale holds after.
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        syn(vec![TcpOption::Mss(1460), TcpOption::WindowScale(7)])
    );
    send!(t, syn(vec![TcpOption::Mss(1460)]));
    recv!(
        t,
        synack(vec![TcpOption::Mss(1460), TcpOption::WindowScale(2)])
    );
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1),
            ..send_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::Established]);
}
