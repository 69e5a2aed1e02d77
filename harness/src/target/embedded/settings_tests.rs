//! The classes of settings a script's commands change (honoured, accepted,
//! unsupported), on snapshots as the sandbox prints them.

use super::*;

/// A fresh namespace's settings that matter here, as `grep -r .` prints them.
const FRESH: &str = "/proc/sys/net/ipv4/tcp_timestamps:1
/proc/sys/net/ipv4/tcp_sack:1
/proc/sys/net/ipv4/tcp_window_scaling:1
/proc/sys/net/ipv4/tcp_rmem:4096\t131072\t6291456
/proc/sys/net/ipv4/tcp_wmem:4096\t16384\t4194304
/proc/sys/net/ipv4/tcp_keepalive_time:7200
/proc/sys/net/ipv4/tcp_syn_retries:6
/proc/sys/net/ipv4/tcp_frto:2
/proc/sys/net/ipv4/tcp_ecn:2
/proc/sys/net/ipv4/tcp_fastopen:1
/proc/sys/net/ipv4/tcp_min_rtt_wlen:300
/proc/sys/net/ipv4/route/gc_interval:60
@@routes
198.51.100.0/24 dev synack0 proto kernel scope link src 198.51.100.1
@@qdiscs
qdisc noqueue 0: dev lo root refcnt 2
";

fn with(changes: &[(&str, &str)]) -> Snapshot {
    let mut s = Snapshot::parse(FRESH);
    for (k, v) in changes {
        s.sysctls.insert((*k).into(), (*v).into());
    }
    s
}

#[test]
fn a_snapshot_reads_settings_routes_and_qdiscs() {
    let s = Snapshot::parse(FRESH);
    assert_eq!(s.sysctls["net.ipv4.tcp_rmem"], "4096 131072 6291456");
    assert_eq!(s.sysctls["net.ipv4.tcp_sack"], "1");
    assert!(s.routes.contains("198.51.100.0/24"));
    assert!(s.qdiscs.starts_with("qdisc noqueue"));
}

#[test]
fn honoured_settings_take_the_namespace_s_values() {
    let before = Snapshot::parse(FRESH);
    let o = decide(&before, &before).expect("nothing changed");
    assert_eq!(
        o.settings,
        StackSettings {
            timestamps: true,
            rcvbuf: 131072,
            sndbuf: 16384,
            keepalive_time: 7200
        }
    );
    assert_eq!(o.notes, ["the embedded stack takes the namespace's tcp_timestamps, tcp_rmem, tcp_wmem and tcp_keepalive_time: timestamps on, receive buffer 131072 bytes, send buffer 16384 bytes, keep-alive idle time 7200 s"]);
    let now = with(&[
        ("net.ipv4.tcp_timestamps", "0"),
        ("net.ipv4.tcp_rmem", "4096 540000 15728640"),
        ("net.ipv4.tcp_wmem", "4096 262144 4194304"),
        ("net.ipv4.tcp_keepalive_time", "60"),
    ]);
    let o = decide(&before, &now).expect("all honoured");
    assert_eq!(
        o.settings,
        StackSettings {
            timestamps: false,
            rcvbuf: 540000,
            sndbuf: 262144,
            keepalive_time: 60
        }
    );
    assert!(o
        .notes
        .contains(&"net.ipv4.tcp_timestamps=0: honoured: timestamps off".to_string()));
}

#[test]
fn settings_of_mechanisms_smoltcp_lacks_are_accepted_with_the_reason() {
    let before = Snapshot::parse(FRESH);
    let now = with(&[
        ("net.ipv4.tcp_syn_retries", "5"),
        ("net.ipv4.tcp_ecn", "0"),
        ("net.ipv4.tcp_fastopen", "0x70403"),
        ("net.ipv4.route.gc_interval", "61"),
    ]);
    let o = decide(&before, &now).expect("accepted");
    assert_eq!(o.notes.len(), 4, "{:?}", o.notes);
    assert!(o.notes.iter().any(|n| n.starts_with(
        "net.ipv4.tcp_fastopen=0x70403: accepted: smoltcp has no TCP Fast Open (RFC 7413)"
    )));
}

#[test]
fn what_smoltcp_cannot_take_makes_the_case_unsupported_naming_it() {
    let before = Snapshot::parse(FRESH);
    let err = |c: &[(&str, &str)]| decide(&before, &with(c)).expect_err("unsupported");
    assert_eq!(
        err(&[("net.ipv4.tcp_sack", "0")]),
        "net.ipv4.tcp_sack=0: smoltcp always offers SACK (RFC 2018) and cannot turn it off"
    );
    assert!(err(&[("net.ipv4.tcp_window_scaling", "0")]).contains("window scaling"));
    assert_eq!(
        err(&[("net.ipv4.tcp_min_rtt_wlen", "10")]),
        "the commands changed net.ipv4.tcp_min_rtt_wlen from \"300\" to \"10\", which the embedded target cannot honour"
    );
    assert!(err(&[("net.ipv4.tcp_rmem", "4096 0 6291456")]).contains("1 to 16777216 bytes"));
    let mut routed = before.clone();
    routed
        .routes
        .push_str("192.0.2.1 via 198.51.100.2 dev synack0 advmss 600\n");
    assert_eq!(
        decide(&before, &routed).expect_err("route"),
        "the commands changed the namespace's routes (`192.0.2.1 via 198.51.100.2 dev synack0 advmss 600`): the embedded target has no route attributes (advmss, mtu, initcwnd)"
    );
    let mut dropping = before.clone();
    dropping.qdiscs = "qdisc pfifo 8001: dev synack0 root refcnt 2 limit 0p\n".into();
    let mut pfifo = before.clone();
    pfifo.qdiscs = "qdisc pfifo 8001: dev synack0 root refcnt 2 limit 1000p\n".into();
    assert!(decide(&before, &pfifo).is_ok());
    // `tc … pfifo limit 0` shows as `limit 0p`.
    assert_eq!(
        decide(&before, &dropping).expect_err("drops"),
        "the commands set a queueing discipline that drops every packet (`qdisc pfifo 8001: dev synack0 root refcnt 2 limit 0p`), which the embedded target cannot honour"
    );
}

#[test]
fn a_command_that_exits_0_after_a_failing_line_is_judged_by_its_stderr() {
    // defaults.sh on this kernel: cubic is not allowed, tcp_fack is gone.
    let ok = "sysctl: setting key \"net.ipv4.tcp_congestion_control\": Operation not permitted\n\
              sysctl: cannot stat /proc/sys/net/ipv4/tcp_fack: No such file or directory\n\
              Error: Specified qdisc kind is unknown.\n\
              warning: unexpected message for device synack0\n";
    assert_eq!(check_stderr(ok), Ok(()));
    assert_eq!(
        check_stderr("sysctl: setting key \"net.ipv4.tcp_sack\": Invalid argument\n"),
        Err("a command could not set net.ipv4.tcp_sack (`sysctl: setting key \"net.ipv4.tcp_sack\": Invalid argument`), so the case would run without it".into())
    );
    assert_eq!(
        check_stderr("RTNETLINK answers: No route to host\n"),
        Err("a command reported an error (`RTNETLINK answers: No route to host`), so the namespace is not what the script asked for".into())
    );
}
