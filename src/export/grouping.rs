//! How a comparison groups ids, whatever the experiment: by their first segment
//! (`pingpong`, `ring`, `workset`, `floor`, ...); an experiment whose ids all end in a
//! number or a size (`ring/process-pipe/8`, `workset/thread-futex/256KiB`) is drawn as
//! curves over that last segment, any other as bars grouped by the last segment. Process
//! ids are set against their thread twins.

use std::collections::{BTreeMap, BTreeSet};

use super::inputs::Run;
use crate::counters::events::FULL_FLUSH;
use crate::measure::tails::COLUMNS;
use crate::measure::CounterValue;
use crate::measure::Latency;

/// The first segment of an id: its experiment.
pub fn experiment_of(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// An id split at its last `/`: (series, parameter).
pub fn split_last(id: &str) -> (&str, &str) {
    id.rsplit_once('/').unwrap_or(("", id))
}

/// The numeric value of an x-axis parameter: `8` is 8, `256KiB` is 262144, `4k` is
/// 4096, `1MiB` is 1048576.
pub fn param_value(s: &str) -> Option<f64> {
    let digits_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(digits_end);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(n * mult)
}

/// Ids in first-seen order across runs.
pub fn all_ids(runs: &[Run]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut ids = Vec::new();
    for r in runs {
        for e in &r.entries {
            if seen.insert(e.id.clone()) {
                ids.push(e.id.clone());
            }
        }
    }
    ids
}

/// Experiments in first-seen order, each with its ids.
pub fn experiments(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for id in all_ids(runs) {
        let exp = experiment_of(&id).to_string();
        match out.iter_mut().find(|(e, _)| *e == exp) {
            Some((_, ids)) => ids.push(id),
            None => out.push((exp, vec![id])),
        }
    }
    out
}

/// True when an experiment's ids are curves over their last segment: every id has at
/// least three segments, ends in a number or size, and some series has two points.
pub fn is_curve(ids: &[String]) -> bool {
    let mut per_series: BTreeMap<&str, usize> = BTreeMap::new();
    for id in ids {
        if id.split('/').count() < 3 || param_value(split_last(id).1).is_none() {
            return false;
        }
        *per_series.entry(split_last(id).0).or_default() += 1;
    }
    per_series.values().any(|&n| n >= 2)
}

/// The series of a curve experiment, each with its (parameter, id) points sorted by the
/// parameter's value.
pub fn curve_series(ids: &[String]) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for id in ids {
        let (series, param) = split_last(id);
        let point = (param.to_string(), id.clone());
        match out.iter_mut().find(|(s, _)| s == series) {
            Some((_, pts)) => pts.push(point),
            None => out.push((series.to_string(), vec![point])),
        }
    }
    for (_, pts) in &mut out {
        pts.sort_by(|a, b| {
            param_value(&a.0)
                .unwrap_or(f64::INFINITY)
                .total_cmp(&param_value(&b.0).unwrap_or(f64::INFINITY))
        });
    }
    out
}

/// Bar-chart groups of a non-curve experiment: ids with three or more segments grouped
/// by their last segment (the placement, for ping-pong), others in one group.
pub fn bar_groups(ids: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for id in ids {
        let key = if id.split('/').count() >= 3 {
            split_last(id).1.to_string()
        } else {
            String::new()
        };
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(id.clone()),
            None => out.push((key, vec![id.clone()])),
        }
    }
    out
}

/// The thread twin of a process id (`pingpong/process-pipe/same-cpu` ->
/// `pingpong/thread-pipe/same-cpu`), if the id names processes.
pub fn thread_twin(id: &str) -> Option<String> {
    let mut parts: Vec<&str> = id.split('/').collect();
    let i = parts.iter().position(|p| p.starts_with("process-"))?;
    let rest = parts[i].strip_prefix("process-")?.to_string();
    let twin = format!("thread-{rest}");
    parts[i] = &twin;
    Some(parts.join("/"))
}

