//! The sections every comparison format shows, built once: which rows, which runs, and
//! what each cell holds, typed. Markdown and HTML each render a section their own way
//! (hyperfine's markup exporters are the model: one table, a renderer per format), so the
//! two agree on every number by construction.

use super::grouping::{latency_rows, ratios};
use super::inputs::{Entry, Run};
use crate::measure::Latency;
use crate::spec::BenchId;

/// What one run shows for one row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// The run has no such benchmark.
    NotRun,
    /// A benchmark's figures, with the first run's median where this is a later run (for
    /// the ratio to it).
    Entry {
        /// The figures.
        entry: &'a Entry,
        /// The first run's median, for runs after the first.
        first: Option<f64>,
    },
    /// A process/thread ratio, where both sides were valid; with the side whose samples
    /// are unstable, if one is.
    Ratio {
        /// Process median over thread median.
        value: Option<f64>,
        /// An unstable side, which makes the ratio mean little.
        unstable: Option<&'a Entry>,
    },
    /// Percentiles of single round trips, where the run timed them.
    Latency(Option<&'a Latency>),
}

/// A row: its id, and a cell per run.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// The id the row is about.
    pub id: BenchId,
    /// One cell per run, in the runs' order.
    pub cells: Vec<Cell<'a>>,
}

/// Medians, one row per id: each run's entry, with the first run's median for the
/// later runs.
pub fn numbers<'a>(runs: &'a [Run], ids: &[BenchId]) -> Vec<Row<'a>> {
    ids.iter()
        .map(|&id| {
            let first = runs
                .first()
                .and_then(|r| r.entry(id))
                .map(|e| e.summary.median);
            let cells = runs
                .iter()
                .enumerate()
                .map(|(i, r)| match r.entry(id) {
                    None => Cell::NotRun,
                    Some(entry) => Cell::Entry {
                        entry,
                        first: first.filter(|_| i > 0),
                    },
                })
                .collect();
            Row { id, cells }
        })
        .collect()
}

/// Process over thread medians, one row per process id with a thread twin in some run
/// (the id of the row is the process id).
pub fn process_thread<'a>(runs: &'a [Run], ids: &[BenchId]) -> Vec<Row<'a>> {
    ratios(runs, ids)
        .into_iter()
        .map(|(p, twin, vals)| {
            let cells = runs
                .iter()
                .zip(vals)
                .map(|(r, value)| Cell::Ratio {
                    value,
                    unstable: [p, twin]
                        .iter()
                        .filter_map(|&id| r.entry(id))
                        .find(|e| e.stability.is_unstable()),
                })
                .collect();
            Row { id: p, cells }
        })
        .collect()
}

/// Percentiles of single round trips, one row per id some run timed one by one.
pub fn latency<'a>(runs: &'a [Run], ids: &[BenchId]) -> Vec<Row<'a>> {
    latency_rows(runs, ids)
        .into_iter()
        .map(|(id, per_run)| Row {
            id,
            cells: per_run.into_iter().map(Cell::Latency).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::grouping::tails_run;
    use crate::measure::tails::EXAMPLE;

    #[test]
    fn rows_are_built_once_for_every_format() {
        let runs = [tails_run("a", Some(EXAMPLE)), tails_run("b", None)];
        let ids: Vec<BenchId> = runs[0].entries.iter().map(|e| e.id).collect();
        let n = numbers(&runs, &ids);
        assert_eq!(n.len(), 2);
        assert!(matches!(n[0].cells[0], Cell::Entry { first: None, .. }));
        assert!(matches!(n[0].cells[1], Cell::Entry { first: Some(_), .. }));
        let l = latency(&runs, &ids);
        assert_eq!(l.len(), 1);
        assert!(matches!(
            l[0].cells[..],
            [Cell::Latency(Some(_)), Cell::Latency(None)]
        ));
        assert!(process_thread(&runs, &ids).is_empty());
    }
}
