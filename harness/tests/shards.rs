//! `--shard K/N` and `synack report merge`: the shards cover every case once,
//! and the merged report equals the unsharded one apart from wall times.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use synack::report::json::{read_results, Results};

fn synack(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("synack runs");
    assert!(
        o.status.success(),
        "synack {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn results(dir: &Path) -> Results {
    read_results(&dir.join("results.json")).expect("results.json reads")
}

/// Wall times are the only thing allowed to differ.
fn without_wall_times(mut r: Results) -> Results {
    r.summary.wall_time = Duration::ZERO;
    for c in &mut r.cases {
        c.wall_time = Duration::ZERO;
    }
    r
}

#[test]
fn shards_cover_every_case_once_and_merge_to_the_unsharded_report() {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shards");
    let _ = std::fs::remove_dir_all(&base);
    let dir = |name: &str| base.join(name).to_string_lossy().into_owned();
    synack(&["run", "--report", &dir("all")]);
    for k in 1..=3 {
        synack(&[
            "run",
            "--shard",
            &format!("{k}/3"),
            "--report",
            &dir(&format!("shard{k}")),
        ]);
    }
    let all = results(&base.join("all"));
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let shard = results(&base.join(format!("shard{k}")));
        assert_eq!(shard.info.shard.as_deref(), Some(format!("{k}/3").as_str()));
        seen.extend(shard.cases.iter().map(|c| c.id.to_string()));
    }
    seen.sort();
    let mut expected: Vec<String> = all.cases.iter().map(|c| c.id.to_string()).collect();
    expected.sort();
    assert_eq!(seen, expected, "every case in exactly one shard");

    synack(&[
        "report",
        "merge",
        &dir("shard1"),
        &dir("shard2"),
        &dir("shard3"),
        "--out",
        &dir("merged"),
    ]);
    let merged = results(&base.join("merged"));
    assert_eq!(without_wall_times(merged), without_wall_times(all));
    for file in ["junit.xml", "summary.md", "index.html"] {
        assert!(base.join("merged").join(file).is_file(), "{file} written");
    }
}
