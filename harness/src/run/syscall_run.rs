//! The runner's side of performed socket-API calls ([`super::super::syscall_sock`]):
//! performs a line's call at its time, compares its result, and follows a
//! call that blocks (`+0...0.1 read(…)`) until it returns, as packetdrill
//! does: the script goes on meanwhile, and the call's return time must fall
//! in its range. A returned call is taken in (compared, put in the
//! transcript) at the next syscall line or after the last line, so the
//! transcript's order does not depend on thread timing; its return time is
//! the one the session saw.

use super::super::event::{Entry, EntryKind};
use super::super::syscall::Call;
use super::super::syscall_sock::{check, msg, DataExpect, SockExpect};
use super::{CaseRun, Stop, Window};
use crate::script::{SyscallLine, TimeSpec};
use crate::target::calls::{CallStatus, SockCall, SockResult};
use std::time::Duration;

/// How long a call waits for calls that blocked before it to return
/// (packetdrill waits as long for its call thread to go idle).
const AWAIT_IDLE: Duration = Duration::from_millis(20);

/// A call that blocks: its line, and what its return must be.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    line: u32,
    syscall: SyscallLine,
    call: SockCall,
    expect: SockExpect,
    /// When it started (session time).
    start: Duration,
    /// When it must return, and the tolerance either side.
    end: (Duration, Duration),
    /// Until when it may block (its end and tolerance, within the deadline).
    until: Duration,
}

