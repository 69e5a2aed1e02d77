//! One function per subcommand.

use super::args::{Cli, Command, ReportCommand, RunArgs, TargetKind};
use super::{exit, CliError};
use crate::report::terminal::Terminal;
use crate::run::{self, Reporter, SuiteOptions, Waivers};
use crate::target::embedded::Embedded;
use crate::target::Target;
use std::path::{Path, PathBuf};

pub fn dispatch(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Run(args) => run_cmd(args),
        Command::Check { paths } => check(&paths),
        Command::List {
            paths,
            coverage: true,
        } => super::grid::coverage(&cases_root(&paths)),
        Command::List { paths, .. } => list(&paths),
        Command::Bench(args) => super::bench::bench(args),
        Command::Explain { rule, list } => explain(rule.as_deref(), list),
        Command::Repro(args) => super::fuzz_cmds::repro(args),
        Command::Diff(args) => super::fuzz_cmds::diff(args),
        Command::Seeds(args) => super::fuzz_cmds::seeds(args),
        Command::Fuzz(args) => super::fuzz_cmds::fuzz(args),
        Command::Judge(args) => judge(args),
        Command::Report(ReportCommand::Matrix { paths, out }) => matrix(&paths, &out),
        Command::Grid { out } => super::grid::grid(&out),
        Command::Report(ReportCommand::Merge { dirs, out }) => {
            crate::report::merge(&dirs, &out).map_err(|e| {
                CliError::infra(format!("cannot merge reports into {}: {e}", out.display()))
            })?;
            println!(
                "merged {} report directories into {}",
                dirs.len(),
                out.display()
            );
            Ok(exit::PASS)
        }
    }
}

/// The directory waiver files live in: `<cases root>/waivers/`.
fn cases_root(paths: &[PathBuf]) -> PathBuf {
    for p in paths {
        let mut cur: Option<&Path> = Some(p.as_path());
        while let Some(c) = cur {
            if c.file_name().is_some_and(|n| n == "cases") {
                return c.to_path_buf();
            }
            cur = c.parent();
        }
    }
    PathBuf::from("cases")
}

fn make_target(args: &RunArgs) -> Result<Box<dyn Target>, CliError> {
    match args.target {
        TargetKind::Embedded => {
            if args.serve.is_some() {
                return Err(CliError::usage(
                    "--serve runs a server in the lab namespace: use it with --target lab",
                ));
            }
            Ok(Box::new(Embedded::new()))
        }
        TargetKind::Lab => {
            let options = crate::target::lab::LabOptions {
                serve: args.serve.clone(),
                serve_port: Some(args.serve_port),
                serve_timeout: None,
            };
            let lab = crate::target::lab::Lab::start(options)
                .map_err(|e| CliError::infra(format!("cannot start the lab target: {e}")))?;
            Ok(Box::new(lab))
        }
    }
}

fn default_profile(target: TargetKind) -> &'static str {
    match target {
        TargetKind::Embedded => "smoltcp",
        TargetKind::Lab => "linux",
    }
}

fn run_cmd(args: RunArgs) -> Result<u8, CliError> {
    let shard = args
        .shard
        .as_deref()
        .map(str::parse::<run::Shard>)
        .transpose()
        .map_err(CliError::usage)?;
    if args.jobs == 0 {
        return Err(CliError::usage("--jobs must be at least 1"));
    }
    let fault = args
        .fault
        .as_deref()
        .map(str::parse::<crate::target::fault::Fault>)
        .transpose()
        .map_err(CliError::usage)?;
    let cases = run::case::load_all(&args.paths)?;
    let mut target = make_target(&args)?;
    if let Some(fault) = fault {
        target = Box::new(crate::target::fault::Faulty::new(target, fault));
    }
    let waiver_file = args.waivers.clone().unwrap_or_else(|| {
        cases_root(&args.paths)
            .join("waivers")
            .join(format!("{}.txt", target.name()))
    });
    let waivers = Waivers::load(&waiver_file).map_err(CliError::usage)?;
    let profile = args
        .profile
        .clone()
        .unwrap_or_else(|| default_profile(args.target).to_string());
    let opts = SuiteOptions {
        run: run::RunOptions {
            seed: args.seed,
            oracle_only: args.oracle_only,
            profile,
            serve_port: args.serve.as_ref().map(|_| args.serve_port),
            max_pps: args.max_pps,
            family: if args.ipv6 {
                crate::target::IpFamily::V6
            } else {
                crate::target::IpFamily::V4
            },
            ..run::RunOptions::default()
        },
        jobs: args.jobs,
        tags: args.tags.clone(),
        skip_tags: args.skip_tags.clone(),
        shard,
        waivers,
    };
    let mut term = Terminal::stdout(args.verbose);
    let mut writer = args.report.as_ref().map(crate::report::ReportWriter::new);
    let mut reporters: Vec<&mut dyn Reporter> = vec![&mut term];
    if let Some(w) = writer.as_mut() {
        reporters.push(w);
    }
    let (summary, _) = run::run_suite(target.as_ref(), &cases, &opts, &mut reporters)?;
    if let Some(dir) = &args.report {
        println!("report: {}", dir.display());
    }
    Ok(if summary.any_failed() {
        exit::FAIL
    } else {
        exit::PASS
    })
}

