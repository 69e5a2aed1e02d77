//! `recvmsg`'s `struct msghdr` as packetdrill's scripts write it, and the
//! comparison of what the call returned with it: `msg_flags` (exactly, as
//! packetdrill compares it), then the control messages one by one: level,
//! type, and the data by kind: a `sock_extended_err` field by field
//! (`{ee_errno=…, ee_origin=…, ee_type=…, ee_code=…, ee_info=…,
//! ee_data=…}`), an `SCM_TIMESTAMPING` software timestamp
//! (`{scm_sec=S, scm_nsec=N}`, script time, within the case's timing
//! floor; `0, 0` is not compared), or an `int` (`cmsg_data=9000`).
//!
//! `CMSG_LEVEL_IP` and `CMSG_TYPE_RECVERR`, which packetdrill's
//! `run_all.py` defines per family (`-D CMSG_LEVEL_IP=SOL_IP`), stand for
//! the session's family's `SOL_IP`/`IP_RECVERR` or `SOL_IPV6`/`IPV6_RECVERR`
//! when the run does not define them, so one script runs over both.

use super::{unsupported, wrong, R};
use crate::script::{Expr, ExprKind};
use crate::target::calls::msg::{self, Cmsg};
use crate::target::calls::{errno_by_name, CallData, SockResult};
use std::time::Duration;

/// A `cmsg_level` or `cmsg_type` as the script gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sym {
    /// A number (or a name of one).
    Num(i64),
    /// `CMSG_LEVEL_IP` left undefined: `SOL_IP`, or `SOL_IPV6` over IPv6.
    LevelIp,
    /// `CMSG_TYPE_RECVERR` left undefined: `IP_RECVERR` or `IPV6_RECVERR`.
    TypeRecvErr,
}

impl Sym {
    fn value(self, v6: bool) -> i64 {
        match self {
            Sym::Num(n) => n,
            Sym::LevelIp if v6 => i64::from(msg::SOL_IPV6),
            Sym::LevelIp => i64::from(msg::SOL_IP),
            Sym::TypeRecvErr if v6 => i64::from(msg::IPV6_RECVERR),
            Sym::TypeRecvErr => i64::from(msg::IP_RECVERR),
        }
    }
}

/// What one control message's data must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CmsgData {
    /// `{ee_errno=…, …}`: the fields named, in order.
    Ee(Vec<(String, i64)>),
    /// `{scm_sec=S, scm_nsec=N}`: the software timestamp in microseconds
    /// of script time (0: not compared).
    Stamp(i64),
    /// `cmsg_data=N`: an `int`.
    Int(i64),
}

/// One `{cmsg_level=…, cmsg_type=…, cmsg_data=…}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmsgExpect {
    /// `cmsg_level`.
    pub level: Sym,
    /// `cmsg_type`.
    pub kind: Sym,
    /// `cmsg_data`.
    pub data: CmsgData,
}

/// What a `recvmsg` must fill in its `struct msghdr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgExpect {
    /// `msg_flags` on return (packetdrill: 0 when the script leaves it out).
    pub flags: i64,
    /// `msg_control`'s messages, when the script gives `msg_control`.
    pub cmsgs: Option<Vec<CmsgExpect>>,
}

const EE_FIELDS: [&str; 6] = [
    "ee_errno",
    "ee_origin",
    "ee_type",
    "ee_code",
    "ee_info",
    "ee_data",
];

/// A number, a name of one (`MSG_ERRQUEUE`, `SO_EE_ORIGIN_ZEROCOPY`,
/// `ENOMSG`), or `A|B`; `[N]` as `N`.
pub fn value(e: &Expr) -> R<i64> {
    match &e.kind {
        ExprKind::Int(n) => Ok(*n),
        ExprKind::Ident(name) => msg::by_name(name)
            .or_else(|| errno_by_name(name).map(i64::from))
            .ok_or_else(|| {
                wrong(
                    e.span,
                    format!("unknown name `{name}`"),
                    Some("a number, a Linux name (MSG_ERRQUEUE, SO_EE_ORIGIN_ZEROCOPY, SCM_TSTAMP_ACK, SOF_TIMESTAMPING_*, ENOMSG), or -D NAME=VALUE"),
                )
            }),
        ExprKind::Or(terms) => terms.iter().try_fold(0, |acc, t| Ok(acc | value(t)?)),
        ExprKind::Array(v) if v.len() == 1 => value(&v[0]),
        _ => Err(wrong(e.span, "a number or a name is needed here", None)),
    }
}

