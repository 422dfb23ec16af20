//! Comparing runs: many results files (or criterion's output) side by side, as one
//! self-contained HTML page or as Markdown.
//!
//! One file per concern: [`load`] finds and reads the inputs, [`html`] and [`markdown`]
//! render them, [`svg`] draws the inline charts. Everything here works on any experiment:
//! ids are grouped by their first segment (`pingpong`, `ring`, `workset`, `floor`, ...),
//! and an experiment whose ids all end in a number or a size (`ring/process-pipe/8`,
//! `workset/thread-futex/256KiB`) is drawn as curves over that last segment.
//!
//! ```no_run
//! use std::path::PathBuf;
//! let runs = ctxbench::compare::load::load_inputs(&[PathBuf::from("results")]).unwrap();
//! let page = ctxbench::compare::render(&runs.runs, ctxbench::compare::Format::Html);
//! assert!(page.contains("<svg"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::fingerprint::Fingerprint;
use crate::measure::{CounterValue, Outcome};
use crate::results::Skipped;
use crate::stats::Summary;

pub mod html;
pub mod load;
pub mod markdown;
pub mod svg;

/// Output formats of `ctxbench compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML page with inline CSS and SVG.
    Html,
    /// GitHub-flavoured Markdown tables, for terminals and pull requests.
    Markdown,
}

/// What a report says about criterion output.
pub const CRITERION_NOTE: &str = "Criterion output carries no machine fingerprint and no \
    validity check; its values are in the unit of its measurement (ns for timing groups, \
    events for counter groups).";

/// Where a run came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A ctxbench results file.
    ResultsFile,
    /// A criterion output directory (`target/criterion`): no machine fingerprint.
    Criterion,
}

/// One benchmark's numbers in a run, whatever produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The id, e.g. `pingpong/process-pipe/same-cpu`.
    pub id: String,
    /// Summary of the samples in ns per iteration (round trip, lap, spawn, call).
    pub summary: Summary,
    /// False when the run judged the result invalid.
    pub valid: bool,
    /// The run's reason for its validity verdict.
    pub validity: String,
    /// ns per switch where the run gave one.
    pub ns_per_switch: Option<f64>,
    /// Context switches per iteration, where counted.
    pub switches_per_iter: Option<f64>,
    /// Counter readings by event name.
    pub counters: BTreeMap<String, CounterValue>,
}

impl Entry {
    /// The entry of a results-file outcome (its summary recomputed from the kept samples
    /// when there are any, so a report always shows what the samples say).
    pub fn from_outcome(o: &Outcome) -> Self {
        let summary = Summary::of(&o.samples_ns_per_round_trip).unwrap_or(o.ns_per_round_trip);
        Entry {
            id: o.id.clone(),
            summary,
            valid: o.valid,
            validity: o.validity.clone(),
            ns_per_switch: o.ns_per_switch,
            switches_per_iter: Some(o.switches_per_round_trip),
            counters: o.counters.clone(),
        }
    }
}

/// One column of a comparison: a results file, or one criterion directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// A short unique name for legends and column heads.
    pub label: String,
    /// The file or directory it was read from.
    pub source: PathBuf,
    /// What kind of input it was.
    pub kind: SourceKind,
    /// The machine (all "unknown" for criterion output).
    pub machine: Fingerprint,
    /// `quick`, `full`, or `criterion`.
    pub mode: String,
    /// When the run ended, if known.
    pub created_unix: Option<u64>,
    /// The benchmarks, in the run's order.
    pub entries: Vec<Entry>,
    /// Benchmarks the run skipped, with the reason.
    pub skipped: Vec<Skipped>,
    /// The run's verdicts on textbook claims, as found in the file (objects with
    /// `claim`, `verdict` and `evidence` strings, where present).
    pub verdicts: Vec<serde_json::Value>,
}

