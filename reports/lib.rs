//! `synack-reports`: the reviewed transcripts of synack's suite.
//!
//! This package exists so that the workspace root is a package and
//! `cargo insta review` can find the snapshots under `reports/<target>/`.
//! The tests live in `reports/snapshots.rs`; see `reports/README.md`.
