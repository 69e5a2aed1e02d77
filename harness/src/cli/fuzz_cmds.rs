//! `synack repro`, `synack diff`, `synack seeds`, `synack fuzz`: the
//! fuzzing commands. The logic lives in [`crate::fuzzing`]; this file only
//! turns arguments into calls and results into output and exit codes.

use super::args::TargetKind;
use super::target_flags::TargetFlags;
use super::{exit, CliError};
use crate::fuzzing;
use crate::oracle::Profile;
use crate::run::{self, Outcome, RunOptions};
use crate::target::embedded::Embedded;
use crate::target::fault::{Fault, Faulty};
use crate::target::lab::{Lab, LabOptions};
use crate::target::{Target, TargetError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Replay fuzz artifacts and print each as a case file that reproduces it.
#[derive(clap::Args, Debug)]
pub struct ReproArgs {
    /// Inputs written by libFuzzer (fuzz/artifacts/<target>/crash-…).
    #[arg(required_unless_present_any = ["group", "from_pcap"])]
    pub artifacts: Vec<PathBuf>,
    /// Instead of fuzz artifacts: make a case of one connection of this capture (pcap or
    /// pcapng), the peer's segments as `<` lines and the target's as `>` expectations.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["artifacts", "group"], requires = "conn")]
    pub from_pcap: Option<PathBuf>,
    /// With --from-pcap: the connection, numbered from 1 as `synack judge` lists them.
    #[arg(long, value_name = "N")]
    pub conn: Option<usize>,
    /// With --from-pcap: the stack under test (default: the side `synack judge` picks).
    #[arg(long, value_name = "IP")]
    pub target_addr: Option<std::net::IpAddr>,
    /// Group every input in DIR by what it found (rule, panic, hang) and list
    /// one example of each distinct problem instead.
    #[arg(long, value_name = "DIR", conflicts_with = "artifacts")]
    pub group: Option<PathBuf>,
    /// The stack to replay on.
    #[arg(long, value_enum, default_value = "embedded")]
    pub target: TargetKind,
    /// Oracle profile (default: SYNACK_FUZZ_PROFILE, else the target's own).
    #[arg(long, env = "SYNACK_FUZZ_PROFILE", value_parser = super::args::profile_names())]
    pub profile: Option<String>,
    /// Rules the campaign allowed (its SYNACK_FUZZ_ALLOW): the oracle takes
    /// them for the target's deviations, as the fuzz target did, and
    /// --group sorts each input by the finding that stopped it.
    #[arg(long, value_delimiter = ',', env = "SYNACK_FUZZ_ALLOW")]
    pub allow: Vec<String>,
    /// Write the case here instead of stdout (one artifact only), e.g.
    /// cases/regressions/NAME.pkt.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Where a tap/tun stack or a link peer is.
    #[command(flatten)]
    pub at: TargetFlags,
}

/// `synack diff --help`, after the options: how to read the output, and the exit codes.
const DIFF_HELP: &str = "\
Segments are compared in script space (numbers relative to each side's ISN), aligned as a line
diff; each difference is labelled with the oracle rules that fired on either side's segment
(each target judged by its own profile: smoltcp for embedded, linux for lab).

With --fuzz, a differential campaign: every --corpus input once, then mutations of them, each
run on both targets. Differences are grouped by a signature (the rules that explain them, or
their shape when no rule fired: `only b: .`, `a F. / b P.`, `S.: options`) and listed once each
with the number of inputs that showed it, in three classes:
  conformance  a MUST rule fired on one side and its profile does not allow it
  deviations   a SHOULD rule, or a MUST the side's profile allows
  behaviour    no rule fired: both targets did something the RFCs allow
`(N after the harness's own segments differed)`: fuzz inputs anchor numbers to what each
target said (its window edge, its SND.NXT), so in N inputs the two targets were no longer sent
the same segments and the difference may only follow from that.
The smallest input of each goes to --artifacts as diff-<signature>-<hash>; replay it with
`synack diff --targets A,B --input FILE` or `synack repro --target A FILE`.

Exit codes: cases and --input: 0 when the targets answered alike, 1 when they differ.
--fuzz: 0 when no difference is a conformance difference (or its failing rules are in --allow),
1 otherwise. Both: 2 usage error (bad flags; a path or --input missing, unreadable or not text;
a script error), 3 a target could not run (e.g. lab without root) or broke mid-run.

Examples:
  synack diff --targets embedded,lab cases/core
  synack diff --targets embedded,lab --fuzz --seconds 120
  synack diff --targets embedded,embedded --fault flip-ack --fuzz --runs 500";

/// Run the same cases (or fuzz inputs) against two targets and list where
/// their responses differ (see [`DIFF_HELP`]).
#[derive(clap::Args, Debug)]
#[command(after_long_help = DIFF_HELP)]
pub struct DiffArgs {
    /// Case files or directories.
    #[arg(default_value = "cases")]
    pub paths: Vec<PathBuf>,
    /// The targets, comma-separated (a = the first, b = the second); three or more: every
    /// pair, cases only (a tap/tun stack comes from SYNACK_EXEC, named by SYNACK_NAME).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "embedded,lab"
    )]
    pub targets: Vec<TargetKind>,
    /// Compare these fuzz inputs (sequence_embedded format) instead of cases.
    #[arg(long, value_name = "FILE", conflicts_with = "fuzz")]
    pub input: Vec<PathBuf>,
    /// Compare the advertised windows too (left out by default: each stack
    /// picks its own).
    #[arg(long)]
    pub windows: bool,
    /// Compare TCP options exactly: order, nop/eol padding, values (by
    /// default only which options are present: each stack picks its own
    /// MSS, window-scale shift and option layout). A real-time target's
    /// TSvals follow its clock and are `TS val *` (shown and compared) on
    /// both sides whenever one target is real-time.
    #[arg(long)]
    pub options: bool,
    /// Inject FAULT into what the second target sends (as `synack run
    /// --fault`): a self-test that a known bug shows up as a difference.
    #[arg(long, value_name = "FAULT", value_parser = super::args::fault_names(),
        ignore_case = true)]
    pub fault: Option<String>,
    /// With each case that differs, both transcripts (what each target
    /// sent and when, with the case lines), as `synack run -v` prints them.
    #[arg(short, long)]
    pub verbose: bool,
    /// Write every view of both runs of the cases: DIR/a/ and DIR/b/ hold
    /// results.json, junit.xml, summary.md, index.html and per case a pcap
    /// and a transcript, as `synack run --report`; DIR/differences.txt the
    /// differences as printed.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["fuzz", "input"])]
    pub report: Option<PathBuf>,
    /// Let scripts run their back-quoted commands and `%{ }%` blocks on both
    /// targets, as `synack run --allow-commands` (packetdrill's scripts all
    /// have an init command; without it they are unsupported on both).
    #[arg(
        long,
        env = "SYNACK_ALLOW_COMMANDS",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue
    )]
    pub allow_commands: bool,
    /// Seed for ISNs and ports of cases (the same on both targets); with
    /// --fuzz, the mutator's seed.
    #[arg(long, default_value_t = 1, env = "SYNACK_SEED")]
    pub seed: u64,
    /// Differential fuzzing: mutate the --corpus inputs and run each on both targets.
    #[arg(long, help_heading = "Fuzz mode")]
    pub fuzz: bool,
    /// Seed inputs (sequence_embedded format): a directory or a file.
    #[arg(
        long,
        default_value = "fuzz/corpus/sequence_embedded",
        help_heading = "Fuzz mode"
    )]
    pub corpus: PathBuf,
    /// Stop after this many seconds of wall time.
    #[arg(long, default_value_t = 60, help_heading = "Fuzz mode")]
    pub seconds: u64,
    /// Stop after this many inputs (whichever comes first).
    #[arg(long, value_name = "N", help_heading = "Fuzz mode")]
    pub runs: Option<u64>,
    /// Where each distinct difference's smallest input is written
    /// (default: fuzz/artifacts/diff_<a>_<b>).
    #[arg(long, value_name = "DIR", help_heading = "Fuzz mode")]
    pub artifacts: Option<PathBuf>,
    /// Rules (comma-separated) whose conformance differences are known
    /// (already cases with waivers): still listed, they do not make the run
    /// exit 1. `*` allows every rule.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULES",
        value_parser = rule_or_star,
        help_heading = "Fuzz mode"
    )]
    pub allow: Vec<String>,
    /// Where a tap/tun stack or a link peer is.
    #[command(flatten)]
    pub at: TargetFlags,
}

