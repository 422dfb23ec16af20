//! Every output ctxbench writes, one file each, all behind [`Exporter`]:
//!
//! - [`terminal`]: the tables `ctxbench run` prints (timings, counters, working sets,
//!   rings) and the table `ctxbench check` prints;
//! - [`markdown`] and [`html`] (with its inline [`html::svg`] charts): runs compared side
//!   by side, `ctxbench compare`;
//! - [`benchmark_action`]: the `customSmallerIsBetter` JSON that benchmark-tracking CI
//!   actions read, `ctxbench check --output-json`; [`bmf`]: the Bencher Metric Format,
//!   with each id's interval, `ctxbench check --bmf`.
//!
//! The inputs of a comparison (results files, directories of them, criterion's output) are
//! read by [`inputs`]; [`summary`] (the headline figures and the claims matrix),
//! [`grouping`] and [`machine`] are what the comparison formats share, and [`footprint`]
//! the memory-per-task table every output shows;
//! [`escape`] makes text from input files safe in each markup. Numbers are written by
//! [`crate::units`]. A new output is one file here with an [`Exporter`], plus a line that
//! registers it ([`Format::exporter`] for a comparison format).
//!
//! ```no_run
//! use std::path::PathBuf;
//! use ctxbench::export::{inputs, Format};
//! let runs = inputs::load_inputs(&[PathBuf::from("results")]).unwrap();
//! let page = Format::Html.exporter().render(&runs.runs);
//! assert!(page.contains("<svg"));
//! ```

pub mod benchmark_action;
pub mod bmf;
pub mod escape;
pub mod footprint;
pub mod grouping;
pub mod html;
pub mod inputs;
pub mod machine;
pub mod markdown;
pub mod sections;
pub mod summary;
pub mod terminal;

use inputs::Run;

/// One output: turns its input into the text a person reads or a tool parses.
pub trait Exporter {
    /// What it renders: a results file, the runs of a comparison, a regression report.
    type Input: ?Sized;
    /// The output (empty when the input holds nothing this output shows).
    fn render(&self, input: &Self::Input) -> String;
}

/// The formats of `ctxbench compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML page with inline CSS and SVG.
    Html,
    /// GitHub-flavoured Markdown tables, for terminals and pull requests.
    Markdown,
}

impl Format {
    /// The exporter that writes this format.
    pub fn exporter(self) -> &'static dyn Exporter<Input = [Run]> {
        match self {
            Format::Html => &html::Html,
            Format::Markdown => &markdown::Markdown,
        }
    }
}
