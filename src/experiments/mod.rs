//! The experiments beyond the plain ping-pong, each decomposing a switch's cost a
//! different way:
//!
//! - [`floors`]: the mechanism alone, without a switch (`floor/<name>`), subtracted from
//!   the ping-pongs to give their direct cost per switch;
//! - [`workset`]: the indirect cost, when each side touches its own buffer between
//!   switches (`workset/<participants>-pipe/<size>`);
//! - [`ring`]: n participants on one CPU (`ring/<participants>-pipe/<n>`), which exposes
//!   the per-CPU limit on address-space ids (full TLB flushes past it);
//! - [`spawn`]: what it costs to create a process or a thread (`spawn/<what>`);
//! - [`footprint`]: what n idle processes or threads cost in memory
//!   (`footprint/<participants>/<n>`);
//! - [`topology`]: across the cores, the futex wake-up beside the bare cache line between
//!   pairs of CPUs chosen by what they share (`topology/<futex|cacheline>/<a>-<b>`).

pub mod floors;
pub mod footprint;
pub mod ring;
pub mod spawn;
pub mod topology;
pub mod workset;
