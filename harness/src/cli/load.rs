//! Loading cases for a command: every file parsed and resolved (a script
//! error is exit 2 with `file:line:col`), and, when the command knows the IP
//! family it will run over, every `<` segment checked against that
//! family's packet length (see [`crate::run::limits`]).

use super::CliError;
use crate::run::{self, Case};
use crate::script::Defines;
use crate::target::IpFamily;
use std::path::PathBuf;

/// The cases under `paths`, as `synack check` reads them (any family).
pub fn cases(paths: &[PathBuf]) -> Result<Vec<Case>, CliError> {
    cases_with(paths, &Defines::new())
}

/// [`cases`] with packetdrill's `-D SYM=VAL` symbols.
pub fn cases_with(paths: &[PathBuf], defines: &Defines) -> Result<Vec<Case>, CliError> {
    if let Some(message) = no_cases_here(paths) {
        return Err(CliError::usage(message));
    }
    Ok(run::case::load_all_with(paths, defines)?)
}

/// The commands' default path is `cases` in the current directory: that
/// suits a checkout, not an installed `synack` run from elsewhere. When
/// that is the path and there is no such directory, say where cases come
/// from instead of "cannot read cases: No such file or directory".
fn no_cases_here(paths: &[PathBuf]) -> Option<String> {
    let [only] = paths else { return None };
    if only.as_os_str() != "cases" || only.exists() {
        return None;
    }
    let here = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "the current directory".to_string());
    Some(format!(
        "no cases/ directory in {here}: give the cases' path, e.g. \
         `synack run /path/to/synack/cases` (an installed synack carries no cases: \
         they are the cases/ directory of the synack repository, or your own)"
    ))
}

/// The cases under `paths`, for a run over `family`.
pub fn cases_for(paths: &[PathBuf], family: IpFamily) -> Result<Vec<Case>, CliError> {
    cases_for_with(paths, &Defines::new(), family)
}

/// [`cases_for`] with packetdrill's `-D SYM=VAL` symbols.
pub fn cases_for_with(
    paths: &[PathBuf],
    defines: &Defines,
    family: IpFamily,
) -> Result<Vec<Case>, CliError> {
    let cases = cases_with(paths, defines)?;
    let diags: Vec<_> = cases
        .iter()
        .flat_map(|c| {
            run::limits::oversized(
                &c.script,
                &c.source,
                &c.path.display().to_string(),
                Some(family),
            )
        })
        .collect();
    if diags.is_empty() {
        Ok(cases)
    } else {
        Err(CliError::usage(crate::script::render(&diags)))
    }
}
