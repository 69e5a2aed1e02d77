//! Tests of the case language: each construct, the diagnostics as the user
//! sees them, and the parse/print round trip (also on random input).

use super::*;
use crate::wire::{TcpFlags, TcpState};

const EXAMPLE: &str = r#"// Comments are // to end of line or /* ... */ (may span lines).
//! title: SYN to a closed port is answered by RST|ACK
//! rfc: 9293 3.10.7.1
//! covers: T02
//! service: closed
//! tags: core, fast
0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0    > R. 0:0(0) ack 1 win 0
+0.1  < . 1:1(0) ack 1 win 65535
*     > . 1:1(0) ack 1 win *
0.1~0.3 > F. 1:1(0) ack 2 <...>
+0    < P. 1:19(18) ack 1 win 65535 payload "GET / HTTP/1.0\r\n\r\n"
+0    > P. 1:42(41) ack 19 payload *
+0    < S. 0:0(0) ack 1 win 0 csum bad
+0    < . 1:1(0) ack 1 win 100 <raw fd0401ff, eol>
+0    > . 1:1(0) ack 1 win 65535 <nop,nop,TS val * ecr 100, sack 1:2 5:10>
+0    state CLOSE-WAIT
either
+0    > F. 1:1(0) ack 2
or
+0    > . 1:1(0) ack 2
+0~0.5 > F. 1:1(0) ack 2
end
+0    close(3) = 0
+0    write(4, ..., 100) = 100
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
"#;

#[track_caller]
fn ok(src: &str) -> Script {
    match parse(src, "t.case") {
        Ok(s) => s,
        Err(d) => panic!("parse failed:\n{}", render(&d)),
    }
}

/// The rendered first diagnostic.
#[track_caller]
fn error(src: &str) -> String {
    match parse(src, "t.case") {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(d) => d[0].to_string(),
    }
}

#[track_caller]
fn only_line(src: &str) -> Line {
    let s = ok(src);
    assert_eq!(s.items.len(), 1, "{s:?}");
    match s.items.into_iter().next() {
        Some(Item::Line(l)) => l,
        other => panic!("not a line: {other:?}"),
    }
}

#[track_caller]
fn packet(src: &str) -> PacketLine {
    match only_line(src).kind {
        LineKind::Packet(p) => p,
        other => panic!("not a packet line: {other:?}"),
    }
}

#[track_caller]
fn syscall(src: &str) -> SyscallLine {
    match only_line(src).kind {
        LineKind::Syscall(s) => s,
        other => panic!("not a syscall line: {other:?}"),
    }
}

fn exact<T: Clone>(s: &Option<Spanned<Value<T>>>) -> Option<T> {
    s.as_ref().and_then(|v| v.node.exact().cloned())
}

/// Asserts the round trip and the fixed point on one source.
#[track_caller]
fn assert_round_trip(src: &str) {
    fuzz_parse_roundtrip(src.as_bytes());
    assert!(
        parse(src, "t").is_ok(),
        "round-trip input must parse: {src}"
    );
}

// --- the whole example -------------------------------------------------------

#[test]
fn example_case_parses_into_the_expected_shape() {
    let s = ok(EXAMPLE);
    assert_eq!(s.meta.len(), 5);
    assert_eq!(
        s.meta("title").map(|m| &m.value),
        Some(&MetaValue::Text(
            "SYN to a closed port is answered by RST|ACK".into()
        ))
    );
    assert_eq!(
        s.meta("tags").map(|m| &m.value),
        Some(&MetaValue::List(vec!["core".into(), "fast".into()]))
    );
    // 16 lines before the block, the block, 4 syscalls.
    assert_eq!(s.items.len(), 11 + 1 + 4);
    match &s.items[11] {
        Item::Either { branches, span } => {
            assert_eq!(branches.len(), 2);
            assert_eq!(branches[0].len(), 1);
            assert_eq!(branches[1].len(), 2);
            assert_eq!(span.line, 18);
        }
        other => panic!("expected the either block, got {other:?}"),
    }
}

