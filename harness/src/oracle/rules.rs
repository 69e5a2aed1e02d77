//! The rules the oracle checks, as a flat enum with one table of metadata
//! (RFC section, requirement id, level, a summary and an example), and the
//! [`Finding`] value the oracle returns when a target breaks one.
//!
//! Requirement ids are RFC 9293 Appendix B ids (`MUST-n`, `SHLD-n`, `MAY-n`)
//! where the RFC text tags the sentence with one; otherwise the field names the
//! companion RFC's section (RFC 5961, 7323, 2018, 6298), or is empty when the
//! RFC 9293 sentence carries no id (event-processing text, lower-case "must"):
//! then the section alone locates it, and the variant's doc says so.

use std::fmt;
use std::str::FromStr;

/// How binding a rule is (RFC 2119 keyword of the requirement).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Level {
    /// A MUST / MUST NOT: a violation fails the case.
    Must,
    /// A SHOULD / SHOULD NOT: a violation is a warning.
    Should,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        })
    }
}

/// Static description of one rule, for `synack explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule this describes.
    pub id: RuleId,
    /// Stable kebab-case name (`rst-for-rst`).
    pub name: &'static str,
    /// MUST or SHOULD, as the RFC words the requirement.
    pub level: Level,
    /// `RFC 9293 §3.10.7.1`.
    pub section: &'static str,
    /// `MUST-2`, `RFC 5961 §3.2`, or empty when only the section applies.
    pub requirement: &'static str,
    /// One line: what the rule requires.
    pub summary: &'static str,
    /// A violating exchange in the case language (`<` to the target, `>` from it).
    pub example: &'static str,
}

macro_rules! rules {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, $level:ident, $section:literal, $req:literal,
            $summary:literal, $example:literal;
    )*) => {
        /// Every rule the oracle checks. Each variant's doc cites its RFC
        /// section and requirement; [`RuleId::name`] is the stable name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum RuleId {
            $( $(#[doc = $doc])* $variant, )*
        }

        static RULES: &[RuleInfo] = &[
            $( RuleInfo {
                id: RuleId::$variant,
                name: $name,
                level: Level::$level,
                section: $section,
                requirement: $req,
                summary: $summary,
                example: $example,
            }, )*
        ];
    };
}

