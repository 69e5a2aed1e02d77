//! Cases: finding case files, parsing them, and resolving their metadata
//! into what the runner needs (service, timing, tags, whether this version
//! can run them at all).

use super::syscall::{self, Plan, PlanError};
use crate::script::{Defines, Diagnostic};
use crate::script::{Meta, MetaValue, Script, Span};
use crate::target::Service;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file extension of case files (packetdrill's).
pub const CASE_EXTENSION: &str = "pkt";

/// Default timing tolerance for `>` lines.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_millis(50);
/// Default per-case deadline (session time).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// A parsed, resolved case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Stable id: the path under the cases root without the extension.
    pub id: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// The file's text.
    pub source: String,
    /// The parsed script.
    pub script: Script,
    /// Its metadata, resolved with defaults.
    pub meta: CaseMeta,
    /// What each syscall line does (empty when the case has none, or when
    /// [`CaseMeta::unsupported`] says why it cannot run).
    pub calls: Plan,
    /// What every run of the case reads, worked out once at load.
    pub derived: Derived,
}

/// What every run of a case reads from its script and source, worked out
/// once when the case is loaded rather than on every run (`synack bench`).
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// When each line is due by the script alone ([`super::nominal`]):
    /// every run's report shares it.
    pub script_times: std::sync::Arc<std::collections::BTreeMap<u32, std::time::Duration>>,
    /// The `<` lines counted from the target's window edge ([`super::edge`]).
    pub edge_lines: std::collections::BTreeSet<u32>,
    /// Where each line of the source starts (a mismatch quotes its line).
    pub line_starts: Vec<usize>,
    /// Each syscall line's call as the transcript shows it
    /// ([`super::syscall::call_text`]), by line.
    pub call_texts: std::collections::BTreeMap<u32, String>,
    /// The case's path as reports write it (`to_string_lossy`).
    pub path_text: String,
    /// Whether the script has a `//! tso:` entry, and an `//! isn-sample:`
    /// one: a run looks them up only then (a lookup reads every entry).
    pub has_meta: (bool, bool),
    /// The fields every report of the case carries, shared
    /// ([`super::case_shared`]).
    pub shared: super::case_shared::Shared,
}

impl Derived {
    fn of(script: &Script, source: &str, path: &Path) -> Derived {
        Derived {
            path_text: path.to_string_lossy().into_owned(),
            shared: Default::default(),
            has_meta: (
                script.meta("tso").is_some(),
                script.meta(super::isn_case::META_KEY).is_some(),
            ),
            script_times: std::sync::Arc::new(super::nominal::script_times(&script.items)),
            edge_lines: super::edge::marked_lines(script).unwrap_or_default(),
            line_starts: std::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|&i| i < source.len())
                .collect(),
            call_texts: script
                .items
                .iter()
                .flat_map(|item| match item {
                    crate::script::Item::Line(l) => std::slice::from_ref(l).iter().collect(),
                    crate::script::Item::Either { branches, .. } => {
                        branches.iter().flatten().collect::<Vec<_>>()
                    }
                })
                .filter_map(|l| match &l.kind {
                    crate::script::LineKind::Syscall(s) => {
                        Some((l.span.line, super::syscall::call_text(s)))
                    }
                    _ => None,
                })
                .collect(),
        }
    }

    /// The text of the call on syscall line `line` ([`Derived::call_texts`]),
    /// or `s`'s written out.
    pub fn call_text(&self, s: &crate::script::SyscallLine, line: u32) -> String {
        match self.call_texts.get(&line) {
            Some(t) => t.clone(),
            None => super::syscall::call_text(s),
        }
    }

    /// The text of source line `line` (1-based) of `source`, as
    /// `str::lines` reads it, without trailing blanks.
    pub fn source_line<'s>(&self, source: &'s str, line: u32) -> Option<&'s str> {
        let i = line.checked_sub(1)? as usize;
        let start = *self.line_starts.get(i)?;
        let end = self.line_starts.get(i + 1).copied().unwrap_or(source.len());
        let text = source.get(start..end)?;
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        Some(text.trim_end())
    }
}