/// Turn cases into seed corpora for every fuzz target.
#[derive(clap::Args, Debug)]
pub struct SeedsArgs {
    /// Case files or directories.
    #[arg(default_value = "cases")]
    pub paths: Vec<PathBuf>,
    /// The corpus root: files go to OUT/<fuzz target>/.
    #[arg(long, default_value = "fuzz/corpus")]
    pub out: PathBuf,
}

/// Fuzz the operation lists without libFuzzer, e.g. against the lab kernel.
#[derive(clap::Args, Debug)]
pub struct FuzzArgs {
    /// The stack to fuzz.
    #[arg(long, value_enum, default_value = "lab")]
    pub target: TargetKind,
    /// Seed inputs (sequence_embedded format): a directory or files.
    #[arg(long, default_value = "fuzz/corpus/sequence_embedded")]
    pub corpus: PathBuf,
    /// Where failing inputs are written.
    #[arg(long, default_value = "fuzz/artifacts/sequence_lab")]
    pub artifacts: PathBuf,
    /// Stop after this many seconds of wall time.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Oracle profile (default: the target's own).
    #[arg(long, value_parser = super::args::profile_names())]
    pub profile: Option<String>,
    /// Seed of the mutator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where a tap/tun stack or a link peer is.
    #[command(flatten)]
    pub at: TargetFlags,
}

