//! What RFC 9293 §3.10.7 (with RFC 5961) says a target does with one
//! segment in one state: the replies it may send and the states it may be in
//! afterwards. Written from the RFC text, step by step, never from the
//! oracle, so that the grid checks the oracle as well as the targets.

use super::{AckPos, Kind, SeqPos, State};

/// Script-space numbers of a synchronized state (harness side: RCV.NXT; the
/// target's side: SND.UNA, SND.NXT), relative to each side's ISN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcb {
    /// RCV.NXT: the next sequence number of ours the target expects.
    pub rcv_nxt: u32,
    /// SND.UNA: the target's oldest unacknowledged sequence number.
    pub snd_una: u32,
    /// SND.NXT: the target's next sequence number to send.
    pub snd_nxt: u32,
}

impl Tcb {
    /// The target's FIN is sent and not yet acknowledged.
    pub fn fin_outstanding(&self, state: State) -> bool {
        matches!(state, State::FinWait1 | State::Closing | State::LastAck)
            && self.snd_una != self.snd_nxt
    }
}

/// One reply the RFC allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reply {
    /// Nothing within the wait.
    Nothing,
    /// `<SEQ=seq><ACK=ack><CTL=ACK>`.
    Ack {
        /// SEG.SEQ of the ACK.
        seq: u32,
        /// SEG.ACK of the ACK.
        ack: u32,
    },
    /// `<SEQ=seq><CTL=RST>`.
    Rst {
        /// SEG.SEQ of the RST.
        seq: u32,
    },
    /// `<SEQ=0><ACK=ack><CTL=RST,ACK>` (a closed port's answer to a segment
    /// without ACK).
    RstAck {
        /// SEG.ACK of the RST: the segment's SEG.SEQ plus SEG.LEN.
        ack: u32,
    },
    /// The SYN-ACK again acknowledging `ack`.
    SynAck {
        /// SEG.ACK of the retransmitted SYN-ACK.
        ack: u32,
    },
    /// A SYN-ACK of a new incarnation (a new ISN: any sequence number),
    /// acknowledging `ack` where the script can name it (not at a window
    /// edge, whose number is only known live).
    NewSynAck {
        /// SEG.ACK of the new SYN-ACK; `None` where only the run knows it.
        ack: Option<u32>,
    },
}

/// Where the connection may be after the segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Post {
    /// Still there, in `state`, with RCV.NXT `rcv_nxt` (SND.NXT does not
    /// move: the target's application sends nothing in a cell).
    Alive {
        /// The state it is in.
        state: State,
        /// RCV.NXT the probe should see acknowledged.
        rcv_nxt: u32,
        /// Whether the target's FIN is still unacknowledged, so it may be
        /// retransmitted before the cell ends.
        fin_outstanding: bool,
    },
    /// Gone (CLOSED, or a passive SYN-RECEIVED back to LISTEN).
    Dead,
    /// Too many ways on (TIME-WAIT reopened by a new SYN): no probe.
    Unprobed,
}

/// The expectation of one cell, with the RFC steps that gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The replies the RFC allows, any one of which passes.
    pub replies: Vec<Reply>,
    /// The states the connection may be in afterwards.
    pub posts: Vec<Post>,
    /// The RFC steps that gave the expectation, one line each.
    pub why: Vec<String>,
}

impl Expect {
    fn new(replies: Vec<Reply>, posts: Vec<Post>, why: Vec<String>) -> Expect {
        let mut e = Expect {
            replies,
            posts,
            why,
        };
        e.replies.sort();
        e.replies.dedup();
        e.posts.sort();
        e.posts.dedup();
        e
    }
}

/// Whether a segment starting at `pos` with `len` units of sequence space
/// (text, SYN and FIN each count) is acceptable, RFC 9293 §3.10.7.4 Table 6
/// with RCV.WND > 0: its first or last unit inside the window.
pub fn acceptable(pos: SeqPos, len: u32) -> bool {
    match pos {
        // first unit old; the last is RCV.NXT only when the segment spans 2
        SeqPos::NxtMinus1 => len >= 2,
        SeqPos::Nxt | SeqPos::Inside | SeqPos::WndMinus1 => true,
        SeqPos::Wnd | SeqPos::Far => false,
    }
}

