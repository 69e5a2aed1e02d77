//! The reports, read by the programs people read them with: tshark
//! dissects every pcap into the transcript's segments, a real JUnit reader
//! (Python's `junitparser`) loads junit.xml, and headless Chromium renders
//! index.html without console errors.
//!
//! The reports come from a real run: the whole suite under `cases/` against
//! the embedded target, written by `ReportWriter`, plus the example cases
//! of `report::fixture` (a failure with a violation, IPv6, a corrupt
//! checksum, an unsupported case full of characters that need escaping).
//!
//! A missing tool skips its test with a message naming the package to
//! install, unless `SYNACK_REQUIRE_TOOLS=1`, when it fails (CI sets it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use synack::report::{self, fixture, text::case_file_stem, ReportWriter};
use synack::run::{self, CaseReport, Dir, EntryKind, Outcome, SuiteOptions};
use synack::target::embedded::Embedded;

/// Whether `tool` runs; otherwise skip (or fail with SYNACK_REQUIRE_TOOLS=1).
fn have(tool: &str, args: &[&str], install: &str) -> bool {
    let ok = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let msg = format!("{tool} not installed ({install})");
        if std::env::var("SYNACK_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("{msg}, and SYNACK_REQUIRE_TOOLS=1");
        }
        eprintln!("skipping: {msg}");
    }
    ok
}

fn out_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("report_consumers")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("test output directory");
    d
}

/// Runs the suite on the embedded target into `dir` through ReportWriter,
/// then adds the example cases; returns every case written.
fn write_reports(dir: &Path) -> Vec<CaseReport> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let cases = run::case::load_all(&[root]).expect("the cases load");
    let suite_dir = dir.join("suite");
    let mut writer = ReportWriter::new(&suite_dir);
    let (_, mut reports) = run::run_suite(
        &Embedded::new(),
        &cases,
        &SuiteOptions::default(),
        &mut [&mut writer],
    )
    .expect("the suite runs");
    // results.json holds every case exactly. The parsed segment is derived
    // from the bytes on reading (the schema keeps bytes only), so compare
    // against the parse of each packet's bytes.
    let back = report::json::read_results(&suite_dir.join(report::RESULTS_JSON))
        .expect("results.json reads back");
    let mut want = reports.clone();
    report::sort_cases(&mut want);
    for c in &mut want {
        for e in &mut c.transcript {
            if let EntryKind::Packet { bytes, segment, .. } = &mut e.what {
                *segment = synack::wire::parse(bytes).ok();
            }
        }
    }
    assert_eq!(back.cases.len(), want.len());
    for (b, w) in back.cases.iter().zip(&want) {
        assert!(b == w, "{}: results.json does not round-trip", w.id);
    }
    reports.extend(fixture::all());
    report::sort_cases(&mut reports);
    let info = run::RunInfo {
        target: "embedded".into(),
        profile: "rfc9293".into(),
        seed: 1,
        cases: reports.len(),
        shard: None,
        oracle_only: false,
    };
    let summary = report::summarise(&reports, std::time::Duration::from_millis(1));
    report::write_all(dir, &info, &reports, &summary).expect("reports written");
    reports
}

// ---- tshark ----

/// tshark's view of one frame.
#[derive(Debug)]
struct Dissected {
    stream: Option<u32>,
    flags: Option<u16>,
    seq: Option<u32>,
    ack: Option<u32>,
    len: Option<usize>,
    checksum_good: Option<bool>,
}