/// An oracle rule's name (`synack explain --list`), or `*`: a typo would
/// otherwise allow nothing, silently.
fn rule_or_star(s: &str) -> Result<String, String> {
    if s != "*" {
        s.parse::<crate::oracle::RuleId>()?;
    }
    Ok(s.to_string())
}

fn target_error(e: TargetError) -> CliError {
    CliError::infra(e.to_string())
}

pub(super) fn make_target(
    kind: TargetKind,
    flags: &TargetFlags,
) -> Result<Box<dyn Target>, CliError> {
    if let Some(started) = flags.start(kind) {
        return started;
    }
    match kind {
        TargetKind::Embedded => Ok(Box::new(Embedded::new())),
        TargetKind::Lab => Ok(Box::new(
            Lab::start(LabOptions::default()).map_err(target_error)?,
        )),
        TargetKind::Tap | TargetKind::Tun | TargetKind::Link => {
            Err(CliError::usage("internal: a target the flags start"))
        }
    }
}

fn profile_of(name: Option<&str>, target: &dyn Target) -> Result<Profile, CliError> {
    match name {
        Some(n) => Profile::by_name(n).ok_or_else(|| {
            CliError::usage(format!(
                "unknown profile `{n}` (rfc9293, rfc793, linux, smoltcp)"
            ))
        }),
        None => Ok(fuzzing::profile_for(target)),
    }
}

