//! Every exit code of every subcommand, as README.md and `--help` document
//! them: 0 pass, 1 a case failed, 2 usage or script error (a path that is
//! missing, unreadable or not text, named), 3 infrastructure, 4 nothing
//! was tested. Each path is walked with the built binary.

mod common;

use common::{root, text};
use std::path::PathBuf;
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("exit-codes");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("SYNACK_PROFILE")
        .env_remove("SYNACK_TARGET")
        .output()
        .expect("the synack binary runs")
}

/// Runs `args`, asserts the exit code and that the output holds each of `says`.
#[track_caller]
fn expect(args: &[&str], code: i32, says: &[&str]) -> String {
    let o = synack(args);
    let out = text(&o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "synack {}:\n{out}",
        args.join(" ")
    );
    for s in says {
        assert!(
            out.contains(s),
            "synack {}: no `{s}` in:\n{out}",
            args.join(" ")
        );
    }
    assert!(!out.contains("panicked"), "{out}");
    out
}

const PASSING: &str = "cases/core/b01-handshake.pkt";
const FAILING: &str = "harness/tests/fixtures/wrong-ack.pkt";
const SYNTAX: &str = "harness/tests/fixtures/syntax-error.pkt";
const UNSUPPORTED: &str = "harness/tests/fixtures/bad/unsupported-linger.pkt";
const MISSING: &str = "no/such/case.pkt";
const OS_ERROR: &str = "harness/tests/fixtures/os-error/device-removed.pkt";

/// A file that is not text: a PNG signature and bytes that are not UTF-8.
fn binary_file() -> String {
    let p = tmp("binary.pkt");
    std::fs::write(&p, b"0 < S 0:0(0)\n\x89PNG\r\n\x1a\n\x00\xff\xfe").expect("write");
    p.display().to_string()
}

#[test]
fn run_exit_codes() {
    expect(
        &["run", PASSING],
        0,
        &["1 passed, 0 failed, 0 waived, 0 unsupported, 0 skipped, 0 errors"],
    );
    expect(
        &["run", FAILING],
        1,
        &["0 passed, 1 failed, 0 waived, 0 unsupported, 0 skipped, 0 errors"],
    );
    expect(&["run", SYNTAX], 2, &["syntax-error.pkt:3:14"]);
    expect(&["run", MISSING], 2, &[MISSING]);
    let bin = binary_file();
    expect(
        &["run", &bin],
        2,
        &[&format!("{bin}:2:1"), "not a text file"],
    );
    expect(
        &["run", "--profile", "rfc9239", PASSING],
        2,
        &["rfc9293", "rfc793", "linux", "smoltcp"],
    );
    expect(&["run", "--fault", "flip-syn", PASSING], 2, &["flip-ack"]);
    expect(&["run", "--shard", "4/3", PASSING], 2, &["4/3"]);
    expect(
        &["run", "--target", "qemu", PASSING],
        2,
        &["embedded", "lab"],
    );
}

#[test]
fn a_run_that_tested_nothing_exits_4_and_says_so() {
    let out = expect(
        &["run", UNSUPPORTED],
        4,
        &[
            "0 passed, 0 failed, 0 waived, 1 unsupported, 0 skipped, 0 errors",
            "nothing was tested",
        ],
    );
    assert!(out.contains("UNSUPPORTED"), "{out}");
    // Tags that select no case: nothing tested either.
    expect(
        &["run", "--tags", "no-such-tag", PASSING],
        4,
        &["nothing was tested"],
    );
    // A run with one case tested and one unsupported is green, unless asked.
    expect(
        &["run", PASSING, UNSUPPORTED],
        0,
        &["1 passed, 0 failed, 0 waived, 1 unsupported"],
    );
    expect(
        &["run", "--fail-on-unsupported", PASSING, UNSUPPORTED],
        1,
        &["--fail-on-unsupported"],
    );
    expect(
        &["run", "--fail-on-unsupported", UNSUPPORTED],
        1,
        &["1 unsupported"],
    );
    // JUnit marks it skipped, with the reason.
    let dir = tmp("report-unsupported");
    let d = dir.display().to_string();
    expect(&["run", "--report", &d, UNSUPPORTED], 4, &["report:"]);
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains(
            "<skipped message=\"unsupported: harness/tests/fixtures/bad/unsupported-linger.pkt:8:"
        ),
        "{junit}"
    );
}

