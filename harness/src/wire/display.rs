//! tcpdump-style one-line display (tcpdump's `print-tcp.c` format).
//!
//! ```text
//! 198.51.100.1.40000 > 192.0.2.1.8080: Flags [S], seq 0, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0
//! ```
//!
//! As tcpdump: `seq a:b` when there is payload, `seq a` on a SYN, FIN or RST
//! without payload, no `seq` otherwise; `ack N` when ACK is set; `urg N` when
//! URG is set; `options [...]` when there are any. Beyond tcpdump, so that
//! illegal segments read as what they are: a data offset that disagrees with
//! the option bytes prints `doff N`, unknown options print as
//! `unknown-<kind> 0x<data>`, malformed ones as `bad-opts 0x<bytes>`, and
//! padding after EOL only when it is not all zeros.

use super::option::TcpOption;
use super::segment::Segment;
use super::seq::SeqNumber;
use std::fmt::{self, Write as _};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::from("0x"), |mut s, b| {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// One option as tcpdump prints it, with SACK edges shown as
/// `edge - sack_base` (tcpdump makes them relative to the peer's ISN).
fn write_option(f: &mut impl fmt::Write, o: &TcpOption, sack_base: SeqNumber) -> fmt::Result {
    match o {
        TcpOption::Eol => f.write_str("eol"),
        TcpOption::Nop => f.write_str("nop"),
        TcpOption::Mss(v) => write!(f, "mss {v}"),
        TcpOption::WindowScale(s) => write!(f, "wscale {s}"),
        TcpOption::SackPermitted => f.write_str("sackOK"),
        TcpOption::Sack(blocks) => {
            write!(f, "sack {} ", blocks.len())?;
            for (left, right) in blocks {
                write!(
                    f,
                    "{{{}:{}}}",
                    SeqNumber(*left).offset_from(sack_base),
                    SeqNumber(*right).offset_from(sack_base)
                )?;
            }
            Ok(())
        }
        TcpOption::Timestamps { tsval, tsecr } => write!(f, "TS val {tsval} ecr {tsecr}"),
        TcpOption::Unknown { kind, data } if data.is_empty() => write!(f, "unknown-{kind}"),
        TcpOption::Unknown { kind, data } => write!(f, "unknown-{kind} {}", hex(data)),
        TcpOption::Malformed(bytes) => write!(f, "bad-opts {}", hex(bytes)),
        TcpOption::Padding(bytes) => write!(f, "padding {}", hex(bytes)),
    }
}

/// tcpdump's spelling: `mss 1460`, `sackOK`, `TS val 1 ecr 0`, `nop`,
/// `wscale 7`, `sack 1 {1:2}`, `eol`, `unknown-253 0x0102`, `bad-opts 0x..`.
impl fmt::Display for TcpOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_option(f, self, SeqNumber(0))
    }
}

impl Segment {
    fn write_line(
        &self,
        f: &mut impl fmt::Write,
        seq_base: SeqNumber,
        ack_base: SeqNumber,
    ) -> fmt::Result {
        write!(
            f,
            "{}.{} > {}.{}: Flags [{}]",
            self.ip.src(),
            self.src_port,
            self.ip.dst(),
            self.dst_port,
            self.flags
        )?;
        let len = self.payload.len() as u32;
        let seq = self.seq.offset_from(seq_base);
        if len > 0 {
            write!(f, ", seq {seq}:{}", seq.wrapping_add(len))?;
        } else if self.flags.syn() || self.flags.fin() || self.flags.rst() {
            write!(f, ", seq {seq}")?;
        }
        if self.flags.ack() {
            write!(f, ", ack {}", self.ack.offset_from(ack_base))?;
        }
        write!(f, ", win {}", self.window)?;
        if self.flags.urg() {
            write!(f, ", urg {}", self.urgent)?;
        }
        let shown: Vec<&TcpOption> = self
            .options
            .iter()
            .filter(|o| !matches!(o, TcpOption::Padding(p) if p.iter().all(|&b| b == 0)))
            .collect();
        if !shown.is_empty() {
            f.write_str(", options [")?;
            for (i, o) in shown.iter().enumerate() {
                if i > 0 {
                    f.write_char(',')?;
                }
                write_option(f, o, ack_base)?;
            }
            f.write_char(']')?;
        }
        if let Some(d) = self.data_offset {
            let option_bytes: usize = self.options.iter().map(TcpOption::wire_len).sum();
            if usize::from(d) * 4 != 20 + option_bytes {
                write!(f, ", doff {d}")?;
            }
        }
        write!(f, ", length {len}")
    }

    /// The one-line summary with sequence and acknowledgment numbers (and
    /// SACK edges) relative to the given bases, as tcpdump prints without
    /// `-S`: `seq_base` is the sender's ISN, `ack_base` the receiver's.
    /// Arithmetic wraps modulo 2^32.
    pub fn summary_relative(&self, seq_base: SeqNumber, ack_base: SeqNumber) -> String {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_line(&mut s, seq_base, ack_base);
        s
    }
}

/// tcpdump -S style (absolute numbers), without the leading `IP`/`IP6`.
impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_line(f, SeqNumber(0), SeqNumber(0))
    }
}
