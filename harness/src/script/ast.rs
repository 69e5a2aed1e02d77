//! The case language's syntax tree. Every node carries a [`Span`] so that the
//! resolver and the runner can point back at the source; [`StripSpans`]
//! zeroes them when two trees are compared for meaning only.

use crate::wire::{TcpFlags, TcpState};

/// Where a node sits in the source: byte offsets `start..end`, and the
/// 1-based line and column (in characters) of `start`, for display.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// The 1-based line of `start`.
    pub line: u32,
    /// The 1-based column of `start`, in characters.
    pub col: u32,
    /// The byte offset of the first byte.
    pub start: usize,
    /// The byte offset just past the last byte.
    pub end: usize,
}

impl Span {
    /// The smallest span covering `self` and `other` (line and column of the earlier).
    pub fn to(self, other: Span) -> Span {
        let (first, _) = if other.start < self.start {
            (other, self)
        } else {
            (self, other)
        };
        Span {
            line: first.line,
            col: first.col,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

/// A field that is either an exact value or `*` (any value; `>` lines only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<T> {
    /// The field must be (or is sent as) this value.
    Exact(T),
    /// `*`: any value matches.
    Any,
}

impl<T> Value<T> {
    /// The exact value, or `None` for `*`.
    pub fn exact(&self) -> Option<&T> {
        match self {
            Value::Exact(v) => Some(v),
            Value::Any => None,
        }
    }
}

/// A whole case file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    /// `//! key: value` lines, in source order.
    pub meta: Vec<Meta>,
    /// `--name=value` lines (packetdrill's command-line options, written in
    /// the script), in source order.
    pub options: Vec<ScriptOption>,
    /// Back-quoted commands without a time before the first timed line
    /// (packetdrill's init command), in source order.
    pub init: Vec<Command>,
    /// The timed lines and `either` blocks, in source order.
    pub items: Vec<Item>,
    /// Back-quoted commands without a time after the last timed line
    /// (packetdrill's cleanup command).
    pub cleanup: Vec<Command>,
}

impl Script {
    /// The first metadata entry with this key.
    pub fn meta(&self, key: &str) -> Option<&Meta> {
        self.meta.iter().find(|m| m.key == key)
    }
    /// Every metadata entry with this key (e.g. repeated `rfc`).
    pub fn meta_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Meta> + 'a {
        self.meta.iter().filter(move |m| m.key == key)
    }
    /// The text of the first `key` entry (`title`, `service`, `profile`, …).
    pub fn meta_text(&self, key: &str) -> Option<&str> {
        match self.meta(key).map(|m| &m.value) {
            Some(MetaValue::Text(s)) => Some(s),
            _ => None,
        }
    }
    /// Every item of every `key` list entry (`covers`, `tags`), in order.
    pub fn meta_list<'a>(&'a self, key: &'a str) -> Vec<&'a str> {
        self.meta_all(key)
            .flat_map(|m| match &m.value {
                MetaValue::List(items) => items.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            })
            .collect()
    }
    /// The first `key` duration (`close-delay`, `tolerance`, `deadline`), in microseconds.
    pub fn meta_duration(&self, key: &str) -> Option<u64> {
        match self.meta(key).map(|m| &m.value) {
            Some(MetaValue::Duration(us)) => Some(*us),
            _ => None,
        }
    }
}

/// A `--name=value` (or bare `--name`) option line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptOption {
    /// Without the leading `--` (`tolerance_usecs`).
    pub name: String,
    /// The text after `=`, trimmed; `None` for a bare `--name`.
    pub value: Option<String>,
    /// The whole line.
    pub span: Span,
}

/// A back-quoted shell command: `` `sysctl -q net.ipv4.tcp_sack=0` ``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The text between the back quotes, as written (it may span lines).
    pub text: String,
    /// From the opening to the closing back quote.
    pub span: Span,
}

