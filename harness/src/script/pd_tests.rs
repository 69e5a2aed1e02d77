//! packetdrill's grammar beyond packets and plain syscalls, on snippets of
//! our own: each construct parses into the tree the runner reads, survives
//! the print/parse round trip, and a mistake in it is reported at its
//! `file:line:col`.

use super::*;

#[track_caller]
fn ok(src: &str) -> Script {
    match parse(src, "t.pkt") {
        Ok(s) => s,
        Err(d) => panic!("parse failed:\n{}", render(&d)),
    }
}

/// The rendered first diagnostic.
#[track_caller]
fn error(src: &str) -> String {
    match parse(src, "t.pkt") {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(d) => d[0].to_string(),
    }
}

#[track_caller]
fn lines(s: &Script) -> Vec<&Line> {
    s.items
        .iter()
        .map(|i| match i {
            Item::Line(l) => l,
            other => panic!("not a line: {other:?}"),
        })
        .collect()
}

#[track_caller]
fn call(src: &str) -> SyscallLine {
    let s = ok(src);
    match &lines(&s)[0].kind {
        LineKind::Syscall(c) => c.clone(),
        other => panic!("not a syscall: {other:?}"),
    }
}

#[track_caller]
fn first_arg(src: &str) -> String {
    print_expr(&call(src).args[0])
}

/// A script of our own that uses every construct of packetdrill's grammar.
const EVERYTHING: &str = r#"// A packetdrill-style script without metadata.
--tolerance_usecs=7000
--local_ip=192.0.2.1   // a comment after an option
--strict_segments
`echo init; sysctl -q net.ipv4.tcp_sack=1`

0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
+0    bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}, 16) = 0
+0    listen(3, 0x10) = 0
+0    < [ect0] S 0:0(0) win 1000 <mss 1000,FO,sackOK,TS val 7 ecr 0,nop,wscale 2>
+0    > (tos 0x2) S. 0:0(0) ack 1 <mss 1460,FO 0a0b0c0d,exp-fo,md5 00112233445566778899aabbccddeeff>
+0    < [noecn] - 1:1(0) win 1000
+0...0.2 accept(3, ..., ...) = 4
+0    poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, -1) = 1
+0    writev(4, [{iov_base=..., iov_len=10}], 1) = 10
+0    recvmsg(4, {msg_name(...)=...,
                 msg_iov(1)=[{...,0}],
                 msg_flags=0}, 0) = -1 EAGAIN (Resource temporarily unavailable)
+0    read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)
+0    `nstat -n`
+0    < icmp unreachable frag_needed mtu 1200 [1:11(10)]
+0    < udp (20)
+0    < [ect1, flowlabel 0x12] . 1:1(0) ack 1 win 1000 <ECN e0b 1 ceb 2 e1b 3>
+.1   %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
+0    %{
print(tcpi_rtt)
}%
`echo cleanup`
"#;

#[test]
fn every_packetdrill_construct_parses_and_round_trips() {
    let s = ok(EVERYTHING);
    assert!(s.meta.is_empty(), "no metadata: a case with defaults");
    fuzz_parse_roundtrip(EVERYTHING.as_bytes());
    let printed = print(&s);
    assert_eq!(print(&ok(&printed)), printed, "fixed point");
}

#[test]
fn option_lines_are_kept_with_name_value_and_line() {
    let s = ok(EVERYTHING);
    let got: Vec<_> = s
        .options
        .iter()
        .map(|o| (o.name.as_str(), o.value.as_deref(), o.span.line))
        .collect();
    assert_eq!(
        got,
        [
            ("tolerance_usecs", Some("7000"), 2),
            ("local_ip", Some("192.0.2.1"), 3),
            ("strict_segments", None, 4),
        ]
    );
}

#[test]
fn untimed_commands_are_init_and_cleanup_timed_ones_are_lines() {
    let s = ok(EVERYTHING);
    assert_eq!(s.init.len(), 1);
    assert_eq!(s.init[0].text, "echo init; sysctl -q net.ipv4.tcp_sack=1");
    assert_eq!(s.init[0].span.line, 5);
    assert_eq!(s.cleanup.len(), 1);
    assert_eq!(s.cleanup[0].text, "echo cleanup");
    let timed: Vec<_> = lines(&s)
        .into_iter()
        .filter_map(|l| match &l.kind {
            LineKind::Command(c) => Some((c.text.as_str(), l.span.line)),
            _ => None,
        })
        .collect();
    assert_eq!(timed, [("nstat -n", 22)]);
}

