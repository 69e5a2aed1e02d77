//! What a script in packetdrill form needs from the lab beyond synack's own
//! cases: a second active open on the session's port (packetdrill's kernel
//! would pick a fresh port; the lab ends the first one's TIME-WAIT), and
//! packetdrill's numbering from the harness SYN's own sequence number.
//!
//! Without CAP_NET_ADMIN every test skips with a message, unless
//! `SYNACK_REQUIRE_LAB=1`, which turns the skip into a failure.

mod common;

use common::{assert_passes, lab_or_skip};
use std::path::Path;
use synack::run::case::load_source;
use synack::run::{run_case, RunOptions};

/// Two active opens, the first closed by the target first (it ends in
/// TIME-WAIT); the peer's ISN is 123, written as packetdrill writes it.
/// A 100 ms floor on the timing: what is tested is that the second open
/// happens at all, on a machine that may be loaded.
const TWICE: &str = "\
--tolerance_usecs=100000
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(3, ..., ...) = -1 EINPROGRESS
+0    > S 0:0(0) <mss 1460,sackOK,TS val * ecr 0,nop,wscale *>
+.01  < S. 123:123(0) ack 1 win 5840 <mss 1460>
+0    > . 1:1(0) ack 1
+.01  close(3) = 0
+0    > F. 1:1(0) ack 1
+.01  < F. 1:1(0) ack 2 win 5840
+0    > . 2:2(0) ack 2
+.01  socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
+0    fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    connect(4, ..., ...) = -1 EINPROGRESS
+0    > S 0:0(0) <mss 1460,sackOK,TS val * ecr 0,nop,wscale *>
+.01  < S. 7:7(0) ack 1 win 5840 <mss 1460>
+0    > . 1:1(0) ack 1
+.01  < R. 1:1(0) ack 1 win 0
";

#[test]
fn a_packetdrill_script_opens_twice_on_the_sessions_port() {
    let Some(lab) = lab_or_skip() else { return };
    let opts = RunOptions {
        profile: "linux".into(),
        ..RunOptions::default()
    };
    let c = load_source(Path::new("/tmp/twice.pkt"), TWICE.into()).expect("loads");
    let r = run_case(&lab, &c, 0, &opts);
    assert_passes(&r);
}