fn sym(e: &Expr) -> R<Sym> {
    match &e.kind {
        ExprKind::Ident(n) if n == "CMSG_LEVEL_IP" => Ok(Sym::LevelIp),
        ExprKind::Ident(n) if n == "CMSG_TYPE_RECVERR" => Ok(Sym::TypeRecvErr),
        _ => value(e).map(Sym::Num),
    }
}

fn field<'a>(fields: &'a [(String, Expr)], name: &str) -> Option<&'a Expr> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn cmsg_data(e: &Expr) -> R<CmsgData> {
    let ExprKind::Struct(fields) = &e.kind else {
        return value(e).map(CmsgData::Int);
    };
    if field(fields, "scm_sec").is_some() || field(fields, "scm_nsec").is_some() {
        let part = |k: &str| match field(fields, k) {
            Some(v) => value(v),
            None => Err(wrong(e.span, format!("a timestamp needs {k}=N"), None)),
        };
        let (sec, nsec) = (part("scm_sec")?, part("scm_nsec")?);
        return Ok(CmsgData::Stamp(sec * 1_000_000 + nsec / 1000));
    }
    let mut want = Vec::new();
    for (k, v) in fields {
        if !EE_FIELDS.contains(&k.as_str()) {
            return Err(unsupported(
                v.span,
                format!(
                    "cmsg_data field `{k}` is not compared (compared: {}, scm_sec, scm_nsec)",
                    EE_FIELDS.join(", ")
                ),
            ));
        }
        want.push((k.clone(), value(v)?));
    }
    Ok(CmsgData::Ee(want))
}

/// The `msg_flags` and `msg_control` of `recvmsg`'s `struct msghdr`.
pub fn msghdr(e: &Expr) -> R<MsgExpect> {
    let ExprKind::Struct(fields) = &e.kind else {
        return Err(wrong(e.span, "`recvmsg` needs a struct msghdr here", None));
    };
    let flags = match field(fields, "msg_flags") {
        Some(v) => value(v)?,
        None => 0,
    };
    let cmsgs = match fields.iter().find(|(k, _)| k.starts_with("msg_control")) {
        None => None,
        Some((_, v)) => {
            let help = Some("msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=0, …}}]");
            let ExprKind::Array(items) = &v.kind else {
                return Err(wrong(v.span, "msg_control needs an array of cmsgs", help));
            };
            let mut out = Vec::new();
            for it in items {
                let ExprKind::Struct(cf) = &it.kind else {
                    return Err(wrong(
                        it.span,
                        "a cmsg is {cmsg_level=…, cmsg_type=…, cmsg_data=…}",
                        help,
                    ));
                };
                let get = |k: &str| {
                    field(cf, k).ok_or_else(|| wrong(it.span, format!("a cmsg needs {k}=…"), help))
                };
                out.push(CmsgExpect {
                    level: sym(get("cmsg_level")?)?,
                    kind: sym(get("cmsg_type")?)?,
                    data: cmsg_data(get("cmsg_data")?)?,
                });
            }
            Some(out)
        }
    };
    Ok(MsgExpect { flags, cmsgs })
}

/// Whether a `recvmsg` line is performed as [`crate::target::SockCall::RecvMsg`]:
/// it gives `msg_control` or reads the error queue.
pub fn wants_msg(m: &MsgExpect, flags: i64) -> bool {
    m.cmsgs.is_some() || flags & msg::MSG_ERRQUEUE != 0
}

/// `MSG_ERRQUEUE|MSG_TRUNC` for the flags set.
pub fn flags_text(bits: i64) -> String {
    let mut names = Vec::new();
    let mut left = bits;
    for (n, v) in msg::NAMES.iter().filter(|(n, _)| n.starts_with("MSG_")) {
        if bits & v != 0 && left & v != 0 {
            names.push((*n).to_string());
            left &= !v;
        }
    }
    if left != 0 {
        names.push(format!("{left:#x}"));
    }
    if names.is_empty() {
        "0".into()
    } else {
        names.join("|")
    }
}

