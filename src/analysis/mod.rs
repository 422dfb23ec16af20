//! What the outcomes say: why a count is missing, and the regression statistics (a run
//! against a baseline).

pub mod counted;
pub mod regress;
