//! packetdrill's `%{ … }%` blocks: Python run after the script, over the
//! `tcpi_*` values of `TCP_INFO` read at the block's time.
//!
//! ```text
//! +0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
//! ```
//!
//! At the block's line the runner reads `TCP_INFO` of the socket under test
//! (the last one `accept` or `connect` gave, as packetdrill's). After the
//! script, [`run_block`] runs each block with `python3`: the symbols
//! packetdrill defines (`TCP_ESTABLISHED`, `TCPI_OPT_SACK`, …), the values,
//! then the code. An exception (a failed `assert`) fails the case at the
//! block's line. A block is code from the script's author: it runs only
//! with `--allow-commands` (`super::pdscript::case_gate`).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one block may run.
pub const BLOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Removes the indentation all non-blank lines share.
fn dedent(code: &str) -> String {
    let indent = code
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    code.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_string()
}

/// `tcpi_*` names a block uses that no snapshot gives (the case cannot run
/// it faithfully).
pub fn missing_names(code: &str, have: &[(&str, i64)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("tcpi_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[i + name.len().max(1)..];
        if !have.iter().any(|(k, _)| *k == name) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The names packetdrill defines for blocks (Linux's values).
const SYMBOLS: [(&str, i64); 24] = [
    ("TCP_ESTABLISHED", 1),
    ("TCP_SYN_SENT", 2),
    ("TCP_SYN_RECV", 3),
    ("TCP_FIN_WAIT1", 4),
    ("TCP_FIN_WAIT2", 5),
    ("TCP_TIME_WAIT", 6),
    ("TCP_CLOSE", 7),
    ("TCP_CLOSE_WAIT", 8),
    ("TCP_LAST_ACK", 9),
    ("TCP_LISTEN", 10),
    ("TCP_CLOSING", 11),
    ("TCP_CA_Open", 0),
    ("TCP_CA_Disorder", 1),
    ("TCP_CA_CWR", 2),
    ("TCP_CA_Recovery", 3),
    ("TCP_CA_Loss", 4),
    ("TCPI_OPT_TIMESTAMPS", 1),
    ("TCPI_OPT_SACK", 2),
    ("TCPI_OPT_WSCALE", 4),
    ("TCPI_OPT_ECN", 8),
    ("TCPI_OPT_ECN_SEEN", 16),
    ("TCPI_OPT_SYN_DATA", 32),
    ("TCPI_OPT_USEC_TS", 64),
    ("TCPI_OPT_TFO_CHILD", 128),
];

/// Why a block could not run or what it raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockError {
    /// No `python3` on this host.
    NoPython(String),
    /// The block raised: the last line of its traceback.
    Raised(String),
    /// It ran longer than [`BLOCK_TIMEOUT`].
    Timeout,
}

impl std::fmt::Display for BlockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlockError::NoPython(e) => write!(
                f,
                "%{{ }}% blocks need python3, which cannot be started here ({e})"
            ),
            BlockError::Raised(e) => write!(f, "%{{ }}% block: {e}"),
            BlockError::Timeout => write!(f, "%{{ }}% block ran past {BLOCK_TIMEOUT:?}"),
        }
    }
}

/// The Python a block runs: symbols, values, code.
pub fn program(code: &str, values: &[(&str, i64)]) -> String {
    let mut p = String::new();
    for (k, v) in SYMBOLS.iter().chain(values) {
        p.push_str(&format!("{k} = {v}\n"));
    }
    p.push_str(&dedent(code));
    // A blank line after the block, as packetdrill writes each ("%s\n\n"):
    // a block whose last line ends in a backslash continuation
    // (`tcp_info/tcp-info-rwnd-limited`: `…;\` then `}%`) joins it.
    p.push_str("\n\n");
    p
}

/// Runs one block's code over `values` with `python3`.
pub fn run_block(code: &str, values: &[(&str, i64)]) -> Result<(), BlockError> {
    let mut child = Command::new("python3")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BlockError::NoPython(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A block that exits before reading its program fails below.
        let _ = stdin.write_all(program(code, values).as_bytes());
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                if status.success() {
                    return Ok(());
                }
                let last = err
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("python3 failed")
                    .trim()
                    .to_string();
                return Err(BlockError::Raised(last));
            }
            Ok(None) if started.elapsed() > BLOCK_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BlockError::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(BlockError::NoPython(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_dedented_for_python() {
        assert_eq!(
            dedent("\n  assert True\n  if x:\n    y\n"),
            "assert True\nif x:\n  y"
        );
        assert_eq!(dedent(" assert True "), "assert True");
    }

    #[test]
    fn names_no_snapshot_gives_are_listed() {
        let have = [("tcpi_state", 1)];
        assert_eq!(
            missing_names("assert tcpi_state == 1 and tcpi_foo_bar > 0", &have),
            ["tcpi_foo_bar"]
        );
    }

    #[test]
    fn a_failed_assertion_is_reported_with_its_message() {
        let Ok(_) = Command::new("python3").arg("--version").output() else {
            // The case says so where python3 is missing; nothing to run here.
            return;
        };
        let block = " assert tcpi_state == TCP_ESTABLISHED, tcpi_state ";
        assert_eq!(run_block(block, &[("tcpi_state", 1)]), Ok(()));
        let e = run_block(block, &[("tcpi_state", 8)]).expect_err("fails");
        assert_eq!(e, BlockError::Raised("AssertionError: 8".into()));
        assert_eq!(e.to_string(), "%{ }% block: AssertionError: 8");
    }

    /// `tcp_info/tcp-info-rwnd-limited`'s form: each line of the block ends
    /// in `;\`, the last one too, before `}%`. Python needs the blank line
    /// packetdrill writes after every block; without it, "unexpected EOF".
    #[test]
    fn a_block_may_end_in_a_backslash_continuation() {
        let Ok(_) = Command::new("python3").arg("--version").output() else {
            return;
        };
        let block = " assert tcpi_state == 1, tcpi_state;\\\n   assert tcpi_rtt > 0, tcpi_rtt;\\\n";
        assert_eq!(
            run_block(block, &[("tcpi_state", 1), ("tcpi_rtt", 5)]),
            Ok(())
        );
    }
}
