//! Which oracle rules a fuzz target lets pass by default: the known
//! deviations of the stack it fuzzes, read from ONE place, that target's
//! waiver file (`cases/waivers/<target>.txt`). A waiver of a deviation
//! fuzzing can meet names the rules it fires in its reason, as
//! `(fuzz: rule-a, rule-b)`; the rules of every such waiver are the
//! target's default allow list. The profile's own allowed deviations need
//! no entry: they never fail a case.
//!
//! `SYNACK_FUZZ_ALLOW` overrides the list: a comma-separated list of rules,
//! `*` for every rule (only stack panics and hangs stop the run), and the
//! empty string for none (every failing finding is fatal: triage).

use super::SEGMENT_STORM;

/// The embedded (smoltcp) target's waivers, built into the library so that
/// a fuzz target reads them wherever `cargo fuzz run` starts it.
pub const EMBEDDED_WAIVERS: &str = include_str!("../../embedded-waivers.txt");

/// Where [`EMBEDDED_WAIVERS`] comes from, for the start-up message.
pub const EMBEDDED_WAIVERS_PATH: &str = "cases/waivers/embedded.txt";

/// The rules the `(fuzz: …)` notes of a waiver file name, in file order,
/// each once.
pub fn waiver_rules(waivers: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in waivers.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(start) = line.rfind("(fuzz:") else {
            continue;
        };
        let rest = &line[start + "(fuzz:".len()..];
        let Some(end) = rest.find(')') else {
            continue;
        };
        for name in super::allow_list(&rest[..end]) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The default allow list of the `sequence_embedded` fuzz target: smoltcp's
/// known deviations, from [`EMBEDDED_WAIVERS`].
pub fn embedded_default() -> Vec<String> {
    waiver_rules(EMBEDDED_WAIVERS)
}

/// Where a run's allow list came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `SYNACK_FUZZ_ALLOW` was set.
    Env,
    /// The target's waivers (the variable was unset).
    Waivers,
}

/// The allow list for a fuzz target: `env` (the value of
/// `SYNACK_FUZZ_ALLOW`, empty included) when set, else `default`.
pub fn resolve(env: Option<&str>, default: Vec<String>) -> (Vec<String>, Source) {
    match env {
        Some(list) => (super::allow_list(list), Source::Env),
        None => (default, Source::Waivers),
    }
}

/// The line a fuzz target prints at start: what it lets pass, and how to
/// change that.
pub fn banner(target: &str, allowed: &[String], source: Source) -> String {
    let from = match source {
        Source::Env => "SYNACK_FUZZ_ALLOW".to_string(),
        Source::Waivers => format!("the known deviations in {EMBEDDED_WAIVERS_PATH}"),
    };
    let list = if allowed.is_empty() {
        "no rule: every failing finding stops the run".to_string()
    } else if allowed.iter().any(|a| a == "*") {
        "every oracle rule: only stack panics and hangs stop the run".to_string()
    } else {
        allowed.join(",")
    };
    format!(
        "synack: {target} allows (from {from}): {list}\n\
         synack: SYNACK_FUZZ_ALLOW= (empty) makes every rule fatal; SYNACK_FUZZ_ALLOW='*' allows all"
    )
}

/// Whether `name` is something an allow list may hold: an oracle rule, `*`,
/// or [`SEGMENT_STORM`].
pub fn known(name: &str) -> bool {
    name == "*" || name == SEGMENT_STORM || name.parse::<crate::oracle::RuleId>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiver_notes_name_the_rules_once_in_order() {
        let text = "# comment (fuzz: not-this)\n\
                    a/b  reason one (fuzz: seq-gap, ack-past-fin)\n\
                    a/c  reason without a note\n\
                    a/d  (RFC 1 §2) reason (fuzz: ack-past-fin,segment-storm)\n";
        assert_eq!(
            waiver_rules(text),
            vec!["seq-gap", "ack-past-fin", "segment-storm"]
        );
    }

    #[test]
    fn the_embedded_waivers_name_only_real_rules_and_every_known_deviation() {
        let rules = embedded_default();
        for r in &rules {
            assert!(known(r), "{r} in {EMBEDDED_WAIVERS_PATH} is no oracle rule");
        }
        // The list the campaigns of fuzz/findings ran with.
        for r in [
            "rst-closed-ack-missing",
            "rst-with-text-in-zero-window-ignored",
            "segment-exceeds-mss",
            "ack-of-unsent-data",
            "unacceptable-ack-numbers",
            "seq-gap",
            "fin-on-old-data-ignored",
            "fin-segment-ack-ignored",
            "sack-block-invalid",
            "close-fin-missing",
            "ack-past-fin",
            "segment-storm",
        ] {
            assert!(rules.iter().any(|x| x == r), "{r} missing from the waivers");
        }
    }

    #[test]
    fn an_empty_variable_allows_nothing_and_an_unset_one_the_waivers() {
        let default = vec!["seq-gap".to_string()];
        assert_eq!(resolve(Some(""), default.clone()), (vec![], Source::Env));
        assert_eq!(
            resolve(None, default.clone()),
            (default.clone(), Source::Waivers)
        );
        assert_eq!(
            resolve(Some("ack-past-fin"), default),
            (vec!["ack-past-fin".to_string()], Source::Env)
        );
    }

    #[test]
    fn the_banner_says_what_passes_and_how_to_make_it_fatal() {
        let b = banner("sequence_embedded", &["seq-gap".into()], Source::Waivers);
        assert!(b.starts_with(
            "synack: sequence_embedded allows (from the known deviations in cases/waivers/embedded.txt): seq-gap\n"
        ));
        assert!(b.contains("SYNACK_FUZZ_ALLOW= (empty) makes every rule fatal"));
        let b = banner("sequence_embedded", &[], Source::Env);
        assert!(
            b.contains("(from SYNACK_FUZZ_ALLOW): no rule: every failing finding stops the run")
        );
    }
}
