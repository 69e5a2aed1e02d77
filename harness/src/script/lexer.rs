//! The case language's lexer: source text → tokens with spans.
//!
//! Comments (`//…`, `/*…*/`) vanish; `//!` metadata becomes one [`Tok::Meta`]
//! token; a newline outside a block comment is a [`Tok::Newline`], because
//! the language is line-oriented. The lexer never fails: a character it does
//! not know is a [`Tok::Unknown`], a broken string or comment a [`Tok::Bad`],
//! and the parser reports them where they matter.

use super::ast::Span;

/// Byte offset → 1-based line and column.
pub(crate) struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(src: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    /// The span `start..end`, with the line and column of `start`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.src.len());
        let line_idx = match self.starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.starts.get(line_idx).copied().unwrap_or(0);
        let col = self
            .src
            .get(line_start..start)
            .map_or(0, |s| s.chars().count());
        Span {
            line: u32::try_from(line_idx + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
            start,
            end: end.max(start),
        }
    }

    /// The text of the line holding byte offset `at`, without its newline.
    pub(crate) fn line_text(&self, at: usize) -> &'a str {
        let mut at = at.min(self.src.len());
        while !self.src.is_char_boundary(at) {
            at -= 1;
        }
        let start = self.src[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = self.src[at..].find('\n').map_or(self.src.len(), |i| at + i);
        &self.src[start..end]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// `[A-Za-z_][A-Za-z0-9_]*`, with inner `-` before an alphanumeric
    /// (`CLOSE-WAIT`).
    Ident(String),
    /// Starts with a digit; keeps letters (`0x1f`, `04ff`) and one `.digits`
    /// fraction (`0.25`). Validated by the parser.
    Number(String),
    /// A `"…"` string with its escapes decoded.
    Str(Vec<u8>),
    /// `//! …`: the text after `//!`.
    Meta(String),
    Ellipsis,
    Punct(char),
    Newline,
    /// A character the language does not use.
    Unknown(char),
    /// `` `…` ``: a shell command (may span lines), the text between the quotes.
    Command(String),
    /// `%{ … }%`: a Python block (may span lines), the text between the markers.
    Code(String),
    /// `--name=value` at the start of a line: the text after `--`, up to the
    /// end of the line or a `//` comment, trimmed.
    OptLine(String),
    /// An unterminated comment, string, command or block, or a bad escape: the message.
    Bad(String),
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

const PUNCT: &str = "<>.:()[]{},*+-~=|&?";

/// Splits `src` into tokens. Never fails, never panics.
pub(crate) fn lex(src: &str, index: &LineIndex<'_>) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let tok = match c {
            b'\n' => {
                i += 1;
                Tok::Newline
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if src[i..].starts_with("//!") => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                let text = src[i + 3..end].to_string();
                i = end;
                Tok::Meta(text)
            }
            b'/' if src[i..].starts_with("//") => {
                i = src[i..].find('\n').map_or(src.len(), |n| i + n);
                continue;
            }
            b'/' if src[i..].starts_with("/*") => match src[i + 2..].find("*/") {
                Some(n) => {
                    i += 2 + n + 2;
                    continue;
                }
                None => {
                    i = src.len();
                    Tok::Bad("unterminated `/*` comment".into())
                }
            },
            b'`' => match src[i + 1..].find('`') {
                Some(n) => {
                    let text = src[i + 1..i + 1 + n].to_string();
                    i += n + 2;
                    Tok::Command(text)
                }
                None => {
                    i = src.len();
                    Tok::Bad("unclosed back-quoted command: no closing `` ` ``".into())
                }
            },
            b'%' if src[i..].starts_with("%{") => match src[i + 2..].find("}%") {
                Some(n) => {
                    let text = src[i + 2..i + 2 + n].to_string();
                    i += 2 + n + 2;
                    Tok::Code(text)
                }
                None => {
                    i = src.len();
                    Tok::Bad("unclosed `%{`: no `}%` ends this block".into())
                }
            },
            b'-' if src[i..].starts_with("--") && at_line_start(src, i) => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                let body = &src[i + 2..end];
                let body = body.find("//").map_or(body, |c| &body[..c]);
                i = end;
                Tok::OptLine(body.trim().to_string())
            }
            b'"' => {
                let (tok, end) = lex_string(src, i);
                i = end;
                tok
            }
            b'.' if src[i..].starts_with("...") => {
                i += 3;
                Tok::Ellipsis
            }
            b'0'..=b'9' => {
                i = scan_word(bytes, i);
                if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i = scan_word(bytes, i + 1);
                }
                Tok::Number(src[start..i].to_string())
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                loop {
                    i = scan_word(bytes, i);
                    let dash_then_word = bytes.get(i) == Some(&b'-')
                        && bytes
                            .get(i + 1)
                            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
                    if !dash_then_word {
                        break;
                    }
                    i += 1;
                }
                Tok::Ident(src[start..i].to_string())
            }
            _ if c.is_ascii() && PUNCT.contains(c as char) => {
                i += 1;
                Tok::Punct(c as char)
            }
            _ => {
                // `i` is on a char boundary: every arm advances by whole chars.
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                i += ch.len_utf8();
                Tok::Unknown(ch)
            }
        };
        out.push(Token {
            tok,
            span: index.span(start, i),
        });
    }
    out
}

/// True when only blanks precede byte `i` on its line.
fn at_line_start(src: &str, i: usize) -> bool {
    let start = src[..i].rfind('\n').map_or(0, |n| n + 1);
    src[start..i].bytes().all(|b| b == b' ' || b == b'\t')
}

fn scan_word(bytes: &[u8], mut i: usize) -> usize {
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        i += 1;
    }
    i
}

/// Lexes the string starting at the `"` at `start`; returns the token and the
/// offset after it. A string ends at its closing quote or, unterminated, at
/// the end of the line.
fn lex_string(src: &str, start: usize) -> (Tok, usize) {
    let mut out = Vec::new();
    let mut chars = src[start + 1..].char_indices();
    let mut bad: Option<String> = None;
    while let Some((off, ch)) = chars.next() {
        let at = start + 1 + off;
        match ch {
            '"' => {
                let tok = match bad {
                    Some(msg) => Tok::Bad(msg),
                    None => Tok::Str(out),
                };
                return (tok, at + 1);
            }
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push(b'\n'),
                Some((_, 'r')) => out.push(b'\r'),
                Some((_, 't')) => out.push(b'\t'),
                Some((_, '0')) => out.push(0),
                Some((_, '\\')) => out.push(b'\\'),
                Some((_, '"')) => out.push(b'"'),
                Some((_, 'x')) => {
                    let hex: String = src[at + 2..].chars().take(2).collect();
                    match u8::from_str_radix(&hex, 16) {
                        Ok(b) if hex.len() == 2 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                            out.push(b);
                            chars.next();
                            chars.next();
                        }
                        _ => {
                            bad.get_or_insert_with(|| {
                                "`\\x` needs two hex digits, e.g. \\x0d".to_string()
                            });
                        }
                    }
                }
                Some((_, '\n')) | None => break,
                Some((_, other)) => {
                    bad.get_or_insert_with(|| {
                        format!(
                            "unknown escape `\\{other}` (use \\r \\n \\t \\0 \\\\ \\\" or \\xHH)"
                        )
                    });
                }
            },
            other => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    let end = src[start..].find('\n').map_or(src.len(), |n| start + n);
    (Tok::Bad("unterminated string".into()), end)
}
