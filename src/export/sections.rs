//! The sections every comparison format shows, built once: which rows, which runs, and
//! what each cell holds, typed. Markdown and HTML each render a section their own way
//! (hyperfine's markup exporters are the model: one table, a renderer per format), so the
//! two agree on every number by construction.

use super::grouping::{latency_rows, ratios, split_counters, CounterSplit};
use super::inputs::{Entry, Run};
use crate::measure::{CounterValue, Latency};
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

/// The counters of some ids: which are shown, which read zero everywhere or were never
/// counted, and per id that has a shown counter its values, counter by counter and run
/// by run.
#[derive(Debug, Clone)]
pub struct Counters<'a> {
    /// The counters sorted by what a report does with them; `shown` are the columns.
    pub split: CounterSplit,
    /// Shown counters left out of the columns by the caller's choice (named, not shown).
    pub left: Vec<String>,
    /// The ids that have a value of a shown counter in some run, in the order given.
    pub rows: Vec<CounterRow<'a>>,
}

/// One id's counter values: `values[k][r]` is shown counter `k` in run `r`.
#[derive(Debug, Clone)]
pub struct CounterRow<'a> {
    /// The id.
    pub id: BenchId,
    /// Per shown counter, one value per run (`None` where not recorded).
    pub values: Vec<Vec<Option<&'a CounterValue>>>,
}

/// The counters section of `ids`; with `keep`, only those counters are columns and the
/// others that read something go to [`Counters::left`].
pub fn counters<'a>(runs: &'a [Run], ids: &[BenchId], keep: Option<&[&str]>) -> Counters<'a> {
    let mut split = split_counters(runs, ids);
    let mut left = Vec::new();
    if let Some(keep) = keep {
        let (kept, rest) = std::mem::take(&mut split.shown)
            .into_iter()
            .partition(|n| keep.contains(&n.as_str()));
        split.shown = kept;
        left = rest;
    }
    let rows = ids
        .iter()
        .map(|&id| CounterRow {
            id,
            values: split
                .shown
                .iter()
                .map(|n| {
                    runs.iter()
                        .map(|r| r.entry(id).and_then(|e| e.counters.get(n)))
                        .collect()
                })
                .collect(),
        })
        .filter(|row| row.values.iter().flatten().any(Option::is_some))
        .collect();
    Counters { split, left, rows }
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