#[test]
fn waived_cases_are_counted_as_waived_not_skipped() {
    let w = tmp("waive-wrong-ack.txt");
    std::fs::write(
        &w,
        "harness/tests/fixtures/wrong-ack  the fixture expects ack 3 on purpose\n",
    )
    .expect("write");
    let w = w.display().to_string();
    expect(
        &["run", "--waivers", &w, FAILING],
        0,
        &[
            "WAIVED",
            "0 passed, 0 failed, 1 waived, 0 unsupported, 0 skipped, 0 errors",
        ],
    );
}

#[test]
fn a_waiver_naming_no_case_fails_the_run() {
    let w = tmp("waive-nothing.txt");
    std::fs::write(&w, "# c\ncore/b01-handshake-renamed  was waived once\n").expect("write");
    let w = w.display().to_string();
    expect(
        &["run", "--waivers", &w, PASSING],
        1,
        &[
            "stale waiver",
            "waive-nothing.txt:2",
            "core/b01-handshake-renamed",
            "names no case",
        ],
    );
}

#[test]
fn segments_no_ip_packet_can_carry_are_script_errors() {
    for cmd in ["run", "check"] {
        expect(
            &[cmd, "harness/tests/fixtures/bad/ip-too-long.pkt"],
            2,
            &["ip-too-long.pkt:6:13", "70040", "65,535", "^"],
        );
        expect(
            &[cmd, "harness/tests/fixtures/bad/seq-space.pkt"],
            2,
            &["seq-space.pkt:5:13", "4294967294"],
        );
    }
    // 65,536 octets as IPv4, 65,516 as an IPv6 payload: only IPv4 refuses it.
    expect(
        &["run", "harness/tests/fixtures/bad/ipv4-too-long.pkt"],
        2,
        &["ipv4-too-long.pkt:6:13", "IPv4", "65536"],
    );
    expect(
        &["check", "harness/tests/fixtures/bad/ipv4-too-long.pkt"],
        0,
        &["ok"],
    );
    // A 10 MiB payload string.
    let big = tmp("big-payload.pkt");
    let n = 10 << 20;
    let text = format!(
        "0 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 1 <...>\n+0 < P. 1:{}({n}) ack 1 payload \"{}\"\n",
        1 + n,
        "a".repeat(n)
    );
    std::fs::write(&big, text).expect("write");
    let big = big.display().to_string();
    expect(&["run", &big], 2, &[&format!("{big}:3:")]);
}

#[test]
fn illegal_but_emittable_segments_are_sent_as_written() {
    let out = synack(&[
        "run",
        "--oracle-only",
        "-v",
        "harness/tests/fixtures/bad/legal-but-odd.pkt",
    ]);
    let t = text(&out);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{t}");
    assert!(t.contains("< SF 0:0(0) win 65535"), "{t}");
    assert!(t.contains("< . 2000000000:2000065475(65475)"), "{t}");
}

#[test]
fn a_case_with_no_events_is_a_script_error() {
    for f in ["empty", "comment-only"] {
        let path = format!("harness/tests/fixtures/bad/{f}.pkt");
        for cmd in ["run", "check"] {
            expect(&[cmd, &path], 2, &[&format!("{path}:1:1"), "no events"]);
        }
    }
}

