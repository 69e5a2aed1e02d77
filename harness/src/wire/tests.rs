//! The codec quartet (deconstruct, construct into a `0xa5`-filled buffer,
//! parse, emit) for IPv4 and IPv6, truncated and impossible inputs, the
//! lossless contract, checksum policies and the tcpdump display.

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

/// 198.51.100.1.40000 > 192.0.2.1.8080: SYN, seq 1000, win 65535,
/// <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>; IP id 0x1234, DF, TTL 64.
/// Checksums computed independently (Python, RFC 1071).
#[rustfmt::skip]
const SYN_V4: [u8; 60] = [
    0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00,
    0x40, 0x06, 0x3c, 0x52, 0xc6, 0x33, 0x64, 0x01,
    0xc0, 0x00, 0x02, 0x01, 0x9c, 0x40, 0x1f, 0x90,
    0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
    0xa0, 0x02, 0xff, 0xff, 0x9c, 0x10, 0x00, 0x00,
    0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x03, 0x03, 0x07,
];

/// 2001:db8::1.40000 > 2001:db8::2.8080, the same SYN; traffic class 0x12,
/// flow label 0x12345, hop limit 64.
#[rustfmt::skip]
const SYN_V6: [u8; 80] = [
    0x61, 0x21, 0x23, 0x45, 0x00, 0x28, 0x06, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x9c, 0x40, 0x1f, 0x90, 0x00, 0x00, 0x03, 0xe8,
    0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xff, 0xff,
    0x2c, 0xd2, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
    0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
];

/// Offset of the TCP header in `SYN_V4`.
const V4_TCP: usize = 20;
/// Offset of the TCP header in `SYN_V6`.
const V6_TCP: usize = 40;

fn syn_options() -> Vec<TcpOption> {
    vec![
        TcpOption::Mss(1460),
        TcpOption::SackPermitted,
        TcpOption::Timestamps { tsval: 1, tsecr: 0 },
        TcpOption::Nop,
        TcpOption::WindowScale(7),
    ]
}

fn syn_v4() -> Segment {
    Segment {
        ip: IpEnvelope::V4 {
            src: Ipv4Addr::new(198, 51, 100, 1),
            dst: Ipv4Addr::new(192, 0, 2, 1),
            tos: 0,
            identification: 0x1234,
            flags: 0b010,
            fragment_offset: 0,
            ttl: 64,
            options: vec![],
            checksum: 0x3c52,
        },
        src_port: 40000,
        dst_port: 8080,
        seq: SeqNumber(1000),
        ack: SeqNumber(0),
        data_offset: Some(10),
        flags: TcpFlags::SYN,
        window: 65535,
        checksum: 0x9c10,
        urgent: 0,
        options: syn_options(),
        payload: vec![],
    }
}

fn syn_v6() -> Segment {
    Segment {
        ip: IpEnvelope::V6 {
            src: "2001:db8::1".parse::<Ipv6Addr>().unwrap(),
            dst: "2001:db8::2".parse::<Ipv6Addr>().unwrap(),
            traffic_class: 0x12,
            flow_label: 0x12345,
            hop_limit: 64,
        },
        checksum: 0x2cd2,
        ..syn_v4()
    }
}

/// A plain IPv4 envelope 192.0.2.1 > 192.0.2.2 with raw IPv4 options.
fn v4_with_options(options: Vec<u8>) -> IpEnvelope {
    let IpEnvelope::V4 {
        src,
        dst,
        tos,
        identification,
        flags,
        fragment_offset,
        ttl,
        checksum,
        ..
    } = IpEnvelope::v4(Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2))
    else {
        unreachable!("v4 builds a V4 envelope")
    };
    IpEnvelope::V4 {
        src,
        dst,
        tos,
        identification,
        flags,
        fragment_offset,
        ttl,
        options,
        checksum,
    }
}

/// Asserts the lossless contract on `bytes` and returns the parsed segment.
#[track_caller]
fn round_trips(bytes: &[u8]) -> Segment {
    let seg = parse(bytes).expect("parses");
    assert_eq!(seg.buffer_len(), bytes.len(), "buffer_len of {seg:?}");
    assert_eq!(
        seg.to_bytes(ChecksumPolicy::Keep),
        bytes,
        "re-emit of {seg:?}"
    );
    seg
}

