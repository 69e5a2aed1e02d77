//! Session times where people read them (ladders, terminal and text
//! transcripts): at the clock's real resolution, microseconds, on both the
//! lab's real clock and the embedded target's virtual one (smoltcp's
//! `Instant` counts microseconds); the reader is told which clock it is.
//! Snapshots do not use these: they round to
//! [`crate::run::CaseReport::resolution`] so they do not flip with load.

use std::time::Duration;

/// `s.uuuuuu`: seconds with six decimals, nothing rounded away.
pub fn clock_time(at: Duration) -> String {
    format!("{}.{:06}", at.as_secs(), at.subsec_micros())
}

/// The unit label of a case's times: `virtual s` or `real s`.
pub fn clock_label(virtual_time: bool) -> &'static str {
    if virtual_time {
        "virtual s"
    } else {
        "real s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_their_microseconds() {
        assert_eq!(clock_time(Duration::from_micros(226_417)), "0.226417");
        assert_eq!(clock_time(Duration::new(12, 5_000)), "12.000005");
        assert_eq!(clock_label(true), "virtual s");
    }
}