impl Run {
    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

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

/// A number of nanoseconds, short: `4123`, `45.2`, `0.81`.
pub fn fmt_ns(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A counter value, short.
pub fn fmt_count(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A verdict object's string field, if present.
pub fn verdict_field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|x| x.as_str())
}

/// The rows of the machine table: (label, one value per run).
pub fn machine_rows(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    let flag = |f: Option<bool>| {
        match f {
            Some(true) => "yes",
            Some(false) => "no",
            None => crate::fingerprint::UNKNOWN,
        }
        .to_string()
    };
    let count = |n: Option<usize>| n.map_or("unknown".to_string(), |n| n.to_string());
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |name: &str, f: &dyn Fn(&Run) -> String| {
        rows.push((name.to_string(), runs.iter().map(f).collect()));
    };
    row("source", &|r| r.source.display().to_string());
    row("mode", &|r| r.mode.clone());
    row("taken", &|r| {
        r.created_unix.map_or("unknown".into(), human_time)
    });
    row("CPU model", &|r| r.machine.cpu_model.clone());
    row("vendor", &|r| r.machine.cpu_vendor.clone());
    row("family / model / stepping", &|r| {
        format!(
            "{} / {} / {}",
            r.machine.cpu_family, r.machine.cpu_model_number, r.machine.cpu_stepping
        )
    });
    row("microcode", &|r| r.machine.microcode.clone());
    row("logical CPUs", &|r| count(r.machine.logical_cpus));
    row("physical cores", &|r| count(r.machine.physical_cores));
    row("SMT", &|r| r.machine.smt.clone());
    row("CPUs used", &|r| {
        if r.machine.cpus_used.is_empty() {
            "unknown".into()
        } else {
            crate::cpus::format_cpu_list(&r.machine.cpus_used)
        }
    });
    row("PCID / INVPCID", &|r| {
        format!("{} / {}", flag(r.machine.pcid), flag(r.machine.invpcid))
    });
    row("hypervisor", &|r| flag(r.machine.hypervisor));
    row("governor", &|r| r.machine.scaling_governor.clone());
    row("frequency", &|r| match r.machine.frequency_mhz {
        Some(f) => format!("{f:.0} MHz ({})", r.machine.frequency_source),
        None => "unknown".into(),
    });
    row("kernel", &|r| r.machine.kernel_release.clone());
    row("kernel command line", &|r| r.machine.kernel_cmdline.clone());
    row("perf_event_paranoid", &|r| {
        r.machine.perf_event_paranoid.clone()
    });
    row("counter families", &|r| {
        if r.machine.counter_families.is_empty() {
            "unknown".into()
        } else {
            r.machine
                .counter_families
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        }
    });
    row("host", &|r| r.machine.hostname.clone());
    row("ctxbench / commit", &|r| {
        format!("{} / {}", r.machine.ctxbench_version, r.machine.git_commit)
    });
    row("rustc", &|r| r.machine.rustc_version.clone());
    let vulns: BTreeSet<String> = runs
        .iter()
        .flat_map(|r| r.machine.vulnerabilities.keys().cloned())
        .collect();
    // The vulnerabilities a CPU is not affected by, in one row; the others one a row.
    rows.push((
        "vulnerabilities: not affected".to_string(),
        runs.iter()
            .map(|r| {
                let names: Vec<&str> = r
                    .machine
                    .vulnerabilities
                    .iter()
                    .filter(|(_, v)| v.as_str() == "Not affected")
                    .map(|(k, _)| k.as_str())
                    .collect();
                if r.machine.vulnerabilities.is_empty() {
                    "unknown".to_string()
                } else if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            })
            .collect(),
    ));
    for v in vulns {
        if runs.iter().all(|r| {
            r.machine
                .vulnerabilities
                .get(&v)
                .is_none_or(|x| x == "Not affected")
        }) {
            continue;
        }
        let vals = runs
            .iter()
            .map(|r| {
                r.machine
                    .vulnerabilities
                    .get(&v)
                    .cloned()
                    .unwrap_or_else(|| "unknown".into())
            })
            .collect();
        rows.push((format!("vuln: {v}"), vals));
    }
    rows
}

/// A UTC time for people: `2026-11-27 06:30:00 UTC`.
pub fn human_time(unix_secs: u64) -> String {
    let s = crate::results::utc_timestamp(unix_secs);
    format!("{} {} UTC", &s[..10], s[11..19].replace('-', ":"))
}

/// Renders `runs` in `format`.
pub fn render(runs: &[Run], format: Format) -> String {
    match format {
        Format::Html => html::render(runs),
        Format::Markdown => markdown::render(runs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_and_curves() {
        assert_eq!(param_value("8"), Some(8.0));
        assert_eq!(param_value("256KiB"), Some(262_144.0));
        assert_eq!(param_value("32MiB"), Some(33_554_432.0));
        assert_eq!(param_value("4k"), Some(4096.0));
        assert_eq!(param_value("same-cpu"), None);
        assert_eq!(param_value("8x"), None);
        let ring: Vec<String> = [
            "ring/process-pipe/8",
            "ring/process-pipe/2",
            "ring/thread-pipe/2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert!(is_curve(&ring));
        let s = curve_series(&ring);
        assert_eq!(s[0].0, "ring/process-pipe");
        assert_eq!(s[0].1[0].0, "2");
        assert!(!is_curve(&["pingpong/process-pipe/same-cpu".to_string()]));
        assert!(!is_curve(&[
            "floor/getppid".to_string(),
            "floor/pipe".to_string()
        ]));
        assert!(!is_curve(&["ring/process-pipe/8".to_string()]));
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
        let ids: Vec<String> = [
            "pingpong/process-pipe/same-cpu",
            "pingpong/process-pipe/cross-cpu",
            "pingpong/thread-pipe/same-cpu",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let g = bar_groups(&ids);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0, "same-cpu");
        assert_eq!(g[0].1.len(), 2);
        let g = bar_groups(&["spawn/fork".to_string(), "spawn/thread".to_string()]);
        assert_eq!(g.len(), 1);
    }
}