/// Sets the TCP data offset nibble of a packet whose TCP header starts at `tcp`.
fn with_doff(mut bytes: Vec<u8>, tcp: usize, doff: u8) -> Vec<u8> {
    bytes[tcp + 12] = (doff << 4) | (bytes[tcp + 12] & 0x0f);
    bytes
}

// ---- the quartet -------------------------------------------------------

#[test]
fn deconstructs_ipv4_syn_with_options() {
    assert_eq!(parse(&SYN_V4), Ok(syn_v4()));
}

#[test]
fn deconstructs_ipv6_syn_with_options() {
    assert_eq!(parse(&SYN_V6), Ok(syn_v6()));
}

#[test]
fn constructs_ipv4_syn_into_a5_buffer() {
    let seg = syn_v4();
    assert_eq!(seg.buffer_len(), SYN_V4.len());
    let mut buf = vec![0xa5; seg.buffer_len()];
    assert_eq!(
        seg.emit(&mut buf, ChecksumPolicy::Compute),
        Ok(SYN_V4.len())
    );
    assert_eq!(buf, SYN_V4);
}

#[test]
fn constructs_ipv6_syn_into_a5_buffer() {
    let seg = syn_v6();
    assert_eq!(seg.buffer_len(), SYN_V6.len());
    let mut buf = vec![0xa5; seg.buffer_len()];
    assert_eq!(
        seg.emit(&mut buf, ChecksumPolicy::Compute),
        Ok(SYN_V6.len())
    );
    assert_eq!(buf, SYN_V6);
}

#[test]
fn derived_data_offset_pads_options_with_zeros() {
    // 4 + 3 option bytes → padded to 8, doff 7.
    let seg = Segment {
        data_offset: None,
        options: vec![TcpOption::Mss(536), TcpOption::WindowScale(2)],
        ..syn_v4()
    };
    assert_eq!(seg.derived_data_offset(), 7);
    let bytes = seg.to_bytes(ChecksumPolicy::Compute);
    assert_eq!(bytes.len(), 20 + 28);
    assert_eq!(bytes[V4_TCP + 12] >> 4, 7);
    assert_eq!(&bytes[V4_TCP + 20..], &[2, 4, 2, 0x18, 3, 3, 2, 0]);
    let back = parse(&bytes).unwrap();
    assert_eq!(back.data_offset, Some(7));
    assert_eq!(
        back.options,
        vec![
            TcpOption::Mss(536),
            TcpOption::WindowScale(2),
            TcpOption::Eol
        ]
    );
    assert!(back.checksum_valid());
}

#[test]
fn parse_of_emit_gives_the_segment_back() {
    for seg in [syn_v4(), syn_v6()] {
        let with_payload = Segment {
            flags: TcpFlags::PSH | TcpFlags::ACK,
            ack: SeqNumber(77),
            payload: b"GET / HTTP/1.0\r\n\r\n".to_vec(),
            ..seg
        };
        let bytes = with_payload.to_bytes(ChecksumPolicy::Compute);
        let back = parse(&bytes).unwrap();
        assert!(back.checksum_valid());
        assert_eq!(
            back,
            Segment {
                checksum: back.checksum,
                ip: back.ip.clone(),
                ..with_payload.clone()
            }
        );
        assert_eq!(back.ip.src(), with_payload.ip.src());
        round_trips(&bytes);
    }
}

#[test]
fn emit_into_short_buffer_is_an_error() {
    let seg = syn_v4();
    let mut buf = vec![0; seg.buffer_len() - 1];
    assert_eq!(
        seg.emit(&mut buf, ChecksumPolicy::Compute),
        Err(WireError::BufferTooSmall { need: 60, have: 59 })
    );
    let mut longer = vec![0xa5; 70];
    assert_eq!(seg.emit(&mut longer, ChecksumPolicy::Compute), Ok(60));
    assert_eq!(&longer[..60], &SYN_V4);
    assert!(longer[60..].iter().all(|&b| b == 0xa5));
}

