//! `synack grid`: the state × segment grid, generated as case files.
//!
//! Every state the target can be driven into, every kind of segment, at
//! every sequence and acknowledgment position that means something in that
//! state. Each cell is one case: a path into the state (a handshake, the
//! application's `shutdown`/`close` as syscall lines, our FIN), the segment
//! (the *stimulus*), the replies RFC 9293 §3.10.7 and RFC 5961 allow (an
//! `either` block where they allow several), then a probe that shows whether
//! the connection survived and where RCV.NXT is. The expectations come from
//! the RFC text ([`rules`]), never from the oracle: the grid checks the
//! oracle too, since every segment a target sends in a cell is also judged
//! by it.
//!
//! # Axes
//!
//! - **State**: no connection (a closed port), LISTEN, SYN-SENT (the
//!   case's socket `connect`s), SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1,
//!   FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT.
//! - **Kind**: SYN, SYN-ACK, SYN-FIN, ACK, FIN, FIN-ACK, RST, RST-ACK, data
//!   (one octet, ACK and PSH), data-FIN, no flags.
//! - **Sequence position** (the stimulus's SEG.SEQ): RCV.NXT−1, RCV.NXT,
//!   inside (RCV.NXT+100), RCV.NXT+RCV.WND−1, RCV.NXT+RCV.WND, far outside
//!   (RCV.NXT+2^30). The two edges count from the window the target last
//!   announced (`//! window-edge`), so one file serves every stack.
//! - **Acknowledgment position** (SEG.ACK): below SND.UNA (SND.UNA−1, a
//!   duplicate within MAX.SND.WND), SND.UNA, SND.NXT, beyond SND.NXT
//!   (SND.NXT+1).
//!
//! # Which cells are meaningful (the rule)
//!
//! 1. No connection and LISTEN have no TCB: no RCV.NXT, no window, no
//!    SND.UNA. One cell per kind (SEG.SEQ 0 of our ISN; an ACK-bearing
//!    segment acknowledges a fixed number, the RST's SEQ).
//! 2. SYN-SENT has SND.UNA and SND.NXT but no RCV.NXT (nothing received
//!    yet): the acknowledgment axis for kinds with ACK, no sequence axis.
//! 3. SYN-RECEIVED and the synchronized states have both: every sequence
//!    position; the acknowledgment axis only for the kinds whose ACK field
//!    is read after the sequence, RST and SYN checks (ACK, FIN-ACK, data,
//!    data-FIN). A RST-ACK is judged by its sequence number alone (RFC 5961
//!    §3.2) and a SYN-ACK draws the same challenge ACK whatever it
//!    acknowledges (§4.2): those take SEG.ACK = SND.NXT.
//! 4. Acknowledgment positions that are the same number in a state are one
//!    cell: SND.UNA = SND.NXT wherever nothing of the target's is
//!    unacknowledged (ESTABLISHED, FIN-WAIT-2, CLOSE-WAIT, TIME-WAIT), so
//!    those states have three positions (below, SND.NXT, beyond).
//!
//! That gives 11 + 11 + 29 + 8 states' worth of synchronized cells; the
//! count is [`cells`]`().len()` and a unit test pins it (1059, of which 29
//! SYN-SENT cells make the target the client: no `service` line, the
//! case's own socket connects, as in `cases/socket-api`). The cells use no
//! address of either family, so each runs over IPv4 and IPv6 (`--ipv6`).
//!
//! # Paths into the states
//!
//! The service is `silent` (it accepts and never reads, writes or closes),
//! and the application acts by syscall lines, which both the embedded and
//! the lab target run: FIN-WAIT-1 is `shutdown(SHUT_WR)` (not `close`, so
//! that a kernel does not reset data arriving for a closed socket),
//! LAST-ACK is `close` in CLOSE-WAIT. The target sends no data, so SND.NXT
//! never moves within a cell.
//!
//! # The probe
//!
//! After the stimulus, one octet of old data (at RCV.NXT−1, acknowledging
//! SND.UNA as the stimulus left it, which moves nothing even on a stack that
//! reads the ACK field of an old segment; SND.NXT in SYN-RECEIVED): a live
//! connection answers `<SEQ=SND.NXT><ACK=RCV.NXT>` (first
//! check, and neither stack rate-limits replies to segments with text), which
//! shows RCV.NXT; a dead one is reached through the listener or a closed
//! port and answers `<SEQ=SEG.ACK><CTL=RST>`. The probe comes 10 ms after
//! the replies, except where its answer would be byte-identical to the one
//! reply the RFC owes the stimulus (a challenge ACK, the first check's ACK,
//! the ACK of text taken: `<SEQ=SND.NXT><ACK=RCV.NXT>`, no silence allowed):
//! there it comes 1.02 s after the stimulus, past the oracle's 1 s reply
//! grace, so that a target that withheld the reply is not read as having
//! sent it late ([`emit::after_grace`]: 282 cells, about 282 s of real time
//! on a real-time target, shared among `--jobs`). Not where the target's FIN
//! is outstanding or in SYN-RECEIVED: its FIN's or SYN-ACK's retransmission
//! within that second carries the same ACK anyway. Where the target's FIN is
//! outstanding the cell ends by allowing its retransmission (a kernel's RTO
//! can be 200 ms). Replies and probe answers are separate `either` blocks:
//! a cell accepts any allowed reply with any allowed survival, not only the
//! pairs that go together.

