//! The snapshot form of a case: a normalised transcript that is identical
//! across runs of the same behaviour (the text kept as an insta snapshot
//! under `reports/<target>/`).
//!
//! ```text
//! case: core/b01-echo
//! title: echo: handshake, one write echoed, orderly close
//! service: echo
//! target: embedded
//! profile: rfc9293
//! outcome: pass
//!
//! #0 0.000 < S 0:0(0) win 65535 <mss 1460>
//! #1 0.000 > S. 0:0(0) ack 1 win 65535 <mss 1460>
//! #2 0.001 < . 1:1(0) ack 1 win 65535
//! #3 0.001 = ESTABLISHED (expected ESTABLISHED)
//! #4 0.004 app close -> done
//! #5 0.004 # a note
//! ```
//!
//! What is left out, because it varies between runs of one behaviour: ISNs
//! and absolute sequence numbers (packets appear as the runner's
//! script-space line), addresses and ports, paths, dates, wall times, the
//! seed. Times are session times rounded down to a multiple of the case's
//! `resolution`. On a real-time target an entry that belongs to a line is
//! printed at the line's script time instead ([`crate::run::nominal`]): the
//! runner checked its timing, and the measured time moves with scheduling
//! on a loaded machine (a state read at 0.39 s or 0.41 s floors to two
//! different snapshots). Printed in seconds with as many decimals as the
//! resolution needs (at least three). A packet whose checksum was wrong
//! says so (`[bad checksum]`), a packet that did not parse says
//! `[unparsed]`. Mismatches and violations follow, each pointing at its
//! entry by number (`#3`).

use crate::run::{CaseReport, Dir, EntryKind};
use std::fmt::Write as _;
use std::time::Duration;

/// Decimals needed to print a multiple of `res` in seconds (3, 6 or 9).
fn decimals(res: Duration) -> usize {
    let ns = res.as_nanos();
    if ns == 0 || ns % 1_000_000 != 0 {
        if ns != 0 && ns % 1_000 == 0 {
            6
        } else {
            9
        }
    } else {
        3
    }
}

/// `at` rounded down to a multiple of `res` (as is, when `res` is zero).
pub fn round_to(at: Duration, res: Duration) -> Duration {
    let r = res.as_nanos();
    if r == 0 {
        return at;
    }
    let n = at.as_nanos() / r * r;
    Duration::new(
        u64::try_from(n / 1_000_000_000).unwrap_or(u64::MAX),
        (n % 1_000_000_000) as u32,
    )
}

/// A session time as the snapshot prints it: `1.000`, `0.000250`.
pub fn format_time(at: Duration, res: Duration) -> String {
    let t = round_to(at, res);
    let d = decimals(res);
    let frac = u64::from(t.subsec_nanos()) / 10u64.pow(9 - d as u32);
    format!("{}.{:0width$}", t.as_secs(), frac, width = d)
}

