//! The inputs of a comparison: results files, directories of them, and criterion's
//! output directory, each read as a [`Run`] (one column of a comparison).
//!
//! A file named on the command line must be a results file; a directory is searched
//! recursively for `*.json` results files, and for criterion benchmarks
//! (`<id>/new/benchmark.json` with `sample.json` and `estimates.json` beside it). JSON in a
//! directory that is not a results file is skipped with a warning; a broken results file
//! (bad JSON, unknown schema version) is an error, as is a directory with nothing in it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::results::ResultsFile;

mod criterion;
mod run;

pub use run::{Entry, Problem, Run, SourceKind, CRITERION_NOTE};

/// What [`load_inputs`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// One run per results file, one per criterion directory, in the order given
    /// (directories in path order).
    pub runs: Vec<Run>,
    /// Files skipped, with why (for stderr).
    pub warnings: Vec<String>,
}

/// Reads every input, or fails naming the first file that is wrong and how.
pub fn load_inputs(paths: &[PathBuf]) -> Result<Loaded> {
    if paths.is_empty() {
        return Err(Error::InvalidInput(
            "nothing to compare: name results files or directories (e.g. `results/`)".into(),
        ));
    }
    let mut loaded = Loaded {
        runs: Vec::new(),
        warnings: Vec::new(),
    };
    for p in paths {
        let meta = fs::metadata(p)
            .map_err(|e| Error::InvalidInput(format!("{}: cannot read it: {e}", p.display())))?;
        if meta.is_dir() {
            let before = loaded.runs.len();
            load_dir(p, &mut loaded)?;
            if loaded.runs.len() == before {
                return Err(Error::InvalidInput(format!(
                    "{}: no ctxbench results files or criterion output in this directory \
                     (make some with `ctxbench run --save` or `cargo bench`)",
                    p.display()
                )));
            }
        } else {
            loaded.runs.push(load_results_run(p)?);
        }
    }
    label_runs(&mut loaded.runs);
    Ok(loaded)
}

/// Loads one results file (strictly) as a run.
pub fn load_results_run(path: &Path) -> Result<Run> {
    let file = ResultsFile::load(path)?;
    // Fields this build does not model (the experiments' `verdicts`) are read from the
    // raw JSON, so a newer writer's additions still show.
    let verdicts = fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("verdicts").and_then(|v| v.as_array()).cloned())
        .unwrap_or_default();
    let anatomy = file.anatomy();
    Ok(Run {
        label: String::new(),
        source: path.to_path_buf(),
        kind: SourceKind::ResultsFile,
        entries: file.results.iter().map(Entry::from_outcome).collect(),
        outcomes: file.results,
        machine: file.machine,
        mode: file.mode.to_string(),
        created_unix: Some(file.created_unix),
        skipped: file.skipped,
        verdicts,
        permissions: file.permissions,
        anatomy,
    })
}

/// Every file under `dir`, sorted, not following symbolic links, skipping hidden entries
/// (atomic writes leave `.name.tmp-PID` files only while they run).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let rd = fs::read_dir(dir)
        .map_err(|e| Error::InvalidInput(format!("{}: cannot list it: {e}", dir.display())))?;
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, out)?;
        } else if meta.is_file() || meta.file_type().is_symlink() && p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

fn load_dir(dir: &Path, loaded: &mut Loaded) -> Result<()> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    let mut criterion: Vec<Entry> = Vec::new();
    for f in files {
        if f.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        if criterion::is_own_file(&f) {
            if let Some(new_dir) = criterion::benchmark_dir(&f) {
                match criterion::load_benchmark(new_dir)? {
                    Ok(entry) => criterion.push(entry),
                    Err(id) => loaded.warnings.push(format!(
                        "{}: left out: {id} is not a ctxbench id (a counter group counts \
                         events: criterion's own report under target/criterion shows it)",
                        new_dir.display()
                    )),
                }
            }
            continue;
        }
        let text = fs::read_to_string(&f)
            .map_err(|e| Error::InvalidInput(format!("{}: cannot read it: {e}", f.display())))?;
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) if v.get("schema_version").is_none() => {
                loaded.warnings.push(format!(
                    "{}: skipped: JSON but not a ctxbench results file (no schema_version)",
                    f.display()
                ));
                continue;
            }
            _ => {}
        }
        loaded.runs.push(load_results_run(&f)?);
    }
    if !criterion.is_empty() {
        loaded.runs.push(criterion::run(dir, criterion));
    }
    Ok(())
}

/// A UTC time for people, to the minute or to the second: `2026-11-27 06:30[:00]`.
pub fn taken_at(unix_secs: u64, seconds: bool) -> String {
    let s = crate::results::utc_timestamp(unix_secs);
    let end = if seconds { 19 } else { 16 };
    format!("{} {}", &s[..10], s[11..end].replace('-', ":"))
}