// ---- lengths ------------------------------------------------------------

#[test]
fn truncated_input_is_an_error_at_every_length() {
    for packet in [&SYN_V4[..], &SYN_V6[..]] {
        for len in 0..packet.len() {
            assert!(parse(&packet[..len]).is_err(), "length {len} parsed");
            assert!(checksum_valid(&packet[..len]).is_err());
        }
    }
    assert_eq!(
        parse(&SYN_V4[..59]),
        Err(WireError::Truncated {
            what: "IPv4 packet",
            need: 60,
            have: 59
        })
    );
    assert_eq!(
        parse(&SYN_V6[..30]),
        Err(WireError::Truncated {
            what: "IPv6 header",
            need: 40,
            have: 30
        })
    );
}

#[test]
fn bytes_past_the_ip_length_are_ignored() {
    let mut padded = SYN_V4.to_vec();
    padded.extend_from_slice(&[0; 6]);
    assert_eq!(parse(&padded), Ok(syn_v4()));
    let mut padded6 = SYN_V6.to_vec();
    padded6.push(0xff);
    assert_eq!(parse(&padded6), Ok(syn_v6()));
    assert_eq!(checksum_valid(&padded), Ok(true));
}

#[test]
fn data_offset_below_five_is_invalid() {
    for doff in 0..5 {
        let err = parse(&with_doff(SYN_V4.to_vec(), V4_TCP, doff)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("TCP data offset {doff} is below the minimum 5")
        );
        assert!(parse(&with_doff(SYN_V6.to_vec(), V6_TCP, doff)).is_err());
    }
}

#[test]
fn data_offset_past_the_end_is_invalid() {
    for doff in 11..16 {
        assert!(matches!(
            parse(&with_doff(SYN_V4.to_vec(), V4_TCP, doff)),
            Err(WireError::Invalid(m)) if m.contains("runs past")
        ));
        assert!(parse(&with_doff(SYN_V6.to_vec(), V6_TCP, doff)).is_err());
    }
}

#[test]
fn smaller_data_offset_moves_options_into_payload() {
    let bytes = with_doff(SYN_V4.to_vec(), V4_TCP, 6);
    let seg = round_trips(&bytes);
    assert_eq!(seg.data_offset, Some(6));
    assert_eq!(seg.options, vec![TcpOption::Mss(1460)]);
    assert_eq!(seg.payload, &SYN_V4[V4_TCP + 24..]);
}

#[test]
fn ihl_below_five_and_bad_versions_are_invalid() {
    let mut b = SYN_V4.to_vec();
    b[0] = 0x44;
    assert_eq!(
        parse(&b),
        Err(WireError::Invalid(
            "IPv4 header length (IHL) 4 is below the minimum 5".into()
        ))
    );
    b[0] = 0x75;
    assert_eq!(
        parse(&b),
        Err(WireError::Invalid(
            "IP version 7: only 4 and 6 carry segments".into()
        ))
    );
    let mut b = SYN_V4.to_vec();
    b[0] = 0x4f; // IHL 15 = 60 bytes: the whole packet, then no TCP header
    assert!(parse(&b).is_err());
    let mut b = SYN_V4.to_vec();
    b[2..4].copy_from_slice(&19u16.to_be_bytes());
    assert!(matches!(parse(&b), Err(WireError::Invalid(_))));
}

#[test]
fn non_tcp_protocols_and_extension_headers_are_invalid() {
    let mut b = SYN_V4.to_vec();
    b[9] = 17;
    assert_eq!(
        parse(&b),
        Err(WireError::Invalid("IPv4 protocol 17 is not TCP (6)".into()))
    );
    let mut b = SYN_V6.to_vec();
    b[6] = 0; // hop-by-hop options
    assert_eq!(
        parse(&b),
        Err(WireError::Invalid(
            "IPv6 next header 0 is not TCP (6); extension headers are not supported".into()
        ))
    );
    let mut b = SYN_V4.to_vec();
    b[7] = 1; // fragment offset 1
    assert!(matches!(parse(&b), Err(WireError::Invalid(m)) if m.contains("fragment")));
}

