//! RSTs to a CLOSED port or LISTEN (RFC 9293 §3.10.7.1, §3.10.7.2) after
//! segments the target may drop (MUST-7) and after smoltcp's allowed
//! deviations (fuzz campaign 11).

use super::*;

fn to_closed() -> Segment {
    Segment {
        dst_port: CLOSED_PORT,
        ..send_tmpl()
    }
}

fn from_closed() -> Segment {
    Segment {
        src_port: CLOSED_PORT,
        window: 0,
        ..recv_tmpl()
    }
}

/// A SACK option of length 2: smoltcp 0.14 drops the segment.
fn short_sack() -> TcpOption {
    TcpOption::Unknown {
        kind: 5,
        data: Vec::new(),
    }
}

/// A Timestamps option of length 8: smoltcp 0.14 takes it as unknown.
fn short_timestamps() -> TcpOption {
    TcpOption::Unknown {
        kind: 8,
        data: vec![0x88, 0xaf, 8, 8, 8, 8],
    }
}

/// Campaign 11 (rst-closed-numbers, reduced): to a closed port, an
/// ACK-bearing segment smoltcp drops (its RST would be `<SEQ=SEG.ACK>`), a
/// RST, then an ACK-less FIN it takes, answered `<SEQ=0><CTL=RST>` (the
/// allowed rst-closed-ack-missing). The RST answers the FIN's optional
/// RST, not the older dropped one's. Returns the findings on `answer` and
/// up to the end of the reply grace.
fn fin_after_dropped_and_rst(answer: Segment) -> Vec<Finding> {
    let mut t = listen_with(Profile::smoltcp());
    send!(
        t,
        Segment {
            seq: r(1),
            ack: l(1000),
            flags: SYN | ACK,
            options: vec![short_sack(), TcpOption::Eol],
            payload: vec![0x61; 100],
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(200),
            flags: RST | ACK,
            ack: l(2000),
            ..to_closed()
        }
    );
    send!(
        t,
        Segment {
            seq: r(300),
            ack: SeqNumber(0),
            flags: TcpFlags::FIN,
            options: vec![short_timestamps()],
            ..to_closed()
        }
    );
    t.now += ms(1);
    let mut found = t.oracle.on_segment(t.now, Direction::FromTarget, &answer);
    found.extend(t.wait(ms(5000)));
    found
}

fn rst(seq: SeqNumber) -> Segment {
    Segment {
        seq,
        ack: SeqNumber(0),
        flags: RST,
        ..from_closed()
    }
}

#[test]
fn closed_port_rst_answers_a_later_optional_rst_with_allowed_numbers() {
    let found = fin_after_dropped_and_rst(rst(SeqNumber(0)));
    assert!(found.iter().all(|f| !f.is_failure()), "{found:?}");
    expect_rule(found, RuleId::RstClosedAckMissing);
}

#[test]
fn closed_port_rst_answering_no_optional_rst_after_a_rst_is_caught() {
    let found = fin_after_dropped_and_rst(rst(SeqNumber(5)));
    let f = expect_rule(found, RuleId::RstClosedNumbers);
    assert!(f.is_failure(), "{f}");
}
