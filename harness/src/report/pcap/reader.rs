//! The capture reader: classic pcap and pcapng, several link types, never a
//! panic on hostile input (see the module docs of `report::pcap`).

use std::fmt;
use std::path::Path;
use std::time::Duration;

/// One IP packet from a capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedPacket {
    /// Time since the capture's first packet (zero for packets whose time
    /// runs backwards).
    pub ts: Duration,
    /// The IP packet (IPv4 or IPv6 header first), link header removed.
    pub ip_bytes: Vec<u8>,
}

/// What a capture held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capture {
    /// The IP packets read, in file order.
    pub packets: Vec<CapturedPacket>,
    /// Records that were not usable IP packets: another link type or
    /// ethertype, a frame too short for its link header, an unknown
    /// interface, a record cut short by the end of the file.
    pub skipped: usize,
    /// The file ended inside a record or block.
    pub truncated: bool,
    /// Why each record was not read, with its byte offset in the file
    /// (`record at byte 40: …`), in file order.
    pub warnings: Vec<String>,
}

/// Why bytes are not a capture at all (the user's file is at fault).
#[derive(Debug)]
pub enum CaptureError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The first bytes are not a pcap or pcapng magic number.
    NotACapture {
        /// The file's first four bytes.
        magic: [u8; 4],
    },
    /// The file is shorter than its format's header.
    TruncatedHeader {
        /// Bytes the header takes.
        need: usize,
        /// Bytes the file has.
        have: usize,
    },
    /// A pcapng section header that does not parse.
    BadSection(String),
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io(e) => write!(f, "cannot read the capture: {e}"),
            CaptureError::NotACapture { magic } => write!(
                f,
                "not a pcap or pcapng file (starts with {:02x}{:02x}{:02x}{:02x})",
                magic[0], magic[1], magic[2], magic[3]
            ),
            CaptureError::TruncatedHeader { need, have } => write!(
                f,
                "capture truncated: its header needs {need} bytes, the file has {have}"
            ),
            CaptureError::BadSection(m) => write!(f, "bad pcapng section header: {m}"),
        }
    }
}
impl std::error::Error for CaptureError {}

/// Reads a capture file.
pub fn read_capture_file(path: &Path) -> Result<Capture, CaptureError> {
    let data = std::fs::read(path).map_err(CaptureError::Io)?;
    read_capture(&data)
}

/// The fuzz entry: reads `data` as a capture and parses every packet with
/// `wire::parse`. Must never panic.
pub fn fuzz_capture(data: &[u8]) {
    if let Ok(c) = read_capture(data) {
        for p in &c.packets {
            let _ = crate::wire::parse(&p.ip_bytes);
        }
    }
}

/// Reads a pcap or pcapng capture from memory.
pub fn read_capture(data: &[u8]) -> Result<Capture, CaptureError> {
    let Some(magic) = data.get(..4) else {
        return Err(CaptureError::TruncatedHeader {
            need: 4,
            have: data.len(),
        });
    };
    let magic = [magic[0], magic[1], magic[2], magic[3]];
    let mut b = Builder::default();
    match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => read_pcap(data, Endian::Little, 1_000, &mut b)?,
        [0xa1, 0xb2, 0xc3, 0xd4] => read_pcap(data, Endian::Big, 1_000, &mut b)?,
        [0x4d, 0x3c, 0xb2, 0xa1] => read_pcap(data, Endian::Little, 1, &mut b)?,
        [0xa1, 0xb2, 0x3c, 0x4d] => read_pcap(data, Endian::Big, 1, &mut b)?,
        [0x0a, 0x0d, 0x0d, 0x0a] => read_pcapng(data, &mut b)?,
        _ => return Err(CaptureError::NotACapture { magic }),
    }
    Ok(b.finish())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn u16(self, d: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = d.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        })
    }
    fn u32(self, d: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        })
    }
}

/// Collects packets, converting absolute nanoseconds into time since the
/// first packet.
#[derive(Default)]
struct Builder {
    first_ns: Option<u128>,
    /// The latest packet's time: simple packet blocks carry none.
    last_ns: u128,
    cap: Capture,
}

