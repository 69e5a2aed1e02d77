//! Normalising, signatures and grouping of differences, without a target.

use super::*;

fn out(line: &str, at: usize, findings: &[(&str, &str, bool)]) -> Out {
    Out {
        line: line.to_string(),
        at,
        findings: findings
            .iter()
            .map(|(r, l, d)| (r.to_string(), l.to_string(), *d))
            .collect(),
    }
}

fn diff(a: Option<&str>, b: Option<&str>, labels: &[(Side, &str, &str, bool)]) -> Difference {
    let labels: Vec<Label> = labels
        .iter()
        .map(|(side, rule, level, deviation)| Label {
            side: *side,
            rule: rule.to_string(),
            level: level.to_string(),
            deviation: *deviation,
        })
        .collect();
    Difference {
        case: "fuzz".into(),
        index: 0,
        a: a.map(str::to_string),
        b: b.map(str::to_string),
        rules: labels.iter().map(Label::to_string).collect(),
        labels,
        after_divergence: false,
    }
}

const MUST: &str = "MUST";

#[test]
fn option_layout_and_values_are_left_out_unless_asked() {
    let smoltcp = "S. 0:0(0) ack 1 win 64240 <mss 1460,wscale 0,sackOK,eol>";
    let linux = "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 10>";
    let loose = Normalise::default();
    assert_eq!(normalise(smoltcp, loose), normalise(linux, loose));
    assert_eq!(
        normalise(linux, loose),
        "S. 0:0(0) ack 1 <mss,sackOK,wscale>"
    );
    let exact = Normalise {
        windows: false,
        options: true,
    };
    assert_ne!(normalise(smoltcp, exact), normalise(linux, exact));
    let windows = Normalise {
        windows: true,
        options: false,
    };
    assert_ne!(normalise(smoltcp, windows), normalise(linux, windows));
    // An option one stack sends and the other does not is still a difference.
    let with_ts = "S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 0 ecr 77,nop,wscale 10>";
    assert_ne!(normalise(smoltcp, loose), normalise(with_ts, loose));
    assert_eq!(option_kinds("<TS val 1 ecr 2,mss 536>"), "<TS,mss>");
}

#[test]
fn labelled_difference_is_named_by_side_and_rule_not_by_numbers() {
    let one = diff(
        Some("S. 0:0(0) ack 1"),
        Some("S. 0:0(0) ack 2147483649"),
        &[(Side::B, "syn-ack-acks-isn", MUST, false)],
    );
    let other = diff(
        Some("S. 0:0(0) ack 1 <mss 536>"),
        Some("S. 0:0(0) ack 2147484649 <mss 536>"),
        &[(Side::B, "syn-ack-acks-isn", MUST, false)],
    );
    assert_eq!(signature(&one), "b: syn-ack-acks-isn (MUST violation)");
    assert_eq!(signature(&one), signature(&other));
    let on_a = diff(
        Some("S. 0:0(0) ack 2147483649"),
        Some("S. 0:0(0) ack 1"),
        &[(Side::A, "syn-ack-acks-isn", MUST, false)],
    );
    assert_ne!(signature(&one), signature(&on_a));
}

#[test]
fn unlabelled_difference_is_named_by_its_shape() {
    assert_eq!(
        signature(&diff(None, Some(". 1:1(0) ack 19"), &[])),
        "only b: ."
    );
    assert_eq!(signature(&diff(Some("R 5:5(0)"), None, &[])), "only a: R");
    assert_eq!(
        signature(&diff(
            Some("F. 1:42(41) ack 19"),
            Some(". 1:1(0) ack 19"),
            &[]
        )),
        "a F. / b ."
    );
    assert_eq!(
        signature(&diff(
            Some("P. 1:11(10) ack 12"),
            Some("P. 1:101(100) ack 13"),
            &[]
        )),
        "P.: len,ack"
    );
    assert_eq!(
        signature(&diff(
            Some("S. 0:0(0) ack 1 <mss 1460>"),
            Some("S. 0:0(0) ack 1 <mss 1460,TS val 0 ecr 1>"),
            &[]
        )),
        "S.: options"
    );
    assert_eq!(
        signature(&diff(
            Some("session broken: kept sending at one instant (10000 rounds)"),
            Some(". 1:1(0) ack 1"),
            &[]
        )),
        "a session broken / b ."
    );
}

#[test]
fn class_is_taken_from_the_worst_label() {
    let must = diff(
        Some("R 0:0(0)"),
        None,
        &[(Side::A, "rst-closed-numbers", MUST, false)],
    );
    let allowed = diff(
        Some("R 0:0(0)"),
        None,
        &[(Side::A, "rst-closed-numbers", MUST, true)],
    );
    let should = diff(
        Some(". 1:1(0)"),
        None,
        &[(Side::B, "ack-delayed", "SHOULD", false)],
    );
    assert_eq!(must.class(), Class::Conformance);
    assert_eq!(allowed.class(), Class::Deviation);
    assert_eq!(should.class(), Class::Deviation);
    assert_eq!(diff(Some(". 1:1(0)"), None, &[]).class(), Class::Behaviour);
}

