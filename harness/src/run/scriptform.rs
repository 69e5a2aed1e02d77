//! A live segment written back in script syntax, with script-space numbers:
//! what a `<` or `>` line for it would say. Transcripts, mismatch messages and
//! snapshots use this form, so they carry no ISNs.

use super::mapping::Mapping;
use crate::wire::{Segment, TcpOption};
use std::fmt::Write;

/// Which side sent the segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The harness (a `<` line): SEG.SEQ relative to the harness's ISN,
    /// SEG.ACK to the target's.
    Harness,
    /// The target (a `>` line): SEG.SEQ relative to the target's ISN,
    /// SEG.ACK to the harness's.
    Target,
}

/// `S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>` for `seg`.
pub fn script_line(seg: &Segment, sender: Sender, map: &Mapping) -> String {
    let (seq, ack) = match sender {
        Sender::Harness => (
            map.harness_script_in(seg.seq, seg.flags.syn()),
            map.target_script_in(seg.ack, seg.flags.syn()),
        ),
        Sender::Target => (
            map.target_script_in(seg.seq, seg.flags.syn()),
            map.harness_script_in(seg.ack, seg.flags.syn()),
        ),
    };
    let len = seg.payload.len() as u32;
    // One buffer, written in place without the formatting machinery: this
    // runs for every packet a report shows.
    let mut out = String::with_capacity(64);
    address_prefix(&mut out, seg);
    let _ = seg.flags.write_text(&mut out);
    out.push(' ');
    push_number(&mut out, seq);
    out.push(':');
    push_number(&mut out, seq.wrapping_add(len));
    out.push('(');
    push_number(&mut out, len);
    out.push(')');
    if seg.flags.ack() || seg.ack.0 != 0 {
        out.push_str(" ack ");
        push_number(&mut out, ack);
    }
    out.push_str(" win ");
    push_number(&mut out, u32::from(seg.window));
    if seg.flags.urg() || seg.urgent != 0 {
        out.push_str(" urg ");
        push_number(&mut out, u32::from(seg.urgent));
    }
    if !seg.options.is_empty() {
        out.push(' ');
        write_options(&mut out, &seg.options, sender, map);
    }
    if let Some(d) = seg.data_offset {
        if usize::from(d) != seg.derived_data_offset() {
            let _ = write!(out, " /* doff {d} */");
        }
    }
    out
}

/// `[src ADDR] ` / `[dst ADDR] ` for an address no session has: a multicast
/// or broadcast one, as a `<` line's `[src …]`/`[dst …]` sends (catalogue
/// row T15), or an IPv4 address ending in .255 (a directed broadcast: no
/// harness or target address ends so). Every other segment has none.
fn address_prefix(out: &mut String, seg: &Segment) {
    let odd = |a: std::net::IpAddr| match a {
        std::net::IpAddr::V4(a) => a.is_multicast() || a.octets()[3] == 255,
        std::net::IpAddr::V6(a) => a.is_multicast(),
    };
    let parts: Vec<String> = [("src", seg.ip.src()), ("dst", seg.ip.dst())]
        .into_iter()
        .filter(|(_, a)| odd(*a))
        .map(|(k, a)| format!("{k} {a}"))
        .collect();
    if !parts.is_empty() {
        let _ = write!(out, "[{}] ", parts.join(", "));
    }
}

/// `n` in decimal (as `Display` writes it), appended to `out`.
pub(crate) fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        // `n % 10` is below 10: the cast keeps every bit.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// The flags as a case line writes them (`.` alone for a bare ACK, `none`
/// for no flags at all, as the parser reads it).
pub fn flags_text(seg: &Segment) -> String {
    seg.flags.to_string()
}

/// `<mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7>` in script space.
pub fn options_text(options: &[TcpOption], sender: Sender, map: &Mapping) -> String {
    let mut out = String::new();
    write_options(&mut out, options, sender, map);
    out
}

/// [`options_text`], appended to `out`.
fn write_options(out: &mut String, options: &[TcpOption], sender: Sender, map: &Mapping) {
    out.push('<');
    let shown = options
        .iter()
        .filter(|o| !matches!(o, TcpOption::Padding(p) if p.iter().all(|b| *b == 0)));
    for (i, o) in shown.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = match o {
            TcpOption::Eol => write!(out, "eol"),
            TcpOption::Nop => write!(out, "nop"),
            TcpOption::Mss(v) => {
                out.push_str("mss ");
                push_number(out, u32::from(*v));
                Ok(())
            }
            TcpOption::WindowScale(v) => {
                out.push_str("wscale ");
                push_number(out, u32::from(*v));
                Ok(())
            }
            TcpOption::SackPermitted => write!(out, "sackOK"),
            TcpOption::Sack(blocks) => {
                out.push_str("sack");
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
                    let _ = write!(out, " {l}:{r}");
                }
                Ok(())
            }
            TcpOption::Timestamps { tsval, tsecr } => match sender {
                Sender::Harness => {
                    write!(out, "TS val {tsval} ecr {}", map.target_ts_script(*tsecr))
                }
                Sender::Target => {
                    write!(out, "TS val {} ecr {tsecr}", map.target_ts_script(*tsval))
                }
            },
            other => {
                out.push_str("raw ");
                for b in crate::wire::emit_options(std::slice::from_ref(other)) {
                    let _ = write!(out, "{b:02x}");
                }
                Ok(())
            }
        };
    }
    out.push('>');
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            65535,
            1_000_000,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let mut s = String::from("x");
            super::push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
