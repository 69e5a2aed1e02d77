//! `recvmsg`'s msghdr and the error queue: lines → calls, results → verdicts.

use super::*;
use crate::run::syscall::{plan, Call, PlanError};
use crate::run::syscall_sock::{DataExpect, SockExpect};
use crate::target::calls::msg::ExtendedErr;
use crate::target::calls::{OptValue, SockCall, SockOpt};

const SERVER: &str = "\
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
";

const ZC: &str = "+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{...,0}], msg_flags=MSG_ERRQUEUE, \
    msg_control=[{cmsg_level=CMSG_LEVEL_IP, cmsg_type=CMSG_TYPE_RECVERR, \
    cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0, \
    ee_code=SO_EE_CODE_ZEROCOPY_COPIED, ee_info=0, ee_data=1}}]}, MSG_ERRQUEUE) = 0";

fn planned(line: &str) -> Result<(SockCall, SockExpect), PlanError> {
    let body = format!("{SERVER}{line}\n");
    let script = crate::script::parse(&body, "t.pkt").expect("parses");
    let p = plan(&script, &body, "t.pkt")?;
    match p.calls.into_values().last() {
        Some(Call::Sock { call, expect }) => Ok((call, expect)),
        other => panic!("{other:?}"),
    }
}

fn one(line: &str) -> (SockCall, SockExpect) {
    planned(line).unwrap_or_else(|e| panic!("{e:?}"))
}

fn msg_of(e: &SockExpect) -> &MsgExpect {
    match &e.data {
        DataExpect::Msg(m) => m,
        other => panic!("{other:?}"),
    }
}

fn zerocopy_report(info: u32, data: u32) -> SockResult {
    SockResult::ok(0).with(CallData::Msg {
        flags: msg::MSG_ERRQUEUE,
        cmsgs: vec![Cmsg::RecvErr {
            level: msg::SOL_IP,
            kind: msg::IP_RECVERR,
            ee: ExtendedErr {
                errno: 0,
                origin: 5,
                kind: 0,
                code: 1,
                info,
                data,
            },
        }],
    })
}

const MS: Duration = Duration::from_millis(1);

#[test]
fn an_error_queue_recvmsg_is_performed_with_its_flags_and_cmsgs() {
    let (call, expect) = one(ZC);
    assert_eq!(
        call,
        SockCall::RecvMsg {
            fd: 4,
            len: 0,
            flags: msg::MSG_ERRQUEUE,
            control: true
        }
    );
    let m = msg_of(&expect);
    assert_eq!(m.flags, msg::MSG_ERRQUEUE);
    let c = &m.cmsgs.as_ref().expect("msg_control")[0];
    // Left undefined, packetdrill's per-family symbols follow the session.
    assert_eq!((c.level, c.kind), (Sym::LevelIp, Sym::TypeRecvErr));
    assert_eq!(
        c.data,
        CmsgData::Ee(vec![
            ("ee_errno".into(), 0),
            ("ee_origin".into(), 5),
            ("ee_type".into(), 0),
            ("ee_code".into(), 1),
            ("ee_info".into(), 0),
            ("ee_data".into(), 1),
        ])
    );
    // `-D CMSG_LEVEL_IP=SOL_IPV6` as packetdrill's run_all.py passes it.
    let (_, e) = one(&ZC.replace("CMSG_LEVEL_IP", "SOL_IPV6"));
    let c = &msg_of(&e).cmsgs.as_ref().expect("msg_control")[0];
    assert_eq!(c.level, Sym::Num(41));
    // A plain recvmsg stays a read; one with msg_control reads its cmsgs.
    let (call, _) = one("+0 recvmsg(4, {msg_iov(1)=[{..., 10}], msg_flags=0}, 0) = 10");
    assert!(matches!(call, SockCall::Recv { len: 10, .. }), "{call:?}");
    let (call, e) = one("+0 recvmsg(4, {msg_iov(1)=[{..., 10}], msg_flags=0, \
         msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=90}]}, 0) = 10");
    assert!(
        matches!(call, SockCall::RecvMsg { len: 10, .. }),
        "{call:?}"
    );
    assert_eq!(
        msg_of(&e).cmsgs.as_ref().expect("control")[0].data,
        CmsgData::Int(90)
    );
}