fn accepts_text(state: State) -> bool {
    matches!(
        state,
        State::Established | State::FinWait1 | State::FinWait2 | State::SynReceived
    )
}

/// A synchronized state (or SYN-RECEIVED), RFC 9293 §3.10.7.4.
pub fn synchronized(
    state: State,
    tcb: Tcb,
    kind: Kind,
    seq: SeqPos,
    ack: Option<(AckPos, u32)>,
) -> Expect {
    let f = kind.bits();
    let len = f.seg_len();
    let mut why = Vec::new();
    let unchanged = Post::Alive {
        state,
        rcv_nxt: tcb.rcv_nxt,
        fin_outstanding: tcb.fin_outstanding(state),
    };
    let ack_now = Reply::Ack {
        seq: tcb.snd_nxt,
        ack: tcb.rcv_nxt,
    };
    // RFC 9293 §3.6.1 (MAY-2), RFC 6191: TIME-WAIT may take a new SYN to
    // reopen, before any other processing.
    if state == State::TimeWait && f.syn && !f.ack && !f.rst && seq != SeqPos::NxtMinus1 {
        why.push("§3.6.1 (MAY-2): a SYN in TIME-WAIT beyond the old connection may reopen it (a new SYN-ACK), else §3.10.7.4 / RFC 5961 §4.2: challenge ACK".into());
        return Expect::new(
            vec![
                ack_now,
                Reply::NewSynAck {
                    ack: (!seq.at_edge()).then(|| seq_value(tcb, seq).wrapping_add(1)),
                },
            ],
            vec![Post::Unprobed],
            why,
        );
    }
    if !acceptable(seq, len) {
        why.push(format!(
            "§3.10.7.4 first check: {} units at {} are not acceptable (Table 6)",
            len,
            seq.rfc()
        ));
        if f.rst {
            why.push("a RST outside the window is dropped (RFC 5961 §3.2)".into());
            return Expect::new(vec![Reply::Nothing], vec![unchanged], why);
        }
        if state == State::SynReceived && f.syn && !f.ack && len == 1 {
            why.push("a retransmission of the SYN: <SEQ=SND.NXT><ACK=RCV.NXT>, or the SYN-ACK again (§3.10.7.4 first check; §3.5 Figure 8 recovery)".into());
            return Expect::new(
                vec![ack_now, Reply::SynAck { ack: tcb.rcv_nxt }],
                vec![unchanged],
                why,
            );
        }
        if !f.ack && !f.syn {
            why.push("an acknowledgment \"should\" be sent (lowercase, no requirement id); the segment has no ACK bit, which the fifth check would drop: an ACK or nothing".into());
            return Expect::new(vec![ack_now, Reply::Nothing], vec![unchanged], why);
        }
        why.push(if f.syn {
            "→ <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop (for a SYN this is also RFC 5961 §4.2's challenge ACK)".into()
        } else {
            "→ <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop".into()
        });
        return Expect::new(vec![ack_now], vec![unchanged], why);
    }
    if f.rst {
        if seq == SeqPos::Nxt {
            why.push(format!(
                "§3.10.7.4 second check: RST at RCV.NXT (RFC 5961 §3.2): {}",
                match state {
                    State::SynReceived => "a passive SYN-RECEIVED returns to LISTEN",
                    _ => "the connection is reset, CLOSED",
                }
            ));
            return Expect::new(vec![Reply::Nothing], vec![Post::Dead], why);
        }
        why.push("§3.10.7.4 second check: RST in the window, not at RCV.NXT → challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> (RFC 5961 §3.2), drop".into());
        return Expect::new(vec![ack_now], vec![unchanged], why);
    }
    if f.syn {
        if state == State::SynReceived {
            why.push("§3.10.7.4 fourth check: a SYN in SYN-RECEIVED of a passive OPEN returns the connection to LISTEN".into());
            return Expect::new(vec![Reply::Nothing], vec![Post::Dead], why);
        }
        why.push("§3.10.7.4 fourth check: a SYN in a synchronized state → challenge ACK (RFC 5961 §4.2), drop".into());
        return Expect::new(vec![ack_now], vec![unchanged], why);
    }
    let Some((ack_pos, ack_value)) = ack.filter(|_| f.ack) else {
        why.push("§3.10.7.4 fifth check: the ACK bit is off → drop".into());
        return Expect::new(vec![Reply::Nothing], vec![unchanged], why);
    };
    let mut now = state;
    let mut fin_out = tcb.fin_outstanding(state);
    if state == State::SynReceived {
        if ack_pos != AckPos::Nxt {
            why.push("§3.10.7.4 fifth check, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT fails → <SEQ=SEG.ACK><CTL=RST>; the connection stays".into());
            return Expect::new(vec![Reply::Rst { seq: ack_value }], vec![unchanged], why);
        }
        why.push("§3.10.7.4 fifth check, SYN-RECEIVED: the ACK is acceptable → ESTABLISHED".into());
        now = State::Established;
    } else if ack_pos == AckPos::Beyond {
        why.push("§3.10.7.4 fifth check: SEG.ACK > SND.NXT → <SEQ=SND.NXT><ACK=RCV.NXT>, drop (RFC 5961 §5.2)".into());
        return Expect::new(vec![ack_now], vec![unchanged], why);
    } else if ack_pos == AckPos::Nxt && fin_out {
        fin_out = false;
        match state {
            State::FinWait1 => {
                why.push("§3.10.7.4 fifth check: our FIN is acknowledged → FIN-WAIT-2".into());
                now = State::FinWait2;
            }
            State::Closing => {
                why.push(
                    "§3.10.7.4 fifth check: our FIN is acknowledged in CLOSING → TIME-WAIT".into(),
                );
                now = State::TimeWait;
            }
            State::LastAck => {
                why.push(
                    "§3.10.7.4 fifth check: our FIN is acknowledged in LAST-ACK → CLOSED".into(),
                );
                return Expect::new(vec![Reply::Nothing], vec![Post::Dead], why);
            }
            _ => {}
        }
    } else if ack_pos == AckPos::BelowUna {
        why.push("§3.10.7.4 fifth check: SEG.ACK < SND.UNA but within MAX.SND.WND: a duplicate, ignored; the segment is processed on (RFC 5961 §5.2, MAY-12)".into());
    }
    // Text and FIN, in sequence order (§3.10.7.4 seventh and eighth checks).
    let data = u32::from(f.data);
    let mut rcv = tcb.rcv_nxt;
    let mut owed = false;
    let mut lenient = false;
    let mut out_of_order = false;
    if data > 0 {
        match seq {
            SeqPos::Nxt if accepts_text(now) => {
                rcv = rcv.wrapping_add(data);
                owed = true;
                why.push(
                    "§3.10.7.4 seventh check: the octet at RCV.NXT is taken and acknowledged"
                        .into(),
                );
            }
            SeqPos::Nxt => {
                lenient = true;
                why.push("§3.10.7.4 seventh check: a FIN was received already: the text is ignored (RCV.NXT does not move; an ACK of the unchanged RCV.NXT or nothing)".into());
            }
            SeqPos::NxtMinus1 => why.push("the octet is old (before RCV.NXT): trimmed".into()),
            _ => out_of_order = true,
        }
    }
    if f.fin {
        let fin_in_order = match seq {
            SeqPos::Nxt => data == 0 || accepts_text(now),
            SeqPos::NxtMinus1 => true,
            _ => false,
        };
        if fin_in_order {
            match now {
                State::Established | State::FinWait1 | State::FinWait2 => {
                    rcv = rcv.wrapping_add(1);
                    owed = true;
                    now = match now {
                        State::Established => State::CloseWait,
                        State::FinWait1 if fin_out => State::Closing,
                        _ => State::TimeWait,
                    };
                    why.push(format!(
                        "§3.10.7.4 eighth check: the FIN at RCV.NXT is taken and acknowledged → {}",
                        now.rfc()
                    ));
                }
                _ => {
                    lenient = true;
                    why.push("§3.10.7.4 seventh and eighth checks: a FIN past the FIN already received is text after the end of the peer's stream, ignored; the state stays; an ACK of the unchanged RCV.NXT or nothing".into());
                }
            }
        } else if !lenient && seq != SeqPos::Nxt {
            out_of_order = true;
        }
    }
    let post = |rcv_nxt| Post::Alive {
        state: now,
        rcv_nxt,
        fin_outstanding: fin_out,
    };
    if owed {
        return Expect::new(
            vec![Reply::Ack {
                seq: tcb.snd_nxt,
                ack: rcv,
            }],
            vec![post(rcv)],
            why,
        );
    }
    let ack_rcv = Reply::Ack {
        seq: tcb.snd_nxt,
        ack: rcv,
    };
    if lenient {
        return Expect::new(vec![ack_rcv, Reply::Nothing], vec![post(rcv)], why);
    }
    if out_of_order {
        why.push("out of order (beyond RCV.NXT, in the window): held or dropped, not acted on; an immediate duplicate ACK SHOULD be sent (RFC 5681 §4.2, RFC 9293 §3.10.7.4): the ACK or nothing".into());
        return Expect::new(vec![ack_rcv, Reply::Nothing], vec![post(rcv)], why);
    }
    why.push("nothing owed: no reply".into());
    Expect::new(vec![Reply::Nothing], vec![post(rcv)], why)
}