/// A `%{ … }%` block of Python, run after the script with the `tcpi_*`
/// values of the time it appears at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// The text between `%{` and `}%`, as written.
    pub text: String,
    /// From `%{` to `}%` (its `line` is the line the block starts on).
    pub span: Span,
}

/// One `//! key: value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// The key before the colon (`title`, `covers`, …).
    pub key: String,
    /// The value after it, typed by the key.
    pub value: MetaValue,
    /// The whole line.
    pub span: Span,
}

/// A metadata value, typed by its key: `covers` and `tags` are lists,
/// `close-delay`, `tolerance` and `deadline` are durations, everything else
/// (known or not) is text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetaValue {
    /// The text after the colon, trimmed.
    Text(String),
    /// Comma-separated items, each trimmed.
    List(Vec<String>),
    /// Microseconds.
    Duration(u64),
}

/// How a metadata key's value is parsed.
pub(crate) fn meta_kind(key: &str) -> MetaKind {
    match key {
        "covers" | "tags" => MetaKind::List,
        "close-delay" | "tolerance" | "deadline" => MetaKind::Duration,
        _ => MetaKind::Text,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetaKind {
    Text,
    List,
    Duration,
}

/// A top-level item: one line, or an `either … or … end` block.
// A line is much larger than a block's Vec, but a tree is built once per case.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// One timed line.
    Line(Line),
    /// Alternatives the RFCs allow; each branch holds only `>` and `state`
    /// lines. The span runs from `either` to `end`.
    Either {
        /// The branches, in source order; any one of them may match.
        branches: Vec<Vec<Line>>,
        /// From `either` to `end`.
        span: Span,
    },
}

/// One timed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// When the line happens.
    pub time: Spanned<TimeSpec>,
    /// What the line does.
    pub kind: LineKind,
    /// The whole line, time included.
    pub span: Span,
}

/// When a line happens, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSpec {
    /// `*`: any time.
    Any,
    /// `0.1`: since the start of the case.
    Absolute(u64),
    /// `+0.1`: since the previous line.
    Relative(u64),
    /// `0.1~0.2`: absolute, inclusive.
    AbsoluteRange {
        /// The earliest time.
        lo: u64,
        /// The latest time.
        hi: u64,
    },
    /// `+0~0.5`: both ends relative to the previous line.
    RelativeRange {
        /// The earliest time, after the previous line.
        lo: u64,
        /// The latest time, after the previous line.
        hi: u64,
    },
}

/// What a timed line does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// `<` or `>` a TCP segment.
    Packet(PacketLine),
    /// `state NAME`: the target socket's state.
    State(StateLine),
    /// A socket-API call the target's application makes.
    Syscall(SyscallLine),
    /// A timed back-quoted command: `` +0 `nstat -n` ``.
    Command(Command),
    /// A timed `%{ … }%` block.
    Code(CodeBlock),
    /// `< icmp …` or `< udp …`: a packet that is not TCP.
    Datagram(DatagramLine),
    /// `> stream LEN [fin] [ack N]`: see [`super::stream`].
    Stream(super::stream::StreamLine),
}

/// `[ect0]`, `(tos 0x2)`, `[flowlabel 0x1]`, `[ttl 64]`, `[ect1, flowlabel 0x1]`,
/// `[src 224.0.0.1]`: what a packet line says about its IP header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpInfo {
    /// The ECN field (RFC 3168 section 5).
    pub ecn: Option<EcnSpec>,
    /// `tos 0x..`: the whole TOS / traffic class byte.
    pub tos: Option<u8>,
    /// `flowlabel 0x..` (IPv6).
    pub flow_label: Option<u32>,
    /// `ttl N` (IPv4 TTL, IPv6 hop limit).
    pub ttl: Option<u8>,
    /// `src ADDR`: the segment's source address instead of the harness's
    /// (`<` lines; compared on `>` lines, as the target's): see [`super::ipaddr`].
    pub src: Option<std::net::IpAddr>,
    /// `dst ADDR`: the segment's destination address instead of the
    /// target's (`<` lines; compared on `>` lines): see [`super::ipaddr`].
    pub dst: Option<std::net::IpAddr>,
    /// From the opening to the closing bracket.
    pub span: Span,
}