/// Control characters replaced, so a snapshot is always plain text with one
/// entry per line.
/// `text` with the harness's address (which differs from case to case: it
/// follows the case's index in the run) written `HARNESS`, as a refusal's
/// text may name it (`no open connection from …`).
fn no_harness_addr(case: &CaseReport, text: &str) -> String {
    match case.harness_addr.get() {
        Some(a) => text.replace(&a.ip().to_string(), "HARNESS"),
        None => text.to_string(),
    }
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// The case's reason in a form that does not vary between runs: the first
/// mismatch (script-space numbers), else the first violation's rule and
/// citation (its message has live numbers), else the reason as given, with
/// the case's path replaced by its id.
fn stable_reason(case: &CaseReport) -> Option<String> {
    if let Some(m) = case.mismatches.first() {
        let message = mismatch_message(case, &m.message);
        return Some(match m.line {
            Some(l) => format!("line {l}: {message}"),
            None => message,
        });
    }
    let failing = case
        .violations
        .iter()
        .find(|v| v.level == "MUST" && v.deviation.is_none())
        .or_else(|| case.violations.iter().find(|v| v.deviation.is_some()));
    if let Some(v) = failing {
        return Some(format!("{} ({})", v.rule, v.section));
    }
    case.reason
        .as_ref()
        .map(|r| r.replace(&*case.path, &case.id))
}

/// The time an entry is printed at: its session time on a virtual clock; on
/// a real one the script time of the line it belongs to, when the report
/// has them (the runner checked that it came inside the line's window), so
/// that scheduling on a loaded machine cannot move it across a multiple of
/// the resolution. Entries no line expects keep their session time.
fn entry_time(case: &CaseReport, e: &crate::run::Entry) -> Duration {
    if case.virtual_time {
        return e.at;
    }
    e.line
        .and_then(|l| case.script_times.get(&l).copied())
        .unwrap_or(e.at)
}

/// The entries the snapshot shows, and each entry's number there. The
/// segments of a `> stream` line that completed are left out: its note
/// (`stream: 848 octets and the FIN`) stands for them, so that how the
/// target cut the stream into segments (a bare ACK first or not, the FIN
/// apart or not, which depends on thread scheduling against a real
/// server) does not change the snapshot. A reference to a left-out
/// segment points at the note.
fn stream_collapse(case: &CaseReport) -> (Vec<usize>, Vec<usize>) {
    let t = &case.transcript;
    let done: std::collections::BTreeSet<u32> = t
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::Note(n) if n.starts_with(crate::run::STREAM_NOTE) => e.line,
            _ => None,
        })
        .collect();
    // A retransmission recorded because the harness ran late, and its note
    // (`run::LATE_NOTE`): the on-time run has neither.
    let note =
        |i: usize, prefix: &str| matches!(&t[i].what, EntryKind::Note(n) if n.starts_with(prefix));
    let late = |i: usize| note(i, crate::run::LATE_NOTE);
    let hidden_at = |i: usize| {
        let e = &t[i];
        late(i)
            || note(i, crate::run::LATE_DEVIATION_NOTE)
            || (i + 1 < t.len() && late(i + 1))
            || (matches!(e.what, EntryKind::Packet { dir: Dir::Out, .. })
                && e.line.is_some_and(|l| done.contains(&l)))
    };
    let shown: Vec<usize> = (0..t.len()).filter(|&i| !hidden_at(i)).collect();
    let mut index = vec![0; t.len()];
    for (k, &i) in shown.iter().enumerate() {
        index[i] = k;
    }
    // A hidden segment points at the next shown entry (its line's note).
    let mut next = shown.len().saturating_sub(1);
    for i in (0..t.len()).rev() {
        if hidden_at(i) {
            index[i] = next;
        } else {
            next = index[i];
        }
    }
    (shown, index)
}

