//! The flags that say where a tap/tun stack or a link peer is, for the
//! commands that take targets by kind (`synack fuzz`, `diff`, `repro`), as
//! `synack run` takes them.

use super::args::TargetKind;
use super::link::LinkArgs;
use super::CliError;
use crate::target::{IpFamily, Target};

/// `--exec`/`--name` for tap and tun, and the link target's flags.
#[derive(clap::Args, Debug, Default)]
pub struct TargetFlags {
    /// Tap/tun target: the stack under test, run as `sh -c CMD` in the target's namespace
    /// (as `synack run --exec`).
    #[arg(
        long,
        value_name = "CMD",
        env = "SYNACK_EXEC",
        help_heading = "Tap/tun target"
    )]
    pub exec: Option<String>,
    /// Tap/tun target: the stack's name (its waiver file and profile), e.g. lwip.
    #[arg(
        long,
        value_name = "NAME",
        env = "SYNACK_NAME",
        help_heading = "Tap/tun target"
    )]
    pub name: Option<String>,
    #[command(flatten)]
    pub link: LinkArgs,
}

impl TargetFlags {
    /// Flags for none of `kinds` are usage errors (exit 2).
    pub fn check(&self, kinds: &[TargetKind]) -> Result<(), CliError> {
        let tap = kinds
            .iter()
            .any(|k| matches!(k, TargetKind::Tap | TargetKind::Tun));
        if self.exec.is_some() && !tap {
            return Err(CliError::usage(
                "--exec starts your stack on a TAP or TUN device: use it with --target tap or tun",
            ));
        }
        if self.link.any() && !kinds.contains(&TargetKind::Link) {
            return Err(CliError::usage(
                "--iface, --peer, --source and --agent are for --target link",
            ));
        }
        Ok(())
    }

    /// Starts the tap, tun or link target these flags describe: one without
    /// what it needs is a usage error (exit 2), one that cannot start an
    /// infrastructure error (exit 3). `None` for the other kinds.
    pub fn start(&self, kind: TargetKind) -> Option<Result<Box<dyn Target>, CliError>> {
        Some(match kind {
            TargetKind::Tap | TargetKind::Tun => super::tap_cmds::start(
                kind,
                self.exec.as_deref(),
                self.name.clone().filter(|n| !n.is_empty()),
                false,
                IpFamily::V4,
                1,
                false,
            ),
            TargetKind::Link => super::link::make_target(&self.link),
            TargetKind::Embedded | TargetKind::Lab => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_for_a_target_not_asked_for_are_usage_errors() {
        let exec = TargetFlags {
            exec: Some("stack".into()),
            ..TargetFlags::default()
        };
        assert_eq!(exec.check(&[TargetKind::Lab]).unwrap_err().code, 2);
        assert!(exec.check(&[TargetKind::Lab, TargetKind::Tap]).is_ok());
        let mut link = TargetFlags::default();
        link.link.iface = Some("lk0".into());
        let e = link.check(&[TargetKind::Embedded]).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("--target link"), "{}", e.message);
        assert!(link.check(&[TargetKind::Lab, TargetKind::Link]).is_ok());
        assert!(TargetFlags::default().start(TargetKind::Lab).is_none());
    }

    #[test]
    fn link_without_iface_and_peer_is_a_usage_error() {
        match TargetFlags::default().start(TargetKind::Link) {
            Some(Err(e)) => assert_eq!(e.code, 2, "{}", e.message),
            _ => panic!("link started without --iface and --peer"),
        }
    }
}
