//! `oracle` (PLACEHOLDER)
