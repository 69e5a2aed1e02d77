//! `> stream LEN [fin] [ack N]` lines: the target's byte stream accepted
//! however it is cut into segments, and refused when it is not the stream
//! the line names.

use std::path::PathBuf;
use synack::run::{self, Dir, EntryKind, Outcome, RunOptions};
use synack::target::embedded::Embedded;

fn run_text(name: &str, text: &str) -> run::CaseReport {
    let dir = std::env::temp_dir().join(format!("synack-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join(format!("{name}.pkt"));
    std::fs::write(&path, text).expect("write the case");
    let case = run::case::load(&path).expect("the case loads");
    run::run_case(&Embedded::new(), &case, 0, &RunOptions::default())
}

/// The harness offers MSS 100, so the echo of 200 octets comes back in
/// two segments; one line takes them all.
const ECHO_200: &str = "//! service: echo
0      < S 0:0(0) win 65535 <mss 100>
+0     > S. 0:0(0) ack 1 <...>
+0.01  < . 1:1(0) ack 1 win 65535
+0.01  < P. 1:201(200) ack 1 win 65535
";

fn segments_out(r: &run::CaseReport) -> usize {
    r.transcript
        .iter()
        .filter(|e| {
            matches!(
                &e.what,
                EntryKind::Packet { dir: Dir::Out, segment: Some(s), .. } if !s.payload.is_empty()
            )
        })
        .count()
}

#[test]
fn a_stream_line_takes_the_echo_in_any_number_of_segments() {
    let r = run_text(
        "echo-200s",
        &format!("{ECHO_200}+0~0.5 > stream 200 ack 201\n+0.01 < . 201:201(0) ack 201 win 65535\n"),
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.reason);
    assert_eq!(segments_out(&r), 2, "cut into two segments");
}

#[test]
fn a_stream_shorter_than_the_line_fails_with_what_was_missing() {
    let r = run_text(
        "echo-210",
        &format!("{ECHO_200}+0~0.5 > stream 210 ack 201\n"),
    );
    assert_eq!(r.outcome, Outcome::Fail);
    let m = &r.mismatches[0].message;
    assert!(
        m.starts_with("stream: expected 10 more octets by t="),
        "{m}"
    );
}

#[test]
fn a_stream_longer_than_the_line_fails() {
    let r = run_text(
        "echo-150",
        &format!("{ECHO_200}+0~0.5 > stream 150 ack 201\n"),
    );
    assert_eq!(r.outcome, Outcome::Fail);
    let m = &r.mismatches[0].message;
    assert_eq!(m, "stream: 200 octets, more than the 150 the line names");
}

#[test]
fn a_wrong_ack_in_the_stream_names_the_field() {
    let r = run_text(
        "echo-ack",
        &format!("{ECHO_200}+0~0.5 > stream 200 ack 7\n"),
    );
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(
        r.mismatches[0].message,
        "stream: tcp.ack: expected 7, got 201"
    );
}

#[test]
fn a_fin_the_line_does_not_name_fails() {
    // The http service answers and closes: its FIN ends the stream.
    let base = "//! service: http
0      < S 0:0(0) win 65535 <mss 1460>
+0     > S. 0:0(0) ack 1 <...>
+0.01  < . 1:1(0) ack 1 win 65535
+0.01  < P. 1:19(18) ack 1 win 65535 payload \"GET / HTTP/1.0\\r\\n\\r\\n\"
";
    let ok = run_text("http-fin", &format!("{base}+0~1 > stream * fin ack 19\n"));
    assert_eq!(ok.outcome, Outcome::Pass, "{:?}", ok.reason);
    let len = segments_out(&ok);
    assert!(len >= 1);
    let r = run_text("http-nofin", &format!("{base}+0~1 > stream 10 ack 19\n"));
    assert_eq!(r.outcome, Outcome::Fail);
}

#[test]
fn stream_lines_parse_print_and_refuse_what_they_cannot_mean() {
    let s = synack::script::parse("0 > stream 848 fin ack 19\n+0 > stream * fin\n", "t.pkt")
        .expect("parses");
    let printed: Vec<String> = s
        .items
        .iter()
        .map(|i| match i {
            synack::script::Item::Line(l) => synack::script::print_line(l),
            _ => String::new(),
        })
        .collect();
    assert_eq!(printed, ["0 > stream 848 fin ack 19", "+0 > stream * fin"]);
    let e = synack::script::parse("0 > stream *\n", "t.pkt").expect_err("needs fin");
    assert!(e[0]
        .message
        .contains("a stream of any length must end with its FIN"));
    let e = synack::script::parse("0 > stream 10 win 5\n", "t.pkt").expect_err("no win");
    assert!(
        e[0].message.contains("in a stream line"),
        "{}",
        e[0].message
    );
    let e = synack::script::parse(
        "0 < S 0:0(0) win 100\neither\n+0 > stream 1 fin\nor\n+0 > S. 0:0(0) ack 1\nend\n",
        "t.pkt",
    )
    .expect_err("not in either");
    assert!(e[0]
        .message
        .contains("a stream line cannot be an alternative"));
}

#[test]
fn diff_compares_a_stream_as_a_whole_not_its_segments() {
    let tail = "+0~0.5 > stream 200 ack 201\n+0.01 < . 201:201(0) ack 201 win 65535\n";
    let two = run_text("diff-two", &format!("{ECHO_200}{tail}"));
    let one = run_text(
        "diff-one",
        &format!("{}{tail}", ECHO_200.replace("<mss 100>", "<mss 1460>")),
    );
    assert_eq!((two.outcome, one.outcome), (Outcome::Pass, Outcome::Pass));
    assert_eq!((segments_out(&two), segments_out(&one)), (2, 1));
    let d = synack::fuzzing::diff_reports(&two, &one, false);
    assert!(d.is_empty(), "{d:#?}");
}
