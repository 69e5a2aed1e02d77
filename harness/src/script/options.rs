//! The `<…>` option list of a packet line.

use super::ast::{OptSpec, OptionList, Span, Spanned, Value};
use super::cursor::{describe, err, Cursor, PResult};
use super::lexer::{Tok, Token};

const OPTIONS_HELP: &str = "options are mss N, wscale N, sackOK, sack a:b …, TS val X ecr Y, nop, eol, raw HEX, and a final `...`";

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
        other => {
            return Err(err(start, format!("unknown option `{other}`")).help(OPTIONS_HELP));
        }
    };
    Ok(Spanned {
        node,
        span: start.to(cur.prev_span()),
    })
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
