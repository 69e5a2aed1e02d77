//! The runner's side of a case that meets the wire and the application:
//! `<` lines injected and paced, `>` lines matched, what the target sent
//! recorded and judged, back-quoted commands, syscall and `state` lines.
//! (Methods of [`super::CaseRun`], apart from the line loop in `runner.rs`.)

use super::*;

impl CaseRun<'_> {
    /// Runs a timed back-quoted command where the target lives; a failing
    /// command fails the case (packetdrill's scripts assert with them).
    pub(super) fn command(&mut self, text: &str, line: u32) -> Result<(), Stop> {
        let target = self.target.ok_or_else(|| {
            Stop::Unsupported(format!(
                "{}:{line}: this target cannot run the script's commands",
                self.case.path.display()
            ))
        })?;
        let out = super::super::pdscript::run_command(target, self.case, text)?;
        let shown = super::super::pdscript::one_line(text);
        self.transcript.push(Entry {
            at: self.session.now(),
            line: Some(line),
            what: EntryKind::Note(format!("command `{shown}`: {out}")),
        });
        if !out.success() {
            self.mismatch(
                Some(line),
                format!("command `{shown}` failed: {out}"),
                None,
                None,
                None,
            );
            return Err(Stop::Failed);
        }
        Ok(())
    }

    /// Performs a syscall line's action (setup lines perform nothing) and
    /// compares what it returned with what the line expects.
    pub(super) fn syscall(&mut self, s: &SyscallLine, line: u32) -> Result<(), Stop> {
        // Borrowed from the case (which outlives the run), not copied.
        let case = self.case;
        let Some(Call::Act { action, expect }) = case.calls.calls.get(&line) else {
            return Ok(());
        };
        let at = self.session.now();
        let harness = self.session.info().harness;
        let outcome = match self.session.app(action) {
            Ok(o) => o,
            Err(e) => return Err(self.broke(Some(line), e)),
        };
        if !self.session.info().virtual_time {
            // The kernel acted somewhere in the call (see `prev_span`).
            self.prev_span = (self.prev, self.session.now().max(self.prev));
        }
        // Before the segments it made the target send (received later).
        if let Some(ev) = syscall::app_event_done(action, &outcome) {
            let app = oracle::Observation::App {
                peer: harness,
                event: ev,
            };
            self.oracle.observe(at, app);
        }
        let result = syscall::result_text(&outcome);
        self.transcript.push(Entry {
            at,
            line: Some(line),
            what: EntryKind::App {
                action: match action {
                    AppAction::Abort => format!(
                        "{} (SO_LINGER 0: abort)",
                        self.case.derived.call_text(s, line)
                    ),
                    _ => self.case.derived.call_text(s, line),
                },
                result: result.clone(),
            },
        });
        let got = syscall::returned(&outcome);
        if self.opts.oracle_only || expect.accepts(got) {
            return Ok(());
        }
        let expected = self
            .source_line(line)
            .map_or_else(|| syscall::call_text(s), |l| l.trim().to_string());
        self.mismatch(
            Some(line),
            format!(
                "{}: expected {}, got {result}",
                s.name,
                crate::script::print_expr(&s.result)
            ),
            Some(expected),
            Some(format!("{} = {result}", syscall::call_text(s))),
            Some(self.transcript.len() - 1),
        );
        Err(Stop::Failed)
    }

    /// Injects a `<` line's segment; returns when the target took it in:
    /// the kernel's receive stamp where the target has one, else the
    /// session time just before the write (with the write's length in
    /// `prev_span`).
    ///
    /// `due` is when the line was due. When the kernel's stamp shows the
    /// segment reached the target later (a harness thread preempted on a
    /// loaded machine), what the target sent in between is taken first, in
    /// time order: a retransmission there is the target's answer to a
    /// silence the harness made longer than the script wrote, recorded and
    /// judged by the oracle but no mismatch; anything else is unexpected.
    pub(super) fn inject(
        &mut self,
        p: &PacketLine,
        line: u32,
        due: Duration,
    ) -> Result<Duration, Stop> {
        self.new_passive_peer(p);
        self.take_override(p, line)?;
        let info = self.inject_info();
        let (mut seg, policy) = inject_segment(p, &info, &self.map, self.target_nxt);
        if seg.flags.syn() {
            let script = self.map.harness_script_in(seg.seq, true);
            self.map.harness_syn_sent(script, seg.flags.ack());
        }
        self.edge.apply(line, &mut seg, &self.map);
        // What goes on the wire, and how it reads back (`to_bytes_parsed`).
        let (bytes, read) = seg.to_bytes_parsed(policy);
        self.pace();
        // What the services did before the segment came, not on it.
        super::syscall::report_service_calls(self.session.as_mut(), &mut self.oracle);
        let at = self.session.now();
        // A target that broke on the segment did take it in: it is
        // recorded (and judged) before the case stops.
        let sent = match self.session.inject(&bytes) {
            Err(TargetError::Broken(m)) => Err(TargetError::Broken(m)),
            Err(e) => return Err(Stop::from(e)),
            Ok(()) => Ok(()),
        };
        // When the stack took the segment in: its kernel stamp where the
        // target has one; else somewhere between the write and its return.
        let at = match self.session.injected_at() {
            Some(k) if sent.is_ok() => {
                let k = k.max(at);
                if k > due {
                    self.sent_meanwhile(due, k, line)?;
                }
                self.prev_span = (k, k);
                k
            }
            _ if info.virtual_time => {
                self.prev_span = (at, at);
                at
            }
            _ => {
                self.prev_span = (at, self.session.now().max(at));
                at
            }
        };
        // What went on the wire, as read back (the built segment leaves the
        // data offset and checksum to `emit`); should our own bytes not parse,
        // the built segment stands in.
        let (seg, checksum_ok) = read.unwrap_or_else(|seg| (seg, false));
        // One with a bad checksum the target must discard (MUST-3): nothing is owed for it.
        self.judge(at, Sender::Harness, &seg, checksum_ok);
        let script = self.script_text(&seg, Sender::Harness);
        self.transcript.push(Entry {
            at,
            line: Some(line),
            what: EntryKind::Packet {
                dir: Dir::In,
                bytes,
                segment: Some(seg),
                script,
                checksum_ok,
            },
        });
        sent.map_err(|e| self.broke(Some(line), e))?;
        Ok(at)
    }

    /// Takes what the target sent between `due` (when a `<` line was due)
    /// and `arrived` (when its segment reached the target, later): see
    /// [`CaseRun::inject`].
    fn sent_meanwhile(&mut self, due: Duration, arrived: Duration, line: u32) -> Result<(), Stop> {
        while let Some(pkt) = self.recv(arrived, Some(line))? {
            if self.late_retransmission(&pkt, pkt.at > due) {
                self.record_late(pkt, Some(line), arrived.saturating_sub(due))?;
                continue;
            }
            let entry = self.record_target(pkt, Some(line), None);
            if self.opts.oracle_only || self.hold(entry) {
                continue;
            }
            let actual = self.entry_script(entry);
            self.mismatch(
                Some(line),
                "unexpected segment from the target while waiting for this line".into(),
                Some("nothing".into()),
                actual,
                Some(entry),
            );
            return Err(Stop::Failed);
        }
        Ok(())
    }

    /// Keeps injections on a real-time target at most `max_pps` a second.
    pub(super) fn pace(&mut self) {
        if self.session.info().virtual_time || self.opts.max_pps == 0 {
            return;
        }
        let gap = Duration::from_secs(1) / self.opts.max_pps;
        if let Some(last) = self.last_inject {
            let next = last + gap;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        self.last_inject = Some(Instant::now());
    }

    /// Records a packet from the target, learning its ISN (and TSval base)
    /// from it first when it is a SYN. `script_seq` is what the matching line
    /// writes for its sequence number.
    pub(super) fn record_target(
        &mut self,
        pkt: Received,
        line: Option<u32>,
        script_seq: Option<(u32, u32)>,
    ) -> usize {
        let (parsed, checksum_ok) = match crate::wire::parse_with_checksum(&pkt.bytes) {
            Ok((seg, ok)) => (Ok(seg), ok),
            Err(e) => (Err(e), false),
        };
        let (segment, script) = match parsed {
            Ok(seg) => {
                let (seq, ts) = script_seq.unwrap_or((0, 0));
                if seg.flags.syn() {
                    self.note_active_open(&seg);
                    // A new connection's SYN (another ISN) starts another
                    // TSval offset (Linux randomizes it per connection):
                    // learn it afresh, as packetdrill learns each socket's
                    // first TSval (`first_actual_ts_val`).
                    if self.map.pd_numbering
                        && self.map.target_isn_known
                        && seg.seq != self.map.target_isn
                    {
                        self.map.target_ts_known = false;
                    }
                    self.map.learn_target_isn(seg.seq, seq);
                    self.target_nxt = seg.seq;
                }
                let end = seg.seq.add(seg.seg_len());
                if !seg.flags.rst() && crate::wire::seq_gt(end, self.target_nxt) {
                    self.target_nxt = end;
                }
                if let Some((tsval, _)) = seg.timestamps() {
                    self.map.learn_target_ts(tsval, ts);
                }
                self.edge.observe(&seg);
                self.judge(pkt.at, Sender::Target, &seg, checksum_ok);
                let script = self.script_text(&seg, Sender::Target);
                (Some(seg), script)
            }
            Err(e) => {
                let error = e.to_string();
                let what = oracle::Observation::Unparseable {
                    dir: oracle::Direction::FromTarget,
                    len: pkt.bytes.len(),
                    error: &error,
                };
                let findings = self.oracle.observe(pkt.at, what);
                let entry = self.transcript.len();
                self.add_findings(findings, Some(entry));
                (
                    None,
                    ScriptText::new(format!(
                        "unparseable packet ({} bytes): {e}",
                        pkt.bytes.len()
                    )),
                )
            }
        };
        self.transcript.push(Entry {
            at: pkt.at,
            line,
            what: EntryKind::Packet {
                dir: Dir::Out,
                bytes: pkt.bytes,
                segment,
                script,
                checksum_ok,
            },
        });
        self.transcript.len() - 1
    }

    /// The script text of a packet `sender` sent, with the mapping as it
    /// stands: rendered now when every text is wanted
    /// ([`RunOptions::script_text`]), else when first asked.
    fn script_text(&self, seg: &crate::wire::Segment, sender: Sender) -> ScriptText {
        if self.opts.script_text {
            ScriptText::new(script_line(seg, sender, &self.map))
        } else {
            ScriptText::pending(sender, self.map)
        }
    }

    /// The script text of a transcript packet, rendered now if it was not.
    pub(super) fn entry_script(&self, entry: usize) -> Option<String> {
        match &self.transcript[entry].what {
            what @ EntryKind::Packet { .. } => Some(what.script().to_string()),
            _ => None,
        }
    }

    pub(super) fn expect(&mut self, p: &PacketLine, w: Window, line: u32) -> Result<(), Stop> {
        // The case line as written is what was expected (rendered only for
        // a mismatch).
        let before = self.violations.len();
        let Some((entry, at, late)) =
            self.next_target(w.hi, line, Some(script_numbers(p)), Some(p))?
        else {
            let expected = self.expected_text(line);
            self.mismatch(
                Some(line),
                format!("expected a segment by t={}, got nothing", secs(w.hi)),
                Some(expected),
                Some("nothing".into()),
                None,
            );
            return Err(Stop::Failed);
        };
        // packetdrill's aggregation of consecutive segments (aggregate.rs).
        let gathered = match self.short_of(p, entry) {
            Some((first, want)) => Some(self.gather(first, want, w.hi, line)?),
            None => None,
        };
        let EntryKind::Packet {
            segment: Some(seg), ..
        } = &self.transcript[entry].what
        else {
            let expected = self.expected_text(line);
            let actual = self.entry_script(entry);
            self.mismatch(
                Some(line),
                "the target sent a packet that does not parse".into(),
                Some(expected),
                actual,
                Some(entry),
            );
            return Err(Stop::Failed);
        };
        let at = gathered.as_ref().map_or(at, |g| g.1);
        let seg = match &gathered {
            Some((g, _)) => g,
            None => seg,
        };
        self.map.ts_val_slack = super::super::pdscript::ts_val_slack(self.case, self.session.now());
        let fields = match_segment(p, seg, &self.map);
        if !fields.is_empty() {
            let msg = fields
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            let expected = self.expected_text(line);
            let actual = self.entry_script(entry);
            self.mismatch(Some(line), msg, Some(expected), actual, Some(entry));
            return Err(Stop::Failed);
        }
        if at < w.lo {
            let expected = self.expected_text(line);
            let actual = self.entry_script(entry);
            self.mismatch(
                Some(line),
                format!(
                    "timing: expected at {}..{} s, got at {} s (early)",
                    secs(w.lo),
                    secs(w.hi),
                    secs(at)
                ),
                Some(expected),
                actual,
                Some(entry),
            );
            return Err(Stop::Failed);
        }
        if late {
            self.late_matched(before, entry);
        }
        self.prev = at;
        Ok(())
    }

    pub(super) fn check_state(&mut self, allowed: &[TcpState], line: u32) -> Result<(), Stop> {
        let harness = self.session.info().harness;
        let state = self.session.socket_state(harness)?;
        self.transcript.push(Entry {
            at: self.session.now(),
            line: Some(line),
            what: EntryKind::State {
                state,
                expected: Some(allowed.to_vec()),
            },
        });
        if !allowed.contains(&state) {
            let want: Vec<_> = allowed.iter().map(|s| s.rfc_name()).collect();
            self.mismatch(
                Some(line),
                format!(
                    "socket.state: expected {}, got {}",
                    want.join(" or "),
                    state
                ),
                Some(want.join(" or ")),
                Some(state.to_string()),
                Some(self.transcript.len() - 1),
            );
            return Err(Stop::Failed);
        }
        Ok(())
    }

    /// Feeds a segment to the oracle; its findings concern the transcript
    /// entry about to be pushed.
    pub(super) fn judge(
        &mut self,
        at: Duration,
        side: Sender,
        seg: &crate::wire::Segment,
        checksum_ok: bool,
    ) {
        let dir = match side {
            Sender::Harness => oracle::Direction::ToTarget,
            Sender::Target => oracle::Direction::FromTarget,
        };
        if matches!(side, Sender::Target) {
            // Every call taken now happened at or before the packet.
            super::syscall::report_service_calls(self.session.as_mut(), &mut self.oracle);
        }
        let what = oracle::Observation::Segment {
            dir,
            segment: seg,
            checksum: oracle::Checksum::checked(checksum_ok),
        };
        let mut findings = self.oracle.observe(at, what);
        if matches!(side, Sender::Target) {
            findings.extend(self.icmp.on_target(at, seg));
        }
        if self.offload && matches!(side, Sender::Target) {
            // A GSO super-segment is longer than the MSS by design: the
            // device (a NIC) cuts it at gso_size, which the kernel took
            // from the MSS; what goes on a wire never exceeds it.
            findings.retain(|f| f.rule != oracle::RuleId::SegmentExceedsMss);
        }
        if matches!(side, Sender::Target)
            && seg.flags.syn()
            && !seg.flags.ack()
            && self.case.script.meta.is_empty()
        {
            // A script in packetdrill form that opens actively again: the
            // lab ended the first connection's TIME-WAIT itself (every open
            // of a case uses the session's port, where packetdrill's kernel
            // picks a fresh one; see target/lab/sockets.rs), so the new SYN
            // on the tuple is the harness's doing, not the target's.
            findings.retain(|f| f.rule != oracle::RuleId::TimeWaitTooShort);
        }
        let entry = self.transcript.len();
        self.add_findings(findings, Some(entry));
    }

    pub(super) fn add_findings(&mut self, findings: Vec<Finding>, entry: Option<usize>) {
        self.violations
            .extend(findings.into_iter().map(|f| violation(f, entry, &self.map)));
    }
}
