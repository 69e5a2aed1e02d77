//! A live segment written back in script syntax, with script-space numbers:
//! what a `<` or `>` line for it would say. Transcripts, mismatch messages and
//! snapshots use this form, so they carry no ISNs.

use super::mapping::Mapping;
use crate::wire::{Segment, TcpOption};
use std::fmt::Write;

/// Which side sent the segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    Harness,
    Target,
}

/// `S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>` for `seg`.
pub fn script_line(seg: &Segment, sender: Sender, map: &Mapping) -> String {
    let (seq, ack) = match sender {
        Sender::Harness => (map.harness_script(seg.seq), map.target_script(seg.ack)),
        Sender::Target => (map.target_script(seg.seq), map.harness_script(seg.ack)),
    };
    let len = seg.payload.len() as u32;
    let mut out = format!(
        "{} {}:{}({})",
        flags_text(seg),
        seq,
        seq.wrapping_add(len),
        len
    );
    if seg.flags.ack() || seg.ack.0 != 0 {
        let _ = write!(out, " ack {ack}");
    }
    let _ = write!(out, " win {}", seg.window);
    if seg.flags.urg() || seg.urgent != 0 {
        let _ = write!(out, " urg {}", seg.urgent);
    }
    if !seg.options.is_empty() {
        let _ = write!(out, " {}", options_text(&seg.options, sender, map));
    }
    if let Some(d) = seg.data_offset {
        if usize::from(d) != seg.derived_data_offset() {
            let _ = write!(out, " /* doff {d} */");
        }
    }
    out
}

/// The flags as a case line writes them (`.` alone for a bare ACK, `none`
/// for no flags at all, as the parser reads it).
pub fn flags_text(seg: &Segment) -> String {
    seg.flags.to_string()
}

/// `<mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7>` in script space.
pub fn options_text(options: &[TcpOption], sender: Sender, map: &Mapping) -> String {
    let items: Vec<String> = options
        .iter()
        .filter(|o| !matches!(o, TcpOption::Padding(p) if p.iter().all(|b| *b == 0)))
        .map(|o| match o {
            TcpOption::Eol => "eol".to_string(),
            TcpOption::Nop => "nop".to_string(),
            TcpOption::Mss(v) => format!("mss {v}"),
            TcpOption::WindowScale(v) => format!("wscale {v}"),
            TcpOption::SackPermitted => "sackOK".to_string(),
            TcpOption::Sack(blocks) => {
                let mut s = "sack".to_string();
                for (l, r) in blocks {
                    let (l, r) = match sender {
                        // SACK blocks acknowledge the other side's data.
                        Sender::Harness => (
                            map.target_script(crate::wire::SeqNumber(*l)),
                            map.target_script(crate::wire::SeqNumber(*r)),
                        ),
                        Sender::Target => (
                            map.harness_script(crate::wire::SeqNumber(*l)),
                            map.harness_script(crate::wire::SeqNumber(*r)),
                        ),
                    };
                    let _ = write!(s, " {l}:{r}");
                }
                s
            }
            TcpOption::Timestamps { tsval, tsecr } => match sender {
                Sender::Harness => format!("TS val {tsval} ecr {}", map.target_ts_script(*tsecr)),
                Sender::Target => format!("TS val {} ecr {tsecr}", map.target_ts_script(*tsval)),
            },
            other => {
                let bytes = crate::wire::emit_options(std::slice::from_ref(other));
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("raw {hex}")
            }
        })
        .collect();
    format!("<{}>", items.join(","))
}
