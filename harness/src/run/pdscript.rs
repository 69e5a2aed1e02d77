//! What of packetdrill's grammar beyond packets and syscalls a run can
//! honour: back-quoted commands and `%{ }%` blocks (only with
//! `--allow-commands`), `icmp` / `udp` lines, `--name=value` options.

use crate::script::LineKind;

/// Why a line of this kind cannot run (the runner never reaches one: the
/// case is reported *unsupported* before it starts).
pub fn line_unsupported(kind: &LineKind) -> String {
    match kind {
        LineKind::Command(_) => "back-quoted commands do not run in this version".into(),
        LineKind::Code(_) => "`%{ }%` blocks do not run in this version".into(),
        LineKind::Datagram(_) => {
            "icmp and udp packet lines are not injected or matched in this version".into()
        }
        _ => "this line cannot run".into(),
    }
}