#[test]
fn code_blocks_keep_their_text_span_and_line() {
    let s = ok(EVERYTHING);
    let blocks: Vec<_> = lines(&s)
        .into_iter()
        .filter_map(|l| match &l.kind {
            LineKind::Code(c) => Some((c.text.clone(), c.span.line, l.time.node)),
            _ => None,
        })
        .collect();
    assert_eq!(
        blocks,
        [
            (
                " assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd ".to_string(),
                26,
                TimeSpec::Relative(100_000)
            ),
            ("\nprint(tcpi_rtt)\n".to_string(), 27, TimeSpec::Relative(0)),
        ]
    );
}

#[test]
fn a_blocking_call_keeps_its_start_and_end_time() {
    let s = ok("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0.1...0.25 accept(3, ..., ...) = 4\n0.5...0.7 read(4, ..., 1) = 1\n");
    let got: Vec<_> = lines(&s)
        .iter()
        .map(|l| match &l.kind {
            LineKind::Syscall(c) => (l.time.node, c.end),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        got,
        [
            (TimeSpec::Absolute(0), None),
            (TimeSpec::Relative(100_000), Some(250_000)),
            (TimeSpec::Absolute(500_000), Some(700_000)),
        ]
    );
    // `...` on a packet line stays a time range.
    let s = ok("0 > S. 0:0(0) ack 1\n+0...0.2 > . 1:1(0) ack 1\n");
    assert_eq!(
        lines(&s)[1].time.node,
        TimeSpec::RelativeRange { lo: 0, hi: 200_000 }
    );
}

#[test]
fn struct_array_and_bit_or_arguments_parse_into_the_expression_tree() {
    assert_eq!(first_arg("0 f([1]) = 0"), "[1]");
    assert_eq!(
        first_arg("0 f({onoff=1, linger=0x10}) = 0"),
        "{onoff=1, linger=16}"
    );
    assert_eq!(
        first_arg("0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1"),
        "[{fd=3, events=POLLIN|POLLOUT, revents=POLLIN}]"
    );
    assert_eq!(
        first_arg("0 f({iov_base=..., iov_len=-1}) = 0"),
        "{iov_base=..., iov_len=-1}"
    );
    assert_eq!(first_arg("0 f({...,0}) = 0"), "{..., 0}");
    assert_eq!(first_arg("0 f(&optval) = 0"), "&optval");
    assert_eq!(first_arg("0 f(\"ab\" \"cd\") = 0"), "\"abcd\"");
    assert_eq!(
        first_arg("0 f({msg_name(...)=..., msg_iov(2)=[{...,1}, {...,2}], msg_flags=0}) = 0"),
        "{msg_name=..., msg_iov=[{..., 1}, {..., 2}], msg_flags=0}"
    );
    let c = call("0 read(4, ..., 8) = -1 EAGAIN (Resource temporarily unavailable)");
    assert_eq!(c.result.kind, ExprKind::Int(-1));
    assert_eq!(c.errno.as_deref(), Some("EAGAIN"));
    assert_eq!(c.note.as_deref(), Some("Resource temporarily unavailable"));
}

#[test]
fn a_call_spread_over_lines_is_one_event_with_its_first_line() {
    let s = ok("0 f({a=1,\n      b=[2,\n         3]}) = 0\n+0 g() = 0\n");
    let l = lines(&s);
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].span.line, 1);
    assert_eq!(l[1].span.line, 4);
}

#[test]
fn ip_prefixes_parse_on_packet_lines() {
    let ip = |src: &str| match &lines(&ok(src))[0].kind {
        LineKind::Packet(p) => p.ip.clone().map(|mut i| {
            i.span = Span::default();
            i
        }),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        ip("0 < [ect0] S 0:0(0) win 1"),
        Some(IpInfo {
            ecn: Some(EcnSpec::Ect0),
            ..IpInfo::default()
        })
    );
    assert_eq!(
        ip("0 > (tos 0x3) S. 0:0(0) ack 1"),
        Some(IpInfo {
            tos: Some(3),
            ..IpInfo::default()
        })
    );
    assert_eq!(
        ip("0 > [ce, flowlabel 0x5] . 1:1(0) ack 1"),
        Some(IpInfo {
            ecn: Some(EcnSpec::Ce),
            flow_label: Some(5),
            ..IpInfo::default()
        })
    );
    assert_eq!(
        ip("0 < [ttl 9] . 1:1(0) ack 1 win 1"),
        Some(IpInfo {
            ttl: Some(9),
            ..IpInfo::default()
        })
    );
    assert!(error("0 < [ect01] S 0:0(0) win 1").contains("only allowed on `>` lines"));
}

