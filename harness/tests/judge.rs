//! `synack judge`: the oracle over captures made by synack's own pcap writer
//! and by hand-built bytes; clean captures pass, violating ones fail with the
//! rule, its RFC section and the numbers.

mod common;

use common::text;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use synack::report::pcap::PcapWriter;
use synack::wire::{ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption};

const CLIENT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);
const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("judge");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

fn seg(to_server: bool, flags: TcpFlags, seq: u32, ack: u32, payload: &[u8]) -> Segment {
    let (ip, sp, dp) = if to_server {
        (IpEnvelope::v4(CLIENT, SERVER), 40000, 80)
    } else {
        (IpEnvelope::v4(SERVER, CLIENT), 80, 40000)
    };
    Segment {
        seq: SeqNumber(seq),
        ack: SeqNumber(ack),
        window: 65535,
        payload: payload.to_vec(),
        ..Segment::new(ip, sp, dp, flags)
    }
}

fn write_capture(path: &Path, segments: &[Segment]) {
    let file = std::fs::File::create(path).expect("create capture");
    let mut w = PcapWriter::new(file).expect("pcap header");
    for (i, s) in segments.iter().enumerate() {
        let at = Duration::from_millis(10 * i as u64);
        w.write_packet(at, &s.to_bytes(ChecksumPolicy::Compute))
            .expect("write");
    }
    w.into_inner().expect("flush");
}

fn judge(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg("judge")
        .arg(path)
        .env("NO_COLOR", "1")
        .output()
        .expect("synack runs")
}

/// A clean HTTP-like exchange: handshake, request, response, server FIN first.
fn clean_exchange() -> Vec<Segment> {
    use TcpFlags as F;
    let (c, s) = (1000u32, 5000u32);
    let mut syn = seg(true, F::SYN, c, 0, b"");
    syn.options = vec![TcpOption::Mss(1460)];
    let mut syn_ack = seg(false, F::SYN | F::ACK, s, c + 1, b"");
    syn_ack.options = vec![TcpOption::Mss(1460)];
    vec![
        syn,
        syn_ack,
        seg(true, F::ACK, c + 1, s + 1, b""),
        seg(
            true,
            F::PSH | F::ACK,
            c + 1,
            s + 1,
            b"GET / HTTP/1.0\r\n\r\n",
        ),
        seg(
            false,
            F::PSH | F::ACK,
            s + 1,
            c + 19,
            b"HTTP/1.0 200 OK\r\n\r\n",
        ),
        seg(false, F::FIN | F::ACK, s + 20, c + 19, b""),
        seg(true, F::ACK, c + 19, s + 21, b""),
        seg(true, F::FIN | F::ACK, c + 19, s + 21, b""),
        seg(false, F::ACK, s + 21, c + 20, b""),
    ]
}

#[test]
fn a_clean_hand_built_capture_passes() {
    let path = tmp("clean.pcap");
    write_capture(&path, &clean_exchange());
    let o = judge(&path);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("1 passed, 0 failed"), "{}", text(&o));
}

#[test]
fn an_ack_of_unsent_data_is_flagged_with_its_rule_and_numbers() {
    let mut segs = clean_exchange();
    // The server acknowledges 100 bytes the client never sent.
    segs[4].ack = SeqNumber(1000 + 119);
    let path = tmp("ack-unsent.pcap");
    write_capture(&path, &segs);
    let o = judge(&path);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("RFC 9293"), "names the RFC section: {out}");
    // In the transcript's numbers (the peer's ISN is 1000): `ack 119`, as
    // the segment under it writes it, not the absolute 1119.
    assert!(
        out.contains("ack 119 but the harness has sent only up to 19"),
        "gives the numbers as the transcript does: {out}"
    );
    assert!(
        !out.contains("1119"),
        "no absolute numbers in the message: {out}"
    );
}

#[test]
fn a_rst_answering_a_rst_is_flagged() {
    use TcpFlags as F;
    let segs = vec![
        seg(true, F::RST, 1000, 0, b""),
        seg(false, F::RST, 0, 0, b""),
    ];
    let path = tmp("rst-rst.pcap");
    write_capture(&path, &segs);
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["judge", "--target-addr", "192.0.2.1"])
        .arg(&path)
        .output()
        .expect("synack runs");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("rst-for-rst"), "{out}");
}

