//! The operation list a sequence fuzz input encodes, its decoder (never
//! panics, every byte string is an input) and its encoder (seeds, tests).
//!
//! # Byte format
//!
//! A hand-written format rather than `arbitrary`'s, so that seeds can be
//! encoded exactly and the decoding stays stable across crate versions.
//! Missing bytes read as zero; decoding stops at the end of the data or after
//! [`MAX_OPS`] operations.
//!
//! ```text
//! input   = service:u8 (index into Service::ALL, mod 6)  seed:u8  op*
//! op      = code:u8  body          code % 16: 0..=9 inject, 10..=12 wait, 13..=15 app
//! inject  = flags:u16  seq:ref  ack:ref  window:u16  urgent:u16
//!           doff:u8 (>= 0xf0: the raw data offset d & 0xf, else derived)
//!           csum:u8 (low nibble 0xf: corrupt)  nopts:u8 (mod 9)  option*
//!           len:u16 (mod 1461)  mode:u8 (odd: the len payload bytes follow; even: filler)
//! ref     = anchor:u8 (low 3 bits: anchor; bit 3: i32 delta, else i8)  delta
//! option  = tag:u8 (mod 9) then: 0 mss u16 | 1 wscale u8 | 2 sackOK | 3 sack n:u8 (mod 5) (u32 u32)*n
//!           | 4 TS val:u32 ecr:u32 | 5 nop | 6 eol | 7 unknown kind:u8 n:u8 (mod 38) data[n]
//!           | 8 raw n:u8 (mod 41) bytes[n]
//! wait    = ms:u16
//! app     = kind:u8 (mod 5): 0 write len:u16 (mod 4097) | 1 read len:u16 | 2 shutdown | 3 close | 4 abort
//! ```
//!
//! All multi-byte numbers are big-endian. Sequence and acknowledgment numbers
//! are chosen relative to what the target has said so far (see
//! [`SeqAnchor`], [`AckAnchor`]), so a mutated input stays near the window
//! edges instead of landing at random in 2^32.

use crate::target::Service;
use crate::wire::TcpFlags;

/// Operations per input, at most.
pub const MAX_OPS: usize = 64;
/// Payload bytes per injected segment, at most.
pub const MAX_PAYLOAD: usize = 1460;
/// Options per injected segment, at most.
pub const MAX_OPTIONS: usize = 8;
/// Bytes per application write, at most.
pub const MAX_WRITE: usize = 4096;

const INJECT_CODE: u8 = 0;
const WAIT_CODE: u8 = 10;
const APP_CODE: u8 = 13;

/// A decoded fuzz input: the service behind the port, a seed (harness ISN,
/// the target's randomness) and the operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The built-in service behind the target's port.
    pub service: Service,
    /// Seeds the harness's ISN and the target's randomness.
    pub seed: u8,
    /// The operations, at most [`MAX_OPS`].
    pub ops: Vec<Op>,
}

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Inject one crafted segment.
    Inject(Inject),
    /// Let this many milliseconds of session time pass (the target's
    /// timers fire; everything it sends is judged).
    Wait(u16),
    /// Act as the target's application on the connection under test.
    App(AppOp),
}

/// An application action, bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppOp {
    /// Write this many octets of filler (at most [`MAX_WRITE`]).
    Write(u16),
    /// Read up to this many octets.
    Read(u16),
    /// `shutdown(SHUT_WR)`: the application's CLOSE of its sending side.
    ShutdownWrite,
    /// `close()`: the application's CLOSE.
    Close,
    /// ABORT (RFC 9293 §3.10.5): a RST, the connection dropped.
    Abort,
}

/// Where a sequence number starts from (the harness's side of the
/// connection, i.e. the target's receive window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqAnchor {
    /// Harness ISN + delta: a script-space number (seeds use this).
    Script,
    /// RCV.NXT as the target last acknowledged it (the harness ISN before).
    RcvNxt,
    /// RCV.NXT + RCV.WND: the first octet right of the target's window.
    WindowEnd,
    /// RCV.NXT + 2^30: far away.
    Far,
    /// The delta itself, as an absolute number.
    Absolute,
}