/// The ECN codepoint a packet line names (RFC 3168 section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcnSpec {
    /// `noecn`: Not-ECT (00).
    NotEct,
    /// `ect1`: ECT(1) (01).
    Ect1,
    /// `ect0`: ECT(0) (10).
    Ect0,
    /// `ce`: CE (11).
    Ce,
    /// `ect01`: ECT(0) or ECT(1) (`>` lines).
    Ect01,
}

impl EcnSpec {
    /// The keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            EcnSpec::NotEct => "noecn",
            EcnSpec::Ect1 => "ect1",
            EcnSpec::Ect0 => "ect0",
            EcnSpec::Ce => "ce",
            EcnSpec::Ect01 => "ect01",
        }
    }
}

/// `< icmp unreachable frag_needed mtu 1200 [1:1001(1000)]` or `< udp (100)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatagramLine {
    /// `<` (only injection is supported).
    pub direction: Direction,
    /// What the line says about the IP header, if anything.
    pub ip: Option<IpInfo>,
    /// ICMP or UDP, and its fields.
    pub kind: DatagramKind,
    /// From the direction token to the end of the line.
    pub span: Span,
}

/// What a non-TCP packet line carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatagramKind {
    /// `icmp TYPE [CODE] [mtu N] [id N] [[seq:end(len)] | [udp (N)] | [raw (N)]]`.
    Icmp {
        /// `unreachable`, `time_exceeded`, `packet_too_big`, … as written.
        icmp_type: String,
        /// `frag_needed`, `port_unreachable`, … (or a `-D` symbol) as written.
        code: Option<String>,
        /// `mtu N`: the next-hop MTU (frag-needed) or MTU (Packet Too Big).
        mtu: Option<u32>,
        /// `id N`: the echo identifier.
        id: Option<u32>,
        /// The packet the ICMP message quotes.
        echoed: Option<Echoed>,
    },
    /// `udp (LEN)`: a UDP datagram of LEN payload bytes.
    Udp {
        /// Payload octets.
        len: u32,
    },
}

/// The packet an ICMP message quotes (`[…]` at the end of an icmp line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echoed {
    /// `[seq:end(len)]`: the TCP segment of this connection.
    Tcp(SeqRange),
    /// `[udp (N)]`.
    Udp(u32),
    /// `[raw (N)]`.
    Raw(u32),
}

/// `<` or `>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `<`: the harness injects this segment into the target.
    Inject,
    /// `>`: the target must send a segment that matches.
    Expect,
}

/// A packet line: `< S 0:0(0) win 65535 <mss 1460>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketLine {
    /// `<` injects, `>` expects.
    pub direction: Direction,
    /// The control bits (`S.`, `F.`, `R`, `.`), or `*`.
    pub flags: Spanned<Value<TcpFlags>>,
    /// Flags written with a `?` (`F.P?`): each may be set or not (`>` lines
    /// only), for bits whose placement implementations choose, such as PSH.
    pub flags_optional: TcpFlags,
    /// `None` when omitted (only on `>` lines: any sequence number).
    pub seq: Option<Spanned<Value<SeqRange>>>,
    /// `ack N`: SEG.ACK, relative to the other side's ISN; `None` when omitted.
    pub ack: Option<Spanned<Value<u32>>>,
    /// `win N`: SEG.WND as on the wire (unscaled); `None` when omitted.
    pub win: Option<Spanned<Value<u16>>>,
    /// `urg N`: the urgent pointer; `None` when omitted.
    pub urg: Option<Spanned<Value<u16>>>,
    /// The `<…>` option list; `None` when omitted.
    pub options: Option<OptionList>,
    /// The text's bytes, when the line writes them; else the length alone counts.
    pub payload: Option<Spanned<Value<Vec<u8>>>>,
    /// `csum bad`: inject with a corrupted checksum (`<` lines only).
    pub bad_csum: bool,
    /// `[ect0]`, `(tos 0x2)` … between the direction and the flags.
    pub ip: Option<IpInfo>,
    /// `encap psp spi N`: packetdrill's PSP encapsulation, with its SPI.
    pub psp_spi: Option<u32>,
    /// From the direction token to the end of the line.
    pub span: Span,
}

