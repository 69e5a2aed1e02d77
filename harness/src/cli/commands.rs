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
        Command::Check { paths, defines } => check(&paths, &defines),
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
        Command::Report(ReportCommand::Matrix {
            paths,
            out,
            exec,
            name,
        }) => matrix(&paths, &out, exec.as_deref(), name),
        Command::Agent(args) => super::link::agent(args),
        Command::Grid { out } => super::grid::grid(&out),
        Command::Report(ReportCommand::Merge { dirs, out }) => {
            for d in &dirs {
                let results = d.join("results.json");
                if let Err(e) = std::fs::metadata(&results) {
                    return Err(CliError::usage(format!(
                        "{}: not a report directory (cannot read {}: {e})",
                        d.display(),
                        results.display()
                    )));
                }
            }
            crate::report::merge(&dirs, &out).map_err(|e| {
                let message = format!("cannot merge reports into {}: {e}", out.display());
                match e.kind() {
                    // The inputs are not reports of one suite: the user's to fix.
                    std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => {
                        CliError::usage(message)
                    }
                    _ => CliError::infra(message),
                }
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

/// The directory waiver files live in: `<cases root>/waivers/`. The cases
/// root is the nearest directory named `cases` at or above a path; for a
/// suite kept under another name, the first path given (its directory, if
/// it names a file): waivers are found beside the cases, never in the
/// current directory unless the cases are there.
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
    match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => PathBuf::from("cases"),
    }
}

fn make_target(args: &RunArgs) -> Result<Box<dyn Target>, CliError> {
    if args.exec.is_some() && !matches!(args.target, TargetKind::Tap | TargetKind::Tun) {
        return Err(CliError::usage(
            "--exec starts your stack on a TAP or TUN device: use it with --target tap or tun",
        ));
    }
    if args.link.any() && args.target != TargetKind::Link {
        return Err(CliError::usage(
            "--iface, --peer, --source and --agent are for --target link",
        ));
    }
    match args.target {
        TargetKind::Link => {
            if args.serve.is_some() {
                return Err(CliError::usage(
                    "--serve runs a server in the lab namespace; on link, name the peer's own server with --peer ADDR:PORT",
                ));
            }
            super::link::make_target(&args.link)
        }
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
        TargetKind::Tap | TargetKind::Tun => {
            let family = if args.ipv6 {
                crate::target::IpFamily::V6
            } else {
                crate::target::IpFamily::V4
            };
            super::tap_cmds::start(
                args.target,
                args.exec.as_deref(),
                args.name.clone(),
                args.restart_per_case,
                family,
                args.seed,
                args.serve.is_some(),
            )
        }
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
    let family = if args.ipv6 {
        crate::target::IpFamily::V6
    } else {
        crate::target::IpFamily::V4
    };
    let cases = super::load::cases_for_with(&args.paths, &defines_arg(&args.defines)?, family)?;
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
    // Before the run, so the closing line stays the last line.
    let unknown_waivers = waivers.unknown(&cases, &cases_root(&args.paths));
    for m in &unknown_waivers {
        println!("{m}");
    }
    let profile = args
        .profile
        .clone()
        .unwrap_or_else(|| super::tap_cmds::profile_of(target.as_ref()));
    let opts = SuiteOptions {
        run: run::RunOptions {
            seed: args.seed,
            oracle_only: args.oracle_only,
            profile,
            serve_port: args
                .serve
                .as_ref()
                .map(|_| args.serve_port)
                .or(args.link.server_port()),
            max_pps: args.max_pps,
            allow_commands: args.allow_commands,
            tso: match (args.tso, args.no_tso) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            local_ip: args.local_ip,
            remote_ip: args.remote_ip,
            mtu: args.mtu,
            family,
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
    // Before the run, so the closing line stays the last line.
    let selected: Vec<&run::case::Case> = run::select(&cases, &opts)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    if let Some(line) = run::pdscript::commands_summary(&selected, args.allow_commands) {
        println!("{line}");
    }
    let (summary, _) = run::run_suite(target.as_ref(), &cases, &opts, &mut reporters)
        .map_err(|e| CliError::infra(format!("cannot write the run's output: {e}")))?;
    if let Some(dir) = &args.report {
        println!("report: {}", dir.display());
    }
    let end = super::outcome::RunEnd {
        fail_on_unsupported: args.fail_on_unsupported,
        unknown_waivers: unknown_waivers.len(),
    };
    let (code, why) = super::outcome::run_exit(&summary, end);
    if let Some(why) = why {
        eprintln!("synack: {why}");
    }
    Ok(code)
}

/// Every file is reported, good and bad: `ok` lines for the files that parse,
/// diagnostics for the others, then the count of each (exit 2 if any failed).
fn check(paths: &[PathBuf], defines: &[String]) -> Result<u8, CliError> {
    let defines = defines_arg(defines)?;
    let files = run::case::discover(paths)?;
    let mut cases = Vec::new();
    let mut bad = 0usize;
    for f in &files {
        match run::case::load_with(f, &defines) {
            Ok(c) => {
                match &c.meta.unsupported {
                    Some(why) => println!("ok   {}  (not runnable yet: {why})", c.path.display()),
                    None => println!("ok   {}", c.path.display()),
                }
                cases.push(c);
            }
            Err(run::LoadError::Script(diags)) => {
                bad += 1;
                println!("FAIL {}", f.display());
                eprintln!("{}", crate::script::render(&diags).trim_end());
            }
            Err(e) => return Err(e.into()),
        }
    }
    if bad > 0 {
        println!("{} case files parsed, {bad} with errors", cases.len());
        return Ok(exit::USAGE);
    }
    println!("{} case files parsed", cases.len());
    let all: Vec<&run::case::Case> = cases.iter().collect();
    if let Some(line) = run::pdscript::commands_summary(&all, false) {
        println!("{line}");
    }
    Ok(exit::PASS)
}

/// `-D SYM=VAL` arguments → packetdrill's symbols.
fn defines_arg(args: &[String]) -> Result<crate::script::Defines, CliError> {
    let mut out = crate::script::Defines::new();
    for a in args {
        let (sym, val) = crate::script::parse_define(a).ok_or_else(|| {
            CliError::usage(format!(
                "-D {a}: expected SYM=VAL, e.g. -D TFO_COOKIE=3021b9d889017eeb"
            ))
        })?;
        out.insert(sym, val);
    }
    Ok(out)
}

fn list(paths: &[PathBuf]) -> Result<u8, CliError> {
    let cases = super::load::cases(paths)?;
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
fn matrix(
    paths: &[PathBuf],
    out: &Path,
    exec: Option<&str>,
    name: Option<String>,
) -> Result<u8, CliError> {
    let cases = super::load::cases_for(paths, crate::target::IpFamily::V4)?;
    let waivers_dir = cases_root(paths).join("waivers");
    let suite = |target: &dyn Target, cases: &[run::case::Case]| -> Result<_, CliError> {
        let waivers = waivers_dir.join(format!("{}.txt", target.name()));
        let opts = SuiteOptions {
            run: run::RunOptions {
                profile: super::tap_cmds::profile_of(target),
                ..run::RunOptions::default()
            },
            waivers: Waivers::load(&waivers).map_err(CliError::usage)?,
            ..SuiteOptions::default()
        };
        let (_, reports) = run::run_suite(target, cases, &opts, &mut [])?;
        Ok((target.name().to_string(), reports))
    };
    let mut rows = vec![suite(&Embedded::new(), &cases)?];
    match crate::target::lab::Lab::start(Default::default()) {
        Ok(lab) => rows.push(suite(&lab, &cases)?),
        Err(e) => eprintln!("note: no lab column: {e}"),
    }
    if exec.is_some() {
        let family = crate::target::IpFamily::V4;
        let tap = super::tap_cmds::start(TargetKind::Tap, exec, name, false, family, 1, false)?;
        // Not a run of the grid on the --exec stack (1059 cells, one at a
        // time on the tap target): its verdicts come from the record
        // `reports/<name>/grid.snap` when there is one (.ci/lwip-grid re-runs
        // and compares it), as in reports/snapshots.rs.
        let cases_only = |c: &&run::case::Case| !c.meta.tags.iter().any(|t| t == "grid");
        let kept: Vec<_> = cases.iter().filter(cases_only).cloned().collect();
        let mut row = suite(tap.as_ref(), &kept)?;
        let record = cases_root(paths)
            .join("../reports")
            .join(&row.0)
            .join("grid.snap");
        if let Ok(text) = std::fs::read_to_string(&record) {
            let at = record.display().to_string();
            let grid = crate::report::recorded::recorded_grid(&cases, &row.0, &text, &at)
                .map_err(|e| CliError::usage(e.to_string()))?;
            row.1.extend(grid);
        }
        rows.push(row);
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
        app_idle: args.app_idle,
    };
    let shown = args.capture.display();
    for w in &capture.warnings {
        eprintln!("warning: {shown}: {w}");
    }
    if packets.is_empty() {
        return Err(CliError::usage(format!(
            "{shown}: the capture holds no packets{}: nothing to judge",
            if capture.skipped > 0 {
                " the reader could use (see the warnings above)"
            } else {
                ""
            }
        )));
    }
    let (reports, stats) = run::judge::judge_packets(&packets, &name, &opts)
        .map_err(|e| CliError::usage(format!("{shown}: {e}")))?;
    if let (Some(addr), true) = (args.target_addr, reports.is_empty()) {
        let held = if stats.hosts.is_empty() {
            "no TCP segment".to_string()
        } else {
            let list: Vec<_> = stats.hosts.iter().map(|a| a.to_string()).collect();
            format!("TCP of {}", list.join(", "))
        };
        return Err(CliError::usage(format!(
            "{shown}: no TCP connection of --target-addr {addr}: the capture holds {held}"
        )));
    }
    if reports.is_empty() && args.target_addr.is_none() {
        return Err(CliError::usage(format!(
            "{shown}: no TCP segment in the capture: nothing to judge"
        )));
    }
    let info = run::RunInfo {
        target: reports
            .first()
            .map(|r| r.target.to_string())
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
    if let Some(t) = stats.target {
        println!("judging {t} as the target: {}", stats.target_why);
    }
    for r in &reports {
        term.event(&run::Event::CaseFinished(r))?;
        summary.add(r.outcome);
    }
    println!(
        "{} packets: {} connections judged, {} not TCP, {} between other hosts, {} records not read{}",
        stats.packets,
        reports.len(),
        stats.not_tcp,
        stats.other_hosts,
        capture.skipped,
        if capture.skipped > 0 { " (warnings above)" } else { "" }
    );
    term.event(&run::Event::RunFinished(&summary))?;
    if let Some(dir) = &args.report {
        crate::report::write_all(dir, &info, &reports, &summary).map_err(|e| {
            CliError::infra(format!("cannot write the report to {}: {e}", dir.display()))
        })?;
        println!("report: {}", dir.display());
    }
    Ok(if summary.any_failed() {
        exit::FAIL
    } else {
        exit::PASS
    })
}
