//! `synack diff -v --report DIR`: each difference comes with both
//! transcripts, and DIR holds every view of both runs.

use std::process::Command;

#[test]
fn diff_verbose_prints_both_transcripts_and_report_writes_both_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("synack-diff-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .current_dir(&root)
        .args([
            "diff",
            "--targets",
            "embedded,embedded",
            "--fault",
            "flip-ack",
            "cases/core/b01-handshake.pkt",
            "-v",
            "--report",
        ])
        .arg(&dir)
        .output()
        .expect("runs synack");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("core/b01-handshake segment #1:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("a: core/b01-handshake on embedded: pass"),
        "{stdout}"
    );
    assert!(
        stdout.contains("b: core/b01-handshake on embedded: fail"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(line "),
        "transcripts name their lines: {stdout}"
    );
    for side in ["a", "b"] {
        for f in [
            "results.json",
            "junit.xml",
            "core__b01-handshake.pcap",
            "core__b01-handshake.txt",
        ] {
            assert!(dir.join(side).join(f).is_file(), "{side}/{f}");
        }
    }
    let written = std::fs::read_to_string(dir.join("differences.txt")).expect("differences.txt");
    assert_eq!(written, stdout);
    let _ = std::fs::remove_dir_all(&dir);
}
