//! Profiles (`oracle/profile.rs`): known differences as labelled deviations, and the
//! model following a target past a deviation its profile allows.

mod after_deviation;
mod deviations;
