//! Every output ctxbench writes, one file each, all behind [`Exporter`]:
//!
//! - [`terminal`]: the tables `ctxbench run` prints (timings, counters, working sets,
//!   rings) and the table `ctxbench check` prints;
//! - [`benchmark_action`]: the `customSmallerIsBetter` JSON that benchmark-tracking CI
//!   actions read, `ctxbench check --output-json`.
//!
//! Numbers are written by [`crate::units`]. A new output is one file here with an
//! [`Exporter`].

pub mod benchmark_action;
pub mod terminal;

/// One output: turns its input into the text a person reads or a tool parses.
pub trait Exporter {
    /// What it renders: a results file, the runs of a comparison, a regression report.
    type Input: ?Sized;
    /// The output (empty when the input holds nothing this output shows).
    fn render(&self, input: &Self::Input) -> String;
}
