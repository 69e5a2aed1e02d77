//! A RST from the target right after the peer's RST, in a capture: a reply
//! to it (RFC 9293 §3.5.2: a RST is never sent in response to a RST), or
//! the application's own abort that crossed it in flight. A capture cannot
//! tell which; the timing narrows it:
//!
//! - sent within one round trip of the peer's RST (the RTT as the capture's
//!   handshake shows it: SYN to the ACK of the SYN-ACK, wherever the capture
//!   was taken; [`DEFAULT_WINDOW`] where there is no handshake), on a
//!   connection the target had synchronized: it may have crossed. A
//!   warning naming both explanations (`rst-for-rst` as a deviation),
//!   unless the user says the application neither aborted nor closed
//!   (`--app-idle`), as a `run` knows: then it answers the RST, a failure;
//! - sent later, or by a side that never had the connection synchronized
//!   (nothing sent but this RST, or only its SYN: SYN-SENT): it answers
//!   the RST, a MUST failure.
//!
//! The oracle may already have judged the segment `rst-for-rst` (it does
//! where it knows the application did not abort); its finding is replaced by
//! this one, so each target RST is reported once.

use super::event::Violation;
use crate::oracle::{Finding, RuleId};
use crate::wire::{Segment, SeqNumber};
use std::time::Duration;

/// The crossing window where the capture has no handshake to estimate the
/// RTT from.
pub const DEFAULT_WINDOW: Duration = Duration::from_millis(10);

/// One packet of a connection, as the judge holds it.
pub struct Seen<'a> {
    /// Session time (from the capture's first packet).
    pub at: Duration,
    /// The segment.
    pub seg: &'a Segment,
    /// Sent by the target (else by its peer).
    pub from_target: bool,
    /// Its index in the connection's transcript.
    pub entry: usize,
}

/// The round trip as the capture shows it: the SYN to the ACK of its SYN-ACK.
pub fn rtt(conn: &[Seen<'_>]) -> Option<Duration> {
    let syn = conn
        .iter()
        .position(|p| p.seg.flags.syn() && !p.seg.flags.ack())?;
    let syn_ack = syn
        + conn[syn..]
            .iter()
            .position(|p| p.seg.flags.syn() && p.seg.flags.ack())?;
    let from = conn[syn_ack].from_target;
    let ack = conn[syn_ack..].iter().find(|p| {
        p.from_target != from && p.seg.flags.ack() && !p.seg.flags.syn() && !p.seg.flags.rst()
    })?;
    ack.at.checked_sub(conn[syn].at)
}

/// Re-judges every target RST that follows a peer RST in `conn`, replacing
/// the oracle's `rst-for-rst` finding at that entry (if any) in `violations`.
pub fn judge(conn: &[Seen<'_>], app_idle: bool, violations: &mut Vec<Violation>) {
    let estimate = rtt(conn);
    let window = estimate.unwrap_or(DEFAULT_WINDOW);
    let how = match estimate {
        Some(r) => format!("the handshake's RTT, {}", ms(r)),
        None => format!("{}: no handshake to estimate the RTT from", ms(window)),
    };
    // The peer's last RST not yet followed by a segment of the peer, or
    // by a non-RST segment of the target sent past the window.
    let mut peer_rst: Option<(Duration, usize, u32)> = None;
    // Sequence numbers as the transcript shows them: relative to each
    // side's ISN (its SYN's, else its first sequence number).
    let isn = |target: bool| {
        let side = || conn.iter().filter(move |p| p.from_target == target);
        side()
            .find(|p| p.seg.flags.syn())
            .or_else(|| side().next())
            .map_or(0, |p| p.seg.seq.0)
    };
    let (target_isn, peer_isn) = (isn(true), isn(false));
    // The target had the connection synchronized: it sent more than a SYN.
    let mut synchronized = false;
    for p in conn {
        let f = p.seg.flags;
        if !p.from_target {
            peer_rst = f.rst().then_some((p.at, p.entry, p.seg.seq.0));
            continue;
        }
        if !f.rst() {
            if let Some((at, _, _)) = peer_rst {
                if p.at.saturating_sub(at) > window {
                    peer_rst = None;
                }
            }
            synchronized |= !f.syn() || f.ack();
            continue;
        }
        let Some((at, peer_entry, peer_seq)) = peer_rst.take() else {
            continue;
        };
        let after = p.at.saturating_sub(at);
        violations.retain(|v| !(v.rule == RuleId::RstForRst.name() && v.entry == Some(p.entry)));
        let head = format!(
            "RST (seq {}, segment {} at {:.3} s) sent {} after the peer's RST (seq {}, \
             segment {} at {:.3} s)",
            crate::oracle::tgt(p.seg.seq),
            p.entry + 1,
            p.at.as_secs_f64(),
            ms(after),
            crate::oracle::peer(peer_seq),
            peer_entry + 1,
            at.as_secs_f64()
        );
        let mut finding = Finding::new(RuleId::RstForRst, String::new());
        if !synchronized {
            finding.message = format!(
                "{head}, by a side that had no synchronized connection: it answers the RST"
            )
            .into();
        } else if after > window {
            finding.message =
                format!("{head}, later than one round trip ({how}): it answers the RST").into();
        } else if app_idle {
            finding.message = format!(
                "{head}, within one round trip ({how}), and the application neither aborted \
                 nor closed (--app-idle): it answers the RST"
            )
            .into();
        } else {
            finding.message = format!("{head}, within one round trip ({how})").into();
            finding.deviation = Some(
                "a capture cannot tell an application's abort whose RST crossed the peer's in \
                 flight (allowed) from a reply to the peer's RST (RFC 9293 §3.5.2 forbids it); \
                 judge with --app-idle if the application neither aborted nor closed"
                    .into(),
            );
        }
        let mut map = super::mapping::Mapping::new(SeqNumber(peer_isn));
        map.learn_target_isn(SeqNumber(target_isn), 0);
        violations.push(super::runner::violation(finding, Some(p.entry), &map));
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