/// tshark's view of every frame of each of `pcaps`, in order. tshark
/// starts slowly (a quarter of a second of CPU to load its dissectors, over
/// a thousand pcaps): the files are read in batches, each batch's frame
/// counts by `capinfos` and its frames by one tshark over the batch
/// concatenated by `mergecap -a` (Wireshark's own reader opens every file
/// either way), then cut back into files by those counts.
fn tshark_all(pcaps: &[PathBuf]) -> Vec<Vec<Dissected>> {
    let mut all = Vec::with_capacity(pcaps.len());
    for (n, batch) in pcaps.chunks(200).enumerate() {
        let counts = capinfos_counts(batch);
        let merged = batch[0].with_file_name(format!("merged-{n}.pcapng"));
        let out = Command::new("mergecap")
            .args(["-a", "-w"])
            .arg(&merged)
            .args(batch)
            .output()
            .expect("mergecap runs");
        assert!(
            out.status.success(),
            "mergecap failed on {} files from {}: {}",
            batch.len(),
            batch[0].display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut frames = tshark(&merged).into_iter();
        for (pcap, count) in batch.iter().zip(&counts) {
            let mine: Vec<Dissected> = frames.by_ref().take(*count).collect();
            assert_eq!(mine.len(), *count, "{}: tshark's frames", pcap.display());
            all.push(mine);
        }
        assert_eq!(
            frames.count(),
            0,
            "{}: frames beyond the files'",
            merged.display()
        );
        let _ = std::fs::remove_file(&merged);
    }
    all
}

/// The number of packets in each of `pcaps`, as `capinfos` counts them.
fn capinfos_counts(pcaps: &[PathBuf]) -> Vec<usize> {
    let out = Command::new("capinfos")
        .args(["-c", "-T", "-r", "-M"])
        .args(pcaps)
        .output()
        .expect("capinfos runs");
    assert!(
        out.status.success(),
        "capinfos failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let counts: Vec<usize> = text
        .lines()
        .map(|l| {
            l.rsplit('\t')
                .next()
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or_else(|| panic!("capinfos line {l:?}"))
        })
        .collect();
    assert_eq!(counts.len(), pcaps.len(), "capinfos: {text}");
    counts
}

fn tshark(pcap: &Path) -> Vec<Dissected> {
    let out = Command::new("tshark")
        .args(["-n", "-o", "tcp.check_checksum:TRUE", "-r"])
        .arg(pcap)
        .args([
            "-T",
            "fields",
            "-E",
            "separator=/t",
            "-e",
            "tcp.stream",
            "-e",
            "tcp.flags",
            "-e",
            "tcp.seq_raw",
            "-e",
            "tcp.ack_raw",
            "-e",
            "tcp.len",
            "-e",
            "tcp.checksum.status",
        ])
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let hex = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).ok();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().filter(|s| !s.is_empty());
            Dissected {
                stream: get(0).and_then(|s| s.parse().ok()),
                flags: get(1).and_then(hex),
                seq: get(2).and_then(|s| s.parse().ok()),
                ack: get(3).and_then(|s| s.parse().ok()),
                len: get(4).and_then(|s| s.parse().ok()),
                // Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
                checksum_good: get(5).and_then(|s| match s {
                    "0" => Some(false),
                    "1" => Some(true),
                    _ => None,
                }),
            }
        })
        .collect()
}

#[test]
fn tshark_dissects_every_pcap_into_the_transcripts_segments() {
    if !have("tshark", &["--version"], "apt-get install tshark") {
        return;
    }
    let dir = out_dir("tshark");
    let cases = write_reports(&dir);
    let mut compared = 0;
    let pcaps: Vec<PathBuf> = cases
        .iter()
        .map(|c| dir.join(format!("{}.pcap", case_file_stem(&c.id))))
        .collect();
    for (case, frames) in cases.iter().zip(tshark_all(&pcaps)) {
        let packets: Vec<_> = case
            .transcript
            .iter()
            .filter_map(|e| match &e.what {
                EntryKind::Packet {
                    segment,
                    checksum_ok,
                    dir,
                    ..
                } => Some((segment, *checksum_ok, *dir)),
                _ => None,
            })
            .collect();
        assert_eq!(frames.len(), packets.len(), "{}: frame count", case.id);
        let mut tuples = BTreeSet::new();
        for (i, (f, (seg, checksum_ok, _))) in frames.iter().zip(&packets).enumerate() {
            let Some(seg) = seg else { continue };
            let at = format!("{} frame {}", case.id, i + 1);
            assert_eq!(f.flags, Some(seg.flags.bits()), "{at}: flags");
            assert_eq!(f.seq, Some(seg.seq.0), "{at}: seq");
            if seg.flags.ack() {
                assert_eq!(f.ack, Some(seg.ack.0), "{at}: ack");
            }
            assert_eq!(f.len, Some(seg.payload.len()), "{at}: len");
            assert_eq!(f.checksum_good, Some(*checksum_ok), "{at}: checksum");
            let (a, b) = ((seg.ip.src(), seg.src_port), (seg.ip.dst(), seg.dst_port));
            tuples.insert(if a < b { (a, b) } else { (b, a) });
            compared += 1;
        }
        // One connection, one tcp.stream (numbered across the batch: the
        // set within the case's frames is what counts). Wireshark starts a new stream at
        // a SYN that reuses the ports of an earlier exchange (after a RST,
        // say), so a case may show one stream per bare SYN, never more.
        let streams: BTreeSet<u32> = frames.iter().filter_map(|f| f.stream).collect();
        let syns: Vec<usize> = packets
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.0.as_ref()
                    .is_some_and(|s| s.flags.syn() && !s.flags.ack())
            })
            .map(|(i, _)| i)
            .collect();
        if tuples.len() == 1 && syns == [0] {
            assert_eq!(
                streams.len(),
                1,
                "{}: one connection, streams {streams:?}",
                case.id
            );
        }
        assert!(
            streams.len() <= tuples.len() + syns.len(),
            "{}: streams {streams:?} for {} SYNs",
            case.id,
            syns.len()
        );
    }
    assert!(compared > 50, "only {compared} segments compared");
    // The corrupt segment of the example case is flagged by Wireshark too.
    assert!(cases.iter().any(|c| c.transcript.iter().any(|e| matches!(
        &e.what,
        EntryKind::Packet {
            checksum_ok: false,
            dir: Dir::In,
            ..
        }
    ))));
}

