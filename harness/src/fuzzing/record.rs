//! Record mode: oracle findings kept as files instead of stopping the run.
//!
//! A campaign in libFuzzer's fork mode restarts a process, and reloads the
//! corpus, for every failing input; with smoltcp's frequent deviations that
//! is most of the time (about 1.3k exec/s against 30k in-process). With
//! `SYNACK_FUZZ_RECORD=DIR`, `sequence_embedded` writes an input whose
//! failing finding is not allowed to `DIR/<rule>-<hash>` (at most
//! [`PER_RULE`] inputs per rule and process, the first ones found) and goes
//! on; stack panics and broken sessions still stop the run. `synack repro
//! --group DIR` groups the files as it groups libFuzzer's artifacts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Inputs kept per rule (per fuzzing process).
pub const PER_RULE: usize = 50;

/// The directory `SYNACK_FUZZ_RECORD` names, if any.
pub fn env_record_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        std::env::var_os("SYNACK_FUZZ_RECORD")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .as_deref()
}

/// The file name an input of `rule` is kept under: the rule and a 64-bit
/// FNV-1a hash of the input (the same input always lands on the same name).
pub fn file_name(rule: &str, data: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{rule}-{h:016x}")
}

/// Keeps `data` as a finding of `rule` under `dir` unless the rule already
/// has [`PER_RULE`] inputs. Returns whether a file was written. A write that
/// fails panics: a campaign that silently loses its findings is worse than
/// one that stops.
pub fn record(dir: &Path, rule: &str, data: &[u8]) -> bool {
    static COUNTS: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    let mut counts = COUNTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let n = counts.entry(rule.to_string()).or_insert(0);
    if *n >= PER_RULE {
        return false;
    }
    *n += 1;
    let path = dir.join(file_name(rule, data));
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, data)) {
        panic!("SYNACK_FUZZ_RECORD: cannot write {}: {e}", path.display());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_input_gets_the_same_name_and_another_input_another() {
        assert_eq!(file_name("seq-gap", b"abc"), file_name("seq-gap", b"abc"));
        assert_ne!(file_name("seq-gap", b"abc"), file_name("seq-gap", b"abd"));
        assert!(file_name("seq-gap", b"").starts_with("seq-gap-"));
    }

    #[test]
    fn at_most_per_rule_inputs_are_kept_per_rule() {
        let dir = std::env::temp_dir().join(format!("synack-record-{}", std::process::id()));
        let kept = (0..PER_RULE + 10)
            .filter(|i| record(&dir, "test-rule-a", &i.to_be_bytes()))
            .count();
        assert_eq!(kept, PER_RULE);
        assert!(
            record(&dir, "test-rule-b", b"x"),
            "another rule has its own count"
        );
        let files = std::fs::read_dir(&dir).expect("written").count();
        assert_eq!(files, PER_RULE + 1);
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
