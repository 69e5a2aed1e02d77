use super::ops::{decode, encode, AppOp, Inject, Input, Op, OptOp, MAX_OPS};
use super::*;
use crate::oracle::Profile;
use crate::target::Service;
use crate::wire::TcpFlags;

/// Deterministic pseudo-random bytes for property tests.
fn random_inputs(seed: u64, count: usize, max_len: usize) -> Vec<Vec<u8>> {
    let mut m = Mutator::new(seed);
    (0..count)
        .map(|_| {
            let len = (m.next_u64() % (max_len as u64 + 1)) as usize;
            (0..len).map(|_| m.next_u64() as u8).collect()
        })
        .collect()
}

fn handshake_ops() -> Vec<Op> {
    vec![
        Op::Inject(Inject {
            options: vec![OptOp::Mss(1460)],
            ..Inject::script(TcpFlags::SYN, 0, None)
        }),
        Op::Inject(Inject::script(TcpFlags::ACK, 1, Some(1))),
    ]
}

#[test]
fn decoder_never_panics_and_bounds_every_input() {
    for data in random_inputs(7, 5000, 600) {
        let input = decode(&data);
        assert!(input.ops.len() <= MAX_OPS);
        for op in &input.ops {
            if let Op::Inject(i) = op {
                assert!(usize::from(i.len) <= ops::MAX_PAYLOAD);
                assert!(i.options.len() <= ops::MAX_OPTIONS);
            }
        }
    }
}

#[test]
fn decoding_is_canonical_after_one_encode() {
    for data in random_inputs(11, 3000, 400) {
        let once = decode(&data);
        let again = decode(&encode(&once));
        assert_eq!(once, again, "input {data:02x?}");
    }
}

#[test]
fn encode_then_decode_gives_back_hand_built_ops() {
    let mut ops = handshake_ops();
    ops.push(Op::Wait(250));
    ops.push(Op::Inject(Inject {
        payload: Some(b"GET / HTTP/1.0\r\n\r\n".to_vec()),
        len: 18,
        options: vec![
            OptOp::Timestamps { tsval: 7, tsecr: 0 },
            OptOp::Sack(vec![(1, 5)]),
            OptOp::Raw(vec![8, 1]),
            OptOp::Unknown {
                kind: 99,
                data: vec![1, 2],
            },
        ],
        bad_checksum: true,
        data_offset: Some(15),
        ..Inject::script(TcpFlags::PSH.union(TcpFlags::ACK), 1, Some(1))
    }));
    ops.push(Op::App(AppOp::Write(100)));
    ops.push(Op::App(AppOp::Abort));
    let input = Input {
        service: Service::Http,
        seed: 3,
        ops,
    };
    assert_eq!(decode(&encode(&input)), input);
}

#[test]
fn handshake_input_completes_on_the_embedded_target_without_findings() {
    let input = Input {
        service: Service::Echo,
        seed: 0,
        ops: handshake_ops(),
    };
    let out = run_on(&Embedded::new(), &input, Profile::smoltcp(), true).expect("opens");
    assert!(out.broken.is_none());
    assert!(out.failure().is_none(), "{:?}", out.findings);
    let synack = out.steps.iter().find_map(|s| match s {
        Step::Out {
            segment: Some(seg), ..
        } => Some(seg.clone()),
        _ => None,
    });
    let synack = synack.expect("a SYN-ACK");
    assert!(synack.flags.syn() && synack.flags.ack());
}

