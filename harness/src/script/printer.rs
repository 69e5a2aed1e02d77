//! The canonical form of a script: metadata first, one line per item, fields
//! in a fixed order, times in seconds without trailing zeros. Parsing the
//! printed form gives the same tree (spans aside), and printing is a fixed
//! point after one round.

use std::fmt::Write as _;

use super::ast::*;
use crate::wire::TcpFlags;

/// Prints `script` in canonical form.
pub fn print(script: &Script) -> String {
    let mut out = String::new();
    for m in &script.meta {
        out.push_str(&format!("//! {}: {}\n", m.key, meta_value(&m.value)));
    }
    for o in &script.options {
        match &o.value {
            Some(v) => out.push_str(&format!("--{}={v}\n", o.name)),
            None => out.push_str(&format!("--{}\n", o.name)),
        }
    }
    for c in &script.init {
        out.push_str(&format!("`{}`\n", c.text));
    }
    for item in &script.items {
        match item {
            Item::Line(line) => {
                out.push_str(&print_line(line));
                out.push('\n');
            }
            Item::Either { branches, .. } => {
                out.push_str("either\n");
                for (i, branch) in branches.iter().enumerate() {
                    if i > 0 {
                        out.push_str("or\n");
                    }
                    for line in branch {
                        out.push_str(&print_line(line));
                        out.push('\n');
                    }
                }
                out.push_str("end\n");
            }
        }
    }
    for c in &script.cleanup {
        out.push_str(&format!("`{}`\n", c.text));
    }
    out
}

fn meta_value(v: &MetaValue) -> String {
    match v {
        MetaValue::Text(s) => s.clone(),
        MetaValue::List(items) => items.join(", "),
        MetaValue::Duration(us) => secs(*us),
    }
}

/// Microseconds as seconds: `0`, `0.1`, `1.000005`.
pub fn secs(us: u64) -> String {
    let whole = us / 1_000_000;
    let frac = us % 1_000_000;
    if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:06}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// The time column of a line.
pub fn print_time(t: &TimeSpec) -> String {
    match *t {
        TimeSpec::Any => "*".into(),
        TimeSpec::Absolute(us) => secs(us),
        TimeSpec::Relative(us) => format!("+{}", secs(us)),
        TimeSpec::AbsoluteRange { lo, hi } => format!("{}~{}", secs(lo), secs(hi)),
        TimeSpec::RelativeRange { lo, hi } => format!("+{}~{}", secs(lo), secs(hi)),
    }
}

/// One line, without its newline.
pub fn print_line(line: &Line) -> String {
    let mut time = print_time(&line.time.node);
    let rest = match &line.kind {
        LineKind::Packet(p) => print_packet(p),
        LineKind::State(s) => format!("state {}", s.state.rfc_name()),
        LineKind::Syscall(s) => {
            if let Some(end) = s.end {
                let _ = write!(time, "...{}", secs(end));
            }
            print_syscall(s)
        }
        LineKind::Command(c) => format!("`{}`", c.text),
        LineKind::Code(c) => format!("%{{{}}}%", c.text),
        LineKind::Datagram(d) => print_datagram(d),
        LineKind::Stream(s) => super::stream::print(s),
    };
    format!("{time} {rest}")
}

fn value<T: std::fmt::Display>(v: &Value<T>) -> String {
    match v {
        Value::Exact(x) => x.to_string(),
        Value::Any => "*".into(),
    }
}

/// Letters of the flags a `>` line may mark optional, in print order.
const OPTIONAL_LETTERS: [(TcpFlags, char); 9] = [
    (TcpFlags::SYN, 'S'),
    (TcpFlags::FIN, 'F'),
    (TcpFlags::RST, 'R'),
    (TcpFlags::PSH, 'P'),
    (TcpFlags::URG, 'U'),
    (TcpFlags::ECE, 'E'),
    (TcpFlags::CWR, 'W'),
    (TcpFlags::AE, 'N'),
    (TcpFlags::ACK, '.'),
];

