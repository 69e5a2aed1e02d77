//! The link target against the Linux kernel in a second network namespace,
//! joined to the harness's namespace by a veth pair (.ci/link-net): from
//! synack's point of view, a remote host. The built-in services there come
//! from `synack agent`, reached over a second veth pair.
//!
//! Each test builds its own pair of anonymous namespaces (held by `sleep`
//! processes the test kills; nothing is created in the test's own
//! namespace) and runs the `synack` binary in them with `nsenter`. Without
//! root they skip, unless `SYNACK_REQUIRE_LAB=1`, which makes them fail.

mod common;

use common::{require, root, text};
use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_synack");
const TOKEN: &str = "link-test-token";
const AGENT: &str = "203.0.113.2:7070";

/// The two namespaces; killing the holders removes them and their veths.
struct Net {
    harness: u32,
    peer: u32,
    agent: Option<Child>,
}

impl Drop for Net {
    fn drop(&mut self) {
        if let Some(mut a) = self.agent.take() {
            let _ = a.kill();
            let _ = a.wait();
        }
        for pid in [self.harness, self.peer] {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// Builds the network with .ci/link-net, or `None` (skip) without root.
fn net_or_skip() -> Option<Net> {
    let can = Command::new("unshare")
        .args(["-n", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !can {
        assert!(
            !require(),
            "SYNACK_REQUIRE_LAB=1 but this user cannot create a network namespace"
        );
        println!("skipping: the link tests need root (unshare -n)");
        return None;
    }
    let script = root().join(".ci/link-net");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -e; source '{}'; LINK_HOLD=600 link_net_up; echo $LINK_H $LINK_P",
            script.display()
        ))
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    let text = String::from_utf8_lossy(&out.stdout);
    let pids: Vec<u32> = text
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    assert!(
        out.status.success() && pids.len() == 2,
        "link-net failed: {}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    Some(Net {
        harness: pids[0],
        peer: pids[1],
        agent: None,
    })
}

impl Net {
    fn in_ns(pid: u32, args: &[&str]) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("-t").arg(pid.to_string()).arg("-n").args(args);
        c
    }

    fn in_peer(&self, args: &[&str]) -> Command {
        Net::in_ns(self.peer, args)
    }

    fn in_harness(&self, args: &[&str]) -> Command {
        let mut c = Net::in_ns(self.harness, args);
        c.current_dir(root());
        c
    }

    /// Starts `synack agent` in the peer namespace and waits for it.
    fn start_agent(&mut self) {
        let child = self
            .in_peer(&[BIN, "agent", "--listen", AGENT, "--token", TOKEN])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the agent");
        self.agent = Some(child);
        self.wait_for_listener(AGENT, true);
    }

    /// Listening sockets in the peer namespace (`ss -Hltn`).
    fn peer_listeners(&self) -> String {
        let out = self
            .in_peer(&["ss", "-Hltn"])
            .output()
            .expect("ss in the peer namespace");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for_listener(&self, addr: &str, present: bool) {
        let start = Instant::now();
        while self.peer_listeners().contains(addr) != present {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "listener {addr} present={present} never came:\n{}",
                self.peer_listeners()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `synack run --target link` in the harness namespace with `args`.
    fn run(&self, args: &[&str]) -> Command {
        let mut all = vec![BIN, "run", "--target", "link", "--iface", "lk0"];
        all.extend_from_slice(args);
        let mut c = self.in_harness(&all);
        c.stdin(Stdio::null());
        c
    }
}

/// The run flags for the kernel in the peer namespace, with the agent.
const WITH_AGENT: [&str; 10] = [
    "--peer",
    "192.0.2.1,2001:db8:1::1",
    "--source",
    "192.0.2.2,2001:db8:1::2",
    "--agent",
    AGENT,
    "--agent-token",
    TOKEN,
    "--profile",
    "linux",
];

fn output_within(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    loop {
        if child.try_wait().expect("wait").is_some() {
            return (child.wait_with_output().expect("output"), start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "still running after {limit:?} (a hang):\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn core_cases_pass_over_link_against_the_kernel_with_the_agent() {
    let Some(mut net) = net_or_skip() else { return };
    net.start_agent();
    let cases = std::fs::read_dir(root().join("cases/core"))
        .expect("cases/core")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pkt"))
        })
        .count();
    for family in [&[][..], &["--ipv6"][..]] {
        let mut args = WITH_AGENT.to_vec();
        args.extend_from_slice(family);
        args.push("cases/core");
        let (out, _) = output_within(net.run(&args), Duration::from_secs(120));
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{family:?}:\n{t}");
        assert!(
            t.contains(&format!("{cases} passed, 0 failed")),
            "{family:?}: every core case passes:\n{t}"
        );
        // The agent did the application's side: the abort case needs it.
        assert!(
            t.contains("PASS        core/b06-app-abort-so-linger"),
            "{t}"
        );
    }
}

#[test]
fn sigkill_mid_run_leaves_no_process_and_the_agent_lets_go() {
    let Some(mut net) = net_or_skip() else { return };
    net.start_agent();
    let mut args = WITH_AGENT.to_vec();
    args.push("cases/timers");
    let mut child = net
        .run(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start synack");
    let pid = child.id();
    // Mid-run: the agent listens on the peer's address for it.
    net.wait_for_listener("192.0.2.1:", true);
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill -9");
    let status = child.wait().expect("reap");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    // No process of synack's is left (it starts none on the link target).
    let children: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter(|s| s.lines().any(|l| l == format!("PPid:\t{pid}")))
        .collect();
    assert!(
        children.is_empty(),
        "children of the killed run: {children:?}"
    );
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    // The agent closed what the dead harness's control connection made.
    net.wait_for_listener("192.0.2.1:", false);
    // And serves the next harness.
    let mut args = WITH_AGENT.to_vec();
    args.push("cases/core/b01-handshake.pkt");
    let (out, _) = output_within(net.run(&args), Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Runs synack with `args`, expects exit `code` within `limit` and a
/// message containing `says`.
fn expect_error(net: &Net, args: &[&str], code: i32, says: &str, limit: Duration) {
    expect_exit(net.run(args), code, says, limit);
}

/// `cmd` ends within `limit` with exit `code`, saying `says`, and no panic.
#[track_caller]
fn expect_exit(cmd: Command, code: i32, says: &str, limit: Duration) {
    let what = format!("{cmd:?}");
    let (out, took) = output_within(cmd, limit);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(code), "{what}:\n{t}");
    assert!(t.contains(says), "{what}: expected `{says}` in:\n{t}");
    assert!(!t.contains("panicked"), "{t}");
    assert!(took < limit, "{what} took {took:?}");
}

/// A fake agent in the peer namespace that reads one line and answers
/// `answer` (or nothing at all), on 203.0.113.2:7071.
fn fake_agent(net: &Net, answer: Option<&str>) -> Child {
    let send = answer.map_or(String::new(), |a| format!("c.sendall({a:?}.encode())"));
    let py = format!(
        "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n\
         s.bind(('203.0.113.2',7071))\ns.listen()\nc,_=s.accept()\nc.recv(1000)\n{send}\ntime.sleep(30)\n"
    );
    let child = net
        .in_peer(&["python3", "-c", &py])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    net.wait_for_listener("203.0.113.2:7071", true);
    child
}

#[test]
fn bad_interfaces_peers_and_agents_are_clear_errors_not_hangs() {
    let Some(mut net) = net_or_skip() else { return };
    let quick = Duration::from_secs(20);
    // No interface, no peer: usage (2).
    expect_exit(
        net.in_harness(&[BIN, "run", "--target", "link", "--peer", "192.0.2.1"]),
        2,
        "--iface IF and --peer",
        quick,
    );
    // An interface that does not exist.
    expect_exit(
        net.in_harness(&[
            BIN,
            "run",
            "--target",
            "link",
            "--iface",
            "nope0",
            "--peer",
            "192.0.2.1",
        ]),
        3,
        "no interface `nope0`",
        quick,
    );
    // A peer that never answers ARP, and one that never answers ND.
    expect_error(
        &net,
        &[
            "--peer",
            "192.0.2.99",
            "--source",
            "192.0.2.2",
            "cases/core",
        ],
        3,
        "the peer 192.0.2.99 did not answer ARP on `lk0`",
        quick,
    );
    expect_error(
        &net,
        &[
            "--peer",
            "2001:db8:1::99",
            "--source",
            "2001:db8:1::2",
            "cases/core",
        ],
        3,
        "did not answer neighbour discovery",
        quick,
    );
    // A source the local kernel owns would have it answer for the harness.
    expect_exit(
        net.in_harness(&[
            BIN,
            "run",
            "--target",
            "link",
            "--iface",
            "lk0",
            "--peer",
            "192.0.2.1",
            "--source",
            "203.0.113.1",
        ]),
        3,
        "an address of this host",
        quick,
    );
    let base = ["--peer", "192.0.2.1", "--source", "192.0.2.2"];
    // An agent that is down.
    let mut args = base.to_vec();
    args.extend([
        "--agent",
        "203.0.113.2:7999",
        "--agent-token",
        TOKEN,
        "cases/core",
    ]);
    expect_error(
        &net,
        &args,
        3,
        "cannot reach the agent at 203.0.113.2:7999",
        quick,
    );
    // An agent with another token.
    net.start_agent();
    let mut args = base.to_vec();
    args.extend(["--agent", AGENT, "--agent-token", "wrong", "cases/core"]);
    expect_error(&net, &args, 3, "refused hello: wrong token", quick);
    // An agent that answers garbage, and one that answers nothing.
    let mut args = base.to_vec();
    args.extend([
        "--agent",
        "203.0.113.2:7071",
        "--agent-token",
        TOKEN,
        "cases/core",
    ]);
    let mut fake = fake_agent(&net, Some("HTTP/1.0 400 Bad Request\n"));
    expect_error(
        &net,
        &args,
        3,
        "answered something that is not a reply",
        quick,
    );
    let _ = fake.kill();
    let _ = fake.wait();
    let mut fake = fake_agent(&net, None);
    expect_error(&net, &args, 3, "no reply within", quick);
    let _ = fake.kill();
    let _ = fake.wait();
    // Without an agent, cases needing the built-in services are
    // unsupported, never passed; the peer's own server can still be tested.
    let mut args = base.to_vec();
    args.push("cases/core/b01-handshake.pkt");
    let (out, _) = output_within(net.run(&args), quick);
    let t = text(&out);
    // Its `state` lines make it unsupported before it runs (socket state
    // also comes from an agent); the services' message is the next check.
    assert!(
        t.contains("the link target cannot report socket state"),
        "{t}"
    );
    assert!(t.contains("0 passed") && t.contains("1 unsupported"), "{t}");
    assert_eq!(out.status.code(), Some(4), "nothing was tested:\n{t}");
    let mut stderr = String::new();
    if let Some(a) = net.agent.as_mut() {
        let _ = a.kill();
        let _ = a.wait();
        if let Some(mut e) = a.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}
