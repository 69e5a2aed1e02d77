//! The lab target against this machine's kernel: a private network
//! namespace, a TUN device, the built-in services and `--serve`.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure. Each test
//! starts its own lab, so they run in parallel.

mod common;

use common::{lab_or_skip, lab_or_skip_with};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use synack::target::lab::{Lab, LabOptions, LabSession, TUN_NAME};
use synack::target::{IpFamily, Service, Session, SessionSpec, Target, TargetError};
use synack::wire::{
    self, ChecksumPolicy, IpEnvelope, Segment, SeqNumber, TcpFlags, TcpOption, TcpState,
};

const WAIT: Duration = Duration::from_secs(3);
/// The harness's ISN, near the 2^32 wrap.
const ISN: u32 = 0xffff_fff0;

/// One connection driven by hand: the harness side's sequence space.
struct Conn {
    s: LabSession,
    snd_nxt: u32,
    rcv_nxt: u32,
}

impl Conn {
    fn open(lab: &Lab, spec: SessionSpec) -> Conn {
        let s = lab.open_session(&spec).expect("open a session");
        Conn {
            s,
            snd_nxt: ISN,
            rcv_nxt: 0,
        }
    }
    fn harness(&self) -> SocketAddr {
        self.s.info().harness
    }
    fn segment(&self, flags: TcpFlags, payload: &[u8]) -> Segment {
        let info = self.s.info();
        let ip = IpEnvelope::between(info.harness.ip(), info.target.ip()).expect("same family");
        let mut seg = Segment::new(ip, info.harness.port(), info.target.port(), flags);
        seg.seq = SeqNumber(self.snd_nxt);
        if flags.ack() {
            seg.ack = SeqNumber(self.rcv_nxt);
        }
        seg.window = 65535;
        seg.payload = payload.to_vec();
        seg
    }
    /// Sends and advances snd_nxt by SEG.LEN.
    fn send(&mut self, seg: Segment) {
        self.s
            .inject(&seg.to_bytes(ChecksumPolicy::Compute))
            .expect("inject");
        self.snd_nxt = self.snd_nxt.wrapping_add(seg.seg_len());
    }
    /// The next segment the target sends that satisfies `want`, within WAIT;
    /// advances rcv_nxt past it.
    #[track_caller]
    fn expect(&mut self, what: &str, want: impl Fn(&Segment) -> bool) -> Segment {
        let deadline = self.s.now() + WAIT;
        let mut seen = Vec::new();
        loop {
            match self.s.recv(deadline).expect("recv") {
                Some(r) => {
                    let seg = wire::parse(&r.bytes).expect("the kernel sends parseable TCP");
                    assert_eq!(
                        seg.ip.dst(),
                        self.harness().ip(),
                        "demultiplexed to its session"
                    );
                    assert_eq!(seg.dst_port, self.harness().port());
                    if want(&seg) {
                        let end = seg.seq.0.wrapping_add(seg.seg_len());
                        if seg.seg_len() > 0 {
                            self.rcv_nxt = end;
                        }
                        return seg;
                    }
                    seen.push(seg.to_string());
                }
                None => panic!("no {what} within {WAIT:?}; saw: {seen:#?}"),
            }
        }
    }
    fn syn(&mut self) {
        let mut syn = self.segment(TcpFlags::SYN, b"");
        syn.options = vec![TcpOption::Mss(1460)];
        self.send(syn);
    }
    fn handshake(&mut self) {
        self.syn();
        self.expect("SYN-ACK", |s| s.flags == TcpFlags::SYN | TcpFlags::ACK);
        let ack = self.segment(TcpFlags::ACK, b"");
        self.send(ack);
    }
    /// Polls the target socket's state until it is `want` (state changes
    /// follow the application's threads, so give them a moment).
    #[track_caller]
    fn wait_state(&mut self, want: TcpState) {
        let until = Instant::now() + WAIT;
        let mut last = TcpState::Closed;
        while Instant::now() < until {
            last = self.s.socket_state(self.harness()).expect("socket_state");
            if last == want {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("target socket stayed {last}, expected {want}");
    }
}

fn spec(service: Service, port: u16, index: u32) -> SessionSpec {
    SessionSpec {
        service,
        target_port: port,
        harness_port: 40000 + index as u16,
        index,
        ..SessionSpec::default()
    }
}

#[test]
fn kernel_answers_syn_with_syn_ack_acking_isn_plus_one() {
    let Some(lab) = lab_or_skip() else { return };
    assert_eq!(lab.name(), "lab");
    let mut c = Conn::open(&lab, spec(Service::Echo, 7, 1));
    c.syn();
    let syn_ack = c.expect("SYN-ACK", |s| s.flags.syn());
    assert_eq!(syn_ack.flags, TcpFlags::SYN | TcpFlags::ACK);
    assert_eq!(syn_ack.ack, SeqNumber(ISN.wrapping_add(1)));
    assert!(
        syn_ack.mss().is_some(),
        "the kernel announces its MSS: {syn_ack}"
    );
    assert_eq!(
        c.s.socket_state(c.harness()).unwrap(),
        TcpState::SynReceived
    );
}

#[test]
fn ipv6_handshake_reaches_established() {
    let Some(lab) = lab_or_skip() else { return };
    if !lab.capabilities().ipv6 {
        println!("skipping: no IPv6 in this kernel");
        return;
    }
    let mut c = Conn::open(
        &lab,
        SessionSpec {
            family: IpFamily::V6,
            ..spec(Service::Echo, 7, 3)
        },
    );
    c.handshake();
    c.wait_state(TcpState::Established);
}

#[test]
fn handshake_then_echo_returns_the_bytes() {
    let Some(lab) = lab_or_skip() else { return };
    let mut c = Conn::open(&lab, spec(Service::Echo, 7, 2));
    c.handshake();
    c.wait_state(TcpState::Established);
    let data = c.segment(TcpFlags::PSH | TcpFlags::ACK, b"hello");
    c.send(data);
    let echo = c.expect("echoed data", |s| !s.payload.is_empty());
    assert_eq!(echo.payload, b"hello");
    assert_eq!(echo.ack, SeqNumber(ISN.wrapping_add(6)));
    let info =
        c.s.socket_info(c.harness())
            .unwrap()
            .expect("the socket exists");
    assert_eq!(info.state, TcpState::Established);
    assert_eq!(info.recv_q, 0, "the echo service read everything");
}

#[test]
fn closed_port_answers_rst_ack() {
    let Some(lab) = lab_or_skip() else { return };
    let mut c = Conn::open(&lab, spec(Service::Closed, 9, 4));
    c.syn();
    let rst = c.expect("RST", |s| s.flags.rst());
    assert_eq!(rst.flags, TcpFlags::RST | TcpFlags::ACK);
    assert_eq!(rst.ack, SeqNumber(ISN.wrapping_add(1)));
    assert_eq!(c.s.socket_state(c.harness()).unwrap(), TcpState::Closed);
}

#[test]
fn harness_fin_moves_echo_socket_to_close_wait_then_last_ack() {
    let Some(lab) = lab_or_skip() else { return };
    let delay = Duration::from_millis(300);
    let mut c = Conn::open(
        &lab,
        SessionSpec {
            close_delay: delay,
            ..spec(Service::Echo, 7, 5)
        },
    );
    c.handshake();
    c.wait_state(TcpState::Established);
    let fin = c.segment(TcpFlags::FIN | TcpFlags::ACK, b"");
    c.send(fin);
    c.expect("ACK of our FIN", |s| {
        s.ack == SeqNumber(ISN.wrapping_add(2))
    });
    c.wait_state(TcpState::CloseWait);
    let fin = c.expect("the service's FIN", |s| s.flags.fin());
    assert!(c.s.now() >= delay, "the service honoured close_delay");
    c.wait_state(TcpState::LastAck);
    assert_eq!(fin.ack, SeqNumber(ISN.wrapping_add(2)));
    let ack = c.segment(TcpFlags::ACK, b"");
    c.send(ack);
    c.wait_state(TcpState::Closed);
}

#[test]
fn http_service_closes_first_and_is_left_in_time_wait() {
    let Some(lab) = lab_or_skip() else { return };
    let mut c = Conn::open(&lab, spec(Service::Http, 80, 6));
    c.handshake();
    let get = c.segment(TcpFlags::PSH | TcpFlags::ACK, b"GET / HTTP/1.0\r\n\r\n");
    c.send(get);
    let mut body = Vec::new();
    loop {
        let seg = c.expect("the response or its FIN", |s| {
            !s.payload.is_empty() || s.flags.fin()
        });
        body.extend_from_slice(&seg.payload);
        if seg.flags.fin() {
            break;
        }
    }
    assert_eq!(body, synack::target::services::HTTP_RESPONSE);
    let ack = c.segment(TcpFlags::ACK, b"");
    c.send(ack);
    c.wait_state(TcpState::FinWait2);
    let fin = c.segment(TcpFlags::FIN | TcpFlags::ACK, b"");
    c.send(fin);
    c.expect("ACK of our FIN", |s| {
        s.flags.ack() && s.payload.is_empty() && !s.flags.fin()
    });
    c.wait_state(TcpState::TimeWait);
}

#[test]
fn two_sessions_on_different_source_addresses_run_side_by_side() {
    let Some(lab) = lab_or_skip() else { return };
    let conns: Vec<Conn> = (10..12)
        .map(|i| Conn::open(&lab, spec(Service::Echo, 7, i)))
        .collect();
    assert_ne!(conns[0].harness().ip(), conns[1].harness().ip());
    let threads: Vec<_> = conns
        .into_iter()
        .map(|mut c| {
            std::thread::spawn(move || {
                c.handshake();
                for round in 0..20u8 {
                    let msg = [b'a' + round % 26; 10];
                    let seg = c.segment(TcpFlags::PSH | TcpFlags::ACK, &msg);
                    c.send(seg);
                    let echo = c.expect("echo", |s| !s.payload.is_empty());
                    assert_eq!(
                        echo.payload,
                        msg,
                        "{} got another session's bytes",
                        c.harness()
                    );
                }
                c.wait_state(TcpState::Established);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("session thread");
    }
}

#[test]
fn opening_the_same_four_tuple_twice_is_refused() {
    let Some(lab) = lab_or_skip() else { return };
    let first = lab.open_session(&spec(Service::Echo, 7, 7)).unwrap();
    assert!(matches!(
        lab.open_session(&spec(Service::Echo, 7, 7)),
        Err(TargetError::Broken(_))
    ));
    drop(first);
    assert!(
        lab.open_session(&spec(Service::Echo, 7, 7)).is_ok(),
        "free again once the session ends"
    );
    assert!(
        matches!(
            lab.open_session(&spec(Service::Discard, 7, 8)),
            Err(TargetError::Broken(_))
        ),
        "one service per port"
    );
}

#[test]
fn recv_waits_in_real_time_until_the_deadline() {
    let Some(lab) = lab_or_skip() else { return };
    let mut s = lab.open(&spec(Service::Echo, 7, 9)).unwrap();
    let deadline = s.now() + Duration::from_millis(50);
    assert_eq!(s.recv(deadline).unwrap(), None);
    let now = s.now();
    assert!(
        now >= deadline && now < deadline + Duration::from_millis(40),
        "returned at {now:?}"
    );
}

#[test]
fn sysctls_apply_inside_the_namespace_only() {
    let root_rs = "/proc/sys/net/ipv6/conf/default/router_solicitations";
    let before = std::fs::read_to_string(root_rs).ok();
    let Some(lab) = lab_or_skip() else { return };
    assert_eq!(
        std::fs::read_to_string(root_rs).ok(),
        before,
        "the test's namespace is untouched"
    );
    if before.is_some() {
        assert_eq!(
            lab.sysctl("net/ipv6/conf/default/router_solicitations")
                .unwrap(),
            "0"
        );
    }
    assert_eq!(
        lab.sysctl(&format!("net/ipv4/conf/{TUN_NAME}/forwarding"))
            .unwrap(),
        "0"
    );
    if lab.capabilities().ipv6 {
        assert_eq!(
            lab.sysctl(&format!("net/ipv6/conf/{TUN_NAME}/accept_ra"))
                .unwrap(),
            "0"
        );
        assert_eq!(
            lab.sysctl(&format!("net/ipv6/conf/{TUN_NAME}/router_solicitations"))
                .unwrap(),
            "0"
        );
        assert_eq!(
            lab.sysctl(&format!("net/ipv6/conf/{TUN_NAME}/dad_transmits"))
                .unwrap(),
            "0"
        );
    }
    assert!(
        !std::path::Path::new(&format!("/proc/sys/net/ipv4/conf/{TUN_NAME}")).exists(),
        "the TUN device is not in the test's namespace"
    );
}

/// A packet's time is when the kernel sent it, not when the harness read
/// it: a SYN-ACK read 300 ms late (a loaded machine's thread wake-up) still
/// says it came within milliseconds of the SYN.
#[test]
fn packet_times_are_the_kernels_not_the_readers() {
    let Some(lab) = lab_or_skip() else { return };
    let mut c = Conn::open(&lab, spec(Service::Echo, 7, 41));
    let sent = c.s.now();
    c.syn();
    std::thread::sleep(Duration::from_millis(300));
    let got =
        c.s.recv(c.s.now())
            .expect("recv")
            .expect("the SYN-ACK is queued");
    let read = c.s.now();
    assert!(read - sent >= Duration::from_millis(300));
    assert!(
        got.at - sent < Duration::from_millis(100),
        "SYN-ACK stamped {:?} after the SYN, read {:?} after it",
        got.at - sent,
        read - sent
    );
}

/// Sets a sysctl of the test's own namespace for the guard's lifetime and
/// puts the old value back when dropped, a panic included.
struct HostSysctl {
    path: &'static str,
    old: String,
}

impl HostSysctl {
    fn set(path: &'static str, value: &str) -> HostSysctl {
        let old = std::fs::read_to_string(path).expect("read the host's sysctl");
        std::fs::write(path, value).expect("write the host's sysctl");
        HostSysctl { path, old }
    }
}

impl Drop for HostSysctl {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write(self.path, self.old.trim()) {
            eprintln!("could not restore {}: {e}", self.path);
        }
    }
}

/// A new namespace copies IPv4 settings (and the buffer sizes, and the
/// congestion control) from the host's initial namespace: on a Docker host
/// (`ip_forward=1`) the lab's kernel was a router. The lab writes every
/// setting it relies on; this sets the host's values for the test's
/// duration (CI, as root, in the initial namespace: only under
/// `SYNACK_REQUIRE_LAB=1`, as it changes the machine for a moment). The
/// buffer sizes (and the congestion control, where the host lets a
/// namespace choose it) are checked against fixed values, which differ
/// from many hosts'.
#[test]
fn lab_settings_do_not_follow_the_hosts() {
    if std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1") {
        println!("skipping: changes the host's ip_forward; runs under SYNACK_REQUIRE_LAB=1");
        return;
    }
    let _forward = HostSysctl::set("/proc/sys/net/ipv4/ip_forward", "1");
    // Proof that the host's values are what a new namespace starts from
    // here (else this test could not fail).
    let inherited = Command::new("unshare")
        .args(["-n", "cat", "/proc/sys/net/ipv4/ip_forward"])
        .output()
        .expect("run unshare -n");
    assert_eq!(String::from_utf8_lossy(&inherited.stdout).trim(), "1");
    let lab = lab_or_skip().expect("the lab starts");
    for (name, want) in [
        ("net/ipv4/ip_forward", "0"),
        ("net/ipv4/conf/all/forwarding", "0"),
        ("net/ipv4/conf/default/forwarding", "0"),
        (&format!("net/ipv4/conf/{TUN_NAME}/forwarding") as &str, "0"),
        ("net/ipv4/tcp_rmem", "4096\t131072\t6291456"),
    ] {
        assert_eq!(lab.sysctl(name).unwrap(), want, "{name} in the lab");
    }
    if synack::target::lab::sysctls::congestion_control_allowed() {
        assert_eq!(
            lab.sysctl("net/ipv4/tcp_congestion_control").unwrap(),
            synack::target::lab::sysctls::CONGESTION_CONTROL
        );
    }
    if lab.capabilities().ipv6 {
        assert_eq!(lab.sysctl("net/ipv6/conf/all/forwarding").unwrap(), "0");
    }
    // And the suite's handshake still works with the host so set.
    let mut c = Conn::open(&lab, spec(Service::Echo, 7, 40));
    c.handshake();
}

#[test]
fn serve_runs_python_http_server_in_the_namespace() {
    let port = 8000;
    let options = LabOptions {
        serve: Some(format!(
            "exec python3 -m http.server {port} --bind 192.0.2.1"
        )),
        serve_port: Some(port),
        serve_timeout: Some(Duration::from_secs(20)),
    };
    let Some(lab) = lab_or_skip_with(options) else {
        return;
    };
    assert!(lab.serve_pid().is_some());
    let mut c = Conn::open(&lab, spec(Service::Http, port, 12));
    c.handshake();
    let get = c.segment(TcpFlags::PSH | TcpFlags::ACK, b"GET / HTTP/1.0\r\n\r\n");
    c.send(get);
    let first = c.expect("the response", |s| !s.payload.is_empty());
    assert!(
        first.payload.starts_with(b"HTTP/1.0 200"),
        "{:?}",
        String::from_utf8_lossy(&first.payload)
    );
}

#[test]
fn serve_that_never_listens_is_an_error() {
    let options = LabOptions {
        serve: Some("echo 'nginx: [emerg] \"pid\" directive is duplicate' >&2; exit 3".into()),
        serve_port: Some(8001),
        serve_timeout: Some(Duration::from_secs(5)),
    };
    match Lab::start(options) {
        // The server's own words and its exit status, not only "exited".
        Err(TargetError::Io(m)) => assert!(
            m.contains("exited before listening on port 8001 (exit status: 3)")
                && m.ends_with("\n    nginx: [emerg] \"pid\" directive is duplicate"),
            "{m}"
        ),
        Err(TargetError::Privilege(_))
            if std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1") => {}
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

// ---- SIGKILL: nothing of a killed run remains ----

const CHILD_ENV: &str = "SYNACK_LAB_SIGKILL_CHILD";

/// Not a test on its own: the child process of the SIGKILL test (it runs
/// only when that test re-executes this binary with `CHILD_ENV` set).
#[test]
#[ignore = "helper process for sigkill_leaves_no_namespace_device_or_process"]
fn sigkill_child_mode() {
    let Ok(marker) = std::env::var(CHILD_ENV) else {
        return;
    };
    let options = LabOptions {
        serve: Some(format!(
            "python3 -m http.server 8002 --bind 192.0.2.1 & exec sleep {marker}"
        )),
        serve_port: Some(8002),
        serve_timeout: Some(Duration::from_secs(20)),
    };
    let lab = Lab::start(options).expect("the child's lab");
    let mut c = Conn::open(&lab, spec(Service::Echo, 7, 1));
    c.syn(); // a case mid-flight
    println!("SYNACK-READY {}", lab.serve_pid().unwrap_or(0));
    std::thread::sleep(Duration::from_secs(1000));
}

/// Every process whose command line contains `needle`.
fn processes_with(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) && !cmd.contains("sigkill_child_mode") {
            out.push(pid);
        }
    }
    out
}

/// The network namespaces (`net:[inode]`) that any task of `pid` is in.
fn net_namespaces_of(pid: u32) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_link(t.path().join("ns/net")).ok())
        .map(|l| l.to_string_lossy().into_owned())
        .collect()
}

/// Whether any task on the machine is in namespace `ns`.
fn namespace_in_use(ns: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
        p.file_name()
            .to_string_lossy()
            .parse::<u32>()
            .is_ok_and(|pid| net_namespaces_of(pid).iter().any(|n| n == ns))
    })
}