pub mod emit;
pub mod rules;

use std::fmt;
use std::path::Path;

/// A state the target is driven into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// No connection: the port has no listener, so no TCB exists (RFC 9293 §3.10.7.1).
    Closed,
    /// LISTEN: a `silent` service listens; no TCB yet (§3.10.7.2).
    Listen,
    /// SYN-SENT: the case's own socket has `connect`ed and sent its SYN (§3.10.7.3).
    SynSent,
    /// SYN-RECEIVED: the target answered our SYN with its SYN-ACK.
    SynReceived,
    /// ESTABLISHED: the three-way handshake completed.
    Established,
    /// FIN-WAIT-1: the application called `shutdown(SHUT_WR)`; its FIN is unacknowledged.
    FinWait1,
    /// FIN-WAIT-2: our ACK covered the target's FIN.
    FinWait2,
    /// CLOSE-WAIT: we sent a FIN and the target acknowledged it.
    CloseWait,
    /// CLOSING: both FINs crossed; the target's FIN is unacknowledged.
    Closing,
    /// LAST-ACK: the application `close`d in CLOSE-WAIT; its FIN is unacknowledged.
    LastAck,
    /// TIME-WAIT: both FINs sent and acknowledged.
    TimeWait,
}

impl State {
    /// Every state, in the grid's order (the order of directories and cells).
    pub const ALL: [State; 11] = [
        State::Closed,
        State::Listen,
        State::SynSent,
        State::SynReceived,
        State::Established,
        State::FinWait1,
        State::FinWait2,
        State::CloseWait,
        State::Closing,
        State::LastAck,
        State::TimeWait,
    ];

    /// RFC 9293's name, as `state` lines write it.
    pub fn rfc(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::CloseWait => "CLOSE-WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST-ACK",
            State::TimeWait => "TIME-WAIT",
        }
    }

    /// The directory of its cells.
    pub fn dir(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Listen => "listen",
            State::SynSent => "syn-sent",
            State::SynReceived => "syn-received",
            State::Established => "established",
            State::FinWait1 => "fin-wait-1",
            State::FinWait2 => "fin-wait-2",
            State::CloseWait => "close-wait",
            State::Closing => "closing",
            State::LastAck => "last-ack",
            State::TimeWait => "time-wait",
        }
    }

    /// The state a directory name stands for.
    pub fn from_dir(dir: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.dir() == dir)
    }
}

/// The kind of the stimulus segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// SYN alone.
    Syn,
    /// SYN and ACK.
    SynAck,
    /// SYN and FIN together, which no sender should emit.
    SynFin,
    /// ACK alone, no text.
    Ack,
    /// FIN without ACK.
    Fin,
    /// FIN and ACK.
    FinAck,
    /// RST without ACK.
    Rst,
    /// RST and ACK.
    RstAck,
    /// One octet of text, with ACK and PSH.
    Data,
    /// One octet of text, with FIN, ACK and PSH.
    DataFin,
    /// No control bits at all, no text.
    NoFlags,
}

/// A kind's control bits and octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bits {
    /// SYN bit.
    pub syn: bool,
    /// ACK bit.
    pub ack: bool,
    /// FIN bit.
    pub fin: bool,
    /// RST bit.
    pub rst: bool,
    /// Octets of text (0 or 1).
    pub data: u8,
}

impl Bits {
    /// SEG.LEN: octets, plus one each for SYN and FIN.
    pub fn seg_len(self) -> u32 {
        u32::from(self.data) + u32::from(self.syn) + u32::from(self.fin)
    }
}

impl Kind {
    /// Every kind, in the grid's order.
    pub const ALL: [Kind; 11] = [
        Kind::Syn,
        Kind::SynAck,
        Kind::SynFin,
        Kind::Ack,
        Kind::Fin,
        Kind::FinAck,
        Kind::Rst,
        Kind::RstAck,
        Kind::Data,
        Kind::DataFin,
        Kind::NoFlags,
    ];

