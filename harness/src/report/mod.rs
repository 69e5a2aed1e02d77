//! `report` (PLACEHOLDER)