fn check(paths: &[PathBuf]) -> Result<u8, CliError> {
    let cases = run::case::load_all(paths)?;
    for c in &cases {
        match &c.meta.unsupported {
            Some(why) => println!("ok   {}  (not runnable yet: {why})", c.path.display()),
            None => println!("ok   {}", c.path.display()),
        }
    }
    println!("{} case files parsed", cases.len());
    Ok(exit::PASS)
}

fn list(paths: &[PathBuf]) -> Result<u8, CliError> {
    let cases = run::case::load_all(paths)?;
    for c in &cases {
        println!(
            "{:<40} {:<10} {:<12} {}",
            c.id,
            c.meta.covers.join(","),
            c.meta.service,
            c.meta.title.as_deref().unwrap_or("")
        );
        if !c.meta.rfc.is_empty() || !c.meta.tags.is_empty() {
            println!(
                "{:<40} rfc {}  tags {}",
                "",
                c.meta.rfc.join("; "),
                c.meta.tags.join(",")
            );
        }
    }
    Ok(exit::PASS)
}

/// The suite on every target this machine can run, each judged by its own
/// profile, as the conformance matrix.
fn matrix(paths: &[PathBuf], out: &Path) -> Result<u8, CliError> {
    let cases = run::case::load_all(paths)?;
    let suite = |target: &dyn Target, kind: TargetKind| -> Result<_, CliError> {
        let opts = SuiteOptions {
            run: run::RunOptions {
                profile: default_profile(kind).to_string(),
                ..run::RunOptions::default()
            },
            ..SuiteOptions::default()
        };
        let (_, reports) = run::run_suite(target, &cases, &opts, &mut [])?;
        Ok((target.name().to_string(), reports))
    };
    let mut rows = vec![suite(&Embedded::new(), TargetKind::Embedded)?];
    match crate::target::lab::Lab::start(Default::default()) {
        Ok(lab) => rows.push(suite(&lab, TargetKind::Lab)?),
        Err(e) => eprintln!("note: no lab column: {e}"),
    }
    std::fs::write(out, crate::report::matrix(&rows))
        .map_err(|e| CliError::infra(format!("cannot write {}: {e}", out.display())))?;
    println!(
        "wrote {} ({} targets, {} cases)",
        out.display(),
        rows.len(),
        cases.len()
    );
    Ok(exit::PASS)
}

fn explain(rule: Option<&str>, list: bool) -> Result<u8, CliError> {
    use crate::oracle::{rules, RuleId};
    if list {
        for r in rules() {
            let req = if r.requirement.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.requirement)
            };
            println!(
                "{:<34} {:<6} {}{req}",
                r.name,
                r.level.to_string(),
                r.section
            );
        }
        println!("{} rules", rules().len());
        return Ok(exit::PASS);
    }
    let name = rule.unwrap_or_default();
    let id: RuleId = name.parse().map_err(CliError::usage)?;
    let r = id.info();
    println!("{} ({})", r.name, r.level);
    println!(
        "  reference: {}{}",
        r.section,
        if r.requirement.is_empty() {
            String::new()
        } else {
            format!(", {}", r.requirement)
        }
    );
    println!("  {}", r.summary);
    let allowed: Vec<String> = crate::oracle::Profile::all()
        .iter()
        .filter_map(|p| p.allows(id).map(|why| format!("{}: {why}", p.name)))
        .collect();
    if !allowed.is_empty() {
        println!("  allowed as a deviation by profile {}", allowed.join("; "));
    }
    println!("\n  example of a violation:");
    for line in r.example.lines() {
        println!("    {line}");
    }
    Ok(exit::PASS)
}

fn judge(args: super::args::JudgeArgs) -> Result<u8, CliError> {
    let capture = crate::report::pcap::read_capture_file(&args.capture)
        .map_err(|e| CliError::usage(format!("{}: {e}", args.capture.display())))?;
    let packets: Vec<_> = capture
        .packets
        .iter()
        .map(|p| (p.ts, p.ip_bytes.clone()))
        .collect();
    let name = args
        .capture
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "capture".into());
    let opts = run::judge::JudgeOptions {
        target_addr: args.target_addr,
        profile: args.profile.clone(),
        ignore_checksums: args.ignore_checksums,
    };
    let (reports, stats) =
        run::judge::judge_packets(&packets, &name, &opts).map_err(CliError::usage)?;
    let info = run::RunInfo {
        target: reports
            .first()
            .map(|r| r.target.clone())
            .unwrap_or_else(|| "capture".into()),
        profile: args.profile.clone(),
        seed: 0,
        cases: reports.len(),
        shard: None,
        oracle_only: true,
    };
    let mut summary = run::RunSummary::default();
    let mut term = Terminal::stdout(args.verbose);
    term.event(&run::Event::RunStarted(&info))?;
    for r in &reports {
        term.event(&run::Event::CaseFinished(r))?;
        summary.add(r.outcome);
    }
    println!(
        "{} packets: {} connections judged, {} not TCP, {} between other hosts, {} skipped by the reader",
        stats.packets,
        reports.len(),
        stats.not_tcp,
        stats.other_hosts,
        capture.skipped
    );
    term.event(&run::Event::RunFinished(&summary))?;
    if let Some(dir) = &args.report {
        crate::report::write_all(dir, &info, &reports, &summary)?;
        println!("report: {}", dir.display());
    }
    Ok(if summary.any_failed() {
        exit::FAIL
    } else {
        exit::PASS
    })
}