// ---- JUnit ----

const JUNIT_READER: &str = r#"
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print("suite\t%s\t%d\t%d\t%d\t%d" % (suite.name, suite.tests, suite.failures, suite.errors, suite.skipped))
    for case in suite:
        kinds = [("failure:" + r.type) if isinstance(r, Failure) else ("error:" + r.type) if isinstance(r, Error) else "skipped" if isinstance(r, Skipped) else "?" for r in case.result]
        msg = case.result[0].message if case.result else ""
        print("case\t%s\t%s\t%s\t%s\t%s" % (case.classname, case.name, ",".join(kinds) or "pass", (msg or "").replace("\t", " ").replace("\n", " "), (case.system_out or "").replace("\n", " ")[:60]))
"#;

#[test]
fn junit_xml_reads_in_junitparser_as_one_testcase_per_case() {
    if !have(
        "python3",
        &["-c", "import junitparser"],
        "pip install junitparser",
    ) {
        return;
    }
    let dir = out_dir("junit");
    let cases = write_reports(&dir);
    let out = Command::new("python3")
        .args(["-c", JUNIT_READER])
        .arg(dir.join(report::JUNIT_XML))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "junitparser failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let suites: Vec<_> = lines.iter().filter(|l| l[0] == "suite").collect();
    assert_eq!(suites.len(), 1, "{text}");
    let n = |o: &[Outcome]| {
        cases
            .iter()
            .filter(|c| o.contains(&c.outcome))
            .count()
            .to_string()
    };
    assert_eq!(suites[0][1], "synack.embedded");
    assert_eq!(suites[0][2], cases.len().to_string());
    assert_eq!(suites[0][3], n(&[Outcome::Fail]));
    assert_eq!(suites[0][4], n(&[Outcome::Error]));
    assert_eq!(
        suites[0][5],
        n(&[Outcome::Unsupported, Outcome::Skipped, Outcome::Waived])
    );
    let read: Vec<_> = lines.iter().filter(|l| l[0] == "case").collect();
    assert_eq!(read.len(), cases.len());
    for (c, l) in cases.iter().zip(&read) {
        assert_eq!(l[2], &*c.id, "names survive escaping");
        assert_eq!(l[1], report::junit::classname(&c.target, &c.id));
        let want = match c.outcome {
            Outcome::Pass | Outcome::Deviation => "pass".to_string(),
            Outcome::Fail if c.mismatches.is_empty() => "failure:violation".into(),
            Outcome::Fail => "failure:mismatch".into(),
            Outcome::Error => "error:error".into(),
            _ => "skipped".into(),
        };
        assert_eq!(l[3], want, "{}", c.id);
        if matches!(c.outcome, Outcome::Fail | Outcome::Error) {
            assert_eq!(l[4], c.reason.clone().unwrap_or_default(), "{}", c.id);
        }
    }
    let nasty = read
        .iter()
        .find(|l| l[2].starts_with("odd/"))
        .expect("nasty case");
    assert_eq!(nasty[4], "unsupported: needs setsockopt(SO_LINGER) <&> ]]>");
}

// ---- Chromium ----

fn chromium(args: &[&str], page: &Path) -> std::process::Output {
    let profile = std::env::temp_dir().join(format!("synack-chromium-{}", std::process::id()));
    let out = Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(profile);
    out
}

