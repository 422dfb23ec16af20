//! What the outcomes say: the regression statistics (a run against a baseline).

pub mod regress;
