//! `> stream LEN [fin] [ack N]`: a byte stream from the target, however it
//! is cut into segments (an extension; see cases/README.md).
//!
//! A server may send its reply as one segment or several, with a bare ACK
//! first or not, with the FIN on the last data segment or alone: RFC 9293
//! leaves segmentation to the sender. A `stream` line accepts every such
//! order: LEN octets (`*`: any number, ended by the FIN), then the FIN when
//! the line says `fin`, each segment checked by the runner (contiguous,
//! ACK set, only ACK, PSH and FIN) and judged by the oracle like any other.

use super::ast::{Span, Spanned, Value};
use super::cursor::{err, Cursor, PResult};

/// A `> stream …` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamLine {
    /// Octets of data (`*`: any number, up to the FIN).
    pub len: Value<u32>,
    /// The stream ends with the target's FIN.
    pub fin: bool,
    /// `ack N` on every segment of the stream (`None`: not checked).
    pub ack: Option<Spanned<Value<u32>>>,
    /// From the direction token to the end of the line.
    pub span: Span,
}

const HELP: &str = "write `> stream LEN [fin] [ack N]`, e.g. `> stream 848 fin ack 19`, or `> stream * fin` for any length up to the FIN";

/// Whether the cursor (at `>`) starts a stream line.
pub(crate) fn starts(cur: &Cursor<'_>) -> bool {
    !cur.inject
        && matches!(cur.peek_at(1), Some(t) if matches!(&t.tok, super::lexer::Tok::Ident(w) if w == "stream"))
}

/// Parses a stream line from its `>`.
pub(crate) fn parse(cur: &mut Cursor<'_>) -> PResult<StreamLine> {
    let dir = cur.next().map_or(cur.line_start, |t| t.span);
    cur.next(); // `stream`
    let (len, len_span) = cur.value("a length in octets after `stream`", u64::from(u32::MAX))?;
    let len = match len {
        Value::Exact(n) => Value::Exact(n as u32),
        Value::Any => Value::Any,
    };
    let mut line = StreamLine {
        len,
        fin: false,
        ack: None,
        span: dir,
    };
    while let Some(t) = cur.peek() {
        match &t.tok {
            super::lexer::Tok::Ident(w) if w == "fin" && !line.fin => {
                cur.next();
                line.fin = true;
            }
            super::lexer::Tok::Ident(w) if w == "ack" && line.ack.is_none() => {
                cur.next();
                let (v, span) =
                    cur.value("an acknowledgment number after `ack`", u64::from(u32::MAX))?;
                let v = match v {
                    Value::Exact(n) => Value::Exact(n as u32),
                    Value::Any => Value::Any,
                };
                line.ack = Some(Spanned { node: v, span });
            }
            _ => return Err(cur.unexpected("in a stream line").help(HELP)),
        }
    }
    if line.len == Value::Any && !line.fin {
        return Err(
            err(len_span, "a stream of any length must end with its FIN")
                .help("write `stream * fin`, or give the length: `stream 848`"),
        );
    }
    line.span = dir.to(cur.prev_span());
    Ok(line)
}

/// The line as a case writes it, after the time: `> stream 848 fin ack 19`.
pub fn print(s: &StreamLine) -> String {
    let mut out = match s.len {
        Value::Exact(n) => format!("> stream {n}"),
        Value::Any => "> stream *".to_string(),
    };
    if s.fin {
        out.push_str(" fin");
    }
    if let Some(a) = &s.ack {
        match a.node {
            Value::Exact(n) => out.push_str(&format!(" ack {n}")),
            Value::Any => out.push_str(" ack *"),
        }
    }
    out
}