/// Where an acknowledgment number starts from (the target's send side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckAnchor {
    /// Target ISN + delta (script space; the ISN is zero until learned).
    Script,
    /// SND.NXT of the target: one past the last octet it sent.
    SndNxt,
    /// SND.UNA of the target as far as the harness acknowledged it.
    SndUna,
    /// SND.NXT + 2^30: far away.
    Far,
    /// The delta itself, as an absolute number.
    Absolute,
}

/// A relative number: an anchor and a signed delta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rel<A> {
    /// What the number is relative to.
    pub anchor: A,
    /// Added to the anchor's value (modulo 2^32).
    pub delta: i32,
}

/// An option to put on an injected segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptOp {
    /// MSS (RFC 9293 §3.7.1).
    Mss(u16),
    /// Window scale shift (RFC 7323 §2).
    WindowScale(u8),
    /// SACK permitted (RFC 2018).
    SackPermitted,
    /// Blocks in the target's script space.
    Sack(Vec<(u32, u32)>),
    /// TSval as sent; TSecr in the target's script space.
    Timestamps {
        /// TSval as sent.
        tsval: u32,
        /// TSecr, relative to the target's first TSval.
        tsecr: u32,
    },
    /// No-operation.
    Nop,
    /// End of option list.
    Eol,
    /// An option of any other kind (RFC 9293 §3.2: kind, length, data).
    Unknown {
        /// The kind byte.
        kind: u8,
        /// The bytes after the length byte.
        data: Vec<u8>,
    },
    /// Bytes written as they are: malformed lengths, truncated options.
    Raw(Vec<u8>),
}

/// One segment to inject, with its numbers relative to the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inject {
    /// The flags field.
    pub flags: TcpFlags,
    /// Sequence number, relative to the harness's side.
    pub seq: Rel<SeqAnchor>,
    /// Acknowledgment number, relative to the target's side.
    pub ack: Rel<AckAnchor>,
    /// Window, unscaled.
    pub window: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// A raw data offset that may disagree with the options (`None`: derived).
    pub data_offset: Option<u8>,
    /// Send with a corrupted TCP checksum.
    pub bad_checksum: bool,
    /// Options, in order.
    pub options: Vec<OptOp>,
    /// Payload length; the bytes are the filler unless `payload` is given.
    pub len: u16,
    /// The payload's bytes when the input spells them.
    pub payload: Option<Vec<u8>>,
}

impl Inject {
    /// A segment at script-space numbers `seq` / `ack`, window 65535.
    pub fn script(flags: TcpFlags, seq: u32, ack: Option<u32>) -> Inject {
        Inject {
            flags,
            seq: Rel {
                anchor: SeqAnchor::Script,
                delta: seq as i32,
            },
            ack: match ack {
                Some(a) => Rel {
                    anchor: AckAnchor::Script,
                    delta: a as i32,
                },
                None => Rel {
                    anchor: AckAnchor::Absolute,
                    delta: 0,
                },
            },
            window: 65535,
            urgent: 0,
            data_offset: None,
            bad_checksum: false,
            options: Vec::new(),
            len: 0,
            payload: None,
        }
    }
}

/// Reads bytes front to back; past the end every read is zero.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let start = self.pos.min(self.data.len());
        let end = (self.pos + n).min(self.data.len());
        self.pos += n;
        self.data[start..end].to_vec()
    }
    fn rel<A>(&mut self, anchor: fn(u8) -> A) -> Rel<A> {
        let a = self.u8();
        let delta = if a & 0x08 != 0 {
            self.u32() as i32
        } else {
            i32::from(self.u8() as i8)
        };
        Rel {
            anchor: anchor(a & 0x07),
            delta,
        }
    }
}

fn seq_anchor(a: u8) -> SeqAnchor {
    match a % 5 {
        0 => SeqAnchor::RcvNxt,
        1 => SeqAnchor::WindowEnd,
        2 => SeqAnchor::Script,
        3 => SeqAnchor::Far,
        _ => SeqAnchor::Absolute,
    }
}

