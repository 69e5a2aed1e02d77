//! The hand-written parser: tokens → [`Script`].
//!
//! The language is line-oriented, so recovery is simple: the first error on
//! a line is reported and parsing goes on with the next line, up to
//! [`MAX_ERRORS`] diagnostics.

use super::ast::*;
use super::cursor::{describe, err, parse_secs, Cursor, PErr, PResult};
use super::defines::{substitute, with_script_defines, Defines};
use super::diagnostics::Diagnostic;
use super::flags::parse_flags;
use super::lexer::{lex, LineIndex, Tok, Token};
use super::options::parse_options;
use super::pdlines::{
    logical_lines, parse_datagram, parse_encap, parse_ip_info, parse_option_line,
};
use super::syscall::parse_syscall;
use crate::wire::{SeqNumber, TcpState};

/// Parsing stops after this many diagnostics.
pub const MAX_ERRORS: usize = 20;

const SEQ_HELP: &str = "sequence ranges are written seq:end(len), e.g. 0:0(0)";
const FIELDS_HELP: &str =
    "after seq:end(len) come, in any order: ack N, win N, urg N, <options>, payload \"…\", csum bad";

/// One parsed source line before `either` blocks are assembled.
#[allow(clippy::large_enum_variant)] // short-lived, one per line
enum RawLine {
    Line(Line),
    Either(Span),
    Or(Span),
    End(Span),
    /// `--name=value`.
    Option(ScriptOption),
    /// A back-quoted command without a time (init or cleanup).
    Command(Command),
}

/// Parses a whole case file. `file` is only used in diagnostics.
pub fn parse(src: &str, file: &str) -> Result<Script, Vec<Diagnostic>> {
    parse_with(src, file, &Defines::new())
}

/// Parses a case file with packetdrill's `-D SYM=VAL` symbols (see
/// `Defines`); the script's own `--define=SYM=VAL` lines count too,
/// under the ones given.
pub fn parse_with(src: &str, file: &str, defines: &Defines) -> Result<Script, Vec<Diagnostic>> {
    let index = LineIndex::new(src);
    let toks = lex(src, &index);
    let all = with_script_defines(&toks, defines);
    let toks = substitute(toks, &all);
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut meta = Vec::new();
    let mut raws = Vec::new();
    let diag = |e: PErr| Diagnostic {
        file: file.to_string(),
        span: e.span,
        line_text: index.line_text(e.span.start).to_string(),
        message: e.message,
        help: e.help,
    };

    for line in logical_lines(&toks) {
        if diags.len() >= MAX_ERRORS {
            break;
        }
        let mut code: Vec<Token> = Vec::with_capacity(line.len());
        for t in &line {
            match &t.tok {
                Tok::Meta(text) => match parse_meta(text, t.span) {
                    Ok(m) => meta.push(m),
                    Err(e) => diags.push(diag(e)),
                },
                _ => code.push(t.clone()),
            }
        }
        let Some(first) = code.first() else { continue };
        if let Some(bad) = code.iter().find(|t| matches!(t.tok, Tok::Bad(_))) {
            diags.push(diag(err(bad.span, describe(&bad.tok))));
            continue;
        }
        let mut cur = Cursor {
            toks: &code,
            pos: 0,
            index: &index,
            src,
            line_start: index.span(first.span.start, first.span.start),
            inject: false,
        };
        match parse_line(&mut cur) {
            Ok(raw) => raws.push(raw),
            Err(e) => diags.push(diag(e)),
        }
    }

    let mut script = Script {
        meta,
        ..Script::default()
    };
    assemble(raws, &mut script, &mut |e| diags.push(diag(e)));
    diags.truncate(MAX_ERRORS);
    if diags.is_empty() {
        Ok(script)
    } else {
        Err(diags)
    }
}

/// `//! key: value` (the text after `//!`).
fn parse_meta(text: &str, span: Span) -> PResult<Meta> {
    let help = "metadata lines are `//! key: value`, e.g. `//! rfc: 9293 3.10.7.1`";
    let Some((key, value)) = text.split_once(':') else {
        return Err(err(span, "expected `:` after the metadata key").help(help));
    };
    let key = key.trim();
    let value = value.trim();
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(err(span, format!("`{key}` is not a metadata key")).help(help));
    }
    let value = match meta_kind(key) {
        MetaKind::Text => MetaValue::Text(value.to_string()),
        MetaKind::List => MetaValue::List(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        ),
        MetaKind::Duration => MetaValue::Duration(parse_secs(value).map_err(|m| {
            err(span, format!("`{key}`: {m}")).help("durations are in seconds, e.g. 0.2")
        })?),
    };
    Ok(Meta {
        key: key.to_string(),
        value,
        span,
    })
}

