//! An installed `synack` (`cargo install --path harness`): run from any
//! directory, it finds cases and their waivers by the path it is given and
//! reads nothing from the checkout; `--version` names the commit.

mod common;

use common::text;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("cases")
        .canonicalize()
        .expect("the repository's cases/ directory")
}

fn synack_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SYNACK_TARGET")
        .output()
        .expect("the synack binary runs")
}

/// A fresh empty directory under the system's temp directory.
fn empty_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synack-install-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a temp directory");
    d
}

#[test]
fn version_names_the_crate_version_and_a_commit() {
    let o = synack_in(Path::new("/"), &["--version"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out.trim_end();
    let prefix = format!("synack {} (commit ", env!("CARGO_PKG_VERSION"));
    let commit = line
        .strip_prefix(&prefix)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("`{line}` is not `{prefix}<commit>)`"));
    // A short hash in a checkout (as the tests run), "unknown" in a
    // packaged crate: either way one word.
    let hex = commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit());
    assert!(
        hex || commit == "unknown",
        "`{commit}` is neither a short hash nor unknown"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn without_a_path_and_no_cases_here_the_error_says_what_to_give() {
    let dir = empty_dir("nopath");
    let o = synack_in(&dir, &["run"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("no cases/ directory in"), "{t}");
    assert!(t.contains(&dir.display().to_string()), "{t}");
    assert!(t.contains("synack run /path/to/synack/cases"), "{t}");
    assert!(!t.contains("os error"), "{t}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_suite_runs_from_another_directory_with_its_waivers() {
    // From / and from an empty directory: the same result as from the
    // checkout, which needs cases/waivers/embedded.txt (the suite has
    // waived cases: without the file they fail).
    let empty = empty_dir("elsewhere");
    let path = cases();
    let path = path.to_str().expect("a UTF-8 path");
    for dir in [Path::new("/"), empty.as_path()] {
        let o = synack_in(dir, &["run", "--target", "embedded", path]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "from {}: {t}", dir.display());
        assert!(t.contains(" 0 failed"), "{t}");
        assert!(!t.contains(" 0 waived"), "the waivers were not found: {t}");
    }
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn a_suite_under_another_name_finds_its_waivers_beside_it() {
    // A copy of one case and a waiver for it, in a directory not named
    // cases: the waiver beside the cases applies, not one in the cwd.
    let dir = empty_dir("suite");
    let suite = dir.join("my-suite");
    std::fs::create_dir_all(suite.join("waivers")).expect("mkdir");
    let wrong = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wrong-ack.pkt");
    std::fs::copy(&wrong, suite.join("wrong-ack.pkt")).expect("copy the fixture");
    // Case ids count from a directory named cases, else are the path as
    // given: run from beside the suite, the id is my-suite/wrong-ack.
    let s = "my-suite";
    let o = synack_in(&dir, &["run", s]);
    assert_eq!(o.status.code(), Some(1), "unwaived, it fails: {}", text(&o));
    std::fs::write(
        suite.join("waivers/embedded.txt"),
        "my-suite/wrong-ack  the fixture's expectation is wrong on purpose\n",
    )
    .expect("write the waiver");
    let o = synack_in(&dir, &["run", s]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("1 waived"), "{t}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn from_inside_the_cases_directory_a_dot_finds_the_waivers() {
    let o = synack_in(&cases(), &["run", "--target", "embedded", "."]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains(" 0 failed"), "{t}");
    assert!(!t.contains(" 0 waived"), "the waivers were not found: {t}");
}
