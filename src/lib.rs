//! ctxbench measures what a context switch costs on the machine at hand: process against
//! thread, mechanism against mechanism, core against core.
//!
//! The pieces, in the order data flows through them: a [`spec`] names what to run, a
//! [`harness`] runs it pinned and counted, [`measure`] turns batches into samples and an
//! [`measure::Outcome`], and [`results`] writes them out.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod counters;
pub mod cpus;
pub mod disturbance;
pub mod error;
pub mod experiments;
pub mod export;
pub mod harness;
pub mod spec;
pub mod sys;

pub use error::{Error, Result};
pub mod fingerprint;
pub mod measure;
pub mod results;
pub mod runner;
pub mod stats;
pub mod switches;
pub mod units;