#[test]
fn a_bad_server_checksum_is_flagged_unless_told_to_ignore_checksums() {
    let segs = clean_exchange();
    let path = tmp("bad-csum.pcap");
    let file = std::fs::File::create(&path).expect("create");
    let mut w = PcapWriter::new(file).expect("header");
    for (i, s) in segs.iter().enumerate() {
        let policy = if i == 4 {
            ChecksumPolicy::Corrupt
        } else {
            ChecksumPolicy::Compute
        };
        w.write_packet(Duration::from_millis(i as u64), &s.to_bytes(policy))
            .expect("write");
    }
    w.into_inner().expect("flush");
    let o = judge(&path);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("bad-checksum"), "{}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["judge", "--ignore-checksums"])
        .arg(&path)
        .output()
        .expect("synack runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn captures_written_by_a_run_of_the_suite_pass() {
    let dir = tmp("suite-report");
    let o = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["run", "--report"])
        .arg(&dir)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases/core"))
        .output()
        .expect("synack runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut judged = 0;
    for entry in std::fs::read_dir(&dir).expect("report dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "pcap") {
            let o = Command::new(env!("CARGO_BIN_EXE_synack"))
                .args([
                    "judge",
                    "--profile",
                    "smoltcp",
                    "--target-addr",
                    "192.0.2.1",
                ])
                .arg(&path)
                .output()
                .expect("synack runs");
            assert_eq!(o.status.code(), Some(0), "{}: {}", path.display(), text(&o));
            judged += 1;
        }
    }
    assert!(judged >= 9, "judged {judged} captures");
}

#[test]
fn a_file_that_is_not_a_capture_is_a_clear_error() {
    let path = tmp("not-a-capture.pcap");
    std::fs::write(&path, b"this is not a pcap").expect("write");
    let o = judge(&path);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not-a-capture.pcap"), "{}", text(&o));
    assert!(!text(&o).contains("panicked"), "{}", text(&o));
}

/// Writes `segments` at the given times (ms).
fn write_timed(path: &Path, segments: &[(u64, Segment)]) {
    let file = std::fs::File::create(path).expect("create capture");
    let mut w = PcapWriter::new(file).expect("pcap header");
    for (ms, s) in segments {
        w.write_packet(
            Duration::from_millis(*ms),
            &s.to_bytes(ChecksumPolicy::Compute),
        )
        .expect("write");
    }
    w.into_inner().expect("flush");
}

/// An established connection (handshake at 0, 20, 40 ms: RTT 20 ms), the
/// client's RST at 100 ms, then the server's RST `after` ms later.
fn rst_after_rst(after: u64) -> Vec<(u64, Segment)> {
    use TcpFlags as F;
    let (c, s) = (1000u32, 5000u32);
    vec![
        (0, seg(true, F::SYN, c, 0, b"")),
        (20, seg(false, F::SYN | F::ACK, s, c + 1, b"")),
        (40, seg(true, F::ACK, c + 1, s + 1, b"")),
        (100, seg(true, F::RST, c + 1, 0, b"")),
        (100 + after, seg(false, F::RST | F::ACK, s + 1, c + 1, b"")),
    ]
}

fn judge_args(path: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg("judge")
        .args(args)
        .arg(path)
        .env("NO_COLOR", "1")
        .output()
        .expect("synack runs")
}

#[test]
fn a_rst_within_one_rtt_of_the_peers_rst_is_a_warning_naming_both_explanations() {
    let path = tmp("rst-crossed.pcap");
    write_timed(&path, &rst_after_rst(1));
    let o = judge_args(&path, &["-v"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(
            "MUST violation [rst-for-rst] RFC 9293 §3.5.2: RST (seq 1, segment 5 at 0.101 s) \
             sent 1.0 ms after the peer's RST (seq 1, segment 4 at 0.100 s), within one round \
             trip (the handshake's RTT, 40.0 ms) [deviation: a capture cannot tell an \
             application's abort whose RST crossed the peer's in flight (allowed) from a reply \
             to the peer's RST (RFC 9293 §3.5.2 forbids it); judge with --app-idle"
        ),
        "{out}"
    );
    // The application is known idle: the same RST answers the peer's.
    let o = judge_args(&path, &["--app-idle"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("neither aborted nor closed (--app-idle): it answers the RST"),
        "{out}"
    );
}

#[test]
fn a_rst_later_than_one_rtt_after_the_peers_rst_answers_it() {
    let path = tmp("rst-answers.pcap");
    write_timed(&path, &rst_after_rst(60));
    let o = judge_args(&path, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "MUST violation [rst-for-rst] RFC 9293 §3.5.2: RST (seq 1, segment 5 at 0.160 s) sent 60.0 ms \
             after the peer's RST (seq 1, segment 4 at 0.100 s), later than one round trip \
             (the handshake's RTT, 40.0 ms): it answers the RST\n      \
             at segment 5 at 0.160000 real s: > R. 1:1(0) ack 1 win 65535"
        ),
        "{out}"
    );
    // Once: the one-line reason that repeated it is gone (issue #15 item 1).
    assert_eq!(out.matches("rst-for-rst").count(), 1, "once: {out}");
}

#[test]
fn without_a_syn_the_side_on_the_well_known_port_is_judged_and_named() {
    use TcpFlags as F;
    // A stray ACK to port 80, answered by RST <SEQ=SEG.ACK>.
    let segs = vec![
        seg(true, F::ACK, 1000, 777, b""),
        seg(false, F::RST, 777, 0, b""),
    ];
    let path = tmp("stray-ack.pcap");
    write_capture(&path, &segs);
    let o = judge(&path);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(
            "judging 192.0.2.1 as the target: no SYN in the capture; the listening side of 1 \
             of 1 conversations: port 80 is well-known (below 1024), the peer's is not"
        ),
        "{out}"
    );
    // --target-addr still decides.
    let o = judge_args(&path, &["--target-addr", "198.51.100.7"]);
    let out = text(&o);
    assert!(
        out.contains("judging 198.51.100.7 as the target: --target-addr"),
        "{out}"
    );
}