rules! {
    // ---- Handshake (RFC 9293 §3.5, §3.10.7.2) ----
    /// RFC 9293 §3.10.7.2: the SYN-ACK is `<SEQ=ISS><ACK=RCV.NXT>`, RCV.NXT = SEG.SEQ+1 of the SYN.
    /// No Appendix B id: the LISTEN processing text carries none.
    SynAckAcksIsn = "syn-ack-acks-isn", Must, "RFC 9293 §3.10.7.2", "",
        "The SYN-ACK acknowledges the peer's ISN+1.",
        "< S 0:0(0) win 65535\n> S. 0:0(0) ack 5 win 65535   // ack must be 1";
    /// RFC 9293 §3.10.7.1, §3.5: a SYN-ACK only answers a SYN. No Appendix B id.
    SynAckWithoutSyn = "syn-ack-without-syn", Must, "RFC 9293 §3.5", "",
        "A SYN-ACK is sent only in reply to a SYN.",
        "< . 1:1(0) ack 1 win 65535   // to a closed port\n> S. 0:0(0) ack 1";
    /// RFC 9293 §3.9.2.3: "A TCP implementation MUST silently discard an incoming SYN segment
    /// that is addressed to a broadcast or multicast address" (MUST-57; "applicable to all
    /// incoming segments"), and one with an invalid source address (MUST-63, RFC 1122
    /// §3.2.1.3): the target sends nothing to or from such an address (see `addresses.rs`).
    NonUnicastReply = "non-unicast-reply", Must, "RFC 9293 §3.9.2.3", "MUST-57",
        "A segment from or to a broadcast or multicast address is discarded: nothing answers it.",
        "< [src 224.0.0.1] S 0:0(0) win 65535\n> S. 0:0(0) ack 1   // to 224.0.0.1";
    /// RFC 9293 §3.10.7.4: the first check (sequence number) comes before the fifth (ACK): in
    /// SYN-RECEIVED an unacceptable segment with a bad ACK draws <SEQ=SND.NXT><ACK=RCV.NXT>,
    /// not <SEQ=SEG.ACK><CTL=RST> (`seq_first.rs`). No Appendix B id.
    AckCheckedBeforeSeq = "ack-checked-before-seq", Must, "RFC 9293 §3.10.7.4", "",
        "In SYN-RECEIVED an unacceptable segment draws an ACK, even when its ACK field is bad too (no RST).",
        "< . 1000:1000(0) ack 5 win 65535   // SYN-RECEIVED, far out of window\n> R 5:5(0) win 0";
    /// RFC 9293 §3.10.2 (SEND in SYN-RECEIVED: queue the data until ESTABLISHED).
    /// No Appendix B id: the event-processing text carries none.
    DataBeforeEstablished = "data-before-established", Must, "RFC 9293 §3.10.2", "",
        "No payload before the connection is synchronized (not on the SYN-ACK, not in SYN-RECEIVED).",
        "< S 0:0(0) win 65535\n> S. 0:10(10) ack 1   // payload on the SYN-ACK";
    /// RFC 9293 §3.10.7.3: once SYN-SENT takes the SYN-ACK, the target sends
    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`: it acknowledges the peer's ISN + 1, from ISS + 1.
    /// No Appendix B id: the event-processing text carries none.
    HandshakeAckNumbers = "handshake-ack-numbers", Must, "RFC 9293 §3.10.7.3", "",
        "The ACK that completes the target's active open is <SEQ=ISS+1><ACK=the peer's ISN+1>.",
        "> S 0:0(0) <mss 1460>\n< S. 0:0(0) ack 1 win 65535 <mss 1460>\n> . 1:1(0) ack 0   // ack must be 1";
    /// RFC 9293 §3.10.7.3 (first check): in SYN-SENT an ACK with SEG.ACK =< ISS or
    /// SEG.ACK > SND.NXT draws `<SEQ=SEG.ACK><CTL=RST>` (unless it is a RST). No Appendix B id.
    RstSynSentNumbers = "rst-syn-sent-numbers", Must, "RFC 9293 §3.10.7.3", "",
        "An unacceptable ACK in SYN-SENT draws <SEQ=SEG.ACK><CTL=RST>.",
        "> S 0:0(0) <mss 1460>\n< S. 0:0(0) ack 5 win 65535\n> R 0:0(0)   // seq must be 5";
    /// RFC 9293 §3.10.7.3 (SYN-SENT sends nothing until a SYN arrives: its SYN, and the RST an
    /// unacceptable ACK draws; "If neither of the SYN or RST bits is set, then drop the segment
    /// and return"). No Appendix B id.
    SegmentInSynSent = "segment-in-syn-sent", Must, "RFC 9293 §3.10.7.3", "",
        "In SYN-SENT the target sends only its SYN (at its ISS) and owed RSTs: no ACK, no data.",
        "> S 0:0(0) <mss 1460>\n< S. 0:0(0) ack 5 win 65535   // unacceptable ACK\n> . 1:1(0) ack 1   // must be R 5:5(0)";
    /// RFC 9293 §3.2 / §3.7.1, MUST-65: the MSS option "MUST NOT be sent in other segments".
    MssOnNonSyn = "mss-on-non-syn", Must, "RFC 9293 §3.2", "MUST-65",
        "The MSS option appears only in segments with SYN set.",
        "> . 1:1(0) ack 1 <mss 1460>";
    /// RFC 9293 §3.7.1, MUST-15 and MUST-16: without an MSS option from the peer the send MSS
    /// is 536 / 1220 (MUST-15); segments never exceed the effective send MSS (MUST-16).
    SegmentExceedsMss = "segment-exceeds-mss", Must, "RFC 9293 §3.7.1", "MUST-15, MUST-16",
        "Payload never exceeds the effective send MSS: the peer's MSS (536 for IPv4 / 1220 for IPv6 when it sent none) less the segment's TCP options (§3.7.1).",
        "< S 0:0(0) <mss 500>\n...\n> P. 1:1001(1000) ack 1";
    /// RFC 9293 §3.7.1, SHLD-5: an MSS option SHOULD be in every SYN when the receive MSS
    /// differs from the default 536 / 1220 (MAY-3: it may always be sent).
    MssMissing = "mss-missing", Should, "RFC 9293 §3.7.1", "SHLD-5",
        "The SYN-ACK (and the target's own SYN) carries an MSS option.",
        "< S 0:0(0) <mss 1460>\n> S. 0:0(0) ack 1 win 65535   // no <mss>";
    /// RFC 9293 §3.10.7.2 / §3.4 (and §3.10.8: a retransmission resends the queued segment):
    /// a SYN-ACK retransmission keeps the ISS. No Appendix B id.
    IssChanged = "iss-changed", Must, "RFC 9293 §3.4", "",
        "A retransmitted SYN-ACK for the same SYN keeps the same ISS.",
        "> S. 1000:1000(0) ack 1\n> S. 7777:7777(0) ack 1";
    // ---- Reset generation (RFC 9293 §3.5.2, §3.10.7.1–2) ----
    /// RFC 9293 §3.10.7.1: CLOSED: ACK-bearing → `<SEQ=SEG.ACK><CTL=RST>`, else
    /// `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` (also §3.5.2 group 1). No Appendix B id.
    RstClosedNumbers = "rst-closed-numbers", Must, "RFC 9293 §3.10.7.1", "",
        "The RST for a segment to a closed port or unknown connection carries exactly the §3.10.7.1 numbers.",
        "< S 0:0(0) win 65535   // closed port\n> R. 0:0(0) ack 0   // ack must be 1";
    /// RFC 9293 §3.10.7.1: CLOSED, a segment without the ACK bit draws
    /// `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`; a RST with the right SEQ but no ACK
    /// cannot be tied to the segment it answers (§3.5.2). The one wrong-number case split
    /// out of `rst-closed-numbers`, so a profile can name it. No Appendix B id.
    RstClosedAckMissing = "rst-closed-ack-missing", Must, "RFC 9293 §3.10.7.1", "",
        "The RST for an ACK-less segment to a closed port carries ACK=SEG.SEQ+SEG.LEN.",
        "< F 0:0(0) win 0   // closed port\n> R 0:0(0)   // must be R. 0:0(0) ack 1";
    /// RFC 9293 §3.10.7.2: an ACK-bearing segment to LISTEN draws `<SEQ=SEG.ACK><CTL=RST>`.
    /// No Appendix B id.
    RstListenNumbers = "rst-listen-numbers", Must, "RFC 9293 §3.10.7.2", "",
        "An ACK to a LISTEN port draws <SEQ=SEG.ACK><CTL=RST>.",
        "< . 1:1(0) ack 1000\n> R 0:0(0)   // seq must be 1000";
    /// RFC 9293 §3.10.7.1 / §3.10.7.2 / §3.5.2: a segment that is not for any connection draws a RST.
    /// No Appendix B id.
    RstNotSent = "rst-not-sent", Must, "RFC 9293 §3.10.7.1", "",
        "Every segment (except a RST) to a closed port, unknown connection or, ACK-bearing, to LISTEN draws a RST; so does an unacceptable ACK in SYN-SENT (§3.10.7.3).",
        "< . 1:1(0) ack 1 win 65535   // closed port\n// no reply within the grace time";
    /// RFC 9293 §3.10.7.1 / §3.10.7.4 / §3.5.2 (and §4, RST: "In no case does receipt of a
    /// segment containing RST give rise to a RST in response"). No Appendix B id.
    RstForRst = "rst-for-rst", Must, "RFC 9293 §3.5.2", "",
        "A RST is never sent in reply to a RST.",
        "< R 1:1(0) win 0\n> R 0:0(0)";
    /// RFC 9293 §3.10.7.1 / §3.10.7.2: a RST to a closed port or to LISTEN is discarded: no reply at all.
    /// No Appendix B id.
    ReplyToRst = "reply-to-rst", Must, "RFC 9293 §3.10.7.1", "",
        "A RST to a closed port or to LISTEN draws no reply at all.",
        "< R 1:1(0) win 0   // closed port\n> . 0:0(0) ack 1";
    /// RFC 9293 §3.3.2 (CLOSED is no connection state): nothing but RSTs on a connection that does not exist.
    /// No Appendix B id.
    SegmentOnClosedConnection = "segment-on-closed-connection", Must, "RFC 9293 §3.3.2", "",
        "No segment other than a RST on a connection that does not exist (never opened, reset or closed).",
        "> R. 1:1(0) ack 1\n> P. 1:11(10) ack 1   // after its own reset";
    // ---- Synchronized states (RFC 9293 §3.10.7.4) ----
    /// RFC 9293 §3.1 (Acknowledgment Number: once a connection is established this is always sent;
    /// also §3.8). No Appendix B id: both sentences are lower-case.
    AckBitMissing = "ack-bit-missing", Must, "RFC 9293 §3.1", "",
        "Every non-RST segment after the SYN-ACK carries the ACK bit.",
        "> P 1:11(10) win 65535   // no ACK bit in ESTABLISHED";
    /// RFC 9293 §3.10.7.4 (first check; §3.5.2 group 3): the ACK for an unacceptable segment is
    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`. No Appendix B id.
    UnacceptableAckNumbers = "unacceptable-ack-numbers", Must, "RFC 9293 §3.10.7.4", "",
        "The ACK answering an unacceptable segment is <SEQ=SND.NXT><ACK=RCV.NXT>.",
        "< . 100000:100010(10) ack 1   // out of window\n> . 1:1(0) ack 77";
    /// RFC 9293 §3.10.7.4 (first check: an acknowledgment should be sent in reply). No Appendix B id.
    AckNotSent = "ack-not-sent", Should, "RFC 9293 §3.10.7.4", "",
        "An unacceptable segment (not a RST) draws an ACK.",
        "< . 100000:100010(10) ack 1   // out of window\n// no reply";
    /// RFC 9293 §3.8.6.3, MUST-40: the ACK delay "MUST be less than 0.5 seconds".
    AckDelayedTooLong = "ack-delayed-too-long", Must, "RFC 9293 §3.8.6.3", "MUST-40",
        "In-order data or FIN is acknowledged within 0.5 s.",
        "< P. 1:11(10) ack 1\n+0.8 > . 1:1(0) ack 11";
    /// RFC 9293 §3.10.7.4 (fifth check: a duplicate ACK "can be ignored"; the
    /// segment's text is still processed): data is not dropped for an old ACK. MAY-12 (RFC 5961
    /// §5.2 data-injection check): even with it, SEG.ACK >= SND.UNA-MAX.SND.WND is acceptable.
    OldAckDataDropped = "old-ack-data-dropped", Should, "RFC 9293 §3.10.7.4", "MAY-12",
        "Data carried by a segment whose ACK is below SND.UNA (but within MAX.SND.WND) is accepted and acknowledged.",
        "> P. 1:6(5) ack 1\n< . 1:1(0) ack 6\n< P. 1:11(10) ack 1   // old ack\n// never acknowledged";
    /// RFC 9293 §3.3.1 / §3.4: the ACK field never acknowledges octets the peer has not sent.
    /// No Appendix B id.
    AckOfUnsentData = "ack-of-unsent-data", Must, "RFC 9293 §3.4", "",
        "SEG.ACK never exceeds the peer's SND.NXT (what the harness has sent).",
        "< P. 1:11(10) ack 1\n> . 1:1(0) ack 20";
    /// RFC 9293 §3.10.7.4 (seventh check, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "Ignore the
    /// segment text"; eighth: the FIN advances RCV.NXT past itself and nothing follows it): the ACK
    /// field never passes the peer's FIN. No Appendix B id.
    AckPastFin = "ack-past-fin", Must, "RFC 9293 §3.10.7.4", "",
        "Text the peer sends after its FIN is ignored: the ACK field never passes the FIN.",
        "< F. 1:1(0) ack 1\n> . 1:1(0) ack 2\n< P. 2:12(10) ack 1\n> . 1:1(0) ack 12   // must stay 2";
    /// RFC 9293 §3.3.1: RCV.NXT never moves back, so neither does the ACK field. No Appendix B id.
    AckWentBackwards = "ack-went-backwards", Must, "RFC 9293 §3.3.1", "",
        "The ACK number never decreases on a connection.",
        "> . 1:1(0) ack 11\n> . 1:1(0) ack 5";
    /// RFC 9293 §3.3.1: new data starts at SND.NXT; a segment never leaves a hole. No Appendix B id.
    SeqGap = "seq-gap", Must, "RFC 9293 §3.3.1", "",
        "New data continues at SND.NXT; no gap in the sequence space.",
        "> P. 1:11(10) ack 1\n> P. 20:30(10) ack 1   // 11..20 never sent";
    /// RFC 9293 §3.3.1, §3.10.2: every segment's sequence number lies in the space the target
    /// has used, ISS to SND.NXT (a new segment at SND.NXT, a retransmission from SND.UNA, a
    /// keep-alive at SND.UNA − 1). One below ISS is no number this connection ever sent. No
    /// Appendix B id: the event-processing text carries none.
    SeqBeforeIss = "seq-before-iss", Must, "RFC 9293 §3.3.1", "",
        "A segment's sequence number lies between ISS and SND.NXT; none precedes ISS.",
        "> S. 0:0(0) ack 1\n< . 1:1(0) ack 1\n> . 3221225473:3221225473(0) ack 1   // 2^30 below SND.NXT 1";
    /// RFC 9293 §3.3.1 / RFC 6298 §5.4: a retransmission starts at or after SND.UNA (what the peer
    /// has not acknowledged). No Appendix B id (SHLD-16 is about a shrunk window, not this).
    RetransmitBelowSndUna = "retransmit-below-snd-una", Should, "RFC 9293 §3.3.1", "",
        "Retransmissions stay within [SND.UNA, SND.NXT); acknowledged data is not resent (keep-alives excepted).",
        "< . 1:1(0) ack 11\n> P. 1:11(10) ack 1";
    /// RFC 9293 §3.8.6 / §3.10.7.4: no data beyond SND.UNA+SND.WND (a 1-octet zero-window probe
    /// excepted, §3.8.6.1). No Appendix B id for the general rule: SHLD-15 (no new data when the
    /// window shrinks) and MAY-7 (old data beyond the edge may be retransmitted) cover only shrinking.
    DataBeyondWindow = "data-beyond-window", Must, "RFC 9293 §3.8.6", "",
        "Data stays inside the peer's advertised window (scaled per RFC 7323); 1-byte zero-window probes excepted.",
        "< . 1:1(0) ack 1 win 5\n> P. 1:11(10) ack 1";
    // ---- FIN ordering (RFC 9293 §3.6, §3.10.4) ----
    /// RFC 9293 §3.10.4 (CLOSE: the FIN follows all queued data; no SEND after CLOSE): no new data
    /// after the FIN. No Appendix B id.
    DataAfterFin = "data-after-fin", Must, "RFC 9293 §3.10.4", "",
        "No data at or beyond the FIN's sequence number; the FIN is the last octet.",
        "> F. 11:11(0) ack 1\n> P. 12:22(10) ack 1";
    /// RFC 9293 §3.6: the FIN occupies one fixed sequence number; retransmissions keep it.
    /// No Appendix B id.
    FinMoved = "fin-moved", Must, "RFC 9293 §3.6", "",
        "A retransmitted FIN sits at the same sequence number as the first one.",
        "> F. 11:11(0) ack 1\n> F. 15:15(0) ack 1";
    /// RFC 9293 §3.10.4, CLOSE call: the FIN follows everything sent, so it never sits at ISS (the
    /// SYN's sequence number); in SYN-RECEIVED STATE, "If no SENDs have been issued and there is no
    /// pending data to send, then form a FIN segment and send it, and enter FIN-WAIT-1 state", so
    /// that FIN, `<SEQ=ISS+1><CTL=FIN,ACK>`, comes within the reply grace. smoltcp 0.14 holds it
    /// and later sends it at ISS, in the SYN's place. The timer applies after a close in
    /// SYN-RECEIVED with no write before it. No Appendix B id.
    CloseFinMissing = "close-fin-missing", Must, "RFC 9293 §3.10.4", "",
        "After CLOSE the FIN follows the SYN and all data (never at ISS); in SYN-RECEIVED with nothing to send, at once.",
        "< S 0:0(0) win 65535\n> S. 0:0(0) ack 1\nclose(4) = 0\n> F. 0:0(0) ack 1   // at ISS: the FIN belongs at 1";
    // ---- RFC 5961 ----
    /// RFC 5961 §3.2 (and RFC 9293 §3.10.7.4 RST check): an in-window RST not at RCV.NXT draws a challenge ACK, not a reset.
    RstInWindowResets = "rst-in-window-resets", Must, "RFC 9293 §3.10.7.4", "RFC 5961 §3.2",
        "An in-window RST whose SEQ is not RCV.NXT does not reset the connection (challenge ACK instead).",
        "< R 5:5(0) win 0   // RCV.NXT is 1\n< P. 1:11(10) ack 1\n> R 1:1(0)   // the RST had reset it";
    /// RFC 5961 §4.2 (RFC 9293 §3.10.7.4 fourth check): a SYN in a synchronized state draws a challenge ACK, not a reset.
    SynInWindowResets = "syn-in-window-resets", Must, "RFC 9293 §3.10.7.4", "RFC 5961 §4.2",
        "A SYN in a synchronized state draws a challenge ACK and leaves the connection alone.",
        "< S 5:5(0) win 65535   // ESTABLISHED\n> R 1:1(0)";
    /// RFC 5961 §3.2 / §4.2: the challenge ACK is `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`.
    ChallengeAckNumbers = "challenge-ack-numbers", Must, "RFC 9293 §3.10.7.4", "RFC 5961 §3.2",
        "The challenge ACK carries <SEQ=SND.NXT><ACK=RCV.NXT>.",
        "< R 5:5(0) win 0\n> . 1:1(0) ack 5   // ack must be RCV.NXT = 1";
    /// RFC 5961 §3.2 / §4.2 ("TCP MUST send an ACK"): a challenge ACK owed while no other is
    /// pending on the connection, whose absence no throttle (§7) explains (`challenge.rs`).
    ChallengeAckNotSent = "challenge-ack-not-sent", Must, "RFC 9293 §3.10.7.4", "RFC 5961 §3.2",
        "The first challenge ACK of a burst (none other pending) is sent: an in-window RST not at RCV.NXT, or a SYN in a synchronized state.",
        "< S 5:5(0) win 65535   // ESTABLISHED\n// no reply";
    /// RFC 5961 §3.2 / §4.2: challenge ACKs may be rate limited (§7), so a missing one within a
    /// burst (another still pending) is a warning.
    ChallengeAckMissing = "challenge-ack-missing", Should, "RFC 9293 §3.10.7.4", "RFC 5961 §3.2",
        "An in-window RST not at RCV.NXT, or a SYN in a synchronized state, draws a challenge ACK.",
        "< R 5:5(0) win 0\n// no reply";
    /// RFC 9293 §3.10.7.4 (RST check, exact match) / RFC 5961 §3.2: a RST at RCV.NXT resets the connection.
    RstAtRcvNxtIgnored = "rst-at-rcv-nxt-ignored", Must, "RFC 9293 §3.10.7.4", "RFC 5961 §3.2",
        "After a RST with SEQ = RCV.NXT the connection is gone: nothing but RSTs follow.",
        "< R 1:1(0) win 0\n< P. 1:11(10) ack 1\n> . 1:1(0) ack 11";
    /// RFC 9293 §3.10.7.4: the fifth check (ACK) comes before the eighth (FIN). LAST-ACK STATE:
    /// "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and return",
    /// whatever else the segment carries. smoltcp 0.14 drops an acceptable FIN segment in
    /// LAST-ACK before using its ACK. No Appendix B id.
    FinSegmentAckIgnored = "fin-segment-ack-ignored", Must, "RFC 9293 §3.10.7.4", "",
        "In LAST-ACK, a segment acknowledging the target's FIN closes the connection even when it also carries a FIN.",
        "> F. 1:1(0) ack 2   // LAST-ACK\n< F. 2:2(0) ack 2\n+1 > F. 1:1(0) ack 2   // still LAST-ACK";
    /// RFC 9293 §3.3.1: SEG.LEN counts the FIN, so a segment whose data is all old but whose FIN
    /// sits at RCV.NXT passes the §3.10.7.4 acceptability test ("If a segment's contents straddle
    /// the boundary between old and new, only the new parts are processed"), and the eighth check
    /// takes the FIN: it is acknowledged within 0.5 s (MUST-40). smoltcp 0.14 measures the segment
    /// by its payload only and drops it, FIN and all. No Appendix B id.
    FinOnOldDataIgnored = "fin-on-old-data-ignored", Must, "RFC 9293 §3.3.1", "",
        "A FIN at RCV.NXT on a segment whose data is all old is taken and acknowledged.",
        "< P. 1:11(10) ack 1\n> . 1:1(0) ack 11\n< FP. 1:11(10) ack 1\n> . 1:1(0) ack 11   // must be 12";
    /// RFC 9293 §3.10.7.4 second check (RFC 5961 §3.2): a RST with SEQ = RCV.NXT resets the
    /// connection. The check reads SEG.SEQ alone, and a closed receive window does not exempt
    /// it ("special allowance should be made to accept valid ACKs, URGs, and RSTs"; §3.8.6.1,
    /// MUST-66). smoltcp 0.14 tests a segment with text against its window first and drops
    /// such a RST while its window is zero (`rst-at-rcv-nxt-ignored` for any other RST).
    RstWithTextInZeroWindowIgnored = "rst-with-text-in-zero-window-ignored", Must, "RFC 9293 §3.10.7.4", "MUST-66",
        "A RST at RCV.NXT resets the connection even when it carries text and the receive window is zero.",
        "> . 1:1(0) ack 8193 win 0\n< R. 8193:8203(10) ack 1\n< . 8193:8193(0) ack 1\n> . 1:1(0) ack 8193   // must be R 1:1(0)";
    // ---- RFC 7323 ----
    /// RFC 7323 §2.2: the Window Scale option is sent only in SYN segments.
    WscaleOnNonSyn = "wscale-on-non-syn", Must, "RFC 7323 §2.2", "RFC 7323 §2.2",
        "The Window Scale option appears only in SYN segments.",
        "> . 1:1(0) ack 1 <wscale 7>";
    /// RFC 7323 §2.2: WS in a SYN-ACK only if the SYN carried WS.
    WscaleWithoutOffer = "wscale-without-offer", Must, "RFC 7323 §2.2", "RFC 7323 §2.2",
        "The SYN-ACK carries Window Scale only when the SYN did.",
        "< S 0:0(0) <mss 1460>\n> S. 0:0(0) ack 1 <mss 1460,wscale 7>";
    /// RFC 7323 §2.3: the shift count is at most 14.
    WscaleTooLarge = "wscale-too-large", Should, "RFC 7323 §2.3", "RFC 7323 §2.3",
        "The announced window-scale shift is at most 14.",
        "> S. 0:0(0) ack 1 <wscale 15>";
    /// RFC 7323 §3.2: TSopt in a SYN-ACK only if the SYN carried TSopt.
    TimestampsWithoutOffer = "timestamps-without-offer", Must, "RFC 7323 §3.2", "RFC 7323 §3.2",
        "The SYN-ACK carries TSopt only when the SYN did.",
        "< S 0:0(0) <mss 1460>\n> S. 0:0(0) ack 1 <TS val 5 ecr 0>";
    /// RFC 7323 §3.2: "The TSecr field is valid if the ACK bit is set in the TCP header. If the
    /// ACK bit is not set in the outgoing TCP header, the sender of that segment SHOULD set the
    /// TSecr field to zero." Judged on the target's SYN.
    TsecrWithoutAck = "tsecr-without-ack", Should, "RFC 7323 §3.2", "RFC 7323 §3.2",
        "A segment without the ACK bit (the target's SYN) carries TSecr 0.",
        "> S 0:0(0) <mss 1460,TS val 100 ecr 7>   // ecr must be 0";
    /// RFC 7323 §3.2: once negotiated, TSopt is in every non-RST segment.
    TimestampsMissing = "timestamps-missing", Must, "RFC 7323 §3.2", "RFC 7323 §3.2",
        "Once both SYNs carried TSopt, every non-RST segment carries it.",
        "< S 0:0(0) <TS val 1 ecr 0>\n> S. 0:0(0) ack 1 <TS val 9 ecr 1>\n...\n> . 1:1(0) ack 1   // no TS";
    /// RFC 7323 §3.2 / §4.3: TSecr echoes TS.Recent, a TSval the peer actually sent.
    TsecrNotEchoed = "tsecr-not-echoed", Must, "RFC 7323 §4.3", "RFC 7323 §4.3",
        "TSecr echoes a TSval the peer sent (TS.Recent); the SYN-ACK echoes the SYN's TSval.",
        "< S 0:0(0) <TS val 100 ecr 0>\n> S. 0:0(0) ack 1 <TS val 9 ecr 99>";
    /// RFC 2018 §2: SACK-permitted is sent only in SYN segments.
    SackPermittedOnNonSyn = "sack-permitted-on-non-syn", Must, "RFC 2018 §2", "RFC 2018 §2",
        "SACK-permitted appears only in SYN segments.",
        "> . 1:1(0) ack 1 <sackOK>";
    /// RFC 2018 §2: SACK-permitted in a SYN-ACK only when the SYN offered it (the option says the sender can receive SACK).
    SackPermittedWithoutOffer = "sack-permitted-without-offer", Should, "RFC 2018 §2", "RFC 2018 §2",
        "The SYN-ACK carries SACK-permitted only when the SYN did.",
        "< S 0:0(0) <mss 1460>\n> S. 0:0(0) ack 1 <mss 1460,sackOK>";
    /// RFC 2018 §4: a data receiver that has not received SACK-permitted MUST NOT send SACK options.
    SackWithoutPermission = "sack-without-permission", Must, "RFC 2018 §4", "RFC 2018 §4",
        "SACK options only on connections where both SYNs carried SACK-permitted.",
        "< S 0:0(0) <mss 1460>\n...\n> . 1:1(0) ack 1 <sack 11:21>";
    /// RFC 2018 §3 (block format), §4 (blocks report data received and queued): each SACK block
    /// reports data actually received (left < right, inside what the peer sent).
    SackBlockInvalid = "sack-block-invalid", Must, "RFC 2018 §3", "RFC 2018 §4",
        "SACK blocks describe data the peer really sent: left edge below right edge, none beyond its SND.NXT.",
        "< P. 11:21(10) ack 1\n> . 1:1(0) ack 1 <sack 11:91>";
    // ---- RFC 6298 ----
    /// RFC 6298 §2.1 / §2.4: the RTO is at least 1 s (initial 1 s; rounded up to 1 s).
    RtoTooShort = "rto-too-short", Should, "RFC 6298 §2.4", "RFC 6298 §2.1",
        "A retransmission (SYN-ACK or data) comes no earlier than the minimum RTO (1 s) after the previous transmission.",
        "> S. 0:0(0) ack 1\n+0.2 > S. 0:0(0) ack 1";
    /// RFC 6298 §5.5: back off the timer (RTO <- RTO * 2) on each expiry; RFC 9293 §3.8.2,
    /// MUST-19: "exponential backoff of RTO".
    RtoNoBackoff = "rto-no-backoff", Must, "RFC 6298 §5.5", "MUST-19",
        "Each retransmission interval is at least the previous one (exponential back-off).",
        "> S. 0:0(0) ack 1\n+1 > S. 0:0(0) ack 1\n+1 > S. 0:0(0) ack 1   // must be +2";
    // ---- Header ----
    /// RFC 9293 §3.1 (Rsrvd: must be zero in generated segments). No Appendix B id: the
    /// sentence is lower-case (MUST-2 is the checksum, not the reserved bits).
    ReservedBitsSet = "reserved-bits-set", Must, "RFC 9293 §3.1", "",
        "The reserved header bits are zero.",
        "> S.r4 0:0(0) ack 1";
    /// RFC 9293 §3.8.6.2.2, MUST-39: receiver SWS avoidance. Checked: no window update
    /// opens a small window, moving the right edge by less than min(MSS, RCV.BUFF/2) to
    /// offer less than that (`rcv_sws.rs`).
    ReceiverSwsWindowUpdate = "receiver-sws-window-update", Must, "RFC 9293 §3.8.6.2.2", "MUST-39",
        "The receiver does not open a small window: its right edge moves by at least min(MSS, half the buffer).",
        "> . 1:1(0) ack 1461 win 0\n+0.05 > . 1:1(0) ack 1461 win 100   // the application read 100 octets";
    /// RFC 9293 §3.8.6.1, SHLD-29: "The transmitting host SHOULD send the first zero-window
    /// probe when a zero window has existed for the retransmission timeout period".
    ZeroWindowProbeEarly = "zero-window-probe-early", Should, "RFC 9293 §3.8.6.1", "SHLD-29",
        "The first zero-window probe waits a retransmission timeout after the window closed.",
        "< . 1:1(0) ack 1001 win 0\n+0.010 > P. 1001:1002(1) ack 1   // probe after 10 ms";
    /// RFC 9293 §3.8.6.1, SHLD-30: the target "SHOULD increase exponentially the interval
    /// between successive probes". Checked: no interval shorter than the one before it.
    ZeroWindowProbeBackoff = "zero-window-probe-backoff", Should, "RFC 9293 §3.8.6.1", "SHLD-30",
        "Each zero-window probe waits at least as long as the one before (exponential back-off).",
        "> P. 1001:1002(1) ack 1\n+1 > P. 1001:1002(1) ack 1\n+0.5 > P. 1001:1002(1) ack 1";
    /// RFC 9293 §3.1: the header is at least five 32-bit words (Data Offset), the options fit
    /// in it, the segment fits in its IP packet. Bytes from the target that do not parse as TCP
    /// are no segment any receiver can process. No Appendix B id: the header format carries none.
    MalformedSegment = "malformed-segment", Must, "RFC 9293 §3.1", "",
        "Every segment the target sends parses: data offset at least 5, within the IP packet.",
        "> . 1:1(0) ack 1   // data offset 4";
    /// RFC 9293 §3.1, MUST-2: "The sender MUST generate it".
    BadChecksum = "bad-checksum", Must, "RFC 9293 §3.1", "MUST-2",
        "Every segment carries a valid TCP checksum.",
        "> S. 0:0(0) ack 1   // checksum 0xdead, should be 0x1c2f";
    /// RFC 9293 §3.1, MUST-3 ("the receiver MUST check it"): a segment with a bad checksum is
    /// discarded: never answered as a SYN, never its data acknowledged.
    BadChecksumAccepted = "bad-checksum-accepted", Must, "RFC 9293 §3.1", "MUST-3",
        "A segment with a bad checksum is discarded: no SYN-ACK for such a SYN, no ACK for its data.",
        "< P. 1:11(10) ack 1   // bad checksum\n> . 1:1(0) ack 11";
    // ---- Close ----
    /// RFC 9293 §3.6.1, MUST-13: an actively closed connection "MUST linger in the TIME-WAIT state
    /// for a time 2xMSL".
    TimeWaitTooShort = "time-wait-too-short", Must, "RFC 9293 §3.6.1", "MUST-13",
        "TIME-WAIT lasts 2×MSL (240 s): until then an old-tuple segment draws an ACK, not a RST.",
        "// target closed first, now in TIME-WAIT\n+30 < . 2:2(0) ack 2\n> R 2:2(0)";
    /// RFC 9293 §3.6.1: a half-duplex close (an application that closed can read no more) may
    /// answer text that arrives after it with a RST, to show the data was lost. `shutdown(SHUT_RD)`
    /// is not an RFC 9293 call: the text it does not read is still acknowledged, so a RST for it
    /// is a warning, which a profile whose stack resets (Linux in FIN-WAIT-1/2 after SHUT_RD:
    /// `tcp_rcv_state_process`, net/ipv4/tcp_input.c, "RFC 1122 says we MUST send a reset")
    /// allows. No Appendix B id.
    RstAfterShutdownRead = "rst-after-shutdown-read", Should, "RFC 9293 §3.6.1", "",
        "Text arriving after shutdown(SHUT_RD) is acknowledged (a RST instead is the half-duplex close some stacks do).",
        "shutdown(4, SHUT_RD) = 0\n< P. 1:11(10) ack 1\n> R 1:1(0)   // should be > . 1:1(0) ack 11";
    /// RFC 9293 §3.10.4 (CLOSE in SYN-SENT: "Delete the TCB") and §3.10.5 (ABORT in SYN-SENT:
    /// delete the TCB, enter CLOSED): nothing is sent, unlike ABORT in a synchronized state. The
    /// RFC states the procedure without a MUST, so a RST there is a warning. smoltcp 0.14 sends
    /// `R.`. No Appendix B id.
    RstAfterCloseInSynSent = "rst-after-close-in-syn-sent", Should, "RFC 9293 §3.10.4", "",
        "close() or abort in SYN-SENT deletes the TCB and sends nothing: no RST.",
        "connect(3, ..., ...) = 0\n> S 0:0(0) <mss 1460>\nclose(3) = 0\n> R. 1:1(0) ack 0   // nothing is sent";
    /// RFC 9293 §3.10.7.4 (TIME-WAIT: only a retransmitted FIN can arrive; acknowledge it).
    /// No Appendix B id.
    TimeWaitSends = "time-wait-sends", Must, "RFC 9293 §3.10.7.4", "",
        "In TIME-WAIT the target sends only ACKs (and RSTs): no data, SYN or FIN.",
        "// TIME-WAIT\n> P. 2:12(10) ack 2";
    // ---- ICMP (judged by `oracle/icmp.rs` on `< icmp` lines) ----
    /// RFC 9293 §3.7.2 (a TCP SHOULD use path MTU discovery: RFC 1191 §3,
    /// RFC 8201 §4; the effective send MSS follows EMTU_S, MUST-16).
    /// No Appendix B id.
    PmtuIgnored = "pmtu-ignored", Should, "RFC 9293 §3.7.2", "",
        "After a frag-needed / Packet Too Big quoting the connection, no segment is larger than the reported MTU.",
        "< icmp unreachable frag_needed mtu 1280 [1:1461(1460)]\n> . 1:1461(1460) ack 1   // 1500 > 1280";
    /// Not a rule the target breaks: the oracle's set of models of the
    /// target (every outcome of RFC 9293 §3.10's event processing the
    /// traffic allows, see `oracle/branches.rs`) reached its stated cap
    /// and let some go, so a later finding may lack an explanation the
    /// full set had. A warning, so that no verdict rests on a silent cut.
    ModelSetCapped = "model-set-capped", Should, "RFC 9293 §3.10", "",
        "The oracle followed every model of the target the traffic allows (its cap was not reached).",
        "< . 1:21(20) ack 1 <raw 0901>   // 9 such segments, each droppable (MUST-7)";
}

