//! The only module with `unsafe` code: fork, futex, shared memory, process exit and the
//! perf ioctl the perf crate does not wrap; the tracefs mount; the register state of
//! [`xstate`] (CPUID, XINUSE, the assembly that makes a state live); glibc's user-space
//! context switch ([`ucontext`]); and [`crossing`], what the isolation experiments need:
//! shared bytes, reading another process's memory, and a forked child's change of user
//! and dumpable flag.
//!
//! Every function here is a small safe wrapper; each `unsafe` block says why it is sound.
//! Everything else in the crate goes through these wrappers (`#![deny(unsafe_code)]` at
//! the crate root, allowed only here).
#![allow(unsafe_code)]

pub mod crossing;
pub mod ucontext;
pub mod xstate;

mod fd;
mod futex;
mod memory;
mod perf;
mod process;
mod sched;
mod signals;
#[cfg(test)]
pub mod testing;

pub use fd::*;
pub use futex::*;
pub(crate) use memory::map_anonymous;
pub use memory::*;
pub use perf::*;
pub use process::*;
pub use sched::*;
pub use signals::*;
