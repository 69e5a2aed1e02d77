//! Target profiles: which known, allowed differences turn a finding into a
//! labelled deviation, and the timer values a target of that kind uses.

use super::rules::RuleId;
use std::time::Duration;

/// How a synchronized connection treats an in-window RST or SYN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ResetPolicy {
    /// RFC 5961 (and RFC 9293 §3.10.7.4): challenge ACK unless the RST is exactly at RCV.NXT.
    Rfc5961,
    /// RFC 793: any in-window RST resets; an in-window SYN draws a RST.
    Rfc793,
}

/// A transition a stack of some kind takes besides RFC 9293's own: where it
/// applies, the oracle forks its model, one copy taking the RFC's
/// transition and one this, and the target's next segments decide between
/// them (see `branches.rs`). The RFC core knows nothing of the stack; the
/// profile declares what it may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Transition {
    /// CLOSE in SYN-RECEIVED with nothing written enters FIN-WAIT-1 with
    /// the FIN in the SYN's place: at ISS, sent at the SYN-ACK's
    /// retransmission timeout, the SYN-ACK not retransmitted, so an ACK of
    /// ISS+1 acknowledges that FIN (smoltcp 0.14, `close-fin-missing`; RFC
    /// 9293 §3.10.4 sends the FIN at ISS+1 and stays in SYN-RECEIVED until
    /// the SYN is acknowledged). The copy that took it is in FIN-WAIT-1
    /// with SND.UNA = ISS, SND.NXT = ISS+1 and its FIN at ISS.
    FinInSynsPlace,
}

/// A named set of allowed deviations and timer expectations.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Profile {
    /// The name `--profile` selects (`rfc9293`, `linux`, …).
    pub name: &'static str,
    /// One line on what the profile is for.
    pub description: &'static str,
    /// Rules this profile allows, each with a one-line reason.
    pub allowed: Vec<(RuleId, &'static str)>,
    /// The shortest retransmission timeout for data the profile accepts (RFC 6298: 1 s).
    pub min_rto: Duration,
    /// The first SYN-ACK retransmission timeout (RFC 6298 §2.1: 1 s).
    pub initial_rto: Duration,
    /// The TIME-WAIT length the profile accepts (RFC 9293: 2×MSL = 240 s).
    pub time_wait: Duration,
    /// How in-window RSTs and SYNs are treated in synchronized states.
    pub reset_policy: ResetPolicy,
    /// How long a reply the target owes (a RST, an ACK) may take before the
    /// oracle reports it missing.
    pub reply_grace: Duration,
    /// Relative slack on timer comparisons (clock granularity, scheduling).
    pub timer_tolerance: f64,
    /// Transitions the stack takes besides RFC 9293's (each a fork).
    pub transitions: Vec<Transition>,
}

/// RFC 6298's minimum and initial RTO.
pub const RFC_MIN_RTO: Duration = Duration::from_secs(1);
/// RFC 9293 §3.6.1: 2×MSL with MSL = 2 minutes.
pub const RFC_TIME_WAIT: Duration = Duration::from_secs(240);

impl Profile {
    /// RFC 9293 with RFC 5961, 7323 and 6298, strictly. The default.
    pub fn rfc9293() -> Profile {
        Profile {
            name: "rfc9293",
            description: "RFC 9293 with RFC 5961, 7323 and 6298, strictly (the default)",
            allowed: Vec::new(),
            min_rto: RFC_MIN_RTO,
            initial_rto: RFC_MIN_RTO,
            time_wait: RFC_TIME_WAIT,
            reset_policy: ResetPolicy::Rfc5961,
            reply_grace: Duration::from_secs(1),
            timer_tolerance: 0.05,
            transitions: Vec::new(),
        }
    }

    /// RFC 793 reset and SYN handling (no RFC 5961).
    pub fn rfc793() -> Profile {
        Profile {
            name: "rfc793",
            description:
                "legacy RFC 793 reset handling: in-window RST resets, in-window SYN draws RST",
            allowed: vec![
                (
                    RuleId::RstInWindowResets,
                    "RFC 793: any in-window RST resets the connection",
                ),
                (
                    RuleId::SynInWindowResets,
                    "RFC 793: an in-window SYN draws a RST",
                ),
                (
                    RuleId::ChallengeAckMissing,
                    "RFC 793 sends no challenge ACKs",
                ),
                (
                    RuleId::ChallengeAckNotSent,
                    "RFC 793 sends no challenge ACKs",
                ),
            ],
            reset_policy: ResetPolicy::Rfc793,
            ..Profile::rfc9293()
        }
    }