/// Gives every run a short unique label: the machine slug and the time it was taken, to
/// the minute, or to the second where two runs share a minute.
fn label_runs(runs: &mut [Run]) {
    let base = |r: &Run, secs: bool| {
        let mut label = match r.kind {
            SourceKind::Criterion => "criterion".to_string(),
            SourceKind::ResultsFile => r.machine.slug(),
        };
        if let Some(t) = r.created_unix {
            label = format!("{label} {}", taken_at(t, secs));
        }
        label
    };
    let mut minute_count: BTreeMap<String, usize> = BTreeMap::new();
    for r in runs.iter() {
        *minute_count.entry(base(r, false)).or_insert(0) += 1;
    }
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for r in runs.iter_mut() {
        let short = base(r, false);
        let mut label = if minute_count[&short] > 1 {
            base(r, true)
        } else {
            short
        };
        let n = used.entry(label.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            label = format!("{label} #{n}");
        }
        r.label = label;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path, s: &str) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, s).unwrap();
    }

    #[test]
    fn directories_warn_files_fail() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("m/a.json");
        ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![])
            .save(&good)
            .unwrap();
        write(&dir.path().join("m/other.json"), r#"{"name":"x"}"#);
        write(&dir.path().join("m/notes.txt"), "hello");
        let l = load_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(l.runs.len(), 1);
        assert_eq!(l.warnings.len(), 1);
        assert!(l.warnings[0].contains("other.json"));
        // The same file named directly is an error.
        let e = load_inputs(&[dir.path().join("m/other.json")]).unwrap_err();
        assert!(e.to_string().contains("other.json") && e.is_usage(), "{e}");
        // Broken JSON inside a directory is an error naming it.
        write(&dir.path().join("m/z.json"), "{broken");
        let e = load_inputs(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(e.to_string().contains("z.json") && e.to_string().contains("not valid JSON"));
    }

    #[test]
    fn empty_and_missing_inputs_fail() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_inputs(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(e.to_string().contains("no ctxbench results files"), "{e}");
        let e = load_inputs(&[dir.path().join("nope.json")]).unwrap_err();
        assert!(e.to_string().contains("nope.json"), "{e}");
        assert!(load_inputs(&[]).is_err());
    }

    #[test]
    fn criterion_output_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("pingpong/process-pipe/same-cpu/new");
        write(
            &new.join("benchmark.json"),
            r#"{"group_id":"pingpong","function_id":"process-pipe","value_str":"same-cpu",
               "throughput":null,"full_id":"pingpong/process-pipe/same-cpu",
               "directory_name":"pingpong/process-pipe/same-cpu","title":"t"}"#,
        );
        write(
            &new.join("sample.json"),
            r#"{"sampling_mode":"Linear","iters":[10,20,30],"times":[40000,80000,120000]}"#,
        );
        write(
            &new.join("estimates.json"),
            r#"{"median":{"point_estimate":4000.0,"standard_error":1,
               "confidence_interval":{"confidence_level":0.95,"lower_bound":1,"upper_bound":2}}}"#,
        );
        write(&new.join("tukey.json"), "[1,2,3,4]");
        // A base/ copy and a change/ directory are criterion's own, not inputs.
        let base = dir.path().join("pingpong/process-pipe/same-cpu/base");
        write(&base.join("benchmark.json"), "{}");
        write(
            &dir.path()
                .join("pingpong/process-pipe/same-cpu/change/estimates.json"),
            "{}",
        );
        let l = load_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        assert_eq!(l.runs.len(), 1);
        let r = &l.runs[0];
        assert_eq!(r.kind, SourceKind::Criterion);
        assert_eq!(r.label, "criterion");
        assert_eq!(r.entries[0].id, "pingpong/process-pipe/same-cpu");
        assert_eq!(r.entries[0].summary.median, 4000.0);
        assert_eq!(r.entries[0].summary.n, 3);
    }

    #[test]
    fn labels_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let mut f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        f.created_unix = 1_798_353_000;
        f.save(&p).unwrap();
        let l = load_inputs(std::slice::from_ref(&p)).unwrap();
        assert_eq!(l.runs[0].label, "unknown-unknown 2026-12-27 06:30");
        let q = dir.path().join("b.json");
        f.created_unix += 7;
        f.save(&q).unwrap();
        let l = load_inputs(&[p.clone(), q, p]).unwrap();
        assert_eq!(l.runs[0].label, "unknown-unknown 2026-12-27 06:30:00");
        assert_eq!(l.runs[1].label, "unknown-unknown 2026-12-27 06:30:07");
        assert_eq!(l.runs[2].label, "unknown-unknown 2026-12-27 06:30:00 #2");
    }
}
