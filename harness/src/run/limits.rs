//! What a case may ask for, checked when it loads and again when the run
//! knows its IP family: a case has at least one event, and every segment a
//! `<` line injects fits in an IP packet.
//!
//! A segment that is illegal but can be emitted (SYN+FIN, a sequence range
//! no window accepts, a bad checksum) is sent exactly as written: that is
//! what the harness is for. A segment that cannot be emitted is a script
//! error with `file:line:col` and a caret, never a packet cut to its length
//! modulo 65,536: IPv4's total length (RFC 791 §3.1) and IPv6's payload
//! length (RFC 8200 §3) are 16-bit fields, and jumbograms (RFC 2675) are
//! not sent. The lengths are computed from the script's numbers, before
//! anything is allocated for them, so memory stays bounded whatever a
//! script says.

use super::case::diagnostic;
use crate::script::{Diagnostic, Direction, Item, LineKind, OptSpec, PacketLine, Script, Value};
use crate::target::IpFamily;

/// The largest value of a 16-bit IP length field.
pub const MAX_IP_LENGTH: u64 = 65_535;
const IPV4_HEADER: u64 = 20;
const TCP_HEADER: u64 = 20;
/// How much of a line a diagnostic shows past the caret.
const SHOWN: usize = 100;

/// A diagnostic for a case with no events (empty, or only comments and
/// metadata): running it would test nothing and pass.
pub fn no_events(script: &Script, source: &str, file: &str) -> Option<Diagnostic> {
    if !script.items.is_empty() {
        return None;
    }
    let span = crate::script::Span {
        line: 1,
        col: 1,
        start: 0,
        end: 0,
    };
    Some(diagnostic(
        source,
        file,
        span,
        "the case has no events: no packet, syscall or state line, so it would test nothing".into(),
        Some("write at least one line, e.g. `0 < S 0:0(0) win 65535 <mss 1460>`".into()),
    ))
}

/// Diagnostics for `<` lines whose segment no IP packet can carry: over
/// IPv4 or IPv6 when `family` says which, else over either (the larger
/// IPv6 limit: a case may run over both).
pub fn oversized(
    script: &Script,
    source: &str,
    file: &str,
    family: Option<IpFamily>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for item in &script.items {
        // `either` branches hold only `>` and `state` lines.
        let Item::Line(line) = item else { continue };
        let LineKind::Packet(p) = &line.kind else {
            continue;
        };
        if p.direction != Direction::Inject {
            continue;
        }
        let (data, tcp) = tcp_length(p);
        let v4 = IPV4_HEADER + tcp;
        let message = match family {
            None if tcp > MAX_IP_LENGTH => format!(
                "this segment cannot be sent: with {data} octets of data it is {tcp} octets of TCP \
                 (a {v4}-octet IPv4 packet), over the 65,535 any IP packet can carry"
            ),
            Some(IpFamily::V4) if v4 > MAX_IP_LENGTH => format!(
                "this segment cannot be sent over IPv4: with {data} octets of data its packet \
                 would be {v4} octets, over the 65,535 IPv4's total length can say (RFC 791 §3.1)"
            ),
            Some(IpFamily::V6) if tcp > MAX_IP_LENGTH => format!(
                "this segment cannot be sent over IPv6: with {data} octets of data its payload \
                 would be {tcp} octets, over the 65,535 IPv6's payload length can say (RFC 8200 §3)"
            ),
            _ => continue,
        };
        let span = p
            .seq
            .as_ref()
            .map(|s| s.span)
            .or(p.payload.as_ref().map(|s| s.span))
            .unwrap_or(p.span);
        let mut d = diagnostic(
            source,
            file,
            span,
            message,
            Some(
                "one segment carries at most 65,495 octets of data over IPv4 and 65,515 over \
                 IPv6, less its options: split the data over several `<` lines"
                    .into(),
            ),
        );
        // A line with a long payload string is shown cut, not megabytes long.
        let keep = (d.span.col as usize).saturating_add(SHOWN);
        if d.line_text.chars().count() > keep {
            d.line_text = d.line_text.chars().take(keep).chain(['…']).collect();
        }
        diags.push(d);
    }
    diags
}

/// A case file's bytes as text, or a diagnostic at the first byte that
/// makes it not text: one that is not UTF-8, or a NUL (a binary file given
/// as a case).
pub fn text(bytes: Vec<u8>, file: &str) -> Result<String, Diagnostic> {
    let bad = match String::from_utf8(bytes) {
        Ok(s) => match s.find('\0') {
            None => return Ok(s),
            Some(at) => (s.into_bytes(), at),
        },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (e.into_bytes(), at)
        }
    };
    let (bytes, at) = bad;
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    let line_end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i);
    let line_text = String::from_utf8_lossy(&bytes[line_start..line_end])
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{fffd}' {
                '?'
            } else {
                c
            }
        })
        .take(col.saturating_add(SHOWN))
        .collect();
    Err(Diagnostic {
        file: file.to_string(),
        span: crate::script::Span {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
            start: at,
            end: at + 1,
        },
        message: format!(
            "not a text file: byte 0x{:02x} at offset {at} is {}",
            bytes[at],
            if bytes[at] == 0 { "a NUL" } else { "not UTF-8" }
        ),
        help: Some("a case file is UTF-8 text in the case language (cases/README.md)".into()),
        line_text,
    })
}

