//! How a comparison groups ids: by experiment, ping-pongs by placement, process ids set
//! against their thread twins.

use std::collections::{BTreeSet, HashSet};

use super::inputs::Run;
use crate::counters::events::FULL_FLUSH;
use crate::measure::tails::COLUMNS;
use crate::measure::CounterValue;
use crate::measure::Latency;
use crate::spec::{BenchId, Experiment};

/// Ids in first-seen order across runs.
pub fn all_ids(runs: &[Run]) -> Vec<BenchId> {
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for r in runs {
        for e in &r.entries {
            if seen.insert(e.id) {
                ids.push(e.id);
            }
        }
    }
    ids
}

/// Experiments in first-seen order, each with its ids.
pub fn experiments(runs: &[Run]) -> Vec<(Experiment, Vec<BenchId>)> {
    let mut out: Vec<(Experiment, Vec<BenchId>)> = Vec::new();
    for id in all_ids(runs) {
        let exp = id.experiment();
        match out.iter_mut().find(|(e, _)| *e == exp) {
            Some((_, ids)) => ids.push(id),
            None => out.push((exp, vec![id])),
        }
    }
    out
}

/// Bar-chart groups of an experiment: ping-pongs grouped by their placement, any other
/// in one group.
pub fn bar_groups(ids: &[BenchId]) -> Vec<(String, Vec<BenchId>)> {
    let mut out: Vec<(String, Vec<BenchId>)> = Vec::new();
    for &id in ids {
        let key = id.placement().map_or_else(String::new, |k| k.to_string());
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(id),
            None => out.push((key, vec![id])),
        }
    }
    out
}

/// Process/thread ratios: for each process id with a thread twin in some run, the ratio
/// of medians per run (`None` where either is missing or invalid).
pub fn ratios(runs: &[Run], ids: &[BenchId]) -> Vec<(BenchId, BenchId, Vec<Option<f64>>)> {
    let mut out = Vec::new();
    for &id in ids {
        let Some(twin) = id.thread_twin() else {
            continue;
        };
        let per_run: Vec<Option<f64>> = runs
            .iter()
            .map(|r| {
                let p = r.entry(id).filter(|e| e.valid)?;
                let t = r.entry(twin).filter(|e| e.valid)?;
                (t.summary.median > 0.0).then(|| p.summary.median / t.summary.median)
            })
            .collect();
        if per_run.iter().any(Option::is_some) {
            out.push((id, twin, per_run));
        }
    }
    out
}

/// Counter names that appear for any of `ids` in any run, sorted.
pub fn counter_names(runs: &[Run], ids: &[BenchId]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for r in runs {
        for &id in ids {
            if let Some(e) = r.entry(id) {
                names.extend(e.counters.keys().cloned());
            }
        }
    }
    names.into_iter().collect()
}

/// The ids among `ids` that carry latency percentiles in some run (the cross-CPU and
/// unpinned ping-pongs), in order, each with every run's percentiles (`None` where a run
/// has none).
pub fn latency_rows<'a>(
    runs: &'a [Run],
    ids: &[BenchId],
) -> Vec<(BenchId, Vec<Option<&'a Latency>>)> {
    ids.iter()
        .map(|&id| {
            let per_run = runs
                .iter()
                .map(|r| r.entry(id).and_then(|e| e.latency.as_ref()))
                .collect();
            (id, per_run)
        })
        .filter(|(_, per_run): &(BenchId, Vec<Option<&Latency>>)| {
            per_run.iter().any(Option::is_some)
        })
        .collect()
}

/// What a latency cell shows, as its head says: `p50 / p90 / p99 / p99.9 / max`.
pub fn latency_head() -> String {
    COLUMNS.join(" / ")
}

/// One run's latency percentiles in a table cell, in ns, in the order of
/// [`latency_head`]; `-` where the run has none.
pub fn latency_cell(l: Option<&Latency>) -> String {
    l.map_or_else(
        || "-".to_string(),
        |l| l.values().map(|v| crate::units::ns(v as f64)).join(" / "),
    )
}

/// A run for the latency tables' tests, labelled `label`: a same-CPU entry, and a
/// cross-CPU one with `latency`.
#[cfg(test)]
pub(crate) fn tails_run(label: &str, latency: Option<Latency>) -> Run {
    use super::inputs::{Entry, SourceKind};
    let entry = |id: &str, latency| Entry {
        id: id.parse().expect("a benchmark id"),
        summary: crate::stats::Summary::of(&[50_000.0]).unwrap(),
        valid: true,
        validity: "ok".into(),
        ns_per_switch: None,
        switches_per_iter: Some(2.0),
        counters: std::collections::BTreeMap::new(),
        extra: std::collections::BTreeMap::new(),
        latency,
        stability: crate::analysis::spread::Stability::Stable,
        indirect_ns_per_switch: None,
    };
    Run {
        label: label.into(),
        source: "r.json".into(),
        kind: SourceKind::ResultsFile,
        machine: Default::default(),
        mode: "quick".into(),
        created_unix: None,
        entries: vec![
            entry("pingpong/thread-pipe/same-cpu", None),
            entry("pingpong/thread-pipe/cross-cpu", latency),
        ],
        skipped: Vec::new(),
        verdicts: Vec::new(),
        outcomes: Vec::new(),
        permissions: None,
        anatomy: Default::default(),
    }
}

