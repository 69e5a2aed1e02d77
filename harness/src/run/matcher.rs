//! `>` lines against what the target sent: field by field, in script space,
//! with messages such as `tcp.ack: expected 1, got 2`.
//!
//! Rules (documented in cases/README.md): a field the line leaves out, or
//! writes as `*`, matches anything. Flags match all twelve bits exactly.
//! `seq:end(len)` checks the start and the payload length. Options: `<...>`
//! matches any list; a list without `...` must equal the segment's options
//! exactly (NOPs and EOL included, zero padding after EOL ignored); with a
//! trailing `...` the listed options must appear in that order, others may
//! sit anywhere between and after them. An outbound TSval is compared only
//! when the script asks (`--tcp_ts_tick_usecs`, as packetdrill does), then
//! within the timing tolerance.

use super::mapping::Mapping;
use crate::script::{OptSpec, OptionList, PacketLine, Value};
use crate::wire::{Segment, SeqNumber, TcpFlags, TcpOption};

/// One field that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMismatch {
    /// The field's name (`tcp.flags`, `tcp.seq`, …).
    pub field: &'static str,
    /// What the script's line allows, as the script writes it.
    pub expected: String,
    /// What the target sent, written the same way (numbers in script space).
    pub got: String,
}

impl std::fmt::Display for FieldMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.field, self.expected, self.got
        )
    }
}

/// Compares a `>` line with a segment the target sent. The caller has
/// already learned the target ISN from it if it is a SYN.
pub fn match_segment(line: &PacketLine, seg: &Segment, map: &Mapping) -> Vec<FieldMismatch> {
    let mut out = match &line.ip {
        Some(prefix) => super::ipinfo::mismatches(prefix, &seg.ip),
        None => Vec::new(),
    };
    let mut check = |field: &'static str, expected: String, got: String| {
        if expected != got {
            out.push(FieldMismatch {
                field,
                expected,
                got,
            });
        }
    };
    if let Value::Exact(flags) = line.flags.node {
        let optional = line.flags_optional;
        if flags != seg.flags.without(optional) {
            let mut want = flags.to_string();
            for f in [
                TcpFlags::SYN,
                TcpFlags::FIN,
                TcpFlags::RST,
                TcpFlags::PSH,
                TcpFlags::URG,
                TcpFlags::ACK,
            ] {
                if optional.contains(f) {
                    want.push_str(&format!(" ({f} optional)"));
                }
            }
            check("tcp.flags", want, seg.flags.to_string());
        }
    }
    // Numbers are compared as numbers; their text is written only for a
    // field that differs (the same text the comparison of texts gave).
    let mut differ =
        |field: &'static str, expected: &dyn std::fmt::Display, got: &dyn std::fmt::Display| {
            out.push(FieldMismatch {
                field,
                expected: expected.to_string(),
                got: got.to_string(),
            });
        };
    if let Some(Value::Exact(range)) = line.seq.as_ref().map(|s| &s.node) {
        let got = map.target_script_in(seg.seq, seg.flags.syn());
        if range.start != got {
            differ("tcp.seq", &range.start, &got);
        }
        if u64::from(range.len) != seg.payload.len() as u64 {
            differ("tcp.len", &range.len, &seg.payload.len());
        }
    }
    if let Some(Value::Exact(ack)) = line.ack.as_ref().map(|a| &a.node) {
        if seg.flags.ack() {
            let got = map.harness_script_in(seg.ack, seg.flags.syn());
            if *ack != got {
                differ("tcp.ack", ack, &got);
            }
        } else {
            differ("tcp.ack", ack, &"no ACK bit");
        }
    }
    if let Some(Value::Exact(win)) = line.win.as_ref().map(|w| &w.node) {
        if *win != seg.window {
            differ("tcp.win", win, &seg.window);
        }
    }
    if let Some(Value::Exact(urg)) = line.urg.as_ref().map(|u| &u.node) {
        if *urg != seg.urgent {
            differ("tcp.urg", urg, &seg.urgent);
        }
    }
    if let Some(list) = &line.options {
        if !options_match(list, &seg.options, map) {
            // A mismatch even where the two texts read alike.
            out.push(FieldMismatch {
                field: "tcp.options",
                expected: expected_options_text(list),
                got: super::scriptform::options_text(
                    &seg.options,
                    super::scriptform::Sender::Target,
                    map,
                ),
            });
        }
    }
    if let Some(Value::Exact(bytes)) = line.payload.as_ref().map(|p| &p.node) {
        if *bytes != seg.payload {
            // Always a mismatch: the quoted forms are cut at 60 bytes, so
            // two payloads that differ only later quote alike and say where.
            let (mut expected, mut got) = (quote(bytes), quote(&seg.payload));
            if expected == got {
                let at = first_difference(bytes, &seg.payload);
                expected.push_str(&byte_at(bytes, at));
                got.push_str(&byte_at(&seg.payload, at));
            }
            out.push(FieldMismatch {
                field: "tcp.payload",
                expected,
                got,
            });
        }
    }
    out
}

