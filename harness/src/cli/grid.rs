//! `synack grid` and `synack list --coverage`: the grid's cells, and which
//! cases cover each catalogue id.

use super::{exit, CliError};
use std::path::Path;

/// Writes the grid's cells under `out`.
pub fn grid(out: &Path) -> Result<u8, CliError> {
    let n = crate::grid::write_dir(out)
        .map_err(|e| CliError::infra(format!("cannot write the grid to {}: {e}", out.display())))?;
    let client = crate::grid::cells()
        .iter()
        .filter(|c| c.needs_connect())
        .count();
    println!(
        "wrote {n} cells to {} ({client} SYN-SENT cells with the target as client: their own socket connects)",
        out.display(),
    );
    Ok(exit::PASS)
}

/// Prints the coverage table of the cases root `cases` (its CATALOGUE.md,
/// its cases, and the snapshots in the `reports/` beside it).
pub fn coverage(cases: &Path) -> Result<u8, CliError> {
    let reports = cases
        .parent()
        .map(|p| p.join("reports"))
        .unwrap_or_else(|| "reports".into());
    let table =
        crate::report::coverage::coverage_markdown(cases, &reports).map_err(CliError::usage)?;
    print!("{table}");
    Ok(exit::PASS)
}