#[test]
fn relative_numbers_follow_what_the_target_said() {
    // After the handshake, RcvNxt + 0 is script seq 1 and SndNxt is ack 1.
    let mut ops = handshake_ops();
    ops.push(Op::Inject(Inject {
        len: 5,
        seq: Rel {
            anchor: SeqAnchor::RcvNxt,
            delta: 0,
        },
        ack: Rel {
            anchor: AckAnchor::SndNxt,
            delta: 0,
        },
        ..Inject::script(TcpFlags::PSH.union(TcpFlags::ACK), 0, None)
    }));
    let input = Input {
        service: Service::Discard,
        seed: 1, // an ISN just below the 2^32 wrap
        ops,
    };
    let r = repro_case(&encode(&input), &Embedded::new(), Profile::smoltcp()).expect("opens");
    assert!(r.case.contains("< P. 1:6(5) ack 1 win 65535"), "{}", r.case);
    assert!(r.case.contains("> . 1:1(0) ack 6"), "{}", r.case);
}

#[test]
fn random_sequences_never_break_the_embedded_session() {
    for data in random_inputs(3, 400, 300) {
        let out = run_sequence_embedded(&data);
        assert!(out.broken.is_none(), "{:?} on {data:02x?}", out.broken);
    }
}

#[test]
fn wire_shim_holds_on_random_and_mutated_packets() {
    let mut m = Mutator::new(5);
    let input = Input {
        service: Service::Echo,
        seed: 0,
        ops: handshake_ops(),
    };
    let out = run_on(&Embedded::new(), &input, Profile::smoltcp(), true).expect("opens");
    let corpus: Vec<Vec<u8>> = out
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::In { built, .. } => Some(built.to_bytes(crate::wire::ChecksumPolicy::Compute)),
            _ => None,
        })
        .collect();
    for data in random_inputs(9, 1000, 120) {
        wire_roundtrip(&data);
    }
    for _ in 0..3000 {
        wire_roundtrip(&m.mutate(&corpus));
    }
}

#[test]
fn script_shim_holds_on_mutated_case_text() {
    let src = "//! title: t\n0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>\n+0 > S. 0:0(0) ack 1 <...>\n+.1 < . 1:1(0) ack 1 win 65535\n";
    let corpus = vec![src.as_bytes().to_vec()];
    let mut m = Mutator::new(13);
    for _ in 0..3000 {
        script_parse(&m.mutate(&corpus));
    }
    capture_parse(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]);
}

#[test]
fn mutator_is_deterministic_by_seed() {
    let corpus = vec![vec![1, 2, 3, 4, 5]];
    let a: Vec<_> = (0..10)
        .map({
            let mut m = Mutator::new(1);
            move |_| m.mutate(&corpus)
        })
        .collect();
    let corpus = vec![vec![1, 2, 3, 4, 5]];
    let b: Vec<_> = (0..10)
        .map({
            let mut m = Mutator::new(1);
            move |_| m.mutate(&corpus)
        })
        .collect();
    assert_eq!(a, b);
}

#[test]
fn diff_alignment_reports_an_extra_segment_once_not_as_a_cascade() {
    let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let a = l(&["S. 0:0(0) ack 1", "F. 1:42(41) ack 19", ". 43:43(0) ack 20"]);
    let b = l(&[
        "S. 0:0(0) ack 1",
        ". 1:1(0) ack 19",
        "F. 1:42(41) ack 19",
        ". 43:43(0) ack 20",
    ]);
    let pairs = align(&a, &b);
    let unmatched: Vec<_> = pairs
        .iter()
        .filter(|(i, j)| match (i, j) {
            (Some(i), Some(j)) => a[*i] != b[*j],
            _ => true,
        })
        .collect();
    assert_eq!(unmatched, vec![&(None, Some(1))]);
    let replaced = align(&l(&["R 0:0(0)"]), &l(&["R. 0:0(0) ack 1"]));
    assert_eq!(replaced, vec![(Some(0), Some(0))]);
}

#[test]
fn windows_are_left_out_of_normalised_lines() {
    assert_eq!(
        without_window("S. 0:0(0) ack 1 win 8192 <mss 1460>"),
        "S. 0:0(0) ack 1 <mss 1460>"
    );
}

