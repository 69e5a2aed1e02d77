//! `synack judge` over real traffic: curl, wget and ab against nginx in
//! namespaces of their own, captured by `tools/capture-traffic.sh` (a few
//! hundred connections: downloads, keep-alive, aborted transfers, a closed
//! port). Linux and nginx conform, so every connection must pass, judged
//! from either side, with or without the handshakes in the capture.
//!
//! Needs root and the tools the script names; skipped without them unless
//! `SYNACK_REQUIRE_LAB=1`, which makes that a failure (as in `lab.rs`).

mod common;

use common::{root, text};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use synack::report::pcap::{read_capture_file, PcapWriter};

/// The capture, made once per test binary run; `None`: skipped.
fn capture() -> Option<PathBuf> {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-traffic.pcap");
    let required = std::env::var("SYNACK_REQUIRE_LAB").as_deref() == Ok("1");
    // The script refuses a capture with holes (tcpdump drops under load):
    // a second try, then a failure.
    let mut last = String::new();
    for _ in 0..2 {
        let o = Command::new(root().join("tools/capture-traffic.sh"))
            .arg(&out)
            .arg("100")
            .output()
            .expect("bash runs");
        last = text(&o);
        match o.status.code() {
            Some(0) => return Some(out),
            Some(3) if !required && !last.contains("dropped packets") => {
                println!("SKIP: {last}");
                return None;
            }
            _ if !required && !is_root() => {
                println!("SKIP (not root): {last}");
                return None;
            }
            _ => {}
        }
    }
    panic!("tools/capture-traffic.sh failed: {last}");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

fn judge(path: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg("judge")
        .args(args)
        .arg(path)
        .env("NO_COLOR", "1")
        .output()
        .expect("synack runs");
    (o.status.code(), text(&o))
}

/// The counts of the closing lines: connections judged, failed.
fn counts(out: &str) -> (usize, usize) {
    let num = |line: &str, after: &str| -> usize {
        line.split(after)
            .next()
            .and_then(|s| s.split_whitespace().last())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let judged = out
        .lines()
        .find(|l| l.contains(" connections judged"))
        .map_or(0, |l| num(l, " connections judged"));
    let failed = out
        .lines()
        .find(|l| l.contains(" failed, "))
        .map_or(0, |l| num(l, " failed, "));
    (judged, failed)
}

#[test]
fn real_traffic_passes_judged_from_either_side_with_or_without_handshakes() {
    let Some(path) = capture() else { return };

    // Without --target-addr: the server, because it received the first SYN.
    let (code, out) = judge(&path, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "judging 192.0.2.1 as the target: it received the first SYN (from 198.51.100.7:"
        ),
        "{out}"
    );
    let (judged, failed) = counts(&out);
    assert!(judged >= 200, "a few hundred connections: {out}");
    assert_eq!(failed, 0, "{out}");

    // The clients' side, named.
    let (code, out) = judge(&path, &["--target-addr", "198.51.100.7"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(counts(&out).1, 0, "{out}");

    // Caught mid-way: every SYN and SYN-ACK left out. The side on the port
    // that stays (80, talking to hundreds of client ports) is the server.
    let capture = read_capture_file(&path).expect("our own capture reads");
    let cut = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-traffic-no-syn.pcap");
    let mut w = PcapWriter::new(std::fs::File::create(&cut).expect("create")).expect("header");
    let mut kept = 0;
    for p in &capture.packets {
        let seg = synack::wire::parse(&p.ip_bytes).expect("TCP");
        if !seg.flags.syn() {
            w.write_packet(p.ts + Duration::ZERO, &p.ip_bytes)
                .expect("write");
            kept += 1;
        }
    }
    w.into_inner().expect("flush");
    assert!(kept > 1000, "{kept}");
    let (_, out) = judge(&cut, &[]);
    assert!(
        out.contains(
            "judging 192.0.2.1 as the target: no SYN in the capture; the listening side of"
        ) && out.contains("its ports 80, 81 stay while the peers' ports change"),
        "{out}"
    );
    // Connections opened before the capture are not judged (the oracle
    // starts from a SYN); the closed port's RSTs still are, and pass.
    let (judged, failed) = counts(&out);
    assert_eq!(failed, 0, "{out}");
    assert!(
        out.contains("UNSUPPORTED") && out.contains("caught mid-way"),
        "{out}"
    );
    println!("mid-way capture: {judged} connections, {failed} failed");
}
