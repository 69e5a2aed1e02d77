//! embedded (PLACEHOLDER)