#[test]
fn check_and_list_exit_codes() {
    expect(&["check", PASSING], 0, &["ok"]);
    expect(&["check", SYNTAX], 2, &["syntax-error.pkt:3:14"]);
    expect(&["check", MISSING], 2, &[MISSING]);
    let bin = binary_file();
    expect(&["check", &bin], 2, &[&bin, "not a text file"]);
    expect(&["list", PASSING], 0, &["core/b01-handshake"]);
    expect(&["list", MISSING], 2, &[MISSING]);
    expect(&["list", &bin], 2, &[&bin]);
}

#[test]
fn explain_exit_codes() {
    expect(&["explain", "--list"], 0, &["rst-for-rst"]);
    expect(&["explain", "rst-for-rst"], 0, &["RFC"]);
    expect(&["explain", "rst-for-rts"], 2, &["rst-for-rts"]);
    expect(&["explain"], 2, &["<RULE>"]);
}

#[test]
fn judge_exit_codes() {
    expect(&["judge", MISSING], 2, &[MISSING]);
    let bin = binary_file();
    expect(&["judge", &bin], 2, &[&bin, "not a pcap"]);
    expect(&["judge", "--profile", "nonsense", &bin], 2, &["rfc9293"]);
    // A pcap of its header alone: nothing to judge.
    let empty = tmp("empty.pcap");
    let mut header = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&65535u32.to_le_bytes());
    header.extend_from_slice(&101u32.to_le_bytes());
    std::fs::write(&empty, &header).expect("write");
    let empty = empty.display().to_string();
    expect(&["judge", &empty], 2, &[&empty, "no packets"]);
    expect(
        &["judge", "--target-addr", "192.0.2.1", &empty],
        2,
        &["no packets"],
    );
    // A capture of one connection: a typo in --target-addr names what it holds.
    use synack::wire::{IpEnvelope, Segment, TcpFlags};
    let syn = Segment::new(
        IpEnvelope::v4([198, 51, 100, 7].into(), [192, 0, 2, 1].into()),
        40000,
        80,
        TcpFlags::SYN,
    );
    let one = tmp("one-syn.pcap");
    {
        let file = std::fs::File::create(&one).expect("create");
        let mut w = synack::report::pcap::PcapWriter::new(file).expect("header");
        for i in 0..2 {
            w.write_packet(
                std::time::Duration::from_millis(i),
                &syn.to_bytes(synack::wire::ChecksumPolicy::Compute),
            )
            .expect("write");
        }
        w.into_inner().expect("flush");
    }
    let one_s = one.display().to_string();
    expect(
        &["judge", "--target-addr", "192.0.2.1", &one_s],
        0,
        &["1 connections judged"],
    );
    expect(
        &["judge", "--target-addr", "192.0.2.11", &one_s],
        2,
        &[
            "no TCP connection of --target-addr 192.0.2.11",
            "192.0.2.1, 198.51.100.7",
        ],
    );
    // The second record cut short: a warning with its offset and reason.
    let mut bytes = std::fs::read(&one).expect("read");
    let second = 24 + 16 + 40;
    bytes.truncate(bytes.len() - 3);
    let cut = tmp("cut.pcap");
    std::fs::write(&cut, &bytes).expect("write");
    let cut = cut.display().to_string();
    expect(&["judge", &cut], 0, &[
        &format!("warning: {cut}: record at byte {second}: its 40 captured octets run past the end of the file (37 left)"),
        "1 records not read",
    ]);
    // Cut inside the first record: no packets.
    bytes.truncate(24 + 10);
    std::fs::write(&cut, &bytes).expect("write");
    expect(
        &["judge", "--target-addr", "192.0.2.1", &cut],
        2,
        &["record at byte 24", "no packets"],
    );
}