/// The script-space sequence number of `pos` (window edges as offsets from
/// the edge: see `//! window-edge`).
pub fn seq_value(tcb: Tcb, pos: SeqPos) -> u32 {
    match pos {
        SeqPos::NxtMinus1 => tcb.rcv_nxt.wrapping_sub(1),
        SeqPos::Nxt => tcb.rcv_nxt,
        SeqPos::Inside => tcb.rcv_nxt.wrapping_add(100),
        SeqPos::WndMinus1 => u32::MAX,
        SeqPos::Wnd => 0,
        SeqPos::Far => tcb.rcv_nxt.wrapping_add(0x4000_0000),
    }
}

/// The script-space acknowledgment number of `pos`.
pub fn ack_value(tcb: Tcb, pos: AckPos) -> u32 {
    match pos {
        AckPos::BelowUna => tcb.snd_una.wrapping_sub(1),
        AckPos::Una => tcb.snd_una,
        AckPos::Nxt => tcb.snd_nxt,
        AckPos::Beyond => tcb.snd_nxt.wrapping_add(1),
    }
}

/// LISTEN, RFC 9293 §3.10.7.2 (the segment at harness sequence 0,
/// acknowledging absolute `ack`).
pub fn listen(kind: Kind, ack: u32) -> Expect {
    let f = kind.bits();
    let mut why = Vec::new();
    let listening = Post::Alive {
        state: State::Listen,
        rcv_nxt: 0,
        fin_outstanding: false,
    };
    if f.rst {
        why.push("§3.10.7.2 first: a RST to LISTEN is ignored".into());
        return Expect::new(vec![Reply::Nothing], vec![listening], why);
    }
    if f.ack {
        why.push("§3.10.7.2 second: any ACK to LISTEN → <SEQ=SEG.ACK><CTL=RST>".into());
        return Expect::new(vec![Reply::Rst { seq: ack }], vec![listening], why);
    }
    if f.syn {
        let synrcvd = Post::Alive {
            state: State::SynReceived,
            rcv_nxt: 1,
            fin_outstanding: false,
        };
        if f.fin {
            why.push("§3.10.7.2 third: a SYN → SYN-ACK <ACK=SEG.SEQ+1>, any other control queued; a stack may refuse a SYN with FIN (no requirement says it must answer): the SYN-ACK or nothing".into());
            return Expect::new(
                vec![Reply::SynAck { ack: 1 }, Reply::Nothing],
                vec![synrcvd, listening],
                why,
            );
        }
        why.push(
            "§3.10.7.2 third: a SYN → <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED".into(),
        );
        return Expect::new(vec![Reply::SynAck { ack: 1 }], vec![synrcvd], why);
    }
    why.push("§3.10.7.2 fourth: any other segment without SYN or ACK → drop".into());
    Expect::new(vec![Reply::Nothing], vec![listening], why)
}