#[test]
fn zerocopy_sends_and_timestamping_options_are_performed() {
    let (call, _) = one("+0 send(4, ..., 4000, MSG_ZEROCOPY) = 4000");
    assert!(
        matches!(call, SockCall::Send { flags, .. } if flags == msg::MSG_ZEROCOPY),
        "{call:?}"
    );
    let (call, _) = one(
        "+0 sendmsg(4, {msg_name(...)=..., msg_iov(3)=[{..., 1}, {..., 0}, {..., 2}], msg_flags=0}, MSG_ZEROCOPY) = 3",
    );
    assert!(
        matches!(&call, SockCall::Send { iov, bytes, .. } if *iov == vec![1, 0, 2] && bytes.len() == 3),
        "{call:?}"
    );
    let (call, _) = one("+0 setsockopt(3, SOL_SOCKET, SO_ZEROCOPY, [1], 4) = 0");
    assert!(matches!(
        call,
        SockCall::SetOpt {
            opt: SockOpt::ZeroCopy,
            value: OptValue::Int(1),
            ..
        }
    ));
    let (call, _) = one(
        "+0 setsockopt(4, SOL_SOCKET, SO_TIMESTAMPING, [SOF_TIMESTAMPING_TX_ACK | SOF_TIMESTAMPING_OPT_ID], 4) = 0",
    );
    let want = i64::from(libc::SOF_TIMESTAMPING_TX_ACK | libc::SOF_TIMESTAMPING_OPT_ID);
    assert!(
        matches!(call, SockCall::SetOpt { opt: SockOpt::Timestamping, value: OptValue::Int(v), .. } if v == want),
        "{call:?}"
    );
    let (call, _) = one("+0 setsockopt(3, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_DONT], 1) = 0");
    assert!(matches!(
        call,
        SockCall::SetOpt {
            opt: SockOpt::MtuDiscover,
            value: OptValue::Int(0),
            ..
        }
    ));
}

