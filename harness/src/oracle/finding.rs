//! A finding's message with its sequence numbers typed (issue #15 item 1).
//!
//! A transcript and a case write every sequence and acknowledgment number
//! relative to the ISN of the side whose sequence space it is in (RFC 9293
//! §3.4: each side numbers its own octets from its own ISN). The oracle works
//! on live, absolute numbers. So that its messages read as the transcript
//! beside them does, each sequence number a message quotes is written
//! through [`tgt`] (a number in the target's sequence space: its SEG.SEQ,
//! ISS, SND.UNA, SND.NXT, and the acknowledgments the peer sends) or
//! [`peer`] (the peer's space: the peer's SEG.SEQ, IRS, RCV.NXT, and the
//! target's acknowledgments). A [`Message`] keeps the absolute text (the
//! JSON report's `message`) and, for each typed number, where it stands in
//! that text and whose space it is in; the report renders it relative with
//! the transcript's mapping (`report::finding`).
//!
//! How the types get through `format!`: a [`SeqIn`]'s `Display` writes the
//! number between two private-use code points with its space's letter, and
//! [`Message::from`] turns those marks back into typed spans when the
//! [`Finding`](super::Finding) is made. The marks never leave this module:
//! a message's text is always plain.

use crate::wire::SeqNumber;
use std::fmt;
use std::ops::Deref;

/// Whose sequence space a number is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Space {
    /// The target's: counted from its ISS (relative 0 is its SYN).
    Target,
    /// The peer's (the harness, or a capture's other side): counted from
    /// its ISN, the target's IRS.
    Peer,
}

/// A sequence number in a known space, as a message argument:
/// `format!("ack {} beyond SND.NXT {}", tgt(seg.ack), tgt(c.snd.nxt))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqIn {
    /// Whose space.
    pub space: Space,
    /// The live (absolute) number.
    pub value: SeqNumber,
}

/// Anything a message quotes as a sequence number: a [`SeqNumber`] or the
/// bare `u32` some model fields hold.
pub trait AsSeq {
    /// The number as a [`SeqNumber`].
    fn as_seq(&self) -> SeqNumber;
}
impl AsSeq for SeqNumber {
    fn as_seq(&self) -> SeqNumber {
        *self
    }
}
impl AsSeq for u32 {
    fn as_seq(&self) -> SeqNumber {
        SeqNumber(*self)
    }
}
impl<T: AsSeq + ?Sized> AsSeq for &T {
    fn as_seq(&self) -> SeqNumber {
        (**self).as_seq()
    }
}

/// A number in the target's sequence space.
pub fn tgt(n: impl AsSeq) -> SeqIn {
    SeqIn {
        space: Space::Target,
        value: n.as_seq(),
    }
}

/// A number in the peer's sequence space.
pub fn peer(n: impl AsSeq) -> SeqIn {
    SeqIn {
        space: Space::Peer,
        value: n.as_seq(),
    }
}

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

impl fmt::Display for SeqIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.space {
            Space::Target => 't',
            Space::Peer => 'p',
        };
        write!(f, "{OPEN}{letter}{}{CLOSE}", self.value.0)
    }
}

/// One typed number of a message: its byte range in the absolute text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First byte of the number in [`Message::text`].
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// The number and its space.
    pub num: SeqIn,
}

/// A finding's message: plain text with absolute numbers, and where each
/// typed sequence number stands in it. Derefs to the text, so `contains`
/// and friends read it as before.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    text: String,
    spans: Vec<Span>,
}

impl Message {
    /// The text with absolute (live) numbers.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The typed numbers, in order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }
    /// The text with each typed number replaced by `relative(num)`.
    pub fn render(&self, relative: impl Fn(SeqIn) -> u32) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut at = 0;
        for s in &self.spans {
            out.push_str(&self.text[at..s.start]);
            out.push_str(&relative(s.num).to_string());
            at = s.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

impl From<String> for Message {
    /// Reads the marks [`SeqIn`]'s `Display` wrote into typed spans. A mark
    /// that does not parse stays as text (it cannot come from [`SeqIn`]).
    fn from(s: String) -> Message {
        if !s.contains(OPEN) {
            return Message {
                text: s,
                spans: Vec::new(),
            };
        }
        let mut text = String::with_capacity(s.len());
        let mut spans = Vec::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find(OPEN) {
            text.push_str(&rest[..i]);
            let after = &rest[i + OPEN.len_utf8()..];
            let parsed = after.find(CLOSE).and_then(|j| {
                let body = &after[..j];
                let space = match body.chars().next()? {
                    't' => Space::Target,
                    'p' => Space::Peer,
                    _ => return None,
                };
                let value: u32 = body[1..].parse().ok()?;
                Some((space, value, j))
            });
            match parsed {
                Some((space, value, j)) => {
                    let start = text.len();
                    text.push_str(&value.to_string());
                    spans.push(Span {
                        start,
                        end: text.len(),
                        num: SeqIn {
                            space,
                            value: SeqNumber(value),
                        },
                    });
                    rest = &after[j + CLOSE.len_utf8()..];
                }
                None => {
                    text.push(OPEN);
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        Message { text, spans }
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Message {
        Message::from(s.to_string())
    }
}

impl Deref for Message {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Message {
    /// The absolute text (what the JSON report's `message` holds).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}
impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_come_through_format_as_spans_and_the_text_stays_plain() {
        let m = Message::from(format!(
            "ack {} beyond SND.NXT {} (window {})",
            tgt(SeqNumber(3735928560)),
            tgt(3735928559u32),
            512
        ));
        assert_eq!(
            m.text(),
            "ack 3735928560 beyond SND.NXT 3735928559 (window 512)"
        );
        assert_eq!(m.to_string(), m.text());
        assert_eq!(m.spans().len(), 2);
        assert_eq!(
            &m.text()[m.spans()[0].start..m.spans()[0].end],
            "3735928560"
        );
        assert_eq!(m.spans()[1].num, tgt(3735928559u32));
        assert!(!m.text().contains(OPEN) && !m.text().contains(CLOSE));
        let iss = SeqNumber(3735928558);
        let rel = m.render(|n| n.value.offset_from(iss));
        assert_eq!(rel, "ack 2 beyond SND.NXT 1 (window 512)");
    }

    #[test]
    fn each_number_is_relative_to_its_own_space() {
        let m = Message::from(format!(
            "ack {} covers text up to RCV.NXT {} (SND.NXT {})",
            peer(1000u32),
            peer(990u32),
            tgt(50u32)
        ));
        let rel = m.render(|n| match n.space {
            Space::Peer => n.value.offset_from(SeqNumber(989)),
            Space::Target => n.value.offset_from(SeqNumber(40)),
        });
        assert_eq!(rel, "ack 11 covers text up to RCV.NXT 1 (SND.NXT 10)");
        // wrapping: an ISN near 2^32
        let m = Message::from(format!("seq {}", tgt(5u32)));
        assert_eq!(
            m.render(|n| n.value.offset_from(SeqNumber(u32::MAX))),
            "seq 6"
        );
    }

    #[test]
    fn a_plain_or_broken_mark_stays_text() {
        let m = Message::from("no numbers here".to_string());
        assert!(m.spans().is_empty());
        assert_eq!(m, "no numbers here");
        let m = Message::from(format!("{OPEN}x12{CLOSE} and {}", peer(7u32)));
        assert_eq!(m.spans().len(), 1);
        assert_eq!(m.render(|_| 0), format!("{OPEN}x12{CLOSE} and 0"));
    }
}
