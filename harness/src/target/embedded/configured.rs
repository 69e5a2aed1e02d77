//! The embedded target for a case that runs commands: each command runs in
//! a sandboxed lab namespace of the case's own (never on the host), and
//! what it changed there becomes the settings of the smoltcp stack the
//! case's sessions get ([`super::settings`]), or makes the case
//! *unsupported* with the setting named.
//!
//! The sandbox starts at the first command (a case with none, e.g. one
//! that only names its addresses, costs nothing and needs no privilege).
//! A command that fails there, or one that changes a setting while a
//! session runs (smoltcp's settings are fixed when its sockets are made),
//! cannot be honoured: *unsupported*, with its output. Cleanup commands
//! (after [`Target::case_over`]) run as on the lab: their output is the
//! case's.

use super::settings::{self, Snapshot, StackSettings, SNAPSHOT_COMMAND};
use super::{Embedded, EmbeddedSession};
use crate::target::command::Output;
use crate::target::lab::Lab;
use crate::target::{Capabilities, Session, SessionSpec, Target, TargetError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The sandbox and what the commands made of the stack.
#[derive(Default)]
struct State {
    /// The lab namespace the commands run in, started at the first.
    sandbox: Option<Lab>,
    /// The namespace before the first command.
    before: Option<Snapshot>,
    /// The namespace after the last command.
    now: Option<Snapshot>,
}

/// [`Embedded`] with the settings a script's commands asked for.
pub struct Configured {
    inner: Embedded,
    state: Mutex<State>,
    /// A session was opened: the case's lines run (until [`Target::case_over`]).
    running: AtomicBool,
    /// [`Target::case_over`] came: the commands now are the cleanup, and
    /// nothing they do reaches a session.
    over: AtomicBool,
}

impl std::fmt::Debug for Configured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Configured").finish_non_exhaustive()
    }
}

fn unsupported(why: impl std::fmt::Display) -> TargetError {
    TargetError::Unsupported(format!("embedded (smoltcp): {why}"))
}

impl Configured {
    /// A target with no command run yet (smoltcp's own settings).
    pub fn new() -> Configured {
        Configured {
            inner: Embedded::new(),
            state: Mutex::new(State::default()),
            running: AtomicBool::new(false),
            over: AtomicBool::new(false),
        }
    }

    /// The stack's settings, `None` when no command ran, or why the case
    /// cannot run.
    fn settings(&self) -> Result<Option<(StackSettings, Vec<String>)>, TargetError> {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match (&st.before, &st.now) {
            (Some(before), Some(now)) => settings::decide(before, now)
                .map(|o| Some((o.settings, o.notes)))
                .map_err(unsupported),
            _ => Ok(None),
        }
    }
}

impl Default for Configured {
    fn default() -> Configured {
        Configured::new()
    }
}

fn snapshot(lab: &Lab) -> Result<Snapshot, TargetError> {
    let out = lab.command(SNAPSHOT_COMMAND, Path::new("/"))?;
    Ok(Snapshot::parse(&out.stdout))
}

impl Target for Configured {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn default_profile(&self) -> &'static str {
        self.inner.default_profile()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        let settings = self.settings()?;
        let mut session = EmbeddedSession::new(spec)?;
        if let Some((s, _)) = settings {
            session.configure(s);
        }
        self.running.store(true, Ordering::Relaxed);
        Ok(Box::new(session))
    }

    fn command(&self, cmd: &str, cwd: &Path) -> Result<Output, TargetError> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.sandbox.is_none() {
            let lab = crate::target::lab::command_sandbox().map_err(|e| {
                unsupported(format!(
                    "the script's commands run in a sandboxed lab namespace, which cannot start here: {e}"
                ))
            })?;
            st.before = Some(snapshot(&lab)?);
            st.sandbox = Some(lab);
        }
        let Some(lab) = st.sandbox.as_ref() else {
            return Err(TargetError::Broken("the command sandbox vanished".into()));
        };
        let out = lab.command(cmd, cwd)?;
        if self.over.load(Ordering::Relaxed) {
            // The cleanup: its output is the case's, as on the lab.
            return Ok(out);
        }
        if !out.success() {
            return Err(unsupported(format!(
                "command `{}` failed in the sandbox, so what it sets is not known: {out}{}",
                crate::run::pdscript::one_line(cmd),
                crate::run::pdscript::refused_hint(&out)
            )));
        }
        settings::check_stderr(&out.stderr).map_err(|why| {
            unsupported(format!(
                "command `{}`: {why}",
                crate::run::pdscript::one_line(cmd)
            ))
        })?;
        let now = snapshot(lab)?;
        let running = self.running.load(Ordering::Relaxed);
        if running {
            // The sessions run with the settings decided before they
            // opened: a change that leaves them as they are (a setting
            // of a mechanism smoltcp lacks) is accepted; any other cannot
            // reach a running stack.
            let before = st.before.clone().unwrap_or_default();
            let old = st.now.clone().unwrap_or_default();
            let kept = match (
                settings::decide(&before, &old),
                settings::decide(&before, &now),
            ) {
                (Ok(a), Ok(b)) => a.settings == b.settings,
                _ => false,
            };
            if !kept {
                let mut what: Vec<String> = now
                    .changed(&old)
                    .iter()
                    .map(|(k, _, v)| format!("{k}={v}"))
                    .collect();
                if now.routes != old.routes {
                    what.push("a route".into());
                }
                if now.qdiscs != old.qdiscs {
                    what.push("a queueing discipline".into());
                }
                return Err(unsupported(format!(
                    "command `{}` changed {} while the case runs; smoltcp's settings are fixed when its sockets are made",
                    crate::run::pdscript::one_line(cmd),
                    what.join(", ")
                )));
            }
        }
        st.now = Some(now);
        Ok(out)
    }

    fn command_notes(&self) -> Vec<String> {
        match self.settings() {
            Ok(Some((_, notes))) => notes,
            _ => Vec::new(),
        }
    }

    fn case_over(&self) {
        self.running.store(false, Ordering::Relaxed);
        self.over.store(true, Ordering::Relaxed);
    }

    fn isolated(
        &self,
        addresses: &crate::target::command::ScriptAddresses,
    ) -> Option<Result<Box<dyn Target>, TargetError>> {
        self.inner.isolated(addresses)
    }
}
