//! Names the git commit the binary was built from, for `synack --version`.
//!
//! In a checkout: `git rev-parse --short HEAD` (the commit, not whether
//! the tree differs from it). In a packaged crate (`cargo install synack`, or
//! `cargo package`'s own build under `target/package/`), or without git:
//! "unknown". Never fails the build.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    // A packaged copy of the crate sits inside some other repository at
    // times (target/package/ in this one): only a Cargo.toml git tracks
    // means this directory is the checkout.
    let tracked = git(&dir, &["ls-files", "--error-unmatch", "Cargo.toml"]).is_some();
    let commit = if tracked {
        git(&dir, &["rev-parse", "--short", "HEAD"]).filter(|c| !c.is_empty())
    } else {
        None
    };
    let commit = commit.unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SYNACK_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves (a commit, a checkout, a reset).
    if tracked {
        for p in ["HEAD", "logs/HEAD"] {
            if let Some(path) = git(&dir, &["rev-parse", "--git-path", p]) {
                let path = dir.join(path);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