/// `synack repro`: 0 when every artifact replayed, 1 when one did not
/// reproduce a failure.
pub fn repro(args: ReproArgs) -> Result<u8, CliError> {
    if let (Some(pcap), Some(conn)) = (&args.from_pcap, args.conn) {
        return repro_from_pcap(pcap, conn, &args);
    }
    args.at.check(&[args.target])?;
    let target = make_target(args.target, &args.at)?;
    let profile = fuzzing::exec::allowing(
        profile_of(args.profile.as_deref(), target.as_ref())?,
        &args.allow,
    );
    if let Some(dir) = &args.group {
        if !dir.is_dir() {
            return Err(CliError::usage(format!(
                "{}: not a directory of fuzz inputs",
                dir.display()
            )));
        }
        let groups = fuzzing::group(dir, target.as_ref(), &profile, &args.allow)?;
        let total: usize = groups.iter().map(|g| g.count).sum();
        println!(
            "{total} inputs, {} distinct problems (profile {}):",
            groups.len(),
            profile.name
        );
        for g in &groups {
            println!("{:>6}  {}", g.count, g.kind);
            println!("        example: {}", g.example.display());
            println!("        {}", g.detail);
        }
        return Ok(exit::PASS);
    }
    if args.out.is_some() && args.artifacts.len() != 1 {
        return Err(CliError::usage("--out takes exactly one artifact"));
    }
    let mut code = exit::PASS;
    for path in &args.artifacts {
        let data = std::fs::read(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
        let r =
            fuzzing::repro_case(&data, target.as_ref(), profile.clone()).map_err(target_error)?;
        if r.kind == "none" {
            code = exit::FAIL;
        }
        let text = format!("// from {}\n{}", path.display(), r.case);
        match &args.out {
            Some(out) => {
                std::fs::write(out, &text)?;
                eprintln!("{}: {} -> {}", path.display(), r.kind, out.display());
            }
            None => print!("{text}"),
        }
    }
    Ok(code)
}

/// `synack repro --from-pcap FILE --conn N`: the case, to stdout or `--out`.
fn repro_from_pcap(pcap: &std::path::Path, conn: usize, args: &ReproArgs) -> Result<u8, CliError> {
    let shown = pcap.display();
    let capture = crate::report::pcap::read_capture_file(pcap)
        .map_err(|e| CliError::usage(format!("{shown}: {e}")))?;
    for w in &capture.warnings {
        eprintln!("warning: {shown}: {w}");
    }
    let packets: Vec<_> = capture
        .packets
        .iter()
        .map(|p| (p.ts, p.ip_bytes.clone()))
        .collect();
    let name = pcap
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "capture".into());
    let case = crate::run::from_capture::case_from_capture(&packets, &name, conn, args.target_addr)
        .map_err(|e| CliError::usage(format!("{shown}: {e}")))?;
    match &args.out {
        Some(out) => {
            std::fs::write(out, &case)
                .map_err(|e| CliError::infra(format!("cannot write {}: {e}", out.display())))?;
            eprintln!("{shown}: connection {conn} -> {}", out.display());
        }
        None => print!("{case}"),
    }
    Ok(exit::PASS)
}

/// The two targets of `synack diff`, b with `--fault` injected.
/// Targets a and b of a differential run.
type TargetPair = (Box<dyn Target>, Box<dyn Target>);

fn diff_targets(args: &DiffArgs) -> Result<TargetPair, CliError> {
    let [ka, kb] = args.targets[..] else {
        return Err(CliError::usage(
            "--targets takes two targets or more, e.g. embedded,lab",
        ));
    };
    let fault = args
        .fault
        .as_deref()
        .map(str::parse::<Fault>)
        .transpose()
        .map_err(CliError::usage)?;
    args.at.check(&args.targets)?;
    let a = make_target(ka, &args.at)?;
    let mut b = make_target(kb, &args.at)?;
    if let Some(fault) = fault {
        b = Box::new(Faulty::new(b, fault));
    }
    Ok((a, b))
}

/// Reads a corpus: every file of a directory (sorted, so runs repeat), or one file.
fn read_corpus(path: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    let mut corpus = Vec::new();
    for f in files {
        corpus.push(
            std::fs::read(&f)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", f.display())))?,
        );
    }
    if corpus.is_empty() {
        return Err(CliError::usage(format!(
            "no inputs in {}: run `synack seeds` first",
            path.display()
        )));
    }
    Ok(corpus)
}

