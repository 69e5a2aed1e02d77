//! SYN-RECEIVED, then the handshake's ACK on a FIN after text that is all
//! old (it ends at RCV.NXT). RFC 9293 §3.10.7.4 accepts the segment (the
//! FIN is new): ESTABLISHED, then CLOSE-WAIT. smoltcp 0.14 measures the
//! segment by its text in the window test, drops it, ACK and all
//! (`fin-on-old-data-ignored`), and stays in SYN-RECEIVED: its SYN-ACK comes
//! again. Where the profile allows that deviation the model follows either
//! (fuzz: syn-ack-without-syn 8 of campaign 11: the model took the ACK, so
//! the SYN-ACK retransmission answered no SYN); elsewhere it does not fork,
//! and the FIN left unacknowledged is the violation.

use super::*;

/// The smoltcp profile as a campaign runs it, allowing the deviation.
fn smoltcp_campaign() -> Profile {
    let mut p = Profile::smoltcp();
    p.allowed.push((
        RuleId::FinOnOldDataIgnored,
        "a known deviation of the target",
    ));
    p
}

/// SYN-RECEIVED, then `<SEQ=r(1)-10><ACK=l(1)><CTL=FIN,ACK>` with 10 octets:
/// its text ends at RCV.NXT r(1), its FIN sits there.
fn fin_after_old_text(profile: Profile) -> T {
    let mut t = syn_received_with(profile);
    send!(
        t,
        Segment {
            seq: r(1).sub(10),
            ack: l(1),
            flags: FIN | ACK,
            payload: vec![0xff; 10],
            ..send_tmpl()
        }
    );
    t
}

fn syn_ack_again(t: &mut T) -> Vec<Finding> {
    let mut f = t.wait(Duration::from_secs(1));
    f.extend(t.oracle.on_segment(
        t.now,
        Direction::FromTarget,
        &Segment {
            seq: LOCAL_SEQ,
            ack: r(1),
            flags: SYN | ACK,
            options: vec![TcpOption::Mss(1460)],
            ..recv_tmpl()
        },
    ));
    f
}

#[test]
fn a_target_that_dropped_the_segment_ack_and_all_may_send_its_syn_ack_again() {
    let mut t = fin_after_old_text(smoltcp_campaign());
    let f = syn_ack_again(&mut t);
    assert!(f.iter().all(|f| f.deviation.is_some()), "{f:#?}");
    assert!(
        t.states().contains(&TcpState::SynReceived),
        "{:?}",
        t.states()
    );
    // An ACK of something never sent draws SYN-RECEIVED's
    // <SEQ=SEG.ACK><CTL=RST> (fifth check), not an ACK.
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(500),
            ..send_tmpl()
        }
    );
    recv!(
        t,
        Segment {
            seq: l(500),
            flags: RST,
            window: 0,
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::SynReceived]);
}

#[test]
fn a_target_that_took_the_fin_makes_close_wait() {
    let mut t = fin_after_old_text(smoltcp_campaign());
    recv!(
        t,
        Segment {
            seq: l(1),
            ack: r(2),
            ..recv_tmpl()
        }
    );
    assert_eq!(t.states(), vec![TcpState::CloseWait]);
}

#[test]
fn the_dropped_fin_is_still_a_violation_where_the_profile_does_not_allow_it() {
    let mut t = fin_after_old_text(Profile::rfc9293());
    assert_eq!(t.states(), vec![TcpState::CloseWait]);
    let f = expect_rule(syn_ack_again(&mut t), RuleId::FinOnOldDataIgnored);
    assert!(f.deviation.is_none());
}