/// The normalised transcript of a case.
pub fn normalise(case: &CaseReport) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail (the `let _` below).
    let _ = writeln!(s, "case: {}", clean(&case.id));
    if let Some(t) = &case.title {
        let _ = writeln!(s, "title: {}", clean(t));
    }
    let _ = writeln!(s, "service: {}", clean(&case.service));
    let _ = writeln!(s, "target: {}", clean(&case.target));
    let _ = writeln!(s, "profile: {}", clean(&case.profile));
    let _ = writeln!(s, "outcome: {}", case.outcome.name());
    if let Some(r) = stable_reason(case) {
        let _ = writeln!(s, "reason: {}", clean(&r));
    }
    if let Some(w) = &case.waiver {
        let _ = writeln!(s, "waiver: {}", clean(w));
    }
    s.push('\n');
    let (shown, index) = stream_collapse(case);
    let width = shown.len().saturating_sub(1).to_string().len();
    // Never earlier than the entry before (an `either` note is due when
    // its block starts, a segment of a range line at the range's start).
    let mut last = Duration::ZERO;
    for (i, e) in shown.iter().map(|&i| &case.transcript[i]).enumerate() {
        last = last.max(entry_time(case, e));
        let _ = write!(s, "#{i:<width$} {} ", format_time(last, case.resolution));
        match &e.what {
            EntryKind::Packet {
                dir,
                segment,
                checksum_ok,
                ..
            } => {
                let arrow = match dir {
                    Dir::In => '<',
                    Dir::Out => '>',
                };
                let text = clean(e.what.script());
                let text = match dir {
                    Dir::Out if !case.virtual_time => real_time_tsvals(&text),
                    _ => text,
                };
                let _ = write!(s, "{arrow} {text}");
                if segment.is_none() {
                    s.push_str(" [unparsed]");
                } else if !checksum_ok {
                    s.push_str(" [bad checksum]");
                }
            }
            EntryKind::State { state, expected } => {
                let _ = write!(s, "= {state}");
                if let Some(exp) = expected {
                    let names: Vec<&str> = exp.iter().map(|s| s.rfc_name()).collect();
                    let _ = write!(s, " (expected {})", names.join("|"));
                }
            }
            EntryKind::App { action, result } => {
                let result = no_harness_addr(case, &clean(result));
                let _ = write!(s, "app {} -> {}", clean(action), result);
            }
            EntryKind::Note(n) => {
                let _ = write!(s, "# {}", clean(n));
            }
        }
        s.push('\n');
    }
    let at = |e: Option<usize>| {
        e.and_then(|i| index.get(i).copied())
            .map(|i| format!(" at #{i}"))
            .unwrap_or_default()
    };
    if !case.mismatches.is_empty() {
        s.push_str("\nmismatches:\n");
        for m in &case.mismatches {
            let line = m.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            let message = mismatch_message(case, &no_harness_addr(case, &m.message));
            let _ = writeln!(s, "- {line}{}{}", clean(&message), at(m.entry));
            if let Some(e) = &m.expected {
                let _ = writeln!(s, "  expected: {}", clean(e));
            }
            if let Some(a) = &m.actual {
                let a = no_harness_addr(case, &clean(a));
                let a = if case.virtual_time {
                    a
                } else {
                    real_time_tsvals(&a)
                };
                let _ = writeln!(s, "  actual:   {a}");
            }
        }
    }
    if !case.violations.is_empty() {
        s.push_str("\nviolations:\n");
        for v in &case.violations {
            // The message in relative numbers (which do not change with the
            // ISNs) on a virtual clock (`finding::stable_text`), under the
            // rule and where it fired.
            let _ = writeln!(
                s,
                "- {} {} {} ({}){}",
                clean(&v.level),
                clean(&v.requirement),
                clean(&v.section),
                clean(&v.rule),
                at(v.entry),
            );
            if let Some(text) = super::finding::stable_text(v, case.virtual_time) {
                let _ = writeln!(s, "  {}", clean(&text));
            }
            if let Some(d) = &v.deviation {
                let _ = writeln!(s, "  deviation allowed by profile: {}", clean(d));
            }
        }
    }
    s
}

