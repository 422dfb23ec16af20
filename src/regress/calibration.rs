//! A calibrated baseline: several runs of the same code on the machine the gate guards,
//! and the noise of every id measured among them (A/A).
//!
//! On disk a baseline is a folder: `runs/*.json`, one results file per run, and
//! `calibration.json`, what [`Calibration::from_runs`] made of them. Per id it keeps the
//! mean of the runs' figures, the spread between runs (what a fresh run of unchanged
//! code moves by) and the spread between the set-ups within a run (what one run can see
//! of its own noise); see [`super`] for how a check uses them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::figures::{run_figures, IdFigures, RunFigure};
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::results::{write_atomic, ResultsFile};

/// The calibration's file name in a baseline folder.
pub const CALIBRATION_FILE: &str = "calibration.json";
/// The folder of the baseline's runs, in a baseline folder.
pub const RUNS_DIR: &str = "runs";
/// The schema version of `calibration.json`.
pub const CALIBRATION_SCHEMA: u32 = 1;
/// Fewer runs than this and a baseline is refused: the spread of so few says little,
/// and the critical values of a check on them are several times the spread.
pub const MIN_RUNS: usize = 5;
/// The runs `ctxbench check --calibrate` makes unless told otherwise.
pub const DEFAULT_RUNS: usize = 10;

/// How one figure of an id moved among the runs of a baseline, in natural logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunNoise {
    /// The runs that measured it validly.
    pub runs: usize,
    /// The mean of the runs' figures: the baseline.
    pub centre: f64,
    /// The sample standard deviation of the runs' figures: how far a run of unchanged
    /// code moves (`runs - 1` degrees of freedom).
    pub run_sd: f64,
    /// The pooled standard deviation between set-ups within a run (0 where runs have one
    /// set-up each).
    pub setup_sd: f64,
    /// The mean number of set-ups per run.
    pub setups: f64,
}

impl RunNoise {
    /// The noise of a figure from its value in each run; `None` with no run.
    pub fn of(figures: &[&RunFigure]) -> Option<Self> {
        let k = figures.len();
        if k == 0 {
            return None;
        }
        let xs: Vec<f64> = figures.iter().map(|f| f.value()).collect();
        let (centre, run_sd) = crate::stats::mean_sd(&xs);
        let (mut ss, mut df) = (0.0, 0usize);
        for f in figures {
            if let Some(v) = f.setup_variance() {
                ss += v * (f.setups.len() - 1) as f64;
                df += f.setups.len() - 1;
            }
        }
        Some(Self {
            runs: k,
            centre,
            run_sd,
            setup_sd: if df > 0 { (ss / df as f64).sqrt() } else { 0.0 },
            setups: figures.iter().map(|f| f.setups.len()).sum::<usize>() as f64 / k as f64,
        })
    }

    /// The part of a run's variance that lies between runs (the machine's state, the
    /// build, the boot), beyond what its set-ups' spread explains; never below 0.
    pub fn between_run_variance(&self) -> f64 {
        (self.run_sd.powi(2) - self.setup_sd.powi(2) / self.setups.max(1.0)).max(0.0)
    }
}

/// The noise of one id among the runs of a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Noise {
    /// The benchmark id.
    pub id: String,
    /// Of its time, `ln` ns per iteration.
    pub absolute: RunNoise,
    /// The id it ran beside in the same rounds and is judged relative to (see
    /// [`super::figures`]), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Of its time over the reference's, `ln`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative: Option<RunNoise>,
}

impl Noise {
    /// The noise of `id` from its figures in each run; `None` with no run. It is judged
    /// relative to its reference where every run has that figure over the same reference
    /// and the ratio spreads less between runs than the time; else on its time (a
    /// reference as noisy as the id, or noisier, only adds its own noise).
    pub fn of(id: &str, figures: &[&IdFigures]) -> Option<Self> {
        let absolute = RunNoise::of(&figures.iter().map(|f| &f.absolute).collect::<Vec<_>>())?;
        let reference = figures.first().and_then(|f| f.reference);
        let relative: Vec<&RunFigure> = figures
            .iter()
            .filter(|f| f.reference == reference)
            .filter_map(|f| f.relative.as_ref())
            .collect();
        let relative = (reference.is_some() && relative.len() == figures.len())
            .then(|| RunNoise::of(&relative))
            .flatten()
            .filter(|r| r.run_sd < absolute.run_sd);
        Some(Self {
            id: id.to_string(),
            absolute,
            reference: relative.as_ref().and(reference).map(|r| r.to_string()),
            relative,
        })
    }

    /// The figure it is judged on: relative to its reference where it has one.
    pub fn judged(&self) -> &RunNoise {
        self.relative.as_ref().unwrap_or(&self.absolute)
    }

