//! `script` (PLACEHOLDER)