/// What differs between the `msghdr` a `recvmsg` filled in and what the
/// line expects (`None`: nothing, or the call failed). `floor`: the case's
/// timing tolerance floor, which a timestamp may be off by (packetdrill's
/// `tolerance_usecs`); `late`: the harness's own lateness in this case so
/// far (`late.rs`), by which a timestamp may come later, never earlier: a
/// kernel timestamp of a segment the harness injected late (an ACK's
/// SOF_TIMESTAMPING_TX_ACK) is as late as the injection; `v6`: the
/// session's family.
pub fn check(
    want: &MsgExpect,
    got: &SockResult,
    floor: Duration,
    late: Duration,
    v6: bool,
) -> Option<String> {
    let CallData::Msg { flags, cmsgs } = &got.data else {
        return None;
    };
    if got.ret < 0 {
        return None;
    }
    if *flags != want.flags {
        return Some(format!(
            "msg_flags: expected {}, got {}",
            flags_text(want.flags),
            flags_text(*flags)
        ));
    }
    let want_c = want.cmsgs.as_ref()?;
    for (i, w) in want_c.iter().enumerate() {
        let Some(g) = cmsgs.get(i) else {
            return Some(format!(
                "expected {} cmsgs, got {}",
                want_c.len(),
                cmsgs.len()
            ));
        };
        if let Some(why) = check_one(w, g, floor, late, v6) {
            return Some(format!("cmsg {i}: {why}"));
        }
    }
    if cmsgs.len() > want_c.len() {
        return Some(format!(
            "expected {} cmsgs, got {}: the next is {}",
            want_c.len(),
            cmsgs.len(),
            cmsgs[want_c.len()].text()
        ));
    }
    None
}

fn check_one(
    w: &CmsgExpect,
    g: &Cmsg,
    floor: Duration,
    late: Duration,
    v6: bool,
) -> Option<String> {
    let (level, kind) = g.level_type();
    let (wl, wk) = (w.level.value(v6), w.kind.value(v6));
    if (wl, wk) != (i64::from(level), i64::from(kind)) {
        return Some(format!(
            "expected cmsg_level={wl}, cmsg_type={wk}, got {}",
            g.text()
        ));
    }
    match (&w.data, g) {
        (CmsgData::Ee(fields), Cmsg::RecvErr { ee, .. }) => {
            let got = ee.fields();
            fields.iter().find_map(|(k, v)| {
                let (_, g) = got.iter().find(|(n, _)| n == k)?;
                (g != v).then(|| format!("{k}: expected {v}, got {g} (in {})", g_text(ee)))
            })
        }
        (CmsgData::Stamp(0), Cmsg::Timestamping { .. }) => None,
        (CmsgData::Stamp(us), Cmsg::Timestamping { stamps }) => {
            let tol = floor.as_micros() as i64;
            let late = late.as_micros() as i64;
            let secs = |u: i64| u as f64 / 1e6;
            match stamps[0] {
                Some(g) if g >= us - tol && g <= us + late + tol => None,
                // The lateness is named only past the floor, so that a
                // message stays the same from run to run on time.
                Some(g) if late > tol => Some(format!(
                    "software timestamp: expected {:.6} s (-{:.6} s, +{:.6} s with the \
                     harness {:.6} s late), got {:.6} s",
                    secs(*us),
                    secs(tol),
                    secs(late + tol),
                    secs(late),
                    secs(g)
                )),
                Some(g) => Some(format!(
                    "software timestamp: expected {:.6} s (±{:.6} s), got {:.6} s",
                    secs(*us),
                    secs(tol),
                    secs(g)
                )),
                None => Some(format!(
                    "software timestamp: expected {:.6} s, got none",
                    secs(*us)
                )),
            }
        }
        (CmsgData::Int(v), Cmsg::Other { data, .. }) if data.len() == 4 => {
            let g = i64::from(i32::from_ne_bytes([data[0], data[1], data[2], data[3]]));
            (g != *v).then(|| format!("cmsg_data: expected {v}, got {g}"))
        }
        (want, got) => Some(format!(
            "cmsg_data: expected {}, got {}",
            match want {
                CmsgData::Ee(_) => "a sock_extended_err",
                CmsgData::Stamp(_) => "an scm_timestamping",
                CmsgData::Int(_) => "an int",
            },
            got.text()
        )),
    }
}

fn g_text(ee: &msg::ExtendedErr) -> String {
    let f: Vec<String> = ee
        .fields()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("{{{}}}", f.join(", "))
}

#[cfg(test)]
#[path = "syscall_sock_msg_tests.rs"]
mod tests;
