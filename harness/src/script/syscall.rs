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
    }
    if cur.is_punct('(') {
        note = Some(note_text(cur)?);
    }
    Ok(SyscallLine {
        end: None,
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
            // Adjacent strings concatenate, as in C.
            let mut all = bytes.clone();
            while let Some(Token {
                tok: Tok::Str(more),
                ..
            }) = cur.peek()
            {
                all.extend_from_slice(more);
                cur.next();
            }
            ExprKind::Str(all)
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
            brace(cur, depth)?
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

const STRUCT_HELP: &str =
    "structs are written {field=value, …} (packetdrill's `msg_iov(1)=[…]` too), lists {value, …}";

/// `{field=expr, …}` or `{expr, …}` (the `{` already consumed).
fn brace(cur: &mut Cursor<'_>, depth: usize) -> PResult<ExprKind> {
    let mut fields = Vec::new();
    let mut items = Vec::new();
    if cur.eat_punct('}') {
        return Ok(ExprKind::Struct(fields));
    }
    loop {
        let named = field_name(cur, depth)?;
        if let Some((name, count, name_span)) = named {
            if !items.is_empty() {
                return Err(err(name_span, "a named field in a list of values").help(STRUCT_HELP));
            }
            let value = expr(cur, depth + 1)?;
            if let (Some((n, n_span)), ExprKind::Array(xs)) = (count, &value.kind) {
                if usize::try_from(n).ok() != Some(xs.len()) {
                    return Err(err(
                        n_span,
                        format!("`{name}({n})` but the array has {} elements", xs.len()),
                    )
                    .help("the count in name(N)=[…] is the array's length"));
                }
            }
            fields.push((name, value));
        } else {
            let value = expr(cur, depth + 1)?;
            if !fields.is_empty() {
                return Err(err(value.span, "expected `field=` in a struct").help(STRUCT_HELP));
            }
            items.push(value);
        }
        if cur.eat_punct('}') {
            break;
        }
        if !cur.eat_punct(',') {
            if let Some(Expr {
                kind: ExprKind::Ident(name),
                ..
            }) = items.last()
            {
                return Err(cur
                    .expected(format!("expected `=` after the field name `{name}`"))
                    .help(STRUCT_HELP));
            }
            return Err(cur.expected("expected `,` or `}`").help(STRUCT_HELP));
        }
    }
    Ok(if items.is_empty() {
        ExprKind::Struct(fields)
    } else {
        ExprKind::List(items)
    })
}

/// `name=`, `name(N)=` or `name(...)=` at the cursor (consumed), or `None`
/// (nothing consumed) when the next item is a plain value.
#[allow(clippy::type_complexity)]
fn field_name(
    cur: &mut Cursor<'_>,
    depth: usize,
) -> PResult<Option<(String, Option<(u64, Span)>, Span)>> {
    let Some(Token {
        tok: Tok::Ident(name),
        span,
    }) = cur.peek()
    else {
        return Ok(None);
    };
    let is = |ahead: usize, c: char| matches!(cur.peek_at(ahead), Some(Token { tok: Tok::Punct(p), .. }) if *p == c);
    if is(1, '=') {
        cur.next();
        cur.next();
        return Ok(Some((name.clone(), None, *span)));
    }
    if !is(1, '(') {
        return Ok(None);
    }
    // `name(args)` is a call unless `=` follows its `)`.
    let mut ahead = 2;
    let mut open = 1usize;
    while let Some(t) = cur.peek_at(ahead) {
        match t.tok {
            Tok::Punct('(') => open += 1,
            Tok::Punct(')') => {
                open -= 1;
                if open == 0 {
                    break;
                }
            }
            _ => {}
        }
        ahead += 1;
    }
    if !is(ahead + 1, '=') {
        return Ok(None);
    }
    let (name, span) = (name.clone(), *span);
    cur.next();
    cur.next();
    let args = list(cur, ')', depth)?;
    cur.next(); // the `=`, seen above
    let count = match args.as_slice() {
        [Expr {
            kind: ExprKind::Int(n),
            span,
        }] if *n >= 0 => Some((*n as u64, *span)),
        [Expr {
            kind: ExprKind::Ellipsis,
            ..
        }] => None,
        _ => {
            return Err(err(span, format!("`{name}(…)=` takes a count or `...`")).help(STRUCT_HELP))
        }
    };
    Ok(Some((name, count, span)))
}
