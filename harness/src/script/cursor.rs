//! A cursor over one logical line's tokens, with the error helpers every
//! part of the parser shares.

use super::ast::{Span, Value};
use super::lexer::{LineIndex, Tok, Token};

/// A parse error before it becomes a [`super::Diagnostic`].
#[derive(Debug)]
pub(crate) struct PErr {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

pub(crate) type PResult<T> = Result<T, PErr>;

pub(crate) fn err(span: Span, message: impl Into<String>) -> PErr {
    PErr {
        span,
        message: message.into(),
        help: None,
    }
}

impl PErr {
    pub(crate) fn help(mut self, help: impl Into<String>) -> PErr {
        self.help = Some(help.into());
        self
    }
}

pub(crate) struct Cursor<'t> {
    pub toks: &'t [Token],
    pub pos: usize,
    pub index: &'t LineIndex<'t>,
    pub src: &'t str,
    /// Where the line starts, for errors before any token.
    pub line_start: Span,
    /// True on `<` lines: `*` and `...` are refused.
    pub inject: bool,
}

impl<'t> Cursor<'t> {
    pub(crate) fn peek(&self) -> Option<&'t Token> {
        self.toks.get(self.pos)
    }
    pub(crate) fn peek_at(&self, ahead: usize) -> Option<&'t Token> {
        self.toks.get(self.pos + ahead)
    }
    pub(crate) fn next(&mut self) -> Option<&'t Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    pub(crate) fn is_punct(&self, c: char) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Punct(p), .. }) if *p == c)
    }
    pub(crate) fn eat_punct(&mut self, c: char) -> bool {
        let hit = self.is_punct(c);
        if hit {
            self.pos += 1;
        }
        hit
    }
    pub(crate) fn peek_ident(&self) -> Option<&'t str> {
        match self.peek() {
            Some(Token {
                tok: Tok::Ident(s), ..
            }) => Some(s.as_str()),
            _ => None,
        }
    }
    pub(crate) fn is_star(&self) -> bool {
        self.is_punct('*')
    }

    /// The span of the previous token (or the line start).
    pub(crate) fn prev_span(&self) -> Span {
        match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => t.span,
            None => self.line_start,
        }
    }

    /// A zero-width span just after the previous token: where something was expected.
    pub(crate) fn after_prev(&self) -> Span {
        match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => self.index.span(t.span.end, t.span.end),
            None => self.line_start,
        }
    }

    /// "expected …", pointing just after the previous token.
    pub(crate) fn expected(&self, what: impl Into<String>) -> PErr {
        err(self.after_prev(), what)
    }

    /// "unexpected …" at the next token (or the end of the line).
    pub(crate) fn unexpected(&self, context: &str) -> PErr {
        match self.peek() {
            Some(t) => err(t.span, format!("unexpected {} {context}", describe(&t.tok))),
            None => err(
                self.after_prev(),
                format!("unexpected end of line {context}"),
            ),
        }
    }

    /// Refuses `*` on `<` lines.
    pub(crate) fn check_star_allowed(&self, span: Span) -> PResult<()> {
        if self.inject {
            Err(err(span, "`*` (any value) is only allowed on `>` lines")
                .help("a `<` line injects a segment, so every field needs an exact value"))
        } else {
            Ok(())
        }
    }

    /// An unsigned number no larger than `max`, or `*` when allowed.
    pub(crate) fn value(&mut self, what: &str, max: u64) -> PResult<Spanned64> {
        if self.is_star() {
            let span = self.next().map_or(self.after_prev(), |t| t.span);
            self.check_star_allowed(span)?;
            return Ok((Value::Any, span));
        }
        let (n, span) = self.number(what, max)?;
        Ok((Value::Exact(n), span))
    }

    /// An unsigned number (decimal or `0x` hex) no larger than `max`.
    pub(crate) fn number(&mut self, what: &str, max: u64) -> PResult<(u64, Span)> {
        match self.peek() {
            Some(Token {
                tok: Tok::Number(text),
                span,
            }) => {
                let n = parse_uint(text).ok_or_else(|| {
                    err(*span, format!("`{text}` is not a number"))
                        .help("numbers are decimal (1460) or hex (0x5b4)")
                })?;
                if n > max {
                    return Err(err(
                        *span,
                        format!("{what} {n} is out of range (at most {max})"),
                    ));
                }
                self.pos += 1;
                Ok((n, *span))
            }
            _ => Err(self.symbol_help(self.expected(format!("expected {what}")))),
        }
    }

    /// Adds "define it with -D" when the next token looks like one of
    /// packetdrill's symbols (`MSS`, `TFO_COOKIE`).
    pub(crate) fn symbol_help(&self, e: PErr) -> PErr {
        match self.peek() {
            Some(Token {
                tok: Tok::Ident(w), ..
            }) if is_symbol(w) => e.help(format!(
                "`{w}` looks like a packetdrill symbol: define it with -D {w}=VALUE"
            )),
            _ => e,
        }
    }
}

/// An upper-case word with a letter in it: how packetdrill's `-D` symbols are named.
pub(crate) fn is_symbol(w: &str) -> bool {
    w.len() > 1
        && w.chars().any(|c| c.is_ascii_uppercase())
        && w.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

pub(crate) type Spanned64 = (Value<u64>, Span);

/// Decimal or `0x` hex, without sign.
pub(crate) fn parse_uint(text: &str) -> Option<u64> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(hex, 16).ok()
    } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// Seconds with at most six decimals (`0.25`) → microseconds.
pub(crate) fn parse_secs(text: &str) -> Result<u64, String> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (text.contains('.') && frac.is_empty()) {
        return Err(format!("`{text}` is not a time in seconds (e.g. 0.25)"));
    }
    if frac.len() > 6 {
        return Err(format!(
            "`{text}` has more than 6 decimals (times are kept in microseconds)"
        ));
    }
    let whole: u64 = int
        .parse()
        .map_err(|_| format!("`{text}` is too large a time"))?;
    let mut micros: u64 = 0;
    for (i, c) in frac.chars().enumerate() {
        let d = u64::from(c.to_digit(10).unwrap_or(0));
        micros += d * 10u64.pow(5 - i as u32);
    }
    whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(micros))
        .ok_or_else(|| format!("`{text}` is too large a time"))
}

/// How a token is named in an error message.
pub(crate) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) | Tok::Number(s) => format!("`{s}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Meta(_) => "metadata".into(),
        Tok::Ellipsis => "`...`".into(),
        Tok::Punct(c) | Tok::Unknown(c) => format!("`{c}`"),
        Tok::Newline => "end of line".into(),
        Tok::Command(_) => "a back-quoted command".into(),
        Tok::Code(_) => "a `%{ }%` block".into(),
        Tok::OptLine(_) => "an option line (`--name=value`)".into(),
        Tok::Bad(msg) => msg.clone(),
    }
}
