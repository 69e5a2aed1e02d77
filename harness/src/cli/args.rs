//! clap structs: the low-level arguments. Nothing outside `cli` sees them;
//! [`super::plan`] turns them into a validated plan.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  every case passed (or deviated as its profile allows, or was waived)
  1  a case failed: a mismatch, a MUST violation, a stale waiver (or one naming no
     case), or an unsupported case under --fail-on-unsupported
  2  usage or script error (bad flags; a path missing, unreadable or not text; a case
     file error with file:line:col)
  3  infrastructure error (missing privilege, the target could not start, a case that
     could not be run: an OS error, a panic); 3 wins over 1 when a run has both
  4  nothing was tested: every selected case unsupported or skipped, or none selected
The closing line counts each: N passed, N failed, N waived, N unsupported, N skipped, N errors";

const CHECK_EXIT: &str = "\
Exit codes: 0 every file parsed; 2 a path missing, unreadable or not text, or a script error
(file:line:col with a caret: syntax, a case with no events, a segment no IP packet can carry).";
const LIST_EXIT: &str = "\
Exit codes: 0 listed; 2 a path missing, unreadable or not text, or a script error.";
const BENCH_EXIT: &str = "\
Exit codes: 0 measured; 2 usage, path or script error; 3 the target could not start.";
const EXPLAIN_EXIT: &str = "Exit codes: 0 explained; 2 no such rule (`synack explain --list`).";
const JUDGE_EXIT: &str = "\
Exit codes:
  0  every connection of the target passed (or deviated as the profile allows)
  1  a connection failed: a MUST violation
  2  usage error: the capture missing, unreadable, not a capture or holding no packets or no
     TCP; no connection of --target-addr in it (the addresses it holds are listed)
  3  the report could not be written
A record the reader cannot use is a warning with its byte offset, not an error.";
const REPRO_EXIT: &str = "\
Exit codes: 0 every artifact replayed to a failure; 1 one did not reproduce one; 2 usage or an
artifact missing or unreadable; 3 the target could not start or broke.";
const SEEDS_EXIT: &str = "\
Exit codes: 0 written; 2 a path missing, unreadable or not text, or a script error; 3 the
corpus could not be written.";
const FUZZ_EXIT: &str = "\
Exit codes: 0 nothing found; 1 findings (written to --artifacts); 2 usage or a corpus missing;
3 the target could not start or broke.";
const MERGE_EXIT: &str = "\
Exit codes: 0 merged; 2 a directory missing, or not a report (results.json) of the same
suite; 3 the merged report could not be written.";
const MATRIX_EXIT: &str = "\
Exit codes: 0 written; 2 a path missing, unreadable or not text, or a script error; 3 a target
failed or the matrix could not be written.";

/// The oracle profiles `--profile` accepts (clap lists them on a typo).
pub fn profile_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        crate::oracle::Profile::all()
            .into_iter()
            .map(|p| clap::builder::PossibleValue::new(p.name)),
    )
}

/// The faults `--fault` accepts.
pub fn fault_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        crate::target::fault::Fault::ALL
            .into_iter()
            .map(|f| clap::builder::PossibleValue::new(f.name())),
    )
}

/// `synack --version`: the crate's version and the git commit it was built
/// from ("unknown" when built from a packaged crate; see harness/build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SYNACK_GIT_COMMIT"),
    ")"
);