impl Builder {
    fn push(&mut self, at: usize, ts_ns: u128, link: u32, frame: &[u8]) {
        match ip_from_frame(link, frame) {
            Some(ip) => {
                let first = *self.first_ns.get_or_insert(ts_ns);
                self.last_ns = ts_ns;
                let since = ts_ns.saturating_sub(first);
                let ts = Duration::new(
                    u64::try_from(since / 1_000_000_000).unwrap_or(u64::MAX),
                    (since % 1_000_000_000) as u32,
                );
                self.cap.packets.push(CapturedPacket {
                    ts,
                    ip_bytes: ip.to_vec(),
                });
            }
            None => self.skip(at, format!("not an IPv4 or IPv6 packet (link type {link})")),
        }
    }
    fn skip(&mut self, at: usize, why: String) {
        self.cap.skipped += 1;
        self.cap
            .warnings
            .push(format!("record at byte {at}: {why}"));
    }
    fn truncated(&mut self, at: usize, why: String) {
        self.cap.truncated = true;
        self.skip(at, why);
    }
    fn finish(self) -> Capture {
        self.cap
    }
}

/// Classic pcap. `unit_ns` is 1,000 for microsecond files and 1 for
/// nanosecond ones.
fn read_pcap(data: &[u8], e: Endian, unit_ns: u128, b: &mut Builder) -> Result<(), CaptureError> {
    if data.len() < 24 {
        return Err(CaptureError::TruncatedHeader {
            need: 24,
            have: data.len(),
        });
    }
    // The link type is the low 16 bits; the upper bits may carry FCS info.
    let link = e.u32(data, 20).unwrap_or(0) & 0xffff;
    let mut at = 24usize;
    while at < data.len() {
        let (Some(secs), Some(frac), Some(incl), Some(_)) = (
            e.u32(data, at),
            e.u32(data, at + 4),
            e.u32(data, at + 8),
            e.u32(data, at + 12),
        ) else {
            let left = data.len() - at;
            b.truncated(
                at,
                format!("the file ends inside its 16-byte header ({left} octets left)"),
            );
            return Ok(());
        };
        let start = at + 16;
        let Some(frame) = usize::try_from(incl)
            .ok()
            .and_then(|n| data.get(start..start.checked_add(n)?))
        else {
            let left = data.len() - start;
            b.truncated(
                at,
                format!("its {incl} captured octets run past the end of the file ({left} left)"),
            );
            return Ok(());
        };
        let ts = u128::from(secs) * 1_000_000_000 + u128::from(frac) * unit_ns;
        b.push(at, ts, link, frame);
        at = start + frame.len();
    }
    Ok(())
}

/// One pcapng interface: its link type and timestamp resolution.
#[derive(Clone, Copy, Debug)]
struct Interface {
    link: u32,
    snaplen: u32,
    /// `if_tsresol`: bit 7 set means a power of two, else of ten.
    tsresol: u8,
    /// `if_tsoffset`, seconds.
    tsoffset: i64,
}

impl Interface {
    /// Nanoseconds since the epoch for a raw timestamp, when representable.
    fn ns(&self, ticks: u64) -> Option<u128> {
        let ticks = u128::from(ticks);
        let ns = if self.tsresol & 0x80 != 0 {
            let exp = u32::from(self.tsresol & 0x7f);
            // ticks < 2^64, times 1e9 < 2^94: no overflow.
            (ticks * 1_000_000_000).checked_shr(exp).unwrap_or(0)
        } else {
            let exp = u32::from(self.tsresol);
            if exp <= 9 {
                ticks * 10u128.pow(9 - exp)
            } else {
                10u128.checked_pow(exp - 9).map_or(0, |d| ticks / d)
            }
        };
        let offset = i128::from(self.tsoffset) * 1_000_000_000;
        u128::try_from(i128::try_from(ns).ok()?.checked_add(offset)?).ok()
    }
}