    /// The control bits and text length the kind sends.
    pub fn bits(self) -> Bits {
        let b = |syn, ack, fin, rst, data| Bits {
            syn,
            ack,
            fin,
            rst,
            data,
        };
        match self {
            Kind::Syn => b(true, false, false, false, 0),
            Kind::SynAck => b(true, true, false, false, 0),
            Kind::SynFin => b(true, false, true, false, 0),
            Kind::Ack => b(false, true, false, false, 0),
            Kind::Fin => b(false, false, true, false, 0),
            Kind::FinAck => b(false, true, true, false, 0),
            Kind::Rst => b(false, false, false, true, 0),
            Kind::RstAck => b(false, true, false, true, 0),
            Kind::Data => b(false, true, false, false, 1),
            Kind::DataFin => b(false, true, true, false, 1),
            Kind::NoFlags => b(false, false, false, false, 0),
        }
    }

    /// The flags as a `<` line writes them.
    pub fn flags(self) -> &'static str {
        match self {
            Kind::Syn => "S",
            Kind::SynAck => "S.",
            Kind::SynFin => "SF",
            Kind::Ack => ".",
            Kind::Fin => "F",
            Kind::FinAck => "F.",
            Kind::Rst => "R",
            Kind::RstAck => "R.",
            Kind::Data => "P.",
            Kind::DataFin => "FP.",
            Kind::NoFlags => "none",
        }
    }

    /// The kind's part of a cell's file name (`syn-ack`, `data-fin`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Syn => "syn",
            Kind::SynAck => "syn-ack",
            Kind::SynFin => "syn-fin",
            Kind::Ack => "ack",
            Kind::Fin => "fin",
            Kind::FinAck => "fin-ack",
            Kind::Rst => "rst",
            Kind::RstAck => "rst-ack",
            Kind::Data => "data",
            Kind::DataFin => "data-fin",
            Kind::NoFlags => "no-flags",
        }
    }

    /// The kind a file-name part stands for.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the acknowledgment axis applies (rule 3).
    fn ack_axis(self) -> bool {
        matches!(self, Kind::Ack | Kind::FinAck | Kind::Data | Kind::DataFin)
    }
}

/// Where SEG.SEQ lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeqPos {
    /// RCV.NXT−1: one sequence number old.
    NxtMinus1,
    /// RCV.NXT: the next expected sequence number.
    Nxt,
    /// Inside the window: RCV.NXT+100.
    Inside,
    /// The window's last sequence number: RCV.NXT+RCV.WND−1.
    WndMinus1,
    /// The window's right edge, just outside: RCV.NXT+RCV.WND.
    Wnd,
    /// Far outside the window: RCV.NXT+2^30.
    Far,
}

impl SeqPos {
    /// Every sequence position, in the grid's order.
    pub const ALL: [SeqPos; 6] = [
        SeqPos::NxtMinus1,
        SeqPos::Nxt,
        SeqPos::Inside,
        SeqPos::WndMinus1,
        SeqPos::Wnd,
        SeqPos::Far,
    ];

    /// The position's part of a cell's file name (`seq-edge-1`).
    pub fn name(self) -> &'static str {
        match self {
            SeqPos::NxtMinus1 => "seq-nxt-1",
            SeqPos::Nxt => "seq-nxt",
            SeqPos::Inside => "seq-inside",
            SeqPos::WndMinus1 => "seq-edge-1",
            SeqPos::Wnd => "seq-edge",
            SeqPos::Far => "seq-far",
        }
    }

    /// The position in RFC 9293 terms (`RCV.NXT+RCV.WND-1`), for case comments.
    pub fn rfc(self) -> &'static str {
        match self {
            SeqPos::NxtMinus1 => "RCV.NXT-1",
            SeqPos::Nxt => "RCV.NXT",
            SeqPos::Inside => "RCV.NXT+100",
            SeqPos::WndMinus1 => "RCV.NXT+RCV.WND-1",
            SeqPos::Wnd => "RCV.NXT+RCV.WND",
            SeqPos::Far => "RCV.NXT+2^30",
        }
    }

    /// Whether the number counts from the window's right edge.
    pub fn at_edge(self) -> bool {
        matches!(self, SeqPos::WndMinus1 | SeqPos::Wnd)
    }
}

/// Where SEG.ACK lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AckPos {
    /// SND.UNA−1: a duplicate ACK, within MAX.SND.WND.
    BelowUna,
    /// SND.UNA: the oldest unacknowledged sequence number.
    Una,
    /// SND.NXT: everything the target sent.
    Nxt,
    /// SND.NXT+1: acknowledges something not yet sent (RFC 9293 §3.10.7.4).
    Beyond,
}

