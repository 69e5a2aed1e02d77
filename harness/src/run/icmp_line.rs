//! `< icmp …` lines: the harness, playing a router on the path, sends the
//! target an ICMP or ICMPv6 error quoting a segment the target sent
//! (packetdrill's form, [`crate::wire::icmp`] for the names). What the
//! target must do after one is up to the case's next lines: a smaller
//! segment after frag-needed / Packet Too Big (RFC 1191 §3, RFC 8201 §4,
//! RFC 9293 §3.7.2), the connection kept on a soft error (RFC 9293
//! §3.9.2.2 MUST-56), aborted on a hard one in SYN-SENT (SHLD-26).
//! (Methods of [`super::CaseRun`].)

use super::*;
use crate::script::{DatagramKind, DatagramLine, Echoed};
use crate::wire::icmp::{self, IcmpMessage, IcmpView, Quote};

impl CaseRun<'_> {
    /// Sends the ICMP message of `d` now; a `udp` line stays unsupported.
    pub(super) fn icmp_line(&mut self, d: &DatagramLine, line: u32) -> Result<Duration, Stop> {
        let path = self.case.path.display().to_string();
        let DatagramKind::Icmp {
            icmp_type,
            code,
            mtu,
            id,
            echoed,
        } = &d.kind
        else {
            return Err(Stop::Unsupported(format!(
                "{path}:{line}: udp packet lines are parsed but not injected in this version"
            )));
        };
        let info = self.inject_info();
        let v6 = info.target.is_ipv6();
        let (ty, code) = icmp::resolve(v6, icmp_type, code.as_deref())
            .map_err(|e| Stop::Unsupported(format!("{path}:{line}: {e}")))?;
        let (target, harness) = (info.target, info.harness);
        let quote = match echoed {
            // The segment the target sent: its sequence numbers in the
            // target's script space, as on a `>` line.
            Some(Echoed::Tcp(r)) => Quote::Tcp {
                src: target.ip(),
                dst: harness.ip(),
                src_port: target.port(),
                dst_port: harness.port(),
                seq: self.map.target_live(r.start).0,
                len: r.len,
            },
            // No quote: the target's script sequence number 0 (its ISN), as
            // packetdrill quotes it. Linux acts on an error about a
            // SYN-RECEIVED request only when the quote is that ISN
            // (`fastopen/server/icmp-baseline`), on a connection only within
            // SND.UNA..SND.NXT (RFC 5927 §4.1).
            None => Quote::Tcp {
                src: target.ip(),
                dst: harness.ip(),
                src_port: target.port(),
                dst_port: harness.port(),
                seq: self.map.target_live(0).0,
                len: 0,
            },
            Some(Echoed::Udp(n)) => Quote::Udp {
                src: target.ip(),
                dst: harness.ip(),
                len: *n,
            },
            Some(Echoed::Raw(n)) => Quote::Raw(*n),
        };
        let bytes = IcmpMessage {
            src: harness.ip(),
            dst: target.ip(),
            ty,
            code,
            mtu: *mtu,
            id: *id,
            quote,
        }
        .to_bytes();
        self.pace();
        super::super::syscall::report_service_calls(self.session.as_mut(), &mut self.oracle);
        let at = self.session.now();
        let sent = self.session.inject(&bytes);
        let view = IcmpView::parse(&bytes);
        if let Some(v) = &view {
            self.icmp.on_icmp(at, v, target.port());
        }
        // In script space, as the line wrote it (the live ports and
        // sequence number would change every run).
        let shown = script_form(&d.kind);
        self.transcript.push(Entry {
            at,
            line: Some(line),
            what: EntryKind::Packet {
                dir: Dir::In,
                bytes,
                segment: None,
                script: shown.into(),
                checksum_ok: true,
            },
        });
        match sent {
            Ok(()) => Ok(at),
            Err(e) => Err(self.broke(Some(line), e)),
        }
    }
}

/// `icmp TYPE [CODE] [mtu N] [quote]` with the quote's script numbers.
fn script_form(kind: &DatagramKind) -> String {
    let DatagramKind::Icmp {
        icmp_type,
        code,
        mtu,
        echoed,
        ..
    } = kind
    else {
        return "udp".into();
    };
    let mut s = format!("icmp {icmp_type}");
    if let Some(c) = code {
        s += &format!(" {c}");
    }
    if let Some(m) = mtu {
        s += &format!(" mtu {m}");
    }
    match echoed {
        Some(Echoed::Tcp(r)) => s += &format!(" [{}:{}({})]", r.start, r.end(), r.len),
        Some(Echoed::Udp(n)) => s += &format!(" [udp ({n})]"),
        Some(Echoed::Raw(n)) => s += &format!(" [raw ({n})]"),
        None => {}
    }
    s
}
