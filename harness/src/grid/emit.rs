//! One cell as case text: header comments (what the RFC says and why), the
//! metadata, the path into the state, the stimulus, the allowed replies, the
//! probe.

use super::rules::{self, Expect, Post, Reply, Tcb};
use super::{Cell, State};
use std::fmt::Write as _;

/// How long "nothing" is waited for, in seconds: shorter where the target's
/// FIN is outstanding, so the cell is over before a 200 ms RTO.
fn quiet(cell: &Cell) -> &'static str {
    match cell.state {
        State::FinWait1 | State::Closing | State::LastAck => "0.05",
        _ => "0.1",
    }
}

/// The acknowledgment a LISTEN or no-connection cell's ACK-bearing segment
/// carries (absolute: the target has no ISN for us yet).
const STRAY_ACK: u32 = 5000;
/// The dead probe's acknowledgment on a closed port.
const PROBE_ACK: u32 = 7000;

/// The last line of a cell that may leave a half-open connection
/// (SYN-RECEIVED): a RST at RCV.NXT, which the target takes silently in
/// SYN-RECEIVED (RFC 9293 §3.10.7.4 second check) and ignores in LISTEN
/// (§3.10.7.2). A kernel keeps a half-open request for a minute of SYN-ACK
/// retransmissions; a hundred of them fill the listener's queue and turn SYN
/// cookies on (SYN-ACKs without SACK) for the cases that follow.
const CLEAN_UP: &str =
    "+0.01  < R {rcv}:{rcv}(0) win 0   // clean-up: no half-open connection left";

/// The lines that drive a fresh target into `state`, and the service.
fn path(state: State) -> (&'static str, Vec<&'static str>) {
    let handshake = [
        "0      < S 0:0(0) win 65535 <mss 1460>",
        "+0     > S. 0:0(0) ack 1 <...>",
    ];
    let established = [&handshake[..], &["+0.01  < . 1:1(0) ack 1 win 65535"]].concat();
    let fin_wait_1 = [
        &established[..],
        &[
            "+0.01  shutdown(4, SHUT_WR) = 0",
            "+0~0.2 > F. 1:1(0) ack 1",
        ],
    ]
    .concat();
    let fin_wait_2 = [&fin_wait_1[..], &["+0.01  < . 1:1(0) ack 2 win 65535"]].concat();
    let close_wait = [
        &established[..],
        &[
            "+0.01  < F. 1:1(0) ack 1 win 65535",
            "+0~0.2 > . 1:1(0) ack 2",
        ],
    ]
    .concat();
    let lines = match state {
        State::Closed | State::Listen => Vec::new(),
        State::SynSent => vec![
            "0      socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
            "+0     fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
            "+0     connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
            "+0     > S 0:0(0) <...>",
        ],
        State::SynReceived => handshake.to_vec(),
        State::Established => established,
        State::FinWait1 => fin_wait_1,
        State::FinWait2 => fin_wait_2,
        State::CloseWait => close_wait,
        State::Closing => [
            &fin_wait_1[..],
            &[
                "+0.01  < F. 1:1(0) ack 1 win 65535",
                "+0~0.2 > . 2:2(0) ack 2",
            ],
        ]
        .concat(),
        State::LastAck => [
            &close_wait[..],
            &["+0.01  close(4) = 0", "+0~0.2 > F. 1:1(0) ack 2"],
        ]
        .concat(),
        State::TimeWait => [
            &fin_wait_2[..],
            &[
                "+0.01  < F. 1:1(0) ack 2 win 65535",
                "+0~0.2 > . 2:2(0) ack 2",
            ],
        ]
        .concat(),
    };
    let service = if state == State::Closed {
        "closed"
    } else {
        "silent"
    };
    (service, lines)
}

/// What a cell expects, by its state's rules.
pub fn expect(cell: &Cell) -> Expect {
    match (cell.state, super::tcb(cell.state)) {
        (State::Closed, _) => rules::closed(cell.kind, STRAY_ACK),
        (State::Listen, _) => rules::listen(cell.kind, STRAY_ACK),
        (State::SynSent, _) => {
            let ack = cell.ack.map(|a| (a, syn_sent_ack(a)));
            rules::syn_sent(cell.kind, ack)
        }
        (state, Some(tcb)) => {
            let ack = cell.ack.unwrap_or(super::AckPos::Nxt);
            rules::synchronized(
                state,
                tcb,
                cell.kind,
                cell.seq.unwrap_or(super::SeqPos::Nxt),
                Some((ack, rules::ack_value(tcb, ack))),
            )
        }
        (_, None) => unreachable!("every other state has a TCB"),
    }
}