#[test]
fn ipv4_options_are_kept_raw() {
    let seg = Segment {
        ip: v4_with_options(vec![1, 1, 1, 0]),
        ..syn_v4()
    };
    let bytes = seg.to_bytes(ChecksumPolicy::Compute);
    assert_eq!(bytes[0], 0x46);
    let back = round_trips(&bytes);
    assert!(matches!(&back.ip, IpEnvelope::V4 { options, .. } if options == &[1, 1, 1, 0]));
    assert!(back.checksum_valid());
}

// ---- options --------------------------------------------------------------

#[test]
fn option_length_zero_one_or_past_end_is_malformed_and_kept() {
    for (area, expected) in [
        (
            vec![1, 2, 0, 5],
            vec![TcpOption::Nop, TcpOption::Malformed(vec![2, 0, 5])],
        ),
        (
            vec![3, 1, 7, 1],
            vec![TcpOption::Malformed(vec![3, 1, 7, 1])],
        ),
        (
            vec![1, 1, 8, 10, 0, 0, 0, 1],
            vec![
                TcpOption::Nop,
                TcpOption::Nop,
                TcpOption::Malformed(vec![8, 10, 0, 0, 0, 1]),
            ],
        ),
        (
            vec![1, 1, 1, 2],
            vec![TcpOption::Nop; 3]
                .into_iter()
                .chain([TcpOption::Malformed(vec![2])])
                .collect(),
        ),
    ] {
        assert_eq!(parse_options(&area), expected, "{area:?}");
        assert_eq!(emit_options(&expected), area);
        let seg = Segment {
            options: expected.clone(),
            data_offset: None,
            ..syn_v4()
        };
        let bytes = seg.to_bytes(ChecksumPolicy::Compute);
        let back = round_trips(&bytes);
        assert_eq!(back.options, expected);
    }
}

#[test]
fn eol_then_padding_is_kept() {
    let area = [2, 4, 5, 0xb4, 0, 0, 7, 0];
    let opts = parse_options(&area);
    assert_eq!(
        opts,
        vec![
            TcpOption::Mss(1460),
            TcpOption::Eol,
            TcpOption::Padding(vec![0, 7, 0])
        ]
    );
    assert_eq!(emit_options(&opts), area);
    assert_eq!(parse_options(&[0]), vec![TcpOption::Eol]);
    assert_eq!(parse_options(&[]), vec![]);
}

#[test]
fn unknown_kinds_and_odd_lengths_round_trip() {
    let area = [
        253, 4, 1, 2, // experimental kind
        2, 3, 9, // MSS with length 3
        5, 2, // SACK with no blocks
        30, 2, // kind 30, no data
        5, 10, 0, 0, 0, 1, 0, 0, 0, 9, // SACK one block
        1, 1, 1,
    ];
    let opts = parse_options(&area);
    assert_eq!(
        opts,
        vec![
            TcpOption::Unknown {
                kind: 253,
                data: vec![1, 2]
            },
            TcpOption::Unknown {
                kind: 2,
                data: vec![9]
            },
            TcpOption::Unknown {
                kind: 5,
                data: vec![]
            },
            TcpOption::Unknown {
                kind: 30,
                data: vec![]
            },
            TcpOption::Sack(vec![(1, 9)]),
            TcpOption::Nop,
            TcpOption::Nop,
            TcpOption::Nop,
        ]
    );
    assert_eq!(emit_options(&opts), area);
    let seg = Segment {
        options: opts,
        data_offset: Some(11),
        ..syn_v6()
    };
    let back = round_trips(&seg.to_bytes(ChecksumPolicy::Compute));
    assert_eq!(back.options, seg.options);
}

// ---- flags and data offset --------------------------------------------------

#[test]
fn reserved_bits_and_ae_round_trip() {
    for bits in [
        TcpFlags::RESERVED,
        TcpFlags::AE,
        TcpFlags::ALL,
        TcpFlags(0xA12),
    ] {
        let seg = Segment {
            flags: bits,
            ..syn_v4()
        };
        let bytes = seg.to_bytes(ChecksumPolicy::Compute);
        assert_eq!(
            u16::from_be_bytes([bytes[V4_TCP + 12], bytes[V4_TCP + 13]]) & 0x0fff,
            bits.0
        );
        let back = round_trips(&bytes);
        assert_eq!(back.flags, bits);
    }
}

