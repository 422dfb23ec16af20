//! Criterion's output directory (`target/criterion`) read as one run: one entry per
//! benchmark, no machine fingerprint, no validity check.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::run::{Entry, Run, SourceKind};
use crate::analysis::spread::{stability, Stability};
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::stats::Summary;

/// Criterion's internal files.
const CRITERION_FILES: [&str; 4] = [
    "benchmark.json",
    "estimates.json",
    "sample.json",
    "tukey.json",
];

/// True for one of criterion's own files in one of its directories: never a results file,
/// never warned about.
pub(super) fn is_own_file(f: &Path) -> bool {
    let name = f
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = f.parent().unwrap_or(Path::new(""));
    let in_criterion_dir = parent.join("benchmark.json").is_file()
        || parent.file_name().is_some_and(|n| n == "change");
    CRITERION_FILES.contains(&name.as_str()) && in_criterion_dir
}

/// The `new/` directory of a benchmark when `f` is its `new/benchmark.json`: the one file
/// of a benchmark that names it (`base/` holds a copy of an older run).
pub(super) fn benchmark_dir(f: &Path) -> Option<&Path> {
    let parent = f.parent()?;
    (f.file_name().is_some_and(|n| n == "benchmark.json")
        && parent.file_name().is_some_and(|n| n == "new"))
    .then_some(parent)
}

/// The run of a criterion directory: its benchmarks sorted by id.
pub(super) fn run(dir: &Path, mut entries: Vec<Entry>) -> Run {
    entries.sort_by_key(|e| e.id.to_string());
    Run {
        label: String::new(),
        source: dir.to_path_buf(),
        kind: SourceKind::Criterion,
        machine: Fingerprint::default(),
        mode: "criterion".into(),
        created_unix: None,
        entries,
        outcomes: Vec::new(),
        skipped: Vec::new(),
        verdicts: Vec::new(),
        permissions: None,
        anatomy: Default::default(),
    }
}

#[derive(Deserialize)]
struct CriterionBenchmark {
    full_id: String,
}

#[derive(Deserialize)]
struct CriterionSample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

#[derive(Deserialize)]
struct CriterionEstimate {
    point_estimate: f64,
}

#[derive(Deserialize)]
struct CriterionEstimates {
    median: CriterionEstimate,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path)
        .map_err(|e| Error::InvalidInput(format!("{}: cannot read it: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::InvalidInput(format!(
            "{}: not a criterion file this ctxbench understands: {e}",
            path.display()
        ))
    })
}

/// One criterion benchmark from its `new/` directory: the id from `benchmark.json`, the
/// per-iteration samples from `sample.json` (time / iterations of each sample), else the
/// median point estimate from `estimates.json`. A benchmark whose id is not a ctxbench
/// id (a counter group, `counters/<event>/<id>`, counts events, not time) is left out:
/// `Err` of the id, for the loader to say so.
pub(super) fn load_benchmark(new_dir: &Path) -> Result<std::result::Result<Entry, String>> {
    let b: CriterionBenchmark = read_json(&new_dir.join("benchmark.json"))?;
    let Ok(id) = b.full_id.parse() else {
        return Ok(Err(b.full_id));
    };
    let sample_path = new_dir.join("sample.json");
    let mut spread = Stability::Stable;
    let summary = if sample_path.is_file() {
        let s: CriterionSample = read_json(&sample_path)?;
        let per_iter: Vec<f64> = s
            .times
            .iter()
            .zip(&s.iters)
            .filter(|(_, &n)| n > 0.0)
            .map(|(t, n)| t / n)
            .collect();
        spread = stability(&per_iter);
        Summary::of(&per_iter)
    } else {
        None
    };
    let summary = match summary {
        Some(s) => s,
        None => {
            let e: CriterionEstimates = read_json(&new_dir.join("estimates.json"))?;
            Summary::of(&[e.median.point_estimate]).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{}: the median estimate is not a number",
                    new_dir.join("estimates.json").display()
                ))
            })?
        }
    };
    Ok(Ok(Entry {
        id,
        summary,
        valid: true,
        validity: "criterion: not checked".into(),
        ns_per_switch: None,
        switches_per_iter: None,
        counters: BTreeMap::new(),
        stability: spread,
        indirect_ns_per_switch: None,
        extra: BTreeMap::new(),
        latency: None,
    }))
}
