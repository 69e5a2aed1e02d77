//! What `recvmsg` reads beside its bytes: `msg_flags` and the control
//! messages (`struct cmsghdr`), among them the socket's error queue
//! (`MSG_ERRQUEUE`): `MSG_ZEROCOPY` completions and `SO_TIMESTAMPING`
//! reports, each a `struct sock_extended_err` under `IP_RECVERR` (or
//! `IPV6_RECVERR`), a timestamp report also an `SCM_TIMESTAMPING` message
//! (Linux's `Documentation/networking/msg_zerocopy.rst` and
//! `timestamping.rst`).
//!
//! The numbers are Linux's, whichever target runs the call; the names are
//! those of Linux's headers, as packetdrill's scripts write them.

/// `SOL_SOCKET`.
pub const SOL_SOCKET: i32 = 1;
/// `SOL_IP`.
pub const SOL_IP: i32 = 0;
/// `SOL_IPV6`.
pub const SOL_IPV6: i32 = 41;
/// `SOL_TCP`.
pub const SOL_TCP: i32 = 6;
/// `IP_RECVERR`: a `sock_extended_err` at level `SOL_IP`.
pub const IP_RECVERR: i32 = 11;
/// `IPV6_RECVERR`: a `sock_extended_err` at level `SOL_IPV6`.
pub const IPV6_RECVERR: i32 = 25;
/// `SCM_TIMESTAMPING`: three `struct timespec` at level `SOL_SOCKET`.
pub const SCM_TIMESTAMPING: i32 = 37;

/// `MSG_ERRQUEUE`: `recvmsg` reads the socket's error queue.
pub const MSG_ERRQUEUE: i64 = 0x2000;
/// `MSG_ZEROCOPY`: `send` pins the pages, and reports their release on
/// the error queue.
pub const MSG_ZEROCOPY: i64 = 0x0400_0000;

/// Names of the values a control message, `msg_flags` or an option may
/// hold, with their numbers (Linux's): levels, types, `SO_EE_*`,
/// `SCM_TSTAMP_*`, `MSG_*`, `SOF_TIMESTAMPING_*` and `IP_PMTUDISC_*`.
pub const NAMES: [(&str, i64); 48] = [
    ("SOL_SOCKET", SOL_SOCKET as i64),
    ("SOL_IP", SOL_IP as i64),
    ("IPPROTO_IP", SOL_IP as i64),
    ("SOL_IPV6", SOL_IPV6 as i64),
    ("IPPROTO_IPV6", SOL_IPV6 as i64),
    ("SOL_TCP", SOL_TCP as i64),
    ("IPPROTO_TCP", SOL_TCP as i64),
    ("IP_RECVERR", IP_RECVERR as i64),
    ("IPV6_RECVERR", IPV6_RECVERR as i64),
    ("SCM_TIMESTAMPING", SCM_TIMESTAMPING as i64),
    ("TCP_CM_INQ", 36),
    ("SO_EE_ORIGIN_NONE", 0),
    ("SO_EE_ORIGIN_LOCAL", 1),
    ("SO_EE_ORIGIN_ICMP", 2),
    ("SO_EE_ORIGIN_ICMP6", 3),
    ("SO_EE_ORIGIN_TXSTATUS", 4),
    ("SO_EE_ORIGIN_TIMESTAMPING", 4),
    ("SO_EE_ORIGIN_ZEROCOPY", 5),
    ("SO_EE_ORIGIN_TXTIME", 6),
    ("SO_EE_CODE_ZEROCOPY_COPIED", 1),
    ("SCM_TSTAMP_SND", 0),
    ("SCM_TSTAMP_SCHED", 1),
    ("SCM_TSTAMP_ACK", 2),
    ("MSG_OOB", 0x1),
    ("MSG_PEEK", 0x2),
    ("MSG_CTRUNC", 0x8),
    ("MSG_TRUNC", 0x20),
    ("MSG_DONTWAIT", 0x40),
    ("MSG_EOR", 0x80),
    ("MSG_WAITALL", 0x100),
    ("MSG_ERRQUEUE", MSG_ERRQUEUE),
    ("MSG_ZEROCOPY", MSG_ZEROCOPY),
    ("SOF_TIMESTAMPING_TX_HARDWARE", 1 << 0),
    ("SOF_TIMESTAMPING_TX_SOFTWARE", 1 << 1),
    ("SOF_TIMESTAMPING_RX_HARDWARE", 1 << 2),
    ("SOF_TIMESTAMPING_RX_SOFTWARE", 1 << 3),
    ("SOF_TIMESTAMPING_SOFTWARE", 1 << 4),
    ("SOF_TIMESTAMPING_SYS_HARDWARE", 1 << 5),
    ("SOF_TIMESTAMPING_RAW_HARDWARE", 1 << 6),
    ("SOF_TIMESTAMPING_OPT_ID", 1 << 7),
    ("SOF_TIMESTAMPING_TX_SCHED", 1 << 8),
    ("SOF_TIMESTAMPING_TX_ACK", 1 << 9),
    ("SOF_TIMESTAMPING_OPT_CMSG", 1 << 10),
    ("SOF_TIMESTAMPING_OPT_TSONLY", 1 << 11),
    ("IP_PMTUDISC_DONT", 0),
    ("IP_PMTUDISC_WANT", 1),
    ("IP_PMTUDISC_DO", 2),
    ("IP_PMTUDISC_PROBE", 3),
];