#[test]
fn a_rst_from_a_side_in_syn_sent_answering_a_rst_fails_however_soon() {
    use TcpFlags as F;
    // The server side is judged: its SYN, the client's RST, its RST 1 ms later.
    let segs = vec![
        (0, seg(false, F::SYN, 5000, 0, b"")),
        (10, seg(true, F::RST | F::ACK, 0, 5001, b"")),
        (11, seg(false, F::RST, 5001, 0, b"")),
    ];
    let path = tmp("syn-sent-rst.pcap");
    write_timed(&path, &segs);
    let o = judge_args(&path, &["--target-addr", "192.0.2.1"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("by a side that had no synchronized connection: it answers the RST"),
        "{out}"
    );
}

fn synack_in_root(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .env("NO_COLOR", "1")
        .output()
        .expect("synack runs")
}

/// A run's capture → `repro --from-pcap` → a case that passes on the same
/// target: the peer's side replayed, the target's replies as expectations.
#[test]
fn a_captured_connection_becomes_a_case_that_replays_it() {
    let dir = tmp("from-pcap");
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().expect("utf-8");
    let o = synack_in_root(&[
        "run",
        "--report",
        d,
        "cases/core/b01-handshake.pkt",
        "cases/core/b03-half-close.pkt",
        "cases/establishment/t02-syn-closed-port.pkt",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for (stem, service) in [
        ("core__b01-handshake", "echo"),
        ("core__b03-half-close", "echo"),
        ("establishment__t02-syn-closed-port", "closed"),
    ] {
        let pcap = dir.join(format!("{stem}.pcap"));
        let case = dir.join(format!("{stem}.replay.pkt"));
        let o = synack_in_root(&[
            "repro",
            "--from-pcap",
            pcap.to_str().expect("utf-8"),
            "--conn",
            "1",
            "-o",
            case.to_str().expect("utf-8"),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let written = std::fs::read_to_string(&case).expect("case written");
        assert!(
            written.contains(&format!("//! service: {service}\n")),
            "{written}"
        );
        assert!(
            written.contains("\n0      < S 0:0(0) win 65535 <mss 1460>\n"),
            "{written}"
        );
        assert!(written.contains("\n*      > "), "{written}");
        let o = synack_in_root(&["run", case.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(0), "{stem}: {}\n{written}", text(&o));
    }
    // A connection the capture does not hold.
    let pcap = dir.join("core__b01-handshake.pcap");
    let o = synack_in_root(&[
        "repro",
        "--from-pcap",
        pcap.to_str().expect("utf-8"),
        "--conn",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--conn 2: the capture holds 1 connection (numbered from 1"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_target_segment_that_does_not_parse_is_a_malformed_segment_finding() {
    use TcpFlags as F;
    let (c, s) = (1000u32, 5000u32);
    let mut bad = seg(false, F::ACK, s + 1, c + 1, b"");
    bad.data_offset = Some(4); // below 5 (RFC 9293 §3.1)
    let segs = vec![
        (0, seg(true, F::SYN, c, 0, b"")),
        (20, seg(false, F::SYN | F::ACK, s, c + 1, b"")),
        (40, seg(true, F::ACK, c + 1, s + 1, b"")),
        (60, bad),
    ];
    let path = tmp("malformed.pcap");
    write_timed(&path, &segs);
    let o = judge_args(&path, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("MUST violation [malformed-segment] RFC 9293 §3.1: 40 bytes from the target do not parse as a TCP segment")
            && out.contains("at segment 4 at 0.060000 real s: > unparseable packet (40 bytes)"),
        "{out}"
    );
}
