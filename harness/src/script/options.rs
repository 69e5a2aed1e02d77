//! The `<…>` option list of a packet line.

use super::ast::{OptSpec, OptionList, Span, Spanned, Value};
use super::cursor::{describe, err, Cursor, PResult};
use super::lexer::{Tok, Token};

const OPTIONS_HELP: &str = "options are mss N, wscale N, sackOK, sack a:b …, TS val X ecr Y, nop, eol, FO [COOKIE], FOEXP [COOKIE], md5 HEX, ECN e0b N ceb N e1b N, raw HEX, and a final `...`";

/// TCP Fast Open (RFC 7413 section 4.1.1).
pub(crate) const KIND_FAST_OPEN: u8 = 34;
/// The experimental option kind (RFC 6994) that Fast Open used before kind 34.
pub(crate) const KIND_EXPERIMENTAL: u8 = 254;
/// RFC 6994's magic number for experimental Fast Open.
pub(crate) const FAST_OPEN_MAGIC: [u8; 2] = [0xf9, 0x89];
/// TCP MD5 signature (RFC 2385 section 3.0).
pub(crate) const KIND_MD5: u8 = 19;
/// AccECN options, order 0 and 1 (draft-ietf-tcpm-accurate-ecn, section 3.2.3).
pub(crate) const KIND_ACCECN0: u8 = 172;
pub(crate) const KIND_ACCECN1: u8 = 174;

pub(crate) fn parse_options(cur: &mut Cursor<'_>) -> PResult<OptionList> {
    let open = cur.next().map_or(cur.line_start, |t| t.span);
    let mut list = OptionList {
        items: Vec::new(),
        more: false,
        any: false,
        span: open,
    };
    if matches!(
        cur.peek(),
        Some(Token {
            tok: Tok::Ellipsis,
            ..
        })
    ) && cur.peek_at(1).is_some_and(|t| t.tok == Tok::Punct('>'))
    {
        let span = cur.next().map_or(open, |t| t.span);
        if cur.inject {
            return Err(err(
                span,
                "`<...>` (any options) is only allowed on `>` lines",
            ));
        }
        cur.next();
        list.any = true;
        list.span = open.to(cur.prev_span());
        return Ok(list);
    }
    if cur.eat_punct('>') {
        list.span = open.to(cur.prev_span());
        return Ok(list);
    }
    loop {
        let Some(t) = cur.peek() else {
            return Err(cur
                .expected("expected an option and a closing `>`")
                .help(OPTIONS_HELP));
        };
        if t.tok == Tok::Ellipsis {
            cur.next();
            if cur.inject {
                return Err(err(
                    t.span,
                    "`...` (any further options) is only allowed on `>` lines",
                ));
            }
            if !cur.eat_punct('>') {
                return Err(err(t.span, "`...` must be the last option"));
            }
            list.more = true;
            break;
        }
        let opt = parse_option(cur)?;
        list.items.push(opt);
        if cur.eat_punct('>') {
            break;
        }
        if !cur.eat_punct(',') {
            return Err(cur
                .expected("expected `,` or `>` after an option")
                .help(OPTIONS_HELP));
        }
    }
    list.span = open.to(cur.prev_span());
    Ok(list)
}

fn parse_option(cur: &mut Cursor<'_>) -> PResult<Spanned<OptSpec>> {
    let (name, start) = match cur.next() {
        Some(Token {
            tok: Tok::Ident(name),
            span,
        }) => (name.as_str(), *span),
        Some(t) => {
            return Err(err(
                t.span,
                format!("expected an option, found {}", describe(&t.tok)),
            )
            .help(OPTIONS_HELP))
        }
        None => return Err(cur.expected("expected an option").help(OPTIONS_HELP)),
    };
    let u32_max = u64::from(u32::MAX);
    let narrow = |v: Value<u64>| match v {
        Value::Exact(n) => Value::Exact(n as u32),
        Value::Any => Value::Any,
    };
    let node = match name {
        "mss" => match cur.value("an MSS after `mss`", u64::from(u16::MAX))?.0 {
            Value::Exact(n) => OptSpec::Mss(Value::Exact(n as u16)),
            Value::Any => OptSpec::Mss(Value::Any),
        },
        "wscale" => match cur
            .value("a shift count after `wscale`", u64::from(u8::MAX))?
            .0
        {
            Value::Exact(n) => OptSpec::WScale(Value::Exact(n as u8)),
            Value::Any => OptSpec::WScale(Value::Any),
        },
        "sackOK" => OptSpec::SackOk,
        "nop" => OptSpec::Nop,
        "eol" => OptSpec::Eol,
        "sack" => {
            let mut blocks = Vec::new();
            while cur.is_star()
                || matches!(
                    cur.peek(),
                    Some(Token {
                        tok: Tok::Number(_),
                        ..
                    })
                )
            {
                let left = narrow(cur.value("a left edge", u32_max)?.0);
                if !cur.eat_punct(':') {
                    return Err(cur
                        .expected("expected `:` between the SACK block's edges")
                        .help("SACK blocks are left:right, e.g. sack 1:100 201:300"));
                }
                let right = narrow(cur.value("a right edge after `:`", u32_max)?.0);
                blocks.push((left, right));
            }
            OptSpec::Sack(blocks)
        }
        "TS" => {
            if cur.peek_ident() != Some("val") {
                return Err(cur
                    .expected("expected `val` after `TS`")
                    .help("timestamps are written TS val X ecr Y"));
            }
            cur.next();
            let val = narrow(cur.value("a timestamp after `val`", u32_max)?.0);
            if cur.peek_ident() != Some("ecr") {
                return Err(cur
                    .expected("expected `ecr` after the TS value")
                    .help("timestamps are written TS val X ecr Y"));
            }
            cur.next();
            let ecr = narrow(cur.value("a timestamp echo after `ecr`", u32_max)?.0);
            OptSpec::Ts { val, ecr }
        }
        "raw" => OptSpec::Raw(parse_raw(cur)?),
        // packetdrill's named options are kept as their wire bytes.
        "FO" | "FOEXP" | "exp-fo" => {
            let cookie = if at_option_end(cur) {
                Vec::new()
            } else {
                parse_hex(cur, "a Fast Open cookie (hex)")?
            };
            let mut bytes = if name == "FO" {
                vec![KIND_FAST_OPEN, 0]
            } else {
                vec![KIND_EXPERIMENTAL, 0, FAST_OPEN_MAGIC[0], FAST_OPEN_MAGIC[1]]
            };
            bytes.extend_from_slice(&cookie);
            bytes[1] = u8::try_from(bytes.len()).map_err(|_| {
                err(
                    start.to(cur.prev_span()),
                    "the Fast Open cookie is too long",
                )
            })?;
            OptSpec::Raw(bytes)
        }
        "md5" => {
            let digest = parse_hex(cur, "the 16-byte MD5 digest (32 hex digits)")?;
            if digest.len() != 16 {
                return Err(err(
                    cur.prev_span(),
                    format!("an MD5 digest is 16 bytes, this is {}", digest.len()),
                )
                .help("e.g. md5 000102030405060708090a0b0c0d0e0f"));
            }
            let mut bytes = vec![KIND_MD5, 18];
            bytes.extend_from_slice(&digest);
            OptSpec::Raw(bytes)
        }
        "ECN" => OptSpec::Raw(parse_accecn(cur)?),
        other => {
            return Err(err(start, format!("unknown option `{other}`")).help(OPTIONS_HELP));
        }
    };
    Ok(Spanned {
        node,
        span: start.to(cur.prev_span()),
    })
}

