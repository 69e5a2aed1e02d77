//! fuzzing (PLACEHOLDER)