#[test]
fn example_case_round_trips() {
    assert_round_trip(EXAMPLE);
    let printed = print(&ok(EXAMPLE));
    assert!(printed.starts_with("//! title: SYN to a closed port is answered by RST|ACK\n"));
    assert!(printed
        .contains("\n0 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"));
    assert!(printed.contains("\n0.1~0.3 > F. 1:1(0) ack 2 <...>\n"));
    assert!(printed.contains(
        "\neither\n+0 > F. 1:1(0) ack 2\nor\n+0 > . 1:1(0) ack 2\n+0~0.5 > F. 1:1(0) ack 2\nend\n"
    ));
    assert!(
        printed.ends_with("+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)\n")
    );
}

#[test]
fn spans_point_at_the_source() {
    let src = "0 < S 0:0(0)\n+0.25 > S. 0:0(0) ack 1\n";
    let s = ok(src);
    let Item::Line(second) = &s.items[1] else {
        panic!()
    };
    assert_eq!((second.span.line, second.span.col), (2, 1));
    assert_eq!(&src[second.time.span.start..second.time.span.end], "+0.25");
    let LineKind::Packet(p) = &second.kind else {
        panic!()
    };
    assert_eq!(&src[p.flags.span.start..p.flags.span.end], "S.");
    assert_eq!(p.flags.span.col, 9);
    let ack = p.ack.as_ref().map(|a| &src[a.span.start..a.span.end]);
    assert_eq!(ack, Some("1"));
}

// --- time -----------------------------------------------------------------------

#[test]
fn times_are_integer_microseconds() {
    let t = |s: &str| only_line(&format!("{s} > S. 0:0(0)")).time.node;
    assert_eq!(t("0"), TimeSpec::Absolute(0));
    assert_eq!(t("0.1"), TimeSpec::Absolute(100_000));
    assert_eq!(t("1.000001"), TimeSpec::Absolute(1_000_001));
    assert_eq!(t("+0.25"), TimeSpec::Relative(250_000));
    assert_eq!(t("*"), TimeSpec::Any);
    assert_eq!(
        t("0.1~0.2"),
        TimeSpec::AbsoluteRange {
            lo: 100_000,
            hi: 200_000
        }
    );
    assert_eq!(t("+0~0.5"), TimeSpec::RelativeRange { lo: 0, hi: 500_000 });
    assert_eq!(t("+0~+0.5"), TimeSpec::RelativeRange { lo: 0, hi: 500_000 });
}

#[test]
fn packetdrill_time_spellings_are_accepted() {
    let t = |s: &str| only_line(&format!("{s} > S. 0:0(0)")).time.node;
    assert_eq!(t("+.1"), TimeSpec::Relative(100_000));
    assert_eq!(t(".025"), TimeSpec::Absolute(25_000));
    assert_eq!(
        t("0.1...0.2"),
        TimeSpec::AbsoluteRange {
            lo: 100_000,
            hi: 200_000
        }
    );
    assert_eq!(
        t("+0...0.5"),
        TimeSpec::RelativeRange { lo: 0, hi: 500_000 }
    );
    assert!(error("+. 1 < S 0:0(0)").contains("expected a time in seconds"));
    assert_round_trip("+.1 < S 0:0(0)\n+.2....3 > S. 0:0(0) ack 1");
}

#[test]
fn times_with_more_than_six_decimals_are_rejected() {
    assert_eq!(
        error("0.0000001 < S 0:0(0)"),
        "error: `0.0000001` has more than 6 decimals (times are kept in microseconds)
 --> t.case:1:1
  |
1 | 0.0000001 < S 0:0(0)
  | ^^^^^^^^^"
    );
}

#[test]
fn a_time_range_must_not_run_backwards() {
    assert!(error("0.2~0.1 > S 0:0(0)").contains("ends before it starts"));
}

#[test]
fn an_injected_segment_needs_an_exact_time() {
    assert!(error("* < S 0:0(0)").contains("a `<` line needs an exact time"));
    assert!(error("0~1 < S 0:0(0)").contains("a `<` line needs an exact time"));
}

// --- flags, sequence ranges, fields ------------------------------------------