/// The number of a name of [`NAMES`].
pub fn by_name(name: &str) -> Option<i64> {
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// `struct sock_extended_err`: what an error-queue message reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtendedErr {
    /// `ee_errno` (0 for a zerocopy completion, `ENOMSG` for a timestamp).
    pub errno: u32,
    /// `ee_origin` (`SO_EE_ORIGIN_ZEROCOPY`, `SO_EE_ORIGIN_TIMESTAMPING`, …).
    pub origin: u8,
    /// `ee_type`.
    pub kind: u8,
    /// `ee_code` (`SO_EE_CODE_ZEROCOPY_COPIED`: the kernel copied after all).
    pub code: u8,
    /// `ee_info`: a zerocopy range's first send, or the `SCM_TSTAMP_*` kind.
    pub info: u32,
    /// `ee_data`: a zerocopy range's last send, or the timestamp's byte (OPT_ID).
    pub data: u32,
}

impl ExtendedErr {
    /// The fields as the script names them, in `struct sock_extended_err`'s order.
    pub fn fields(&self) -> [(&'static str, i64); 6] {
        [
            ("ee_errno", i64::from(self.errno)),
            ("ee_origin", i64::from(self.origin)),
            ("ee_type", i64::from(self.kind)),
            ("ee_code", i64::from(self.code)),
            ("ee_info", i64::from(self.info)),
            ("ee_data", i64::from(self.data)),
        ]
    }
}

/// One control message `recvmsg` returned.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cmsg {
    /// `IP_RECVERR` or `IPV6_RECVERR`: an error-queue report.
    RecvErr {
        /// `cmsg_level`: `SOL_IP` or `SOL_IPV6`.
        level: i32,
        /// `cmsg_type`: `IP_RECVERR` or `IPV6_RECVERR`.
        kind: i32,
        /// The report.
        ee: ExtendedErr,
    },
    /// `SCM_TIMESTAMPING`: the software, (deprecated) and hardware
    /// timestamps, each in microseconds of the session's time (before its
    /// start: negative), `None` where the kernel wrote zero.
    Timestamping {
        /// `ts[0..3]`.
        stamps: [Option<i64>; 3],
    },
    /// Any other: its level, type and data.
    Other {
        /// `cmsg_level`.
        level: i32,
        /// `cmsg_type`.
        kind: i32,
        /// `CMSG_DATA`'s bytes.
        data: Vec<u8>,
    },
}

