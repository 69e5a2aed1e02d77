//! The parts of packetdrill's grammar beyond TCP packet and syscall lines:
//! events that span lines, `--name=value` option lines, the IP prefix of a
//! packet line (`[ect0]`, `(tos 0x2)`), and `icmp` / `udp` packet lines.

use super::ast::{
    DatagramKind, DatagramLine, Direction, Echoed, EcnSpec, IpInfo, ScriptOption, Span,
};
use super::cursor::{err, Cursor, PResult};
use super::lexer::{Tok, Token};
use super::parser::parse_seq_range;

const IP_HELP: &str = "the IP prefix is `[noecn]`, `[ect0]`, `[ect1]`, `[ect01]`, `[ce]`, `[tos 0x..]`, `[flowlabel 0x..]`, `[ttl N]`, `[src ADDR]` or `[dst ADDR]` (a tos or ECN item may be followed by `, flowlabel 0x..`), in `[…]` or `(…)`";
const ICMP_HELP: &str = "icmp lines are `icmp TYPE [CODE] [mtu N] [id N] [[seq:end(len)] | [udp (N)] | [raw (N)]]`, e.g. `< icmp unreachable frag_needed mtu 1200 [1:1001(1000)]`";
const UDP_HELP: &str = "udp lines are `udp [SPORT > DPORT] (LEN)`, e.g. `< udp (100)`";
const OPTION_HELP: &str =
    "option lines are `--name=value` (or `--name`), e.g. `--tolerance_usecs=10000`";

