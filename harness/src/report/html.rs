//! `index.html`: one self-contained page (inline CSS, no scripts, no
//! external resources) with a ladder diagram per case.
//!
//! Each case is a section: an outcome badge, the id and title, the RFC
//! sections, catalogue ids and service, links to the case's `.pcap` and
//! `.txt`, then an inline SVG ladder: the harness's line on the left, the
//! target's on the right, one row per transcript entry in order (so time
//! runs down, labelled with the session time, virtual or real). Each packet
//! is an arrow labelled with its script-space line
//! (`S. 0:0(0) ack 1 win 65535 <mss 1460>`), dashed when its checksum is
//! bad; state, application and note entries are side annotations. A packet
//! that a mismatch or a violation points at is drawn in red with the
//! message beside it (orange for a deviation the profile allows); a
//! mismatch about a packet that never came ("got nothing") gets a red row
//! of its own at its place in the ladder's end. The full messages follow
//! the diagram. All text is escaped ([`super::text::xml_text`]).

use super::text::{case_file_stem, xml_attr, xml_text};
use crate::run::{CaseReport, Dir, EntryKind, Outcome, RunInfo, RunSummary};
use std::fmt::Write as _;

const WIDTH: u32 = 1040;
/// The harness's and the target's lines.
const HX: u32 = 110;
const TX: u32 = 620;
const TOP: u32 = 56;
const ROW: u32 = 28;
/// Characters of a label that fit between the lines (11 px monospace).
const LABEL_CHARS: usize = 74;
/// Characters of a side message that fit right of the target's line.
const SIDE_CHARS: usize = 58;