impl Cmsg {
    /// The message with `level`, `kind` and `data` as the kernel wrote
    /// them; `session_us` turns a `CLOCK_REALTIME` time in microseconds
    /// into the session's time.
    pub fn decode(level: i32, kind: i32, data: &[u8], session_us: impl Fn(i64) -> i64) -> Cmsg {
        let u32_at = |i: usize| {
            data.get(i..i + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_ne_bytes)
        };
        let i64_at = |i: usize| {
            data.get(i..i + 8)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_ne_bytes)
        };
        let recverr =
            (level == SOL_IP && kind == IP_RECVERR) || (level == SOL_IPV6 && kind == IPV6_RECVERR);
        if recverr && data.len() >= 16 {
            let ee = ExtendedErr {
                errno: u32_at(0).unwrap_or(0),
                origin: data[4],
                kind: data[5],
                code: data[6],
                info: u32_at(8).unwrap_or(0),
                data: u32_at(12).unwrap_or(0),
            };
            return Cmsg::RecvErr { level, kind, ee };
        }
        if level == SOL_SOCKET && kind == SCM_TIMESTAMPING && data.len() >= 48 {
            let mut stamps = [None; 3];
            for (i, s) in stamps.iter_mut().enumerate() {
                let (sec, nsec) = (i64_at(16 * i).unwrap_or(0), i64_at(16 * i + 8).unwrap_or(0));
                if sec != 0 || nsec != 0 {
                    *s = Some(session_us(sec * 1_000_000 + nsec / 1000));
                }
            }
            return Cmsg::Timestamping { stamps };
        }
        Cmsg::Other {
            level,
            kind,
            data: data.to_vec(),
        }
    }

    /// `(cmsg_level, cmsg_type)`.
    pub fn level_type(&self) -> (i32, i32) {
        match self {
            Cmsg::RecvErr { level, kind, .. } | Cmsg::Other { level, kind, .. } => (*level, *kind),
            Cmsg::Timestamping { .. } => (SOL_SOCKET, SCM_TIMESTAMPING),
        }
    }

    /// The message as a script writes it, for mismatch messages.
    pub fn text(&self) -> String {
        match self {
            Cmsg::RecvErr { level, kind, ee } => {
                let f: Vec<String> = ee
                    .fields()
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                format!(
                    "{{cmsg_level={level}, cmsg_type={kind}, cmsg_data={{{}}}}}",
                    f.join(", ")
                )
            }
            Cmsg::Timestamping { stamps } => {
                let t = stamps[0].map_or("0".to_string(), |us| format!("{:.6} s", us as f64 / 1e6));
                format!("{{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, software={t}}}")
            }
            Cmsg::Other { level, kind, data } => {
                format!(
                    "{{cmsg_level={level}, cmsg_type={kind}, {} bytes}}",
                    data.len()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_linux_s_numbers() {
        assert_eq!(by_name("MSG_ERRQUEUE"), Some(i64::from(libc::MSG_ERRQUEUE)));
        assert_eq!(by_name("MSG_ZEROCOPY"), Some(i64::from(libc::MSG_ZEROCOPY)));
        assert_eq!(by_name("MSG_TRUNC"), Some(i64::from(libc::MSG_TRUNC)));
        assert_eq!(by_name("SOL_IPV6"), Some(i64::from(libc::SOL_IPV6)));
        assert_eq!(by_name("IP_RECVERR"), Some(i64::from(libc::IP_RECVERR)));
        assert_eq!(by_name("IPV6_RECVERR"), Some(i64::from(libc::IPV6_RECVERR)));
        assert_eq!(
            by_name("SCM_TIMESTAMPING"),
            Some(i64::from(libc::SCM_TIMESTAMPING))
        );
        assert_eq!(
            by_name("SOF_TIMESTAMPING_TX_ACK"),
            Some(i64::from(libc::SOF_TIMESTAMPING_TX_ACK))
        );
        assert_eq!(
            by_name("SOF_TIMESTAMPING_OPT_ID"),
            Some(i64::from(libc::SOF_TIMESTAMPING_OPT_ID))
        );
        assert_eq!(by_name("SO_EE_ORIGIN_ZEROCOPY"), Some(5));
        assert_eq!(by_name("TCP_CM_INQ"), Some(i64::from(libc::TCP_CM_INQ)));
        assert_eq!(by_name("NO_SUCH"), None);
    }

    #[test]
    fn an_error_queue_report_and_a_timestamp_decode_field_by_field() {
        let mut ee = Vec::new();
        ee.extend_from_slice(&42u32.to_ne_bytes());
        ee.extend_from_slice(&[4, 0, 0, 0]);
        ee.extend_from_slice(&1u32.to_ne_bytes());
        ee.extend_from_slice(&1999u32.to_ne_bytes());
        ee.extend_from_slice(&[0; 16]); // the offender's address
        let c = Cmsg::decode(SOL_IP, IP_RECVERR, &ee, |t| t);
        let Cmsg::RecvErr { ee, .. } = c else {
            panic!("{c:?}")
        };
        assert_eq!((ee.errno, ee.origin, ee.info, ee.data), (42, 4, 1, 1999));
        let mut ts = Vec::new();
        for (s, ns) in [(5i64, 20_000_000i64), (0, 0), (0, 0)] {
            ts.extend_from_slice(&s.to_ne_bytes());
            ts.extend_from_slice(&ns.to_ne_bytes());
        }
        let c = Cmsg::decode(SOL_SOCKET, SCM_TIMESTAMPING, &ts, |t| t - 5_000_000);
        assert_eq!(
            c,
            Cmsg::Timestamping {
                stamps: [Some(20_000), None, None]
            }
        );
        // A type it does not know keeps its bytes.
        let c = Cmsg::decode(SOL_TCP, 36, &9000i32.to_ne_bytes(), |t| t);
        assert_eq!(c.level_type(), (SOL_TCP, 36));
    }
}
