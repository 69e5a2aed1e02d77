//! A case file that runs the T14 statistical test ([`super::isn`]): the
//! key `//! isn-sample: N` (N ≥ 1000) makes `synack run` send the case's
//! SYN N times, each from its own source port, and judge the N SYN-ACKs'
//! ISNs by the stated test instead of playing the lines once. The lines
//! stay a valid case (the SYN and its SYN-ACK) so `synack check` and the
//! reports read it as any other.

use super::case::Case;
use super::event::{CaseReport, Entry, EntryKind, Outcome};
use super::runner::RunOptions;
use crate::script::MetaValue;
use crate::target::Target;
use std::time::Duration;

/// The metadata key.
pub const META_KEY: &str = "isn-sample";

/// How many SYNs the case asks for, or `None` when it is an ordinary case;
/// `Err` says why the value is not a count of at least 1000.
pub fn requested(case: &Case) -> Option<Result<usize, String>> {
    if !case.derived.has_meta.1 {
        return None;
    }
    let m = case.script.meta(META_KEY)?;
    let text = match &m.value {
        MetaValue::Text(t) => t.trim().to_string(),
        MetaValue::List(l) => l.join(","),
        MetaValue::Duration(_) => String::new(),
    };
    Some(match text.parse::<usize>() {
        Ok(n) if n >= 1000 => Ok(n),
        _ => Err(format!(
            "{}: `//! {META_KEY}: {text}` must be a count of at least 1000 SYNs (the stated test needs them)",
            case.path.display()
        )),
    })
}

/// Runs the statistical test into `report` (outcome, reason, one transcript
/// note with the figures).
pub fn run(
    target: &dyn Target,
    case: &Case,
    n: usize,
    index: u32,
    opts: &RunOptions,
    report: &mut CaseReport,
) {
    let family = case.meta.packetdrill.family.unwrap_or(opts.family);
    let isns = match super::isn::sample_with(target, n, opts.seed, index, family) {
        Ok((isns, addr)) => {
            if let Some(addr) = addr {
                report.target_addr = addr.into();
            }
            isns
        }
        Err(crate::target::TargetError::Unsupported(m)) => {
            report.outcome = Outcome::Unsupported;
            report.reason = Some(m);
            return;
        }
        Err(e) => {
            report.outcome = Outcome::Error;
            report.reason = Some(format!("sampling {n} SYN-ACKs: {e}"));
            return;
        }
    };
    let note = match super::isn::judge(&isns) {
        // Only what is the same on every run: on a kernel the figures
        // differ each time and the reviewed snapshots must not.
        Ok(stats) => {
            report.outcome = Outcome::Pass;
            format!(
                "{} ISNs pass the stated test: no increment in more than 1 % of the pairs, at least 99 % distinct, every bit set n/2 ± 5·√n/2 times",
                stats.n
            )
        }
        Err(verdict) => {
            report.outcome = Outcome::Fail;
            let why = stable(&verdict);
            report.reason = Some(why.clone());
            why
        }
    };
    report.transcript.push(Entry {
        at: Duration::ZERO,
        line: None,
        what: EntryKind::Note(note),
    });
}

/// The verdict without the counts that differ from run to run (a random
/// generator's biased bit is set in a different number of ISNs each time),
/// so a reviewed snapshot stays equal.
fn stable(v: &super::isn::IsnVerdict) -> String {
    use super::isn::IsnVerdict;
    match v {
        IsnVerdict::BiasedBit { bit, n, .. } => {
            format!("predictable ISNs: bit {bit} is set beyond 5 sigma of n/2 in {n} ISNs")
        }
        IsnVerdict::ConstantStep { pairs, .. } => {
            format!("predictable ISNs: one increment occurs in more than 1 % of {pairs} pairs")
        }
        IsnVerdict::Repeats { n, .. } => {
            format!("predictable ISNs: under 99 % of {n} are distinct")
        }
        other => other.to_string(),
    }
}