/// A case's metadata, resolved with defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseMeta {
    /// `//! title:`.
    pub title: Option<String>,
    /// `//! rfc:` entries, in order.
    pub rfc: Vec<String>,
    /// `//! covers:`: the catalogue ids the case tests.
    pub covers: Vec<String>,
    /// `//! tags:`, which `--tags` and `--skip-tags` select by.
    pub tags: Vec<String>,
    /// `//! service:`: the built-in application behind the target's port.
    pub service: Service,
    /// `//! close-delay:`: how long the service waits before it closes.
    pub close_delay: Duration,
    /// `//! tolerance:`: how early or late a `>` line may match
    /// ([`DEFAULT_TOLERANCE`] if absent).
    pub tolerance: Duration,
    /// `//! deadline:`: the most session time the case may take
    /// ([`DEFAULT_DEADLINE`] if absent).
    pub deadline: Duration,
    /// The profile the case is written for, if it names one.
    pub profile: Option<String>,
    /// Why this version cannot run the case (a syscall line it does not run).
    pub unsupported: Option<String>,
    /// What packetdrill's own lines ask for: options, commands, timing.
    pub packetdrill: super::pdscript::PdSettings,
}

/// Why cases could not be loaded. Every kind is exit code 2 (usage): a
/// script author's mistake, or a path that is missing, unreadable or not
/// text (README "Exit codes"; `tests/exit_codes.rs`).
#[derive(Debug)]
pub enum LoadError {
    /// A file or directory could not be read.
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// Case files have mistakes, each with `file:line:col`.
    Script(Vec<Diagnostic>),
    /// The paths given hold no case file.
    NoCases(Vec<PathBuf>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            LoadError::Script(diags) => f.write_str(&crate::script::render(diags)),
            LoadError::NoCases(paths) => {
                let list: Vec<_> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "no case files (*.{CASE_EXTENSION}) found in {}",
                    list.join(", ")
                )
            }
        }
    }
}
impl std::error::Error for LoadError {}

/// Every case file under `paths` (files as given, directories walked),
/// sorted, each once.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|error| LoadError::Io {
            path: p.clone(),
            error,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(LoadError::NoCases(paths.to_vec()));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |error| LoadError::Io {
        path: dir.to_path_buf(),
        error,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == CASE_EXTENSION) {
            out.push(path);
        }
    }
    Ok(())
}

/// The stable id of a case file: its path relative to the cases root (the
/// nearest ancestor directory named `cases`, else the path as given), without
/// the extension, with `/` separators.
pub fn case_id(path: &Path) -> String {
    // `./core/a.pkt` (a run from inside the cases directory) is `core/a`.
    let comps: Vec<_> = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    let start = comps
        .iter()
        .rposition(|c| c.as_os_str() == "cases")
        .map(|i| i + 1)
        .unwrap_or(0);
    let rel: PathBuf = comps[start..].iter().collect();
    let rel = rel.with_extension("");
    rel.to_string_lossy().replace('\\', "/")
}

/// Reads, parses and resolves one case file. A file that is not text (not
/// UTF-8, or holding a NUL byte) is a diagnostic at its first such byte.
pub fn load(path: &Path) -> Result<Case, LoadError> {
    load_with(path, &Defines::new())
}

/// [`load`] with packetdrill's `-D SYM=VAL` symbols.
pub fn load_with(path: &Path, defines: &Defines) -> Result<Case, LoadError> {
    let bytes = std::fs::read(path).map_err(|error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let file = path.display().to_string();
    let source = super::limits::text(bytes, &file).map_err(|d| LoadError::Script(vec![d]))?;
    load_source_with(path, source, defines)
}

/// Parses and resolves a case from its text.
pub fn load_source(path: &Path, source: String) -> Result<Case, LoadError> {
    load_source_with(path, source, &Defines::new())
}

/// [`load_source`] with packetdrill's `-D SYM=VAL` symbols.
pub fn load_source_with(path: &Path, source: String, defines: &Defines) -> Result<Case, LoadError> {
    let file = path.display().to_string();
    let script = crate::script::parse_with(&source, &file, defines).map_err(LoadError::Script)?;
    let (mut meta, calls) = resolve(&script, &source, &file).map_err(LoadError::Script)?;
    let pd = super::pdscript::resolve(&script, &source, &file).map_err(LoadError::Script)?;
    if script.meta.is_empty() {
        // A packetdrill script: its title is its first comment line, and
        // its timing tolerance's floor packetdrill's.
        meta.title = meta
            .title
            .or_else(|| super::pdscript::first_comment(&source));
        meta.tolerance = super::pdscript::PD_TOLERANCE_FLOOR;
    }
    meta.tolerance = pd.tolerance.fixed(meta.tolerance);
    if meta.unsupported.is_none() {
        meta.unsupported = pd.unsupported.clone();
    }
    meta.packetdrill = pd;
    let mut case = Case {
        id: case_id(path),
        path: path.to_path_buf(),
        derived: Derived::of(&script, &source, path),
        source,
        script,
        meta,
        calls,
    };
    case.derived.shared = super::case_shared::Shared::of(&case);
    Ok(case)
}

/// Loads every case under `paths`; all diagnostics of all files together.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Case>, LoadError> {
    load_all_with(paths, &Defines::new())
}