impl CaseRun<'_> {
    /// Performs the socket-API call of a syscall line; `false` when the line
    /// is not one (the caller goes on with the other kinds).
    pub(super) fn sock_line(
        &mut self,
        s: &SyscallLine,
        line: u32,
        time: TimeSpec,
        w: Window,
    ) -> Option<Result<(), Stop>> {
        let (call, expect) = match self.case.calls.calls.get(&line).cloned() {
            Some(Call::Sock { call, expect }) => (call, expect),
            _ => return None,
        };
        Some(self.sock_perform(s, line, call, expect, time, w))
    }

    fn sock_perform(
        &mut self,
        s: &SyscallLine,
        line: u32,
        call: SockCall,
        expect: SockExpect,
        time: TimeSpec,
        w: Window,
    ) -> Result<(), Stop> {
        self.sock_await_idle()?;
        // packetdrill: a call with an end time (`+0...0.1 read(…)`) may
        // block; any other must not. The end counts from where the start
        // counts from (the previous line for `+`), as packetdrill's.
        let us = Duration::from_micros;
        // packetdrill counts a blocking call's end from when the call
        // actually started ("now" at its event): a call that starts late
        // may end as late.
        let began = if self.pd_form() {
            w.at.max(self.session.now())
        } else {
            w.at
        };
        let end_at = match (s.end, time) {
            (Some(e), TimeSpec::Relative(d)) => Some(began.saturating_sub(us(d)) + us(e)),
            (Some(e), _) => Some(us(e)),
            // `+0~0.1 read(…)` as synack wrote it before `...` had its own meaning.
            (None, TimeSpec::RelativeRange { lo, hi } | TimeSpec::AbsoluteRange { lo, hi }) => {
                Some(w.at + us(hi.saturating_sub(lo)))
            }
            (None, _) => None,
        };
        let may_block = end_at.is_some();
        let start = self.session.now();
        let end_at = end_at.unwrap_or(w.at).max(w.at);
        let end = (end_at, self.tolerance(end_at - w.at));
        let status = match self.session.sock_call(&call, may_block, line) {
            Ok(st) => st,
            Err(e) => return Err(self.broke(Some(line), e)),
        };
        self.note_call(&call);
        match status {
            CallStatus::Done { at, result } => {
                let end = may_block.then_some(end);
                self.sock_returned(s, line, &call, &expect, start, at, result, end)
            }
            CallStatus::Pending => {
                self.sock_app.started(&call);
                if matches!(call, SockCall::Connect { .. }) {
                    // The SYN leaves now, while connect() waits for the answer.
                    let harness = self.app_peer(&call);
                    let connect = crate::oracle::Observation::App {
                        peer: harness,
                        event: crate::oracle::AppEvent::Connect,
                    };
                    self.oracle.observe(start, connect);
                }
                self.transcript.push(Entry {
                    at: start,
                    line: Some(line),
                    what: EntryKind::App {
                        action: self.case.derived.call_text(s, line),
                        result: "(blocks)".into(),
                    },
                });
                self.pending.push(Pending {
                    line,
                    syscall: s.clone(),
                    call,
                    expect,
                    start,
                    end,
                    until: end.0 + end.1,
                });
                Ok(())
            }
            CallStatus::Blocked => {
                self.mismatch(
                    Some(line),
                    format!(
                        "{}: blocked for {:?}: a call that blocks needs an end time (`+0...0.1 {}(…)`)",
                        s.name,
                        crate::target::lab::sockets::BLOCK_LIMIT,
                        s.name
                    ),
                    None,
                    None,
                    None,
                );
                Err(Stop::Failed)
            }
        }
    }

    /// Before a call, as packetdrill does: gives calls that blocked and
    /// have been woken (an `accept` whose handshake just completed) up to
    /// [`AWAIT_IDLE`] of real time to return, so the next call sees their
    /// descriptors; one still blocked then is left to run alongside.
    fn sock_await_idle(&mut self) -> Result<(), Stop> {
        let started = std::time::Instant::now();
        loop {
            self.sock_poll()?;
            if self.pending.is_empty()
                || self.session.info().virtual_time
                || started.elapsed() > AWAIT_IDLE
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Takes the result of every blocked call that has returned since.
    pub(super) fn sock_poll(&mut self) -> Result<(), Stop> {
        loop {
            let (token, at, result) = match self.session.sock_finished() {
                Ok(Some(done)) => done,
                Ok(None) => break,
                Err(e) => return Err(self.broke(None, e)),
            };
            let Some(i) = self.pending.iter().position(|p| p.line == token) else {
                continue;
            };
            let p = self.pending.remove(i);
            self.sock_returned(
                &p.syscall,
                p.line,
                &p.call,
                &p.expect,
                p.start,
                at,
                result,
                Some(p.end),
            )?;
        }
        Ok(())
    }

    /// Waits for every call still blocked, until its range ends (and the
    /// tolerance) or the deadline: one still blocked then fails the case.
    pub(super) fn sock_wait_all(&mut self) -> Result<(), Stop> {
        loop {
            self.sock_poll()?;
            let Some(p) = self.pending.first().cloned() else {
                return Ok(());
            };
            let now = self.session.now();
            let until = p.until.min(self.case.meta.deadline);
            if now > until {
                self.mismatch(
                    Some(p.line),
                    format!(
                        "{}: still blocked at {:.3} s, after the end of its time range",
                        p.syscall.name,
                        now.as_secs_f64()
                    ),
                    None,
                    None,
                    None,
                );
                return Err(Stop::Failed);
            }
            let step = (now + Duration::from_millis(2)).min(until + Duration::from_millis(1));
            self.wait_until(step, Some(p.line))?;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sock_returned(
        &mut self,
        s: &SyscallLine,
        line: u32,
        call: &SockCall,
        expect: &SockExpect,
        start: Duration,
        at: Duration,
        result: SockResult,
        end: Option<(Duration, Duration)>,
    ) -> Result<(), Stop> {
        let harness = self.app_peer(call);
        let blocked = end.is_some() && at > start + Duration::from_millis(1);
        for ev in self.sock_app.events(call, &result) {
            // A pending connect told the oracle when it started.
            if blocked && ev == crate::oracle::AppEvent::Connect {
                continue;
            }
            let when = if blocked { at } else { start };
            let app = crate::oracle::Observation::App {
                peer: harness,
                event: ev,
            };
            self.oracle.observe(when, app);
        }
        self.transcript.push(Entry {
            at: if blocked { at } else { start },
            line: Some(line),
            what: EntryKind::App {
                action: self.case.derived.call_text(s, line),
                result: result.to_string(),
            },
        });
        if self.opts.oracle_only {
            return Ok(());
        }
        let case = self.case;
        let actual = || Some(format!("{} = {result}", case.derived.call_text(s, line)));
        let why = check(expect, call, &result).or_else(|| match &expect.data {
            // A timestamp may be off by the timing floor, as packetdrill's.
            DataExpect::Msg(m) => msg::check(
                m,
                &result,
                self.tolerance(Duration::ZERO),
                self.late.max,
                self.session.info().target.is_ipv6(),
            ),
            _ => None,
        });
        if let Some(why) = why {
            let expected = self.source_line(line).map(|l| l.trim().to_string());
            self.mismatch(
                Some(line),
                format!("{}: {why}", s.name),
                expected,
                actual(),
                Some(self.transcript.len() - 1),
            );
            return Err(Stop::Failed);
        }
        if let Some((end, tol)) = end {
            // The end of the range, with the tolerance either side.
            if at < end.saturating_sub(tol) || at > end + tol {
                self.mismatch(
                    Some(line),
                    format!(
                        "{}: returned at {:.3} s, expected at {:.3} s (±{:.3} s)",
                        s.name,
                        at.as_secs_f64(),
                        end.as_secs_f64(),
                        tol.as_secs_f64()
                    ),
                    None,
                    actual(),
                    Some(self.transcript.len() - 1),
                );
                return Err(Stop::Failed);
            }
        }
        Ok(())
    }

    /// A `%{ }%` block's time: reads `TCP_INFO` of the socket under test.
    pub(super) fn code_snapshot(&mut self, code: &str, line: u32) -> Result<(), Stop> {
        self.sock_await_idle()?;
        let Some(fd) = self.sock_app.under_test() else {
            return Err(Stop::Unsupported(format!(
                "{}:{line}: a %{{ }}% block before any socket: no TCP_INFO to give it",
                self.case.path.display()
            )));
        };
        let Some(info) = self.session.tcp_info(fd) else {
            let why = if self.session.info().virtual_time {
                "smoltcp has no TCP_INFO to give it".to_string()
            } else {
                format!("TCP_INFO of fd {fd} cannot be read (closed?)")
            };
            return Err(Stop::Unsupported(format!(
                "{}:{line}: a %{{ }}% block: {why}",
                self.case.path.display()
            )));
        };
        self.tcp_infos.push((code.to_string(), line, info));
        Ok(())
    }

    /// After the script: every `%{ }%` block with `python3`, over the values
    /// read at its time; the first that raises fails the case at its line.
    pub(super) fn run_code_blocks(&mut self) -> Result<(), Stop> {
        use super::super::code_blocks::{missing_names, run_block, BlockError};
        for (code, line, values) in std::mem::take(&mut self.tcp_infos) {
            let missing = missing_names(&code, &values);
            if !missing.is_empty() {
                return Err(Stop::Unsupported(format!(
                    "{}:{line}: the %{{ }}% block uses {}, which this target's TCP_INFO does not give",
                    self.case.path.display(),
                    missing.join(", ")
                )));
            }
            if self.opts.oracle_only {
                continue;
            }
            match run_block(&code, &values) {
                Ok(()) => {}
                Err(e @ BlockError::NoPython(_)) => {
                    return Err(Stop::Unsupported(format!(
                        "{}:{line}: {e}",
                        self.case.path.display()
                    )))
                }
                Err(e) => {
                    self.mismatch(Some(line), e.to_string(), None, None, None);
                    return Err(Stop::Failed);
                }
            }
        }
        Ok(())
    }
}
