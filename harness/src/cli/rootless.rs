//! Which commands reach the local kernel through the lab, tap or tun target,
//! and so enter a user namespace of their own when run without root
//! ([`crate::target::userns`]). The link target is left out: it needs the
//! host's own interface, which a user namespace cannot reach.

use super::args::{Cli, Command, ReportCommand, TargetKind};

fn kernel(targets: &[TargetKind]) -> bool {
    targets
        .iter()
        .any(|t| matches!(t, TargetKind::Lab | TargetKind::Tap | TargetKind::Tun))
        && !targets.contains(&TargetKind::Link)
}

/// Whether `cli` may start a lab, tap or tun target.
pub fn needs_kernel(cli: &Cli) -> bool {
    match &cli.command {
        Command::Run(a) => kernel(&[a.target]),
        Command::Bench(a) => kernel(&[a.target]),
        Command::Diff(a) => kernel(&a.targets),
        Command::Fuzz(a) => kernel(&[a.target]),
        Command::Report(ReportCommand::Matrix { .. }) => true,
        _ => false,
    }
}

/// Enters a user namespace when `cli` needs the kernel and the process is
/// not privileged. Runs before any thread exists; a failure is not an error
/// here: the target says what blocked it when it cannot start.
pub fn prepare(cli: &Cli) {
    if needs_kernel(cli) {
        crate::target::userns::enter_if_unprivileged();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn needs(args: &[&str]) -> bool {
        needs_kernel(&Cli::try_parse_from(args).expect("parses"))
    }

    #[test]
    fn only_kernel_targets_enter() {
        assert!(needs(&["synack", "run", "--target", "lab"]));
        assert!(needs(&["synack", "run", "--target", "tun", "--exec", "x"]));
        assert!(needs(&["synack", "bench", "--target", "lab"]));
        assert!(needs(&["synack", "diff", "--targets", "embedded,lab"]));
        assert!(!needs(&["synack", "run"]));
        assert!(!needs(&["synack", "list"]));
        assert!(!needs(&["synack", "diff", "--targets", "lab,link"]));
    }
}