/// `synack diff`: see [`DiffArgs`] for the exit codes.
pub fn diff(args: DiffArgs) -> Result<u8, CliError> {
    if args.targets.len() > 2 {
        return super::diff_many::diff_many(&args);
    }
    let (a, b) = diff_targets(&args)?;
    let norm = fuzzing::Normalise {
        windows: args.windows,
        options: args.options,
    };
    if args.fuzz {
        return diff_fuzz(&args, a.as_ref(), b.as_ref(), norm);
    }
    let mut differences = Vec::new();
    let mut text = String::new();
    let (mut reports_a, mut reports_b) = (Vec::new(), Vec::new());
    if !args.input.is_empty() {
        for path in &args.input {
            let data = std::fs::read(path)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
            let found = fuzzing::diff_input(&data, a.as_ref(), b.as_ref(), 0, norm)
                .map_err(target_error)?;
            for mut d in found {
                d.case = path.display().to_string();
                differences.push(d);
            }
        }
    } else {
        let cases = super::load::cases_for(&args.paths, crate::target::IpFamily::V4)?;
        // Each case runs as `synack run` runs it (the same runner, line
        // timing and options), on a, then on b, with the same index (so
        // the same harness address) and seed.
        for (i, case) in cases.iter().enumerate() {
            let opts = |t: &dyn Target| RunOptions {
                seed: args.seed,
                profile: fuzzing::profile_for(t).name.to_string(),
                allow_commands: args.allow_commands,
                ..RunOptions::default()
            };
            let ra = run::run_case(a.as_ref(), case, i as u32, &opts(a.as_ref()));
            let rb = run::run_case(b.as_ref(), case, i as u32, &opts(b.as_ref()));
            if ![ra.outcome, rb.outcome].contains(&Outcome::Unsupported) {
                let found = fuzzing::diff_reports_with(&ra, &rb, norm);
                for d in &found {
                    text.push_str(&difference_text(d));
                }
                if args.verbose && !found.is_empty() {
                    for (side, r) in [("a", &ra), ("b", &rb)] {
                        diff_side_text(&mut text, side, r);
                    }
                }
                differences.extend(found);
            }
            reports_a.push(ra);
            reports_b.push(rb);
        }
    }
    if !args.input.is_empty() {
        text = differences.iter().map(difference_text).collect();
    }
    text.insert_str(0, &format!("a = {}, b = {}\n", a.name(), b.name()));
    text.push_str(&format!("{} differences\n", differences.len()));
    print!("{text}");
    if let Some(dir) = &args.report {
        for (side, target, reports) in [("a", &a, &reports_a), ("b", &b, &reports_b)] {
            let info = run::RunInfo {
                target: target.name().to_string(),
                profile: fuzzing::profile_for(target.as_ref()).name.to_string(),
                seed: args.seed,
                cases: reports.len(),
                shard: None,
                oracle_only: false,
            };
            let summary = crate::report::summarise(reports, Duration::ZERO);
            crate::report::write_all(&dir.join(side), &info, reports, &summary).map_err(|e| {
                CliError::infra(format!("cannot write the report in {}: {e}", dir.display()))
            })?;
        }
        std::fs::write(dir.join("differences.txt"), &text)
            .map_err(|e| CliError::infra(format!("cannot write {}: {e}", dir.display())))?;
    }
    Ok(if differences.is_empty() {
        exit::PASS
    } else {
        exit::FAIL
    })
}

/// A difference as `synack diff` prints it, with its signature.
fn difference_text(d: &fuzzing::Difference) -> String {
    format!("{d}\n    signature: {}\n", fuzzing::signature(d))
}

/// One side's run of a case that differs, for `diff -v`: its outcome and
/// transcript as `synack run -v` prints them.
fn diff_side_text(text: &mut String, side: &str, r: &run::CaseReport) {
    text.push_str(&format!(
        "{side}: {} on {}: {}{}\n",
        r.id,
        r.target,
        r.outcome.name(),
        r.reason
            .as_deref()
            .map(|why| format!(" ({why})"))
            .unwrap_or_default()
    ));
    for line in crate::report::terminal::transcript_lines(r) {
        text.push_str(&format!("    {line}\n"));
    }
}

