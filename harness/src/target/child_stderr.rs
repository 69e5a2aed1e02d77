//! What an external command said before it failed: the last lines of its
//! stderr, with its exit status, for the error that reports it.
//!
//! A server or stack the harness starts (`--serve`, a TAP stack's `--exec`,
//! a namespace's init commands) usually explains its own failure on stderr
//! (nginx: `[emerg] "pid" directive is duplicate`). [`StderrTail::capture`]
//! takes a child's piped stderr and keeps reading it on a thread of its own,
//! so a chatty child never blocks on a full pipe, holding only the last
//! [`StderrTail::LINES`] lines (each cut at [`MAX_LINE`] characters);
//! [`failure`] turns them and the exit status into one message.
//!
//! Use: spawn with `Stdio::piped()` for stderr (e.g.
//! `sys::process::spawn_confined_piped`), call [`StderrTail::capture`] at once,
//! and when the child has exited, `failure(what, status, &tail.lines(..))`.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Characters kept of one stderr line (the rest is cut, marked `…`).
pub const MAX_LINE: usize = 200;

#[derive(Debug, Default)]
struct Tail {
    lines: std::collections::VecDeque<String>,
    /// The reader saw end of file (every writer closed the pipe).
    done: bool,
}

/// The last lines a child wrote to stderr, read as it writes them.
#[derive(Clone, Debug)]
pub struct StderrTail {
    shared: Arc<(Mutex<Tail>, Condvar)>,
}

impl StderrTail {
    /// Lines kept: enough for a server's own error and its context.
    pub const LINES: usize = 10;

    /// Takes `child`'s stderr (spawned with `Stdio::piped()`) and reads it
    /// from now on; `None` when its stderr was not piped or already taken.
    pub fn capture(child: &mut Child) -> Option<StderrTail> {
        child.stderr.take().map(StderrTail::read)
    }

    /// Reads `from` on a new thread until its end, keeping the last
    /// [`Self::LINES`] lines.
    pub fn read(from: impl Read + Send + 'static) -> StderrTail {
        let shared = Arc::new((Mutex::new(Tail::default()), Condvar::new()));
        let writer = Arc::clone(&shared);
        let reading = std::thread::Builder::new()
            .name("child-stderr".into())
            .spawn(move || {
                let mut reader = BufReader::new(from);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match reader.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let line = cut(String::from_utf8_lossy(&buf).trim_end());
                            let mut t = lock(&writer.0);
                            if t.lines.len() == Self::LINES {
                                t.lines.pop_front();
                            }
                            t.lines.push_back(line);
                        }
                    }
                }
                lock(&writer.0).done = true;
                writer.1.notify_all();
            });
        if reading.is_err() {
            // No thread for it: report no lines rather than block anyone.
            lock(&shared.0).done = true;
        }
        StderrTail { shared }
    }

    /// The lines kept so far, oldest first, after waiting up to `wait` for
    /// the end of the stream (a child that just exited may still have lines
    /// in the pipe; one whose daemon holds the pipe open ends the wait).
    pub fn lines(&self, wait: Duration) -> Vec<String> {
        let (m, cv) = &*self.shared;
        let t = lock(m);
        let t = match cv.wait_timeout_while(t, wait, |t| !t.done) {
            Ok((t, _)) => t,
            Err(poisoned) => poisoned.into_inner().0,
        };
        t.lines.iter().cloned().collect()
    }
}

/// How long to wait for the rest of an exited child's stderr.
pub const DRAIN: Duration = Duration::from_millis(500);

/// `what` failed with `status`: the status, then the child's last stderr
/// lines indented under it (or a note that it wrote none).
pub fn failure(what: &str, status: ExitStatus, lines: &[String]) -> String {
    let mut m = format!("{what} ({status})");
    if lines.is_empty() {
        m.push_str("; it wrote nothing to stderr");
    } else {
        m.push_str("; the last lines of its stderr:");
        for l in lines {
            m.push_str("\n    ");
            m.push_str(l);
        }
    }
    m
}

fn cut(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding it leaves only lines behind: still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    fn run(script: &str) -> (ExitStatus, Vec<String>) {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh runs");
        let tail = StderrTail::capture(&mut child).expect("piped");
        let status = child.wait().expect("wait");
        (status, tail.lines(Duration::from_secs(5)))
    }

    #[test]
    fn a_failing_command_shows_its_last_lines_and_status() {
        let (status, lines) = run("for i in $(seq 1 30); do echo line $i >&2; done; \
             echo 'nginx: [emerg] \"pid\" directive is duplicate' >&2; exit 1");
        assert_eq!(lines.len(), StderrTail::LINES);
        assert_eq!(lines[0], "line 22");
        let m = failure("--serve `nginx` exited before listening", status, &lines);
        assert!(
            m.starts_with(
                "--serve `nginx` exited before listening (exit status: 1); \
                 the last lines of its stderr:\n    line 22\n"
            ),
            "{m}"
        );
        assert!(
            m.ends_with("\n    nginx: [emerg] \"pid\" directive is duplicate"),
            "{m}"
        );
    }

    #[test]
    fn a_silent_command_says_so_and_long_lines_are_cut() {
        let (status, lines) = run("exit 3");
        assert_eq!(
            failure("x exited", status, &lines),
            "x exited (exit status: 3); it wrote nothing to stderr"
        );
        let (_, lines) = run("printf '%0300d\\n' 0 >&2");
        assert_eq!(lines[0].chars().count(), MAX_LINE + 1);
        assert!(lines[0].ends_with('…'));
    }
}