fn syn_sent_ack(a: super::AckPos) -> u32 {
    rules::ack_value(
        Tcb {
            rcv_nxt: 0,
            snd_una: 0,
            snd_nxt: 1,
        },
        a,
    )
}

fn reply_line(r: Reply) -> Option<String> {
    Some(match r {
        Reply::Nothing => return None,
        Reply::Ack { seq, ack } => format!("> . {seq}:{seq}(0) ack {ack}"),
        Reply::Rst { seq } => format!("> R {seq}:{seq}(0)"),
        Reply::RstAck { ack } => format!("> R. 0:0(0) ack {ack}"),
        Reply::SynAck { ack } => format!("> S. 0:0(0) ack {ack} <...>"),
        Reply::NewSynAck { ack: Some(ack) } => format!("> S. ack {ack} <...>"),
        Reply::NewSynAck { ack: None } => "> S. <...>".to_string(),
    })
}

fn post_state(p: Post) -> Option<&'static str> {
    match p {
        Post::Alive {
            state: State::Listen,
            ..
        } => Some("CLOSED"),
        Post::Alive { state, .. } => Some(state.rfc()),
        Post::Dead => Some("CLOSED"),
        Post::Unprobed => None,
    }
}

fn states(posts: &[Post]) -> Vec<&'static str> {
    let mut v: Vec<_> = posts.iter().filter_map(|p| post_state(*p)).collect();
    v.sort();
    v.dedup();
    v
}

/// An `either` block (or the single line) for alternatives, each a list of
/// lines.
fn alternatives(out: &mut Vec<String>, alts: Vec<Vec<String>>) {
    match alts.len() {
        0 => {}
        1 => out.extend(alts.into_iter().flatten()),
        _ => {
            out.push("either".into());
            for (i, a) in alts.into_iter().enumerate() {
                if i > 0 {
                    out.push("or".into());
                }
                out.extend(a);
            }
            out.push("end".into());
        }
    }
}

/// The stimulus line, and whether its number counts from the window edge.
fn stimulus(cell: &Cell) -> String {
    let f = cell.kind.bits();
    let (seq, ack, time) = match (cell.state, super::tcb(cell.state)) {
        (State::Closed | State::Listen, _) => (0, f.ack.then_some(STRAY_ACK), "0     "),
        (State::SynSent, _) => (0, cell.ack.map(syn_sent_ack), "+0.01 "),
        (_, Some(tcb)) => {
            let pos = cell.seq.unwrap_or(super::SeqPos::Nxt);
            let a = cell.ack.unwrap_or(super::AckPos::Nxt);
            (
                rules::seq_value(tcb, pos),
                f.ack.then(|| rules::ack_value(tcb, a)),
                "+0.01 ",
            )
        }
        (_, None) => unreachable!("every other state has a TCB"),
    };
    let data = u32::from(f.data);
    let mut line = format!(
        "{time} < {} {seq}:{}({data})",
        cell.kind.flags(),
        seq.wrapping_add(data)
    );
    if let Some(a) = ack {
        let _ = write!(line, " ack {a}");
    }
    line.push_str(" win 65535");
    if f.syn && tcb_less(cell.state) {
        line.push_str(" <mss 1460>");
    }
    line
}

fn tcb_less(state: State) -> bool {
    matches!(state, State::Closed | State::Listen | State::SynSent)
}