#[test]
fn a_malformed_msghdr_is_a_diagnostic_at_its_line_and_column() {
    let err = |line: &str| match planned(line) {
        Err(PlanError::Script(d)) => d[0].to_string(),
        other => panic!("expected a diagnostic, got {other:?}"),
    };
    let why = err(&ZC.replace("cmsg_type=CMSG_TYPE_RECVERR, ", ""));
    assert!(why.contains("--> t.pkt:4:94"), "{why}");
    assert!(why.contains("a cmsg needs cmsg_type=…"), "{why}");
    let why = err(&ZC.replace("SO_EE_ORIGIN_ZEROCOPY", "SO_EE_ORIGIN_NOPE"));
    assert!(why.contains("unknown name `SO_EE_ORIGIN_NOPE`"), "{why}");
    assert!(why.contains("--> t.pkt:4:"), "{why}");
    let why = err("+0 recvmsg(4, {msg_iov(1)=[{...,0}], msg_control=5}, MSG_ERRQUEUE) = 0");
    assert!(why.contains("msg_control needs an array of cmsgs"), "{why}");
    // A field this version does not compare: unsupported, not ignored.
    match planned(&ZC.replace("ee_data=1", "ee_pad=1")) {
        Err(PlanError::Unsupported(why)) => {
            assert!(why.starts_with("t.pkt:4:"), "{why}");
            assert!(why.contains("`ee_pad` is not compared"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn results_are_compared_field_by_field_with_what_differs() {
    let (_, e) = one(ZC);
    let m = msg_of(&e);
    assert_eq!(
        check(m, &zerocopy_report(0, 1), 4 * MS, Duration::ZERO, false),
        None
    );
    assert_eq!(
        check(m, &zerocopy_report(0, 0), 4 * MS, Duration::ZERO, false).as_deref(),
        Some("cmsg 0: ee_data: expected 1, got 0 (in {ee_errno=0, ee_origin=5, ee_type=0, ee_code=1, ee_info=0, ee_data=0})")
    );
    // Over IPv6 the undefined symbols stand for SOL_IPV6 / IPV6_RECVERR.
    let why = check(m, &zerocopy_report(0, 1), 4 * MS, Duration::ZERO, true).expect("differs");
    assert!(
        why.starts_with("cmsg 0: expected cmsg_level=41, cmsg_type=25, got {cmsg_level=0"),
        "{why}"
    );
    let mut r = zerocopy_report(0, 1);
    r.data = CallData::Msg {
        flags: msg::MSG_ERRQUEUE | 0x20,
        cmsgs: Vec::new(),
    };
    assert_eq!(
        check(m, &r, 4 * MS, Duration::ZERO, false).as_deref(),
        Some("msg_flags: expected MSG_ERRQUEUE, got MSG_TRUNC|MSG_ERRQUEUE")
    );
    r.data = CallData::Msg {
        flags: msg::MSG_ERRQUEUE,
        cmsgs: Vec::new(),
    };
    assert_eq!(
        check(m, &r, 4 * MS, Duration::ZERO, false).as_deref(),
        Some("expected 1 cmsgs, got 0")
    );
    // A failed call filled nothing in: its errno is compared elsewhere.
    assert_eq!(
        check(
            m,
            &SockResult::err(libc::EAGAIN),
            4 * MS,
            Duration::ZERO,
            false
        ),
        None
    );
}

#[test]
fn a_timestamp_may_be_off_by_the_timing_floor_and_no_more() {
    let (_, e) = one(
        "+0 recvmsg(4, {msg_iov(1)=[{...,0}], msg_flags=MSG_ERRQUEUE|MSG_TRUNC, \
         msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, \
         cmsg_data={scm_sec=0,scm_nsec=20000000}}]}, MSG_ERRQUEUE) = 0",
    );
    let m = msg_of(&e);
    assert_eq!(m.flags, msg::MSG_ERRQUEUE | 0x20);
    let at = |us: i64| {
        SockResult::ok(0).with(CallData::Msg {
            flags: msg::MSG_ERRQUEUE | 0x20,
            cmsgs: vec![Cmsg::Timestamping {
                stamps: [Some(us), None, None],
            }],
        })
    };
    assert_eq!(check(m, &at(23_900), 4 * MS, Duration::ZERO, false), None);
    assert_eq!(check(m, &at(16_100), 4 * MS, Duration::ZERO, false), None);
    assert_eq!(
        check(m, &at(24_100), 4 * MS, Duration::ZERO, false).as_deref(),
        Some("cmsg 0: software timestamp: expected 0.020000 s (±0.004000 s), got 0.024100 s")
    );
    // The harness injected 72 ms late: a stamp of its act may be that much
    // later, never earlier (issue #12: lab_errq under a CPU hog).
    let late = 72 * MS;
    assert_eq!(
        check(m, &at(20_000 + 72_000 + 3_900), 4 * MS, late, false),
        None
    );
    assert_eq!(
        check(m, &at(20_000 + 72_000 + 4_100), 4 * MS, late, false).as_deref(),
        Some(
            "cmsg 0: software timestamp: expected 0.020000 s (-0.004000 s, +0.076000 s with the \
             harness 0.072000 s late), got 0.096100 s"
        )
    );
    assert!(check(m, &at(15_900), 4 * MS, late, false).is_some());
    // `scm_sec=0, scm_nsec=0` is not compared.
    let (_, e) = one(
        "+0 recvmsg(4, {msg_iov(1)=[{...,0}], msg_flags=MSG_ERRQUEUE|MSG_TRUNC, \
         msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, \
         cmsg_data={scm_sec=0,scm_nsec=0}}]}, MSG_ERRQUEUE) = 0",
    );
    assert_eq!(
        check(msg_of(&e), &at(999_000), 4 * MS, Duration::ZERO, false),
        None
    );
}

#[test]
fn flags_print_by_name() {
    assert_eq!(flags_text(0), "0");
    assert_eq!(flags_text(msg::MSG_ERRQUEUE), "MSG_ERRQUEUE");
    assert_eq!(flags_text(0x1_0000_0000), "0x100000000");
}

#[test]
fn a_fast_open_key_is_its_octets_cut_or_padded_to_the_length() {
    let (call, _) = one("+0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY, \"\\x01\\x02\", 16) = 0");
    let mut want = vec![1, 2];
    want.resize(16, 0);
    assert!(
        matches!(&call, SockCall::SetOpt { opt: SockOpt::FastOpenKey, value: OptValue::Bytes(b), .. } if *b == want),
        "{call:?}"
    );
    let (call, _) = one("+0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY, \"\", 3) = -1");
    assert!(
        matches!(&call, SockCall::SetOpt { value: OptValue::Bytes(b), .. } if b.len() == 3),
        "{call:?}"
    );
    match planned("+0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY, [1], 16) = 0") {
        Err(PlanError::Script(d)) => {
            assert!(d[0].to_string().contains("takes a string"), "{}", d[0])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_blocking_active_open_is_under_test_from_its_start() {
    use crate::run::syscall_sock::SockApp;
    let mut app = SockApp::default();
    app.events(
        &SockCall::Connect { fd: 4 },
        &SockResult::err(libc::EINPROGRESS),
    );
    assert_eq!(app.under_test(), Some(4));
    let tfo = SockCall::Send {
        fd: 5,
        bytes: vec![0; 10],
        flags: i64::from(libc::MSG_FASTOPEN),
        iov: Vec::new(),
    };
    app.started(&tfo);
    assert_eq!(app.under_test(), Some(5), "before it returns");
    app.started(&SockCall::Close { fd: 5 });
    assert_eq!(app.under_test(), Some(5), "other calls change nothing");
}

#[test]
fn pipe_and_splice_name_their_descriptors_and_bad_forms_are_diagnostics() {
    let (call, _) = one("+0 pipe([5, 6]) = 0");
    assert_eq!(call, SockCall::Pipe { rd: 5, wr: 6 });
    let (call, _) = one("+0 splice(4, NULL, 6, NULL, 99, SPLICE_F_NONBLOCK) = 99");
    assert_eq!(
        call,
        SockCall::Splice {
            fd_in: 4,
            fd_out: 6,
            len: 99,
            flags: 2
        }
    );
    let err = |line: &str| match planned(line) {
        Err(PlanError::Script(d)) => d[0].to_string(),
        other => panic!("expected a diagnostic, got {other:?}"),
    };
    assert!(err("+0 pipe([5]) = 0").contains("the two descriptors"));
    let why = err("+0 splice(4, [0], 6, NULL, 99, 0) = 99");
    assert!(
        why.contains("offsets are NULL") && why.contains("--> t.pkt:4:14"),
        "{why}"
    );
    assert!(err("+0 splice(4, NULL, 6, NULL, 99, SPLICE_F_X) = 99").contains("unknown splice flag"));
    // What the oracle hears: from the socket, a read; into it, a write.
    let mut app = crate::run::syscall_sock::SockApp::default();
    app.events(&SockCall::Pipe { rd: 5, wr: 6 }, &SockResult::ok(0));
    let into_pipe = SockCall::Splice {
        fd_in: 4,
        fd_out: 6,
        len: 99,
        flags: 0,
    };
    assert_eq!(
        app.events(&into_pipe, &SockResult::ok(99)),
        vec![crate::oracle::AppEvent::Read(99)]
    );
    let from_pipe = SockCall::Splice {
        fd_in: 5,
        fd_out: 4,
        len: 99,
        flags: 0,
    };
    assert_eq!(
        app.events(&from_pipe, &SockResult::ok(9)),
        vec![crate::oracle::AppEvent::Write(9)]
    );
    assert!(app
        .events(&SockCall::Close { fd: 5 }, &SockResult::ok(0))
        .is_empty());
}
