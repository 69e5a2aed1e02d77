//! Which side of a capture is the stack under test, when the user does not
//! say (`synack judge` without `--target-addr`).
//!
//! The target is the server: the side that listens. In order:
//!
//! 1. the side that received the first SYN (without ACK);
//! 2. else the side that sent the first SYN-ACK;
//! 3. else (a capture caught mid-way, or stray segments answered by RST)
//!    each conversation's server end is decided as Wireshark orders a
//!    conversation's ports: the endpoint that stays while the other's port
//!    changes (a listener talks to many ephemeral ports), else the
//!    well-known port (below 1024) against an ephemeral one, else the lower
//!    port. The address that is the server end of the most conversations is
//!    the target.
//!
//! [`Side::why`] says which of these decided, for the output.

use crate::wire::Segment;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};

/// The side judged, and why it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// The target's address.
    pub addr: IpAddr,
    /// The ports it listens on, as inferred (rule 3 only; with a SYN the
    /// judge learns them from the SYN-ACKs).
    pub listening: BTreeSet<u16>,
    /// One line for the user: which rule chose it.
    pub why: String,
}

/// Why one conversation's server end was chosen (rule 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    Stays,
    WellKnown,
    Lower,
}

/// The target side of `segs` (capture order), or `None` for no TCP at all.
pub fn infer(segs: &[&Segment]) -> Option<Side> {
    let ep = |s: &Segment| {
        (
            SocketAddr::new(s.ip.src(), s.src_port),
            SocketAddr::new(s.ip.dst(), s.dst_port),
        )
    };
    if let Some(s) = segs.iter().find(|s| s.flags.syn() && !s.flags.ack()) {
        let (src, dst) = ep(s);
        return Some(Side {
            addr: dst.ip(),
            listening: BTreeSet::new(),
            why: format!(
                "it received the first SYN (from {src} to port {})",
                dst.port()
            ),
        });
    }
    if let Some(s) = segs.iter().find(|s| s.flags.syn() && s.flags.ack()) {
        let (src, _) = ep(s);
        return Some(Side {
            addr: src.ip(),
            listening: BTreeSet::new(),
            why: format!(
                "no SYN in the capture; it sent the first SYN-ACK (from port {})",
                src.port()
            ),
        });
    }
    // Conversations (unordered endpoint pairs), in order of first segment.
    let mut convs: Vec<(SocketAddr, SocketAddr)> = Vec::new();
    for s in segs {
        let (a, b) = ep(s);
        let key = if a <= b { (a, b) } else { (b, a) };
        if !convs.contains(&key) {
            convs.push(key);
        }
    }
    if convs.is_empty() {
        return None;
    }
    // How many distinct peers each endpoint talks to.
    let mut peers: BTreeMap<SocketAddr, BTreeSet<SocketAddr>> = BTreeMap::new();
    for &(a, b) in &convs {
        peers.entry(a).or_default().insert(b);
        peers.entry(b).or_default().insert(a);
    }
    let fanout = |e: SocketAddr| peers.get(&e).map_or(0, BTreeSet::len);
    let server_end = |(a, b): (SocketAddr, SocketAddr)| -> (SocketAddr, Reason) {
        let (fa, fb) = (fanout(a), fanout(b));
        if fa > 1 && fb == 1 {
            return (a, Reason::Stays);
        }
        if fb > 1 && fa == 1 {
            return (b, Reason::Stays);
        }
        let well_known = |p: u16| p < 1024;
        match (well_known(a.port()), well_known(b.port())) {
            (true, false) => (a, Reason::WellKnown),
            (false, true) => (b, Reason::WellKnown),
            _ if a.port() <= b.port() => (a, Reason::Lower),
            _ => (b, Reason::Lower),
        }
    };
    // Votes per address, keeping the first-seen order for ties.
    let mut votes: Vec<(IpAddr, usize, BTreeSet<u16>, Reason)> = Vec::new();
    for &c in &convs {
        let (end, reason) = server_end(c);
        match votes.iter_mut().find(|v| v.0 == end.ip()) {
            Some(v) => {
                v.1 += 1;
                v.2.insert(end.port());
                v.3 = v.3.min(reason);
            }
            None => votes.push((end.ip(), 1, BTreeSet::from([end.port()]), reason)),
        }
    }
    let best = votes.iter().map(|v| v.1).max().unwrap_or(0);
    let (addr, n, listening, reason) = votes.into_iter().find(|v| v.1 == best)?;
    let list: Vec<String> = listening.iter().map(u16::to_string).collect();
    let (ports, one) = (list.join(", "), list.len() == 1);
    let because = match (reason, one) {
        (Reason::Stays, true) => format!("its port {ports} stays while the peer's port changes"),
        (Reason::Stays, false) => format!("its ports {ports} stay while the peers' ports change"),
        (Reason::WellKnown, true) => {
            format!("port {ports} is well-known (below 1024), the peer's is not")
        }
        (Reason::WellKnown, false) => {
            format!("ports {ports} are well-known (below 1024), the peers' are not")
        }
        (Reason::Lower, _) => format!("port {ports}: the lower port of each conversation"),
    };
    Some(Side {
        addr,
        listening,
        why: format!(
            "no SYN in the capture; the listening side of {n} of {} conversations: {because}",
            convs.len()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IpEnvelope, SeqNumber, TcpFlags};
    use std::net::Ipv4Addr;

    const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    const B: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);

    fn seg(src: (Ipv4Addr, u16), dst: (Ipv4Addr, u16), flags: TcpFlags) -> Segment {
        Segment {
            seq: SeqNumber(1),
            ack: SeqNumber(1),
            ..Segment::new(IpEnvelope::v4(src.0, dst.0), src.1, dst.1, flags)
        }
    }

    fn side(segs: &[Segment]) -> Side {
        let refs: Vec<&Segment> = segs.iter().collect();
        infer(&refs).expect("a side")
    }

    #[test]
    fn the_receiver_of_the_first_syn_is_the_target() {
        let s = side(&[
            seg((B, 80), (A, 40000), TcpFlags::ACK),
            seg((B, 5000), (A, 6000), TcpFlags::SYN),
        ]);
        assert_eq!(s.addr, IpAddr::V4(A));
        assert_eq!(
            s.why,
            "it received the first SYN (from 198.51.100.7:5000 to port 6000)"
        );
    }

    #[test]
    fn a_well_known_port_is_the_server_without_a_syn() {
        let s = side(&[
            seg((B, 40000), (A, 80), TcpFlags::ACK),
            seg((A, 80), (B, 40000), TcpFlags::RST),
        ]);
        assert_eq!(s.addr, IpAddr::V4(A));
        assert_eq!(s.listening, BTreeSet::from([80]));
        assert!(s.why.contains("port 80 is well-known"), "{}", s.why);
    }

    #[test]
    fn the_port_that_stays_beats_the_lower_port() {
        // 8080 on A talks to two ports of B; B's 3000 is lower but changes.
        let s = side(&[
            seg((B, 3000), (A, 8080), TcpFlags::ACK),
            seg((B, 3001), (A, 8080), TcpFlags::ACK),
        ]);
        assert_eq!(s.addr, IpAddr::V4(A));
        assert!(
            s.why.ends_with(
                "2 of 2 conversations: its port 8080 stays while the peer's port changes"
            ),
            "{}",
            s.why
        );
    }

    #[test]
    fn else_the_lower_port() {
        let s = side(&[seg((A, 50000), (B, 40000), TcpFlags::ACK)]);
        assert_eq!(s.addr, IpAddr::V4(B));
        assert!(
            s.why
                .contains("port 40000: the lower port of each conversation"),
            "{}",
            s.why
        );
    }
}
