//! Every kernel setting the lab relies on, written inside its namespace at
//! start-up, so that what the cases see does not depend on the host.
//!
//! A new network namespace does not start from the kernel's defaults for
//! everything: it copies the IPv4 device settings (`net.ipv4.conf.all.*`,
//! `net.ipv4.conf.default.*`, among them `ip_forward`), `tcp_rmem`,
//! `tcp_wmem` and the congestion control from the host's *initial*
//! namespace (not from its parent), and with
//! `net.core.devconf_inherit_init_net=1` the IPv6 device settings too. A
//! Docker host has `ip_forward=1`; a tuned server has other buffer sizes
//! (and so another window scale). The rest are per-namespace values with
//! compiled-in defaults, written anyway so that a kernel with other
//! defaults shows up as a write, not as a changed verdict.
//!
//! What a namespace cannot fully own: `net.core.rmem_max` is global (Linux
//! picks its window-scale shift from the larger of it and `tcp_rmem`'s
//! maximum), so a host with `rmem_max` above 6 MiB still advertises a
//! larger shift; and a namespace may only pick a congestion control the
//! host lists in `tcp_allowed_congestion_control`: the lab asks for
//! [`CONGESTION_CONTROL`] when it is listed, and keeps the host's otherwise.

use super::ns::os_error;
use crate::target::TargetError;

/// A setting: its path under `/proc/sys`, its value, and whether a kernel
/// may lack it (then it is skipped; a required one that is missing is an
/// error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sysctl {
    /// The path under `/proc/sys`.
    pub name: &'static str,
    /// The value written to it.
    pub value: &'static str,
    /// A kernel may lack it: skipped when missing, not an error.
    pub optional: bool,
}

const fn req(name: &'static str, value: &'static str) -> Sysctl {
    Sysctl {
        name,
        value,
        optional: false,
    }
}

const fn opt(name: &'static str, value: &'static str) -> Sysctl {
    Sysctl {
        name,
        value,
        optional: true,
    }
}

/// The IPv4 settings, in the order they are written (`ip_forward` first:
/// writing it resets every interface's `forwarding`).
pub const IPV4: &[Sysctl] = &[
    // An end host, not a router (inherited from the host).
    req("net/ipv4/ip_forward", "0"),
    req("net/ipv4/conf/all/forwarding", "0"),
    req("net/ipv4/conf/default/forwarding", "0"),
    // No reverse-path filter: the harness ranges are routed through the
    // TUN device, but a strict filter inherited from the host must not
    // decide what the kernel accepts.
    req("net/ipv4/conf/all/rp_filter", "0"),
    req("net/ipv4/conf/default/rp_filter", "0"),
    req("net/ipv4/conf/all/accept_redirects", "0"),
    req("net/ipv4/conf/default/accept_redirects", "0"),
    req("net/ipv4/conf/all/send_redirects", "0"),
    req("net/ipv4/conf/default/send_redirects", "0"),
    req("net/ipv4/conf/all/accept_source_route", "0"),
    req("net/ipv4/conf/default/accept_source_route", "0"),
    // Buffers (inherited): the kernel defaults on a machine with enough
    // memory. The receive maximum sets the window-scale shift (7).
    req("net/ipv4/tcp_rmem", "4096 131072 6291456"),
    req("net/ipv4/tcp_wmem", "4096 16384 4194304"),
    // TCP behaviour the cases see (per namespace; the kernel's defaults).
    req("net/ipv4/tcp_timestamps", "1"),
    req("net/ipv4/tcp_sack", "1"),
    req("net/ipv4/tcp_dsack", "1"),
    req("net/ipv4/tcp_window_scaling", "1"),
    req("net/ipv4/tcp_ecn", "2"),
    req("net/ipv4/tcp_syncookies", "1"),
    req("net/ipv4/tcp_fastopen", "1"),
    req("net/ipv4/tcp_fin_timeout", "60"),
    req("net/ipv4/tcp_synack_retries", "5"),
    req("net/ipv4/tcp_rfc1337", "0"),
    req("net/ipv4/tcp_mtu_probing", "0"),
    req("net/ipv4/tcp_no_metrics_save", "0"),
    req("net/ipv4/tcp_autocorking", "1"),
    req("net/ipv4/ip_default_ttl", "64"),
    opt("net/ipv4/tcp_rto_min_us", "200000"),
];

/// The IPv6 settings, for `all` and `default` (new devices, the TUN device
/// among them, copy `default`): no forwarding, no router solicitations or
/// advertisements, no duplicate address detection, so the kernel sends
/// nothing unasked and the target's address takes traffic at once.
pub const IPV6: &[Sysctl] = &[
    req("net/ipv6/conf/all/forwarding", "0"),
    req("net/ipv6/conf/default/forwarding", "0"),
    req("net/ipv6/conf/all/accept_ra", "0"),
    req("net/ipv6/conf/default/accept_ra", "0"),
    req("net/ipv6/conf/all/router_solicitations", "0"),
    req("net/ipv6/conf/default/router_solicitations", "0"),
    req("net/ipv6/conf/all/dad_transmits", "0"),
    req("net/ipv6/conf/default/dad_transmits", "0"),
    req("net/ipv6/conf/all/accept_dad", "0"),
    req("net/ipv6/conf/default/accept_dad", "0"),
    req("net/ipv6/conf/all/accept_redirects", "0"),
    req("net/ipv6/conf/default/accept_redirects", "0"),
    req("net/ipv6/conf/default/hop_limit", "64"),
    // No link-local address on new links: no MLD reports for it either.
    opt("net/ipv6/conf/default/addr_gen_mode", "1"),
];

/// Linux's default congestion control, not the host's pick (BBR paces its
/// segments, which moves them in time).
pub const CONGESTION_CONTROL: &str = "cubic";

/// Whether the host lets a namespace pick [`CONGESTION_CONTROL`].
pub fn congestion_control_allowed() -> bool {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_allowed_congestion_control")
        .is_ok_and(|s| s.split_whitespace().any(|c| c == CONGESTION_CONTROL))
}

fn write(s: &Sysctl) -> Result<(), TargetError> {
    let path = format!("/proc/sys/{}", s.name);
    match std::fs::write(&path, s.value) {
        Ok(()) => Ok(()),
        Err(e) if s.optional && e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(os_error(&format!("write {} to {path}", s.value), e)),
    }
}

/// Writes every setting; runs on the namespace thread (`/proc/sys/net` is
/// resolved for the thread that opens it, so nothing reaches the host).
pub fn apply(ipv6: bool) -> Result<(), TargetError> {
    IPV4.iter().try_for_each(write)?;
    if congestion_control_allowed() {
        write(&req("net/ipv4/tcp_congestion_control", CONGESTION_CONTROL))?;
    }
    if ipv6 {
        IPV6.iter().try_for_each(write)?;
    }
    Ok(())
}
