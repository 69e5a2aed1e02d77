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
        Command::List { paths } => list(&paths),
        Command::Bench(args) => super::bench::bench(args),
        Command::Report(ReportCommand::Matrix { paths, out }) => matrix(&paths, &out),
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
    let cases = run::case::load_all(&args.paths)?;
    let target = make_target(&args)?;
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