/// The case text of one cell.
pub fn case(cell: &Cell) -> String {
    let e = expect(cell);
    let (service, path) = path(cell.state);
    let wait = quiet(cell);
    let mut body: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    if let Some(s) = super::tcb(cell.state).map(|_| cell.state.rfc()) {
        body.push(format!("+0     state {s}"));
    }
    let stimulus_at = body.len();
    body.push(stimulus(cell));
    // the replies
    let only_nothing = e.replies == [Reply::Nothing];
    let post_states = states(&e.posts);
    let mut alts = Vec::new();
    for r in &e.replies {
        match reply_line(*r) {
            Some(l) if e.replies.contains(&Reply::Nothing) => {
                alts.push(vec![format!("+0~{wait} {l}")])
            }
            Some(l) => alts.push(vec![format!("+0~0.2 {l}")]),
            None => {
                for s in &post_states {
                    alts.push(vec![format!("+{wait}   state {s}")]);
                }
            }
        }
    }
    alternatives(&mut body, alts);
    if !only_nothing && post_states.len() == 1 && !e.replies.contains(&Reply::Nothing) {
        body.push(format!("+0     state {}", post_states[0]));
    }
    probe(cell, &e, &mut body);
    // header
    let mut head = Vec::new();
    let seq = cell
        .seq
        .map(|s| format!(", SEG.SEQ = {}", s.rfc()))
        .unwrap_or_default();
    let ack = cell
        .ack
        .map(|a| format!(", SEG.ACK = {}", a.rfc()))
        .unwrap_or_default();
    head.push(format!(
        "// Grid cell (generated by `synack grid`; do not edit): {} in {}{seq}{ack}.",
        cell.kind.name().to_uppercase(),
        cell.state.rfc()
    ));
    head.push("// Expected, from the RFC text (not from the oracle):".into());
    for w in &e.why {
        head.push(format!("//   {w}"));
    }
    if cell.needs_connect() {
        head.push(
            "// The target is the client: the case's own socket connects (no service).".into(),
        );
    }
    head.push(format!(
        "//! title: grid: {} in {}{seq}{ack}",
        cell.kind.name().to_uppercase(),
        cell.state.rfc()
    ));
    let section = match cell.state {
        State::Closed => "3.10.7.1",
        State::Listen => "3.10.7.2",
        State::SynSent => "3.10.7.3",
        _ => "3.10.7.4",
    };
    head.push(format!("//! rfc: 9293 {section}"));
    let mut sections: Vec<&str> = e
        .why
        .iter()
        .flat_map(|w| w.split("5961 §").skip(1))
        .filter_map(|rest| {
            rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
        })
        .map(|s| s.trim_end_matches('.'))
        .filter(|s| !s.is_empty())
        .collect();
    sections.sort();
    sections.dedup();
    for s in sections {
        head.push(format!("//! rfc: 5961 {s}"));
    }
    // A `service` line would hand the port to a built-in service and leave
    // the socket calls unperformed (`run::syscall::performs_sockets`).
    if !cell.needs_connect() {
        head.push(format!("//! service: {service}"));
    }
    head.push(format!("//! tags: grid, grid-{}", cell.state.dir()));
    if cell.seq.is_some_and(|s| s.at_edge()) {
        // 1-based: this line, a blank line, then the body
        let line = head.len() + 1 + 1 + stimulus_at + 1;
        head.push(format!("//! window-edge: {line}"));
    }
    let mut text = head.join("\n");
    text.push_str("\n\n");
    text.push_str(&body.join("\n"));
    text.push('\n');
    text
}

/// How long after the stimulus a probe waits where its answer would be
/// byte-identical to the reply the stimulus is owed, in seconds: past the
/// oracle's reply grace (1 s, `oracle::profile`), so that a target that
/// withheld the owed reply is not taken to have sent it late.
const AFTER_GRACE: &str = "1.02 ";

/// Whether the cell's probe waits past the reply grace ([`AFTER_GRACE`]):
/// the RFC owes one reply and no silence (a challenge ACK, the first check's
/// ACK, the ACK of text taken), and that reply is `<SEQ=SND.NXT><ACK=RCV.NXT>`
/// with the RCV.NXT the probe's answer shows, so the probe's answer would
/// pass for it (the oracle lets one ACK answer every ACK owed with its
/// numbers). Not where nothing else comes within the grace in any case: the
/// target's FIN still outstanding (its retransmission, at an RTO of 0.2 s on
/// Linux and 1 s on smoltcp, carries the same ACK) or SYN-RECEIVED (the
/// SYN-ACK's retransmission at its 1 s RTO, RFC 6298 §2.1, races the grace).
pub fn after_grace(cell: &Cell, e: &Expect) -> bool {
    let Some(tcb) = super::tcb(cell.state) else {
        return false;
    };
    if cell.state == State::SynReceived || e.replies.contains(&Reply::Nothing) {
        return false;
    }
    match e.posts[..] {
        [Post::Alive {
            rcv_nxt,
            fin_outstanding: false,
            state,
        }] if state != State::SynReceived => e.replies.contains(&Reply::Ack {
            seq: tcb.snd_nxt,
            ack: rcv_nxt,
        }),
        _ => false,
    }
}

