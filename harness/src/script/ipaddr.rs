//! `src ADDR` and `dst ADDR` in a packet line's IP prefix: a `<` line's
//! segment is sent from or to another address than the session's (catalogue row T15: a SYN
//! from a broadcast or multicast source, or to a broadcast or multicast
//! destination, RFC 9293 §3.9.2.3, MUST-57 and MUST-63).
//!
//! Network safety: only addresses that cannot reach anything outside the
//! target's own link are accepted, so a case can never send elsewhere:
//! the documentation ranges (RFC 5737: 192.0.2.0/24, 198.51.100.0/24,
//! 203.0.113.0/24, their network and broadcast addresses included; RFC
//! 3849: 2001:db8::/32), the limited broadcast 255.255.255.255 (RFC 919,
//! never forwarded), IPv4 local network control multicast 224.0.0.0/24
//! (RFC 5771, never forwarded) and IPv6 interface- and link-local multicast
//! ff01::/16, ff02::/16 (RFC 4291 §2.7). The runner further sends such a
//! line only to a target on a private network (`Session::take_tuple`). On a
//! `>` line the addresses are compared with the segment's.

use super::ast::Span;
use super::cursor::{err, Cursor, PResult};
use super::lexer::{Tok, Token};
use std::net::IpAddr;

/// What the prefix accepts, for error messages.
pub(crate) const ADDR_HELP: &str = "`src`/`dst` take a documentation address (192.0.2.0/24, \
     198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), 255.255.255.255, 224.0.0.0/24, \
     ff01::/16 or ff02::/16: addresses that never leave the target's link";

/// True for the addresses a `src`/`dst` item may name (see the module docs).
pub fn allowed(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let o = a.octets();
            matches!(
                (o[0], o[1], o[2]),
                (192, 0, 2) | (198, 51, 100) | (203, 0, 113) | (224, 0, 0)
            ) || a.is_broadcast()
        }
        IpAddr::V6(a) => {
            let s = a.segments();
            (s[0] == 0x2001 && s[1] == 0x0db8) || s[0] == 0xff01 || s[0] == 0xff02
        }
    }
}

/// Reads an address written right after `src`/`dst`: the tokens up to the
/// next `,`, `]` or `)` (or a gap), as one text (`192.0.2.255`, `ff02::1`).
pub(crate) fn parse_addr(cur: &mut Cursor<'_>, word: &str) -> PResult<IpAddr> {
    let mut span: Option<Span> = None;
    while let Some(Token { tok, span: s }) = cur.peek() {
        let stop = matches!(tok, Tok::Punct(',' | ']' | ')') | Tok::Newline);
        let adjacent = span.is_none_or(|sp| sp.end == s.start);
        if stop || !adjacent {
            break;
        }
        span = Some(span.map_or(*s, |sp| sp.to(*s)));
        cur.next();
    }
    let Some(span) = span else {
        return Err(cur
            .expected(format!("expected an IP address after `{word}`"))
            .help(ADDR_HELP));
    };
    let text = cur.src.get(span.start..span.end).unwrap_or("");
    let addr: IpAddr = text.parse().map_err(|_| {
        err(span, format!("`{text}` is not an IPv4 or IPv6 address")).help(ADDR_HELP)
    })?;
    if !allowed(addr) {
        return Err(err(
            span,
            format!("`{text}` could leave the target's link: refused for network safety"),
        )
        .help(ADDR_HELP));
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::allowed;
    use crate::script::{parse, print, render, Item, LineKind};
    use std::net::IpAddr;

    /// The `(src, dst)` of the first line of `src`.
    fn addrs(src: &str) -> (Option<IpAddr>, Option<IpAddr>) {
        let script = parse(src, "t.pkt").unwrap_or_else(|d| panic!("{}", render(&d)));
        match &script.items[0] {
            Item::Line(l) => match &l.kind {
                LineKind::Packet(p) => {
                    let ip = p.ip.clone().expect("an IP prefix");
                    (ip.src, ip.dst)
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[track_caller]
    fn error(src: &str) -> String {
        match parse(src, "t.pkt") {
            Ok(s) => panic!("expected an error, parsed {s:?}"),
            Err(d) => d[0].to_string(),
        }
    }

    #[test]
    fn src_and_dst_parse_in_the_ip_prefix_of_inject_lines() {
        let v4 = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            addrs("0 < [dst 192.0.2.255] S 0:0(0) win 1"),
            (None, v4("192.0.2.255"))
        );
        assert_eq!(
            addrs("0 < [src ff02::1, ttl 3] S 0:0(0) win 1"),
            (v4("ff02::1"), None)
        );
        assert_eq!(
            addrs("0 < [ect0, src 2001:db8:0:2::5, dst 224.0.0.1] . 1:1(0) ack 1 win 1"),
            (v4("2001:db8:0:2::5"), v4("224.0.0.1"))
        );
        // The printer writes them back as read.
        let script = parse(
            "0 < [src 224.0.0.1, dst 192.0.2.255] S 0:0(0) win 1\n",
            "t.pkt",
        )
        .unwrap_or_else(|d| panic!("{}", render(&d)));
        assert!(
            print(&script).contains("[src 224.0.0.1, dst 192.0.2.255]"),
            "{}",
            print(&script)
        );
    }

    #[test]
    fn src_and_dst_errors_name_the_place_and_the_rule() {
        let e = error("0 < [dst 10.0.0.255] S 0:0(0) win 1");
        assert!(e.contains("t.pkt:1:10"), "{e}");
        assert!(
            e.contains("`10.0.0.255` could leave the target's link"),
            "{e}"
        );
        let e = error("0 < [src 224.0.1.1] S 0:0(0) win 1");
        assert!(e.contains("refused for network safety"), "{e}");
        let e = error("0 < [dst 192.0.2.999] S 0:0(0) win 1");
        assert!(
            e.contains("`192.0.2.999` is not an IPv4 or IPv6 address"),
            "{e}"
        );
        let e = error("0 < [dst] S 0:0(0) win 1");
        assert!(e.contains("expected an IP address after `dst`"), "{e}");
        let e = error("0 < [dst 192.0.2.255, dst 224.0.0.1] S 0:0(0) win 1");
        assert!(e.contains("`dst` given twice"), "{e}");
        let e = error("0 < [src 224.0.0.1] icmp unreachable port_unreachable");
        assert!(e.contains("apply to TCP lines only"), "{e}");
        // On `>` lines they are compared, and refused alike.
        assert_eq!(
            addrs("0 > [dst 224.0.0.1] S. 0:0(0) ack 1"),
            (None, Some("224.0.0.1".parse().unwrap()))
        );
        let e = error("0 > [dst 10.1.1.1] S. 0:0(0) ack 1");
        assert!(e.contains("refused for network safety"), "{e}");
    }

    #[test]
    fn only_link_bound_addresses_are_allowed() {
        for ok in [
            "192.0.2.255",
            "192.0.2.0",
            "198.51.100.7",
            "203.0.113.255",
            "224.0.0.1",
            "255.255.255.255",
            "2001:db8::1",
            "ff02::1",
            "ff01::1",
        ] {
            assert!(allowed(ok.parse().unwrap()), "{ok}");
        }
        for bad in [
            "10.0.0.1",
            "8.8.8.8",
            "224.0.1.1",
            "239.255.255.250",
            "192.0.3.255",
            "2001:db9::1",
            "ff05::1",
            "ff0e::1",
            "::1",
        ] {
            assert!(!allowed(bad.parse().unwrap()), "{bad}");
        }
    }
}
