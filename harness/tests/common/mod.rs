//! Set-up shared by the integration tests that need the lab target.

use synack::target::lab::{Lab, LabOptions};
use synack::target::TargetError;

/// A lab with `options`, or `None` (the test skips) where it cannot start
/// for want of privilege: root, or unprivileged user namespaces. Under
/// `SYNACK_REQUIRE_LAB=1` (CI) that is a failure, as is any other error.
pub fn lab_or_skip_with(options: LabOptions) -> Option<Lab> {
    match Lab::start(options) {
        Ok(lab) => Some(lab),
        Err(TargetError::Privilege(why))
            if std::env::var("SYNACK_REQUIRE_LAB").as_deref() != Ok("1") =>
        {
            println!("skipping: lab needs root/CAP_NET_ADMIN: {why}");
            None
        }
        Err(e) => panic!("the lab did not start: {e}"),
    }
}

/// [`lab_or_skip_with`] the default options.
#[allow(dead_code)] // not every test binary that includes this module calls it
pub fn lab_or_skip() -> Option<Lab> {
    lab_or_skip_with(LabOptions::default())
}