/// No connection (a closed port), RFC 9293 §3.10.7.1.
pub fn closed(kind: Kind, ack: u32) -> Expect {
    let f = kind.bits();
    let mut why = Vec::new();
    if f.rst {
        why.push("§3.10.7.1: a RST to CLOSED is discarded".into());
        return Expect::new(vec![Reply::Nothing], vec![Post::Dead], why);
    }
    if f.ack {
        why.push("§3.10.7.1: ACK on → <SEQ=SEG.ACK><CTL=RST>".into());
        return Expect::new(vec![Reply::Rst { seq: ack }], vec![Post::Dead], why);
    }
    why.push(format!(
        "§3.10.7.1: ACK off → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SEG.LEN {})",
        f.seg_len()
    ));
    Expect::new(
        vec![Reply::RstAck { ack: f.seg_len() }],
        vec![Post::Dead],
        why,
    )
}

/// SYN-SENT, RFC 9293 §3.10.7.3 (the target's SYN is ISS 0, SND.NXT 1; the
/// segment at harness sequence 0).
pub fn syn_sent(kind: Kind, ack: Option<(AckPos, u32)>) -> Expect {
    let f = kind.bits();
    let mut why = Vec::new();
    let waiting = Post::Alive {
        state: State::SynSent,
        rcv_nxt: 0,
        fin_outstanding: false,
    };
    let ack = ack.filter(|_| f.ack);
    if let Some((pos, value)) = ack {
        if pos != AckPos::Nxt {
            why.push("§3.10.7.3 first: SEG.ACK =< ISS or > SND.NXT is not acceptable".into());
            if f.rst {
                why.push("a RST with it is dropped".into());
                return Expect::new(vec![Reply::Nothing], vec![waiting], why);
            }
            why.push("→ <SEQ=SEG.ACK><CTL=RST>, drop".into());
            return Expect::new(vec![Reply::Rst { seq: value }], vec![waiting], why);
        }
    }
    if f.rst {
        if ack.is_some() {
            why.push("§3.10.7.3 second: a RST with an acceptable ACK resets the connection".into());
            return Expect::new(vec![Reply::Nothing], vec![Post::Dead], why);
        }
        why.push("§3.10.7.3 second: a RST without ACK is dropped".into());
        return Expect::new(vec![Reply::Nothing], vec![waiting], why);
    }
    if f.syn {
        let rcv_nxt = 1;
        if ack.is_some() {
            why.push("§3.10.7.3 fourth: SYN with an acceptable ACK → ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>".into());
            return Expect::new(
                vec![Reply::Ack {
                    seq: 1,
                    ack: rcv_nxt,
                }],
                vec![Post::Alive {
                    state: State::Established,
                    rcv_nxt,
                    fin_outstanding: false,
                }],
                why,
            );
        }
        why.push("§3.10.7.3 fourth: SYN without ACK (simultaneous open) → SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>".into());
        return Expect::new(
            vec![Reply::SynAck { ack: rcv_nxt }],
            vec![Post::Alive {
                state: State::SynReceived,
                rcv_nxt,
                fin_outstanding: false,
            }],
            why,
        );
    }
    why.push("§3.10.7.3 fifth: neither SYN nor RST → drop".into());
    Expect::new(vec![Reply::Nothing], vec![waiting], why)
}