impl RuleId {
    /// The rule's metadata.
    pub fn info(self) -> &'static RuleInfo {
        // RULES lists the variants in declaration order, one each.
        &RULES[self as usize]
    }
    /// Stable kebab-case name, as in reports and `synack explain`.
    pub fn name(self) -> &'static str {
        self.info().name
    }
    /// MUST or SHOULD, as the RFC words the requirement.
    pub fn level(self) -> Level {
        self.info().level
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RuleId {
    type Err = String;
    fn from_str(s: &str) -> Result<RuleId, String> {
        RULES
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(s))
            .map(|r| r.id)
            .ok_or_else(|| format!("unknown rule `{s}` (`synack explain --list` lists them)"))
    }
}

/// Every rule, in a stable order.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

/// One thing the target did that a rule forbids (or, with `deviation`, that
/// the selected profile allows as a known difference).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule broken.
    pub rule: RuleId,
    /// The rule's level (MUST or SHOULD).
    pub level: Level,
    /// The RFC section the rule lives in (`RFC 9293 §3.10.7.1`).
    pub section: &'static str,
    /// The requirement id (`MUST-2`), or empty when only the section applies.
    pub requirement: &'static str,
    /// What happened, with the numbers (sequence numbers typed by space:
    /// `super::finding`).
    pub message: super::finding::Message,
    /// `Some(reason)` when the profile allows it: reported, not a failure.
    pub deviation: Option<String>,
}

