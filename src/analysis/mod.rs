//! Analysis: what the measured outcomes mean, computed from them alone (no measuring).
//!
//! - [`floors`]: the direct cost of a same-CPU switch, the mechanism's floor subtracted;
//! - [`claims`]: the textbook claims about context switches, one file each, judged on the
//!   outcomes with the figures they rest on.

pub mod claims;
pub mod floors;