#[test]
fn explicit_data_offset_is_written_raw() {
    // A lying offset is sent exactly: nibble 15, header still 40 bytes.
    let seg = Segment {
        data_offset: Some(15),
        ..syn_v4()
    };
    let bytes = seg.to_bytes(ChecksumPolicy::Compute);
    assert_eq!(bytes.len(), 60);
    assert_eq!(bytes[V4_TCP + 12] >> 4, 15);
    assert!(parse(&bytes).is_err());
    assert!(seg.checksum_valid() == (seg.checksum == seg.correct_checksum()));
    // Below 5 too, and values above 15 keep their low four bits.
    let seg = Segment {
        data_offset: Some(3),
        options: vec![],
        ..syn_v4()
    };
    assert_eq!(seg.to_bytes(ChecksumPolicy::Compute)[V4_TCP + 12] >> 4, 3);
    let seg = Segment {
        data_offset: Some(0x15),
        ..syn_v4()
    };
    assert_eq!(seg.to_bytes(ChecksumPolicy::Compute)[V4_TCP + 12] >> 4, 5);
}

#[test]
fn oversized_lists_emit_without_panicking() {
    let seg = Segment {
        data_offset: None,
        options: vec![TcpOption::Sack((0..40).map(|i| (i, i + 1)).collect())],
        ip: v4_with_options(vec![1; 45]),
        ..syn_v4()
    };
    let bytes = seg.to_bytes(ChecksumPolicy::Compute);
    assert_eq!(bytes.len(), seg.buffer_len());
}

// ---- checksums ---------------------------------------------------------------

#[test]
fn checksum_policies_compute_keep_and_corrupt() {
    for seg in [syn_v4(), syn_v6()] {
        let computed = seg.to_bytes(ChecksumPolicy::Compute);
        assert_eq!(checksum_valid(&computed), Ok(true));
        assert!(parse(&computed).unwrap().checksum_valid());

        let kept = Segment {
            checksum: 0xbeef,
            ..seg.clone()
        };
        let bytes = kept.to_bytes(ChecksumPolicy::Keep);
        assert_eq!(parse(&bytes).unwrap().checksum, 0xbeef);
        assert_eq!(checksum_valid(&bytes), Ok(false));
        assert!(!kept.checksum_valid());

        let corrupt = seg.to_bytes(ChecksumPolicy::Corrupt);
        assert_eq!(checksum_valid(&corrupt), Ok(false));
        let parsed = parse(&corrupt).unwrap();
        assert_eq!(parsed.checksum, seg.correct_checksum() ^ 1);
        assert!(!parsed.checksum_valid());
    }
}

#[test]
fn parse_with_checksum_is_parse_and_checksum_valid_in_one() {
    let mut ip_bad = SYN_V4.to_vec();
    ip_bad[10] ^= 0x40;
    let mut tcp_bad = SYN_V6.to_vec();
    tcp_bad[V6_TCP + 16] ^= 0x01;
    let mut padded = SYN_V4.to_vec();
    padded.extend_from_slice(&[0; 6]);
    let mut packets = vec![
        SYN_V4.to_vec(),
        SYN_V6.to_vec(),
        ip_bad,
        tcp_bad,
        padded,
        syn_v4().to_bytes(ChecksumPolicy::Corrupt),
        with_doff(SYN_V4.to_vec(), V4_TCP, 4),
        with_doff(SYN_V4.to_vec(), V4_TCP, 15),
    ];
    for packet in [&SYN_V4[..], &SYN_V6[..]] {
        packets.extend((0..packet.len()).map(|len| packet[..len].to_vec()));
    }
    let mut valid = 0;
    for p in &packets {
        let both = parse_with_checksum(p);
        match (parse(p), checksum_valid(p)) {
            (Ok(seg), Ok(ok)) => {
                assert_eq!(both, Ok((seg, ok)));
                valid += usize::from(ok);
            }
            (Err(e), Err(e2)) => {
                assert_eq!(e, e2);
                assert_eq!(both, Err(e));
            }
            (a, b) => panic!("parse {a:?} and checksum_valid {b:?} disagree"),
        }
    }
    assert_eq!(valid, 3, "SYN_V4, SYN_V6 and the padded copy verify");
}