const BT_SHB: u32 = 0x0a0d_0d0a;
const BT_IDB: u32 = 1;
const BT_OPB: u32 = 2;
const BT_SPB: u32 = 3;
const BT_EPB: u32 = 6;

fn read_pcapng(data: &[u8], b: &mut Builder) -> Result<(), CaptureError> {
    let mut at = 0usize;
    let mut e = Endian::Little;
    let mut ifaces: Vec<Interface> = Vec::new();
    let mut first = true;
    while at < data.len() {
        let Some(rest) = data.get(at..) else { break };
        if rest.len() < 12 {
            let left = rest.len();
            b.truncated(
                at,
                format!("the file ends inside a block header ({left} octets left)"),
            );
            return Ok(());
        }
        // The section header's type reads the same in both byte orders.
        if rest[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
            e = match &rest[8..12] {
                [0x4d, 0x3c, 0x2b, 0x1a] => Endian::Little,
                [0x1a, 0x2b, 0x3c, 0x4d] => Endian::Big,
                m if first => {
                    return Err(CaptureError::BadSection(format!(
                        "byte-order magic {m:02x?}"
                    )))
                }
                // A later bad section: nothing after it can be trusted.
                m => {
                    b.truncated(
                        at,
                        format!(
                            "a section header with byte-order magic {m:02x?}: the rest is not read"
                        ),
                    );
                    return Ok(());
                }
            };
            ifaces.clear();
        } else if first {
            return Err(CaptureError::BadSection("no section header".into()));
        }
        let btype = e.u32(rest, 0).unwrap_or(0);
        let blen = e
            .u32(rest, 4)
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(0);
        if blen < 12 || blen > rest.len() {
            if first {
                return Err(CaptureError::BadSection(format!(
                    "block length {blen} with {} bytes in the file",
                    rest.len()
                )));
            }
            b.truncated(
                at,
                format!(
                    "block length {blen} with {} octets left in the file: the rest is not read",
                    rest.len()
                ),
            );
            return Ok(());
        }
        first = false;
        let body = &rest[8..blen - 4];
        match btype {
            BT_SHB => {}
            BT_IDB => match idb(e, body) {
                Some(i) => ifaces.push(i),
                // Keep interface numbering: a broken IDB still takes an id.
                None => ifaces.push(Interface {
                    link: u32::MAX,
                    snaplen: 0,
                    tsresol: 6,
                    tsoffset: 0,
                }),
            },
            BT_EPB | BT_OPB => packet_block(at, e, btype, body, &ifaces, b),
            BT_SPB => {
                let iface = ifaces.first();
                match (iface, e.u32(body, 0), body.get(4..)) {
                    (Some(i), Some(orig), Some(d)) => {
                        let mut n = d.len().min(usize::try_from(orig).unwrap_or(usize::MAX));
                        if i.snaplen != 0 {
                            n = n.min(usize::try_from(i.snaplen).unwrap_or(usize::MAX));
                        }
                        // Simple packet blocks carry no time: the
                        // previous packet's.
                        b.push(at, b.last_ns, i.link, &d[..n]);
                    }
                    (None, ..) => b.skip(at, "a simple packet block before any interface".into()),
                    _ => b.skip(at, "a simple packet block too short for its length".into()),
                }
            }
            // Name resolution, statistics, custom and unknown blocks.
            _ => {}
        }
        at += blen;
    }
    Ok(())
}

/// Interface description block: link type, snaplen, and the options that
/// change timestamps.
fn idb(e: Endian, body: &[u8]) -> Option<Interface> {
    let mut i = Interface {
        link: u32::from(e.u16(body, 0)?),
        snaplen: e.u32(body, 4)?,
        tsresol: 6,
        tsoffset: 0,
    };
    let mut at = 8usize;
    while let (Some(code), Some(len)) = (e.u16(body, at), e.u16(body, at + 2)) {
        let len = usize::from(len);
        let Some(val) = body.get(at + 4..at + 4 + len) else {
            break;
        };
        match code {
            0 => break,
            9 if len >= 1 => i.tsresol = val[0],
            14 if len >= 8 => {
                let raw: [u8; 8] = val[..8].try_into().ok()?;
                i.tsoffset = match e {
                    Endian::Little => i64::from_le_bytes(raw),
                    Endian::Big => i64::from_be_bytes(raw),
                };
            }
            _ => {}
        }
        at += 4 + len.next_multiple_of(4);
    }
    Some(i)
}