/// Groups lines into `either … or … end` blocks; reports misplaced keywords
/// and lines that cannot be alternatives.
fn assemble(raws: Vec<RawLine>, script: &mut Script, report: &mut dyn FnMut(PErr)) {
    let mut items = Vec::new();
    // (span of `either`, branches so far)
    let mut block: Option<(Span, Vec<Vec<Line>>)> = None;
    // Untimed commands after the first timed line: cleanup, unless a timed
    // line follows them.
    let mut trailing: Vec<Command> = Vec::new();
    for raw in raws {
        if let (RawLine::Line(_) | RawLine::Either(_), Some(c)) = (&raw, trailing.first()) {
            report(
                err(c.span, "a back-quoted command between timed lines needs a time")
                    .help("write it as `+0 `…``; only the first (init) and last (cleanup) commands stand without a time"),
            );
            trailing.clear();
        }
        match (raw, &mut block) {
            // `--define` lines were applied before parsing, like comments.
            (RawLine::Option(o), _) if matches!(o.name.as_str(), "define" | "D") => {}
            (RawLine::Option(o), _) => script.options.push(o),
            (RawLine::Command(c), None) => {
                if items.is_empty() {
                    script.init.push(c);
                } else {
                    trailing.push(c);
                }
            }
            (RawLine::Command(c), Some(_)) => report(
                err(c.span, "a command cannot be an alternative")
                    .help("`either` branches hold only `>` and `state` lines"),
            ),
            (RawLine::Line(line), None) => items.push(Item::Line(line)),
            (RawLine::Line(line), Some((_, branches))) => match &line.kind {
                LineKind::Packet(p) if p.direction == Direction::Inject => {
                    let at = Span {
                        end: p.span.start + 1,
                        ..p.span
                    };
                    report(
                        err(at, "an injected segment (`<`) cannot be an alternative")
                            .help("`either` branches list what the target may do: only `>` and `state` lines; put the `<` line before the block"),
                    );
                }
                LineKind::Syscall(s) => report(
                    err(s.span, "a syscall cannot be an alternative")
                        .help("`either` branches hold only `>` and `state` lines"),
                ),
                LineKind::Stream(s) => {
                    report(err(s.span, "a stream line cannot be an alternative").help(
                        "a stream line already accepts every segmentation: put it after the block",
                    ))
                }
                _ => {
                    if let Some(b) = branches.last_mut() {
                        b.push(line);
                    }
                }
            },
            (RawLine::Either(span), None) => block = Some((span, vec![Vec::new()])),
            (RawLine::Either(span), Some(_)) => report(
                err(span, "`either` blocks do not nest")
                    .help("close the open block with `end` first"),
            ),
            (RawLine::Or(span), None) => report(err(span, "`or` outside an `either` block")),
            (RawLine::End(span), None) => report(err(span, "`end` without a matching `either`")),
            (RawLine::Or(span), Some((_, branches))) => {
                if branches.last().is_some_and(Vec::is_empty) {
                    report(err(span, "empty alternative before `or`"));
                }
                branches.push(Vec::new());
            }
            (RawLine::End(span), Some(_)) => {
                if let Some((either, branches)) = block.take() {
                    if branches.last().is_some_and(Vec::is_empty) {
                        report(err(span, "empty alternative before `end`"));
                    } else if branches.len() < 2 {
                        report(
                            err(either, "`either` needs at least two alternatives")
                                .help("separate the alternatives with `or`"),
                        );
                    } else {
                        items.push(Item::Either {
                            branches,
                            span: either.to(span),
                        });
                    }
                }
            }
        }
    }
    if let Some((either, _)) = block {
        report(
            err(either, "`either` without a matching `end`")
                .help("close the alternatives with `end` on its own line"),
        );
    }
    script.items = items;
    script.cleanup = trailing;
}