#[test]
fn equal_lines_differ_when_only_one_side_broke_a_rule() {
    let norm = Normalise::default();
    let a = [out("R. 0:0(0) ack 1", 3, &[])];
    let b = [out(
        "R. 0:0(0) ack 1",
        3,
        &[("rst-closed-numbers", MUST, false)],
    )];
    let d = compare("fuzz", &a, &b, norm, None);
    assert_eq!(d.len(), 1);
    assert_eq!(signature(&d[0]), "b: rst-closed-numbers (MUST violation)");
    // The same finding on both sides explains nothing about their difference.
    let both = compare("fuzz", &b, &b, norm, None);
    assert!(both.is_empty());
    let c = [out("R 0:0(0)", 3, &[("rst-closed-numbers", MUST, false)])];
    let shared = compare("fuzz", &b, &c, norm, None);
    assert_eq!(shared.len(), 1);
    assert!(shared[0].labels.is_empty(), "{:?}", shared[0].labels);
}

#[test]
fn differences_after_the_harness_segments_diverged_are_marked() {
    let norm = Normalise::default();
    let a = [
        out("S. 0:0(0) ack 1", 1, &[]),
        out(". 1:1(0) ack 5", 4, &[]),
    ];
    let b = [
        out("S. 0:0(0) ack 2", 1, &[]),
        out(". 1:1(0) ack 9", 4, &[]),
    ];
    let d = compare("fuzz", &a, &b, norm, Some((3, 3)));
    assert_eq!(d.len(), 2);
    assert!(!d[0].after_divergence);
    assert!(d[1].after_divergence);
}

#[test]
fn campaign_counts_inputs_once_per_signature_and_keeps_the_smallest() {
    let flip = diff(
        Some("S. 0:0(0) ack 1"),
        Some("S. 0:0(0) ack 2147483649"),
        &[(Side::B, "syn-ack-acks-isn", MUST, false)],
    );
    let fin = diff(Some("F. 1:42(41) ack 19"), Some(". 1:1(0) ack 19"), &[]);
    let mut c = DiffCampaign::new();
    let new = c.add(&[1, 2, 3, 4], &[flip.clone(), flip.clone(), fin.clone()]);
    assert_eq!(new.len(), 2);
    assert!(
        c.add(&[9; 8], std::slice::from_ref(&flip)).is_empty(),
        "larger: no rewrite"
    );
    assert_eq!(
        c.add(&[5], std::slice::from_ref(&flip)),
        vec![signature(&flip)]
    );
    assert!(c.add(&[6; 3], &[]).is_empty());
    assert_eq!((c.runs, c.differing), (4, 3));
    let groups = c.groups();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].class, Class::Conformance);
    assert_eq!(groups[0].inputs, 3);
    assert_eq!(groups[0].input, vec![5]);
    assert_eq!(groups[1].signature, "a F. / b .");
    assert_eq!(groups[1].inputs, 1);
    assert!(c.has_conformance());
    let summary = c.summary();
    assert!(
        summary.contains("4 inputs, 3 with differences"),
        "{summary}"
    );
    assert!(
        summary.find("conformance") < summary.find("behaviour"),
        "{summary}"
    );
}

#[test]
fn behaviour_alone_is_no_conformance_difference() {
    let mut c = DiffCampaign::new();
    c.add(&[1], &[diff(None, Some(". 1:1(0) ack 19"), &[])]);
    c.add(
        &[2],
        &[diff(
            Some("R 0:0(0)"),
            None,
            &[(Side::A, "rst-closed-numbers", MUST, true)],
        )],
    );
    assert!(!c.has_conformance());
}

#[test]
fn artifact_names_are_stable_safe_and_distinct() {
    let s = "b: syn-ack-acks-isn (MUST violation)";
    let name = artifact_name(s);
    assert_eq!(name, artifact_name(s));
    assert!(
        name.starts_with("diff-b-syn-ack-acks-isn-must-violation-"),
        "{name}"
    );
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    assert_ne!(artifact_name("only a: R"), artifact_name("only a: R."));
    let long = "a: x (MUST violation) + ".repeat(10);
    assert!(artifact_name(&long).len() < 80);
}