fn seq_anchor_code(a: SeqAnchor) -> u8 {
    match a {
        SeqAnchor::RcvNxt => 0,
        SeqAnchor::WindowEnd => 1,
        SeqAnchor::Script => 2,
        SeqAnchor::Far => 3,
        SeqAnchor::Absolute => 4,
    }
}

fn ack_anchor(a: u8) -> AckAnchor {
    match a % 5 {
        0 => AckAnchor::SndNxt,
        1 => AckAnchor::SndUna,
        2 => AckAnchor::Script,
        3 => AckAnchor::Far,
        _ => AckAnchor::Absolute,
    }
}

fn ack_anchor_code(a: AckAnchor) -> u8 {
    match a {
        AckAnchor::SndNxt => 0,
        AckAnchor::SndUna => 1,
        AckAnchor::Script => 2,
        AckAnchor::Far => 3,
        AckAnchor::Absolute => 4,
    }
}

/// Decodes any bytes into an input. Never panics; at most [`MAX_OPS`] ops.
pub fn decode(data: &[u8]) -> Input {
    let mut r = Reader { data, pos: 0 };
    let service = Service::ALL[usize::from(r.u8()) % Service::ALL.len()];
    let seed = r.u8();
    let mut ops = Vec::new();
    while !r.done() && ops.len() < MAX_OPS {
        let code = r.u8() % 16;
        let op = match code {
            0..=9 => Op::Inject(decode_inject(&mut r)),
            10..=12 => Op::Wait(r.u16()),
            _ => Op::App(match r.u8() % 5 {
                0 => AppOp::Write(r.u16() % (MAX_WRITE as u16 + 1)),
                1 => AppOp::Read(r.u16()),
                2 => AppOp::ShutdownWrite,
                3 => AppOp::Close,
                _ => AppOp::Abort,
            }),
        };
        ops.push(op);
    }
    Input { service, seed, ops }
}

fn decode_inject(r: &mut Reader<'_>) -> Inject {
    let flags = TcpFlags::from_bits_truncate(r.u16());
    let seq = r.rel(seq_anchor);
    let ack = r.rel(ack_anchor);
    let window = r.u16();
    let urgent = r.u16();
    let doff = r.u8();
    let data_offset = (doff >= 0xf0).then_some(doff & 0x0f);
    let bad_checksum = r.u8() & 0x0f == 0x0f;
    let nopts = usize::from(r.u8()) % (MAX_OPTIONS + 1);
    let options = (0..nopts).map(|_| decode_option(r)).collect();
    let mut len = r.u16() % (MAX_PAYLOAD as u16 + 1);
    let payload = (r.u8() & 1 == 1).then(|| r.bytes(usize::from(len)));
    if let Some(p) = &payload {
        // Cut short by the end of the data: the payload is what there is.
        len = p.len() as u16;
    }
    Inject {
        flags,
        seq,
        ack,
        window,
        urgent,
        data_offset,
        bad_checksum,
        options,
        len,
        payload,
    }
}

fn decode_option(r: &mut Reader<'_>) -> OptOp {
    match r.u8() % 9 {
        0 => OptOp::Mss(r.u16()),
        1 => OptOp::WindowScale(r.u8()),
        2 => OptOp::SackPermitted,
        3 => {
            let n = r.u8() % 5;
            OptOp::Sack((0..n).map(|_| (r.u32(), r.u32())).collect())
        }
        4 => OptOp::Timestamps {
            tsval: r.u32(),
            tsecr: r.u32(),
        },
        5 => OptOp::Nop,
        6 => OptOp::Eol,
        7 => {
            let kind = r.u8();
            let n = usize::from(r.u8() % 38);
            OptOp::Unknown {
                kind,
                data: r.bytes(n),
            }
        }
        _ => {
            let n = usize::from(r.u8() % 41);
            OptOp::Raw(r.bytes(n))
        }
    }
}