#[test]
fn allow_list_decides_which_failures_stop_the_fuzz_target() {
    use crate::oracle::{Finding, RuleId};
    let mut out = FuzzOutcome::default();
    out.findings
        .push((0, Finding::new(RuleId::RstClosedNumbers, "x".into())));
    assert_eq!(
        fatal(&out, &[]).map(|f| f.rule),
        Some(RuleId::RstClosedNumbers)
    );
    assert!(fatal(&out, &["rst-closed-numbers".to_string()]).is_none());
    assert!(fatal(&out, &["*".to_string()]).is_none());
    out.findings
        .push((1, Finding::new(RuleId::BadChecksum, "y".into())));
    assert_eq!(
        fatal(&out, &["rst-closed-numbers".to_string()]).map(|f| f.rule),
        Some(RuleId::BadChecksum)
    );
}

#[test]
fn corrupt_checksum_segments_are_left_out_only_when_asked() {
    let mut ops = handshake_ops();
    if let Op::Inject(syn) = &mut ops[0] {
        syn.bad_checksum = true;
    }
    let input = Input {
        service: Service::Echo,
        seed: 0,
        ops,
    };
    let (spec, isn) = exec::session_for(&input);
    let open = || Embedded::new().open(&spec).expect("opens");
    let kept = Driver::new(open(), input.service, isn, Profile::smoltcp(), true).run(&input.ops);
    let skipped = Driver::new(open(), input.service, isn, Profile::smoltcp(), true)
        .skip_bad_checksums()
        .run(&input.ops);
    let ins = |o: &FuzzOutcome| {
        o.steps
            .iter()
            .filter(|s| matches!(s, Step::In { .. }))
            .count()
    };
    assert_eq!(ins(&kept), 2);
    assert_eq!(ins(&skipped), 1);
    // smoltcp (not built for fuzzing) drops the corrupt SYN: no SYN-ACK either way.
    let synacks = |o: &FuzzOutcome| {
        o.steps
            .iter()
            .filter(|s| matches!(s, Step::Out { segment: Some(seg), .. } if seg.flags.syn()))
            .count()
    };
    assert_eq!(synacks(&kept), 0);
    assert_eq!(synacks(&skipped), 0);
}

/// Verdicts of the fuzz target's fast pass and of the full oracle over
/// `inputs`: (both pass, both fail, only the fast pass fails, only the full
/// oracle fails). Every failing rule counts (no allow list).
fn budget_verdicts(inputs: &[Vec<u8>]) -> [usize; 4] {
    let mut n = [0; 4];
    for data in inputs {
        let input = decode(data);
        let fast = run_embedded(&input, FAST_BRANCHES).failure().is_some();
        let full = run_embedded(&input, crate::oracle::MAX_BRANCHES)
            .failure()
            .is_some();
        n[match (fast, full) {
            (false, false) => 0,
            (true, true) => 1,
            (true, false) => 2,
            (false, true) => 3,
        }] += 1;
    }
    n
}

/// Every `*.input` file under `dir`, recursively.
fn inputs_under(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            out.extend(inputs_under(&p));
        } else if p.extension().is_some_and(|e| e == "input") {
            out.extend(std::fs::read(&p).ok());
        }
    }
    out
}

#[test]
fn the_fast_pass_never_passes_what_the_full_oracle_fails() {
    // The fuzz target trusts a pass of its small-budget first pass; that
    // is sound only if cutting branches can make a verdict worse, never
    // better. The campaigns' findings are the inputs that fork the most.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/findings");
    let mut inputs = inputs_under(&root);
    assert!(inputs.len() >= 30, "{} inputs under {root:?}", inputs.len());
    inputs.extend(random_inputs(11, 300, 400));
    let [_, _, _, missed] = budget_verdicts(&inputs);
    assert_eq!(
        missed, 0,
        "inputs the fast pass passed and the full oracle fails"
    );
}

