//! packetdrill's symbols: `-D SYM=VAL` on the command line (or a
//! `--define=SYM=VAL` line in the script) replaces the word `SYM` wherever
//! it stands, before parsing, as packetdrill's lexer does. A value in double
//! quotes becomes a string, in back quotes a command, anything else the
//! tokens it spells (`host_unreachable`, `3021b9d889017eeb`, `SOL_IP`).

use std::collections::BTreeMap;

use super::ast::Span;
use super::lexer::{lex, LineIndex, Tok, Token};

/// Symbol → value, as given to `-D SYM=VAL`.
pub type Defines = BTreeMap<String, String>;

/// Splits `SYM=VAL`; `None` when there is no `=` or the symbol is empty or
/// not a word.
pub fn parse_define(text: &str) -> Option<(String, String)> {
    let (sym, val) = text.split_once('=')?;
    let sym = sym.trim();
    let word = !sym.is_empty() && sym.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    word.then(|| (sym.to_string(), val.trim().to_string()))
}

/// The `--define=SYM=VAL` (or `--D=SYM=VAL`) lines among the tokens, merged
/// under `given` (the command line's win).
pub(crate) fn with_script_defines(toks: &[Token], given: &Defines) -> Defines {
    let mut all = Defines::new();
    for t in toks {
        if let Tok::OptLine(body) = &t.tok {
            let Some((name, value)) = body.split_once('=') else {
                continue;
            };
            if matches!(name.trim(), "define" | "D") {
                if let Some((s, v)) = parse_define(value) {
                    all.insert(s, v);
                }
            }
        }
    }
    all.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// Replaces each word token that is a symbol with the tokens of its value,
/// each carrying the word's span (errors point at the symbol as written).
pub(crate) fn substitute(toks: Vec<Token>, defines: &Defines) -> Vec<Token> {
    if defines.is_empty() {
        return toks;
    }
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        let value = match &t.tok {
            Tok::Ident(w) => defines.get(w),
            _ => None,
        };
        match value {
            Some(v) => out.extend(value_tokens(v, t.span)),
            None => out.push(t),
        }
    }
    out
}

fn value_tokens(value: &str, span: Span) -> Vec<Token> {
    let index = LineIndex::new(value);
    lex(value, &index)
        .into_iter()
        .filter(|t| t.tok != Tok::Newline)
        .map(|t| Token { tok: t.tok, span })
        .collect()
}