/// Process/thread ratios: for each process id with a thread twin in some run, the ratio
/// of medians per run (`None` where either is missing or invalid).
pub fn ratios(runs: &[Run], ids: &[String]) -> Vec<(String, String, Vec<Option<f64>>)> {
    let mut out = Vec::new();
    for id in ids {
        let Some(twin) = thread_twin(id) else {
            continue;
        };
        let per_run: Vec<Option<f64>> = runs
            .iter()
            .map(|r| {
                let p = r.entry(id).filter(|e| e.valid)?;
                let t = r.entry(&twin).filter(|e| e.valid)?;
                (t.summary.median > 0.0).then(|| p.summary.median / t.summary.median)
            })
            .collect();
        if per_run.iter().any(Option::is_some) {
            out.push((id.clone(), twin, per_run));
        }
    }
    out
}

/// Counter names that appear for any of `ids` in any run, sorted.
pub fn counter_names(runs: &[Run], ids: &[String]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for r in runs {
        for id in ids {
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
    ids: &[String],
) -> Vec<(String, Vec<Option<&'a Latency>>)> {
    ids.iter()
        .map(|id| {
            let per_run = runs
                .iter()
                .map(|r| r.entry(id).and_then(|e| e.latency.as_ref()))
                .collect();
            (id.clone(), per_run)
        })
        .filter(|(_, per_run): &(String, Vec<Option<&Latency>>)| {
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
        id: id.into(),
        summary: crate::stats::Summary::of(&[50_000.0]).unwrap(),
        valid: true,
        validity: "ok".into(),
        ns_per_switch: None,
        switches_per_iter: Some(2.0),
        counters: BTreeMap::new(),
        extra: BTreeMap::new(),
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
        guard: None,
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
            per_round_trip,
            per_switch,
            ..
        } => per_round_trip.abs() < ZERO && per_switch.is_none_or(|p| p.abs() < ZERO),
        CounterValue::Unsupported { .. } => true,
    }
}

/// Sorts the counters of `ids` into shown, zero and refused.
pub fn split_counters(runs: &[Run], ids: &[String]) -> CounterSplit {
    let mut out = CounterSplit::default();
    for n in counter_names(runs, ids) {
        let values: Vec<&CounterValue> = runs
            .iter()
            .flat_map(|r| ids.iter().filter_map(|id| r.entry(id)?.counters.get(&n)))
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
fn refusals(runs: &[Run], ids: &[String], n: &str) -> Vec<String> {
    let mut reasons: Vec<(String, Vec<String>)> = Vec::new();
    for r in runs {
        for id in ids {
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
        let ids: Vec<String> = runs[0].entries.iter().map(|e| e.id.clone()).collect();
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

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn params_and_curves() {
        assert_eq!(param_value("8"), Some(8.0));
        assert_eq!(param_value("256KiB"), Some(262_144.0));
        assert_eq!(param_value("32MiB"), Some(33_554_432.0));
        assert_eq!(param_value("4k"), Some(4096.0));
        assert_eq!(param_value("same-cpu"), None);
        assert_eq!(param_value("8x"), None);
        let ring = ids(&[
            "ring/process-pipe/8",
            "ring/process-pipe/2",
            "ring/thread-pipe/2",
        ]);
        assert!(is_curve(&ring));
        let s = curve_series(&ring);
        assert_eq!(s[0].0, "ring/process-pipe");
        assert_eq!(s[0].1[0].0, "2");
        assert!(!is_curve(&ids(&["pingpong/process-pipe/same-cpu"])));
        assert!(!is_curve(&ids(&["floor/getppid", "floor/pipe"])));
        assert!(!is_curve(&ids(&["ring/process-pipe/8"])));
    }

    #[test]
    fn twins_and_groups() {
        assert_eq!(
            thread_twin("pingpong/process-pipe/same-cpu").as_deref(),
            Some("pingpong/thread-pipe/same-cpu")
        );
        assert_eq!(
            thread_twin("workset/process-futex/256KiB").as_deref(),
            Some("workset/thread-futex/256KiB")
        );
        assert_eq!(thread_twin("pingpong/thread-pipe/same-cpu"), None);
        assert_eq!(thread_twin("spawn/fork"), None);
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