/// The offset of the first byte where `a` and `b` differ (the shorter one's
/// length when one is a prefix of the other).
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// ` (byte N: 0xXX)`, or ` (byte N: none)` past the end.
fn byte_at(bytes: &[u8], at: usize) -> String {
    match bytes.get(at) {
        Some(b) => format!(" (byte {at}: {b:#04x})"),
        None => format!(" (byte {at}: none)"),
    }
}

fn significant(options: &[TcpOption]) -> Vec<&TcpOption> {
    options
        .iter()
        .filter(|o| !matches!(o, TcpOption::Padding(p) if p.iter().all(|b| *b == 0)))
        .collect()
}

fn options_match(list: &OptionList, actual: &[TcpOption], map: &Mapping) -> bool {
    if list.any {
        return true;
    }
    let actual = significant(actual);
    if list.more {
        // Listed options in order, as a subsequence.
        let mut it = actual.iter();
        list.items
            .iter()
            .all(|want| it.any(|got| option_matches(&want.node, got, map)))
    } else {
        actual.len() == list.items.len()
            && list
                .items
                .iter()
                .zip(&actual)
                .all(|(want, got)| option_matches(&want.node, got, map))
    }
}

/// packetdrill's rule for an outbound TSval: not compared unless the script
/// asks (`--tcp_ts_tick_usecs`), then within the timing tolerance in ticks.
/// TSecr is compared exactly: it echoes what the harness sent.
fn ts_val_is(want: &Value<u32>, live: u32, map: &Mapping) -> bool {
    match (want, map.ts_val_slack) {
        (Value::Any, _) | (_, None) => true,
        (Value::Exact(v), Some(slack)) => {
            let off = map.target_ts_script(live).wrapping_sub(*v) as i32;
            off.unsigned_abs() <= slack
        }
    }
}

fn value_is<T: PartialEq>(want: &Value<T>, got: T) -> bool {
    match want {
        Value::Any => true,
        Value::Exact(v) => *v == got,
    }
}

fn option_matches(want: &OptSpec, got: &TcpOption, map: &Mapping) -> bool {
    match (want, got) {
        (OptSpec::Mss(v), TcpOption::Mss(g)) => value_is(v, *g),
        (OptSpec::WScale(v), TcpOption::WindowScale(g)) => value_is(v, *g),
        (OptSpec::SackOk, TcpOption::SackPermitted) => true,
        (OptSpec::Sack(want), TcpOption::Sack(got)) => {
            want.len() == got.len()
                && want.iter().zip(got).all(|((wl, wr), (gl, gr))| {
                    value_is(wl, map.harness_script(SeqNumber(*gl)))
                        && value_is(wr, map.harness_script(SeqNumber(*gr)))
                })
        }
        (OptSpec::Ts { val, ecr }, TcpOption::Timestamps { tsval, tsecr }) => {
            ts_val_is(val, *tsval, map) && value_is(ecr, *tsecr)
        }
        (OptSpec::Nop, TcpOption::Nop) => true,
        (OptSpec::Eol, TcpOption::Eol) => true,
        (OptSpec::Raw(bytes), other) => {
            crate::wire::emit_options(std::slice::from_ref(other)) == *bytes
        }
        _ => false,
    }
}

fn show<T: std::fmt::Display>(v: &Value<T>) -> String {
    match v {
        Value::Any => "*".into(),
        Value::Exact(x) => x.to_string(),
    }
}

/// An option list as the case wrote it.
pub fn expected_options_text(list: &OptionList) -> String {
    if list.any {
        return "<...>".into();
    }
    let mut items: Vec<String> = list
        .items
        .iter()
        .map(|o| match &o.node {
            OptSpec::Mss(v) => format!("mss {}", show(v)),
            OptSpec::WScale(v) => format!("wscale {}", show(v)),
            OptSpec::SackOk => "sackOK".into(),
            OptSpec::Sack(blocks) => {
                let b: Vec<String> = blocks
                    .iter()
                    .map(|(l, r)| format!("{}:{}", show(l), show(r)))
                    .collect();
                format!("sack {}", b.join(" "))
            }
            OptSpec::Ts { val, ecr } => format!("TS val {} ecr {}", show(val), show(ecr)),
            OptSpec::Nop => "nop".into(),
            OptSpec::Eol => "eol".into(),
            OptSpec::Raw(bytes) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("raw {hex}")
            }
        })
        .collect();
    if list.more {
        items.push("...".into());
    }
    format!("<{}>", items.join(","))
}

/// A payload in case syntax: `"GET / …\r\n"`, shortened past 60 bytes.
pub fn quote(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(60) {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    if bytes.len() > 60 {
        s.push_str(&format!("… ({} bytes)", bytes.len()));
    }
    s
}