fn parse_line(cur: &mut Cursor<'_>) -> PResult<RawLine> {
    match cur.peek() {
        Some(Token {
            tok: Tok::OptLine(body),
            span,
        }) => return parse_option_line(body, *span, cur).map(RawLine::Option),
        Some(Token {
            tok: Tok::Command(text),
            span,
        }) => {
            cur.next();
            if !cur.at_end() {
                return Err(cur.unexpected("after the command"));
            }
            return Ok(RawLine::Command(Command {
                text: text.clone(),
                span: *span,
            }));
        }
        Some(Token {
            tok: Tok::Code(_),
            span,
        }) => {
            return Err(err(*span, "a `%{ }%` block needs a time")
                .help("write `+0 %{ … }%`: it runs with the values of that moment"))
        }
        _ => {}
    }
    if let Some(word) = cur.peek_ident() {
        let span = cur.peek().map_or(cur.line_start, |t| t.span);
        let keyword = match word {
            "either" => Some(RawLine::Either(span)),
            "or" => Some(RawLine::Or(span)),
            "end" => Some(RawLine::End(span)),
            _ => None,
        };
        if let Some(k) = keyword {
            cur.next();
            if !cur.at_end() {
                return Err(cur
                    .unexpected(&format!("after `{word}`"))
                    .help("`either`, `or` and `end` stand alone on their line, without a time"));
            }
            return Ok(k);
        }
    }
    let (mut time, dots) = parse_time(cur)?;
    let kind = match cur.peek() {
        Some(Token {
            tok: Tok::Command(text),
            span,
        }) => {
            cur.next();
            LineKind::Command(Command {
                text: text.clone(),
                span: *span,
            })
        }
        Some(Token {
            tok: Tok::Code(text),
            span,
        }) => {
            cur.next();
            LineKind::Code(CodeBlock {
                text: text.clone(),
                span: *span,
            })
        }
        Some(Token {
            tok: Tok::Punct(c @ ('<' | '>')),
            ..
        }) => {
            let inject = *c == '<';
            cur.inject = inject;
            if inject && !matches!(time.node, TimeSpec::Absolute(_) | TimeSpec::Relative(_)) {
                return Err(err(time.span, "a `<` line needs an exact time")
                    .help("the harness injects at one moment: use `0.1` or `+0.1`; `*` and ranges are for `>` lines"));
            }
            if super::stream::starts(cur) {
                LineKind::Stream(super::stream::parse(cur)?)
            } else {
                parse_packet(cur)?
            }
        }
        Some(Token {
            tok: Tok::Ident(word),
            span,
        }) if word == "state"
            && !matches!(
                cur.peek_at(1),
                Some(Token {
                    tok: Tok::Punct('('),
                    ..
                })
            ) =>
        {
            cur.next();
            LineKind::State(parse_state(cur, *span)?)
        }
        Some(Token {
            tok: Tok::Ident(_), ..
        }) if matches!(
            cur.peek_at(1),
            Some(Token {
                tok: Tok::Punct('('),
                ..
            })
        ) =>
        {
            let mut call = parse_syscall(cur)?;
            // `+0...0.1 read(…)`: packetdrill's blocking call, which returns
            // at the end time (relative like the start when that is relative).
            if dots {
                match time.node {
                    TimeSpec::AbsoluteRange { lo, hi } => {
                        time.node = TimeSpec::Absolute(lo);
                        call.end = Some(hi);
                    }
                    TimeSpec::RelativeRange { lo, hi } => {
                        time.node = TimeSpec::Relative(lo);
                        call.end = Some(hi);
                    }
                    _ => {}
                }
            }
            LineKind::Syscall(call)
        }
        _ => {
            return Err(cur.unexpected("after the time").help(
                "a line is a time, then `<` or `>` and a segment, `state NAME`, or a syscall",
            ))
        }
    };
    if !cur.at_end() {
        return Err(cur.unexpected("at the end of the line"));
    }
    let span = time.span.to(cur.prev_span());
    Ok(RawLine::Line(Line { time, kind, span }))
}

/// The line's time, and whether a range was written with packetdrill's `...`
/// (which on a syscall line is a blocking call's end time).
fn parse_time(cur: &mut Cursor<'_>) -> PResult<(Spanned<TimeSpec>, bool)> {
    let help = "a line starts with its time: `0.1` (absolute), `+0.1` (after the previous line), `*` (any) or a range `0.1~0.2` (packetdrill's `.1` and `0.1...0.2` also work)";
    let start = cur.peek().map_or(cur.line_start, |t| t.span);
    if cur.eat_punct('*') {
        return Ok((
            Spanned {
                node: TimeSpec::Any,
                span: start,
            },
            false,
        ));
    }
    let relative = cur.eat_punct('+');
    let lo = secs(cur).map_err(|e| {
        if e.message.starts_with("expected") {
            e.help(help)
        } else {
            e
        }
    })?;
    // `~`, or `...`, between the ends of a range.
    let dots = matches!(
        cur.peek(),
        Some(Token {
            tok: Tok::Ellipsis,
            ..
        })
    );
    let range = cur.eat_punct('~') || (dots && cur.next().is_some());
    let node = if range {
        let plus = cur.eat_punct('+');
        if plus && !relative {
            return Err(err(
                cur.prev_span(),
                "the upper end of an absolute range cannot be relative",
            )
            .help("write `0.1~0.2`, or `+0~0.5` for a range after the previous line"));
        }
        let hi = secs(cur)?;
        if hi < lo {
            return Err(err(
                start.to(cur.prev_span()),
                "the time range ends before it starts",
            ));
        }
        if relative {
            TimeSpec::RelativeRange { lo, hi }
        } else {
            TimeSpec::AbsoluteRange { lo, hi }
        }
    } else if relative {
        TimeSpec::Relative(lo)
    } else {
        TimeSpec::Absolute(lo)
    };
    Ok((
        Spanned {
            node,
            span: start.to(cur.prev_span()),
        },
        dots,
    ))
}