#[test]
fn artifact_is_written_under_its_signature_and_replaced_by_a_smaller_input() {
    let dir = std::env::temp_dir().join(format!("synack-diff-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let d = diff(None, Some(". 1:1(0) ack 19"), &[]);
    let sig = signature(&d);
    let mut c = DiffCampaign::new();
    c.add(&[7, 7, 7], std::slice::from_ref(&d));
    let path = c.write_artifact(&sig, &dir).expect("written");
    assert_eq!(path, dir.join(artifact_name(&sig)));
    c.add(&[8], std::slice::from_ref(&d));
    c.write_artifact(&sig, &dir).expect("rewritten");
    assert_eq!(std::fs::read(&path).expect("read"), vec![8]);
    assert!(c.write_artifact("no such signature", &dir).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn allowed_rules_do_not_fail_a_campaign_but_others_still_do() {
    let mut c = DiffCampaign::new();
    let known = diff(
        Some("R 0:0(0)"),
        Some("R. 0:0(0) ack 0"),
        &[(Side::A, "rst-closed-numbers", MUST, false)],
    );
    c.add(&[1], std::slice::from_ref(&known));
    assert_eq!(c.failing(&[]).len(), 1);
    assert!(c.failing(&["rst-closed-numbers".into()]).is_empty());
    assert!(c.failing(&["*".into()]).is_empty());
    let both = diff(
        Some("R 0:0(0)"),
        Some(". 1:1(0) ack 2"),
        &[
            (Side::A, "rst-closed-numbers", MUST, false),
            (Side::B, "segment-on-closed-connection", MUST, false),
        ],
    );
    c.add(&[2], &[both]);
    let left = c.failing(&["rst-closed-numbers".into()]);
    assert_eq!(left.len(), 1);
    assert!(left[0].signature.contains("segment-on-closed-connection"));
}

/// One run of a case whose target answers a SYN with a SYN-ACK carrying
/// `options`, on virtual time or not.
fn syn_ack_run(
    target: &str,
    virtual_time: bool,
    options: Vec<crate::wire::TcpOption>,
) -> CaseReport {
    use crate::report::fixture::{harness_v4, target_v4, CaseBuilder};
    use crate::wire::{ChecksumPolicy, TcpFlags, TcpOption};
    let mut b = CaseBuilder::new("establishment/example", harness_v4(), target_v4());
    b.case.target = target.to_string().into();
    b.case.virtual_time = virtual_time;
    b.packet(
        0,
        Dir::In,
        TcpFlags::SYN,
        0,
        0,
        vec![TcpOption::Mss(1460)],
        b"",
        ChecksumPolicy::Compute,
    )
    .packet(
        0,
        Dir::Out,
        TcpFlags::SYN | TcpFlags::ACK,
        0,
        1,
        options,
        b"",
        ChecksumPolicy::Compute,
    );
    b.build()
}

fn printed(ds: &[Difference]) -> String {
    ds.iter()
        .map(|d| format!("{d}\n{}\n", signature(d)))
        .collect()
}

#[test]
fn a_real_time_targets_tsvals_are_masked_where_printed_and_compared() {
    use crate::wire::TcpOption::{Mss, Timestamps};
    let embedded = syn_ack_run("embedded", true, vec![Mss(1460)]);
    // Two runs on the lab: its TSval, relative to its first, came a tick
    // apart (issue #12: `diff` printed `TS val 11` in one run, 10 in the next).
    let lab = |tsval| {
        syn_ack_run(
            "lab",
            false,
            vec![Mss(1460), Timestamps { tsval, tsecr: 0 }],
        )
    };
    let (one, two) = (lab(11), lab(10));
    for norm in [
        Normalise::default(),
        Normalise {
            windows: true,
            options: true,
        },
    ] {
        let (d1, d2) = (
            diff_reports_with(&embedded, &one, norm),
            diff_reports_with(&embedded, &two, norm),
        );
        assert_eq!(printed(&d1), printed(&d2), "{norm:?}");
        // The difference itself still shows: lab sends TSopt, smoltcp not.
        assert_eq!(d1.len(), 1, "{norm:?}: {d1:?}");
        let b = d1[0].b.as_deref().unwrap_or("");
        assert!(b.contains("<mss 1460,TS val * ecr 0>"), "{b}");
        let a = if norm.windows {
            "S. 0:0(0) ack 1 win 65535 <mss 1460>"
        } else {
            "S. 0:0(0) ack 1 <mss 1460>"
        };
        assert_eq!(d1[0].a.as_deref(), Some(a));
        // Two live runs compared with each other, options exactly: no
        // difference a clock tick could make.
        assert!(diff_reports_with(&one, &two, norm).is_empty(), "{norm:?}");
    }
    // Both sides on virtual time: TSvals are the stacks' own, compared exactly.
    let v = |tsval| syn_ack_run("embedded", true, vec![Timestamps { tsval, tsecr: 0 }]);
    let exact = Normalise {
        windows: false,
        options: true,
    };
    let d = diff_reports_with(&v(11), &v(10), exact);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].a.as_deref(), Some("S. 0:0(0) ack 1 <TS val 11 ecr 0>"));
}
