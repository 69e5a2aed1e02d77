//! A differential campaign: mutated operation lists on two targets, the
//! differences grouped by [`signature`] with counts and one replayable
//! example each.

use super::{diff_input, signature, Class, Difference, Normalise};
use crate::fuzzing::mutate::Mutator;
use crate::target::{Target, TargetError};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One distinct difference of a campaign.
#[derive(Clone, Debug)]
pub struct DiffGroup {
    /// What identifies the difference across inputs ([`signature`]).
    pub signature: String,
    /// Conformance (a finding on one side) or behaviour (both conform).
    pub class: Class,
    /// Inputs that showed it (each counted once).
    pub inputs: u64,
    /// Of those, inputs where it came after the harness's own segments had
    /// differed between the targets.
    pub after_divergence: u64,
    /// The smallest input that showed it, and its difference.
    pub input: Vec<u8>,
    /// The difference `input` showed.
    pub example: Difference,
    /// Where `input` was written, if an artifacts directory was given.
    pub artifact: Option<PathBuf>,
}

/// What a differential campaign found, grouped by [`signature`].
#[derive(Clone, Debug, Default)]
pub struct DiffCampaign {
    groups: BTreeMap<String, DiffGroup>,
    /// Inputs run on both targets.
    pub runs: u64,
    /// Inputs with at least one difference.
    pub differing: u64,
    /// Inputs a target could not run (unsupported).
    pub skipped: u64,
}

impl DiffCampaign {
    /// An empty campaign.
    pub fn new() -> DiffCampaign {
        DiffCampaign::default()
    }

    /// Adds one input's differences; returns the signatures seen for the
    /// first time, and those whose example became smaller (both need their
    /// artifact written).
    pub fn add(&mut self, input: &[u8], diffs: &[Difference]) -> Vec<String> {
        self.runs += 1;
        if !diffs.is_empty() {
            self.differing += 1;
        }
        let mut seen: BTreeMap<String, &Difference> = BTreeMap::new();
        for d in diffs {
            seen.entry(signature(d)).or_insert(d);
        }
        let mut changed = Vec::new();
        for (sig, d) in seen {
            let diverged = diffs
                .iter()
                .filter(|x| signature(x) == sig)
                .all(|x| x.after_divergence);
            match self.groups.get_mut(&sig) {
                Some(g) => {
                    g.inputs += 1;
                    g.after_divergence += u64::from(diverged);
                    if input.len() < g.input.len() {
                        g.input = input.to_vec();
                        g.example = d.clone();
                        changed.push(sig);
                    }
                }
                None => {
                    self.groups.insert(
                        sig.clone(),
                        DiffGroup {
                            signature: sig.clone(),
                            class: d.class(),
                            inputs: 1,
                            after_divergence: u64::from(diverged),
                            input: input.to_vec(),
                            example: d.clone(),
                            artifact: None,
                        },
                    );
                    changed.push(sig);
                }
            }
        }
        changed
    }

    /// The distinct differences: conformance first, then deviations, then
    /// behaviour; the most frequent first within each.
    pub fn groups(&self) -> Vec<&DiffGroup> {
        let mut v: Vec<&DiffGroup> = self.groups.values().collect();
        v.sort_by(|x, y| {
            (x.class, std::cmp::Reverse(x.inputs), &x.signature).cmp(&(
                y.class,
                std::cmp::Reverse(y.inputs),
                &y.signature,
            ))
        });
        v
    }

    /// The group of this signature, if the campaign saw it.
    pub fn group(&self, signature: &str) -> Option<&DiffGroup> {
        self.groups.get(signature)
    }

    /// Whether a difference is labelled with a MUST rule that fails.
    pub fn has_conformance(&self) -> bool {
        self.groups.values().any(|g| g.class == Class::Conformance)
    }

    /// The conformance differences with a failing rule not in `allowed`
    /// (rule names; `*` allows all): what fails a campaign once known
    /// findings, already cases with waivers, are set aside.
    pub fn failing(&self, allowed: &[String]) -> Vec<&DiffGroup> {
        self.groups()
            .into_iter()
            .filter(|g| {
                g.example
                    .labels
                    .iter()
                    .any(|l| l.fails() && !allowed.iter().any(|a| a == "*" || *a == l.rule))
            })
            .collect()
    }

    /// Writes the example input of `signature` to `dir` under
    /// [`artifact_name`] (replacing a larger example).
    pub fn write_artifact(&mut self, signature: &str, dir: &Path) -> std::io::Result<PathBuf> {
        let Some(g) = self.groups.get_mut(signature) else {
            return Err(std::io::Error::other(format!("no group `{signature}`")));
        };
        let path = dir.join(artifact_name(signature));
        std::fs::write(&path, &g.input)?;
        g.artifact = Some(path.clone());
        Ok(path)
    }

