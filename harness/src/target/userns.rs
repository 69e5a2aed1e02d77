//! The kernel targets (lab, tap, tun) without root: a user namespace of
//! synack's own.
//!
//! A process that lacks CAP_SYS_ADMIN or CAP_NET_ADMIN cannot create the
//! lab's network namespace and TUN device. Where the kernel lets ordinary
//! users create user namespaces, [`enter_if_unprivileged`] moves synack
//! into one at start-up (before any thread: `unshare(CLONE_NEWUSER)` is
//! refused in a multi-threaded process), with the caller's uid mapped to 0.
//! Every namespace the lab creates afterwards (network, mount for a script's
//! commands, PID for `--serve`) is owned by that user namespace, so synack
//! holds CAP_NET_ADMIN over it and the lab starts as it does for root: the
//! TUN device, addresses, routes and the lab's sysctls all live inside.
//! Nothing of the host changes and no capability over it is gained.
//!
//! With both capabilities (root) nothing happens: the lab runs as before.
//! Where neither works, the lab's privilege error carries [`note`]: which
//! setting blocks user namespaces (`kernel.apparmor_restrict_unprivileged_userns`,
//! `user.max_user_namespaces`, `kernel.unprivileged_userns_clone`), what a
//! container lacks, or that `/dev/net/tun` is closed to ordinary users, and
//! what to do about it.

use crate::target::sys::userns as sys;
use std::sync::OnceLock;

/// What start-up did about privilege.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// CAP_SYS_ADMIN and CAP_NET_ADMIN held (root): nothing to do.
    Privileged,
    /// Now in a user namespace of synack's own, uid 0 inside.
    Entered,
    /// Neither: the OS error of the attempt.
    Failed(String),
}

static OUTCOME: OnceLock<Outcome> = OnceLock::new();

/// Enters a user namespace unless the process already holds CAP_SYS_ADMIN
/// and CAP_NET_ADMIN; call before any thread starts. Idempotent: the first
/// call decides, later ones return its outcome.
pub fn enter_if_unprivileged() -> &'static Outcome {
    OUTCOME.get_or_init(|| {
        let need = (1u64 << sys::CAP_SYS_ADMIN) | (1u64 << sys::CAP_NET_ADMIN);
        if sys::effective_caps().is_ok_and(|caps| caps & need == need) {
            return Outcome::Privileged;
        }
        if let Ok(n) = sys::thread_count() {
            if n > 1 {
                return Outcome::Failed(format!(
                    "unshare(CLONE_NEWUSER) needs a single-threaded process and this one has {n} threads"
                ));
            }
        }
        match sys::enter() {
            Ok(()) => Outcome::Entered,
            Err(e) => Outcome::Failed(format!("unshare(CLONE_NEWUSER): {e}")),
        }
    })
}

/// What start-up did, if it was asked to (`None`: the process never tried,
/// e.g. the library used from a test).
pub fn outcome() -> Option<&'static Outcome> {
    OUTCOME.get()
}

/// The host's settings that decide whether user namespaces work here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `kernel.apparmor_restrict_unprivileged_userns` (Ubuntu 23.10 on).
    pub apparmor_restrict: Option<u64>,
    /// `user.max_user_namespaces`.
    pub max_user_namespaces: Option<u64>,
    /// `kernel.unprivileged_userns_clone` (Debian's older kernels).
    pub unprivileged_userns_clone: Option<u64>,
    /// Why this looks like a container (`/.dockerenv`, …), if it does.
    pub container: Option<String>,
    /// `/dev/net/tun`'s permission bits (`None`: missing).
    pub tun_mode: Option<u32>,
    /// Whether this process is root on the host (euid 0 before start-up).
    pub root: bool,
}