/// `SYNACK_BUDGET_DIRS=DIR[:DIR…] cargo test --release -p synack --lib
/// fuzzing::tests::budget_agreement_over_campaigns -- --ignored --nocapture`:
/// the same comparison over a campaign's recorded inputs (files of any name).
#[test]
#[ignore = "needs campaign directories in SYNACK_BUDGET_DIRS"]
fn budget_agreement_over_campaigns() {
    let dirs = std::env::var("SYNACK_BUDGET_DIRS").unwrap_or_default();
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        let mut files: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| Some((e.path(), std::fs::read(e.path()).ok()?)))
            .collect();
        files.sort_by_key(|(p, d)| (d.len(), p.clone()));
        let inputs: Vec<Vec<u8>> = files.iter().map(|(_, d)| d.clone()).collect();
        let [pass, fail, fast_only, full_only] = budget_verdicts(&inputs);
        let smallest = files
            .iter()
            .find(|(_, d)| budget_verdicts(std::slice::from_ref(d))[2] == 1);
        if let Some((p, d)) = smallest {
            println!(
                "smallest that only the fast pass fails: {p:?} ({} bytes)",
                d.len()
            );
        }
        println!(
            "{dir}: {} inputs: both pass {pass}, both fail {fail}, only the fast pass fails \
             {fast_only}, only the full oracle fails {full_only}",
            inputs.len()
        );
        assert_eq!(full_only, 0, "{dir}");
    }
}

#[test]
fn a_finding_of_the_fast_pass_alone_is_re_judged_and_dropped() {
    // Campaign 9 (data-beyond-window-5b12ef3e): a chain of segments a
    // stack may drop forks the oracle past the fast pass's branches; that
    // pass cuts the one smoltcp matches and fails, the full oracle passes.
    // The fuzz target must not report it (it panics on a finding: no allow
    // list in tests).
    let data = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/findings/fast-pass-misjudges.input"),
    )
    .expect("committed input");
    let input = decode(&data);
    assert!(
        run_embedded(&input, FAST_BRANCHES).failure().is_some(),
        "the fast pass judges this input right now: take another that only it fails \
         (budget_agreement_over_campaigns prints the smallest of a campaign)"
    );
    assert!(run_embedded(&input, crate::oracle::MAX_BRANCHES)
        .failure()
        .is_none());
    sequence_embedded(&data);
}

#[test]
fn every_campaign_example_passes_past_smoltcps_known_deviations() {
    // One input per group each campaign found (fuzz/findings/campaign*/):
    // oracle false positives fixed since, or smoltcp deviations now in
    // the allow list. Judged as `repro --group --allow` judges them.
    // Campaign 11's `syn-in-window-resets` is smoltcp's trimmed FIN
    // (`cases/regressions/smoltcp-fin-past-window-edge-taken`), which no
    // rule names, so no allow list lets it pass: its README section.
    let allowed = super::allow::embedded_default();
    for rule in &allowed {
        assert!(
            rule == SEGMENT_STORM || rule.parse::<crate::oracle::RuleId>().is_ok(),
            "{rule} is no oracle rule"
        );
    }
    let profile = exec::allowing(Profile::smoltcp(), &allowed);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/findings");
    let mut failing = Vec::new();
    let mut seen = 0;
    let unnamed_deviation = std::path::Path::new("campaign11/syn-in-window-resets.input");
    for campaign in [
        "campaign8",
        "campaign9",
        "campaign10",
        "campaign11",
        "campaign12",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(campaign))
            .expect("campaign directory")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "input"))
            .filter(|p| !p.ends_with(unnamed_deviation))
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("readable");
            let out = repro_case(&data, &Embedded::new(), profile.clone()).expect("runs");
            seen += 1;
            if out.panic.is_some() || fatal(&out.outcome, &allowed).is_some() {
                failing.push(path.display().to_string());
            }
        }
    }
    assert!(seen >= 40, "{seen} examples");
    assert!(failing.is_empty(), "still failing: {failing:#?}");
}
