//! `synack grid` and `synack list --coverage`: the grid's cells, and which
//! cases cover each catalogue id.

use super::{exit, CliError};
use std::path::Path;

/// Writes the grid's cells under `out`.
pub fn grid(out: &Path) -> Result<u8, CliError> {
    let n = crate::grid::write_dir(out)
        .map_err(|e| CliError::infra(format!("cannot write the grid to {}: {e}", out.display())))?;
    let waiting = crate::grid::cells()
        .iter()
        .filter(|c| c.needs_connect())
        .count();
    println!(
        "wrote {n} cells to {} ({} run today; {waiting} SYN-SENT cells need connect)",
        out.display(),
        n - waiting
    );
    Ok(exit::PASS)
}