fn at_option_end(cur: &Cursor<'_>) -> bool {
    cur.is_punct(',') || cur.is_punct('>') || cur.at_end()
}

/// `ECN e0b N [ceb N [e1b N]]` or `ECN e1b N [ceb N [e0b N]]`: the AccECN
/// option, kind by the first counter, each counter 3 bytes.
fn parse_accecn(cur: &mut Cursor<'_>) -> PResult<Vec<u8>> {
    let help = "AccECN is written ECN e0b N ceb N e1b N (or starting with e1b), each counter optional from the end";
    let order = match cur.peek_ident() {
        Some("e0b") => ["e0b", "ceb", "e1b"],
        Some("e1b") => ["e1b", "ceb", "e0b"],
        _ => {
            return Err(cur
                .expected("expected `e0b` or `e1b` after `ECN`")
                .help(help))
        }
    };
    let mut bytes = vec![
        if order[0] == "e0b" {
            KIND_ACCECN0
        } else {
            KIND_ACCECN1
        },
        0,
    ];
    for (i, field) in order.iter().enumerate() {
        if cur.peek_ident() != Some(field) {
            if i == 0 {
                return Err(cur.expected(format!("expected `{field}`")).help(help));
            }
            break;
        }
        cur.next();
        let (n, _) = cur.number(&format!("a 24-bit counter after `{field}`"), 0xff_ffff)?;
        bytes.extend_from_slice(&(n as u32).to_be_bytes()[1..]);
    }
    bytes[1] = bytes.len() as u8;
    Ok(bytes)
}

/// Hex digits (in one or more words) up to `,` or `>`.
fn parse_hex(cur: &mut Cursor<'_>, what: &str) -> PResult<Vec<u8>> {
    let mut hex = String::new();
    let mut span: Option<Span> = None;
    while let Some(Token {
        tok: Tok::Ident(w) | Tok::Number(w),
        span: s,
    }) = cur.peek()
    {
        hex.push_str(w);
        span = Some(span.map_or(*s, |sp| sp.to(*s)));
        cur.next();
    }
    let Some(span) = span else {
        return Err(cur.expected(format!("expected {what}")));
    };
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) || hex.len() % 2 == 1 {
        let help = if super::cursor::is_symbol(&hex) {
            format!("`{hex}` looks like a packetdrill symbol: define it with -D {hex}=VALUE")
        } else {
            "hex bytes, an even number of digits, e.g. abcd0123".to_string()
        };
        return Err(err(span, format!("`{hex}` is not {what}")).help(help));
    }
    Ok((0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect())
}

/// `raw fd0401ff`: hex digits (spaces allowed between byte groups) up to `,` or `>`.
fn parse_raw(cur: &mut Cursor<'_>) -> PResult<Vec<u8>> {
    let help = "raw options are hex bytes exactly as on the wire, e.g. raw fd0401ff";
    let mut hex = String::new();
    let mut span: Option<Span> = None;
    while let Some(Token {
        tok: Tok::Ident(w) | Tok::Number(w),
        span: s,
    }) = cur.peek()
    {
        hex.push_str(w);
        span = Some(span.map_or(*s, |sp| sp.to(*s)));
        cur.next();
    }
    let Some(span) = span else {
        return Err(cur.expected("expected hex bytes after `raw`").help(help));
    };
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(err(span, format!("`{hex}` is not hex")).help(help));
    }
    if hex.len() & 1 == 1 {
        return Err(err(span, "raw option bytes need an even number of hex digits").help(help));
    }
    Ok((0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect())
}