fn print_ip(ip: &IpInfo) -> String {
    let mut parts = Vec::new();
    if let Some(e) = ip.ecn {
        parts.push(e.keyword().to_string());
    }
    if let Some(t) = ip.tos {
        parts.push(format!("tos 0x{t:x}"));
    }
    if let Some(f) = ip.flow_label {
        parts.push(format!("flowlabel 0x{f:x}"));
    }
    if let Some(t) = ip.ttl {
        parts.push(format!("ttl {t}"));
    }
    if let Some(a) = ip.src {
        parts.push(format!("src {a}"));
    }
    if let Some(a) = ip.dst {
        parts.push(format!("dst {a}"));
    }
    format!("[{}]", parts.join(", "))
}

fn print_datagram(d: &DatagramLine) -> String {
    let mut s = String::from(match d.direction {
        Direction::Inject => "<",
        Direction::Expect => ">",
    });
    if let Some(ip) = &d.ip {
        s.push(' ');
        s.push_str(&print_ip(ip));
    }
    match &d.kind {
        DatagramKind::Icmp {
            icmp_type,
            code,
            mtu,
            id,
            echoed,
        } => {
            let _ = write!(s, " icmp {icmp_type}");
            if let Some(c) = code {
                let _ = write!(s, " {c}");
            }
            if let Some(m) = mtu {
                let _ = write!(s, " mtu {m}");
            }
            if let Some(i) = id {
                let _ = write!(s, " id {i}");
            }
            match echoed {
                Some(Echoed::Tcp(r)) => {
                    let _ = write!(s, " [{}:{}({})]", r.start, r.end(), r.len);
                }
                Some(Echoed::Udp(n)) => {
                    let _ = write!(s, " [udp ({n})]");
                }
                Some(Echoed::Raw(n)) => {
                    let _ = write!(s, " [raw ({n})]");
                }
                None => {}
            }
        }
        DatagramKind::Udp { len } => {
            let _ = write!(s, " udp ({len})");
        }
    }
    s
}

fn print_packet(p: &PacketLine) -> String {
    let mut s = String::from(match p.direction {
        Direction::Inject => "<",
        Direction::Expect => ">",
    });
    s.push(' ');
    if let Some(ip) = &p.ip {
        s.push_str(&print_ip(ip));
        s.push(' ');
    }
    if let Some(spi) = p.psp_spi {
        let _ = write!(s, "encap psp spi {spi} ");
    }
    // `none` means no flags at all; with optional flags the empty exact
    // part is written as nothing (`.?`).
    let exact_empty = p.flags.node == Value::Exact(TcpFlags::empty());
    if !exact_empty || p.flags_optional.is_empty() {
        s.push_str(&value(&p.flags.node));
    }
    for (flag, c) in OPTIONAL_LETTERS {
        if p.flags_optional.contains(flag) {
            s.push(c);
            s.push('?');
        }
    }
    if let Some(seq) = &p.seq {
        match seq.node {
            Value::Exact(r) => {
                let _ = write!(s, " {}:{}({})", r.start, r.end(), r.len);
            }
            Value::Any => s.push_str(" *"),
        }
    }
    if let Some(ack) = &p.ack {
        let _ = write!(s, " ack {}", value(&ack.node));
    }
    if let Some(win) = &p.win {
        let _ = write!(s, " win {}", value(&win.node));
    }
    if let Some(urg) = &p.urg {
        let _ = write!(s, " urg {}", value(&urg.node));
    }
    if let Some(opts) = &p.options {
        s.push(' ');
        s.push_str(&print_options(opts));
    }
    if let Some(payload) = &p.payload {
        match &payload.node {
            Value::Exact(bytes) => {
                let _ = write!(s, " payload {}", quote(bytes));
            }
            Value::Any => s.push_str(" payload *"),
        }
    }
    if p.bad_csum {
        s.push_str(" csum bad");
    }
    s
}

