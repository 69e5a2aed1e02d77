//! A socket address as report text (`192.0.2.1:8080`, `[2001:db8::1]:80`),
//! written straight into one allocation: every case's report names its two
//! endpoints, and the formatting machinery of `to_string` was a measurable
//! share of a short case on the embedded target (`synack bench`).

use crate::run::scriptform::push_number;
use std::net::SocketAddr;

/// The same text as `addr.to_string()`.
pub(crate) fn addr_text(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => {
            let mut s = String::with_capacity(21);
            for (i, octet) in a.ip().octets().into_iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                push_number(&mut s, u32::from(octet));
            }
            s.push(':');
            push_number(&mut s, u32::from(a.port()));
            s
        }
        // Rare (IPv6 runs), and its text has compression rules: the std's.
        SocketAddr::V6(_) => addr.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_the_std_text() {
        for a in [
            "192.0.2.1:8080",
            "0.0.0.0:0",
            "255.255.255.255:65535",
            "198.51.100.10:40000",
            "[2001:db8::1]:80",
            "[2001:db8:0:1::fe]:65535",
        ] {
            let addr: SocketAddr = a.parse().expect("an address");
            assert_eq!(addr_text(addr), addr.to_string());
            assert_eq!(addr_text(addr), a);
        }
    }
}