/// Encodes an input so that [`decode`] gives it back, provided every field
/// is within the decoder's bounds (ops ≤ [`MAX_OPS`], payload ≤
/// [`MAX_PAYLOAD`], options ≤ [`MAX_OPTIONS`], a literal payload exactly
/// `len` bytes, SACK ≤ 4 blocks, unknown data ≤ 37, raw ≤ 40 bytes);
/// longer lists are truncated to what decodes.
pub fn encode(input: &Input) -> Vec<u8> {
    let mut out = Vec::new();
    let service = Service::ALL
        .iter()
        .position(|s| *s == input.service)
        .unwrap_or(0);
    out.push(service as u8);
    out.push(input.seed);
    for op in input.ops.iter().take(MAX_OPS) {
        match op {
            Op::Inject(i) => {
                out.push(INJECT_CODE);
                encode_inject(i, &mut out);
            }
            Op::Wait(ms) => {
                out.push(WAIT_CODE);
                out.extend(ms.to_be_bytes());
            }
            Op::App(a) => {
                out.push(APP_CODE);
                match a {
                    AppOp::Write(n) => {
                        out.push(0);
                        out.extend((*n).min(MAX_WRITE as u16).to_be_bytes());
                    }
                    AppOp::Read(n) => {
                        out.push(1);
                        out.extend(n.to_be_bytes());
                    }
                    AppOp::ShutdownWrite => out.push(2),
                    AppOp::Close => out.push(3),
                    AppOp::Abort => out.push(4),
                }
            }
        }
    }
    out
}

fn encode_rel(code: u8, delta: i32, out: &mut Vec<u8>) {
    if let Ok(small) = i8::try_from(delta) {
        out.push(code);
        out.push(small as u8);
    } else {
        out.push(code | 0x08);
        out.extend(delta.to_be_bytes());
    }
}

fn encode_inject(i: &Inject, out: &mut Vec<u8>) {
    out.extend(i.flags.bits().to_be_bytes());
    encode_rel(seq_anchor_code(i.seq.anchor), i.seq.delta, out);
    encode_rel(ack_anchor_code(i.ack.anchor), i.ack.delta, out);
    out.extend(i.window.to_be_bytes());
    out.extend(i.urgent.to_be_bytes());
    out.push(i.data_offset.map_or(0, |d| 0xf0 | (d & 0x0f)));
    out.push(if i.bad_checksum { 0x0f } else { 0 });
    let opts = &i.options[..i.options.len().min(MAX_OPTIONS)];
    out.push(opts.len() as u8);
    for o in opts {
        encode_option(o, out);
    }
    let len = i.len.min(MAX_PAYLOAD as u16);
    out.extend(len.to_be_bytes());
    match &i.payload {
        Some(bytes) => {
            out.push(1);
            let mut b = bytes.clone();
            b.resize(usize::from(len), 0);
            out.extend(b);
        }
        None => out.push(0),
    }
}

fn encode_option(o: &OptOp, out: &mut Vec<u8>) {
    match o {
        OptOp::Mss(v) => {
            out.push(0);
            out.extend(v.to_be_bytes());
        }
        OptOp::WindowScale(v) => out.extend([1, *v]),
        OptOp::SackPermitted => out.push(2),
        OptOp::Sack(blocks) => {
            let blocks = &blocks[..blocks.len().min(4)];
            out.extend([3, blocks.len() as u8]);
            for (l, r) in blocks {
                out.extend(l.to_be_bytes());
                out.extend(r.to_be_bytes());
            }
        }
        OptOp::Timestamps { tsval, tsecr } => {
            out.push(4);
            out.extend(tsval.to_be_bytes());
            out.extend(tsecr.to_be_bytes());
        }
        OptOp::Nop => out.push(5),
        OptOp::Eol => out.push(6),
        OptOp::Unknown { kind, data } => {
            let data = &data[..data.len().min(37)];
            out.extend([7, *kind, data.len() as u8]);
            out.extend(data);
        }
        OptOp::Raw(bytes) => {
            let bytes = &bytes[..bytes.len().min(40)];
            out.extend([8, bytes.len() as u8]);
            out.extend(bytes);
        }
    }
}