/// The `<…>` option list.
pub fn print_options(list: &OptionList) -> String {
    if list.any {
        return "<...>".into();
    }
    let mut parts: Vec<String> = list.items.iter().map(|o| print_option(&o.node)).collect();
    if list.more {
        parts.push("...".into());
    }
    format!("<{}>", parts.join(","))
}

fn print_option(o: &OptSpec) -> String {
    match o {
        OptSpec::Mss(v) => format!("mss {}", value(v)),
        OptSpec::WScale(v) => format!("wscale {}", value(v)),
        OptSpec::SackOk => "sackOK".into(),
        OptSpec::Sack(blocks) => {
            let mut s = String::from("sack");
            for (l, r) in blocks {
                let _ = write!(s, " {}:{}", value(l), value(r));
            }
            s
        }
        OptSpec::Ts { val, ecr } => format!("TS val {} ecr {}", value(val), value(ecr)),
        OptSpec::Nop => "nop".into(),
        OptSpec::Eol => "eol".into(),
        OptSpec::Raw(bytes) => print_raw(bytes),
    }
}

/// Option bytes: packetdrill's name for the kinds it names (when the length
/// byte agrees, so that parsing the name gives the same bytes), else `raw`.
fn print_raw(bytes: &[u8]) -> String {
    use super::options::*;
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let len_ok = bytes.len() >= 2 && usize::from(bytes[1]) == bytes.len();
    match bytes.first() {
        Some(&KIND_FAST_OPEN) if len_ok => format!("FO {}", hex(&bytes[2..])).trim_end().into(),
        Some(&KIND_EXPERIMENTAL) if len_ok && bytes[2..].starts_with(&FAST_OPEN_MAGIC) => {
            format!("FOEXP {}", hex(&bytes[4..])).trim_end().into()
        }
        Some(&KIND_MD5) if len_ok && bytes.len() == 18 => format!("md5 {}", hex(&bytes[2..])),
        Some(&k @ (KIND_ACCECN0 | KIND_ACCECN1)) if len_ok && matches!(bytes.len(), 5 | 8 | 11) => {
            let names = if k == KIND_ACCECN0 {
                ["e0b", "ceb", "e1b"]
            } else {
                ["e1b", "ceb", "e0b"]
            };
            let mut s = String::from("ECN");
            for (name, c) in names.iter().zip(bytes[2..].chunks(3)) {
                let n = u32::from_be_bytes([0, c[0], c[1], c[2]]);
                let _ = write!(s, " {name} {n}");
            }
            s
        }
        _ => format!("raw {}", hex(bytes)),
    }
}

/// A C-style string literal: printable ASCII as is, `\r \n \t \0 \\ \"`,
/// everything else `\xHH`.
pub fn quote(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0 => s.push_str("\\0"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    s
}

fn print_syscall(s: &SyscallLine) -> String {
    let args: Vec<String> = s.args.iter().map(print_expr).collect();
    let mut out = format!(
        "{}({}) = {}",
        s.name,
        args.join(", "),
        print_expr(&s.result)
    );
    if let Some(errno) = &s.errno {
        out.push(' ');
        out.push_str(errno);
    }
    if let Some(note) = &s.note {
        let _ = write!(out, " ({note})");
    }
    out
}

/// A syscall expression.
pub fn print_expr(e: &Expr) -> String {
    let list = |xs: &[Expr]| xs.iter().map(print_expr).collect::<Vec<_>>().join(", ");
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Ident(s) => s.clone(),
        ExprKind::Str(bytes) => quote(bytes),
        ExprKind::Ellipsis => "...".into(),
        ExprKind::Or(terms) => terms.iter().map(print_expr).collect::<Vec<_>>().join("|"),
        ExprKind::Array(xs) => format!("[{}]", list(xs)),
        ExprKind::Struct(fields) => {
            let fs: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}={}", print_expr(v)))
                .collect();
            format!("{{{}}}", fs.join(", "))
        }
        ExprKind::List(xs) => format!("{{{}}}", list(xs)),
        ExprKind::AddrOf(name) => format!("&{name}"),
        ExprKind::Call { name, args } => format!("{name}({})", list(args)),
    }
}
