//! Each case is isolated: a panic inside one (the in-process stack's or the
//! harness's) is that case's error with the panic's message, the run goes
//! on, and every report is written.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use synack::report::ReportWriter;
use synack::run::{self, Outcome, Reporter, SuiteOptions};
use synack::target::embedded::Embedded;
use synack::target::{
    AppAction, AppOutcome, Capabilities, Received, Session, SessionInfo, SessionSpec, Target,
    TargetError,
};
use synack::wire::TcpState;

/// What the case with index 1 meets on its second injected segment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trouble {
    Panic,
    /// The OS refuses the write, as a TUN device does with ENOBUFS.
    NoBuffers,
}

/// The embedded target, whose stack meets `Trouble` on the second segment it is
/// given in the case with index 1 (as a stack with a bug would).
struct TroubleInCaseOne(Embedded, Trouble);

struct PanickingSession {
    inner: Box<dyn Session>,
    injected: usize,
    trouble: Option<Trouble>,
}

impl Target for TroubleInCaseOne {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn open(&self, spec: &SessionSpec) -> Result<Box<dyn Session>, TargetError> {
        Ok(Box::new(PanickingSession {
            inner: self.0.open(spec)?,
            injected: 0,
            trouble: (spec.index == 1).then_some(self.1),
        }))
    }
}

impl Session for PanickingSession {
    fn info(&self) -> &SessionInfo {
        self.inner.info()
    }
    fn now(&self) -> Duration {
        self.inner.now()
    }
    fn inject(&mut self, packet: &[u8]) -> Result<(), TargetError> {
        self.injected += 1;
        match self.trouble {
            Some(Trouble::Panic) if self.injected == 2 => {
                panic!("smoltcp: attempt to subtract with overflow (simulated)")
            }
            Some(Trouble::NoBuffers) if self.injected == 2 => {
                return Err(TargetError::Io(
                    "write to the TUN device: No buffer space available (os error 105)".into(),
                ))
            }
            _ => {}
        }
        self.inner.inject(packet)
    }
    fn recv(&mut self, deadline: Duration) -> Result<Option<Received>, TargetError> {
        self.inner.recv(deadline)
    }
    fn app(&mut self, action: &AppAction) -> Result<AppOutcome, TargetError> {
        self.inner.app(action)
    }
    fn socket_state(&mut self, harness: SocketAddr) -> Result<TcpState, TargetError> {
        self.inner.socket_state(harness)
    }
}

#[test]
fn a_panic_in_a_case_is_its_error_and_the_run_goes_on_and_reports() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases/core");
    let cases = run::case::load_all(&[root]).expect("cases load");
    assert!(cases.len() >= 3);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("isolation-report");
    let _ = std::fs::remove_dir_all(&dir);
    let mut writer = ReportWriter::new(&dir);
    let mut reporters: Vec<&mut dyn Reporter> = vec![&mut writer];
    let opts = SuiteOptions {
        jobs: 2,
        run: run::RunOptions {
            profile: "smoltcp".into(),
            ..run::RunOptions::default()
        },
        ..SuiteOptions::default()
    };
    let target = TroubleInCaseOne(Embedded::new(), Trouble::Panic);
    let (summary, reports) =
        run::run_suite(&target, &cases, &opts, &mut reporters).expect("the run finishes");
    assert_eq!(reports.len(), cases.len(), "every case reported");
    let errored: Vec<_> = reports
        .iter()
        .filter(|r| r.outcome == Outcome::Error)
        .collect();
    assert_eq!(errored.len(), 1, "{reports:#?}");
    assert_eq!(&*errored[0].id, cases[1].id);
    assert_eq!(
        errored[0].reason.as_deref(),
        Some("panicked: smoltcp: attempt to subtract with overflow (simulated)")
    );
    assert_eq!(summary.errors, 1);
    assert!(
        summary.passed + summary.deviations >= cases.len() - 2,
        "{summary:?}"
    );
    let results = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    assert!(results.contains("panicked: smoltcp"), "{results}");
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains("<error message=\"panicked: smoltcp"),
        "{junit}"
    );
}

#[test]
fn an_os_error_mid_case_is_that_cases_error_not_a_failure() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cases/core");
    let cases = run::case::load_all(&[root]).expect("cases load");
    let opts = SuiteOptions {
        run: run::RunOptions {
            profile: "smoltcp".into(),
            ..run::RunOptions::default()
        },
        ..SuiteOptions::default()
    };
    let target = TroubleInCaseOne(Embedded::new(), Trouble::NoBuffers);
    let (summary, reports) = run::run_suite(&target, &cases, &opts, &mut []).expect("runs");
    assert_eq!(
        reports[1].outcome,
        Outcome::Error,
        "{:?}",
        reports[1].reason
    );
    assert!(
        reports[1]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("No buffer space available")),
        "{:?}",
        reports[1].reason
    );
    assert_eq!((summary.errors, summary.failed), (1, 0));
}