const CSS: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #1b1f24; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin: 0 0 .3em 0; }
table.info td { padding: .1em .8em .1em 0; }
table.cases { border-collapse: collapse; margin: 1em 0; }
table.cases td, table.cases th { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; font-size: .92em; }
section.case { border: 1px solid #d0d7de; border-radius: 6px; padding: .8em 1em; margin: 1.2em 0; }
.badge { display: inline-block; min-width: 6em; text-align: center; border-radius: 1em; padding: .05em .6em; font-size: .85em; font-weight: 600; color: #fff; }
.pass { background: #1a7f37; } .fail { background: #cf222e; } .error { background: #8250df; }
.unsupported, .skipped { background: #6e7781; } .deviation { background: #bc4c00; } .waived { background: #9a6700; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .3em 0 .6em 0; font-size: .9em; }
dl.meta dt { color: #57606a; } dl.meta dd { margin: 0; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
svg.ladder { display: block; max-width: 100%; height: auto; background: #fff; }
svg.ladder text { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 11px; }
svg.ladder .life { stroke: #57606a; stroke-width: 2; }
svg.ladder .head { font-weight: 600; font-size: 12px; }
svg.ladder .time { fill: #57606a; }
svg.ladder .pkt { stroke: #0969da; stroke-width: 1.5; }
svg.ladder .pkt.bad { stroke: #cf222e; stroke-width: 2.5; }
svg.ladder .pkt.dev { stroke: #bc4c00; stroke-width: 2; }
svg.ladder .pkt.cks { stroke-dasharray: 5 3; }
svg.ladder .lbl { fill: #0a3069; } svg.ladder .lbl.bad { fill: #cf222e; font-weight: 600; } svg.ladder .lbl.dev { fill: #bc4c00; }
svg.ladder .msg { fill: #cf222e; } svg.ladder .msg.dev { fill: #bc4c00; }
svg.ladder .state { fill: #1a7f37; } svg.ladder .app { fill: #8250df; } svg.ladder .note { fill: #57606a; font-style: italic; }
ul.problems li { font-size: .9em; margin: .2em 0; } ul.problems .dev { color: #bc4c00; } ul.problems .bad { color: #cf222e; }
"#;

/// Shortens `s` to `n` characters, with an ellipsis.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// What the problems say about one transcript entry.
#[derive(Default)]
struct Marks {
    bad: Vec<String>,
    dev: Vec<String>,
}

fn marks(case: &CaseReport) -> Vec<Marks> {
    let mut m: Vec<Marks> = (0..case.transcript.len())
        .map(|_| Marks::default())
        .collect();
    for x in &case.mismatches {
        if let Some(e) = x.entry.and_then(|i| m.get_mut(i)) {
            e.bad.push(x.message.clone());
        }
    }
    for v in &case.violations {
        if let Some(e) = v.entry.and_then(|i| m.get_mut(i)) {
            let text = format!("{} {}: {}", v.requirement, v.section, v.text());
            match &v.deviation {
                Some(_) => e.dev.push(text),
                None => e.bad.push(text),
            }
        }
    }
    m
}

/// The ladder diagram of one case (an `<svg>` element).
pub fn ladder_svg(case: &CaseReport, n: usize) -> String {
    let marks = marks(case);
    let missing: Vec<String> = case
        .mismatches
        .iter()
        .filter(|m| m.entry.is_none())
        .map(|m| {
            let line = m.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            format!("✗ {line}{}", m.message)
        })
        .collect();
    let rows = case.transcript.len() + missing.len();
    let height = TOP + rows as u32 * ROW + 24;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">",
        xml_attr(&format!("ladder diagram of {}", case.id))
    );
    s.push_str("<defs>");
    for (suffix, colour) in [("", "#0969da"), ("r", "#cf222e"), ("o", "#bc4c00")] {
        let _ = write!(
            s,
            "<marker id=\"a{n}{suffix}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
        );
    }
    s.push_str("</defs>\n");
    let _ = writeln!(
        s,
        "<text class=\"head\" x=\"{HX}\" y=\"18\" text-anchor=\"middle\">harness</text><text class=\"time\" x=\"{HX}\" y=\"34\" text-anchor=\"middle\">{}</text>",
        xml_text(&case.harness_addr.to_string())
    );
    let _ = writeln!(
        s,
        "<text class=\"head\" x=\"{TX}\" y=\"18\" text-anchor=\"middle\">target ({})</text><text class=\"time\" x=\"{TX}\" y=\"34\" text-anchor=\"middle\">{}</text>",
        xml_text(&case.target),
        xml_text(&case.target_addr.to_string())
    );
    let _ = writeln!(
        s,
        "<text class=\"time\" x=\"4\" y=\"48\">{}</text>",
        super::times::clock_label(case.virtual_time)
    );
    let bottom = height - 10;
    for x in [HX, TX] {
        let _ = writeln!(
            s,
            "<line class=\"life\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{bottom}\"/>",
            TOP - 12
        );
    }
    for (i, (e, mk)) in case.transcript.iter().zip(&marks).enumerate() {
        let y = TOP + i as u32 * ROW;
        let _ = write!(
            s,
            "<text class=\"time\" x=\"4\" y=\"{}\">{}</text>",
            y + 12,
            super::times::clock_time(e.at)
        );
        let (class, marker) = if !mk.bad.is_empty() {
            (" bad", "r")
        } else if !mk.dev.is_empty() {
            (" dev", "o")
        } else {
            ("", "")
        };
        match &e.what {
            EntryKind::Packet {
                dir,
                checksum_ok,
                segment,
                ..
            } => {
                let script = e.what.script();
                let (x1, x2, arrow) = match dir {
                    Dir::In => (HX, TX, '<'),
                    Dir::Out => (TX, HX, '>'),
                };
                let mut label = format!("{arrow} {script}");
                if segment.is_none() {
                    label.push_str(" [unparsed]");
                } else if !checksum_ok {
                    label.push_str(" [bad checksum]");
                }
                let cks = if *checksum_ok { "" } else { " cks" };
                let _ = write!(
                    s,
                    "<g><title>{}</title><line class=\"pkt{class}{cks}\" x1=\"{x1}\" y1=\"{}\" x2=\"{x2}\" y2=\"{}\" marker-end=\"url(#a{n}{marker})\"/><text class=\"lbl{class}\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
                    xml_text(&label),
                    y + 8,
                    y + 22,
                    (HX + TX) / 2,
                    y + 10,
                    xml_text(&clip(&label, LABEL_CHARS))
                );
            }
            EntryKind::State { state, expected } => {
                let mut t = format!("= {state}");
                if let Some(exp) = expected {
                    let names: Vec<&str> = exp.iter().map(|s| s.rfc_name()).collect();
                    if !exp.contains(state) {
                        t.push_str(&format!(" (expected {})", names.join("|")));
                    }
                }
                side(&mut s, y, "state", &t);
            }
            EntryKind::App { action, result } => {
                side(&mut s, y, "app", &format!("app {action} → {result}"));
            }
            EntryKind::Note(text) => side(&mut s, y, "note", text),
        }
        let msgs: Vec<&String> = mk.bad.iter().chain(&mk.dev).collect();
        if !msgs.is_empty() {
            let text = msgs
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let dev = if mk.bad.is_empty() { " dev" } else { "" };
            let _ = write!(
                s,
                "<text class=\"msg{dev}\" x=\"{}\" y=\"{}\"><title>{}</title>{}</text>",
                TX + 10,
                y + if matches!(e.what, EntryKind::Packet { .. }) {
                    24
                } else {
                    26
                },
                xml_text(&text),
                xml_text(&clip(&format!("✗ {text}"), SIDE_CHARS))
            );
        }
        s.push('\n');
    }
    for (k, m) in missing.iter().enumerate() {
        let y = TOP + (case.transcript.len() + k) as u32 * ROW;
        let _ = writeln!(
            s,
            "<text class=\"msg\" x=\"{}\" y=\"{}\" text-anchor=\"middle\"><title>{}</title>{}</text>",
            (HX + TX) / 2,
            y + 14,
            xml_text(m),
            xml_text(&clip(m, LABEL_CHARS + 10))
        );
    }
    s.push_str("</svg>\n");
    s
}

fn side(s: &mut String, y: u32, class: &str, text: &str) {
    let _ = write!(
        s,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\"><title>{}</title>{}</text>",
        TX + 10,
        y + 12,
        xml_text(text),
        xml_text(&clip(text, SIDE_CHARS))
    );
}

fn badge(o: Outcome) -> String {
    format!("<span class=\"badge {0}\">{0}</span>", o.name())
}

/// One case's section.
fn case_section(case: &CaseReport, n: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<section class=\"case\" id=\"case-{n}\">\n<h2>{} <a href=\"#case-{n}\"><code>{}</code></a>{}</h2>",
        badge(case.outcome),
        xml_text(&case.id),
        case.title
            .as_deref()
            .map(|t| format!(" — {}", xml_text(t)))
            .unwrap_or_default()
    );
    s.push_str("<dl class=\"meta\">");
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            let _ = write!(s, "<dt>{k}</dt><dd>{v}</dd>");
        }
    };
    row("RFC", xml_text(&case.rfc.join(", ")));
    row("covers", xml_text(&case.covers.join(", ")));
    row("service", xml_text(&case.service));
    row("profile", xml_text(&case.profile));
    row("reason", xml_text(case.reason.as_deref().unwrap_or("")));
    row("waiver", xml_text(case.waiver.as_deref().unwrap_or("")));
    let stem = case_file_stem(&case.id);
    row(
        "files",
        format!(
            "<a href=\"{0}.pcap\">{1}.pcap</a> · <a href=\"{0}.txt\">{1}.txt</a> · <code>{2}</code>",
            xml_attr(&urlencode(&stem)),
            xml_text(&stem),
            xml_text(&case.path)
        ),
    );
    s.push_str("</dl>\n");
    s.push_str(&ladder_svg(case, n));
    if !case.mismatches.is_empty() || !case.violations.is_empty() {
        s.push_str("<ul class=\"problems\">\n");
        for m in &case.mismatches {
            let line = m.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            let mut t = format!("{line}{}", m.message);
            if let (Some(e), Some(a)) = (&m.expected, &m.actual) {
                t.push_str(&format!(" (expected {e}, got {a})"));
            }
            let _ = writeln!(s, "<li class=\"bad\">mismatch: {}</li>", xml_text(&t));
        }
        for v in &case.violations {
            let (class, extra) = match &v.deviation {
                Some(d) => (
                    "dev",
                    format!(" — deviation allowed by profile {}: {d}", case.profile),
                ),
                None => ("bad", String::new()),
            };
            let at = super::finding::at_segment(case, v)
                .map(|a| format!(" — at {a}"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "<li class=\"{class}\">{} <b>{}</b> {} <code>{}</code>: {}{}{}</li>",
                xml_text(&v.level),
                xml_text(&v.requirement),
                xml_text(&v.section),
                xml_text(&v.rule),
                xml_text(&v.text()),
                xml_text(&at),
                xml_text(&extra)
            );
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");
    s
}

/// Percent-encodes what is not safe in a relative URL path segment.
fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `index.html` text for a run.
pub fn index_html(info: &RunInfo, summary: &RunSummary, cases: &[CaseReport]) -> String {
    let mut h = String::new();
    let title = format!("synack results: {}", info.target);
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        xml_text(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", xml_text(&title));
    h.push_str("<table class=\"info\">");
    let mut row = |k: &str, v: &str| {
        let _ = write!(h, "<tr><td>{k}</td><td>{}</td></tr>", xml_text(v));
    };
    row("Target", &info.target);
    row("Profile", &info.profile);
    row("Seed", &info.seed.to_string());
    if let Some(sh) = &info.shard {
        row("Shard", sh);
    }
    if info.oracle_only {
        row("Mode", "oracle only");
    }
    row("Totals", &super::markdown::totals_line(summary));
    h.push_str("</table>\n");
    h.push_str(&super::coverage::html_sections(cases));
    h.push_str("<table class=\"cases\"><tr><th>Outcome</th><th>Case</th><th>Title</th><th>Reason</th></tr>\n");
    for (n, c) in cases.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><a href=\"#case-{n}\"><code>{}</code></a></td><td>{}</td><td>{}</td></tr>",
            badge(c.outcome),
            xml_text(&c.id),
            xml_text(c.title.as_deref().unwrap_or("")),
            xml_text(c.reason.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table>\n");
    for (n, c) in cases.iter().enumerate() {
        h.push_str(&case_section(c, n));
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn page() -> String {
        let cases = fixture::all();
        let info = RunInfo {
            target: "embedded".into(),
            profile: "rfc9293".into(),
            seed: 7,
            cases: cases.len(),
            shard: None,
            oracle_only: false,
        };
        index_html(&info, &RunSummary::default(), &cases)
    }

    #[test]
    fn page_is_self_contained() {
        let p = page();
        assert!(p.starts_with("<!DOCTYPE html>"));
        assert!(!p.contains("<script"), "no scripts");
        for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!p.contains(attr), "external resource {attr}");
        }
    }

    #[test]
    fn each_case_has_a_ladder_with_one_arrow_per_packet() {
        let c = fixture::echo_pass();
        let svg = ladder_svg(&c, 0);
        assert_eq!(svg.matches("<line class=\"pkt").count(), 9);
        assert!(
            svg.contains(">&gt; S. 0:0(0) ack 1 win 65535 &lt;mss 1460&gt;</text>"),
            "{svg}"
        );
        assert!(svg.contains("class=\"state\""), "{svg}");
        assert_eq!(page().matches("<svg class=\"ladder\"").count(), 5);
    }

    #[test]
    fn the_failing_packet_is_red_with_its_message() {
        let svg = ladder_svg(&fixture::closed_port_fail(), 1);
        assert!(svg.contains("<line class=\"pkt bad\" x1=\"620\""), "{svg}");
        assert!(svg.contains("marker-end=\"url(#a1r)\""), "{svg}");
        assert!(svg.contains("class=\"msg\""), "{svg}");
        assert!(
            svg.contains("tcp.ack: expected 1, got 2; MUST-2 RFC 9293 §3.10.7.1"),
            "{svg}"
        );
    }

    #[test]
    fn a_missing_segment_gets_its_own_red_row() {
        let mut c = fixture::closed_port_fail();
        c.mismatches[0].entry = None;
        c.mismatches[0].message = "expected R. 0:0(0) ack 1, got nothing".into();
        let svg = ladder_svg(&c, 0);
        assert!(
            svg.contains("✗ line 6: expected R. 0:0(0) ack 1, got nothing"),
            "{svg}"
        );
    }

    #[test]
    fn deviations_are_orange_and_bad_checksums_dashed() {
        let svg = ladder_svg(&fixture::v6_deviation(), 2);
        assert!(svg.contains("pkt cks"), "{svg}");
        assert!(svg.contains("class=\"msg dev\""), "{svg}");
    }

    #[test]
    fn nasty_text_is_escaped() {
        let p = page();
        assert!(!p.contains("<script>alert"), "title injected");
        assert!(p.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(
            p.contains("# note with &lt;b&gt;markup&lt;/b&gt;")
                || p.contains("note with &lt;b&gt;markup")
        );
        assert!(!p.contains('\u{7}'));
        assert!(
            p.contains("href=\"odd__x_%26__%27.pcap\""),
            "file link encoded"
        );
    }
}