/// [`load_all`] with packetdrill's `-D SYM=VAL` symbols.
pub fn load_all_with(paths: &[PathBuf], defines: &Defines) -> Result<Vec<Case>, LoadError> {
    let files = discover(paths)?;
    let mut cases = Vec::new();
    let mut diags = Vec::new();
    for f in files {
        match load_with(&f, defines) {
            Ok(c) => cases.push(c),
            Err(LoadError::Script(d)) => diags.extend(d),
            Err(e) => return Err(e),
        }
    }
    if !diags.is_empty() {
        return Err(LoadError::Script(diags));
    }
    Ok(cases)
}

/// A diagnostic at `span` of `source` (the line's text under it).
pub(super) fn diagnostic(
    source: &str,
    file: &str,
    span: Span,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    let line_text = source
        .lines()
        .nth(span.line.saturating_sub(1) as usize)
        .unwrap_or("")
        .to_string();
    Diagnostic {
        file: file.to_string(),
        span,
        message,
        help,
        line_text,
    }
}

fn text(m: &Meta) -> String {
    match &m.value {
        MetaValue::Text(t) => t.clone(),
        MetaValue::List(l) => l.join(", "),
        MetaValue::Duration(us) => format!("{}", *us as f64 / 1e6),
    }
}

fn list(m: &Meta) -> Vec<String> {
    match &m.value {
        MetaValue::List(l) => l.clone(),
        _ => vec![text(m)],
    }
}

fn duration(m: &Meta) -> Option<Duration> {
    match m.value {
        MetaValue::Duration(us) => Some(Duration::from_micros(us)),
        _ => None,
    }
}

/// Metadata → [`CaseMeta`], with diagnostics for values the runner cannot use.
pub fn resolve_meta(
    script: &Script,
    source: &str,
    file: &str,
) -> Result<CaseMeta, Vec<Diagnostic>> {
    resolve(script, source, file).map(|(meta, _)| meta)
}

