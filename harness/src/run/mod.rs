//! `run` (PLACEHOLDER)