/// `seq:end(len)`, stored as start and length (`end = start + len` mod 2^32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeqRange {
    /// SEG.SEQ, relative to the sender's ISN.
    pub start: u32,
    /// SEG.LEN less SYN and FIN: the octets of text.
    pub len: u32,
}

impl SeqRange {
    /// The sequence number after the data, modulo 2^32.
    pub fn end(self) -> u32 {
        self.start.wrapping_add(self.len)
    }
}

/// The `<…>` option list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionList {
    /// The options, in order.
    pub items: Vec<Spanned<OptSpec>>,
    /// A trailing `...`: any further options may follow the listed ones.
    pub more: bool,
    /// `<...>` alone: any options at all.
    pub any: bool,
    /// From `<` to `>`.
    pub span: Span,
}

/// One option inside `<…>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptSpec {
    /// `mss N`: Maximum Segment Size (RFC 9293 §3.7.1).
    Mss(Value<u16>),
    /// `wscale N`: Window Scale shift count (RFC 7323 §2).
    WScale(Value<u8>),
    /// `sackOK`: SACK permitted (RFC 2018 §2).
    SackOk,
    /// `sack L:R …`: SACK blocks, relative to the receiver's peer's ISN (RFC 2018 §3).
    Sack(Vec<(Value<u32>, Value<u32>)>),
    /// `TS val N ecr M`: Timestamps (RFC 7323 §3).
    Ts {
        /// TSval.
        val: Value<u32>,
        /// TSecr.
        ecr: Value<u32>,
    },
    /// `nop`: No-Operation.
    Nop,
    /// `eol`: End of Option List.
    Eol,
    /// Option bytes exactly as on the wire (kind, length, data).
    Raw(Vec<u8>),
}

/// `state CLOSE-WAIT`: the target's socket must be in this state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateLine {
    /// The state the socket must be in.
    pub state: TcpState,
    /// The line after its time.
    pub span: Span,
}

/// `NAME(args) = RESULT [ERRNO (note)]`, parsed but not interpreted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyscallLine {
    /// `+0...0.1 read(…)`: a blocking call that returns at this time
    /// (microseconds; relative like the line's start time when that is
    /// relative, packetdrill's rule, else absolute).
    pub end: Option<u64>,
    /// The call's name (`write`, `setsockopt`).
    pub name: String,
    /// The arguments, in order.
    pub args: Vec<Expr>,
    /// What the call must return (after `=`).
    pub result: Expr,
    /// The errno name after a `-1` result (`EAGAIN`).
    pub errno: Option<String>,
    /// The text in parentheses after the errno, as written (trimmed).
    pub note: Option<String>,
    /// The line after its time.
    pub span: Span,
}

/// A syscall argument or result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// What was written.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// The forms a syscall argument or result takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// Decimal, `0x` hex, or negative.
    Int(i64),
    /// `SOCK_STREAM`, `AF_INET`, …
    Ident(String),
    /// `"text"`, its escapes resolved.
    Str(Vec<u8>),
    /// `...`: whatever the runner supplies or accepts.
    Ellipsis,
    /// `A|B|C`, at least two operands.
    Or(Vec<Expr>),
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `{field=expr, …}`. packetdrill's `msg_iov(1)=[…]` is the field
    /// `msg_iov` (the count must equal the array's length) and
    /// `msg_name(...)=…` the field `msg_name`.
    Struct(Vec<(String, Expr)>),
    /// `{expr, …}` without field names (packetdrill's `{...,0}` iovec).
    List(Vec<Expr>),
    /// `&name`.
    AddrOf(String),
    /// `htons(8080)`.
    Call {
        /// The function's name.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
}

