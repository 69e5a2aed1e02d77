//! Syscall lines: `NAME(args) = RESULT [ERRNO (note)]`, parsed into a generic
//! expression tree. The runner decides later which calls and arguments it
//! can perform on a target.

use super::ast::{Expr, ExprKind, Span, SyscallLine};
use super::cursor::{err, Cursor, PResult};
use super::lexer::{Tok, Token};

/// Expressions nest at most this deep (`[[[…]]]`), so no input can exhaust the stack.
const MAX_DEPTH: usize = 32;

const HELP: &str = "a syscall line is NAME(args) = RESULT, optionally followed by ERRNO (text), e.g. read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)";

pub(crate) fn parse_syscall(cur: &mut Cursor<'_>) -> PResult<SyscallLine> {
    let (name, start) = ident(cur, "a syscall name")?;
    if !cur.eat_punct('(') {
        return Err(cur
            .expected(format!("expected `(` after `{name}`"))
            .help(HELP));
    }
    let args = list(cur, ')', 0)?;
    if !cur.eat_punct('=') {
        return Err(cur
            .expected("expected `=` and the expected result after the arguments")
            .help(HELP));
    }
    let result = expr(cur, 0)?;
    let mut errno = None;
    let mut note = None;
    if let Some(Token {
        tok: Tok::Ident(e), ..
    }) = cur.peek()
    {
        errno = Some(e.clone());
        cur.next();
        if cur.is_punct('(') {
            note = Some(note_text(cur)?);
        }
    }
    Ok(SyscallLine {
        name,
        args,
        result,
        errno,
        note,
        span: start.to(cur.prev_span()),
    })
}

fn ident(cur: &mut Cursor<'_>, what: &str) -> PResult<(String, Span)> {
    match cur.peek() {
        Some(Token {
            tok: Tok::Ident(s),
            span,
        }) => {
            cur.next();
            Ok((s.clone(), *span))
        }
        _ => Err(cur.expected(format!("expected {what}"))),
    }
}

/// The free text between `(` and its matching `)`, as written, trimmed.
fn note_text(cur: &mut Cursor<'_>) -> PResult<String> {
    let open = cur.next().map_or(cur.line_start, |t| t.span);
    let mut depth = 1usize;
    while let Some(t) = cur.next() {
        match t.tok {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    let text = cur.src.get(open.end..t.span.start).unwrap_or("");
                    return Ok(text.trim().to_string());
                }
            }
            _ => {}
        }
    }
    Err(err(open, "unclosed `(` in the errno note").help(HELP))
}

/// Comma-separated expressions up to `close` (consumed).
fn list(cur: &mut Cursor<'_>, close: char, depth: usize) -> PResult<Vec<Expr>> {
    let mut out = Vec::new();
    if cur.eat_punct(close) {
        return Ok(out);
    }
    loop {
        out.push(expr(cur, depth + 1)?);
        if cur.eat_punct(close) {
            return Ok(out);
        }
        if !cur.eat_punct(',') {
            return Err(cur
                .expected(format!("expected `,` or `{close}`"))
                .help(HELP));
        }
    }
}

/// `primary (| primary)*`.
fn expr(cur: &mut Cursor<'_>, depth: usize) -> PResult<Expr> {
    if depth > MAX_DEPTH {
        return Err(cur.unexpected("here: expression nested too deeply"));
    }
    let first = primary(cur, depth)?;
    if !cur.is_punct('|') {
        return Ok(first);
    }
    let mut span = first.span;
    let mut terms = vec![first];
    while cur.eat_punct('|') {
        let t = primary(cur, depth)?;
        span = span.to(t.span);
        terms.push(t);
    }
    Ok(Expr {
        kind: ExprKind::Or(terms),
        span,
    })
}

fn primary(cur: &mut Cursor<'_>, depth: usize) -> PResult<Expr> {
    let Some(t) = cur.peek() else {
        return Err(cur.expected("expected an expression").help(HELP));
    };
    let start = t.span;
    let kind = match &t.tok {
        Tok::Number(_) => {
            let (n, _) = cur.number("an integer", i64::MAX as u64)?;
            ExprKind::Int(n as i64)
        }
        Tok::Punct('-') => {
            cur.next();
            let (n, _) = cur.number("an integer after `-`", 1u64 << 63)?;
            // n <= 2^63, so -n fits in i64 (it is i64::MIN at most).
            ExprKind::Int((-(i128::from(n))) as i64)
        }
        Tok::Ident(name) => {
            cur.next();
            if cur.eat_punct('(') {
                let args = list(cur, ')', depth)?;
                ExprKind::Call {
                    name: name.clone(),
                    args,
                }
            } else {
                ExprKind::Ident(name.clone())
            }
        }
        Tok::Str(bytes) => {
            cur.next();
            ExprKind::Str(bytes.clone())
        }
        Tok::Ellipsis => {
            cur.next();
            ExprKind::Ellipsis
        }
        Tok::Punct('[') => {
            cur.next();
            ExprKind::Array(list(cur, ']', depth)?)
        }
        Tok::Punct('{') => {
            cur.next();
            ExprKind::Struct(fields(cur, depth)?)
        }
        Tok::Punct('&') => {
            cur.next();
            ExprKind::AddrOf(ident(cur, "a name after `&`")?.0)
        }
        _ => {
            return Err(cur
                .unexpected("where an expression was expected")
                .help(HELP))
        }
    };
    Ok(Expr {
        kind,
        span: start.to(cur.prev_span()),
    })
}

/// `field=expr, …}` (the `{` already consumed).
fn fields(cur: &mut Cursor<'_>, depth: usize) -> PResult<Vec<(String, Expr)>> {
    let mut out = Vec::new();
    if cur.eat_punct('}') {
        return Ok(out);
    }
    loop {
        let (name, _) = ident(cur, "a field name")?;
        if !cur.eat_punct('=') {
            return Err(cur
                .expected(format!("expected `=` after the field name `{name}`"))
                .help("structs are written {field=value, …}"));
        }
        out.push((name, expr(cur, depth + 1)?));
        if cur.eat_punct('}') {
            return Ok(out);
        }
        if !cur.eat_punct(',') {
            return Err(cur.expected("expected `,` or `}`"));
        }
    }
}
