//! A transcript packet's script text (`S. 0:0(0) ack 1 win 65535 <mss
//! 1460>`), kept as the sender and the sequence mapping as they stood when
//! the packet crossed, and rendered when a reporter first asks (issue #17
//! item 1): a run whose transcript nobody reads renders none.

use super::mapping::Mapping;
use super::scriptform::{script_line, Sender};
use crate::wire::Segment;
use std::sync::OnceLock;

/// The script text of one transcript packet: given (an ICMP line's form, an
/// unparseable packet's message, a report read back), or rendered from the
/// packet's segment on first use and kept.
#[derive(Clone, Debug, Default)]
pub struct ScriptText {
    text: OnceLock<String>,
    from: Option<(Sender, Mapping)>,
}

impl ScriptText {
    /// Text known already.
    pub fn new(text: String) -> ScriptText {
        ScriptText {
            text: OnceLock::from(text),
            from: None,
        }
    }

    /// Text to render from the packet's segment, as `sender` sent it, with
    /// `map` (the mapping when it crossed: a later SYN may move it).
    pub fn pending(sender: Sender, map: Mapping) -> ScriptText {
        ScriptText {
            text: OnceLock::new(),
            from: Some((sender, map)),
        }
    }

    /// The text, rendered from `segment` (the packet's own) on first use;
    /// empty for pending text without a segment.
    pub fn get(&self, segment: Option<&Segment>) -> &str {
        self.text.get_or_init(|| match (self.from, segment) {
            (Some((sender, map)), Some(seg)) => script_line(seg, sender, &map),
            _ => String::new(),
        })
    }

    /// Whether the text exists yet (given, or rendered once).
    pub fn is_rendered(&self) -> bool {
        self.text.get().is_some()
    }
}

impl From<String> for ScriptText {
    fn from(text: String) -> ScriptText {
        ScriptText::new(text)
    }
}

impl From<&str> for ScriptText {
    fn from(text: &str) -> ScriptText {
        ScriptText::new(text.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for ScriptText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ScriptText, D::Error> {
        String::deserialize(d).map(ScriptText::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IpEnvelope, SeqNumber, TcpFlags};
    use std::net::Ipv4Addr;

    fn syn_ack() -> Segment {
        let ip = IpEnvelope::v4(Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
        let mut s = Segment::new(ip, 80, 40000, TcpFlags::SYN | TcpFlags::ACK);
        s.seq = SeqNumber(1000);
        s.ack = SeqNumber(501);
        s.window = 65535;
        s
    }

    #[test]
    fn pending_text_is_rendered_once_with_the_mapping_it_was_given() {
        let mut map = Mapping::new(SeqNumber(500));
        map.learn_target_isn(SeqNumber(1000), 0);
        let t = ScriptText::pending(Sender::Target, map);
        assert!(!t.is_rendered());
        let seg = syn_ack();
        assert_eq!(t.get(Some(&seg)), "S. 0:0(0) ack 1 win 65535");
        assert!(t.is_rendered());
        // Kept: a different segment does not change it.
        let mut other = seg.clone();
        other.window = 1;
        assert_eq!(t.get(Some(&other)), "S. 0:0(0) ack 1 win 65535");
    }

    #[test]
    fn given_text_stays_and_pending_text_without_a_segment_is_empty() {
        assert_eq!(ScriptText::from("icmp 3 4").get(None), "icmp 3 4");
        let t = ScriptText::pending(Sender::Harness, Mapping::new(SeqNumber(0)));
        assert_eq!(t.get(None), "");
    }
}