/// Metadata and syscall lines → [`CaseMeta`] and the [`Plan`] of the
/// syscall lines, with diagnostics for what the runner cannot use.
///
/// A case that acts as the application (a `write`, `close` … line) and names
/// no service gets `silent`, which leaves the connection to the case; any
/// other gets `echo`.
pub fn resolve(
    script: &Script,
    source: &str,
    file: &str,
) -> Result<(CaseMeta, Plan), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut meta = CaseMeta {
        title: script.meta("title").map(text),
        rfc: script.meta_all("rfc").map(text).collect(),
        covers: script.meta_all("covers").flat_map(list).collect(),
        tags: script.meta_all("tags").flat_map(list).collect(),
        service: Service::Echo,
        close_delay: Duration::ZERO,
        tolerance: DEFAULT_TOLERANCE,
        deadline: DEFAULT_DEADLINE,
        profile: script.meta("profile").map(text),
        unsupported: None,
        packetdrill: Default::default(),
    };
    diags.extend(super::limits::no_events(script, source, file));
    diags.extend(super::limits::oversized(script, source, file, None));
    let calls = match syscall::plan(script, source, file) {
        Ok(plan) => plan,
        Err(PlanError::Script(d)) => {
            diags.extend(d);
            Plan::default()
        }
        Err(PlanError::Unsupported(why)) => {
            meta.unsupported = Some(why);
            Plan::default()
        }
    };
    if calls.has_actions() {
        meta.service = Service::Silent;
    }
    if calls.performed {
        // The script's own socket listens (or connects): no service on its port.
        meta.service = Service::Closed;
    }
    if let (Err(e), Some(m)) = (
        super::edge::marked_lines(script),
        script.meta(super::edge::META_KEY),
    ) {
        diags.push(diagnostic(source, file, m.span, e, None));
    }
    if let Some(m) = script.meta("service") {
        match text(m).trim().parse::<Service>() {
            Ok(s) => meta.service = s,
            Err(e) => diags.push(diagnostic(source, file, m.span, e, None)),
        }
    }
    if let (Some(p), Some(m)) = (&meta.profile, script.meta("profile")) {
        if crate::oracle::Profile::by_name(p).is_none() {
            let names: Vec<_> = crate::oracle::Profile::all()
                .iter()
                .map(|p| p.name)
                .collect();
            diags.push(diagnostic(
                source,
                file,
                m.span,
                format!("unknown profile `{p}`"),
                Some(format!("profiles: {}", names.join(", "))),
            ));
        }
    }
    for (key, slot) in [
        ("close-delay", &mut meta.close_delay),
        ("tolerance", &mut meta.tolerance),
        ("deadline", &mut meta.deadline),
    ] {
        if let Some(m) = script.meta(key) {
            match duration(m) {
                Some(d) => *slot = d,
                None => diags.push(diagnostic(
                    source,
                    file,
                    m.span,
                    format!("`{key}` takes a duration in seconds"),
                    Some("e.g. 0.2".into()),
                )),
            }
        }
    }
    if diags.is_empty() {
        Ok((meta, calls))
    } else {
        Err(diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_relative_to_the_cases_root() {
        assert_eq!(
            case_id(Path::new("cases/core/b01-handshake.pkt")),
            "core/b01-handshake"
        );
        assert_eq!(case_id(Path::new("/x/y/cases/t/a.pkt")), "t/a");
        assert_eq!(case_id(Path::new("elsewhere/a.pkt")), "elsewhere/a");
        assert_eq!(case_id(Path::new("./core/a.pkt")), "core/a");
    }

    #[test]
    fn metadata_resolves_with_defaults() {
        let src = "//! title: T\n//! covers: B01, T02\n//! service: http\n//! close-delay: 0.2\n0 < S 0:0(0) win 1\n";
        let case = load_source(Path::new("cases/x/a.pkt"), src.to_string()).expect("loads");
        assert_eq!(case.meta.title.as_deref(), Some("T"));
        assert_eq!(case.meta.covers, ["B01", "T02"]);
        assert_eq!(case.meta.service, Service::Http);
        assert_eq!(case.meta.close_delay, Duration::from_millis(200));
        assert_eq!(case.meta.tolerance, DEFAULT_TOLERANCE);
        assert_eq!(case.meta.unsupported, None);
    }

    #[test]
    fn an_unknown_service_is_a_diagnostic_with_its_line() {
        let src = "//! title: T\n//! service: gopher\n0 < S 0:0(0) win 1\n";
        let Err(LoadError::Script(d)) = load_source(Path::new("a.pkt"), src.to_string()) else {
            panic!("expected a diagnostic");
        };
        let text = d[0].to_string();
        assert!(text.contains("unknown service `gopher`"), "{text}");
        assert!(text.contains("a.pkt:2:"), "{text}");
    }

    #[test]
    fn a_syscall_line_not_run_makes_the_case_unsupported_with_the_line() {
        let src = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 connect(3, ..., ...) = 0\n+0 sendfile(3, 4, ..., 10) = 10\n";
        let case = load_source(Path::new("a.pkt"), src.to_string()).expect("loads");
        let why = case.meta.unsupported.expect("unsupported");
        assert!(
            why.contains("a.pkt:3:") && why.contains("sendfile"),
            "{why}"
        );
    }

    #[test]
    fn a_case_that_acts_as_the_application_defaults_to_the_silent_service() {
        let src = "0 < S 0:0(0) win 1\n+0 close(4) = 0\n";
        let case = load_source(Path::new("a.pkt"), src.to_string()).expect("loads");
        assert_eq!(case.meta.service, Service::Silent);
        assert_eq!(case.meta.unsupported, None);
        let named = format!("//! service: echo\n{src}");
        let case = load_source(Path::new("a.pkt"), named).expect("loads");
        assert_eq!(case.meta.service, Service::Echo, "a named service stands");
        let setup = "//! service: echo\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
        let case = load_source(Path::new("a.pkt"), setup.to_string()).expect("loads");
        assert_eq!(
            case.meta.service,
            Service::Echo,
            "setup under a named service acts on nothing"
        );
        let own = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 listen(3, 1) = 0\n";
        let case = load_source(Path::new("a.pkt"), own.to_string()).expect("loads");
        assert!(case.calls.performed, "a script's own socket is performed");
        assert_eq!(case.meta.service, Service::Closed, "no service on its port");
    }

    #[test]
    fn a_mistake_in_a_syscall_line_is_a_diagnostic_with_its_line() {
        let src = "0 < S 0:0(0) win 1\n+0 write(4, ..., many) = 10\n";
        let Err(LoadError::Script(d)) = load_source(Path::new("a.pkt"), src.to_string()) else {
            panic!("expected a diagnostic");
        };
        let text = d[0].to_string();
        assert!(
            text.contains("a.pkt:2:") && text.contains("byte count"),
            "{text}"
        );
    }
}
