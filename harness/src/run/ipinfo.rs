//! A packet line's IP prefix (`[ect0]`, `(tos 0x2)`, `[flowlabel 0x1]`,
//! `[ttl 9]`, `[src 224.0.0.1]`): set on injected segments, compared on expected ones. The ECN
//! field is the low two bits of the TOS / traffic class byte (RFC 3168
//! section 5).

use super::matcher::FieldMismatch;
use crate::script::{EcnSpec, IpInfo};
use crate::wire::IpEnvelope;
use std::net::IpAddr;

fn ecn_bits(e: EcnSpec) -> u8 {
    match e {
        EcnSpec::NotEct => 0b00,
        EcnSpec::Ect1 => 0b01,
        // `ect01` is for `>` lines; injected it would be ECT(0).
        EcnSpec::Ect0 | EcnSpec::Ect01 => 0b10,
        EcnSpec::Ce => 0b11,
    }
}

/// Sets what the prefix says on an envelope the harness injects.
pub fn apply(ip: &mut IpEnvelope, info: &IpInfo) {
    let (tos, ttl, flow) = match ip {
        IpEnvelope::V4 { tos, ttl, .. } => (tos, ttl, None),
        IpEnvelope::V6 {
            traffic_class,
            hop_limit,
            flow_label,
            ..
        } => (traffic_class, hop_limit, Some(flow_label)),
    };
    if let Some(t) = info.tos {
        *tos = t;
    }
    if let Some(e) = info.ecn {
        *tos = (*tos & !0b11) | ecn_bits(e);
    }
    if let Some(t) = info.ttl {
        *ttl = t;
    }
    if let (Some(f), Some(slot)) = (info.flow_label, flow) {
        *slot = f;
    }
    set_addresses(ip, info);
}

/// `src ADDR` / `dst ADDR` (T15): the envelope's addresses, where the
/// family matches (the runner refuses a line whose does not first:
/// [`family_mismatch`]).
fn set_addresses(ip: &mut IpEnvelope, info: &IpInfo) {
    match ip {
        IpEnvelope::V4 { src, dst, .. } => {
            if let Some(IpAddr::V4(a)) = info.src {
                *src = a;
            }
            if let Some(IpAddr::V4(a)) = info.dst {
                *dst = a;
            }
        }
        IpEnvelope::V6 { src, dst, .. } => {
            if let Some(IpAddr::V6(a)) = info.src {
                *src = a;
            }
            if let Some(IpAddr::V6(a)) = info.dst {
                *dst = a;
            }
        }
    }
}

/// The `src`/`dst` address of `info` whose family is not the session's
/// (`v4`: the session runs over IPv4).
pub fn family_mismatch(info: &IpInfo, v4: bool) -> Option<IpAddr> {
    [info.src, info.dst]
        .into_iter()
        .flatten()
        .find(|a| a.is_ipv4() != v4)
}

/// How a segment the target sent differs from the prefix of its `>` line.
pub fn mismatches(info: &IpInfo, ip: &IpEnvelope) -> Vec<FieldMismatch> {
    let (tos, ttl, flow) = match ip {
        IpEnvelope::V4 { tos, ttl, .. } => (*tos, *ttl, None),
        IpEnvelope::V6 {
            traffic_class,
            hop_limit,
            flow_label,
            ..
        } => (*traffic_class, *hop_limit, Some(*flow_label)),
    };
    let mut out = Vec::new();
    let ecn = tos & 0b11;
    if let Some(e) = info.ecn {
        let ok = match e {
            EcnSpec::Ect01 => ecn == 0b01 || ecn == 0b10,
            other => ecn == ecn_bits(other),
        };
        if !ok {
            out.push(FieldMismatch {
                field: "ip.ecn",
                expected: e.keyword().into(),
                got: ["noecn", "ect1", "ect0", "ce"][usize::from(ecn)].into(),
            });
        }
    }
    if let Some(t) = info.tos.filter(|t| *t != tos) {
        out.push(FieldMismatch {
            field: "ip.tos",
            expected: format!("0x{t:x}"),
            got: format!("0x{tos:x}"),
        });
    }
    if let Some(t) = info.ttl.filter(|t| *t != ttl) {
        out.push(FieldMismatch {
            field: "ip.ttl",
            expected: t.to_string(),
            got: ttl.to_string(),
        });
    }
    for (field, want, got) in [
        ("ip.src", info.src, ip.src()),
        ("ip.dst", info.dst, ip.dst()),
    ] {
        if let Some(want) = want.filter(|w| *w != got) {
            out.push(FieldMismatch {
                field,
                expected: want.to_string(),
                got: got.to_string(),
            });
        }
    }
    if let (Some(f), Some(got)) = (info.flow_label, flow) {
        if f != got {
            out.push(FieldMismatch {
                field: "ip.flowlabel",
                expected: format!("0x{f:x}"),
                got: format!("0x{got:x}"),
            });
        }
    }
    out
}
