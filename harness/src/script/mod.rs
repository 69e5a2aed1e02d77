//! `script`: the case language.
//!
//! Packet lines follow packetdrill's syntax; synack adds `//!` metadata,
//! `state NAME` assertions and `either … or … end` alternatives:
//!
//! ```text
//! //! title: SYN to a closed port is answered by RST|ACK
//! //! rfc: 9293 3.10.7.1
//! //! service: closed
//! 0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
//! +0    > R. 0:0(0) ack 1 win 0
//! +0.1  < . 1:1(0) ack 1 win 65535
//! +0    state CLOSE-WAIT
//! either
//! +0    > F. 1:1(0) ack 2
//! or
//! +0    > . 1:1(0) ack 2
//! +0~0.5 > F. 1:1(0) ack 2
//! end
//! +0    close(3) = 0
//! ```
//!
//! - the lexer → tokens with spans (comments dropped, `//!` kept);
//! - [`parse`] → [`Script`], a tree with a [`Span`] on every node; errors
//!   are [`Diagnostic`]s (`file:line:col`, the line, a caret), the first per
//!   line, up to [`MAX_ERRORS`];
//! - [`print`] → the canonical text; `parse(print(s))` is `s` spans aside
//!   (compare with [`StripSpans`]).
//!
//! Times are integer microseconds. Syscall lines are parsed into a generic
//! [`Expr`] tree; which calls a target can run is the resolver's business.
//!
//! packetdrill's whole grammar parses too: `--name=value` option lines
//! ([`ScriptOption`]), back-quoted commands (untimed: [`Script::init`] and
//! [`Script::cleanup`]; timed: [`LineKind::Command`]), `%{ }%` blocks
//! ([`LineKind::Code`]), blocking calls (`+0...0.1 read(…)`:
//! [`SyscallLine::end`]), IP prefixes ([`IpInfo`]), `icmp` / `udp` lines
//! ([`LineKind::Datagram`]), `FO`/`FOEXP`/`md5`/`ECN` options (kept as their
//! wire bytes), events over several lines while a bracket is open, and
//! `-D SYM=VAL` symbols ([`parse_with`]).

mod ast;
mod cursor;
mod defines;
mod diagnostics;
mod flags;
pub mod ipaddr;
mod lexer;
mod options;
mod parser;
mod pdlines;
mod printer;
mod stream;
mod syscall;

#[cfg(test)]
mod pd_tests;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use ast::{
    CodeBlock, Command, DatagramKind, DatagramLine, Direction, Echoed, EcnSpec, Expr, ExprKind,
    IpInfo, Item, Line, LineKind, Meta, MetaValue, OptSpec, OptionList, PacketLine, Script,
    ScriptOption, SeqRange, Span, Spanned, StateLine, StripSpans, SyscallLine, TimeSpec, Value,
};
pub use defines::{parse_define, Defines};
pub use diagnostics::{render, Diagnostic, ScriptError};
pub use parser::{parse, parse_with, MAX_ERRORS};
pub use printer::{print, print_expr, print_line, print_options, print_time, quote, secs};
pub use stream::StreamLine;

/// Reads and parses a case file; diagnostics name the file as given.
pub fn parse_file(path: &Path) -> Result<Script, ScriptError> {
    let src = std::fs::read_to_string(path).map_err(|error| ScriptError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&src, &path.display().to_string()).map_err(ScriptError::Invalid)
}

/// The parse/print round trip on arbitrary bytes, for the fuzz target.
///
/// Never panics on input the parser rejects. Panics only if an accepted
/// script does not survive `print` → `parse` unchanged (spans aside), or if
/// printing is not a fixed point after one round: both are real bugs.
pub fn fuzz_parse_roundtrip(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let Ok(mut first) = parse(&src, "fuzz") else {
        return;
    };
    let printed = print(&first);
    let mut second = match parse(&printed, "printed") {
        Ok(s) => s,
        Err(diags) => panic!(
            "printed script does not parse:\n{}\n--- printed ---\n{printed}--- input ---\n{src}",
            render(&diags)
        ),
    };
    assert_eq!(
        print(&second),
        printed,
        "printing is not a fixed point\n--- input ---\n{src}"
    );
    first.strip_spans();
    second.strip_spans();
    assert_eq!(
        first, second,
        "round trip changed the script\n--- printed ---\n{printed}"
    );
}
