//! `fuzzing`: what the `fuzz/` targets call, compiled and tested with the
//! library so it cannot rot (rustls `fuzz/` style: the targets are shims).
//!
//! Entry points, one per cargo-fuzz target:
//!
//! - [`sequence_embedded`]: decodes an operation list ([`ops`]: inject a
//!   crafted segment with numbers relative to what the target has said,
//!   wait, act as the application) and runs it against a fresh embedded
//!   smoltcp stack, judging every segment with the oracle under the profile
//!   named by `SYNACK_FUZZ_PROFILE` (default `smoltcp`). It panics, so that
//!   libFuzzer keeps the input, on a MUST violation the profile does not
//!   allow, on a broken session (the hang guard), and, uncaught, on any panic
//!   in the stack. [`run_sequence_embedded`] is the same without the panic.
//!   With `SYNACK_FUZZ_RECORD=DIR` it keeps failing findings as files in DIR
//!   and goes on ([`record`]): campaigns at in-process speed.
//! - [`wire_roundtrip`]: `parse` never panics, and what it accepts emits back
//!   to the same bytes and reparses equal.
//! - [`script_parse`]: the case language's parse → print → parse round trip.
//! - [`capture_parse`]: the pcap / pcapng reader.
//!
//! Around them: [`seeds`] turns cases into seed corpora, [`repro`] turns a
//! finding into a case file that reproduces it under `synack run` and groups
//! many findings by rule, [`diff`] compares two targets' normalised responses
//! (one case or input, or a differential campaign: [`diff_fuzz`]).

pub mod allow;
pub mod diff;
pub mod exec;
pub mod mutate;
pub mod ops;
pub mod record;
pub mod repro;
pub mod seeds;
#[cfg(test)]
mod tests;

pub use diff::{
    align, artifact_name, diff_fuzz, diff_input, diff_reports, diff_reports_with, diff_sequence,
    normalise, option_kinds, signature, without_window, Class, DiffCampaign, DiffFuzzError,
    DiffFuzzOptions, DiffGroup, Difference, Label, Normalise, Side,
};
pub use exec::{env_profile, profile_for, run_nth, run_on, Driver, FuzzOutcome, Step};
pub use mutate::Mutator;
pub use ops::{decode, encode, AckAnchor, AppOp, Inject, Input, Op, OptOp, Rel, SeqAnchor};
pub use repro::{group, repro_case, Group, Repro};
pub use seeds::{seed_corpus, wire_seeds, write_corpus};

use crate::target::embedded::Embedded;
use crate::target::{Target, TargetError};
use crate::wire::ChecksumPolicy;

/// Runs a sequence input against a fresh embedded target; never panics on
/// its own account (a panic inside smoltcp propagates).
/// Segments with a corrupt checksum are left out (see
/// [`Driver::skip_bad_checksums`]: fuzz builds of smoltcp do not verify
/// checksums); [`repro_case`] injects them, and smoltcp drops them there.
pub fn run_sequence_embedded(data: &[u8]) -> FuzzOutcome {
    run_embedded(&decode(data), crate::oracle::MAX_BRANCHES)
}

/// How many oracle branches the fuzz target's first pass keeps (see
/// [`sequence_embedded`]): the main model and one other. Over the 3732
/// inputs of campaigns 8–10 it passed none that the full oracle fails, and
/// failed 43 that the full oracle passes (re-judged); 45-second runs from
/// the seeds: 30.1k and 31.1k exec/s, against 28.2k and 27.1k with 4.
pub const FAST_BRANCHES: usize = 2;

/// [`run_sequence_embedded`] judged by an oracle keeping at most
/// `branches` models (see [`crate::oracle::Oracle::with_branch_budget`]).
fn run_embedded(input: &Input, branches: usize) -> FuzzOutcome {
    let (spec, isn) = exec::session_for(input);
    match Embedded::new().open(&spec) {
        Ok(session) => Driver::new(session, input.service, isn, env_profile(), false)
            .skip_bad_checksums()
            .branch_budget(branches)
            .run(&input.ops),
        Err(e) => FuzzOutcome {
            broken: Some(e.to_string()),
            ..FuzzOutcome::default()
        },
    }
}