/// The data length and the TCP length (header, padded options, data) of
/// the segment a `<` line injects, as `run::build` will lay it out.
fn tcp_length(p: &PacketLine) -> (u64, u64) {
    let data = match (p.payload.as_ref().map(|v| &v.node), &p.seq) {
        (Some(Value::Exact(bytes)), _) => bytes.len() as u64,
        (_, Some(s)) => s.node.exact().map_or(0, |r| u64::from(r.len)),
        _ => 0,
    };
    let options: u64 = p
        .options
        .iter()
        .flat_map(|l| &l.items)
        .map(|o| match &o.node {
            OptSpec::Mss(_) => 4,
            OptSpec::WScale(_) => 3,
            OptSpec::SackOk => 2,
            OptSpec::Sack(blocks) => 2 + 8 * blocks.len() as u64,
            OptSpec::Ts { .. } => 10,
            OptSpec::Nop | OptSpec::Eol => 1,
            OptSpec::Raw(bytes) => bytes.len() as u64,
        })
        .sum();
    (data, TCP_HEADER + options.next_multiple_of(4) + data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(src: &str, family: Option<IpFamily>) -> Vec<String> {
        let script = crate::script::parse(src, "t.pkt").expect("parses");
        oversized(&script, src, "t.pkt", family)
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    const SYN: &str = "0 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 1 <...>\n";

    #[test]
    fn the_largest_segment_each_family_carries_is_accepted_and_one_more_octet_is_not() {
        let line = |n: u32| format!("{SYN}+0 < . 1:{}({n}) ack 1 win 65535\n", 1 + n);
        // IPv4: 20 + 20 + 65,495 = 65,535.
        assert!(diags(&line(65_495), Some(IpFamily::V4)).is_empty());
        let d = diags(&line(65_496), Some(IpFamily::V4));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].contains("t.pkt:3:8") && d[0].contains("65536 octets"),
            "{}",
            d[0]
        );
        // IPv6 (and either family): 20 + 65,515 = 65,535.
        for family in [Some(IpFamily::V6), None] {
            assert!(diags(&line(65_515), family).is_empty());
            assert_eq!(diags(&line(65_516), family).len(), 1);
        }
    }

    #[test]
    fn options_count_padded_to_a_word() {
        // 20 + 20 + 4 (mss) + 65,491 = 65,535 over IPv4; a nop more makes
        // 5 octets of options, padded to 8: one word over.
        let ok = format!("{SYN}+0 < . 1:65492(65491) ack 1 win 65535 <mss 1460>\n");
        assert!(diags(&ok, Some(IpFamily::V4)).is_empty());
        let over = format!("{SYN}+0 < . 1:65492(65491) ack 1 win 65535 <mss 1460,nop>\n");
        assert_eq!(diags(&over, Some(IpFamily::V4)).len(), 1);
    }

    #[test]
    fn a_length_near_2_pow_32_is_an_error_without_allocating_it() {
        let src = format!("{SYN}+0 < P. 1:4294967295(4294967294) ack 1 win 65535\n");
        let d = diags(&src, None);
        assert_eq!(d.len(), 1);
        assert!(d[0].contains("4294967294 octets of data"), "{}", d[0]);
        assert!(d[0].contains("^"), "a caret: {}", d[0]);
    }

    #[test]
    fn a_long_payload_line_is_shown_cut() {
        let n = 70_000;
        let src = format!(
            "{SYN}+0 < P. 1:{}({n}) ack 1 payload \"{}\"\n",
            1 + n,
            "a".repeat(n)
        );
        let d = diags(&src, None);
        assert_eq!(d.len(), 1);
        assert!(d[0].len() < 1000, "{} octets", d[0].len());
        assert!(d[0].contains("aaaa…\n"), "{}", d[0]);
    }

    #[test]
    fn expected_segments_and_state_lines_are_not_checked() {
        let src = format!("{SYN}+0 > . 1:70001(70000) ack 1\n");
        assert!(diags(&src, Some(IpFamily::V4)).is_empty());
    }

    #[test]
    fn a_file_that_is_not_text_is_a_diagnostic_at_its_first_bad_byte() {
        let d = text(b"0 < S 0:0(0)\nab\x89PNG\n".to_vec(), "x.pkt").expect_err("not text");
        let s = d.to_string();
        assert!(s.contains("--> x.pkt:2:3\n"), "{s}");
        assert!(s.contains("byte 0x89 at offset 15 is not UTF-8"), "{s}");
        let d = text(b"ok\0".to_vec(), "x.pkt").expect_err("a NUL");
        assert!(d.to_string().contains("0x00 at offset 2 is a NUL"), "{d}");
        assert_eq!(text(b"0 < S\n".to_vec(), "x.pkt").expect("text"), "0 < S\n");
        // A binary file without newlines is shown cut.
        let d = text(vec![0xff; 1 << 20], "x.pkt").expect_err("not text");
        assert!(
            d.line_text.chars().count() <= 1 + SHOWN,
            "{}",
            d.line_text.len()
        );
    }

    #[test]
    fn a_script_without_lines_has_no_events() {
        for src in ["", "// a comment\n", "//! title: t\n/* x */\n"] {
            let script = crate::script::parse(src, "t.pkt").expect("parses");
            let d = no_events(&script, src, "t.pkt").expect("a diagnostic");
            assert!(d.to_string().contains("--> t.pkt:1:1\n"), "{d}");
        }
        let script = crate::script::parse(SYN, "t.pkt").expect("parses");
        assert!(no_events(&script, SYN, "t.pkt").is_none());
    }
}
