//! The `--exec` process: the user's stack, started in the target's
//! namespace, confined so that it cannot outlive the harness
//! ([`crate::target::sys::process::spawn_confined_with`]), with the last
//! lines of its stderr kept for the report when it dies.

use crate::target::lab::ns::NsThread;
use crate::target::sys;
use crate::target::TargetError;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

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

/// How many lines of its stderr a report shows.
pub const STDERR_LINES: usize = 12;

/// A running `--exec` process.
#[derive(Debug)]
pub struct Stack {
    child: Child,
    stderr: Arc<Mutex<VecDeque<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
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
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let reader = child.stderr.take().map(|pipe| {
            let lines = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut l = lines.lock().unwrap_or_else(PoisonError::into_inner);
                    if l.len() == STDERR_LINES {
                        l.pop_front();
                    }
                    l.push_back(line);
                }
            })
        });
        Ok(Stack {
            child,
            stderr,
            reader,
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
        if self.status.is_some() {
            // The pipe closes with the process: let the reader take the
            // last lines (not forever: a descendant may still hold it).
            let t0 = std::time::Instant::now();
            while self.reader.as_ref().is_some_and(|r| !r.is_finished())
                && t0.elapsed() < std::time::Duration::from_millis(200)
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        let lines = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
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
        // The reader ends at EOF on its own; never wait for it here.
        self.reader = None;
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.stop();
    }
}