#[test]
fn keep_preserves_a_wrong_ipv4_header_checksum() {
    let mut b = SYN_V4.to_vec();
    b[10] ^= 0x40;
    let seg = round_trips(&b);
    assert!(!seg.checksum_valid());
    assert_eq!(checksum_valid(&b), Ok(false));
    // Compute repairs it; Corrupt leaves the IP header checksum correct.
    assert_eq!(seg.to_bytes(ChecksumPolicy::Compute), SYN_V4);
    assert_eq!(&seg.to_bytes(ChecksumPolicy::Corrupt)[..20], &SYN_V4[..20]);
}

#[test]
fn odd_length_payload_checksums_verify() {
    let seg = Segment {
        payload: vec![0xff; 7],
        ..syn_v6()
    };
    assert_eq!(
        checksum_valid(&seg.to_bytes(ChecksumPolicy::Compute)),
        Ok(true)
    );
}

// ---- display ---------------------------------------------------------------

#[test]
fn displays_syn_like_tcpdump() {
    let seg = Segment {
        seq: SeqNumber(0),
        ..syn_v4()
    };
    assert_eq!(
        seg.to_string(),
        "198.51.100.1.40000 > 192.0.2.1.8080: Flags [S], seq 0, win 65535, \
         options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"
    );
    assert_eq!(
        syn_v6().to_string(),
        "2001:db8::1.40000 > 2001:db8::2.8080: Flags [S], seq 1000, win 65535, \
         options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"
    );
}

#[test]
fn displays_ack_urg_and_payload_like_tcpdump() {
    let seg = Segment {
        flags: TcpFlags::PSH | TcpFlags::ACK | TcpFlags::URG,
        seq: SeqNumber(100),
        ack: SeqNumber(200),
        window: 502,
        urgent: 3,
        options: vec![],
        data_offset: None,
        payload: b"hello".to_vec(),
        ..syn_v4()
    };
    assert_eq!(
        seg.to_string(),
        "198.51.100.1.40000 > 192.0.2.1.8080: Flags [PU.], seq 100:105, ack 200, win 502, urg 3, length 5"
    );
    let pure_ack = Segment {
        flags: TcpFlags::ACK,
        payload: vec![],
        ..seg
    };
    assert_eq!(
        pure_ack.to_string(),
        "198.51.100.1.40000 > 192.0.2.1.8080: Flags [.], ack 200, win 502, length 0"
    );
}

#[test]
fn displays_odd_options() {
    assert_eq!(
        TcpOption::Unknown {
            kind: 253,
            data: vec![1, 2]
        }
        .to_string(),
        "unknown-253 0x0102"
    );
    assert_eq!(
        TcpOption::Malformed(vec![2, 0]).to_string(),
        "bad-opts 0x0200"
    );
    assert_eq!(
        TcpOption::Sack(vec![(1, 5), (9, 12)]).to_string(),
        "sack 2 {1:5}{9:12}"
    );
    assert_eq!(TcpOption::Eol.to_string(), "eol");
    let seg = parse(&with_doff(SYN_V4.to_vec(), V4_TCP, 6)).unwrap();
    assert!(
        seg.to_string().contains("options [mss 1460], length 16"),
        "{seg}"
    );
    let lying = Segment {
        data_offset: Some(15),
        ..syn_v4()
    };
    assert!(lying.to_string().contains(", doff 15, length 0"), "{lying}");
    let padded = Segment {
        options: vec![
            TcpOption::Nop,
            TcpOption::Eol,
            TcpOption::Padding(vec![0, 0]),
        ],
        data_offset: Some(6),
        ..syn_v4()
    };
    assert!(
        padded.to_string().contains("options [nop,eol], length"),
        "{padded}"
    );
}

