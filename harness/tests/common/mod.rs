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

/// synack-lwip in a file of its own (`name`, so a test can find exactly
/// its processes), or says why not (a skip, or a failure under
/// `SYNACK_REQUIRE_LAB=1`). It is built once per content of `native/lwip/`
/// (and the installed lwIP's version), kept as
/// `CARGO_TARGET_TMPDIR/synack-lwip-<key>`, and each `name` is a hard link
/// to it: the tests of tap.rs and tap_agent.rs build it once, not once a
/// test, and a changed source gives a new key, hence a fresh build. Builds
/// and links are made under temporary names and renamed into place, so two
/// tests at once never write the same file and a running binary is never
/// handed over half-written.
#[allow(dead_code)]
pub fn lwip(name: &str) -> Option<std::path::PathBuf> {
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let key = match lwip_key() {
        Ok(k) => k,
        Err(why) => return lwip_skip(&why),
    };
    let kept = tmp.join(format!("synack-lwip-{key:016x}"));
    let pid = std::process::id();
    if !kept.is_file() {
        let out = tmp.join(format!("{name}.{pid}.building"));
        let built = std::process::Command::new("bash")
            .arg(root().join("native/lwip/build.sh"))
            .arg(&out)
            .output()
            .expect("bash runs");
        if !built.status.success() {
            return lwip_skip(&String::from_utf8_lossy(&built.stderr));
        }
        std::fs::rename(&out, &kept).expect("the built synack-lwip is renamed into place");
    }
    let link = tmp.join(format!("{name}.{pid}.link"));
    let _ = std::fs::remove_file(&link);
    std::fs::hard_link(&kept, &link).expect("a link to the built synack-lwip");
    let named = tmp.join(name);
    std::fs::rename(&link, &named).expect("the link is renamed into place");
    Some(named)
}

/// The key of a synack-lwip build: a hash of every file under
/// `native/lwip/` and of `pkg-config --modversion lwip` (Debian's lwIP).
fn lwip_key() -> Result<u64, String> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let dir = root().join("native/lwip");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in &files {
        f.file_name().hash(&mut h);
        std::fs::read(f)
            .map_err(|e| format!("{}: {e}", f.display()))?
            .hash(&mut h);
    }
    let version = std::process::Command::new("pkg-config")
        .args(["--modversion", "lwip"])
        .output()
        .map_err(|e| format!("pkg-config: {e}: apt-get install liblwip-dev pkg-config"))?;
    if !version.status.success() {
        return Err("lwIP not found: apt-get install liblwip-dev pkg-config".into());
    }
    version.stdout.hash(&mut h);
    Ok(h.finish())
}

/// `None` (the test skips) because lwIP does not build (`why`); a failure
/// under `SYNACK_REQUIRE_LAB=1`.
fn lwip_skip(why: &str) -> Option<std::path::PathBuf> {
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