#[test]
fn flags_parse_in_any_order_with_reserved_bits() {
    let f = |s: &str| packet(&format!("0 > {s} 0:0(0)")).flags.node;
    assert_eq!(f("S"), Value::Exact(TcpFlags::SYN));
    assert_eq!(f("S."), Value::Exact(TcpFlags::SYN | TcpFlags::ACK));
    assert_eq!(f(".S"), Value::Exact(TcpFlags::SYN | TcpFlags::ACK));
    assert_eq!(
        f("FP."),
        Value::Exact(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::ACK)
    );
    assert_eq!(f("Sr5"), Value::Exact(TcpFlags(0xA02)));
    assert_eq!(f("r5S"), Value::Exact(TcpFlags(0xA02)));
    assert_eq!(
        f("UEWN"),
        Value::Exact(TcpFlags::URG | TcpFlags::ECE | TcpFlags::CWR | TcpFlags::AE)
    );
    assert_eq!(f("none"), Value::Exact(TcpFlags::empty()));
    assert_eq!(f("*"), Value::Any);
}

#[test]
fn a_flag_given_twice_is_an_error() {
    assert!(error("0 < SS 0:0(0)").contains("flag `S` given twice"));
    assert!(error("0 < Sr1r2 0:0(0)").contains("reserved bits given twice"));
    assert!(error("0 < Sr8 0:0(0)").contains("`r` must be followed by the reserved bits"));
}

#[test]
fn an_unknown_flag_letter_is_pointed_at() {
    assert_eq!(
        error("0 < SQ. 0:0(0)"),
        "error: unknown TCP flag `Q`
 --> t.case:1:6
  |
1 | 0 < SQ. 0:0(0)
  |      ^
  = help: flags are S F R P U E W N, `.` for ACK, r0-r7 for the reserved bits (e.g. `S.`, `F.`, `Sr5`), or `none`; on `>` lines a `?` after a letter makes it optional (`F.P?`)"
    );
}

#[test]
fn sequence_ranges_wrap_modulo_2_32() {
    let p = packet("0 < P. 4294967295:4(5) ack 1 payload \"hello\"");
    assert_eq!(
        exact(&p.seq),
        Some(SeqRange {
            start: u32::MAX,
            len: 5
        })
    );
    assert_eq!(
        SeqRange {
            start: u32::MAX,
            len: 5
        }
        .end(),
        4
    );
}

#[test]
fn the_sequence_range_is_optional_or_any_on_expected_lines_only() {
    assert_eq!(packet("0 > . ack 1").seq, None);
    assert_eq!(
        packet("0 > . * ack 1").seq.map(|s| s.node),
        Some(Value::Any)
    );
    assert!(error("0 < . ack 1").contains("expected seq:end(len) after the flags"));
}

#[test]
fn fields_come_in_any_order() {
    let p = packet("0 > P. 1:3(2) payload \"hi\" urg 5 <nop> win 100 ack 7");
    assert_eq!(exact(&p.ack), Some(7));
    assert_eq!(exact(&p.win), Some(100));
    assert_eq!(exact(&p.urg), Some(5));
    assert_eq!(exact(&p.payload), Some(b"hi".to_vec()));
    assert_eq!(p.options.map(|o| o.items.len()), Some(1));
    assert_eq!(p.direction, Direction::Expect);
    assert!(!p.bad_csum);
}

#[test]
fn any_values_are_kept_as_any() {
    let p = packet("0 > . 1:1(0) ack * win * urg *");
    assert_eq!(p.ack.map(|v| v.node), Some(Value::Any));
    assert_eq!(p.win.map(|v| v.node), Some(Value::Any));
    assert_eq!(p.urg.map(|v| v.node), Some(Value::Any));
}

#[test]
fn bad_checksum_is_only_for_injected_segments() {
    assert!(packet("0 < S 0:0(0) csum bad").bad_csum);
    assert!(error("0 > S 0:0(0) csum bad").contains("`csum bad` is only allowed on `<` lines"));
}