/// A time in seconds at the cursor → microseconds.
fn secs(cur: &mut Cursor<'_>) -> PResult<u64> {
    match cur.peek() {
        Some(Token {
            tok: Tok::Number(text),
            span,
        }) => {
            let v = parse_secs(text).map_err(|m| err(*span, m))?;
            cur.next();
            Ok(v)
        }
        // packetdrill's `.25` for `0.25`.
        Some(Token {
            tok: Tok::Punct('.'),
            span: dot,
        }) => match cur.peek_at(1) {
            Some(Token {
                tok: Tok::Number(frac),
                span,
            }) if span.start == dot.end && frac.bytes().all(|b| b.is_ascii_digit()) => {
                let v = parse_secs(&format!("0.{frac}")).map_err(|m| err(dot.to(*span), m))?;
                cur.next();
                cur.next();
                Ok(v)
            }
            _ => Err(cur.expected("expected a time in seconds")),
        },
        _ => Err(cur.expected("expected a time in seconds")),
    }
}

fn parse_state(cur: &mut Cursor<'_>, keyword: Span) -> PResult<StateLine> {
    let help = "states are spelled as RFC 9293 (SYN-RECEIVED, FIN-WAIT-1) or ss (SYN-RECV, ESTAB) spells them";
    match cur.peek() {
        Some(Token {
            tok: Tok::Ident(name),
            span,
        }) => {
            let state = name
                .parse::<TcpState>()
                .map_err(|m| err(*span, m).help(help))?;
            cur.next();
            Ok(StateLine {
                state,
                span: keyword.to(*span),
            })
        }
        _ => Err(cur
            .expected("expected a TCP state after `state`, e.g. `state ESTABLISHED`")
            .help(help)),
    }
}

fn parse_packet(cur: &mut Cursor<'_>) -> PResult<LineKind> {
    let dir_span = cur.next().map_or(cur.line_start, |t| t.span);
    let direction = if cur.inject {
        Direction::Inject
    } else {
        Direction::Expect
    };
    let ip = parse_ip_info(cur)?;
    if matches!(cur.peek_ident(), Some("icmp" | "udp")) {
        return parse_datagram(cur, direction, ip, dir_span).map(LineKind::Datagram);
    }
    let psp_spi = parse_encap(cur)?;
    let (flags, flags_optional) = parse_flags(cur)?;
    let seq = if cur.is_star() {
        let span = cur.next().map_or(dir_span, |t| t.span);
        cur.check_star_allowed(span)?;
        Some(Spanned {
            node: Value::Any,
            span,
        })
    } else if matches!(
        cur.peek(),
        Some(Token {
            tok: Tok::Number(_),
            ..
        })
    ) {
        Some(parse_seq_range(cur)?)
    } else if cur.inject {
        return Err(cur
            .expected("expected seq:end(len) after the flags")
            .help(SEQ_HELP));
    } else {
        None
    };
    let mut p = PacketLine {
        direction,
        flags,
        flags_optional,
        seq,
        ack: None,
        win: None,
        urg: None,
        options: None,
        payload: None,
        bad_csum: false,
        ip,
        psp_spi,
        span: dir_span,
    };
    while let Some(t) = cur.peek() {
        let dup = |name: &str| err(t.span, format!("`{name}` given twice on one line"));
        match &t.tok {
            Tok::Ident(w) if w == "ack" => {
                if p.ack.is_some() {
                    return Err(dup(w));
                }
                cur.next();
                // `ack *` is allowed on `<` lines too: there it acknowledges
                // everything the target has sent so far.
                let inject = std::mem::replace(&mut cur.inject, false);
                let value = cur.value("an acknowledgment number after `ack`", u64::from(u32::MAX));
                cur.inject = inject;
                let (v, span) = value?;
                p.ack = Some(spanned_map(v, span, |n| n as u32));
            }
            Tok::Ident(w) if w == "win" || w == "urg" => {
                let slot = if w == "win" { &mut p.win } else { &mut p.urg };
                if slot.is_some() {
                    return Err(dup(w));
                }
                cur.next();
                let (v, span) =
                    cur.value(&format!("a 16-bit number after `{w}`"), u64::from(u16::MAX))?;
                *slot = Some(spanned_map(v, span, |n| n as u16));
            }
            Tok::Ident(w) if w == "payload" => {
                if p.payload.is_some() {
                    return Err(dup(w));
                }
                cur.next();
                p.payload = Some(parse_payload(cur, &p)?);
            }
            Tok::Ident(w) if w == "csum" => {
                if p.bad_csum {
                    return Err(dup(w));
                }
                cur.next();
                if cur.peek_ident() != Some("bad") {
                    return Err(cur.expected("expected `bad` after `csum`"));
                }
                cur.next();
                if !cur.inject {
                    return Err(err(
                        t.span.to(cur.prev_span()),
                        "`csum bad` is only allowed on `<` lines",
                    )
                    .help("it corrupts the checksum of a segment the harness injects"));
                }
                p.bad_csum = true;
            }
            Tok::Punct('<') => {
                if p.options.is_some() {
                    return Err(dup("<options>"));
                }
                p.options = Some(parse_options(cur)?);
            }
            _ => return Err(cur.unexpected("in a packet line").help(FIELDS_HELP)),
        }
    }
    p.span = dir_span.to(cur.prev_span());
    Ok(LineKind::Packet(p))
}