/// Counters a claim reads: shown even where they read zero.
pub const CLAIM_COUNTERS: [&str; 1] = [FULL_FLUSH];

/// Below this a counter value (per iteration and per switch) reads as zero at the two
/// decimals reports show.
pub const ZERO: f64 = 0.005;

/// The counters of some ids sorted by what a report does with them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CounterSplit {
    /// Measured somewhere and not zero everywhere, or read by a claim: shown.
    pub shown: Vec<String>,
    /// Measured, and zero for every id in every run that measured it: folded away.
    pub zero: Vec<String>,
    /// Refused in every run: each with its reasons (and the runs, where they differ).
    pub refused: Vec<(String, Vec<String>)>,
}

/// Whether a measured value reads as zero.
fn is_zero(v: &CounterValue) -> bool {
    match v {
        CounterValue::Measured {
            per_iteration,
            per_switch,
            ..
        } => per_iteration.abs() < ZERO && per_switch.is_none_or(|p| p.abs() < ZERO),
        CounterValue::Unsupported { .. } => true,
    }
}

/// Sorts the counters of `ids` into shown, zero and refused.
pub fn split_counters(runs: &[Run], ids: &[BenchId]) -> CounterSplit {
    let mut out = CounterSplit::default();
    for n in counter_names(runs, ids) {
        let values: Vec<&CounterValue> = runs
            .iter()
            .flat_map(|r| ids.iter().filter_map(|&id| r.entry(id)?.counters.get(&n)))
            .collect();
        let measured = values
            .iter()
            .any(|v| matches!(v, CounterValue::Measured { .. }));
        if !measured {
            let reasons = refusals(runs, ids, &n);
            out.refused.push((n, reasons));
        } else if CLAIM_COUNTERS.contains(&n.as_str()) || !values.iter().all(|v| is_zero(v)) {
            out.shown.push(n);
        } else {
            out.zero.push(n);
        }
    }
    out
}

/// The refused counters of a [`CounterSplit`] grouped by reason: each reason once, with
/// every counter refused for it.
pub fn refused_by_reason(refused: &[(String, Vec<String>)]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (n, reasons) in refused {
        let why = reasons.join("; ");
        match out.iter_mut().find(|(w, _)| *w == why) {
            Some((_, names)) => names.push(n.clone()),
            None => out.push((why, vec![n.clone()])),
        }
    }
    out
}

/// Each distinct reason counter `n` was refused for one of `ids`, with the runs that gave
/// it where the runs disagree.
fn refusals(runs: &[Run], ids: &[BenchId], n: &str) -> Vec<String> {
    let mut reasons: Vec<(String, Vec<String>)> = Vec::new();
    for r in runs {
        for &id in ids {
            if let Some(CounterValue::Unsupported { unsupported }) =
                r.entry(id).and_then(|e| e.counters.get(n))
            {
                match reasons.iter_mut().find(|(why, _)| why == unsupported) {
                    Some((_, who)) if who.contains(&r.label) => {}
                    Some((_, who)) => who.push(r.label.clone()),
                    None => reasons.push((unsupported.clone(), vec![r.label.clone()])),
                }
            }
        }
    }
    if reasons.len() == 1 {
        return vec![reasons.remove(0).0];
    }
    reasons
        .into_iter()
        .map(|(why, who)| format!("{why} ({})", who.join(", ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::measure::tails::EXAMPLE;

    #[test]
    fn latency_rows_are_the_ids_some_run_timed_one_by_one() {
        let runs = [tails_run("a", Some(EXAMPLE)), tails_run("b", None)];
        let ids: Vec<BenchId> = runs[0].entries.iter().map(|e| e.id).collect();
        let rows = latency_rows(&runs, &ids);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "pingpong/thread-pipe/cross-cpu");
        assert_eq!(rows[0].1, vec![Some(&EXAMPLE), None]);
        assert_eq!(latency_head(), "p50 / p90 / p99 / p99.9 / max");
        assert_eq!(
            latency_cell(rows[0].1[0]),
            "51200 / 60100 / 81000 / 140000 / 2310000"
        );
        assert_eq!(latency_cell(None), "-");
        assert!(latency_rows(&runs[1..], &ids).is_empty());
    }

    fn ids(list: &[&str]) -> Vec<BenchId> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn groups() {
        let g = bar_groups(&ids(&[
            "pingpong/process-pipe/same-cpu",
            "pingpong/process-pipe/cross-cpu",
            "pingpong/thread-pipe/same-cpu",
        ]));
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0, "same-cpu");
        assert_eq!(g[0].1.len(), 2);
        let g = bar_groups(&ids(&["spawn/fork", "spawn/thread"]));
        assert_eq!(g.len(), 1);
    }
}