#[test]
fn payload_escapes_are_decoded() {
    let p = packet(r#"0 < P. 1:8(7) ack 1 payload "\r\n\t\\\"\x00\xff""#);
    assert_eq!(exact(&p.payload), Some(b"\r\n\t\\\"\x00\xff".to_vec()));
}

#[test]
fn values_out_of_range_are_rejected() {
    assert!(error("0 < . 1:1(0) win 65536").contains("out of range (at most 65535)"));
    assert!(error("0 < . 1:1(0) ack 4294967296").contains("out of range"));
    assert!(error("0 < S 0:0(0) <wscale 256>").contains("out of range"));
}

#[test]
fn a_field_given_twice_is_an_error() {
    assert!(error("0 < . 1:1(0) ack 1 ack 2").contains("`ack` given twice"));
}

// --- options --------------------------------------------------------------------

#[test]
fn every_option_kind_parses() {
    let p = packet("0 > S. 0:0(0) <mss 1460,wscale 7,sackOK,sack 1:2 5:10,TS val 5 ecr *,nop,eol,raw fd 04 01ff,...>");
    let o = p.options.expect("options");
    let kinds: Vec<OptSpec> = o.items.into_iter().map(|i| i.node).collect();
    assert_eq!(
        kinds,
        vec![
            OptSpec::Mss(Value::Exact(1460)),
            OptSpec::WScale(Value::Exact(7)),
            OptSpec::SackOk,
            OptSpec::Sack(vec![
                (Value::Exact(1), Value::Exact(2)),
                (Value::Exact(5), Value::Exact(10))
            ]),
            OptSpec::Ts {
                val: Value::Exact(5),
                ecr: Value::Any
            },
            OptSpec::Nop,
            OptSpec::Eol,
            OptSpec::Raw(vec![0xfd, 0x04, 0x01, 0xff]),
        ]
    );
    assert!(o.more);
    assert!(!o.any);
}

#[test]
fn any_options_and_no_options_differ() {
    let any = packet("0 > S. 0:0(0) <...>").options.expect("options");
    assert!(any.any && any.items.is_empty());
    let none = packet("0 > S. 0:0(0) <>").options.expect("options");
    assert!(!none.any && !none.more && none.items.is_empty());
}

#[test]
fn option_mistakes_are_reported() {
    assert!(error("0 > S. 0:0(0) <..., nop>").contains("`...` must be the last option"));
    assert!(error("0 < S 0:0(0) <nop,...>").contains("only allowed on `>` lines"));
    assert!(error("0 < S 0:0(0) <...>").contains("only allowed on `>` lines"));
    assert!(error("0 < S 0:0(0) <raw fd0>").contains("even number of hex digits"));
    assert!(error("0 < S 0:0(0) <raw zz>").contains("is not hex"));
    assert!(error("0 < S 0:0(0) <foo 1>").contains("unknown option `foo`"));
    assert!(error("0 < S 0:0(0) <mss 1460").contains("expected `,` or `>` after an option"));
    assert!(error("0 < S 0:0(0) <TS 1 ecr 2>").contains("expected `val` after `TS`"));
}

// --- state, either ----------------------------------------------------------------

#[test]
fn state_lines_accept_rfc_and_ss_spellings() {
    for (name, state) in [
        ("CLOSE-WAIT", TcpState::CloseWait),
        ("SYN-RECV", TcpState::SynReceived),
        ("FIN-WAIT-1", TcpState::FinWait1),
        ("established", TcpState::Established),
    ] {
        match only_line(&format!("+0 state {name}")).kind {
            LineKind::State(s) => assert_eq!(s.state, state),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_unknown_state_is_pointed_at() {
    assert_eq!(
        error("+0 state CLOSE-WAITING"),
        "error: unknown TCP state `CLOSE-WAITING` (expected e.g. ESTABLISHED, CLOSE-WAIT, TIME-WAIT)
 --> t.case:1:10
  |
1 | +0 state CLOSE-WAITING
  |          ^^^^^^^^^^^^^
  = help: states are spelled as RFC 9293 (SYN-RECEIVED, FIN-WAIT-1) or ss (SYN-RECV, ESTAB) spells them"
    );
}

#[test]
fn an_injected_segment_inside_either_is_refused() {
    assert_eq!(
        error("either\n+0 > F. 1:1(0) ack 2\nor\n+0 < . 1:1(0) ack 2\nend\n"),
        "error: an injected segment (`<`) cannot be an alternative
 --> t.case:4:4
  |
4 | +0 < . 1:1(0) ack 2
  |    ^
  = help: `either` branches list what the target may do: only `>` and `state` lines; put the `<` line before the block"
    );
}

#[test]
fn a_syscall_inside_either_is_refused() {
    assert!(error("either\n+0 > F. 1:1(0)\nor\n+0 close(3) = 0\nend")
        .contains("a syscall cannot be an alternative"));
}

#[test]
fn an_either_without_end_is_reported_at_either() {
    assert_eq!(
        error("0 < S 0:0(0)\neither\n+0 > S. 0:0(0) ack 1\nor\n+0 > R. 0:0(0) ack 1\n"),
        "error: `either` without a matching `end`
 --> t.case:2:1
  |
2 | either
  | ^^^^^^
  = help: close the alternatives with `end` on its own line"
    );
}

#[test]
fn either_block_shape_errors() {
    assert!(error("either\n+0 > S 0:0(0)\nend").contains("at least two alternatives"));
    assert!(error("either\nor\n+0 > S 0:0(0)\nend").contains("empty alternative before `or`"));
    assert!(error("either\n+0 > S 0:0(0)\nor\nend").contains("empty alternative before `end`"));
    assert!(error("or\n").contains("`or` outside an `either` block"));
    assert!(error("end\n").contains("`end` without a matching `either`"));
    assert!(error("either\n+0 > S 0:0(0)\neither\n").contains("do not nest"));
    assert!(error("0 either").contains("unexpected `either` after the time"));
    assert!(error("either now").contains("unexpected `now` after `either`"));
}

#[test]
fn either_branches_may_hold_state_lines() {
    let s = ok("either\n+0 state FIN-WAIT-1\nor\n+0 > . 1:1(0) ack 2\n+0 state CLOSING\nend");
    let Item::Either { branches, .. } = &s.items[0] else {
        panic!("{s:?}")
    };
    assert_eq!(branches[1].len(), 2);
}

// --- syscalls --------------------------------------------------------------------

#[test]
fn syscall_arguments_are_parsed_into_expressions() {
    let s = syscall("+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
    assert_eq!(s.name, "setsockopt");
    assert_eq!(s.args.len(), 5);
    assert_eq!(s.args[1].kind, ExprKind::Ident("SOL_SOCKET".into()));
    assert!(matches!(&s.args[3].kind, ExprKind::Array(xs) if xs[0].kind == ExprKind::Int(1)));
    assert_eq!(s.result.kind, ExprKind::Int(0));
    assert_eq!(s.errno, None);
}

#[test]
fn syscall_errno_and_note_are_kept() {
    let s = syscall("+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)");
    assert_eq!(s.args[1].kind, ExprKind::Ellipsis);
    assert_eq!(s.result.kind, ExprKind::Int(-1));
    assert_eq!(s.errno.as_deref(), Some("EAGAIN"));
    assert_eq!(s.note.as_deref(), Some("Resource temporarily unavailable"));
}

#[test]
fn syscall_expressions_cover_flags_structs_strings_and_addresses() {
    let s = syscall(
        r#"+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}, &len, O_RDWR|O_NONBLOCK|0x10, -9223372036854775808) = 0"#,
    );
    let ExprKind::Struct(fields) = &s.args[1].kind else {
        panic!("{s:?}")
    };
    assert_eq!(fields[0].0, "sa_family");
    assert!(
        matches!(&fields[1].1.kind, ExprKind::Call { name, args } if name == "htons" && args[0].kind == ExprKind::Int(8080))
    );
    assert!(
        matches!(&fields[2].1.kind, ExprKind::Call { args, .. } if args[0].kind == ExprKind::Str(b"192.0.2.1".to_vec()))
    );
    assert_eq!(s.args[2].kind, ExprKind::AddrOf("len".into()));
    let ExprKind::Or(terms) = &s.args[3].kind else {
        panic!()
    };
    assert_eq!(terms[2].kind, ExprKind::Int(16));
    assert_eq!(s.args[4].kind, ExprKind::Int(i64::MIN));
}

#[test]
fn syscall_mistakes_are_reported() {
    assert!(error("+0 close(3)").contains("expected `=`"));
    assert!(error("+0 close(3 = 0").contains("expected `,` or `)`"));
    assert!(error("+0 f({a 1}) = 0").contains("expected `=` after the field name `a`"));
    assert!(error("+0 f(1) = -1 EAGAIN (oops").contains("unclosed `(`"));
    let deep = format!("+0 f({}1{}) = 0", "[".repeat(100), "]".repeat(100));
    assert!(error(&deep).contains("nested too deeply"));
}

// --- metadata --------------------------------------------------------------------

#[test]
fn metadata_is_typed_by_key_and_unknown_keys_are_kept() {
    let s = ok("//! rfc: 9293 3.10.7.1\n//! rfc: 5961 3.2\n//! covers: T02, T03\n//! close-delay: 0.2\n//! tolerance: 0.05\n//! deadline: 3\n//! flavour: vanilla\n0 < S 0:0(0) //! profile: linux\n");
    assert_eq!(s.meta_all("rfc").count(), 2);
    let v = |k: &str| s.meta(k).map(|m| m.value.clone());
    assert_eq!(
        v("covers"),
        Some(MetaValue::List(vec!["T02".into(), "T03".into()]))
    );
    assert_eq!(v("close-delay"), Some(MetaValue::Duration(200_000)));
    assert_eq!(v("tolerance"), Some(MetaValue::Duration(50_000)));
    assert_eq!(v("deadline"), Some(MetaValue::Duration(3_000_000)));
    assert_eq!(v("flavour"), Some(MetaValue::Text("vanilla".into())));
    assert_eq!(v("profile"), Some(MetaValue::Text("linux".into())));
    assert_eq!(s.meta("flavour").map(|m| m.span.line), Some(7));
    assert_eq!(s.meta_text("profile"), Some("linux"));
    assert_eq!(s.meta_list("covers"), vec!["T02", "T03"]);
    assert_eq!(s.meta_duration("deadline"), Some(3_000_000));
    assert_eq!(s.meta_text("deadline"), None);
    assert_eq!(s.items.len(), 1);
}

#[test]
fn metadata_mistakes_are_reported() {
    assert!(error("//! deadline: soon").contains("`deadline`: `soon` is not a time in seconds"));
    assert!(error("//! no colon here").contains("expected `:` after the metadata key"));
    assert!(error("//! two words: x").contains("is not a metadata key"));
}

// --- diagnostics -----------------------------------------------------------------

#[test]
fn a_missing_colon_points_after_the_start_sequence_number() {
    let src = "// header\n".repeat(11) + "+0 < S 0 0(0) win 65535\n";
    let d = match parse(&src, "cases/core/b01.case") {
        Err(d) => d,
        Ok(s) => panic!("{s:?}"),
    };
    assert_eq!(
        d[0].to_string(),
        "error: expected `:` after the start sequence number
 --> cases/core/b01.case:12:9
   |
12 | +0 < S 0 0(0) win 65535
   |         ^
   = help: sequence ranges are written seq:end(len), e.g. 0:0(0)"
    );
}

#[test]
fn a_star_on_an_injected_line_is_refused() {
    assert_eq!(
        error("0 < . 1:1(0) win *"),
        "error: `*` (any value) is only allowed on `>` lines
 --> t.case:1:18
  |
1 | 0 < . 1:1(0) win *
  |                  ^
  = help: a `<` line injects a segment, so every field needs an exact value"
    );
    assert!(error("0 < * 1:1(0)").contains("`*` (any flags) is only allowed on `>` lines"));
    assert!(error("0 < . * ack 1").contains("only allowed on `>` lines"));
    assert!(error("0 < P. 1:3(2) payload *").contains("only allowed on `>` lines"));
}

#[test]
fn optional_flags_parse_print_and_are_refused_on_injected_lines() {
    let p = packet("0 > F.P? 1:11(10) ack 2");
    assert_eq!(p.flags.node, Value::Exact(TcpFlags::FIN | TcpFlags::ACK));
    assert_eq!(p.flags_optional, TcpFlags::PSH);
    let printed = print(&parse("0 > F.P? 1:11(10) ack 2\n", "t.case").expect("parses"));
    assert!(printed.contains("> F.P? 1:11(10)"), "{printed}");
    assert!(error("0 < F.P? 1:11(10)").contains("optional flag (`?`) is only allowed on `>` lines"));
    assert!(error("0 > FP?P 1:11(10)").contains("flag `P` given twice"));
    // Only optional flags (found by the script_parse fuzz target).
    let src = "0 > .? 1:1(0) ack 1\n";
    let printed = print(&parse(src, "t.case").expect("parses"));
    assert!(printed.contains("> .? 1:1(0) ack 1"), "{printed}");
    crate::script::fuzz_parse_roundtrip(src.as_bytes());
}

#[test]
fn ack_star_on_an_injected_line_means_everything_the_target_sent() {
    let p = packet("0 < . 1:1(0) ack *");
    assert_eq!(p.ack.map(|a| a.node), Some(Value::Any));
}

#[test]
fn a_payload_length_mismatch_is_pointed_at() {
    assert_eq!(
        error("+0 < P. 1:19(18) ack 1 payload \"GET /\""),
        "error: the payload is 5 bytes but the sequence range says 18
 --> t.case:1:32
  |
1 | +0 < P. 1:19(18) ack 1 payload \"GET /\"
  |                                ^^^^^^^
  = help: len in seq:end(len) counts the payload bytes (plus 1 for SYN and FIN on their own: write them with len 0)"
    );
}

#[test]
fn a_sequence_range_that_does_not_add_up_is_an_error() {
    assert_eq!(
        error("0 < P. 1:10(18)"),
        "error: end - seq is 9 but the length is 18
 --> t.case:1:8
  |
1 | 0 < P. 1:10(18)
  |        ^^^^^^^^
  = help: in seq:end(len), end must be seq + len (modulo 2^32)"
    );
}

#[test]
fn an_unterminated_comment_is_reported_where_it_starts() {
    assert_eq!(
        error("0 < S 0:0(0)\n+0 > S. 0:0(0) /* never\nclosed\n"),
        "error: unterminated `/*` comment
 --> t.case:2:16
  |
2 | +0 > S. 0:0(0) /* never
  |                ^^^^^^^^"
    );
}

#[test]
fn block_comments_may_span_lines() {
    let s = ok("0 < S /* a\nb */ 0:0(0)\n/* c */ +0 > S. 0:0(0) ack 1");
    assert_eq!(s.items.len(), 2);
}

#[test]
fn errors_on_several_lines_are_all_reported_up_to_the_limit() {
    let d = parse("0 < Q 0:0(0)\n0 < S 0:0(0)\n+0 > S. 0 0(0)\n", "t").expect_err("two errors");
    assert_eq!(d.len(), 2);
    assert_eq!((d[0].span.line, d[1].span.line), (1, 3));
    let many = "0 < Q 0:0(0)\n".repeat(50);
    assert_eq!(parse(&many, "t").expect_err("errors").len(), MAX_ERRORS);
}

#[test]
fn render_separates_diagnostics() {
    let d = parse("0 < Q 0:0(0)\n0 < Q 0:0(0)\n", "t").expect_err("errors");
    let r = render(&d);
    assert_eq!(r.matches("error: unknown TCP flag `Q`").count(), 2);
    assert!(r.contains("^\n  = help: flags are"));
}

#[test]
fn parse_file_names_the_path_on_io_errors() {
    let path = std::path::Path::new("/nonexistent/synack/x.case");
    let e = parse_file(path).expect_err("missing file");
    assert!(e
        .to_string()
        .starts_with("cannot read case file /nonexistent/synack/x.case: "));
}

#[test]
fn parse_file_reports_diagnostics_with_the_path() {
    let dir = std::env::temp_dir().join(format!("synack-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.case");
    std::fs::write(&path, "0 < S 0 0(0)\n").expect("write");
    let e = parse_file(&path).expect_err("bad case");
    assert!(e
        .to_string()
        .contains(&format!("--> {}:1:8", path.display())));
    std::fs::write(&path, EXAMPLE).expect("write");
    assert!(parse_file(&path).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

// --- round trip ------------------------------------------------------------------

#[test]
fn every_construct_round_trips() {
    for src in [
        "0 < S 0:0(0)",
        "0 > * ack 1",
        "0 > * * <...>",
        "0 > none 0:0(0) <>",
        "0.000001 > .r7 4294967295:3(4) payload \"\\x00\\xff\\\"x\"",
        "+1.5~3 > FPUEWN. 1:1(0) urg * win * ack *",
        "+0 > S 0:0(0) <raw 00,raw ff01, sack, sack 1:2 * : *, TS val 0 ecr 4294967295>",
        "+0 < S 0:0(0) <raw 00> csum bad",
        "//! a: \n//! covers: ,x,, y\n//! tolerance: 1.000000\n0 state TIME_WAIT",
        "+0 f() = ...\n+0 g([], {}, [[1], {a=[b]}], \"s\", &x, A|-1|B) = h(1) EBADF ()\n",
        "+0 read(4, ..., 1) = -1 EAGAIN (nested (parens) /* and a comment */ kept)",
        "either\n* > F. 1:1(0)\nor\n* state CLOSED\nor\n0~1 > R 1:1(0)\nend",
    ] {
        assert_round_trip(src);
    }
}

#[test]
fn print_is_canonical() {
    let s = ok("0.100  >  S.  0:0(0)   win 10 ack 0x10 <mss 0x5b4 , nop>\n");
    assert_eq!(print(&s), "0.1 > S. 0:0(0) ack 16 win 10 <mss 1460,nop>\n");
}

/// A xorshift64 generator: deterministic, no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FUZZ_TOKENS: &[&str] = &[
    "0",
    "+0",
    "0.1",
    "+0.25",
    "*",
    "~",
    "<",
    ">",
    " ",
    " ",
    " ",
    "\n",
    "\n",
    "S",
    "S.",
    ".",
    "F",
    "R",
    "P",
    "r5",
    "N",
    "1:1(0)",
    "0:0(0)",
    "1:3(2)",
    ":",
    "(",
    ")",
    "ack",
    "win",
    "urg",
    "1",
    "65535",
    "4294967295",
    "0x10",
    "payload",
    "\"hi\"",
    "\"\\x4",
    "csum",
    "bad",
    "<mss 1460>",
    "<...>",
    "<nop,",
    "sackOK",
    "sack",
    "TS",
    "val",
    "ecr",
    "raw",
    "fd04",
    ",",
    "...",
    "state",
    "ESTABLISHED",
    "CLOSE-WAIT",
    "either",
    "or",
    "end",
    "close(3) = 0",
    "read",
    "[",
    "]",
    "{",
    "}",
    "=",
    "|",
    "&",
    "-",
    "EAGAIN",
    "(x)",
    "//! tags: a, b",
    "//! deadline: 1",
    "//",
    "/*",
    "*/",
    "\t",
    "é",
    "\u{0}",
    "\r",
    "\"",
];

#[test]
fn random_inputs_never_panic_and_accepted_ones_round_trip() {
    let mut rng = XorShift(0x5eed_1234_abcd_ef01);
    let mut accepted = 0;
    for i in 0..100_000 {
        let src = if i % 2 == 0 {
            let n = 1 + rng.below(40);
            (0..n)
                .map(|_| FUZZ_TOKENS[rng.below(FUZZ_TOKENS.len())])
                .collect::<String>()
        } else {
            let n = rng.below(64);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        if parse(&src, "fuzz").is_ok() {
            accepted += 1;
        }
        fuzz_parse_roundtrip(src.as_bytes());
        // Rendering any diagnostic must not panic either.
        if let Err(d) = parse(&src, "fuzz") {
            let _ = render(&d);
        }
    }
    // Guard against a generator that only produces rejected input.
    assert!(
        accepted > 500,
        "only {accepted} random scripts were accepted"
    );
}

#[test]
fn random_line_mutations_of_the_example_round_trip() {
    let lines: Vec<&str> = EXAMPLE.lines().collect();
    let mut rng = XorShift(42);
    for _ in 0..5_000 {
        let mut src = String::new();
        for _ in 0..1 + rng.below(8) {
            src.push_str(lines[rng.below(lines.len())]);
            src.push('\n');
        }
        fuzz_parse_roundtrip(src.as_bytes());
    }
}