/// Splits the tokens into logical lines. packetdrill ignores line breaks, so
/// an event may continue on the next lines while a `(`, `[` or `{` is open
/// (a `recvmsg` with its struct over several lines); a line that starts a
/// new event (a time, an option line, metadata) ends it, so an unclosed
/// bracket is reported on its own line rather than swallowing the script.
pub(crate) fn logical_lines(toks: &[Token]) -> Vec<Vec<Token>> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut depth = 0usize;
    for line in toks.split(|t| t.tok == Tok::Newline) {
        if line.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if depth > 0 && !starts_event(line) => last.extend_from_slice(line),
            _ => {
                depth = 0;
                out.push(line.to_vec());
            }
        }
        for t in line {
            match t.tok {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    out
}

/// Whether a physical line begins a new event rather than continuing one.
fn starts_event(line: &[Token]) -> bool {
    let second = line.get(1).map(|t| &t.tok);
    match line.first().map(|t| &t.tok) {
        Some(Tok::Punct('+' | '*') | Tok::Meta(_) | Tok::OptLine(_) | Tok::Command(_)) => true,
        Some(Tok::Number(_)) => matches!(
            second,
            Some(
                Tok::Punct('<' | '>' | '~')
                    | Tok::Ellipsis
                    | Tok::Command(_)
                    | Tok::Code(_)
                    | Tok::Ident(_)
            )
        ),
        Some(Tok::Ident(w)) => matches!(w.as_str(), "either" | "or" | "end") && line.len() == 1,
        _ => false,
    }
}

/// `--name=value` or `--name`: `span` starts at the `--`.
pub(crate) fn parse_option_line(
    _body: &str,
    span: Span,
    cur: &mut Cursor<'_>,
) -> PResult<ScriptOption> {
    cur.next();
    let raw = cur.src.get(span.start..span.end).unwrap_or("");
    // The text after `--`, without a trailing `//` comment.
    let after = &raw[2.min(raw.len())..];
    let after = after.find("//").map_or(after, |c| &after[..c]);
    let at = |off: usize, len: usize| {
        cur.index
            .span(span.start + 2 + off, span.start + 2 + off + len)
    };
    let name_len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if name_len == 0 {
        return Err(err(at(0, 1), "expected an option name after `--`").help(OPTION_HELP));
    }
    let name = after[..name_len].to_string();
    let rest = &after[name_len..];
    let value = if rest.trim().is_empty() {
        None
    } else if let Some(v) = rest.strip_prefix('=') {
        let v = v.trim();
        if v.is_empty() {
            return Err(err(
                at(name_len + 1, 0),
                format!("expected a value after `--{name}=`"),
            )
            .help(OPTION_HELP));
        }
        Some(v.to_string())
    } else {
        let skip = rest.len() - rest.trim_start().len();
        let bad = rest.trim_start().chars().next().unwrap_or(' ');
        return Err(err(
            at(name_len + skip, bad.len_utf8()),
            format!("expected `=` after the option name `--{name}`, found `{bad}`"),
        )
        .help(OPTION_HELP));
    };
    Ok(ScriptOption { name, value, span })
}

/// The optional `[…]` / `(…)` IP prefix after the direction.
pub(crate) fn parse_ip_info(cur: &mut Cursor<'_>) -> PResult<Option<IpInfo>> {
    let close = match cur.peek() {
        Some(Token {
            tok: Tok::Punct('['),
            ..
        }) => ']',
        Some(Token {
            tok: Tok::Punct('('),
            ..
        }) => ')',
        _ => return Ok(None),
    };
    let open = cur.next().map_or(cur.line_start, |t| t.span);
    let mut info = IpInfo::default();
    loop {
        let Some(Token {
            tok: Tok::Ident(word),
            span,
        }) = cur.peek()
        else {
            return Err(cur.expected("expected an IP field").help(IP_HELP));
        };
        let span = *span;
        cur.next();
        let ecn = match word.as_str() {
            "noecn" => Some(EcnSpec::NotEct),
            "ect0" => Some(EcnSpec::Ect0),
            "ect1" => Some(EcnSpec::Ect1),
            "ect01" => Some(EcnSpec::Ect01),
            "ce" => Some(EcnSpec::Ce),
            _ => None,
        };
        let twice = || err(span, format!("`{word}` given twice in the IP prefix"));
        match (ecn, word.as_str()) {
            (Some(e), _) => {
                if info.ecn.is_some() || info.tos.is_some() {
                    return Err(twice());
                }
                if e == EcnSpec::Ect01 && cur.inject {
                    return Err(err(
                        span,
                        "`ect01` (either ECT codepoint) is only allowed on `>` lines",
                    ));
                }
                info.ecn = Some(e);
            }
            (None, "tos") => {
                if info.ecn.is_some() || info.tos.is_some() {
                    return Err(twice());
                }
                info.tos = Some(cur.number("a TOS byte after `tos`", 0xff)?.0 as u8);
            }
            (None, "flowlabel") => {
                if info.flow_label.is_some() {
                    return Err(twice());
                }
                let n = cur
                    .number("a 20-bit flow label after `flowlabel`", 0xf_ffff)?
                    .0;
                info.flow_label = Some(n as u32);
            }
            (None, "ttl") => {
                if info.ttl.is_some() {
                    return Err(twice());
                }
                info.ttl = Some(cur.number("a TTL after `ttl`", 0xff)?.0 as u8);
            }
            (None, "src" | "dst") => {
                let addr = super::ipaddr::parse_addr(cur, word)?;
                let slot = if word == "src" {
                    &mut info.src
                } else {
                    &mut info.dst
                };
                if slot.replace(addr).is_some() {
                    return Err(twice());
                }
            }
            (None, other) => {
                return Err(err(span, format!("unknown IP field `{other}`")).help(IP_HELP))
            }
        }
        if cur.eat_punct(close) {
            break;
        }
        if !cur.eat_punct(',') {
            return Err(cur
                .expected(format!("expected `,` or `{close}` in the IP prefix"))
                .help(IP_HELP));
        }
    }
    info.span = open.to(cur.prev_span());
    Ok(Some(info))
}

/// `encap psp spi N` after the IP prefix, or nothing.
pub(crate) fn parse_encap(cur: &mut Cursor<'_>) -> PResult<Option<u32>> {
    if cur.peek_ident() != Some("encap") {
        return Ok(None);
    }
    cur.next();
    let help = "packetdrill's encapsulation is written `encap psp spi N`";
    if cur.peek_ident() != Some("psp") {
        return Err(cur.expected("expected `psp` after `encap`").help(help));
    }
    cur.next();
    if cur.peek_ident() != Some("spi") {
        return Err(cur.expected("expected `spi` after `encap psp`").help(help));
    }
    cur.next();
    let (spi, _) = cur.number("the SPI after `spi`", u64::from(u32::MAX))?;
    Ok(Some(spi as u32))
}

/// `icmp …` or `udp …` after the direction (and IP prefix).
pub(crate) fn parse_datagram(
    cur: &mut Cursor<'_>,
    direction: Direction,
    ip: Option<IpInfo>,
    dir_span: Span,
) -> PResult<DatagramLine> {
    if let Some(i) = ip.as_ref().filter(|i| i.src.is_some() || i.dst.is_some()) {
        return Err(err(
            i.span,
            "`src`/`dst` in the IP prefix apply to TCP lines only, not to `icmp`/`udp` lines",
        ));
    }
    let proto = cur.peek_ident().unwrap_or("").to_string();
    cur.next();
    let kind = if proto == "icmp" {
        parse_icmp(cur)?
    } else {
        // Ports are the harness's and the target's; `SPORT > DPORT` is read
        // and not kept (synack picks the 4-tuple).
        if matches!(
            cur.peek(),
            Some(Token {
                tok: Tok::Number(_),
                ..
            })
        ) {
            cur.number("a source port", 0xffff)?;
            if !cur.eat_punct('>') {
                return Err(cur
                    .expected("expected `>` between the ports")
                    .help(UDP_HELP));
            }
            cur.number("a destination port after `>`", 0xffff)?;
        }
        DatagramKind::Udp {
            len: paren_number(cur, "the UDP payload length", UDP_HELP)?,
        }
    };
    Ok(DatagramLine {
        direction,
        ip,
        kind,
        span: dir_span.to(cur.prev_span()),
    })
}

fn parse_icmp(cur: &mut Cursor<'_>) -> PResult<DatagramKind> {
    let word = |cur: &mut Cursor<'_>| match cur.peek() {
        Some(Token {
            tok: Tok::Ident(w) | Tok::Number(w),
            ..
        }) => {
            let w = w.clone();
            cur.next();
            Some(w)
        }
        _ => None,
    };
    let Some(icmp_type) = word(cur) else {
        return Err(cur
            .expected("expected the ICMP type after `icmp`")
            .help(ICMP_HELP));
    };
    let code = match cur.peek_ident() {
        Some("mtu" | "id") | None => None,
        Some(_) => word(cur),
    };
    let mut mtu = None;
    let mut id = None;
    if cur.peek_ident() == Some("mtu") {
        cur.next();
        mtu = Some(cur.number("an MTU after `mtu`", u64::from(u32::MAX))?.0 as u32);
    }
    if cur.peek_ident() == Some("id") {
        cur.next();
        id = Some(cur.number("an echo id after `id`", u64::from(u32::MAX))?.0 as u32);
    }
    let echoed = if cur.eat_punct('[') {
        let e = match cur.peek_ident() {
            Some("udp") => {
                cur.next();
                Echoed::Udp(paren_number(cur, "the quoted UDP length", ICMP_HELP)?)
            }
            Some("raw") => {
                cur.next();
                Echoed::Raw(paren_number(cur, "the quoted length", ICMP_HELP)?)
            }
            _ => match parse_seq_range(cur)?.node {
                super::ast::Value::Exact(r) => Echoed::Tcp(r),
                super::ast::Value::Any => return Err(cur.unexpected("in the quoted packet")),
            },
        };
        if !cur.eat_punct(']') {
            return Err(cur
                .expected("expected `]` after the quoted packet")
                .help(ICMP_HELP));
        }
        Some(e)
    } else {
        None
    };
    Ok(DatagramKind::Icmp {
        icmp_type,
        code,
        mtu,
        id,
        echoed,
    })
}

/// `(N)`.
fn paren_number(cur: &mut Cursor<'_>, what: &str, help: &str) -> PResult<u32> {
    if !cur.eat_punct('(') {
        return Err(cur.expected(format!("expected `(` and {what}")).help(help));
    }
    let n = cur.number(what, u64::from(u32::MAX))?.0 as u32;
    if !cur.eat_punct(')') {
        return Err(cur
            .expected(format!("expected `)` after {what}"))
            .help(help));
    }
    Ok(n)
}