    /// The baseline in ns per iteration (the geometric mean of the runs' figures).
    pub fn ns(&self) -> f64 {
        self.absolute.centre.exp()
    }
}

/// A calibrated baseline: its runs and the noise of every id among them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Always [`CALIBRATION_SCHEMA`] when written by this build.
    pub schema_version: u32,
    /// Seconds since the Unix epoch when it was computed.
    pub created_unix: u64,
    /// The machine every run was taken on (the first run's fingerprint).
    pub machine: Fingerprint,
    /// How the runs were taken (`quick` or `full`): a check runs the same way.
    pub mode: crate::spec::Mode,
    /// The filters the runs were made with: a check runs the same ids.
    pub filters: Vec<String>,
    /// The run files it was computed from, relative to the baseline folder.
    pub runs: Vec<String>,
    /// Seconds from the first run's end to the last's: how much of the machine's drift
    /// the runs can have seen.
    pub span_s: u64,
    /// The noise of every id, in the first run's order.
    pub noise: Vec<Noise>,
}

impl Calibration {
    /// The calibration of `runs` (results files, with the names they have in the folder),
    /// made with `filters`. Refuses runs from different machines or modes, naming the
    /// file.
    pub fn from_runs(runs: &[(String, ResultsFile)], filters: &[String]) -> Result<Self> {
        let Some((first_name, first)) = runs.first() else {
            return Err(Error::InvalidInput(
                "the baseline has no runs yet: make them with `ctxbench check --calibrate \
                 --baseline DIR`"
                    .into(),
            ));
        };
        for (name, r) in &runs[1..] {
            if let Some(d) = super::machine_difference(&first.machine, &r.machine) {
                return Err(Error::InvalidInput(format!(
                    "{name}: not from the machine of {first_name} ({d}); a baseline is one \
                     machine's: move it out of the folder"
                )));
            }
            if r.mode != first.mode {
                return Err(Error::InvalidInput(format!(
                    "{name}: a {} run among {} runs; a baseline's runs are made one way: move \
                     it out of the folder",
                    r.mode, first.mode
                )));
            }
        }
        let per_run: Vec<BTreeMap<String, IdFigures>> =
            runs.iter().map(|(_, r)| run_figures(r)).collect();
        let mut ids: Vec<String> = Vec::new();
        for (_, r) in runs {
            for o in &r.results {
                let id = o.id.to_string();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let noise = ids
            .iter()
            .filter_map(|id| {
                let figs: Vec<&IdFigures> = per_run.iter().filter_map(|m| m.get(id)).collect();
                Noise::of(id, &figs)
            })
            .collect();
        let times = runs.iter().map(|(_, r)| r.created_unix);
        let span_s = times.clone().max().unwrap_or(0) - times.min().unwrap_or(0);
        Ok(Self {
            schema_version: CALIBRATION_SCHEMA,
            created_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            machine: first.machine.clone(),
            mode: first.mode,
            filters: filters.to_vec(),
            runs: runs.iter().map(|(n, _)| n.clone()).collect(),
            span_s,
            noise,
        })
    }

    /// The noise of `id`, if the baseline has it.
    pub fn noise_of(&self, id: &str) -> Option<&Noise> {
        self.noise.iter().find(|n| n.id == id)
    }

    /// How many runs the baseline has.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Refuses a baseline of fewer than [`MIN_RUNS`] runs, naming the fix.
    pub fn enough_runs(&self, dir: &Path) -> Result<()> {
        let n = self.run_count();
        if n < MIN_RUNS {
            return Err(too_few_runs(n, dir));
        }
        Ok(())
    }

    /// Writes `calibration.json` into `dir`, atomically.
    pub fn save_in(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(CALIBRATION_FILE);
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::InvalidInput(format!("cannot serialise a calibration: {e}")))?;
        write_atomic(&path, &json)?;
        Ok(path)
    }

    /// Reads `dir/calibration.json`, naming the file and the fix on failure.
    pub fn load_from(dir: &Path) -> Result<Self> {
        let path = dir.join(CALIBRATION_FILE);
        let text = std::fs::read_to_string(&path).map_err(|_| {
            Error::InvalidInput(format!(
                "{}: not a calibrated baseline (no {CALIBRATION_FILE}); make one with \
                 `ctxbench check --calibrate --baseline {}`",
                dir.display(),
                dir.display()
            ))
        })?;
        let c: Self = serde_json::from_str(&text).map_err(|e| {
            Error::InvalidInput(format!(
                "{}: malformed calibration ({e}); make it again with `ctxbench check \
                 --calibrate --runs 0 --baseline {}`",
                path.display(),
                dir.display()
            ))
        })?;
        if c.schema_version != CALIBRATION_SCHEMA {
            return Err(Error::InvalidInput(format!(
                "{}: calibration schema {} is not supported (this ctxbench reads \
                 {CALIBRATION_SCHEMA}); make it again with `ctxbench check --calibrate --runs 0 \
                 --baseline {}`",
                path.display(),
                c.schema_version,
                dir.display()
            )));
        }
        Ok(c)
    }
}

/// The error for a baseline of `n` runs in `dir`: how many more to make, and how.
pub fn too_few_runs(n: usize, dir: &Path) -> Error {
    Error::InvalidInput(format!(
        "the baseline has {n} run{}; make at least {MIN_RUNS} ({DEFAULT_RUNS} recommended) with \
         `ctxbench check --calibrate --runs {} --baseline {}`",
        if n == 1 { "" } else { "s" },
        DEFAULT_RUNS
            .saturating_sub(n)
            .max(MIN_RUNS.saturating_sub(n)),
        dir.display()
    ))
}

/// The run files of a baseline folder (`dir/runs/*.json`, hidden files left out), by name
/// (names are UTC times, so in the order taken).
pub fn run_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(RUNS_DIR))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "json")
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Loads every run of a baseline folder, each with its name relative to `dir`.
pub fn load_runs(dir: &Path) -> Result<Vec<(String, ResultsFile)>> {
    run_files(dir)
        .into_iter()
        .map(|p| {
            let name = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            Ok((name, ResultsFile::load(&p)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(setups: &[f64]) -> RunFigure {
        RunFigure {
            setups: setups.iter().map(|v: &f64| v.ln()).collect(),
        }
    }

    #[test]
    fn noise_separates_runs_from_set_ups() {
        let a = fig(&[100.0, 110.0, 90.0]);
        let b = fig(&[120.0, 130.0, 110.0]);
        let c = fig(&[100.0, 100.0, 100.0]);
        let n = RunNoise::of(&[&a, &b, &c]).unwrap();
        assert_eq!(n.runs, 3);
        assert_eq!(n.setups, 3.0);
        let xs = [a.value(), b.value(), c.value()];
        let m = xs.iter().sum::<f64>() / 3.0;
        assert!((n.centre - m).abs() < 1e-12);
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 2.0).sqrt();
        assert!((n.run_sd - sd).abs() < 1e-12);
        // Pooled over the runs, 2 degrees of freedom each.
        let pooled =
            ((a.setup_variance().unwrap() * 2.0 + b.setup_variance().unwrap() * 2.0) / 6.0).sqrt();
        assert!((n.setup_sd - pooled).abs() < 1e-12);
        assert!(n.between_run_variance() > 0.0);
        assert!(RunNoise::of(&[]).is_none());
        assert_eq!(RunNoise::of(&[&a]).unwrap().run_sd, 0.0);

        // Judged relative to the reference only where every run has that figure over one
        // reference, and it spreads less between runs than the time.
        let getppid = crate::spec::BenchId::Floor(crate::spec::FloorKind::Getppid);
        let with = |abs: &RunFigure, rel: Option<RunFigure>| IdFigures {
            absolute: abs.clone(),
            reference: rel.as_ref().map(|_| getppid),
            relative: rel,
        };
        // The time moves between the two runs (a, b), the ratio does not (c, c).
        let (x, z) = (with(&a, Some(c.clone())), with(&b, Some(c.clone())));
        let both = Noise::of("id", &[&x, &z]).unwrap();
        assert_eq!(both.reference.as_deref(), Some("floor/getppid"));
        assert_eq!(both.judged(), both.relative.as_ref().unwrap());
        // A ratio that moves more than the time is left out: the time is judged.
        let (x2, z2) = (with(&a, Some(c.clone())), with(&a, Some(b.clone())));
        let noisier = Noise::of("id", &[&x2, &z2]).unwrap();
        assert_eq!((&noisier.reference, &noisier.relative), (&None, &None));
        // A run without the ratio: the time.
        let y = with(&a, None);
        let mixed = Noise::of("id", &[&x, &y]).unwrap();
        assert_eq!((&mixed.reference, &mixed.relative), (&None, &None));
        assert_eq!(mixed.judged(), &mixed.absolute);
        assert!((mixed.ns() - a.value().exp()).abs() < 1e-9);
    }

    #[test]
    fn too_few_runs_names_the_fix() {
        let e = too_few_runs(2, Path::new("base")).to_string();
        assert!(
            e.contains("has 2 runs")
                && e.contains("at least 5")
                && e.contains("ctxbench check --calibrate --runs 8 --baseline base"),
            "{e}"
        );
        let e = too_few_runs(1, Path::new("b")).to_string();
        assert!(e.contains("has 1 run;"), "{e}");
    }
}
