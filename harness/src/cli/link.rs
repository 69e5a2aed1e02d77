//! The link target's flags and the `synack agent` subcommand.

use super::{exit, CliError};
use crate::target::agent::server::{self, AgentOptions};
use crate::target::agent::AgentAddr;
use crate::target::link::{Link, LinkOptions, DEFAULT_RESOLVE_TIMEOUT};
use crate::target::{Target, TargetError};
use clap::Args;
use std::net::{IpAddr, SocketAddr};

/// `--target link` flags (flattened into `synack run`).
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Link target")]
pub struct LinkArgs {
    /// Link target: the interface the peer is on (required with --target link).
    #[arg(long, value_name = "IF", env = "SYNACK_IFACE")]
    pub iface: Option<String>,
    /// Link target: the host under test, ADDR or ADDR:PORT ([V6]:PORT), one per family,
    /// comma-separated. With a PORT, the http cases go to the peer's own server there.
    #[arg(
        long,
        value_name = "ADDR[:PORT]",
        value_delimiter = ',',
        env = "SYNACK_PEER"
    )]
    pub peer: Vec<String>,
    /// Link target: the harness's own addresses on the peer's network (one per family), which
    /// the local kernel must not hold. Default: the last host address of the interface's prefix.
    #[arg(long, value_name = "ADDR", value_delimiter = ',')]
    pub source: Vec<IpAddr>,
    /// Link target: the `synack agent` on the peer, reached apart from the interface under test.
    #[arg(long, value_name = "ADDR:PORT", env = "SYNACK_AGENT")]
    pub agent: Option<SocketAddr>,
    /// Link target: the agent's token.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SYNACK_AGENT_TOKEN",
        hide_env_values = true
    )]
    pub agent_token: Option<String>,
}

/// A `--peer` value: an address, with a server port or not.
fn parse_peer(s: &str) -> Result<(IpAddr, Option<u16>), String> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok((sa.ip(), Some(sa.port())));
    }
    s.parse::<IpAddr>().map(|ip| (ip, None)).map_err(|_| {
        format!("--peer `{s}`: expected ADDR or ADDR:PORT ([2001:db8::1]:80 for IPv6)")
    })
}

impl LinkArgs {
    /// Whether any link flag was given.
    pub fn any(&self) -> bool {
        self.iface.is_some()
            || !self.peer.is_empty()
            || !self.source.is_empty()
            || self.agent.is_some()
    }

    /// The peer's server port (`--peer ADDR:PORT`), if one was given.
    pub fn server_port(&self) -> Option<u16> {
        self.peer
            .iter()
            .filter_map(|p| parse_peer(p).ok())
            .find_map(|(_, port)| port)
    }

    /// The validated options: an explicit interface and peer, one peer and
    /// one source per family, one server port, a token with the agent.
    pub fn options(&self) -> Result<LinkOptions, CliError> {
        let (Some(iface), false) = (&self.iface, self.peer.is_empty()) else {
            return Err(CliError::usage(
                "--target link needs --iface IF and --peer ADDR[:PORT]: it sends raw frames, so it never guesses where",
            ));
        };
        let mut peers = Vec::new();
        let mut ports = Vec::new();
        for p in &self.peer {
            let (ip, port) = parse_peer(p).map_err(CliError::usage)?;
            if peers.iter().any(|q: &IpAddr| q.is_ipv4() == ip.is_ipv4()) {
                return Err(CliError::usage(format!(
                    "--peer: give at most one address per family (`{p}` is a second)"
                )));
            }
            peers.push(ip);
            ports.extend(port);
        }
        ports.dedup();
        if ports.len() > 1 {
            return Err(CliError::usage(
                "--peer: give the server's port once (one port for both families)",
            ));
        }
        let agent = match (self.agent, &self.agent_token) {
            (Some(addr), Some(token)) if !token.is_empty() => Some(AgentAddr {
                addr,
                token: token.clone(),
            }),
            (Some(_), _) => {
                return Err(CliError::usage(
                    "--agent needs the agent's token: --agent-token or SYNACK_AGENT_TOKEN",
                ))
            }
            (None, _) => None,
        };
        Ok(LinkOptions {
            iface: iface.clone(),
            peers,
            server_port: ports.first().copied(),
            sources: self.source.clone(),
            agent,
            resolve_timeout: DEFAULT_RESOLVE_TIMEOUT,
        })
    }
}

/// Starts the link target from validated flags.
pub fn make_target(args: &LinkArgs) -> Result<Box<dyn Target>, CliError> {
    let options = args.options()?;
    let link = Link::start(options).map_err(|e| start_error(&e))?;
    Ok(Box::new(link))
}