impl Finding {
    /// A finding of `rule` with its metadata.
    pub fn new(rule: RuleId, message: String) -> Finding {
        let info = rule.info();
        Finding {
            rule,
            level: info.level,
            section: info.section,
            requirement: info.requirement,
            message: message.into(),
            deviation: None,
        }
    }
    /// True when this finding fails a case: a MUST violation that no profile allows.
    pub fn is_failure(&self) -> bool {
        self.level == Level::Must && self.deviation.is_none()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.deviation.is_some() {
            "deviation"
        } else {
            "violation"
        };
        write!(f, "{} {kind} [{}] {}", self.level, self.rule, self.section)?;
        if !self.requirement.is_empty() {
            write!(f, " ({})", self.requirement)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(reason) = &self.deviation {
            write!(f, " (allowed by profile: {reason})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_table_is_in_variant_order_with_unique_names() {
        for (i, r) in rules().iter().enumerate() {
            assert_eq!(r.id as usize, i, "{}", r.name);
            assert_eq!(r.name.parse::<RuleId>(), Ok(r.id));
        }
        let mut names: Vec<_> = rules().iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), rules().len());
        assert!(rules().len() >= 30);
    }

    #[test]
    fn serde_names_are_the_stable_names() {
        for r in rules() {
            assert_eq!(
                serde_json::to_string(&r.id).unwrap(),
                format!("\"{}\"", r.name)
            );
        }
    }

    /// Each requirement is a comma-separated list of RFC 9293 Appendix B ids
    /// (`MUST-15, MUST-16`) or one companion-RFC section (`RFC 7323 §2.2`),
    /// never some other RFC 9293 section (that belongs in `section`).
    #[test]
    fn requirements_are_appendix_b_ids_or_companion_rfc_sections() {
        let appendix_b_id = |id: &str| {
            ["MUST-", "SHLD-", "MAY-", "REC-"].iter().any(|p| {
                id.strip_prefix(p)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
        };
        for r in rules() {
            let req = r.requirement;
            if req.is_empty() {
                assert!(r.section.starts_with("RFC 9293 "), "{}", r.name);
                continue;
            }
            let ok = req.split(", ").all(appendix_b_id)
                || ["RFC 5961 §", "RFC 7323 §", "RFC 2018 §", "RFC 6298 §"]
                    .iter()
                    .any(|p| req.starts_with(p));
            assert!(ok, "{}: requirement `{req}`", r.name);
        }
        assert_eq!(
            RuleId::SegmentExceedsMss.info().requirement,
            "MUST-15, MUST-16"
        );
        assert_eq!(RuleId::MssMissing.info().requirement, "SHLD-5");
        assert_eq!(RuleId::RtoNoBackoff.info().requirement, "MUST-19");
    }

    #[test]
    fn unknown_rule_name_says_where_to_look() {
        let e = "no-such-rule".parse::<RuleId>().unwrap_err();
        assert!(e.contains("explain --list"), "{e}");
    }

    #[test]
    fn finding_displays_level_rule_section_requirement_and_numbers() {
        let f = Finding::new(RuleId::BadChecksum, "checksum 0xdead".into());
        assert_eq!(
            f.to_string(),
            "MUST violation [bad-checksum] RFC 9293 §3.1 (MUST-2): checksum 0xdead"
        );
        let mut d = Finding::new(RuleId::RtoTooShort, "after 200 ms".into());
        d.deviation = Some("Linux RTO min 200 ms".into());
        assert_eq!(
            d.to_string(),
            "SHOULD deviation [rto-too-short] RFC 6298 §2.4 (RFC 6298 §2.1): after 200 ms (allowed by profile: Linux RTO min 200 ms)"
        );
        assert!(!d.is_failure());
        assert!(f.is_failure());
    }
}
