//! Analysis: what the measured outcomes mean, computed from them alone (no measuring).
//!
//! - [`anatomy`]: where the time of one switch goes, part by part, with intervals, and
//!   the remainder the parts leave of the whole;
//! - [`floors`]: the direct cost of a same-CPU switch, the mechanism's floor subtracted;
//! - [`claims`]: the textbook claims about context switches, one file each, judged on the
//!   outcomes with the figures they rest on;
//! - [`footprint`]: memory per task, process and thread, by least squares over n;
//! - [`topology`]: the topology sweep's figures, pair by pair and class by class;
//! - [`counted`]: why a count is missing;
//! - [`spread`]: whether a result's samples spread too wide for its median to mean much;
//! - [`headline`]: the figures a comparison opens with, one set per run;

pub mod anatomy;
pub mod claims;
pub mod counted;
pub mod floors;
pub mod footprint;
pub mod headline;
pub mod spread;
pub mod topology;
