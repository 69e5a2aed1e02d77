//! `cli`: the only module that knows clap. Arguments → a validated plan →
//! the library; the result → an exit code (0 pass, 1 fail, 2 usage or script
//! error, 3 infrastructure).

mod args;
mod bench;
mod bench_compare;
mod commands;
mod diff_many;
mod fuzz_cmds;
mod grid;
mod link;
mod load;
mod outcome;
mod rootless;
mod tap_cmds;
mod target_flags;

pub use args::Cli;

use clap::Parser;
use std::process::ExitCode;

/// Exit codes, as `--help` and the README document them.
pub mod exit {
    /// Every selected case passed (or was waived).
    pub const PASS: u8 = 0;
    /// A case failed: the target did something the case or the RFCs forbid.
    pub const FAIL: u8 = 1;
    /// Bad usage or input: a flag, a path, a script error.
    pub const USAGE: u8 = 2;
    /// Infrastructure: a target or the OS failed, or a case could not run for an error.
    pub const INFRA: u8 = 3;
    /// Nothing was tested: every selected case unsupported or skipped
    /// (nextest's code for a run with no tests).
    pub const NOTHING_TESTED: u8 = 4;
}

/// An error that ends the command, with the exit code it deserves.
#[derive(Debug)]
pub struct CliError {
    /// The exit code ([`exit`]).
    pub code: u8,
    /// What to tell the user, on stderr.
    pub message: String,
}

impl CliError {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: exit::USAGE,
            message: message.into(),
        }
    }
    /// An infrastructure error (exit 3).
    pub fn infra(message: impl Into<String>) -> CliError {
        CliError {
            code: exit::INFRA,
            message: message.into(),
        }
    }
}

/// Cases that cannot load are the user's to fix: a path missing, unreadable
/// or not text (the message names it), or a script error (`file:line:col`).
impl From<crate::run::LoadError> for CliError {
    fn from(e: crate::run::LoadError) -> CliError {
        CliError::usage(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::infra(format!("I/O error: {e}"))
    }
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    crate::target::sys::default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::PASS
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    rootless::prepare(&cli);
    match commands::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", e.message.trim_end());
            ExitCode::from(e.code)
        }
    }
}
