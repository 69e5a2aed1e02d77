//! The flags of a packet line: `S.`, `F.P?`, `Sr5`, `none`, packetdrill's `-`.

use super::ast::{Spanned, Value};
use super::cursor::{err, Cursor, PResult};
use super::lexer::Tok;
use crate::wire::TcpFlags;

pub(crate) const FLAGS_HELP: &str = "flags are S F R P U E W N, `.` for ACK, r0-r7 for the reserved bits (e.g. `S.`, `F.`, `Sr5`), or `none`; on `>` lines a `?` after a letter makes it optional (`F.P?`)";

pub(crate) fn parse_flags(cur: &mut Cursor<'_>) -> PResult<(Spanned<Value<TcpFlags>>, TcpFlags)> {
    if cur.is_star() {
        let span = cur.next().map_or(cur.line_start, |t| t.span);
        if cur.inject {
            return Err(err(span, "`*` (any flags) is only allowed on `>` lines").help(FLAGS_HELP));
        }
        return Ok((
            Spanned {
                node: Value::Any,
                span,
            },
            TcpFlags::empty(),
        ));
    }
    // packetdrill's `-`: no flags at all.
    if cur.is_punct('-') {
        let span = cur.next().map_or(cur.line_start, |t| t.span);
        return Ok((
            Spanned {
                node: Value::Exact(TcpFlags::empty()),
                span,
            },
            TcpFlags::empty(),
        ));
    }
    // The flags are one word: adjacent identifier and `.` tokens (`S.`, `FP.`, `.r5`).
    let first = cur.pos;
    let mut end = None;
    while let Some(t) = cur.peek() {
        let is_part = matches!(t.tok, Tok::Ident(_) | Tok::Punct('.') | Tok::Punct('?'));
        let adjacent = end.is_none_or(|e| e == t.span.start);
        if !is_part || !adjacent {
            break;
        }
        end = Some(t.span.end);
        cur.next();
    }
    let (Some(end), Some(start_tok)) = (end, cur.toks.get(first)) else {
        return Err(cur
            .expected("expected TCP flags after the direction")
            .help(FLAGS_HELP));
    };
    let start = start_tok.span.start;
    let span = cur.index.span(start, end);
    let word = cur.src.get(start..end).unwrap_or("");
    if word == "none" {
        return Ok((
            Spanned {
                node: Value::Exact(TcpFlags::empty()),
                span,
            },
            TcpFlags::empty(),
        ));
    }
    let mut flags = TcpFlags::empty();
    let mut optional = TcpFlags::empty();
    let mut chars = word.char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        let at = |len: usize| cur.index.span(start + off, start + off + len);
        let flag = match c {
            'S' => TcpFlags::SYN,
            'F' => TcpFlags::FIN,
            'R' => TcpFlags::RST,
            'P' => TcpFlags::PSH,
            'U' => TcpFlags::URG,
            'E' => TcpFlags::ECE,
            'W' => TcpFlags::CWR,
            'N' => TcpFlags::AE,
            '.' => TcpFlags::ACK,
            'r' => match chars.peek() {
                Some((_, d @ '0'..='7')) => {
                    let bits = u16::from(*d as u8 - b'0') << 9;
                    chars.next();
                    if flags.reserved() != 0 {
                        return Err(err(at(2), "reserved bits given twice").help(FLAGS_HELP));
                    }
                    TcpFlags(bits)
                }
                _ => {
                    return Err(
                        err(at(1), "`r` must be followed by the reserved bits, 0 to 7")
                            .help(FLAGS_HELP),
                    )
                }
            },
            other => {
                return Err(
                    err(at(other.len_utf8()), format!("unknown TCP flag `{other}`"))
                        .help(FLAGS_HELP),
                )
            }
        };
        if c != 'r' && (flags.contains(flag) || optional.contains(flag)) {
            return Err(err(at(1), format!("flag `{c}` given twice")).help(FLAGS_HELP));
        }
        if chars.peek().is_some_and(|(_, q)| *q == '?') {
            chars.next();
            if cur.inject {
                return Err(
                    err(at(2), "an optional flag (`?`) is only allowed on `>` lines")
                        .help(FLAGS_HELP),
                );
            }
            optional |= flag;
        } else {
            flags |= flag;
        }
    }
    Ok((
        Spanned {
            node: Value::Exact(flags),
            span,
        },
        optional,
    ))
}
