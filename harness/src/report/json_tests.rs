use super::*;
use crate::report::fixture;

fn info() -> RunInfo {
    RunInfo {
        target: "embedded".into(),
        profile: "rfc9293".into(),
        seed: u64::MAX - 1,
        cases: 5,
        shard: Some("2/3".into()),
        oracle_only: false,
    }
}

fn summary_of(cases: &[CaseReport]) -> RunSummary {
    let mut s = RunSummary {
        wall_time: Duration::from_millis(12),
        ..RunSummary::default()
    };
    for c in cases {
        s.add(c.outcome);
    }
    s
}

#[test]
fn results_round_trip_every_case_exactly() {
    let cases = fixture::all();
    let summary = summary_of(&cases);
    let text = to_json(&info(), &summary, &cases);
    let back = parse_results(&text).unwrap();
    assert_eq!(back.info, info());
    assert_eq!(back.summary, summary);
    assert_eq!(back.cases, cases);
}

#[test]
fn results_name_their_schema_and_write_bytes_as_hex() {
    let cases = vec![fixture::echo_pass()];
    let text = to_json(&info(), &summary_of(&cases), &cases);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "synack-results/1");
    assert_eq!(v["run"]["seed"].as_u64(), Some(u64::MAX - 1));
    assert_eq!(v["summary"]["total"], 1);
    let e = &v["cases"][0]["transcript"][0];
    assert_eq!(e["kind"], "packet");
    assert_eq!(e["dir"], "in");
    assert_eq!(e["at_ns"], 0);
    assert!(e["bytes"].as_str().unwrap().starts_with("45"));
    assert!(e["summary"].as_str().unwrap().contains("Flags [S]"));
    let st = &v["cases"][0]["transcript"][3];
    assert_eq!(st["kind"], "state");
    assert_eq!(st["state"], "ESTABLISHED");
    assert_eq!(v["cases"][0]["resolution_ns"], 1_000_000);
}

#[test]
fn documented_keys_of_mismatches_and_violations_are_present() {
    let cases = vec![fixture::closed_port_fail()];
    let text = to_json(&info(), &summary_of(&cases), &cases);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let c = &v["cases"][0];
    for k in ["line", "source", "message", "expected", "actual", "entry"] {
        assert!(c["mismatches"][0].get(k).is_some(), "mismatch key {k}");
    }
    for k in [
        "rule",
        "level",
        "section",
        "requirement",
        "message",
        "deviation",
        "entry",
    ] {
        assert!(c["violations"][0].get(k).is_some(), "violation key {k}");
    }
    assert_eq!(c["outcome"], "fail");
}

#[test]
fn another_schema_is_refused_by_name() {
    let e = parse_results(r#"{"schema":"synack-results/2"}"#).unwrap_err();
    assert!(e.to_string().contains("synack-results/2"), "{e}");
    let e = parse_results("[1,2").unwrap_err();
    assert!(matches!(e, ResultsError::Json(_)));
}

#[test]
fn bad_hex_is_an_invalid_field_naming_the_case() {
    let cases = vec![fixture::echo_pass()];
    let text = to_json(&info(), &summary_of(&cases), &cases).replacen(
        "\"bytes\": \"45",
        "\"bytes\": \"4x",
        1,
    );
    let e = parse_results(&text).unwrap_err();
    assert!(e.to_string().contains("core/b01-echo"), "{e}");
}

#[test]
fn hex_round_trips() {
    let all: Vec<u8> = (0..=255).collect();
    assert_eq!(from_hex(&to_hex(&all)).unwrap(), all);
    assert_eq!(from_hex("ABcd"), Some(vec![0xab, 0xcd]));
    assert_eq!(from_hex("abc"), None);
}

#[test]
fn readers_ignore_keys_they_do_not_know() {
    let cases = vec![fixture::closed_port_fail()];
    let text = to_json(&info(), &summary_of(&cases), &cases)
        .replacen(
            "\"schema\": \"synack-results/1\",",
            "\"schema\": \"synack-results/1\", \"added_later\": {\"x\": 1},",
            1,
        )
        .replacen(
            "\"kind\": \"packet\",",
            "\"kind\": \"packet\", \"ttl_seen\": 64,",
            1,
        );
    assert!(text.contains("added_later") && text.contains("ttl_seen"));
    assert_eq!(parse_results(&text).unwrap().cases, cases);
}