/// Console messages and load failures the page caused (Chromium's own
/// start-up noise about D-Bus, GPU and the like is not the page's).
fn page_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Failed to load resource")
                || l.contains("Uncaught")
        })
        .collect()
}

#[test]
fn index_html_renders_in_headless_chromium_without_console_errors() {
    if !have("chromium", &["--version"], "apt-get install chromium") {
        return;
    }
    let dir = out_dir("chromium");
    let cases = write_reports(&dir);
    let page = dir.join(report::INDEX_HTML);
    let shot = dir.join("index.png");
    let out = chromium(
        &[
            "--window-size=1200,2400",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {stderr}");
    assert_eq!(page_errors(&stderr), Vec::<&str>::new(), "console errors");
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );
    eprintln!("screenshot: {}", shot.display());

    // The DOM Chromium built: one ladder per case, nothing injected.
    let out = chromium(&["--dump-dom"], &page);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(dom.matches("<svg class=\"ladder\"").count(), cases.len());
    assert!(!dom.contains("<script"), "no script element in the DOM");
    assert!(dom.contains("&lt;script&gt;alert("), "the title stays text");

    // The check itself can fail: a page with a console error is caught.
    let bad = dir.join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let out = chromium(&["--dump-dom"], &bad);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !page_errors(&stderr).is_empty(),
        "a console error goes unnoticed: {stderr}"
    );
}

// ---- the snapshot form ----

#[test]
fn normalised_transcripts_do_not_change_with_the_seed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let cases = run::case::load_all(&[root]).expect("the cases load");
    let run_with = |seed: u64| {
        let mut opts = SuiteOptions::default();
        opts.run.seed = seed;
        let (_, mut reports) =
            run::run_suite(&Embedded::new(), &cases, &opts, &mut []).expect("the suite runs");
        report::sort_cases(&mut reports);
        reports
    };
    let (a, b) = (run_with(1), run_with(0xdead_beef));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        // Different seeds: different ISNs and ports on the wire ...
        assert_ne!(
            report::snapshot::transcript_text(x),
            report::snapshot::transcript_text(y),
            "{}: the seed changed nothing on the wire",
            x.id
        );
        // ... and the same snapshot.
        assert_eq!(
            report::snapshot::normalise(x),
            report::snapshot::normalise(y),
            "{}",
            x.id
        );
    }
}

// ---- the capture reader on files Wireshark's tools wrote ----

#[test]
fn captures_rewritten_by_editcap_read_back_the_same_packets() {
    if !have("editcap", &["-v"], "apt-get install tshark") {
        return;
    }
    let dir = out_dir("editcap");
    let case = fixture::v6_deviation();
    let pcap = dir.join("case.pcap");
    std::fs::write(&pcap, report::pcap::case_pcap_bytes(&case).unwrap()).unwrap();
    let want = report::pcap::read_capture_file(&pcap).expect("our own pcap");
    assert_eq!(want.packets.len(), 5);
    for format in ["pcapng", "nsecpcap", "pcap"] {
        let out = dir.join(format!("case.{format}"));
        let status = Command::new("editcap")
            .args(["-F", format])
            .arg(&pcap)
            .arg(&out)
            .status()
            .expect("editcap runs");
        assert!(status.success(), "editcap -F {format}");
        let got = report::pcap::read_capture_file(&out).expect(format);
        assert_eq!(got, want, "{format}");
    }
    // Ethernet framing, written by text2pcap from a hex dump (as a capture
    // on a real interface would be): the same IP packets come out.
    let mut dump = String::new();
    for p in &want.packets {
        dump.push_str("000000");
        for b in &p.ip_bytes {
            dump.push_str(&format!(" {b:02x}"));
        }
        dump.push('\n');
    }
    let hex = dir.join("case.hex");
    std::fs::write(&hex, dump).unwrap();
    let eth = dir.join("case-eth.pcapng");
    let status = Command::new("text2pcap")
        .args(["-q", "-n", "-e", "0x86dd"])
        .arg(&hex)
        .arg(&eth)
        .status()
        .expect("text2pcap runs");
    assert!(status.success(), "text2pcap");
    let got = report::pcap::read_capture_file(&eth).expect("ethernet pcapng");
    let ips: Vec<_> = got.packets.iter().map(|p| p.ip_bytes.clone()).collect();
    let want_ips: Vec<_> = want.packets.iter().map(|p| p.ip_bytes.clone()).collect();
    assert_eq!(ips, want_ips);
}
