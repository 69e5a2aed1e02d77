//! Set-up shared by the integration tests that need the lab target.

use synack::target::lab::{Lab, LabOptions};
use synack::target::TargetError;

/// A lab with `options`, or `None` (the test skips) where it cannot start
/// for want of privilege: root, or unprivileged user namespaces. Under
/// `SYNACK_REQUIRE_LAB=1` (CI) that is a failure, as is any other error.
pub fn lab_or_skip_with(options: LabOptions) -> Option<Lab> {
    match Lab::start(options) {
        Ok(lab) => Some(lab),
        Err(TargetError::Privilege(why))
            if std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1") =>
        {
            println!("skipping: lab needs root/CAP_NET_ADMIN: {why}");
            None
        }
        Err(e) => panic!("the lab did not start: {e}"),
    }
}

/// [`lab_or_skip_with`] the default options.
#[allow(dead_code)] // not every test binary that includes this module calls it
pub fn lab_or_skip() -> Option<Lab> {
    lab_or_skip_with(LabOptions::default())
}

/// Whether CI asked that nothing skip (`SYNACK_REQUIRE_LAB=1`).
#[allow(dead_code)]
pub fn require() -> bool {
    std::env::var("SYNACK_REQUIRE_LAB").as_deref() == Ok("1")
}

/// The repository's root.
#[allow(dead_code)]
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The path of `cases/<p>`, as a command-line argument.
#[allow(dead_code)]
pub fn case(p: &str) -> String {
    root().join("cases").join(p).display().to_string()
}

/// Builds synack-lwip into a file of its own (`name`), or says why not
/// (a skip, or a failure under `SYNACK_REQUIRE_LAB=1`).
#[allow(dead_code)]
pub fn lwip(name: &str) -> Option<std::path::PathBuf> {
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let built = std::process::Command::new("bash")
        .arg(root().join("native/lwip/build.sh"))
        .arg(&out)
        .output()
        .expect("bash runs");
    if built.status.success() {
        return Some(out);
    }
    let why = String::from_utf8_lossy(&built.stderr).into_owned();
    assert!(
        !require(),
        "SYNACK_REQUIRE_LAB=1 but lwIP does not build: {why}"
    );
    println!("skipping: lwIP does not build here: {why}");
    None
}

/// What a finished command printed: its stdout, then its stderr.
#[allow(dead_code)]
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts that a case passed; the message says why not.
#[allow(dead_code)]
#[track_caller]
pub fn assert_passes(r: &synack::run::CaseReport) {
    assert_eq!(
        r.outcome,
        synack::run::Outcome::Pass,
        "{}: {:?} {:?} {:?}",
        r.id,
        r.reason,
        r.mismatches,
        r.violations
    );
}

/// False (the test skips) when a `synack run --target tap/tun` that exited
/// `code` printing `out` says it lacks privilege; under
/// `SYNACK_REQUIRE_LAB=1` that is a failure.
#[allow(dead_code)]
pub fn tap_privileged(code: Option<i32>, out: &str) -> bool {
    if code == Some(3) && out.contains("insufficient privilege") {
        assert!(!require(), "SYNACK_REQUIRE_LAB=1 but: {out}");
        println!("skipping: the tap target needs root: {out}");
        return false;
    }
    true
}
