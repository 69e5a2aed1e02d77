//! The in-memory device under the embedded stack: two packet queues and
//! nothing else. Medium::Ip, so packets are bare IPv4/IPv6 datagrams, the
//! same bytes `wire` emits and parses.

use smoltcp::phy::{self, Checksum, ChecksumCapabilities, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use std::collections::VecDeque;

/// The MTU of the in-memory link (Ethernet's, so the target's MSS is the
/// usual 1460 over IPv4 and 1440 over IPv6).
pub const MTU: usize = 1500;

/// Packets in both directions, in FIFO order.
#[derive(Debug, Default)]
pub struct MemoryDevice {
    /// Injected by the harness, waiting for the stack.
    pub rx: VecDeque<Vec<u8>>,
    /// Sent by the stack, waiting for the harness.
    pub tx: VecDeque<Vec<u8>>,
}

impl phy::Device for MemoryDevice {
    type RxToken<'a> = RxToken;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(RxToken, TxToken<'_>)> {
        let packet = self.rx.pop_front()?;
        Some((RxToken(packet), TxToken(&mut self.tx)))
    }

    fn transmit(&mut self, _now: Instant) -> Option<TxToken<'_>> {
        Some(TxToken(&mut self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        // Spelled out rather than left to `Default`: the stack must compute
        // every checksum it sends and drop every segment whose checksum is
        // wrong (RFC 9293 MUST-2, MUST-3), or a bad-checksum case is void.
        let mut checksum = ChecksumCapabilities::default();
        checksum.ipv4 = Checksum::Both;
        checksum.tcp = Checksum::Both;
        checksum.icmpv4 = Checksum::Both;
        checksum.icmpv6 = Checksum::Both;
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = MTU;
        caps.checksum = checksum;
        caps
    }
}

pub struct RxToken(Vec<u8>);

impl phy::RxToken for RxToken {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

pub struct TxToken<'a>(&'a mut VecDeque<Vec<u8>>);

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut packet = vec![0; len];
        let r = f(&mut packet);
        self.0.push_back(packet);
        r
    }
}