/// Enhanced (6) and obsolete (2) packet blocks.
fn packet_block(
    at: usize,
    e: Endian,
    btype: u32,
    body: &[u8],
    ifaces: &[Interface],
    b: &mut Builder,
) {
    let iface_id = if btype == BT_EPB {
        e.u32(body, 0).map(|v| v as usize)
    } else {
        e.u16(body, 0).map(usize::from)
    };
    let (Some(id), Some(hi), Some(lo), Some(caplen)) =
        (iface_id, e.u32(body, 4), e.u32(body, 8), e.u32(body, 12))
    else {
        b.skip(at, "a packet block too short for its header".into());
        return;
    };
    let Some(iface) = ifaces.get(id) else {
        b.skip(
            at,
            format!("a packet block of interface {id}, which no block described"),
        );
        return;
    };
    let Some(frame) = usize::try_from(caplen)
        .ok()
        .and_then(|n| body.get(20..20usize.checked_add(n)?))
    else {
        b.truncated(
            at,
            format!("a packet block whose {caplen} captured octets run past the block"),
        );
        return;
    };
    let ticks = (u64::from(hi) << 32) | u64::from(lo);
    match iface.ns(ticks) {
        Some(ns) => b.push(at, ns, iface.link, frame),
        None => b.skip(
            at,
            "a packet block whose timestamp cannot be represented".into(),
        ),
    }
}

/// The IP packet inside a link-layer frame, if there is one.
fn ip_from_frame(link: u32, frame: &[u8]) -> Option<&[u8]> {
    let ip = match link {
        // LINKTYPE_NULL: a 4-byte address family in the writer's byte
        // order; LINKTYPE_LOOP (108): the same in network order.
        0 | 108 => {
            let fam: [u8; 4] = frame.get(..4)?.try_into().ok()?;
            // The family fits one byte: a zero high half means network order.
            let fam = if link == 108 || (fam[0] == 0 && fam[1] == 0) {
                u32::from_be_bytes(fam)
            } else {
                u32::from_le_bytes(fam)
            };
            // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by OS.
            match fam {
                2 | 24 | 28 | 30 => frame.get(4..)?,
                _ => return None,
            }
        }
        1 => ethernet_payload(frame)?,
        12 | 14 | 101 => frame,
        228 => return (frame.first()? >> 4 == 4).then_some(frame),
        229 => return (frame.first()? >> 4 == 6).then_some(frame),
        // Linux cooked v1: the protocol (ethertype) at offset 14 of 16.
        113 => {
            let proto = u16::from_be_bytes(frame.get(14..16)?.try_into().ok()?);
            is_ip_ethertype(proto).then_some(frame.get(16..)?)?
        }
        // Linux cooked v2: the protocol at offset 0 of 20.
        276 => {
            let proto = u16::from_be_bytes(frame.get(0..2)?.try_into().ok()?);
            is_ip_ethertype(proto).then_some(frame.get(20..)?)?
        }
        _ => return None,
    };
    matches!(ip.first()? >> 4, 4 | 6).then_some(ip)
}

fn is_ip_ethertype(t: u16) -> bool {
    t == 0x0800 || t == 0x86dd
}

/// The payload of an Ethernet II frame carrying IPv4 or IPv6, past any
/// 802.1Q / 802.1ad tags.
fn ethernet_payload(frame: &[u8]) -> Option<&[u8]> {
    let mut at = 12usize;
    // At most a few stacked tags; more is not a real frame.
    for _ in 0..4 {
        let t = u16::from_be_bytes(frame.get(at..at + 2)?.try_into().ok()?);
        match t {
            0x8100 | 0x88a8 | 0x9100 => at += 4,
            t if is_ip_ethertype(t) => return frame.get(at + 2..),
            _ => return None,
        }
    }
    None
}