/// `synack diff --fuzz`: 1 when some difference is a conformance difference.
fn diff_fuzz(
    args: &DiffArgs,
    a: &dyn Target,
    b: &dyn Target,
    norm: fuzzing::Normalise,
) -> Result<u8, CliError> {
    let corpus = read_corpus(&args.corpus)?;
    let artifacts = args
        .artifacts
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("fuzz/artifacts/diff_{}_{}", a.name(), b.name())));
    std::fs::create_dir_all(&artifacts)
        .map_err(|e| CliError::infra(format!("cannot create {}: {e}", artifacts.display())))?;
    let fault = args
        .fault
        .as_deref()
        .map(|f| format!(" with fault {f}"))
        .unwrap_or_default();
    println!(
        "differential fuzzing: a = {} (profile {}), b = {}{fault} (profile {}); {} seed inputs, {} s, seed {}",
        a.name(),
        fuzzing::profile_for(a).name,
        b.name(),
        fuzzing::profile_for(b).name,
        corpus.len(),
        args.seconds,
        args.seed
    );
    let opts = fuzzing::DiffFuzzOptions {
        seed: args.seed,
        duration: Duration::from_secs(args.seconds),
        max_runs: args.runs,
        norm,
        artifacts: Some(artifacts.clone()),
    };
    let started = Instant::now();
    let campaign = fuzzing::diff_fuzz(a, b, &corpus, &opts, |g| {
        let path = g
            .artifact
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        println!("new  {}  {}  {path}", class_word(g.class), g.signature);
    })
    .map_err(|e| CliError::infra(e.to_string()))?;
    println!(
        "\n{:.0} s, replay one with `synack diff --targets {},{}{} --input FILE`:",
        started.elapsed().as_secs_f64(),
        a.name(),
        b.name(),
        args.fault
            .as_deref()
            .map(|f| format!(" --fault {f}"))
            .unwrap_or_default()
    );
    print!("{}", campaign.summary());
    let failing = campaign.failing(&args.allow);
    if campaign.has_conformance() && !args.allow.is_empty() {
        println!(
            "\n{} conformance differences with a rule not in --allow",
            failing.len()
        );
    }
    Ok(if failing.is_empty() {
        exit::PASS
    } else {
        exit::FAIL
    })
}

fn class_word(c: fuzzing::Class) -> &'static str {
    match c {
        fuzzing::Class::Conformance => "conformance",
        fuzzing::Class::Deviation => "deviation  ",
        fuzzing::Class::Behaviour => "behaviour  ",
    }
}

/// `synack seeds`.
pub fn seeds(args: SeedsArgs) -> Result<u8, CliError> {
    let cases = super::load::cases(&args.paths)?;
    let n = fuzzing::write_corpus(&cases, &args.out)?;
    println!(
        "{n} seed files from {} cases under {}",
        cases.len(),
        args.out.display()
    );
    Ok(exit::PASS)
}

/// `synack fuzz`: mutates the corpus's inputs and runs them against the
/// target until the time is up; failing inputs go to the artifacts
/// directory. 1 when something was found.
pub fn fuzz(args: FuzzArgs) -> Result<u8, CliError> {
    args.at.check(&[args.target])?;
    let target = make_target(args.target, &args.at)?;
    let profile = profile_of(args.profile.as_deref(), target.as_ref())?;
    let mut corpus = Vec::new();
    let files = if args.corpus.is_dir() {
        std::fs::read_dir(&args.corpus)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect()
    } else {
        vec![args.corpus.clone()]
    };
    for f in files {
        corpus.push(
            std::fs::read(&f)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", f.display())))?,
        );
    }
    if corpus.is_empty() {
        return Err(CliError::usage(format!(
            "no inputs in {}: run `synack seeds` first",
            args.corpus.display()
        )));
    }
    std::fs::create_dir_all(&args.artifacts)?;
    let started = Instant::now();
    let mut rng = fuzzing::Mutator::new(args.seed);
    let (mut runs, mut found) = (0u64, 0u64);
    while started.elapsed() < Duration::from_secs(args.seconds) {
        let input = rng.mutate(&corpus);
        let out = fuzzing::run_nth(
            target.as_ref(),
            &fuzzing::decode(&input),
            profile.clone(),
            false,
            runs,
        )
        .map_err(target_error)?;
        runs += 1;
        let why = out
            .broken
            .clone()
            .or_else(|| out.failure().map(|f| f.to_string()));
        if let Some(why) = why {
            found += 1;
            let name = format!("crash-{:016x}", crate::run::runner::mix(runs ^ args.seed));
            let path = args.artifacts.join(name);
            std::fs::write(&path, &input)?;
            println!("{}: {why}", path.display());
        }
    }
    println!(
        "{runs} runs in {:.0} s against {} (profile {}), {found} findings in {}",
        started.elapsed().as_secs_f64(),
        target.name(),
        profile.name,
        args.artifacts.display()
    );
    Ok(if found == 0 { exit::PASS } else { exit::FAIL })
}