#[test]
fn packetdrill_named_options_become_their_wire_bytes() {
    let opts = |src: &str| match &lines(&ok(src))[0].kind {
        LineKind::Packet(p) => p
            .options
            .as_ref()
            .map(|o| o.items.iter().map(|i| i.node.clone()).collect::<Vec<_>>())
            .unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    assert_eq!(opts("0 < S 0:0(0) win 1 <FO>"), [OptSpec::Raw(vec![34, 2])]);
    assert_eq!(
        opts("0 < S 0:0(0) win 1 <FO abcd01>"),
        [OptSpec::Raw(vec![34, 5, 0xab, 0xcd, 0x01])]
    );
    assert_eq!(
        opts("0 < S 0:0(0) win 1 <FOEXP 0102>"),
        [OptSpec::Raw(vec![254, 6, 0xf9, 0x89, 1, 2])]
    );
    assert_eq!(
        opts("0 < S 0:0(0) win 1 <ECN e1b 1 ceb 256>"),
        [OptSpec::Raw(vec![174, 8, 0, 0, 1, 0, 1, 0])]
    );
    let md5 = opts("0 < S 0:0(0) win 1 <md5 000102030405060708090a0b0c0d0e0f>");
    assert_eq!(
        md5,
        [OptSpec::Raw([vec![19, 18], (0..16).collect()].concat())]
    );
    // Printed under packetdrill's names again.
    let printed = print(&ok(
        "0 < S 0:0(0) win 1 <FO,FO 0a0b,FOEXP,md5 000102030405060708090a0b0c0d0e0f,ECN e0b 1>\n",
    ));
    assert!(
        printed.contains("<FO,FO 0a0b,FOEXP,md5 000102030405060708090a0b0c0d0e0f,ECN e0b 1>"),
        "{printed}"
    );
}

#[test]
fn icmp_and_udp_lines_parse_into_datagrams() {
    let d = |src: &str| match &lines(&ok(src))[0].kind {
        LineKind::Datagram(d) => d.kind.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        d("0 < icmp unreachable frag_needed mtu 1200 [1:11(10)]"),
        DatagramKind::Icmp {
            icmp_type: "unreachable".into(),
            code: Some("frag_needed".into()),
            mtu: Some(1200),
            id: None,
            echoed: Some(Echoed::Tcp(SeqRange { start: 1, len: 10 })),
        }
    );
    assert_eq!(
        d("0 < icmp time_exceeded"),
        DatagramKind::Icmp {
            icmp_type: "time_exceeded".into(),
            code: None,
            mtu: None,
            id: None,
            echoed: None,
        }
    );
    assert_eq!(
        d("0 < icmp unreachable port_unreachable [udp (8)]"),
        DatagramKind::Icmp {
            icmp_type: "unreachable".into(),
            code: Some("port_unreachable".into()),
            mtu: None,
            id: None,
            echoed: Some(Echoed::Udp(8)),
        }
    );
    assert_eq!(d("0 > udp 9 > 10 (30)"), DatagramKind::Udp { len: 30 });
}

#[test]
fn d_symbols_replace_words_before_parsing() {
    let src = "0 < S 0:0(0) win 1 <FO COOKIE>\n+0 f(LEVEL) = 0\n+0 < icmp unreachable CODE\n";
    assert!(error(src).contains("define it with -D COOKIE=VALUE"));
    let defines: Defines = [
        ("COOKIE", "0a0b"),
        ("LEVEL", "SOL_IP"),
        ("CODE", "host_unreachable"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let s = parse_with(src, "t.pkt", &defines).expect("parses with the symbols");
    let printed = print(&s);
    assert!(printed.contains("<FO 0a0b>"), "{printed}");
    assert!(printed.contains("f(SOL_IP)"), "{printed}");
    assert!(
        printed.contains("icmp unreachable host_unreachable"),
        "{printed}"
    );
    // A `--define` line in the script counts, under the command line's.
    let own = "--define=COOKIE=0c0d\n0 < S 0:0(0) win 1 <FO COOKIE>\n";
    assert!(print(&ok(own)).contains("<FO 0c0d>"));
    let printed = print(&parse_with(own, "t.pkt", &defines).expect("parses"));
    assert!(printed.contains("<FO 0a0b>"), "{printed}");
}

#[test]
fn psp_encapsulation_is_parsed() {
    let s = ok("0 < encap psp spi 7 P. 1:2(1) ack 1 win 1\n");
    match &lines(&s)[0].kind {
        LineKind::Packet(p) => assert_eq!(p.psp_spi, Some(7)),
        other => panic!("{other:?}"),
    }
    fuzz_parse_roundtrip(b"0 < encap psp spi 7 P. 1:2(1) ack 1 win 1\n");
}

// --- mistakes, at their file:line:col -----------------------------------------

#[test]
fn a_malformed_struct_is_pointed_at() {
    assert_eq!(
        error("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1 linger=0}, 8) = 0\n"),
        "error: expected `,` or `}`
 --> t.pkt:2:49
  |
2 | +0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1 linger=0}, 8) = 0
  |                                                 ^
  = help: structs are written {field=value, …} (packetdrill's `msg_iov(1)=[…]` too), lists {value, …}"
    );
    assert_eq!(
        error("0 f({a=1, 2}) = 0"),
        "error: expected `field=` in a struct
 --> t.pkt:1:11
  |
1 | 0 f({a=1, 2}) = 0
  |           ^
  = help: structs are written {field=value, …} (packetdrill's `msg_iov(1)=[…]` too), lists {value, …}"
    );
    assert_eq!(
        error("0 f({msg_iov(2)=[{...,1}]}) = 0"),
        "error: `msg_iov(2)` but the array has 1 elements
 --> t.pkt:1:14
  |
1 | 0 f({msg_iov(2)=[{...,1}]}) = 0
  |              ^
  = help: the count in name(N)=[…] is the array's length"
    );
}

#[test]
fn an_unclosed_code_block_is_pointed_at_where_it_opens() {
    assert_eq!(
        error("0 < S 0:0(0) win 1\n+0 %{\nassert tcpi_rtt > 0\n"),
        "error: unclosed `%{`: no `}%` ends this block
 --> t.pkt:2:4
  |
2 | +0 %{
  |    ^^"
    );
}

#[test]
fn an_unclosed_back_quote_is_pointed_at_where_it_opens() {
    assert_eq!(
        error("`sysctl -q net.ipv4.tcp_sack=0\n0 < S 0:0(0) win 1\n"),
        "error: unclosed back-quoted command: no closing `` ` ``
 --> t.pkt:1:1
  |
1 | `sysctl -q net.ipv4.tcp_sack=0
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    );
}

#[test]
fn a_bad_option_line_is_pointed_at() {
    assert_eq!(
        error("--tolerance_usecs 10000\n"),
        "error: expected `=` after the option name `--tolerance_usecs`, found `1`
 --> t.pkt:1:19
  |
1 | --tolerance_usecs 10000
  |                   ^
  = help: option lines are `--name=value` (or `--name`), e.g. `--tolerance_usecs=10000`"
    );
    assert_eq!(
        error("--mss=\n"),
        "error: expected a value after `--mss=`
 --> t.pkt:1:7
  |
1 | --mss=
  |       ^
  = help: option lines are `--name=value` (or `--name`), e.g. `--tolerance_usecs=10000`"
    );
    assert_eq!(
        error("  --=5\n"),
        "error: expected an option name after `--`
 --> t.pkt:1:5
  |
1 |   --=5
  |     ^
  = help: option lines are `--name=value` (or `--name`), e.g. `--tolerance_usecs=10000`"
    );
}

#[test]
fn other_packetdrill_mistakes_are_pointed_at() {
    assert!(error("0 %{ x }%\n`a`\n+0 < S 0:0(0) win 1\n")
        .contains("a back-quoted command between timed lines needs a time"));
    assert!(error("%{ x }%\n").contains("a `%{ }%` block needs a time"));
    assert!(error("0 < [ect9] S 0:0(0) win 1\n").contains("unknown IP field `ect9`"));
    assert!(error("0 < icmp\n").contains("expected the ICMP type after `icmp`"));
    assert!(error("0 < udp 20\n").contains("expected `>` between the ports"));
    assert!(error("0 < S 0:0(0) win 1 <md5 00>\n").contains("an MD5 digest is 16 bytes, this is 1"));
    assert!(error("0 < encap psp 7 . 1:1(0) win 1\n").contains("expected `spi` after `encap psp`"));
}

#[test]
fn define_lines_and_bare_notes_survive_the_round_trip() {
    // Applied before parsing, `--define` lines leave only their effect.
    let s = ok("--define=B=C\n--define=A=B\n0 f(A, B) = 0\n");
    assert!(s.options.is_empty());
    assert!(print(&s).contains("f(B, C)"));
    fuzz_parse_roundtrip(b"--define=B=C\n--define=A=B\n0 f(A, B) = 0\n");
    let c = call("0 f() = 0 (a note without an errno)");
    assert_eq!(c.note.as_deref(), Some("a note without an errno"));
    fuzz_parse_roundtrip(b"0 f() = 0 (a note)\n");
}