/// The rules whose failing findings do not make the fuzz target panic:
/// smoltcp's known deviations, each already a waived regression case, that
/// would otherwise stop every campaign at once. By default those the
/// embedded target's waivers name ([`allow::embedded_default`]);
/// `SYNACK_FUZZ_ALLOW` (comma-separated) replaces the list: empty for none
/// (triage), `*` for every rule, so only stack panics and broken sessions
/// stop the run (coverage runs). The first call prints the list to stderr.
pub fn env_allowed() -> &'static [String] {
    static ALLOWED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ALLOWED.get_or_init(|| {
        let env = std::env::var("SYNACK_FUZZ_ALLOW").ok();
        let (list, source) = allow::resolve(env.as_deref(), allow::embedded_default());
        if let Some(bad) = list.iter().find(|r| !allow::known(r)) {
            eprintln!("synack: warning: SYNACK_FUZZ_ALLOW names `{bad}`, which is no oracle rule");
        }
        eprintln!("{}", allow::banner("sequence_embedded", &list, source));
        list
    })
}

/// The rule names of a comma-separated allow list (`SYNACK_FUZZ_ALLOW`, a
/// waiver's `(fuzz: …)` note), blanks left out.
pub fn allow_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The name `SYNACK_FUZZ_ALLOW` uses for a known stack bug: smoltcp 0.14
/// sending bare ACKs without end at one instant (fuzz/findings/
/// embedded-egress-storm.input). The embedded target stops it as a broken
/// session; allowing it keeps a campaign going past it.
pub const SEGMENT_STORM: &str = "segment-storm";

/// Whether a session broke by the embedded target's storm guard (decided by
/// the error's variant, so rewording its message cannot break allow lists).
pub fn is_segment_storm(why: &TargetError) -> bool {
    matches!(why, TargetError::SegmentStorm { .. })
}

/// The first finding of `out` that fails and is not in `allowed`.
pub fn fatal<'a>(out: &'a FuzzOutcome, allowed: &[String]) -> Option<&'a crate::oracle::Finding> {
    out.findings
        .iter()
        .map(|(_, f)| f)
        .find(|f| f.is_failure() && !allowed.iter().any(|a| a == "*" || a == f.rule.name()))
}

/// The `sequence_embedded` fuzz target: panics on a failing finding (unless
/// `SYNACK_FUZZ_ALLOW` names its rule, or `SYNACK_FUZZ_RECORD` names a
/// directory to keep it in: [`record`]) or a broken session.
///
/// Speed: the input runs first with an oracle of [`FAST_BRANCHES`]
/// branches (most inputs fork it little; a long chain of droppable
/// segments pays for each branch kept). Only when that pass fails (a
/// finding not allowed) does the input run again on a
/// fresh stack (the embedded target is deterministic: same input, same
/// segments) with the full budget, and that verdict is the one that counts:
/// every finding reported is one the full oracle makes.
pub fn sequence_embedded(data: &[u8]) {
    let input = decode(data);
    let allowed = env_allowed();
    let mut out = run_embedded(&input, FAST_BRANCHES);
    // The stack's behaviour, hence a broken session, does not depend on
    // the oracle's budget; only a finding is re-judged.
    if let Some(why) = &out.broken {
        let storm = out.broken_by.as_ref().is_some_and(is_segment_storm);
        if !(storm && allowed.iter().any(|a| a == SEGMENT_STORM)) {
            panic!("session broken (hang guard): {why}");
        }
    }
    if fatal(&out, allowed).is_none() {
        return;
    }
    out = run_embedded(&input, crate::oracle::MAX_BRANCHES);
    if let Some(f) = fatal(&out, allowed) {
        match record::env_record_dir() {
            Some(dir) => {
                record::record(dir, f.rule.name(), data);
            }
            None => panic!("oracle: {f}"),
        }
    }
}

/// The `wire_roundtrip` fuzz target: whatever `parse` accepts emits back
/// (checksums kept) to the input up to its IP length, and reparses equal.
pub fn wire_roundtrip(data: &[u8]) {
    let Ok(seg) = crate::wire::parse(data) else {
        return;
    };
    let bytes = seg.to_bytes(ChecksumPolicy::Keep);
    assert!(
        data.starts_with(&bytes),
        "emit(parse(x)) is not x's IP-length prefix:\n in  {data:02x?}\n out {bytes:02x?}"
    );
    let again = crate::wire::parse(&bytes);
    assert_eq!(again.as_ref(), Ok(&seg), "reparse differs");
}

/// The `script_parse` fuzz target.
pub fn script_parse(data: &[u8]) {
    crate::script::fuzz_parse_roundtrip(data);
}

/// The `capture_parse` fuzz target.
pub fn capture_parse(data: &[u8]) {
    crate::report::pcap::fuzz_capture(data);
}