fn spanned_map<T>(v: Value<u64>, span: Span, f: impl Fn(u64) -> T) -> Spanned<Value<T>> {
    let node = match v {
        Value::Exact(n) => Value::Exact(f(n)),
        Value::Any => Value::Any,
    };
    Spanned { node, span }
}

pub(crate) fn parse_seq_range(cur: &mut Cursor<'_>) -> PResult<Spanned<Value<SeqRange>>> {
    let max = u64::from(u32::MAX);
    let (start, first) = cur.number("the start sequence number", max)?;
    if !cur.eat_punct(':') {
        return Err(cur
            .expected("expected `:` after the start sequence number")
            .help(SEQ_HELP));
    }
    let (end, _) = cur
        .number("the end sequence number after `:`", max)
        .map_err(|e| e.help(SEQ_HELP))?;
    if !cur.eat_punct('(') {
        return Err(cur
            .expected("expected `(` after the end sequence number")
            .help(SEQ_HELP));
    }
    let (len, _) = cur
        .number("the length after `(`", max)
        .map_err(|e| e.help(SEQ_HELP))?;
    if !cur.eat_punct(')') {
        return Err(cur.expected("expected `)` after the length").help(SEQ_HELP));
    }
    let span = first.to(cur.prev_span());
    let (start, end, len) = (start as u32, end as u32, len as u32);
    let distance = SeqNumber(end).offset_from(SeqNumber(start));
    if distance != len {
        return Err(err(
            span,
            format!("end - seq is {distance} but the length is {len}"),
        )
        .help("in seq:end(len), end must be seq + len (modulo 2^32)"));
    }
    Ok(Spanned {
        node: Value::Exact(SeqRange { start, len }),
        span,
    })
}

fn parse_payload(cur: &mut Cursor<'_>, p: &PacketLine) -> PResult<Spanned<Value<Vec<u8>>>> {
    match cur.peek() {
        Some(Token {
            tok: Tok::Punct('*'),
            span,
        }) => {
            cur.next();
            cur.check_star_allowed(*span)?;
            Ok(Spanned {
                node: Value::Any,
                span: *span,
            })
        }
        Some(Token {
            tok: Tok::Str(bytes),
            span,
        }) => {
            cur.next();
            if let Some(Spanned {
                node: Value::Exact(range),
                ..
            }) = &p.seq
            {
                if usize::try_from(range.len).ok() != Some(bytes.len()) {
                    return Err(err(
                        *span,
                        format!(
                            "the payload is {} bytes but the sequence range says {}",
                            bytes.len(),
                            range.len
                        ),
                    )
                    .help("len in seq:end(len) counts the payload bytes (plus 1 for SYN and FIN on their own: write them with len 0)"));
                }
            }
            Ok(Spanned {
                node: Value::Exact(bytes.clone()),
                span: *span,
            })
        }
        _ => Err(cur.expected("expected a string or `*` after `payload`")),
    }
}
