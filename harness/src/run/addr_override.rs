//! `<` lines sent from or to another address (`[src ADDR]`, `[dst ADDR]`,
//! catalogue row T15): before the segment goes, the session must take the
//! target's packets on the overridden tuple as its own, so a reply the
//! target should not send (a SYN-ACK to a multicast source) is seen and
//! judged, never dropped unseen by the lab's demultiplexer. A target that
//! cannot (one on a shared network: `link`) makes the case unsupported.

use super::*;
use std::net::SocketAddr;

impl CaseRun<'_> {
    /// Readies the session for `p`'s overridden addresses, if it has any.
    pub(super) fn take_override(&mut self, p: &PacketLine, line: u32) -> Result<(), Stop> {
        let Some(ip) = p.ip.as_ref().filter(|i| i.src.is_some() || i.dst.is_some()) else {
            return Ok(());
        };
        let info = self.inject_info();
        let path = self.case.path.display();
        if let Some(a) = super::super::ipinfo::family_mismatch(ip, info.target.is_ipv4()) {
            let (has, want) = if a.is_ipv4() {
                ("IPv4", "ipv4")
            } else {
                ("IPv6", "ipv6")
            };
            return Err(Stop::Error(format!(
                "{path}:{line}: `{a}` is an {has} address but the case runs over the other \
                 family: give the case `--ip_version={want}`"
            )));
        }
        let harness = SocketAddr::new(ip.src.unwrap_or(info.harness.ip()), info.harness.port());
        // The reply comes from the address the segment went to, or (a stack
        // that answers from its own) from the target's.
        let mut targets = vec![info.target];
        if let Some(d) = ip.dst {
            targets.push(SocketAddr::new(d, info.target.port()));
        }
        for target in targets {
            if !self.session.take_tuple(target, harness) {
                return Err(Stop::Unsupported(format!(
                    "{path}:{line}: this target cannot take replies on {target} -> {harness}: \
                     `[src …]`/`[dst …]` run only on targets with a network of their own \
                     (embedded, lab)"
                )));
            }
        }
        Ok(())
    }
}
