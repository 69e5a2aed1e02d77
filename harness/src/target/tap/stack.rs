//! The `--exec` process: the user's stack, started in the target's
//! namespace, confined so that it cannot outlive the harness
//! ([`crate::target::sys::process::spawn_confined_with`]), with the last
//! lines of its stderr kept for the report when it dies
//! ([`crate::target::child_stderr`], as for `--serve` and init commands).

use crate::target::child_stderr::StderrTail;
use crate::target::lab::ns::NsThread;
use crate::target::sys;
use crate::target::TargetError;
use std::process::{Child, ExitStatus, Stdio};

/// How long a killed stack's processes may take to exit.
const GONE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether a process of group `pgid` is still running (not a zombie): its
/// files (the device) are released only when it is not. Read from /proc.
fn group_alive(pgid: u32) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        if !e
            .file_name()
            .as_encoded_bytes()
            .iter()
            .all(u8::is_ascii_digit)
        {
            return false;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            return false;
        };
        let f: Vec<&str> = rest.split_whitespace().take(3).collect();
        matches!(f.as_slice(), [state, _, pgrp]
            if *pgrp == pgid.to_string() && *state != "Z" && *state != "X")
    })
}

/// A running `--exec` process.
#[derive(Debug)]
pub struct Stack {
    child: Child,
    /// Its stderr's last lines, read as it writes them.
    stderr: Option<StderrTail>,
    /// Its exit status, once seen.
    status: Option<ExitStatus>,
}

impl Stack {
    /// Starts `sh -c cmd` with `env` added, from the namespace thread.
    pub fn spawn(
        ns: &NsThread,
        cmd: &str,
        env: Vec<(String, String)>,
    ) -> Result<Stack, TargetError> {
        let shell = cmd.to_string();
        let mut child = ns
            .run(move || sys::process::spawn_confined_with(&shell, &env, Stdio::piped()))?
            .map_err(|e| TargetError::Io(format!("--exec `{cmd}`: cannot start: {e}")))?;
        let stderr = StderrTail::capture(&mut child);
        Ok(Stack {
            child,
            stderr,
            status: None,
        })
    }

    /// The process's pid (the leader of its process group).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its exit status if it has ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// The last lines of its stderr, each indented, or a note that there
    /// were none. Waits briefly for the reader when the process has ended.
    pub fn stderr_tail(&mut self) -> String {
        // The pipe closes with the process: let the reader take the last
        // lines (not forever: a descendant may still hold it).
        let wait = match self.status {
            Some(_) => std::time::Duration::from_millis(200),
            None => std::time::Duration::ZERO,
        };
        let lines = self
            .stderr
            .as_ref()
            .map(|t| t.lines(wait))
            .unwrap_or_default();
        if lines.is_empty() {
            return "(its stderr was empty)".into();
        }
        let shown: Vec<String> = lines.iter().map(|l| format!("  | {l}")).collect();
        format!("its last stderr lines:\n{}", shown.join("\n"))
    }

    /// "exited with status 1" / "was killed by signal 9".
    pub fn describe_exit(&mut self) -> String {
        match self.exited() {
            None => "is running".into(),
            Some(s) => match s.code() {
                // The confining shell reports a signal as 128 + its number.
                Some(c) if c > 128 => format!("was killed by signal {}", c - 128),
                Some(c) => format!("exited with status {c}"),
                None => format!("ended ({s})"),
            },
        }
    }

    /// Kills the whole process group, reaps the process, and waits (up to
    /// `GONE_TIMEOUT`) until every process of the group has exited, so that
    /// none holds the device any more: a killed stack's threads may still be
    /// exiting when its parent has been reaped, and a new stack could not
    /// attach (EBUSY) before.
    pub fn stop(&mut self) {
        let _ = sys::process::kill_group(self.child.id());
        if self.status.is_none() {
            self.status = self.child.wait().ok();
        }
        let started = std::time::Instant::now();
        while group_alive(self.child.id()) && started.elapsed() < GONE_TIMEOUT {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        // The stderr reader ends at EOF on its own; never wait for it here.
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.stop();
    }
}