/// A mismatch's message as the snapshot shows it: on a real-time target the
/// times in it (`expected at 0.064..1.064 s, got at 0.014 s`, `by t=1.061`)
/// are the session clock's, which moves with scheduling, so each becomes
/// `*`; what kind of mismatch it was (`early`, `got nothing`) stays.
fn mismatch_message(case: &CaseReport, message: &str) -> String {
    if case.virtual_time {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    let bytes = message.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start_of_number =
            bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if start_of_number {
            let int = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let frac = match bytes.get(i + int) {
                Some(b'.') => bytes[i + int + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count(),
                _ => 0,
            };
            if frac > 0 {
                out.push('*');
                i += int + 1 + frac;
                continue;
            }
            out.push_str(&message[i..i + int]);
            i += int;
            continue;
        }
        let ch = message[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// A real-time target's TSvals follow its clock (relative to its first,
/// which may already be a tick late), so they change with scheduling:
/// `TS val *` in the snapshot form, the value itself in the raw transcript.
pub(crate) fn real_time_tsvals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("TS val ") {
        let (head, tail) = rest.split_at(i + "TS val ".len());
        out.push_str(head);
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(if digits == 0 { "" } else { "*" });
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// The `<case>.txt` transcript: the normalised form, then the raw session
/// times and tcpdump lines (with addresses and absolute numbers) for people
/// debugging a run. Unlike [`normalise`], this varies between runs.
pub fn transcript_text(case: &CaseReport) -> String {
    let mut s = normalise(case);
    let _ = writeln!(
        s,
        "\nraw ({} time, harness {}, target {}, seed {}):",
        if case.virtual_time { "virtual" } else { "real" },
        case.harness_addr,
        case.target_addr,
        case.seed
    );
    for (i, e) in case.transcript.iter().enumerate() {
        if let EntryKind::Packet { segment, bytes, .. } = &e.what {
            let line = match segment {
                Some(seg) => seg.to_string(),
                None => format!("{} bytes, not a TCP segment", bytes.len()),
            };
            let _ = writeln!(s, "#{i} {:.6} {}", e.at.as_secs_f64(), line);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn times_round_down_to_the_resolution() {
        let ms = Duration::from_millis(1);
        assert_eq!(format_time(Duration::from_micros(1499), ms), "0.001");
        assert_eq!(format_time(Duration::from_micros(1999), ms), "0.001");
        assert_eq!(format_time(Duration::from_micros(2000), ms), "0.002");
        assert_eq!(format_time(Duration::from_secs(60), ms), "60.000");
        let ten = Duration::from_millis(10);
        assert_eq!(format_time(Duration::from_millis(1004), ten), "1.000");
        assert_eq!(format_time(Duration::from_millis(1009), ten), "1.000");
        assert_eq!(
            format_time(Duration::from_micros(250), Duration::from_micros(50)),
            "0.000250"
        );
        assert_eq!(
            format_time(Duration::from_nanos(7), Duration::ZERO),
            "0.000000007"
        );
    }

    #[test]
    fn a_real_time_targets_mismatch_times_are_redacted_and_virtual_ones_kept() {
        let mut case = fixture::closed_port_fail();
        case.virtual_time = false;
        let m = "timing: expected at 0.064..1.064 s, got at 0.014 s (early)";
        assert_eq!(
            mismatch_message(&case, m),
            "timing: expected at *..* s, got at * s (early)"
        );
        assert_eq!(
            mismatch_message(&case, "expected a segment by t=1.061, got nothing"),
            "expected a segment by t=*, got nothing"
        );
        // Sequence numbers, lengths and version-like names are not times.
        let m = "tcp.len: expected 1460, got 1240; line 22 at rfc9293";
        assert_eq!(mismatch_message(&case, m), m);
        case.virtual_time = true;
        let m = "timing: expected at 0.064..1.064 s, got at 0.014 s (early)";
        assert_eq!(mismatch_message(&case, m), m);
    }

    #[test]
    fn a_real_time_targets_tsvals_are_redacted() {
        assert_eq!(
            real_time_tsvals("S 0:0(0) win 64240 <mss 1460,sackOK,TS val 21 ecr 0,nop>"),
            "S 0:0(0) win 64240 <mss 1460,sackOK,TS val * ecr 0,nop>"
        );
        assert_eq!(
            real_time_tsvals("S 0:0(0) <TS val 0 ecr 0>"),
            "S 0:0(0) <TS val * ecr 0>"
        );
        assert_eq!(real_time_tsvals(". 1:1(0) ack 1"), ". 1:1(0) ack 1");
    }

    #[test]
    fn normalised_echo_has_no_addresses_isns_or_wall_times() {
        let c = fixture::echo_pass();
        let n = normalise(&c);
        assert!(n.starts_with("case: core/b01-echo\n"), "{n}");
        assert!(
            n.contains("#0 0.000 < S 0:0(0) win 65535 <mss 1460>\n"),
            "{n}"
        );
        assert!(
            n.contains("#1 0.000 > S. 0:0(0) ack 1 win 65535 <mss 1460>\n"),
            "{n}"
        );
        assert!(
            n.contains("#3 0.001 = ESTABLISHED (expected ESTABLISHED)\n"),
            "{n}"
        );
        assert!(n.contains("#9 1.004 < . 7:7(0) ack 7 win 65535\n"), "{n}");
        for leak in [
            "192.0.2",
            "198.51.100",
            "40000",
            "4294967280",
            "cases/",
            "1234",
        ] {
            assert!(!n.contains(leak), "leaks {leak}: {n}");
        }
    }

    #[test]
    fn normalised_form_ignores_what_varies_between_runs() {
        let a = fixture::closed_port_fail();
        let mut b = a.clone();
        b.wall_time = Duration::from_secs(9);
        b.seed = 99;
        b.path = "/tmp/elsewhere/x.pkt".into();
        b.harness_addr = "198.51.100.9:1".parse().expect("an address");
        b.transcript[1].at += Duration::from_micros(300); // jitter below resolution
        assert_eq!(normalise(&a), normalise(&b));
        let mut c = a.clone();
        c.transcript[1].at += Duration::from_millis(5);
        assert_ne!(normalise(&a), normalise(&c));
    }

    /// A refusal naming the harness's address (which follows the case's
    /// index in the run) reads the same whatever the address.
    #[test]
    fn the_harness_address_in_an_app_result_or_mismatch_is_redacted() {
        let with = |addr: &str| {
            let mut c = fixture::closed_port_fail();
            c.harness_addr = format!("{addr}:53060").parse().expect("an address");
            let text = format!("-1 (no open connection from {addr}:53060 has been accepted)");
            c.transcript.push(crate::run::Entry {
                at: Duration::ZERO,
                line: Some(7),
                what: EntryKind::App {
                    action: "close(4)".into(),
                    result: text.clone(),
                },
            });
            c.mismatches[0].actual = Some(format!("close(4) = {text}"));
            normalise(&c)
        };
        let (a, b) = (with("198.51.100.94"), with("198.51.100.100"));
        assert_eq!(a, b);
        assert!(a.contains("from HARNESS:53060"), "{a}");
    }

    #[test]
    fn mismatches_and_violations_are_listed_with_citations_and_no_live_numbers() {
        let n = normalise(&fixture::closed_port_fail());
        assert!(
            n.contains("mismatches:\n- line 6: tcp.ack: expected 1, got 2 at #1\n"),
            "{n}"
        );
        assert!(
            n.contains("- MUST MUST-2 RFC 9293 §3.10.7.1 (rst-closed-ack) at #1\n"),
            "{n}"
        );
        let v = normalise(&fixture::v6_deviation());
        assert!(
            v.contains("< P. 1:4(3) ack 1 win 65535 [bad checksum]"),
            "{v}"
        );
        assert!(
            v.contains("deviation allowed by profile: smoltcp keeps TIME-WAIT"),
            "{v}"
        );
    }

    #[test]
    fn control_characters_cannot_break_lines() {
        let n = normalise(&fixture::nasty_unsupported());
        assert!(!n.contains('\u{1}') && !n.contains('\u{7}'));
        assert!(
            n.contains("# note with <b>markup</b> & \u{fffd} control"),
            "{n}"
        );
    }

    #[test]
    fn transcript_text_adds_raw_lines_with_addresses() {
        let t = transcript_text(&fixture::echo_pass());
        assert!(
            t.contains("raw (virtual time, harness 198.51.100.1:40000"),
            "{t}"
        );
        assert!(
            t.contains("#0 0.000000 198.51.100.1.40000 > 192.0.2.1.8080: Flags [S]"),
            "{t}"
        );
    }
}
