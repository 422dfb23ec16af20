//! Analysis: what the measured outcomes mean, computed from them alone (no measuring).
//!
//! - [`floors`]: the direct cost of a same-CPU switch, the mechanism's floor subtracted.

pub mod floors;
