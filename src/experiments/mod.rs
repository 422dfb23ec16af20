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
//! - [`regs`]: what live register state adds to a switch, for the kernel to save and
//!   restore (`regs/<participants>-futex/<state>`);
//! - [`uswitch`]: a switch without the kernel's scheduler, between two coroutines on one
//!   thread (`uswitch/<kind>`): the kernel's share of a switch;
//! - [`isolation`]: what a separate address space is, shown: a child's write stays its own
//!   (a copy-on-write fault), a thread's is seen at once (`isolation/<participants>-write`);
//! - [`cross`]: what reading another process's memory costs, by each way there is
//!   (`cross/<way>/<size>`), and [`guard`]: who the kernel lets read whom;
//! - [`topology`]: across the cores, the futex wake-up beside the bare cache line between
//!   pairs of CPUs chosen by what they share (`topology/<futex|cacheline>/<a>-<b>`).

pub mod cross;
pub mod floors;
pub mod footprint;
pub mod guard;
pub mod isolation;
pub mod regs;
pub mod ring;
pub mod spawn;
pub mod topology;
pub mod uswitch;
pub mod workset;