/// The probe after the replies, and for a FIN the target still owes a
/// retransmission, the allowance for it.
fn probe(cell: &Cell, e: &Expect, body: &mut Vec<String>) {
    if e.posts.contains(&Post::Unprobed) {
        return;
    }
    match cell.state {
        State::SynSent => return,
        State::Closed => {
            body.push(format!(
                "+0.01  < . 0:0(0) ack {PROBE_ACK} win 65535   // dead probe"
            ));
            body.push(format!("+0~0.2 > R {PROBE_ACK}:{PROBE_ACK}(0)"));
            return;
        }
        State::Listen => {
            let listening = |p: &Post| {
                matches!(
                    p,
                    Post::Alive {
                        state: State::Listen,
                        ..
                    }
                )
            };
            if e.posts.iter().all(listening) {
                body.push(
                    "+0.01  < S 0:0(0) win 65535 <mss 1460>   // the listener answers".into(),
                );
                body.push("+0~0.2 > S. 0:0(0) ack 1 <...>".into());
                body.push("+0     state SYN-RECEIVED".into());
            }
            body.push(CLEAN_UP.replace("{rcv}", "1"));
            return;
        }
        _ => {}
    }
    let Some(tcb) = super::tcb(cell.state) else {
        return;
    };
    let rcv_min = e
        .posts
        .iter()
        .filter_map(|p| match p {
            Post::Alive { rcv_nxt, .. } => Some(*rcv_nxt),
            _ => None,
        })
        .min_by_key(|r| r.wrapping_sub(tcb.rcv_nxt) as i32)
        .unwrap_or(tcb.rcv_nxt);
    let p = rcv_min.wrapping_sub(1);
    // SEG.ACK = SND.UNA as the stimulus left it: where our FIN is still
    // outstanding that acknowledges nothing new, so a stack that reads the
    // ACK field of an old segment (Linux does, when it ends at RCV.NXT) is
    // not moved by the probe; elsewhere SND.UNA = SND.NXT. In SYN-RECEIVED
    // SND.UNA is the ISS, not acceptable there: the probe acknowledges the
    // SYN-ACK (SND.NXT).
    let fin_outstanding = e.posts.iter().any(|p| {
        matches!(
            p,
            Post::Alive {
                fin_outstanding: true,
                ..
            }
        )
    });
    let probe_ack = if cell.state == State::SynReceived || !fin_outstanding {
        tcb.snd_nxt
    } else {
        tcb.snd_una
    };
    if after_grace(cell, e) {
        body.push(format!(
            "+{AFTER_GRACE} < P. {p}:{}(1) ack {probe_ack} win 65535   // probe: one old octet, after the reply grace",
            p.wrapping_add(1),
        ));
    } else {
        body.push(format!(
            "+0.01  < P. {p}:{}(1) ack {probe_ack} win 65535   // probe: one old octet",
            p.wrapping_add(1),
        ));
    }
    let mut alts = Vec::new();
    for post in &e.posts {
        let l = match post {
            Post::Alive { rcv_nxt, .. } => {
                format!("+0~0.2 > . {n}:{n}(0) ack {rcv_nxt}", n = tcb.snd_nxt)
            }
            Post::Dead => format!("+0~0.2 > R {probe_ack}:{probe_ack}(0)"),
            Post::Unprobed => continue,
        };
        if !alts.contains(&vec![l.clone()]) {
            alts.push(vec![l]);
        }
    }
    alternatives(body, alts);
    let post_states = states(&e.posts);
    if post_states.len() == 1 {
        body.push(format!("+0     state {}", post_states[0]));
    }
    if let [Post::Alive {
        state: State::SynReceived,
        rcv_nxt,
        ..
    }] = e.posts[..]
    {
        body.push(CLEAN_UP.replace("{rcv}", &rcv_nxt.to_string()));
    }
    let mut fins: Vec<Vec<String>> = Vec::new();
    for post in &e.posts {
        if let Post::Alive {
            rcv_nxt,
            fin_outstanding: true,
            ..
        } = post
        {
            let l = vec![format!(
                "+0~0.6 > F. {u}:{u}(0) ack {rcv_nxt}   // the FIN again (RTO)",
                u = tcb.snd_una
            )];
            if !fins.contains(&l) {
                fins.push(l);
            }
        }
    }
    if !fins.is_empty() {
        for s in &post_states {
            fins.push(vec![format!("+0.6   state {s}")]);
        }
        alternatives(body, fins);
    }
}