fn start_error(e: &TargetError) -> CliError {
    CliError::infra(format!("cannot start the link target: {e}"))
}

/// `synack bench --target link`: the SYN→SYN-ACK round trip through the
/// harness beside a raw round trip on the same interface, interleaved, and
/// full handshakes per second (with the agent).
pub fn bench(args: &LinkArgs, samples: usize, seconds: f64) -> Result<u8, CliError> {
    let link = Link::start(args.options()?).map_err(|e| start_error(&e))?;
    let infra = |e: TargetError| CliError::infra(e.to_string());
    let samples = samples.max(10);
    let (mut raw, mut harness) = (Vec::new(), Vec::new());
    for round in 0..10u32 {
        raw.extend(link.raw_rtt(samples / 10).map_err(infra)?);
        let first = round * (samples / 10) as u32;
        harness.extend(link.harness_rtt(samples / 10, first).map_err(infra)?);
    }
    println!(
        "target link (`{}`), {samples} samples each",
        args.iface.as_deref().unwrap_or("")
    );
    super::bench::print_round_trips("frames", raw, harness);
    if link.agent().is_some() {
        let budget = std::time::Duration::from_secs_f64(seconds.max(0.1));
        let start = std::time::Instant::now();
        let n = link.handshakes(budget, samples as u32 + 1).map_err(infra)?;
        println!(
            "handshakes/s (SYN, SYN-ACK, ACK, accepted by the agent's service, RST; via sessions): {:.0}",
            f64::from(n) / start.elapsed().as_secs_f64()
        );
    }
    Ok(exit::PASS)
}

/// `synack agent` flags.
#[derive(Args, Debug)]
pub struct AgentArgs {
    /// The control address to listen on: keep it apart from the interface under test.
    #[arg(long, value_name = "ADDR:PORT", env = "SYNACK_AGENT_LISTEN")]
    pub listen: SocketAddr,
    /// The token a harness must present (required).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SYNACK_AGENT_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// Serve one harness, then exit.
    #[arg(long)]
    pub once: bool,
}

/// `synack agent`: serves until killed (or, with --once, one harness).
pub fn agent(args: AgentArgs) -> Result<u8, CliError> {
    let opts = AgentOptions {
        listen: args.listen,
        token: args.token,
        once: args.once,
    };
    let listener = server::bind(&opts).map_err(|e| match e {
        TargetError::Unsupported(m) => CliError::usage(m),
        other => CliError::infra(other.to_string()),
    })?;
    eprintln!("synack agent: listening on {}", opts.listen);
    server::serve(listener, &opts).map_err(|e| CliError::infra(e.to_string()))?;
    Ok(exit::PASS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(iface: Option<&str>, peer: &[&str]) -> LinkArgs {
        LinkArgs {
            iface: iface.map(String::from),
            peer: peer.iter().map(|s| s.to_string()).collect(),
            ..LinkArgs::default()
        }
    }

    #[test]
    fn link_refuses_to_run_without_an_explicit_interface_and_peer() {
        for a in [args(None, &["192.0.2.1"]), args(Some("veth0"), &[])] {
            let e = a.options().unwrap_err();
            assert_eq!(e.code, exit::USAGE);
            assert!(e.message.contains("--iface IF and --peer"), "{}", e.message);
        }
    }

    #[test]
    fn peers_parse_with_and_without_a_server_port() {
        let o = args(Some("veth0"), &["192.0.2.1:8080", "2001:db8::1"])
            .options()
            .unwrap();
        assert_eq!(o.peers.len(), 2);
        assert_eq!(o.server_port, Some(8080));
        let o = args(Some("veth0"), &["[2001:db8::1]:80"])
            .options()
            .unwrap();
        assert_eq!(o.server_port, Some(80));
        let e = args(Some("veth0"), &["192.0.2.1", "192.0.2.9"])
            .options()
            .unwrap_err();
        assert!(
            e.message.contains("one address per family"),
            "{}",
            e.message
        );
        let e = args(Some("veth0"), &["host.example"])
            .options()
            .unwrap_err();
        assert_eq!(e.code, exit::USAGE);
        assert!(
            e.message.contains("expected ADDR or ADDR:PORT"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_agent_needs_its_token() {
        let mut a = args(Some("veth0"), &["192.0.2.1"]);
        a.agent = Some("203.0.113.2:7070".parse().unwrap());
        let e = a.options().unwrap_err();
        assert!(e.message.contains("--agent-token"), "{}", e.message);
        a.agent_token = Some("t".into());
        assert!(a.options().unwrap().agent.is_some());
    }
}