#[test]
fn display_wraps_sequence_numbers_at_2_pow_32() {
    let seg = Segment {
        flags: TcpFlags::ACK,
        seq: SeqNumber(u32::MAX - 1),
        ack: SeqNumber(3),
        options: vec![TcpOption::Sack(vec![(5, 10)])],
        data_offset: None,
        payload: vec![0; 4],
        ..syn_v4()
    };
    assert!(seg.to_string().contains("seq 4294967294:2, ack 3"), "{seg}");
    let rel = seg.summary_relative(SeqNumber(u32::MAX - 9), SeqNumber(u32::MAX));
    assert_eq!(
        rel,
        "198.51.100.1.40000 > 192.0.2.1.8080: Flags [.], seq 8:12, ack 4, win 65535, \
         options [sack 1 {6:11}], length 4"
    );
}

// ---- never panics ------------------------------------------------------------

/// xorshift64 (Marsaglia): deterministic, no rand crate.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn parse_never_panics_and_every_success_round_trips() {
    let mut rng = XorShift(0x5eed_c0de_1234_5678);
    let mut ok = 0;
    for i in 0..100_000 {
        let len = (rng.next() % 120) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Steer most inputs past the first checks so the TCP and option
        // decoders see many shapes, not just "bad version".
        if i % 4 != 0 && len >= 40 {
            let v6 = i % 2 == 0;
            if v6 {
                bytes[0] = 0x60 | (bytes[0] & 0x0f);
                let pl = ((len - 40) as u16).saturating_sub((rng.next() % 3) as u16);
                bytes[4..6].copy_from_slice(&pl.to_be_bytes());
                bytes[6] = 6;
            } else {
                bytes[0] = 0x45;
                bytes[2..4].copy_from_slice(&(len as u16).to_be_bytes());
                bytes[6] = 0x40;
                bytes[7] = 0;
                bytes[9] = 6;
            }
        }
        if let Ok(seg) = parse(&bytes) {
            ok += 1;
            let again = seg.to_bytes(ChecksumPolicy::Keep);
            assert_eq!(again, &bytes[..again.len()], "input {bytes:02x?}");
            assert_eq!(parse(&again), Ok(seg.clone()));
            let _ = seg.to_string();
            assert!(seg.checksum_valid() == (checksum_valid(&bytes) == Ok(true)));
        } else {
            assert!(checksum_valid(&bytes).is_err());
        }
    }
    // The steering must reach the option decoder often, or this test proves little.
    eprintln!("{ok} of 100000 random inputs parsed");
    assert!(ok > 10_000, "only {ok} inputs parsed");
}

#[test]
fn mutated_syns_never_panic_and_round_trip() {
    let mut rng = XorShift(0x0bad_5eed_0000_0001);
    let mut ok = 0;
    for i in 0..20_000 {
        let (base, tcp) = if i % 2 == 0 {
            (&SYN_V4[..], V4_TCP)
        } else {
            (&SYN_V6[..], V6_TCP)
        };
        let mut bytes = base.to_vec();
        // Mostly hit the TCP header and options; sometimes anywhere.
        for _ in 0..1 + rng.next() % 4 {
            let at = if rng.next() % 4 == 0 {
                (rng.next() as usize) % bytes.len()
            } else {
                tcp + 12 + (rng.next() as usize) % (bytes.len() - tcp - 12)
            };
            bytes[at] = rng.next() as u8;
        }
        if let Ok(seg) = parse(&bytes) {
            ok += 1;
            assert_eq!(
                seg.to_bytes(ChecksumPolicy::Keep),
                bytes,
                "input {bytes:02x?}"
            );
            let _ = seg.to_string();
        }
    }
    assert!(ok > 5_000, "only {ok} mutants parsed");
}

#[test]
fn option_codec_is_lossless_on_random_areas() {
    let mut rng = XorShift(0x0e71_0001);
    for _ in 0..50_000 {
        let len = (rng.next() % 41) as usize;
        // Small values make kinds 0..=8 and short lengths common.
        let area: Vec<u8> = (0..len)
            .map(|_| match rng.next() % 3 {
                0 => (rng.next() % 12) as u8,
                _ => rng.next() as u8,
            })
            .collect();
        assert_eq!(emit_options(&parse_options(&area)), area, "{area:02x?}");
    }
}