impl Settings {
    /// Reads them from `/proc/sys`, `/dev` and the container markers.
    pub fn read() -> Settings {
        use std::os::unix::fs::PermissionsExt;
        let num = |p: &str| {
            std::fs::read_to_string(format!("/proc/sys/{p}"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
        };
        let container = ["/.dockerenv", "/run/.containerenv"]
            .iter()
            .find(|p| std::path::Path::new(p).exists())
            .map(|p| format!("{p} exists"))
            .or_else(|| {
                let env = std::fs::read("/proc/1/environ").ok()?;
                env.split(|b| *b == 0)
                    .find_map(|kv| kv.strip_prefix(b"container="))
                    .map(|v| format!("container={}", String::from_utf8_lossy(v)))
            });
        Settings {
            apparmor_restrict: num("kernel/apparmor_restrict_unprivileged_userns"),
            max_user_namespaces: num("user/max_user_namespaces"),
            unprivileged_userns_clone: num("kernel/unprivileged_userns_clone"),
            container,
            tun_mode: std::fs::metadata("/dev/net/tun")
                .ok()
                .map(|m| m.permissions().mode() & 0o777),
            root: matches!(outcome(), Some(Outcome::Privileged)) || is_root_outside(),
        }
    }
}

fn is_root_outside() -> bool {
    // uid 0 inside our own namespace maps to the caller, so ask the map.
    std::fs::read_to_string("/proc/self/uid_map").is_ok_and(|m| {
        m.split_whitespace().nth(1) == Some("0") && m.split_whitespace().next() == Some("0")
    })
}

/// What to add to a privilege error of a kernel target, from start-up's
/// outcome and the host's settings (empty when there is nothing to add).
pub fn note() -> String {
    match outcome() {
        None | Some(Outcome::Privileged) => String::new(),
        Some(o) => explain(o, &Settings::read()),
    }
}

/// The explanation for `outcome` under `s` (pure, for the tests).
pub fn explain(outcome: &Outcome, s: &Settings) -> String {
    let mut why = Vec::new();
    if s.apparmor_restrict.is_some_and(|v| v != 0) {
        why.push(
            "kernel.apparmor_restrict_unprivileged_userns = 1 denies capabilities in the user \
             namespaces of unconfined programs: allow it once with `sudo sysctl -w \
             kernel.apparmor_restrict_unprivileged_userns=0`, or give synack an AppArmor profile \
             with `userns,` (README, \"The lab without root\")"
                .to_string(),
        );
    }
    if s.max_user_namespaces == Some(0) {
        why.push(
            "user.max_user_namespaces = 0 forbids user namespaces: `sudo sysctl -w \
             user.max_user_namespaces=10000`"
                .to_string(),
        );
    }
    if s.unprivileged_userns_clone == Some(0) {
        why.push(
            "kernel.unprivileged_userns_clone = 0 keeps user namespaces to root: `sudo sysctl -w \
             kernel.unprivileged_userns_clone=1`"
                .to_string(),
        );
    }
    // In a container, what the engine withholds decides whether unshare
    // works at all; once inside, the container is no longer the question.
    if let (Some(c), Outcome::Failed(_)) = (&s.container, outcome) {
        why.push(format!(
            "this looks like a container ({c}): it needs CAP_SYS_ADMIN and CAP_NET_ADMIN, \
             /dev/net/tun and a writable /proc/sys (`--cap-add SYS_ADMIN --cap-add NET_ADMIN \
             --device /dev/net/tun --security-opt systempaths=unconfined`), or, as an ordinary \
             user, a seccomp profile that allows unshare(CLONE_NEWUSER) and the device"
        ));
    }
    match s.tun_mode {
        None => why.push(
            "/dev/net/tun is missing: `sudo modprobe tun` (in a container: `--device /dev/net/tun`)"
                .to_string(),
        ),
        Some(mode) if !s.root && mode & 0o006 != 0o006 => why.push(format!(
            "/dev/net/tun is mode {mode:04o}, closed to ordinary users (distributions ship it \
             0666): `sudo chmod 0666 /dev/net/tun`"
        )),
        Some(_) => {}
    }
    let head = match outcome {
        Outcome::Privileged => return String::new(),
        Outcome::Entered => {
            "synack runs in a user namespace of its own without root, but was refused there"
                .to_string()
        }
        Outcome::Failed(e) => {
            format!("synack could not enter a user namespace of its own to run without root ({e})")
        }
    };
    if why.is_empty() {
        format!("; {head}: run as root")
    } else {
        format!("; {head}: {}; or run as root", why.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock() -> Settings {
        Settings {
            tun_mode: Some(0o666),
            ..Settings::default()
        }
    }

    #[test]
    fn root_adds_nothing() {
        assert_eq!(explain(&Outcome::Privileged, &stock()), "");
    }

    #[test]
    fn names_each_blocking_setting() {
        let failed = Outcome::Failed("unshare(CLONE_NEWUSER): Operation not permitted".into());
        let s = Settings {
            apparmor_restrict: Some(1),
            ..stock()
        };
        let m = explain(&Outcome::Entered, &s);
        assert!(m.starts_with("; synack runs in a user namespace of its own without root, but was refused there: kernel.apparmor_restrict_unprivileged_userns = 1"), "{m}");
        assert!(m.ends_with("; or run as root"), "{m}");
        let s = Settings {
            max_user_namespaces: Some(0),
            ..stock()
        };
        let m = explain(&failed, &s);
        assert!(
            m.contains("(unshare(CLONE_NEWUSER): Operation not permitted)"),
            "{m}"
        );
        assert!(m.contains("user.max_user_namespaces = 0"), "{m}");
        assert!(
            m.contains("sysctl -w user.max_user_namespaces=10000"),
            "{m}"
        );
        let s = Settings {
            unprivileged_userns_clone: Some(0),
            ..stock()
        };
        assert!(explain(&failed, &s).contains("kernel.unprivileged_userns_clone=1"));
        assert_eq!(
            explain(&failed, &stock()),
            "; synack could not enter a user namespace of its own to run without root \
             (unshare(CLONE_NEWUSER): Operation not permitted): run as root"
        );
    }

    #[test]
    fn names_what_a_container_lacks() {
        let s = Settings {
            container: Some("/.dockerenv exists".into()),
            ..stock()
        };
        let m = explain(&Outcome::Failed("x".into()), &s);
        assert!(!explain(&Outcome::Entered, &s).contains("container"));
        assert!(
            m.contains("this looks like a container (/.dockerenv exists)"),
            "{m}"
        );
        assert!(m.contains("CAP_SYS_ADMIN and CAP_NET_ADMIN"), "{m}");
        assert!(m.contains("a writable /proc/sys"), "{m}");
    }

    #[test]
    fn names_a_closed_tun_device() {
        let s = Settings {
            tun_mode: Some(0o600),
            ..stock()
        };
        let m = explain(&Outcome::Entered, &s);
        assert!(m.contains("/dev/net/tun is mode 0600"), "{m}");
        assert!(m.contains("sudo chmod 0666 /dev/net/tun"), "{m}");
        let root = Settings { root: true, ..s };
        assert_eq!(
            explain(&Outcome::Entered, &root),
            "; synack runs in a user namespace of its own without root, but was refused there: run as root"
        );
        let gone = Settings {
            tun_mode: None,
            ..stock()
        };
        assert!(explain(&Outcome::Entered, &gone).contains("sudo modprobe tun"));
    }

    #[test]
    fn reads_this_host() {
        // Whatever the host, reading must not fail or panic.
        let s = Settings::read();
        assert!(s.tun_mode.is_none_or(|m| m <= 0o777));
    }
}