/// synack: a TCP conformance test harness and fuzzer.
///
/// Crafts raw TCP segments, sends them to a TCP stack under test, and judges
/// every segment that comes back: against the case script, and against an
/// RFC model of what any conforming TCP may do.
#[derive(Parser, Debug)]
#[command(
    name = "synack",
    version = VERSION,
    after_help = EXIT_CODES,
    max_term_width = 100
)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of `RunArgs` beside the small variants
// costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run cases against a target (default: every case in cases/ on the embedded target).
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Parse cases without running them: report syntax errors with file:line:col.
    #[command(after_help = CHECK_EXIT)]
    Check {
        /// Case files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// packetdrill's symbol: replace the word SYM with VAL in every script (repeatable).
        #[arg(short = 'D', long = "define", value_name = "SYM=VAL")]
        defines: Vec<String>,
    },
    /// List cases with their metadata.
    #[command(after_help = LIST_EXIT)]
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
    #[command(after_help = BENCH_EXIT)]
    Bench(BenchArgs),
    /// Explain an oracle rule: what it checks, its RFC reference, an example.
    #[command(after_help = EXPLAIN_EXIT)]
    Explain {
        /// The rule's name, as reports print it (e.g. rst-for-rst).
        #[arg(required_unless_present = "list")]
        rule: Option<String>,
        /// List every rule with its level and RFC reference.
        #[arg(long)]
        list: bool,
    },
    /// Run the RFC oracle over a capture (pcap or pcapng): every TCP connection of the target.
    #[command(after_help = JUDGE_EXIT)]
    Judge(JudgeArgs),
    /// Print a fuzzing finding (a libFuzzer artifact) as a case file that reproduces it;
    /// with --group, list a directory of findings by violation kind.
    #[command(after_help = REPRO_EXIT)]
    Repro(super::fuzz_cmds::ReproArgs),
    /// Run the same cases against two targets and list where their responses differ.
    Diff(super::fuzz_cmds::DiffArgs),
    /// Turn cases/ into seed corpora for the fuzz targets.
    #[command(after_help = SEEDS_EXIT)]
    Seeds(super::fuzz_cmds::SeedsArgs),
    /// Fuzz a target in-process (e.g. the lab's kernel) with the same operation lists.
    #[command(after_help = FUZZ_EXIT)]
    Fuzz(super::fuzz_cmds::FuzzArgs),
    /// Work with report directories.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Run on the host under test: performs the application's side for `run --target link
    /// --agent`, over a control connection kept apart from the interface under test.
    Agent(super::link::AgentArgs),
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
    #[command(after_help = MERGE_EXIT)]
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
    #[command(after_help = MATRIX_EXIT)]
    Matrix {
        /// Case files or directories.
        #[arg(default_value = "cases")]
        paths: Vec<PathBuf>,
        /// Where to write it.
        #[arg(long, short, default_value = "reports/MATRIX.md")]
        out: PathBuf,
        /// Add a column for this stack on the tap target (as `synack run --target tap --exec`).
        #[arg(long, value_name = "CMD")]
        exec: Option<String>,
        /// The --exec stack's name (its column, waiver file and profile), e.g. lwip.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

/// Which stack to test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    /// smoltcp in-process, on a virtual clock (no privileges needed).
    Embedded,
    /// The local Linux kernel, through a TUN device in a private network namespace (root, or user namespaces).
    Lab,
    /// Your stack (--exec CMD) on a TAP device (Ethernet) in a private namespace (root, or user namespaces).
    Tap,
    /// Your stack (--exec CMD) on a TUN device (IP packets) in a private namespace (root, or user namespaces).
    Tun,
    /// A host elsewhere, with raw Ethernet frames on --iface to --peer (needs root).
    Link,
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
    /// Tap/tun target: the stack under test, run as `sh -c CMD` in the target's namespace
    /// (README: "Testing your own stack").
    #[arg(long, value_name = "CMD", help_heading = "Target")]
    pub exec: Option<String>,
    /// Tap/tun target: restart the --exec stack before every case (for stacks that keep state).
    #[arg(long, help_heading = "Target")]
    pub restart_per_case: bool,
    /// Tap/tun target: the stack's name in reports, waiver files and profiles (e.g. lwip).
    #[arg(long, value_name = "NAME", help_heading = "Target")]
    pub name: Option<String>,
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
    #[command(flatten)]
    pub link: super::link::LinkArgs,

    /// Oracle profile: rfc9293 (strict), rfc793, linux, smoltcp. Default: the target's own.
    #[arg(long, env = "SYNACK_PROFILE", value_parser = profile_names(), help_heading = "Judging")]
    pub profile: Option<String>,
    /// Ignore `>` and `state` lines: judge every segment by the RFC oracle alone.
    #[arg(long, help_heading = "Judging")]
    pub oracle_only: bool,
    /// Testing synack itself: make the target misbehave (flip-ack, drop-rst, rst-for-rst,
    /// data-past-window, data-after-fin) and watch the oracle catch it.
    #[arg(long, value_name = "FAULT", value_parser = fault_names(), ignore_case = true, help_heading = "Judging")]
    pub fault: Option<String>,
    /// An unsupported case fails the run (exit 1), for suites that must run whole.
    #[arg(long, help_heading = "Judging")]
    pub fail_on_unsupported: bool,
    /// Waiver file (case-id  reason per line; a line naming no case fails the run).
    /// Default: <cases>/waivers/<target>.txt.
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
    /// Let scripts run what they contain: back-quoted shell commands (as root, in the
    /// lab's namespace) and `%{ }%` Python blocks. Without it such a case is unsupported.
    #[arg(
        long,
        env = "SYNACK_ALLOW_COMMANDS",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue,
        help_heading = "Scripts"
    )]
    pub allow_commands: bool,
    /// TCP segmentation offload on the lab's TUN device for every case: the kernel sends
    /// GSO super-segments as packetdrill's device gets them (default: on for scripts in
    /// packetdrill form, i.e. without `//!` metadata; off for synack's own cases).
    #[arg(long, conflicts_with = "no_tso", help_heading = "Scripts")]
    pub tso: bool,
    /// No segmentation offload for any case: every segment is MSS-sized.
    #[arg(long, help_heading = "Scripts")]
    pub no_tso: bool,
    /// packetdrill's --local_ip: the target's address for scripts in packetdrill form that
    /// name none (lab: in a namespace of the case's own with no route out).
    #[arg(long, value_name = "IP", help_heading = "Scripts")]
    pub local_ip: Option<std::net::IpAddr>,
    /// packetdrill's --remote_ip: the harness's address for those scripts.
    #[arg(long, value_name = "IP", help_heading = "Scripts")]
    pub remote_ip: Option<std::net::IpAddr>,
    /// packetdrill's --mtu: the lab's TUN device MTU for scripts in packetdrill form that set
    /// none (packetdrill's IPv6 runs pass 1520).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u32).range(576..=65535), help_heading = "Scripts")]
    pub mtu: Option<u32>,
    /// packetdrill's symbol: replace the word SYM with VAL in every script (repeatable).
    #[arg(
        short = 'D',
        long = "define",
        value_name = "SYM=VAL",
        help_heading = "Scripts"
    )]
    pub defines: Vec<String>,
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
    /// Tap/tun: the stack to measure, as in `synack run --exec`.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Tap/tun: the stack's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub link: super::link::LinkArgs,
}

#[derive(Args, Debug)]
pub struct JudgeArgs {
    /// A pcap or pcapng file (Ethernet, raw IP or Linux cooked capture).
    pub capture: PathBuf,
    /// The stack under test (default: the side that received the first SYN; without one,
    /// the listening side: the port that stays, else the well-known, else the lower port).
    #[arg(long, value_name = "IP")]
    pub target_addr: Option<std::net::IpAddr>,
    /// The target's application neither aborted nor closed: a RST sent right after the
    /// peer's RST answers it (a failure), not an abort that crossed it (a warning).
    #[arg(long)]
    pub app_idle: bool,
    /// Oracle profile: rfc9293 (strict), rfc793, linux, smoltcp.
    #[arg(long, default_value = "rfc9293", env = "SYNACK_PROFILE", value_parser = profile_names())]
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
