use super::*;
use crate::report::fixture;
use crate::run::EntryKind;

fn packets_of(case: &crate::run::CaseReport) -> Vec<(Duration, Vec<u8>)> {
    case.transcript
        .iter()
        .filter_map(|e| match &e.what {
            EntryKind::Packet { bytes, .. } => Some((e.at, bytes.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn written_capture_reads_back_with_session_times() {
    for case in [fixture::echo_pass(), fixture::v6_deviation()] {
        let bytes = case_pcap_bytes(&case).unwrap();
        assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(u32::from_le_bytes(bytes[20..24].try_into().unwrap()), 101);
        let cap = read_capture(&bytes).unwrap();
        assert_eq!(cap.skipped, 0);
        assert!(!cap.truncated);
        let want = packets_of(&case);
        assert_eq!(cap.packets.len(), want.len());
        let first = want[0].0;
        for (got, (at, b)) in cap.packets.iter().zip(&want) {
            assert_eq!(&got.ip_bytes, b);
            assert_eq!(got.ts, *at - first);
        }
    }
}

#[test]
fn writer_timestamps_are_session_times_in_microseconds() {
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    w.write_packet(Duration::new(3, 250_999), &[0x45]).unwrap();
    let b = w.into_inner().unwrap();
    assert_eq!(b.len(), 24 + 16 + 1);
    assert_eq!(u32::from_le_bytes(b[24..28].try_into().unwrap()), 3);
    assert_eq!(u32::from_le_bytes(b[28..32].try_into().unwrap()), 250);
}

#[test]
fn writer_refuses_a_time_past_2106() {
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    assert!(w
        .write_packet(Duration::from_secs(1 << 33), &[0x45])
        .is_err());
}

// ---- hand-built captures in the formats users bring ----

fn ip_packet() -> Vec<u8> {
    fixture::echo_pass()
        .transcript
        .iter()
        .find_map(|e| match &e.what {
            EntryKind::Packet { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .unwrap()
}

fn pcap_file(big: bool, nanos: bool, link: u32, frames: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
    let w32 = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut f = Vec::new();
    f.extend(w32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    f.extend(w16(2));
    f.extend(w16(4));
    f.extend([0; 8]);
    f.extend(w32(65535));
    f.extend(w32(link));
    for (s, frac, d) in frames {
        f.extend(w32(*s));
        f.extend(w32(*frac));
        f.extend(w32(d.len() as u32));
        f.extend(w32(d.len() as u32));
        f.extend(d);
    }
    f
}

fn ethernet(ethertype: u16, vlan: bool, ip: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
    if vlan {
        f.extend([0x81, 0x00, 0x00, 0x05]);
    }
    f.extend(ethertype.to_be_bytes());
    f.extend(ip);
    f
}

#[test]
fn classic_pcap_in_both_byte_orders_and_both_resolutions() {
    let ip = ip_packet();
    for big in [false, true] {
        for nanos in [false, true] {
            let f = pcap_file(big, nanos, 101, &[(10, 5, ip.clone()), (11, 7, ip.clone())]);
            let c = read_capture(&f).unwrap();
            assert_eq!(c.packets.len(), 2, "big={big} nanos={nanos}");
            let unit = if nanos { 1 } else { 1000 };
            assert_eq!(c.packets[1].ts, Duration::new(1, 2 * unit));
            assert_eq!(c.packets[0].ip_bytes, ip);
        }
    }
}

#[test]
fn link_types_ethernet_vlan_sll_sll2_null_raw() {
    let ip = ip_packet();
    let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
    sll.extend(0x0800u16.to_be_bytes());
    sll.extend(&ip);
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
    ];
    sll2.extend(&ip);
    let mut null_le = 2u32.to_le_bytes().to_vec();
    null_le.extend(&ip);
    let mut null_be = 2u32.to_be_bytes().to_vec();
    null_be.extend(&ip);
    let cases: Vec<(u32, Vec<u8>)> = vec![
        (1, ethernet(0x0800, false, &ip)),
        (1, ethernet(0x0800, true, &ip)),
        (113, sll),
        (276, sll2),
        (0, null_le),
        (0, null_be),
        (101, ip.clone()),
        (12, ip.clone()),
        (228, ip.clone()),
    ];
    for (link, frame) in cases {
        let c = read_capture(&pcap_file(false, false, link, &[(0, 0, frame)])).unwrap();
        assert_eq!(c.packets.len(), 1, "link type {link}");
        assert_eq!(c.packets[0].ip_bytes, ip, "link type {link}");
    }
}

#[test]
fn non_ip_frames_are_skipped_not_errors() {
    let ip = ip_packet();
    let frames = vec![
        (0, 0, ethernet(0x0806, false, &[0; 28])), // ARP
        (0, 1, ethernet(0x0800, false, &ip)),
        (0, 2, vec![1, 2]), // too short for Ethernet
    ];
    let c = read_capture(&pcap_file(false, false, 1, &frames)).unwrap();
    assert_eq!(c.packets.len(), 1);
    assert_eq!(c.skipped, 2);
    // IPv6-only link type with an IPv4 packet.
    let c = read_capture(&pcap_file(false, false, 229, &[(0, 0, ip)])).unwrap();
    assert_eq!((c.packets.len(), c.skipped), (0, 1));
}

#[test]
fn a_record_cut_short_is_reported_as_truncated() {
    let ip = ip_packet();
    let mut f = pcap_file(false, false, 101, &[(0, 0, ip.clone()), (0, 1, ip)]);
    f.truncate(f.len() - 3);
    let c = read_capture(&f).unwrap();
    assert_eq!(c.packets.len(), 1);
    assert!(c.truncated);
}

#[test]
fn every_record_not_read_is_a_warning_with_its_byte_offset_and_reason() {
    let ip = ip_packet();
    let second = 24 + 16 + ip.len();
    let mut f = pcap_file(false, false, 101, &[(0, 0, ip.clone()), (0, 1, ip.clone())]);
    f.truncate(f.len() - 3);
    let c = read_capture(&f).unwrap();
    assert_eq!(
        c.warnings,
        [format!(
            "record at byte {second}: its {} captured octets run past the end of the file ({} left)",
            ip.len(),
            ip.len() - 3
        )]
    );
    // Cut inside the record header.
    let mut f = pcap_file(false, false, 101, &[(0, 0, ip.clone()), (0, 1, ip.clone())]);
    f.truncate(second + 5);
    let c = read_capture(&f).unwrap();
    assert_eq!(
        c.warnings,
        [format!(
            "record at byte {second}: the file ends inside its 16-byte header (5 octets left)"
        )]
    );
    // A frame that is not IP.
    let frames = vec![(0, 0, ethernet(0x0806, false, &[0; 28]))];
    let c = read_capture(&pcap_file(false, false, 1, &frames)).unwrap();
    assert_eq!(
        c.warnings,
        ["record at byte 24: not an IPv4 or IPv6 packet (link type 1)"]
    );
}

#[test]
fn not_a_capture_is_an_error_that_says_so() {
    let e = read_capture(b"GET / HTTP/1.1\r\n").unwrap_err();
    assert!(e.to_string().contains("not a pcap or pcapng file"), "{e}");
    let e = read_capture(&[0xd4, 0xc3, 0xb2, 0xa1, 0]).unwrap_err();
    assert!(e.to_string().contains("needs 24 bytes"), "{e}");
}

// ---- pcapng ----

struct Ng {
    big: bool,
    out: Vec<u8>,
}

impl Ng {
    fn w32(&self, v: u32) -> [u8; 4] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn w16(&self, v: u16) -> [u8; 2] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn block(&mut self, t: u32, body: &[u8]) {
        let mut body = body.to_vec();
        body.resize(body.len().next_multiple_of(4), 0);
        let len = body.len() as u32 + 12;
        let (a, b) = (self.w32(t), self.w32(len));
        self.out.extend(a);
        self.out.extend(b);
        self.out.extend(body);
        let b = self.w32(len);
        self.out.extend(b);
    }
    fn shb(&mut self) {
        let mut b = self.w32(0x1a2b_3c4d).to_vec();
        b.extend(self.w16(1));
        b.extend(self.w16(0));
        b.extend((-1i64).to_le_bytes());
        self.block(0x0a0d_0d0a, &b);
    }
    fn idb(&mut self, link: u16, tsresol: Option<u8>) {
        let mut b = self.w16(link).to_vec();
        b.extend([0, 0]);
        b.extend(self.w32(0));
        if let Some(r) = tsresol {
            b.extend(self.w16(9));
            b.extend(self.w16(1));
            b.extend([r, 0, 0, 0]);
            b.extend([0, 0, 0, 0]); // opt_endofopt
        }
        self.block(1, &b);
    }
    fn epb(&mut self, iface: u32, ticks: u64, data: &[u8]) {
        let mut b = self.w32(iface).to_vec();
        b.extend(self.w32((ticks >> 32) as u32));
        b.extend(self.w32(ticks as u32));
        b.extend(self.w32(data.len() as u32));
        b.extend(self.w32(data.len() as u32));
        b.extend(data);
        self.block(6, &b);
    }
    fn spb(&mut self, data: &[u8]) {
        let mut b = self.w32(data.len() as u32).to_vec();
        b.extend(data);
        self.block(3, &b);
    }
}

#[test]
fn pcapng_with_two_interfaces_of_different_link_types() {
    let ip = ip_packet();
    for big in [false, true] {
        let mut ng = Ng {
            big,
            out: Vec::new(),
        };
        ng.shb();
        ng.idb(1, None); // Ethernet, microseconds
        ng.idb(101, Some(9)); // raw IP, nanoseconds
        ng.epb(0, 5_000_000, &ethernet(0x86dd, false, &ip));
        ng.epb(1, 5_500_000_000, &ip);
        ng.epb(7, 0, &ip); // no such interface
        ng.block(0x0000_0bad, &[1, 2, 3]); // unknown block: ignored
        let c = read_capture(&ng.out).unwrap();
        assert_eq!(c.packets.len(), 2, "big={big}");
        assert_eq!(c.skipped, 1);
        assert_eq!(c.packets[1].ts, Duration::from_millis(500));
        assert_eq!(c.packets[1].ip_bytes, ip);
    }
}

#[test]
fn pcapng_blocks_not_read_are_warnings_with_their_offsets() {
    let ip = ip_packet();
    let mut ng = Ng {
        big: false,
        out: Vec::new(),
    };
    ng.shb();
    ng.idb(101, None);
    let third = ng.out.len();
    ng.epb(7, 0, &ip); // no such interface
    let fourth = ng.out.len();
    ng.epb(0, 0, &ip);
    ng.out.truncate(ng.out.len() - 2);
    let c = read_capture(&ng.out).unwrap();
    assert_eq!(
        c.warnings,
        [
            format!("record at byte {third}: a packet block of interface 7, which no block described"),
            format!(
                "record at byte {fourth}: block length {} with {} octets left in the file: the rest is not read",
                ng.out.len() - fourth + 2,
                ng.out.len() - fourth
            ),
        ]
    );
    assert!(c.truncated);
}

#[test]
fn pcapng_simple_packet_blocks_and_a_second_section() {
    let ip = ip_packet();
    let mut ng = Ng {
        big: false,
        out: Vec::new(),
    };
    ng.shb();
    ng.idb(101, None);
    ng.spb(&ip);
    let mut ng2 = Ng {
        big: true,
        out: Vec::new(),
    };
    ng2.shb();
    ng2.idb(113, None);
    let mut sll = vec![0u8; 14];
    sll.extend(0x0800u16.to_be_bytes());
    sll.extend(&ip);
    ng2.epb(0, 1, &sll);
    ng.out.extend(ng2.out);
    let c = read_capture(&ng.out).unwrap();
    assert_eq!(c.packets.len(), 2);
    assert!(c.packets.iter().all(|p| p.ip_bytes == ip));
}

#[test]
fn pcapng_power_of_two_resolution() {
    let ip = ip_packet();
    let mut ng = Ng {
        big: false,
        out: Vec::new(),
    };
    ng.shb();
    ng.idb(101, Some(0x80 | 10)); // 1/1024 s
    ng.epb(0, 0, &ip);
    ng.epb(0, 1024, &ip);
    let c = read_capture(&ng.out).unwrap();
    assert_eq!(c.packets[1].ts, Duration::from_secs(1));
}

// ---- hostile input ----

/// splitmix64: a seeded, reproducible generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn fifty_thousand_random_and_mutated_captures_never_panic() {
    let ip = ip_packet();
    let mut ng = Ng {
        big: false,
        out: Vec::new(),
    };
    ng.shb();
    ng.idb(1, Some(9));
    ng.idb(276, None);
    ng.epb(0, 1, &ethernet(0x0800, true, &ip));
    let mut sll2 = vec![0x86, 0xdd];
    sll2.extend([0; 18]);
    sll2.extend(&ip);
    ng.epb(1, 2, &sll2);
    ng.spb(&ip);
    let seeds: Vec<Vec<u8>> = vec![
        ng.out,
        pcap_file(true, true, 113, &[(1, 2, ip.clone()), (3, 4, ip.clone())]),
        case_pcap_bytes(&fixture::v6_deviation()).unwrap(),
        pcap_file(false, false, 0, &[(0, 0, ip.clone())]),
    ];
    let mut rng = Rng(0x5eed);
    let mut packets = 0usize;
    for i in 0..50_000 {
        let mut data = if i % 10 == 0 {
            // Pure noise behind a valid magic.
            let magic: [&[u8]; 3] = [
                &[0xd4, 0xc3, 0xb2, 0xa1],
                &[0x0a, 0x0d, 0x0d, 0x0a],
                &[0xa1, 0xb2, 0x3c, 0x4d],
            ];
            let mut d = magic[rng.below(3)].to_vec();
            let n = rng.below(200);
            d.extend((0..n).map(|_| rng.next() as u8));
            d
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        for _ in 0..1 + rng.below(8) {
            if data.is_empty() {
                break;
            }
            let at = rng.below(data.len());
            match rng.below(5) {
                0 => data[at] = rng.next() as u8,
                1 => data[at] ^= 1 << rng.below(8),
                2 => data.truncate(at),
                3 => {
                    // Interesting lengths at a random spot.
                    let v: [u32; 5] = [0, 12, 0xffff_ffff, 0x8000_0000, 65536];
                    let v = v[rng.below(5)].to_le_bytes();
                    for (k, b) in v.iter().enumerate() {
                        if let Some(x) = data.get_mut(at + k) {
                            *x = *b;
                        }
                    }
                }
                _ => {
                    let chunk: Vec<u8> = data[at..].iter().take(rng.below(64)).copied().collect();
                    data.splice(at..at, chunk);
                }
            }
        }
        fuzz_capture(&data);
        if let Ok(c) = read_capture(&data) {
            packets += c.packets.len();
            assert!(c.packets.iter().all(|p| p.ip_bytes.len() <= data.len()));
        }
    }
    // The mutations leave plenty of readable packets: the reader was exercised.
    assert!(packets > 10_000, "only {packets} packets read");
}

#[test]
fn a_simple_packet_block_takes_the_previous_packets_time() {
    let ip = ip_packet();
    let mut ng = Ng {
        big: false,
        out: Vec::new(),
    };
    ng.shb();
    ng.idb(101, None);
    ng.epb(0, 1_000_000, &ip);
    ng.epb(0, 3_000_000, &ip);
    ng.spb(&ip);
    let c = read_capture(&ng.out).unwrap();
    assert_eq!(c.packets.len(), 3);
    assert_eq!(c.packets[2].ts, Duration::from_secs(2));
}

#[test]
fn a_report_pcap_is_stamped_from_the_run_start_plus_session_time() {
    use std::time::SystemTime;
    let case = fixture::echo_pass();
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    let bytes = super::case_pcap_bytes_from(&case, start).unwrap();
    let first = packets_of(&case)[0].0;
    // The first record's seconds: the start's, not 1970's.
    let secs = u32::from_le_bytes(bytes[24..28].try_into().unwrap());
    assert_eq!(u64::from(secs), 1_796_000_000 + first.as_secs());
    let cap = read_capture(&bytes).unwrap();
    assert_eq!(cap.packets.len(), packets_of(&case).len());
}
