//! Raw Ethernet frames on a real interface, through `pnet_datalink`'s
//! `AF_PACKET` channel (the design's pnet). No pnet type leaves this file.
//!
//! The channel sees every frame on the interface, the ones this host sends
//! included (`ETH_P_ALL`); callers tell them apart by source MAC address.

use std::io;
use std::net::IpAddr;
use std::time::Duration;

/// An interface as the local kernel knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// Its name (`eth0`).
    pub name: String,
    /// Its interface index.
    pub index: u32,
    /// Its Ethernet address (`None` on interfaces without one, e.g. `lo`).
    pub mac: Option<[u8; 6]>,
    /// The addresses the local kernel holds on it, with prefix lengths.
    pub addrs: Vec<(IpAddr, u8)>,
    /// Whether it is administratively up (`IFF_UP`).
    pub up: bool,
}

/// Every interface of the calling thread's network namespace.
pub fn interfaces() -> Vec<Interface> {
    pnet_datalink::interfaces()
        .into_iter()
        .map(|i| Interface {
            up: i.is_up(),
            name: i.name,
            index: i.index,
            mac: i.mac.map(|m| [m.0, m.1, m.2, m.3, m.4, m.5]),
            addrs: i.ips.iter().map(|n| (n.ip(), n.prefix())).collect(),
        })
        .collect()
}

/// The interface named `name`, if there is one.
pub fn interface(name: &str) -> Option<Interface> {
    interfaces().into_iter().find(|i| i.name == name)
}

/// Sends whole Ethernet frames.
pub struct FrameSender(Box<dyn pnet_datalink::DataLinkSender>);

/// Receives whole Ethernet frames.
pub struct FrameReceiver(Box<dyn pnet_datalink::DataLinkReceiver>);

impl std::fmt::Debug for FrameSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FrameSender")
    }
}
impl std::fmt::Debug for FrameReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FrameReceiver")
    }
}

/// Opens a layer-2 channel on `name`: promiscuous (the harness answers
/// neighbour discovery on its own address's solicited-node multicast
/// group), reads time out after `read_timeout` so a reader thread can stop.
pub fn open(name: &str, read_timeout: Duration) -> io::Result<(FrameSender, FrameReceiver)> {
    let iface = pnet_datalink::interfaces()
        .into_iter()
        .find(|i| i.name == name)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such interface"))?;
    let config = pnet_datalink::Config {
        read_buffer_size: 65536,
        write_buffer_size: 65536,
        read_timeout: Some(read_timeout),
        write_timeout: Some(Duration::from_secs(1)),
        promiscuous: true,
        ..Default::default()
    };
    match pnet_datalink::channel(&iface, config)? {
        pnet_datalink::Channel::Ethernet(tx, rx) => Ok((FrameSender(tx), FrameReceiver(rx))),
        _ => Err(io::Error::other(
            "pnet returned a channel that is not Ethernet",
        )),
    }
}

impl FrameSender {
    /// Sends one Ethernet frame (header included).
    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.0
            .send_to(frame, None)
            .unwrap_or_else(|| Err(io::Error::other("the channel sent nothing")))
    }
}

impl FrameReceiver {
    /// The next frame, or `Ok(None)` when none came within the read timeout.
    pub fn next_frame(&mut self) -> io::Result<Option<&[u8]>> {
        match self.0.next() {
            Ok(frame) => Ok(Some(frame)),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(e),
        }
    }
}