#[test]
fn diff_exit_codes() {
    expect(
        &["diff", "--fuzz", "--allow", "rst-for-rts", PASSING],
        2,
        &["unknown rule `rst-for-rts`"],
    );
    expect(
        &["diff", "--targets", "embedded,embedded", PASSING],
        0,
        &["0 differences"],
    );
    expect(
        &[
            "diff",
            "--targets",
            "embedded,embedded",
            "--fault",
            "flip-ack",
            PASSING,
        ],
        1,
        &["differences"],
    );
    expect(
        &["diff", "--targets", "embedded", PASSING],
        2,
        &["two targets"],
    );
    expect(
        &["diff", "--targets", "embedded,embedded", MISSING],
        2,
        &[MISSING],
    );
    expect(
        &["diff", "--targets", "embedded,embedded", "--input", MISSING],
        2,
        &[MISSING],
    );
    expect(
        &[
            "diff",
            "--targets",
            "embedded,embedded",
            "--fault",
            "nonsense",
            PASSING,
        ],
        2,
        &["flip-ack"],
    );
}

#[test]
fn repro_seeds_bench_and_report_exit_codes() {
    expect(&["repro", MISSING], 2, &[MISSING]);
    expect(
        &["repro", "--profile", "nonsense", MISSING],
        2,
        &["rfc9293"],
    );
    let out = tmp("seeds");
    let out = out.display().to_string();
    expect(&["seeds", "--out", &out, PASSING], 0, &["seed files"]);
    expect(&["seeds", "--out", &out, MISSING], 2, &[MISSING]);
    expect(&["bench", "--seconds", "0.1", PASSING], 0, &["cases/s"]);
    expect(&["bench", MISSING], 2, &[MISSING]);
    let dir = tmp("report-a");
    let dir = dir.display().to_string();
    expect(&["run", "--report", &dir, PASSING], 0, &["report:"]);
    let merged = tmp("report-merged").display().to_string();
    expect(&["report", "merge", &dir, "-o", &merged], 0, &["merged 1"]);
    expect(&["report", "merge", MISSING, "-o", &merged], 2, &[MISSING]);
    expect(&["report", "matrix", MISSING, "-o", &merged], 2, &[MISSING]);
}

#[test]
fn every_subcommand_documents_its_exit_codes() {
    for cmd in [
        &["run"][..],
        &["check"],
        &["list"],
        &["judge"],
        &["diff"],
        &["repro"],
        &["report", "merge"],
        &["report", "matrix"],
        &["bench"],
        &["seeds"],
        &["explain"],
        &["fuzz"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = expect(&args, 0, &["Exit codes"]);
        assert!(out.contains(" 2 ") || out.contains("2  "), "{cmd:?}: {out}");
    }
    expect(
        &["run", "--help"],
        0,
        &["4  nothing was tested", "3 wins over 1"],
    );
}

/// A target that fails for an OS reason mid-run: the second case deletes
/// its lab's TUN device with its own command, so the harness's next read or
/// write on the device fails (EBADFD). That case is an error with the OS's
/// message, the run goes on to its summary, and exits 3. Needs the lab
/// (root); skips without it unless `SYNACK_REQUIRE_LAB=1`.
#[test]
fn an_os_failure_mid_run_exits_3_with_the_os_error() {
    if let Err(e) = synack::target::lab::Lab::start(Default::default()) {
        if std::env::var("SYNACK_REQUIRE_LAB").as_deref() == Ok("1") {
            panic!("SYNACK_REQUIRE_LAB=1 but the lab target cannot start: {e}");
        }
        println!("skipping: the lab target cannot start here: {e}");
        return;
    }
    let out = expect(
        &[
            "run",
            "--target",
            "lab",
            "--allow-commands",
            PASSING,
            OS_ERROR,
        ],
        3,
        &[
            "ERROR       harness/tests/fixtures/os-error/device-removed",
            "synack0: File descriptor in bad state (os error 77)",
            "1 passed, 0 failed, 0 waived, 0 unsupported, 0 skipped, 1 errors",
            "the run is incomplete (exit 3)",
        ],
    );
    assert!(out.contains("PASS        core/b01-handshake"), "{out}");
}
