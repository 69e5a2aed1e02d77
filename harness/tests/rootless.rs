//! The lab target without root: the `synack` binary, run as an ordinary
//! user, enters a user namespace of its own and gives the verdicts root
//! gets, commands and `--serve` included (issue #18).
//!
//! As root (CI), the test makes the ordinary user itself: a copy of the
//! binary and the cases in a world-readable directory, run as uid 65534
//! (`setpriv`) with no capability. Where `/dev/net/tun` is closed to other
//! users (a VM's devtmpfs makes it 0600; distributions ship it 0666), that
//! run gets a private mount namespace whose `/dev/net/tun` is 0666, so the
//! host's device node is untouched. Run by an ordinary user, the test runs
//! the binary as it is. Where user namespaces are not allowed it skips with
//! the reason, unless `SYNACK_REQUIRE_LAB=1`, which turns the skip into a
//! failure.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_synack");
/// The ordinary user root runs the binary as (`nobody` on Debian).
const USER: &str = "65534";

fn require() -> bool {
    std::env::var("SYNACK_REQUIRE_LAB").as_deref() == Ok("1")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

/// Skips (or, under SYNACK_REQUIRE_LAB=1, fails) with `why`.
fn skip(why: &str) {
    assert!(!require(), "SYNACK_REQUIRE_LAB=1 but: {why}");
    println!("skipping: {why}");
}

/// A directory everyone can read, holding the binary, `cases/core`, the
/// waivers and a case that runs an init command in its own namespace.
struct Work {
    dir: PathBuf,
}

impl Work {
    fn new(tag: &str) -> Work {
        let dir =
            std::env::temp_dir().join(format!("synack-rootless-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cases = dir.join("cases");
        std::fs::create_dir_all(cases.join("commands")).expect("mkdir");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
        let st = Command::new("cp")
            .args(["-r"])
            .arg(repo.join("core"))
            .arg(&cases)
            .status()
            .expect("cp");
        assert!(st.success(), "copy cases/core");
        std::fs::write(cases.join("commands/sack-off.pkt"), SACK_OFF).expect("write a case");
        std::fs::copy(BIN, dir.join("synack")).expect("copy the binary");
        for d in [&dir, &cases] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        Work { dir }
    }

    /// `synack ARGS` in the work directory, as root (`as_user` false) or
    /// as the ordinary user.
    fn run(&self, as_user: bool, args: &[&str]) -> Output {
        let bin = self.dir.join("synack");
        let mut cmd = if as_user && is_root() {
            let tun_closed = std::fs::metadata("/dev/net/tun")
                .is_ok_and(|m| m.permissions().mode() & 0o006 != 0o006);
            let open_tun = if tun_closed {
                "mount -t tmpfs -o mode=0755 tmpfs /dev/net && mknod -m 0666 /dev/net/tun c 10 200 && "
            } else {
                ""
            };
            let mut c = Command::new("unshare");
            c.args(["-m", "--propagation", "private", "sh", "-c"])
                .arg(format!(
                    "{open_tun}exec setpriv --reuid={USER} --regid={USER} --clear-groups \
                     --inh-caps=-all --bounding-set=-all \"$@\""
                ))
                .arg("sh")
                .arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        cmd.args(args)
            .current_dir(&self.dir)
            .env_remove("SYNACK_TARGET");
        cmd.output().expect("run synack")
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const SACK_OFF: &str = "\
// An init command in the case's own namespace: sysctls there are the lab's.
`sysctl -q net.ipv4.tcp_sack=0`
0     < S 0:0(0) win 65535 <mss 1460,sackOK>
+0    > S. 0:0(0) ack 1 <mss 1460>
+0.01 < R 1:1(0) win 0
";

/// Each case's verdict line (`PASS        core/b01-handshake`), sorted, and
/// the summary line.
fn verdicts(o: &Output) -> (Vec<String>, String) {
    let text = String::from_utf8_lossy(&o.stdout);
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .filter_map(|l| l.split("  (").next().map(|v| v.trim_end().to_string()))
        .filter(|l| l.contains('/'))
        .collect();
    lines.sort();
    let summary = text
        .lines()
        .find(|l| l.contains(" passed, "))
        .unwrap_or("")
        .to_string();
    (lines, summary)
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn tools_or_skip() -> bool {
    if !is_root() {
        return true;
    }
    for tool in ["unshare", "setpriv"] {
        let found = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            skip(&format!(
                "`{tool}` (util-linux) is missing: it makes the ordinary user"
            ));
            return false;
        }
    }
    true
}

#[test]
fn an_ordinary_user_gets_the_verdicts_root_gets() {
    if !tools_or_skip() {
        return;
    }
    let work = Work::new("suite");
    let args = [
        "run",
        "--target",
        "lab",
        "--jobs",
        "2",
        "--allow-commands",
        "cases",
    ];
    let user = work.run(true, &args);
    if user.status.code() == Some(3)
        && String::from_utf8_lossy(&user.stderr).contains("insufficient privilege")
    {
        skip(&format!(
            "the lab does not start without root here: {}",
            String::from_utf8_lossy(&user.stderr).trim()
        ));
        return;
    }
    assert_eq!(
        user.status.code(),
        Some(0),
        "as an ordinary user: {}",
        show(&user)
    );
    let (cases, summary) = verdicts(&user);
    assert_eq!(cases.len(), 11, "every case ran: {}", show(&user));
    assert!(
        summary.starts_with("11 passed, 0 failed"),
        "{}",
        show(&user)
    );
    if is_root() {
        let root = work.run(false, &args);
        assert_eq!(root.status.code(), Some(0), "as root: {}", show(&root));
        assert_eq!(
            verdicts(&root),
            (cases, summary),
            "root and the ordinary user differ"
        );
    }
}

#[test]
fn serve_runs_as_an_ordinary_user() {
    if !tools_or_skip() {
        return;
    }
    let work = Work::new("serve");
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        skip("python3 is missing: the --serve test runs its http.server");
        return;
    }
    let o = work.run(
        true,
        &[
            "run",
            "--target",
            "lab",
            "--tags",
            "http",
            "--serve",
            "exec python3 -m http.server 8000 --bind 192.0.2.1",
            "--serve-port",
            "8000",
            "cases/core",
        ],
    );
    if o.status.code() == Some(3)
        && String::from_utf8_lossy(&o.stderr).contains("insufficient privilege")
    {
        skip(&format!(
            "the lab does not start without root here: {}",
            show(&o)
        ));
        return;
    }
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(
        verdicts(&o).1.starts_with("1 passed, 0 failed"),
        "{}",
        show(&o)
    );
}

/// Where user namespaces are forbidden, exit 3 names the setting. Made
/// here without touching the host: inside a user namespace whose
/// `user.max_user_namespaces` is 0, synack runs with no capability and
/// cannot make one of its own.
#[test]
fn a_forbidden_user_namespace_is_named_with_what_to_do() {
    if !tools_or_skip() {
        return;
    }
    let o = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c"])
        .arg(
            "echo 0 > /proc/sys/user/max_user_namespaces && \
             exec setpriv --inh-caps=-all --bounding-set=-all \"$@\"",
        )
        .args(["sh", BIN, "run", "--target", "lab", "cases/core"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("run unshare");
    let err = String::from_utf8_lossy(&o.stderr);
    if err.contains("unshare failed") || err.starts_with("unshare:") {
        skip(&format!(
            "this machine forbids user namespaces to the test itself: {err}"
        ));
        return;
    }
    assert_eq!(o.status.code(), Some(3), "{}", show(&o));
    for want in [
        "insufficient privilege:",
        "could not enter a user namespace of its own",
        "user.max_user_namespaces = 0",
        "sudo sysctl -w user.max_user_namespaces=10000",
    ] {
        assert!(err.contains(want), "{want:?} missing: {}", show(&o));
    }
}
