//! clap structs: the low-level arguments. Nothing outside `cli` sees them;
//! [`super::plan`] turns them into a validated plan.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  every case passed (or deviated as its profile allows, or was waived)
  1  a case failed: a mismatch, a MUST violation, or a stale waiver
  2  usage or script error (bad flags; a case file with file:line:col)
  3  infrastructure error (missing privilege, the target could not start)";

/// synack: a TCP conformance test harness and fuzzer.
///
/// Crafts raw TCP segments, sends them to a TCP stack under test, and judges
/// every segment that comes back: against the case script, and against an
/// RFC model of what any conforming TCP may do.
#[derive(Parser, Debug)]
#[command(name = "synack", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run cases against a target (default: every case in cases/ on the embedded target).
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Parse cases without running them: report syntax errors with file:line:col.
    Check {
        /// Case files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List cases with their metadata.
    List {
        /// Case files or directories.
        #[arg(default_value = "cases")]
        paths: Vec<PathBuf>,
        /// Per catalogue id (cases/CATALOGUE.md): the cases that cover it and their verdict
        /// on each target, from the reviewed snapshots in reports/ (no target is run).
        #[arg(long)]
        coverage: bool,
    },
    /// Measure the harness: cases and segments per second on the embedded target, or the
    /// SYN→SYN-ACK round trip, handshakes per second and suite wall time on the lab target.
    Bench(BenchArgs),
    /// Explain an oracle rule: what it checks, its RFC reference, an example.
    Explain {
        /// The rule's name, as reports print it (e.g. rst-for-rst).
        #[arg(required_unless_present = "list")]
        rule: Option<String>,
        /// List every rule with its level and RFC reference.
        #[arg(long)]
        list: bool,
    },
    /// Run the RFC oracle over a capture (pcap or pcapng): every TCP connection of the target.
    #[command(after_help = EXIT_CODES)]
    Judge(JudgeArgs),
    /// Print a fuzzing finding (a libFuzzer artifact) as a case file that reproduces it;
    /// with --group, list a directory of findings by violation kind.
    Repro(super::fuzz_cmds::ReproArgs),
    /// Run the same cases against two targets and list where their responses differ.
    Diff(super::fuzz_cmds::DiffArgs),
    /// Turn cases/ into seed corpora for the fuzz targets.
    Seeds(super::fuzz_cmds::SeedsArgs),
    /// Fuzz a target in-process (e.g. the lab's kernel) with the same operation lists.
    Fuzz(super::fuzz_cmds::FuzzArgs),
    /// Work with report directories.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Generate the state × segment grid as case files (RFC 9293 §3.10.7, RFC 5961).
    Grid {
        /// Where to write the cells (`<DIR>/<state>/<cell>.pkt`; old cells there are replaced).
        #[arg(long, default_value = "cases/grid")]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Join the report directories of `--shard K/N` runs into one report (all formats).
    Merge {
        /// Report directories written by `synack run --report DIR --shard K/N`.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged report.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Run the suite on every target this machine can run (embedded; lab as root) and
    /// write the conformance matrix (cases × targets, by catalogue id and RFC requirement).
    Matrix {
        /// Case files or directories.
        #[arg(default_value = "cases")]
        paths: Vec<PathBuf>,
        /// Where to write it.
        #[arg(long, short, default_value = "reports/MATRIX.md")]
        out: PathBuf,
    },
}

/// Which stack to test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    /// smoltcp in-process, on a virtual clock (no privileges needed).
    Embedded,
    /// The local Linux kernel, through a TUN device in a private network namespace (needs root).
    Lab,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Case files or directories.
    #[arg(default_value = "cases")]
    pub paths: Vec<PathBuf>,

    /// The stack under test.
    #[arg(
        long,
        value_enum,
        default_value = "embedded",
        env = "SYNACK_TARGET",
        help_heading = "Target"
    )]
    pub target: TargetKind,
    /// Lab target: run this server command in the namespace instead of the built-in services.
    #[arg(
        long,
        value_name = "CMD",
        env = "SYNACK_SERVE",
        help_heading = "Target"
    )]
    pub serve: Option<String>,
    /// At most this many injected packets per second on a real-time target (0: no limit).
    #[arg(long, value_name = "N", default_value_t = crate::run::runner::DEFAULT_MAX_PPS, help_heading = "Target")]
    pub max_pps: u32,
    /// Run the cases over IPv6 (2001:db8::/32 documentation addresses) instead of IPv4.
    #[arg(long, help_heading = "Target")]
    pub ipv6: bool,
    /// Lab target: the port the --serve command listens on.
    #[arg(
        long,
        value_name = "PORT",
        default_value_t = 8080,
        help_heading = "Target"
    )]
    pub serve_port: u16,

    /// Oracle profile: rfc9293 (strict), rfc793, linux, smoltcp. Default: the target's own.
    #[arg(long, env = "SYNACK_PROFILE", help_heading = "Judging")]
    pub profile: Option<String>,
    /// Ignore `>` and `state` lines: judge every segment by the RFC oracle alone.
    #[arg(long, help_heading = "Judging")]
    pub oracle_only: bool,
    /// Testing synack itself: make the target misbehave (flip-ack, drop-rst, rst-for-rst,
    /// data-past-window, data-after-fin) and watch the oracle catch it.
    #[arg(long, value_name = "FAULT", help_heading = "Judging")]
    pub fault: Option<String>,
    /// Waiver file (case-id  reason per line). Default: <cases>/waivers/<target>.txt.
    #[arg(long, value_name = "FILE", help_heading = "Judging")]
    pub waivers: Option<PathBuf>,

    /// Seed for ISNs, ports and the target's randomness (printed in every report).
    #[arg(
        long,
        default_value_t = 1,
        env = "SYNACK_SEED",
        help_heading = "Selection"
    )]
    pub seed: u64,
    /// Only cases with one of these tags (comma-separated).
    #[arg(long, value_delimiter = ',', help_heading = "Selection")]
    pub tags: Vec<String>,
    /// Leave out cases with one of these tags (comma-separated), e.g. slow.
    #[arg(long, value_delimiter = ',', help_heading = "Selection")]
    pub skip_tags: Vec<String>,
    /// Run only the K-th of N stable slices of the cases, e.g. 2/3.
    #[arg(long, value_name = "K/N", help_heading = "Selection")]
    pub shard: Option<String>,
    /// Cases side by side.
    #[arg(
        long,
        short,
        default_value_t = 1,
        env = "SYNACK_JOBS",
        help_heading = "Selection"
    )]
    pub jobs: usize,

    /// Write results.json, junit.xml, summary.md, index.html and per-case pcaps here.
    #[arg(
        long,
        value_name = "DIR",
        env = "SYNACK_REPORT",
        help_heading = "Output"
    )]
    pub report: Option<PathBuf>,
    /// Show the transcript of every case, not only failing ones.
    #[arg(long, short, help_heading = "Output")]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Case files or directories to time.
    #[arg(default_value = "cases")]
    pub paths: Vec<PathBuf>,
    /// How long to run each measurement, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// The target to measure.
    #[arg(long, value_enum, default_value = "embedded")]
    pub target: TargetKind,
    /// Lab: SYN→SYN-ACK samples for the round-trip figures.
    #[arg(long, default_value_t = 2000)]
    pub samples: usize,
}

#[derive(Args, Debug)]
pub struct JudgeArgs {
    /// A pcap or pcapng file (Ethernet, raw IP or Linux cooked capture).
    pub capture: PathBuf,
    /// The stack under test (default: the side that received the first SYN).
    #[arg(long, value_name = "IP")]
    pub target_addr: Option<std::net::IpAddr>,
    /// Oracle profile: rfc9293 (strict), rfc793, linux, smoltcp.
    #[arg(long, default_value = "rfc9293", env = "SYNACK_PROFILE")]
    pub profile: String,
    /// Do not judge checksums (a capture taken on a host with checksum offload).
    #[arg(long)]
    pub ignore_checksums: bool,
    /// Write results.json, junit.xml, summary.md, index.html and per-connection pcaps here.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Show the transcript of every connection, not only failing ones.
    #[arg(long, short)]
    pub verbose: bool,
}
