//! ctxbench measures what a context switch costs on the machine at hand: process against
//! thread, mechanism against mechanism, core against core.
//!
//! # The pipeline
//!
//! Data flows one way through the modules, each a stage:
//!
//! ```text
//! spec ──▶ harness ──▶ measure ──▶ analysis ──▶ results ──▶ regress ──▶ export
//! what     runs it:    timed      floors,      the file:   the gate:    terminal tables,
//! to run   pinned,     batches,   claims,      machine +   runs against Markdown, HTML
//!          peers,      a counted  the anatomy  outcomes +  a calibrated with SVG, the
//!          watchdog    run,                    verdicts    baseline     benchmark-action
//!                      validity                                         JSON, BMF
//! ```
//!
//! - [`spec`]: participants, mechanism, placement, and the ids that name them.
//! - [`harness`]: the mechanisms (pipe, futex, condvar, eventfd ping-pongs; rings;
//!   working sets; the footprint's idle tasks), their peers (forked or spawned, pinned, reaped), and the watchdog
//!   that keeps liveness out of the timed loops.
//! - [`bench`](mod@bench): what every experiment is (a [`bench::Bench`]: an id, a harness, what it
//!   adds to its outcome), and [`measure`]: the one measuring path (timed batches read
//!   around, never inside; a counted run on a second harness; validity from what the
//!   kernel reports).
//! - [`scheduler`]: the one loop, plan → build → measure → analyse → results file, that
//!   `ctxbench run`, `explain` and `check` use.
//! - [`results`]: the schema-versioned results file, with the machine's [`fingerprint`]
//!   (and its [`topology`]: which CPUs share a core, an L3, a package).
//! - [`regress`]: the regression gate, which reads results files: a run judged against a
//!   baseline of several runs calibrated on the same machine.
//!
//! # Example
//!
//! Time a thread futex ping-pong on one CPU and count its switches:
//!
//! ```
//! use ctxbench::bench::measure_bench;
//! use ctxbench::measure::{Counting, SampleConfig};
//! use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};
//!
//! let spec = PingPongSpec {
//!     participants: Participants::Thread,
//!     mechanism: Mechanism::Futex,
//!     placement: Placement::SameCpu(ctxbench::cpus::allowed_cpus()?[0]),
//! };
//! let o = measure_bench(&spec, &SampleConfig::quick(), &Counting::Off)?;
//! println!(
//!     "{}: {:.0} ns per switch, {:.2} switches per round trip, valid: {}",
//!     o.id,
//!     o.ns_per_switch.unwrap_or(f64::NAN),
//!     o.switches_per_iteration,
//!     o.valid
//! );
//! # Ok::<(), ctxbench::Error>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod bench;
pub mod counters;
pub mod cpus;
pub mod error;
pub mod experiments;
pub mod export;
pub mod harness;
pub mod spec;
mod sys;

pub use error::{Error, Result};
pub mod fingerprint;
pub mod measure;
pub mod regress;
pub mod results;
pub mod runner;
pub mod scheduler;
pub mod stats;
pub mod topology;
pub mod units;