    /// The Linux kernel's documented behaviour.
    pub fn linux() -> Profile {
        Profile {
            name: "linux",
            description: "Linux: RTO min 200 ms, TIME-WAIT 60 s, challenge ACKs rate limited",
            allowed: vec![
                (RuleId::RtoTooShort, "Linux TCP_RTO_MIN is 200 ms"),
                (RuleId::TimeWaitTooShort, "Linux TCP_TIMEWAIT_LEN is 60 s"),
                (RuleId::ChallengeAckMissing, "Linux rate-limits challenge ACKs (tcp_challenge_ack_limit)"),
                (RuleId::ChallengeAckNotSent, "Linux rate-limits challenge ACKs (tcp_challenge_ack_limit)"),
                (RuleId::AckCheckedBeforeSeq, "Linux checks a SYN-RECEIVED request's ACK before its sequence number (tcp_check_req): <SEQ=SEG.ACK><CTL=RST>"),
                (RuleId::AckNotSent, "Linux rate-limits duplicate ACKs for out-of-window segments (tcp_invalid_ratelimit)"),
                (RuleId::RstAfterShutdownRead, "Linux resets a connection in FIN-WAIT-1/2 that receives new text after shutdown(SHUT_RD) (tcp_rcv_state_process, net/ipv4/tcp_input.c: \"RFC 1122 says we MUST send a reset\")"),
                (RuleId::CloseFinMissing, "Linux gives the application no socket before accept() returns it, after the handshake: a close() in SYN-RECEIVED is refused, so no FIN follows it"),
            ],
            min_rto: Duration::from_millis(200),
            time_wait: Duration::from_secs(60),
            ..Profile::rfc9293()
        }
    }

    /// smoltcp 0.14, as read from its code and tracker.
    pub fn smoltcp() -> Profile {
        Profile {
            name: "smoltcp",
            description: "smoltcp: TIME-WAIT 10 s, in-window RST resets, challenge ACKs limited to 1/s, no PAWS",
            allowed: vec![
                (RuleId::TimeWaitTooShort, "smoltcp's TIME-WAIT (CLOSE_DELAY) is 10 s"),
                (RuleId::ReceiverSwsWindowUpdate, "smoltcp has no receiver SWS avoidance: socket/tcp.rs window_to_update sends a window update whenever the window at least doubles (new_win / 2 >= last_win), so any read from a zero window announces it (a 100-octet read: win 100)"),
                (RuleId::ZeroWindowProbeEarly, "smoltcp probes a zero window at once when the application writes into it (socket/tcp.rs send_impl starts the probe timer at Instant::ZERO), not after a retransmission timeout"),
                (RuleId::RstClosedAckMissing, "smoltcp sets ACK on a closed port's RST only for SYNs (rst_reply): an ACK-less FIN or data segment gets <SEQ=0><CTL=RST>"),
                (RuleId::RstInWindowResets, "smoltcp resets on any in-window RST, not only at RCV.NXT"),
                (RuleId::ChallengeAckMissing, "smoltcp sends at most one challenge ACK per second and drops a bare SYN in synchronized states"),
                (RuleId::ChallengeAckNotSent, "smoltcp sends at most one challenge ACK per second and drops a bare SYN in synchronized states"),
                (RuleId::AckCheckedBeforeSeq, "smoltcp checks the ACK field before the sequence number in SYN-RECEIVED: <SEQ=SEG.ACK><CTL=RST>"),
                (RuleId::AckNotSent, "smoltcp rate-limits ACKs for unacceptable segments without data to 1/s"),
                (RuleId::OldAckDataDropped, "smoltcp drops segments whose ACK is below SND.UNA, with their data (smoltcp #12)"),
            ],
            min_rto: RFC_MIN_RTO,
            time_wait: Duration::from_secs(10),
            transitions: vec![Transition::FinInSynsPlace],
            ..Profile::rfc9293()
        }
    }

    /// Every built-in profile; the first is the default.
    pub fn all() -> Vec<Profile> {
        vec![
            Profile::rfc9293(),
            Profile::rfc793(),
            Profile::linux(),
            Profile::smoltcp(),
        ]
    }

    /// A built-in profile by name (case-insensitive). Builds only that one:
    /// a run looks its profile up per case.
    pub fn by_name(name: &str) -> Option<Profile> {
        let build: fn() -> Profile = match name.to_ascii_lowercase().as_str() {
            "rfc9293" => Profile::rfc9293,
            "rfc793" => Profile::rfc793,
            "linux" => Profile::linux,
            "smoltcp" => Profile::smoltcp,
            _ => return None,
        };
        Some(build())
    }

    /// Whether the stack may take `transition` where it applies.
    pub fn takes(&self, transition: Transition) -> bool {
        self.transitions.contains(&transition)
    }

    /// The reason this profile allows `rule`, if it does.
    pub fn allows(&self, rule: RuleId) -> Option<&'static str> {
        self.allowed
            .iter()
            .find(|(r, _)| *r == rule)
            .map(|(_, why)| *why)
    }
}

impl Default for Profile {
    fn default() -> Profile {
        Profile::rfc9293()
    }
}