    /// The summary a person reads: distinct differences by class, with
    /// counts, an example and its artifact.
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} inputs, {} with differences, {} skipped; {} distinct differences",
            self.runs,
            self.differing,
            self.skipped,
            self.groups.len()
        );
        for class in [Class::Conformance, Class::Deviation, Class::Behaviour] {
            let gs: Vec<_> = self
                .groups()
                .into_iter()
                .filter(|g| g.class == class)
                .collect();
            if gs.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n{}:", class.title());
            for g in gs {
                let _ = write!(s, "{:>7}  {}", g.inputs, g.signature);
                if g.after_divergence > 0 {
                    let _ = write!(
                        s,
                        "   ({} after the harness's own segments differed)",
                        g.after_divergence
                    );
                }
                let _ = writeln!(s);
                let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "(nothing)".into());
                let _ = writeln!(s, "         a: > {}", show(&g.example.a));
                let _ = writeln!(s, "         b: > {}", show(&g.example.b));
                if let Some(p) = &g.artifact {
                    let _ = writeln!(s, "         example: {}", p.display());
                }
            }
        }
        s
    }
}

/// The artifact file name for a signature: `diff-` and a readable slug,
/// then a hash of the whole signature so that two signatures never share a
/// file: `diff-b-syn-ack-acks-isn-must-violation-3f2a9c10`.
pub fn artifact_name(signature: &str) -> String {
    let mut slug = String::new();
    for c in signature.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    // FNV-1a: stable across builds and platforms, unlike DefaultHasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in signature.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("diff-{slug}-{:08x}", h as u32)
}

/// How a differential campaign runs.
#[derive(Clone, Debug)]
pub struct DiffFuzzOptions {
    /// Seed of the mutator.
    pub seed: u64,
    /// Wall time to run for.
    pub duration: Duration,
    /// Stop after this many inputs (whichever comes first).
    pub max_runs: Option<u64>,
    /// How the two transcripts are normalised before they are compared.
    pub norm: Normalise,
    /// Where each distinct difference's smallest input is written.
    pub artifacts: Option<PathBuf>,
}

/// Why a campaign stopped early: the harness's fault, not a target's.
#[derive(Debug)]
pub enum DiffFuzzError {
    /// A target could not run an input (the lab's plumbing failed).
    Target(TargetError),
    /// An artifact could not be written.
    Artifact(PathBuf, std::io::Error),
}

impl fmt::Display for DiffFuzzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiffFuzzError::Target(e) => write!(f, "{e}"),
            DiffFuzzError::Artifact(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for DiffFuzzError {}

/// A differential campaign: every corpus input once, then mutations of
/// them ([`Mutator`]), each run on both targets ([`diff_input`]) until the
/// time or the run count is up. `on_new` sees each distinct difference when
/// it first shows up (its artifact already written).
pub fn diff_fuzz(
    a: &dyn Target,
    b: &dyn Target,
    corpus: &[Vec<u8>],
    opts: &DiffFuzzOptions,
    mut on_new: impl FnMut(&DiffGroup),
) -> Result<DiffCampaign, DiffFuzzError> {
    let started = Instant::now();
    let mut rng = Mutator::new(opts.seed);
    let mut campaign = DiffCampaign::new();
    let mut nth = 0u64;
    while started.elapsed() < opts.duration && opts.max_runs.is_none_or(|m| nth < m) {
        let input = match corpus.get(nth as usize) {
            Some(seed) => seed.clone(),
            None => rng.mutate(corpus),
        };
        let diffs = match diff_input(&input, a, b, nth, opts.norm) {
            Ok(d) => d,
            Err(TargetError::Unsupported(_)) => {
                campaign.skipped += 1;
                nth += 1;
                continue;
            }
            Err(e) => return Err(DiffFuzzError::Target(e)),
        };
        nth += 1;
        for sig in campaign.add(&input, &diffs) {
            // A new group has one input; a smaller example of an old one more.
            let first = campaign.group(&sig).is_some_and(|g| g.inputs == 1);
            if let Some(dir) = &opts.artifacts {
                campaign
                    .write_artifact(&sig, dir)
                    .map_err(|e| DiffFuzzError::Artifact(dir.join(artifact_name(&sig)), e))?;
            }
            if let Some(g) = campaign.group(&sig).filter(|_| first) {
                on_new(g);
            }
        }
    }
    Ok(campaign)
}