/// Zeroes every span, so that two trees compare by meaning only.
pub trait StripSpans {
    /// Sets every span in `self` to [`Span::default`].
    fn strip_spans(&mut self);
}

impl StripSpans for Span {
    fn strip_spans(&mut self) {
        *self = Span::default();
    }
}

impl<T> StripSpans for Spanned<T> {
    fn strip_spans(&mut self) {
        self.span.strip_spans();
    }
}

impl<T: StripSpans> StripSpans for Option<T> {
    fn strip_spans(&mut self) {
        if let Some(x) = self {
            x.strip_spans();
        }
    }
}

impl<T: StripSpans> StripSpans for Vec<T> {
    fn strip_spans(&mut self) {
        self.iter_mut().for_each(StripSpans::strip_spans);
    }
}

impl StripSpans for Script {
    fn strip_spans(&mut self) {
        self.meta.strip_spans();
        self.options.strip_spans();
        self.init.strip_spans();
        self.items.strip_spans();
        self.cleanup.strip_spans();
    }
}

impl StripSpans for Meta {
    fn strip_spans(&mut self) {
        self.span.strip_spans();
    }
}

impl StripSpans for ScriptOption {
    fn strip_spans(&mut self) {
        self.span.strip_spans();
    }
}

impl StripSpans for Command {
    fn strip_spans(&mut self) {
        self.span.strip_spans();
    }
}

impl StripSpans for IpInfo {
    fn strip_spans(&mut self) {
        self.span.strip_spans();
    }
}

impl StripSpans for Item {
    fn strip_spans(&mut self) {
        match self {
            Item::Line(line) => line.strip_spans(),
            Item::Either { branches, span } => {
                branches.strip_spans();
                span.strip_spans();
            }
        }
    }
}

impl StripSpans for Line {
    fn strip_spans(&mut self) {
        self.time.strip_spans();
        self.span.strip_spans();
        match &mut self.kind {
            LineKind::Packet(p) => p.strip_spans(),
            LineKind::State(s) => s.span.strip_spans(),
            LineKind::Syscall(s) => s.strip_spans(),
            LineKind::Command(c) => c.strip_spans(),
            LineKind::Code(c) => c.span.strip_spans(),
            LineKind::Datagram(d) => {
                d.ip.strip_spans();
                d.span.strip_spans();
            }
            LineKind::Stream(s) => {
                s.span.strip_spans();
                s.ack.strip_spans();
            }
        }
    }
}

impl StripSpans for PacketLine {
    fn strip_spans(&mut self) {
        self.flags.strip_spans();
        self.seq.strip_spans();
        self.ack.strip_spans();
        self.win.strip_spans();
        self.urg.strip_spans();
        self.options.strip_spans();
        self.payload.strip_spans();
        self.ip.strip_spans();
        self.span.strip_spans();
    }
}

impl StripSpans for OptionList {
    fn strip_spans(&mut self) {
        self.items.strip_spans();
        self.span.strip_spans();
    }
}

impl StripSpans for SyscallLine {
    fn strip_spans(&mut self) {
        self.args.strip_spans();
        self.result.strip_spans();
        self.span.strip_spans();
    }
}

impl StripSpans for Expr {
    fn strip_spans(&mut self) {
        self.span.strip_spans();
        match &mut self.kind {
            ExprKind::Or(xs)
            | ExprKind::Array(xs)
            | ExprKind::List(xs)
            | ExprKind::Call { args: xs, .. } => xs.strip_spans(),
            ExprKind::Struct(fields) => fields.iter_mut().for_each(|(_, e)| e.strip_spans()),
            ExprKind::Int(_)
            | ExprKind::Ident(_)
            | ExprKind::Str(_)
            | ExprKind::Ellipsis
            | ExprKind::AddrOf(_) => {}
        }
    }
}
