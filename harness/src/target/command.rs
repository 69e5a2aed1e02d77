//! A script's back-quoted commands (packetdrill's init, cleanup and timed
//! commands), as a target runs them: see [`super::Target::command`].

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// The addresses a packetdrill script asks for (`--local_ip`: the target's,
/// `--remote_ip`: the harness's), honoured by a target of the case's own
/// ([`super::Target::isolated`]); each `None` keeps synack's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScriptAddresses {
    /// `--local_ip`: the target's address.
    pub target: Option<IpAddr>,
    /// `--remote_ip`: the harness's address.
    pub harness: Option<IpAddr>,
}

impl ScriptAddresses {
    /// Whether the script names any address.
    pub fn any(&self) -> bool {
        self.target.is_some() || self.harness.is_some()
    }
}

/// How long one command may run before it is killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// What a command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The exit status; `None` when a signal ended it (or the timeout did).
    pub status: Option<i32>,
    /// What it wrote to standard output (lossily decoded as UTF-8).
    pub stdout: String,
    /// What it wrote to standard error (lossily decoded as UTF-8).
    pub stderr: String,
    /// It ran past [`COMMAND_TIMEOUT`] and was killed.
    pub timed_out: bool,
}

impl Output {
    /// Exit status 0.
    pub fn success(&self) -> bool {
        self.status == Some(0) && !self.timed_out
    }
}

impl fmt::Display for Output {
    /// `exit status 1: sysctl: setting key "kernel.x": Read-only file system`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.timed_out, self.status) {
            (true, _) => write!(f, "killed after {} s", COMMAND_TIMEOUT.as_secs())?,
            (false, Some(s)) => write!(f, "exit status {s}")?,
            (false, None) => f.write_str("killed by a signal")?,
        }
        let err = self.stderr.trim();
        if !err.is_empty() {
            write!(f, ": {}", err.replace('\n', " / "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_says_status_and_stderr_on_one_line() {
        let o = Output {
            status: Some(255),
            stdout: String::new(),
            stderr: "sysctl: a\nsysctl: b\n".into(),
            timed_out: false,
        };
        assert_eq!(o.to_string(), "exit status 255: sysctl: a / sysctl: b");
        assert!(!o.success());
    }
}