impl AckPos {
    /// Every acknowledgment position, in the grid's order.
    pub const ALL: [AckPos; 4] = [AckPos::BelowUna, AckPos::Una, AckPos::Nxt, AckPos::Beyond];

    /// The position's part of a cell's file name (`ack-below-una`).
    pub fn name(self) -> &'static str {
        match self {
            AckPos::BelowUna => "ack-below-una",
            AckPos::Una => "ack-una",
            AckPos::Nxt => "ack-nxt",
            AckPos::Beyond => "ack-beyond",
        }
    }

    /// The position in RFC 9293 terms (`SND.UNA-1`), for case comments.
    pub fn rfc(self) -> &'static str {
        match self {
            AckPos::BelowUna => "SND.UNA-1",
            AckPos::Una => "SND.UNA",
            AckPos::Nxt => "SND.NXT",
            AckPos::Beyond => "SND.NXT+1",
        }
    }
}

/// One cell of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// The state the path drives the target into.
    pub state: State,
    /// The kind of the stimulus segment.
    pub kind: Kind,
    /// Where the stimulus's SEG.SEQ lies; `None` where the state has no RCV.NXT (rules 1, 2).
    pub seq: Option<SeqPos>,
    /// Where the stimulus's SEG.ACK lies; `None` where the acknowledgment axis does not apply.
    pub ack: Option<AckPos>,
}

impl Cell {
    /// The case id under the cases root: `grid/<state>/<kind>[-seq][-ack]`.
    pub fn id(&self) -> String {
        let mut name = self.kind.name().to_string();
        if let Some(s) = self.seq {
            name = format!("{name}-{}", s.name());
        }
        if let Some(a) = self.ack {
            name = format!("{name}-{}", a.name());
        }
        format!("grid/{}/{name}", self.state.dir())
    }

    /// Whether the cell makes the target the client (SYN-SENT: `connect`).
    pub fn needs_connect(&self) -> bool {
        self.state == State::SynSent
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

/// The script-space TCB a path leaves, for the states that have one.
pub fn tcb(state: State) -> Option<rules::Tcb> {
    let t = |rcv_nxt, snd_una, snd_nxt| {
        Some(rules::Tcb {
            rcv_nxt,
            snd_una,
            snd_nxt,
        })
    };
    match state {
        State::Closed | State::Listen | State::SynSent => None,
        State::SynReceived => t(1, 0, 1),
        State::Established => t(1, 1, 1),
        State::FinWait1 => t(1, 1, 2),
        State::FinWait2 => t(1, 2, 2),
        State::CloseWait => t(2, 1, 1),
        State::Closing => t(2, 1, 2),
        State::LastAck => t(2, 1, 2),
        State::TimeWait => t(2, 2, 2),
    }
}

/// Every meaningful cell, in a stable order (the rule above).
pub fn cells() -> Vec<Cell> {
    let mut out = Vec::new();
    for state in State::ALL {
        for kind in Kind::ALL {
            let cell = |seq, ack| Cell {
                state,
                kind,
                seq,
                ack,
            };
            match state {
                State::Closed | State::Listen => out.push(cell(None, None)),
                State::SynSent => {
                    if kind.bits().ack {
                        out.extend(AckPos::ALL.into_iter().map(|a| cell(None, Some(a))));
                    } else {
                        out.push(cell(None, None));
                    }
                }
                _ => {
                    let tcb = tcb(state).expect("a synchronized state has a TCB");
                    for seq in SeqPos::ALL {
                        if !kind.ack_axis() {
                            out.push(cell(Some(seq), None));
                            continue;
                        }
                        for ack in AckPos::ALL {
                            // rule 4: SND.UNA = SND.NXT is one cell, `ack-nxt`
                            if ack == AckPos::Una && tcb.snd_una == tcb.snd_nxt {
                                continue;
                            }
                            out.push(cell(Some(seq), Some(ack)));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Writes every cell under `dir` (as `<dir>/<state>/<name>.pkt`), replacing
/// the `.pkt` files there; returns how many.
pub fn write_dir(dir: &Path) -> std::io::Result<usize> {
    let cells = cells();
    for state in State::ALL {
        let sub = dir.join(state.dir());
        if sub.is_dir() {
            for entry in std::fs::read_dir(&sub)? {
                let p = entry?.path();
                if p.extension().is_some_and(|e| e == "pkt") {
                    std::fs::remove_file(p)?;
                }
            }
        }
        std::fs::create_dir_all(&sub)?;
    }
    for c in &cells {
        let name = c.id();
        let rel = name.strip_prefix("grid/").unwrap_or(&name);
        std::fs::write(dir.join(format!("{rel}.pkt")), emit::case(c))?;
    }
    Ok(cells.len())
}

#[cfg(test)]
mod tests;