fn root_links() -> String {
    let out = Command::new("ip")
        .args(["-o", "link", "show"])
        .output()
        .expect("ip link");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn named_namespaces() -> String {
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sigkill_leaves_no_namespace_device_or_process() {
    // Skip (or fail) the same way as the others before spawning anything.
    let Some(probe) = lab_or_skip() else { return };
    drop(probe);
    let netns_before = named_namespaces();
    let marker = format!(
        "1000.{}{}",
        std::process::id(),
        Instant::now().elapsed().subsec_nanos() % 1000
    );
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "sigkill_child_mode",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &marker)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("re-execute the test binary");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("SYNACK-READY ")
                .map(|(_, pid)| pid.trim().to_string())
        })
        .expect("the child reports its lab ready");
    let serve_pid: u32 = ready.parse().unwrap();

    // While it runs: the server and its namespace exist (so the checks
    // below can fail), and nothing of it shows in the root namespace.
    let sleepers = processes_with(&format!("sleep {marker}"));
    let servers = processes_with("http.server 8002");
    assert!(!sleepers.is_empty(), "the --serve command runs");
    assert!(
        !servers.is_empty(),
        "the server the --serve command forked runs"
    );
    assert!(serve_pid > 0);
    let own_ns = std::fs::read_link("/proc/self/ns/net")
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let lab_ns: Vec<String> = net_namespaces_of(child.id())
        .into_iter()
        .filter(|n| *n != own_ns)
        .collect();
    assert_eq!(
        lab_ns.len(),
        1,
        "the child has one thread in a private namespace: {lab_ns:?}"
    );
    let lab_ns = &lab_ns[0];
    assert!(namespace_in_use(lab_ns));
    assert!(
        !root_links().contains(TUN_NAME),
        "the TUN device is not in the root namespace"
    );

    child.kill().expect("SIGKILL the child");
    child.wait().unwrap();

    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let left = (
            processes_with(&format!("sleep {marker}")),
            processes_with("http.server 8002"),
            namespace_in_use(lab_ns),
        );
        if left == (Vec::new(), Vec::new(), false) {
            break;
        }
        assert!(
            Instant::now() < until,
            "left behind after SIGKILL (sleep, server, namespace in use): {left:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        named_namespaces(),
        netns_before,
        "no named namespace appeared"
    );
    assert!(!std::path::Path::new("/run/netns").exists() || named_namespaces() == netns_before);
    assert!(
        !root_links().contains(TUN_NAME),
        "no TUN device in the root namespace"
    );
}

