//! A script author's mistakes, shown as `file:line:col` with the line and a
//! caret under the offending span, in the style of rustc:
//!
//! ```text
//! error: expected `:` after the start sequence number
//!  --> cases/core/b01.case:12:9
//!    |
//! 12 | +0 < S 0 0(0) win 65535
//!    |         ^
//!    = help: sequence ranges are written seq:end(len), e.g. 0:0(0)
//! ```

use std::fmt;
use std::path::PathBuf;

use super::ast::Span;

/// One error in a case file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The case file's path, as given.
    pub file: String,
    /// Where in the file.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when the parser can tell.
    pub help: Option<String>,
    /// The source line the span starts on (without its newline), for display.
    pub line_text: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line_no = self.span.line.to_string();
        let pad = " ".repeat(line_no.len());
        let text: String = self
            .line_text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let col = self.span.col.max(1) as usize;
        let line_chars = text.chars().count();
        // The span's width in characters, clipped to the line; at least one caret.
        // The span's width (bytes; exact for ASCII), clipped to the line, at least one caret.
        let avail = (line_chars + 1).saturating_sub(col);
        let width = (self.span.end.saturating_sub(self.span.start))
            .min(avail)
            .max(1);
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, " --> {}:{}:{}", self.file, self.span.line, self.span.col)?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{line_no} | {text}")?;
        write!(f, "{pad} | {}{}", " ".repeat(col - 1), "^".repeat(width))?;
        if let Some(help) = &self.help {
            write!(f, "\n{pad} = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// All diagnostics, one after the other, separated by blank lines.
pub fn render(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.to_string());
        out.push_str("\n\n");
    }
    out
}

/// Why a case file could not be loaded.
#[derive(Debug)]
pub enum ScriptError {
    /// The file could not be read (the harness's or the user's environment).
    Io {
        /// The file.
        path: PathBuf,
        /// What reading it said.
        error: std::io::Error,
    },
    /// The file was read but has mistakes in it.
    Invalid(Vec<Diagnostic>),
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::Io { path, error } => {
                write!(f, "cannot read case file {}: {error}", path.display())
            }
            ScriptError::Invalid(diags) => f.write_str(render(diags).trim_end()),
        }
    }
}

impl std::error::Error for ScriptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScriptError::Io { error, .. } => Some(error),
            ScriptError::Invalid(_) => None,
        }
    }
}
