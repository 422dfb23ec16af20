//! Ways to show outcomes: one file per format.

pub mod counters;
pub mod table;