#[test]
fn dropping_the_lab_stops_the_serve_command() {
    let marker = format!("1001.{}", std::process::id());
    let options = LabOptions {
        serve: Some(format!(
            "python3 -m http.server 8003 --bind 192.0.2.1 & exec sleep {marker}"
        )),
        serve_port: Some(8003),
        serve_timeout: Some(Duration::from_secs(20)),
    };
    let Some(lab) = lab_or_skip_with(options) else {
        return;
    };
    assert!(!processes_with(&format!("sleep {marker}")).is_empty());
    drop(lab);
    // Drop kills and reaps the process group; the PID namespace takes the
    // server down with its PID 1.
    let until = Instant::now() + Duration::from_secs(5);
    while !processes_with(&format!("sleep {marker}")).is_empty()
        || !processes_with("http.server 8003").is_empty()
    {
        assert!(
            Instant::now() < until,
            "the --serve processes outlived the lab"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn benchmark_loops_time_one_syn_ack_per_sample() {
    let Some(lab) = lab_or_skip() else { return };
    let raw = lab.raw_rtt(50).expect("raw TUN round trips");
    let through = lab.harness_rtt(50).expect("harness round trips");
    assert_eq!((raw.len(), through.len()), (50, 50));
    let median = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "SYN -> SYN-ACK median: raw TUN {:?}, harness {:?}",
        median(&raw),
        median(&through)
    );
    assert!(
        median(&raw) < Duration::from_millis(100) && median(&through) < Duration::from_millis(100)
    );
    // Every sample was reset: no half-open connection is left behind.
    let mut s = lab.open_session(&spec(Service::Echo, 7, 0)).unwrap();
    let left = (0..50u16).filter_map(|i| {
        let h = SocketAddr::new(s.info().harness.ip(), 20000 + i);
        s.socket_info(h).unwrap()
    });
    assert_eq!(left.count(), 0);
    assert_eq!(s.socket_state(s.info().harness).unwrap(), TcpState::Closed);
}

#[test]
fn app_actions_drive_a_silent_connection() {
    use synack::target::{AppAction, AppOutcome};
    let Some(lab) = lab_or_skip() else { return };
    assert!(lab.capabilities().app_actions);
    let mut c = Conn::open(&lab, spec(Service::Silent, 5000, 13));
    c.handshake();
    assert_eq!(
        c.s.app(&AppAction::Write(b"hi".to_vec())).unwrap(),
        AppOutcome::Wrote(2)
    );
    let data = c.expect("the application's bytes", |s| !s.payload.is_empty());
    assert_eq!(data.payload, b"hi");
    let ack = c.segment(TcpFlags::ACK, b"");
    c.send(ack);
    let abc = c.segment(TcpFlags::PSH | TcpFlags::ACK, b"abc");
    c.send(abc);
    c.expect("ACK of our data", |s| {
        s.ack == SeqNumber(ISN.wrapping_add(4))
    });
    assert_eq!(
        c.s.socket_info(c.harness()).unwrap().unwrap().recv_q,
        3,
        "unread until the case reads"
    );
    assert_eq!(
        c.s.app(&AppAction::Read(10)).unwrap(),
        AppOutcome::Read(b"abc".to_vec())
    );
    assert_eq!(
        c.s.app(&AppAction::ShutdownWrite).unwrap(),
        AppOutcome::Done
    );
    c.expect("the application's FIN", |s| s.flags.fin());
    let ack = c.segment(TcpFlags::ACK, b"");
    c.send(ack);
    c.wait_state(TcpState::FinWait2);
    assert_eq!(c.s.app(&AppAction::Close).unwrap(), AppOutcome::Done);
    let fin = c.segment(TcpFlags::FIN | TcpFlags::ACK, b"");
    c.send(fin);
    c.expect("ACK of our FIN", |s| {
        s.ack == SeqNumber(ISN.wrapping_add(5))
    });
    c.wait_state(TcpState::TimeWait);
    assert!(matches!(
        c.s.app(&AppAction::Write(b"x".to_vec())).unwrap(),
        AppOutcome::Refused(_)
    ));
}

#[test]
fn app_abort_resets_the_connection() {
    use synack::target::{AppAction, AppOutcome};
    let Some(lab) = lab_or_skip() else { return };
    let mut c = Conn::open(&lab, spec(Service::Silent, 5001, 14));
    c.handshake();
    assert_eq!(c.s.app(&AppAction::Abort).unwrap(), AppOutcome::Done);
    let rst = c.expect("RST", |s| s.flags.rst());
    assert_eq!(rst.seq, SeqNumber(c.rcv_nxt));
    c.wait_state(TcpState::Closed);
}

#[test]
fn app_close_is_refused_while_a_service_owns_the_connection() {
    use synack::target::{AppAction, AppOutcome};
    let Some(lab) = lab_or_skip() else { return };
    let mut c = Conn::open(&lab, spec(Service::Echo, 7, 15));
    assert!(
        matches!(c.s.app(&AppAction::Close).unwrap(), AppOutcome::Refused(_)),
        "nothing accepted yet"
    );
    c.handshake();
    assert!(matches!(
        c.s.app(&AppAction::Close).unwrap(),
        AppOutcome::Refused(_)
    ));
    c.wait_state(TcpState::Established);
}

#[test]
fn kernel_sends_nothing_unasked_after_link_up() {
    let Some(lab) = lab_or_skip() else { return };
    let mut s = lab.open(&spec(Service::Echo, 7, 16)).unwrap();
    // Any packet read off the device in this second is either this
    // session's (none: it sent nothing) or dropped as noise.
    assert_eq!(s.recv(Duration::from_secs(1)).unwrap(), None);
    assert_eq!(
        lab.dropped_packets(),
        0,
        "no router solicitation, DAD or MLD from the namespace"
    );
}

// ---- Without CAP_NET_ADMIN: a message that says what to do ----

const PRIVILEGE_ENV: &str = "SYNACK_LAB_PRIVILEGE_CHILD";

#[test]
#[ignore = "helper process for missing_capability_is_a_privilege_error_or_a_skip"]
fn privilege_child_mode() {
    if std::env::var(PRIVILEGE_ENV).is_err() {
        return;
    }
    match Lab::start(LabOptions::default()) {
        Err(TargetError::Privilege(m)) => println!("SYNACK-PRIVILEGE {m}"),
        other => println!("SYNACK-OTHER {other:?}"),
    }
    let _ = lab_or_skip(); // skips, or panics under SYNACK_REQUIRE_LAB=1
}

/// Runs `privilege_child_mode` with `dropped` capabilities removed from the
/// bounding set (so root loses them across exec).
fn run_without(dropped: &str, require: bool) -> (bool, String) {
    let mut cmd = Command::new("setpriv");
    cmd.arg(format!("--bounding-set={dropped}"))
        .arg(format!("--inh-caps={dropped}"))
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args([
            "privilege_child_mode",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PRIVILEGE_ENV, "1")
        .env_remove("SYNACK_REQUIRE_LAB");
    if require {
        cmd.env("SYNACK_REQUIRE_LAB", "1");
    }
    let out = cmd.output().expect("run setpriv");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn missing_capability_is_a_privilege_error_or_a_skip() {
    let Some(probe) = lab_or_skip() else { return };
    drop(probe);
    if Command::new("setpriv").arg("--version").output().is_err() {
        println!("skipping: setpriv (util-linux) is not installed");
        return;
    }
    // Without CAP_NET_ADMIN the TUN device fails; without CAP_SYS_ADMIN too,
    // already the namespace.
    for dropped in ["-net_admin", "-net_admin,-sys_admin"] {
        let (ok, out) = run_without(dropped, false);
        assert!(ok, "without {dropped} the lab tests skip: {out}");
        assert!(out.contains("SYNACK-PRIVILEGE"), "without {dropped}: {out}");
        assert!(
            out.contains("run as root") && out.contains("--target embedded"),
            "{out}"
        );
        assert!(
            out.contains("skipping: lab needs root/CAP_NET_ADMIN"),
            "{out}"
        );
        let (ok, out) = run_without(dropped, true);
        assert!(
            !ok,
            "SYNACK_REQUIRE_LAB=1 turns the skip into a failure: {out}"
        );
    }
}

#[test]
fn socket_state_finds_ipv4_peers_of_a_dual_stack_server() {
    let port = 8004;
    let options = LabOptions {
        serve: Some(format!("exec python3 -m http.server {port} --bind ::")),
        serve_port: Some(port),
        serve_timeout: Some(Duration::from_secs(20)),
    };
    let Some(lab) = lab_or_skip_with(options) else {
        return;
    };
    if !lab.capabilities().ipv6 {
        println!("skipping: no IPv6 in this kernel");
        return;
    }
    let mut c = Conn::open(&lab, spec(Service::Http, port, 17));
    c.handshake();
    c.wait_state(TcpState::Established);
}

#[test]
fn serve_on_an_unreachable_address_says_so() {
    let options = LabOptions {
        serve: Some("exec python3 -m http.server 8005 --bind 127.0.0.1".into()),
        serve_port: Some(8005),
        serve_timeout: Some(Duration::from_secs(2)),
    };
    match Lab::start(options) {
        Err(TargetError::Io(m)) => assert!(
            m.contains("127.0.0.1:8005") && m.contains("cannot reach"),
            "{m}"
        ),
        Err(TargetError::Privilege(_))
            if std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1") => {}
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn eight_sessions_run_whole_connections_side_by_side() {
    let Some(lab) = lab_or_skip() else { return };
    let lab = std::sync::Arc::new(lab);
    let threads: Vec<_> = (20..28u32)
        .map(|i| {
            let lab = std::sync::Arc::clone(&lab);
            std::thread::spawn(move || {
                let mut c = Conn::open(&lab, spec(Service::Echo, 7, i));
                c.handshake();
                let msg = format!("session {i}");
                let seg = c.segment(TcpFlags::PSH | TcpFlags::ACK, msg.as_bytes());
                c.send(seg);
                let echo = c.expect("echo", |s| !s.payload.is_empty());
                assert_eq!(echo.payload, msg.as_bytes());
                let fin = c.segment(TcpFlags::FIN | TcpFlags::ACK, b"");
                c.send(fin);
                c.expect("the service's FIN", |s| s.flags.fin());
                let ack = c.segment(TcpFlags::ACK, b"");
                c.send(ack);
                c.wait_state(TcpState::Closed);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("session thread");
    }
}
