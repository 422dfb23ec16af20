//! The regression rule: is this run slower than a calibrated baseline, beyond what runs
//! of unchanged code move by on this machine?
//!
//! The variance that matters lies between runs: on the 2-vCPU VMs this was built on, the
//! same code measured a minute apart moves by up to 20% (the machine's level, memory
//! placement, the host), while the batches of one run agree to a few percent. A test
//! over the batches of two runs takes that drift for a change (every one of four A/A
//! checks failed that way). So, after Kalibera and Jones ("Rigorous benchmarking in
//! reasonable time", 2013), the rule judges at the levels where the variance lives:
//!
//! - **Figures per level** ([`figures`]): an id's figure in a run is the mean over its
//!   set-ups (independent forks within the run) of each set-up's median round, in natural
//!   logs, so a change is a ratio. An id measured in paired rounds is also taken over its
//!   comparison's reference (the null system call, else the comparison's first id),
//!   round by round, and judged so where that ratio spread less between the baseline's
//!   runs than its time: a machine slower for a whole run cancels; a change that slows
//!   the reference as much (every system call alike) shows in the reference's own row,
//!   which stays absolute.
//! - **A baseline is several runs** ([`calibration`]), made on the machine it guards: per
//!   id, the mean of the runs' figures, the spread between runs (`run_sd`, `K - 1`
//!   degrees of freedom for `K` runs) and the spread between set-ups within a run.
//! - **A check** compares one new run with the baseline: `D = x - centre`. Its variance
//!   is a run's, `between + within / S` with the current run's own set-up spread and
//!   count (a run that lost set-ups to a busy machine is judged wider), plus the
//!   baseline mean's, `run_sd² / K`. `D` is judged by Student's t with `K - 1` degrees of
//!   freedom, one-sided, at the false-alarm rate shared over the ids checked
//!   (Bonferroni: `rate / ids` each), so the whole check cries wolf at most at the
//!   configured rate.
//! - **What it can see** is printed per id: the smallest slowdown it catches four times
//!   in five (80% power) at that rate, `(t(rate/ids) + t(0.2)) × sd(D)`, and never
//!   below the threshold (the smallest change that matters, 5% by default). A change
//!   inside it is "cannot tell", not "unchanged".

use crate::fingerprint::Fingerprint;
use crate::measure::Outcome;
use crate::results::ResultsFile;
use crate::stats::bootstrap::{t975, Interval};
use crate::stats::Summary;

pub mod calibration;
pub mod figures;
pub mod student;

pub use calibration::{Calibration, Noise, RunNoise, MIN_RUNS};
pub use figures::{id_figures, reference_id, run_figures, IdFigures, RunFigure};

/// The default false-alarm rate of a whole check (every id together).
pub const DEFAULT_FALSE_ALARM: f64 = 0.05;
/// The power at which the detectable change is stated: caught four times in five.
pub const POWER: f64 = 0.8;
/// The default smallest change that counts, in percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 5.0;

/// How a check decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// The false-alarm rate of a whole check (0 to 1): the chance that a check of
    /// unchanged code flags anything.
    pub false_alarm: f64,
    /// The smallest change that counts, in percent.
    pub threshold_pct: f64,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            false_alarm: DEFAULT_FALSE_ALARM,
            threshold_pct: DEFAULT_THRESHOLD_PCT,
        }
    }
}

/// What the rule concluded for one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Slower beyond the noise between runs and beyond the threshold.
    Regressed,
    /// Faster beyond the noise between runs and beyond the threshold.
    Improved,
    /// Beyond the noise but within the threshold.
    BelowThreshold,
    /// Within the noise: any change smaller than the detectable one may hide here.
    CannotTell,
    /// One side (or both) was marked invalid by its run: reported, not compared.
    Invalid,
    /// The baseline has too few valid runs of this id.
    TooFewRuns,
    /// In the baseline only.
    OnlyInBaseline,
    /// In the current run only.
    OnlyInCurrent,
}

impl Change {
    /// How the table prints it.
    pub fn label(self) -> &'static str {
        match self {
            Change::Regressed => "regressed",
            Change::Improved => "improved",
            Change::BelowThreshold => "below threshold",
            Change::CannotTell => "cannot tell",
            Change::Invalid => "invalid",
            Change::TooFewRuns => "too few runs",
            Change::OnlyInBaseline => "only in baseline",
            Change::OnlyInCurrent => "only in current",
        }
    }
}

/// The check of one id.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The benchmark id.
    pub id: String,
    /// The baseline: the geometric mean of its runs' figures, ns per iteration.
    pub baseline_ns: Option<f64>,
    /// The current run's figure, ns per iteration, with the 95% interval a run of
    /// unchanged code would fall in around it (the noise between runs included).
    pub current: Option<Interval>,
    /// The change from the baseline, percent (positive: slower), with its 95% interval:
    /// of the time, or of the time over `over` where it is judged on that ratio.
    pub change_pct: Option<Interval>,
    /// The reference the change is measured over, where it is judged on a ratio.
    pub over: Option<String>,
    /// The smallest slowdown, percent, this check catches with [`POWER`] at its
    /// false-alarm rate.
    pub detectable_pct: Option<f64>,
    /// The conclusion.
    pub verdict: Change,
    /// Anything the reader should know (why invalid, why skipped).
    pub note: String,
}

impl Row {
    fn alone(id: &str, verdict: Change, note: String) -> Self {
        Self {
            id: id.to_string(),
            baseline_ns: None,
            current: None,
            change_pct: None,
            over: None,
            detectable_pct: None,
            verdict,
            note,
        }
    }
}

/// A check of a run against a calibrated baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// One row per id, baseline order first, then ids only in the current run.
    pub rows: Vec<Row>,
    /// Set when the current run comes from another machine than the baseline: a loud
    /// warning, not a regression.
    pub machine_warning: Option<String>,
    /// The rule it was judged by.
    pub rule: Rule,
    /// The baseline's runs.
    pub runs: usize,
    /// The one-sided false-alarm rate of each id (the check's shared over the ids).
    pub per_id_rate: f64,
}

impl Report {
    /// True when any id regressed.
    pub fn regressed(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Change::Regressed)
    }

    /// How many rows came out `v`.
    pub fn count(&self, v: Change) -> usize {
        self.rows.iter().filter(|r| r.verdict == v).count()
    }
}

/// The spread of a check of one figure: of `D = x - centre` for a current run of
/// `setups` set-ups whose spread between them is `setup_var` (`None`: as the
/// baseline's), against the baseline `noise`.
struct Spread {
    /// The standard deviation of `D`.
    sd: f64,
    /// The standard deviation of the current run's figure.
    run_sd: f64,
    /// The degrees of freedom of the test.
    df: f64,
}

impl Spread {
    fn of(noise: &RunNoise, setups: usize, setup_var: Option<f64>) -> Self {
        let n = setups.max(1) as f64;
        let k = noise.runs as f64;
        // What the baseline says a run like this one varies by, and the mean of its runs.
        let base = noise.between_run_variance() + noise.setup_sd.powi(2) / n;
        let mean = noise.run_sd.powi(2) / k;
        // A current run whose set-ups spread wider than the baseline's (a busy machine) is
        // judged wider by the excess, known to `setups - 1` degrees of freedom; the
        // degrees of freedom of the whole follow Welch and Satterthwaite.
        let excess = (setup_var.unwrap_or(0.0) - noise.setup_sd.powi(2)).max(0.0) / n;
        let var = base + mean + excess;
        let df = if excess > 0.0 && setups > 1 {
            var.powi(2) / ((base + mean).powi(2) / (k - 1.0) + excess.powi(2) / (n - 1.0))
        } else {
            k - 1.0
        };
        Self {
            sd: var.sqrt(),
            run_sd: (base + excess).sqrt(),
            df: df.min(k - 1.0),
        }
    }

    /// The smallest slowdown, percent, caught with [`POWER`] at the one-sided
    /// false-alarm rate `rate`, and never below `floor` (`ln` of the threshold).
    fn detectable_pct(&self, rate: f64, floor: f64) -> f64 {
        let t = student::critical(rate, self.df) + student::critical(1.0 - POWER, self.df);
        pct((t * self.sd).max(floor))
    }
}

impl Noise {
    /// What a check of a run like the baseline's (as many set-ups, as spread) can detect
    /// of this id, percent, when `ids` ids share the false-alarm rate of `rule`.
    pub fn detectable_pct(&self, ids: usize, rule: &Rule) -> f64 {
        let judged = self.judged();
        let setups = judged.setups.round().max(1.0) as usize;
        Spread::of(judged, setups, None).detectable_pct(
            rule.false_alarm / ids.max(1) as f64,
            (1.0 + rule.threshold_pct / 100.0).ln(),
        )
    }
}

/// `ln` change to percent.
fn pct(log_change: f64) -> f64 {
    (log_change.exp() - 1.0) * 100.0
}

/// The 97.5% point of t with `df` degrees of freedom (any real df, rounded down).
fn t975_of(df: f64) -> f64 {
    t975(df.max(0.0).floor() as usize)
}

/// Checks `current` against the calibrated baseline `cal` with `rule`, id by id.
pub fn check(cal: &Calibration, current: &ResultsFile, rule: &Rule) -> Report {
    let figures = run_figures(current);
    let in_current = |id: &str| current.results.iter().find(|o| o.id == id);
    let judged_ids = cal
        .noise
        .iter()
        .filter(|n| n.judged().runs >= MIN_RUNS && figures.contains_key(&n.id))
        .count()
        .max(1);
    let per_id_rate = rule.false_alarm / judged_ids as f64;
    let floor = (1.0 + rule.threshold_pct / 100.0).ln();
    let mut rows = Vec::new();
    for n in &cal.noise {
        let Some(o) = in_current(&n.id) else {
            let note = current
                .skipped
                .iter()
                .find(|s| s.id == n.id)
                .map(|s| format!("skipped in current: {}", s.reason))
                .unwrap_or_default();
            let mut row = Row::alone(&n.id, Change::OnlyInBaseline, note);
            row.baseline_ns = Some(n.ns());
            rows.push(row);
            continue;
        };
        let mut row = Row::alone(&n.id, Change::CannotTell, String::new());
        row.baseline_ns = Some(n.ns());
        let Some(figs) = figures.get(&n.id) else {
            row.verdict = Change::Invalid;
            row.note = format!("current invalid: {}", o.validity);
            rows.push(row);
            continue;
        };
        // Judged relative to its reference where both sides have that figure, else on
        // its time.
        let (noise, fig) = match (&n.relative, &figs.relative) {
            (Some(nr), Some(fr)) => {
                row.over = n.reference.clone();
                (nr, fr)
            }
            (Some(_), None) => {
                row.note = format!(
                    "judged on its time alone: {} did not run beside it",
                    n.reference.as_deref().unwrap_or("its reference")
                );
                (&n.absolute, &figs.absolute)
            }
            _ => (&n.absolute, &figs.absolute),
        };
        if noise.runs < MIN_RUNS {
            row.verdict = Change::TooFewRuns;
            row.note = format!(
                "valid in {} of the baseline's runs; judging needs {MIN_RUNS}",
                noise.runs
            );
            rows.push(row);
            continue;
        }
        let sp = Spread::of(noise, fig.setups.len(), fig.setup_variance());
        let d = fig.value() - noise.centre;
        let t_alarm = student::critical(per_id_rate, sp.df);
        let bound = (t_alarm * sp.sd).max(floor);
        let t95 = t975_of(sp.df);
        // The time, with the spread of a run's time.
        let abs = Spread::of(
            &n.absolute,
            figs.absolute.setups.len(),
            figs.absolute.setup_variance(),
        );
        let x = figs.absolute.value();
        row.current = Some(
            Interval {
                value: x,
                low: x - t95 * abs.run_sd,
                high: x + t95 * abs.run_sd,
            }
            .map(f64::exp),
        );
        row.change_pct = Some(
            Interval {
                value: d,
                low: d - t95 * sp.sd,
                high: d + t95 * sp.sd,
            }
            .map(pct),
        );
        row.detectable_pct = Some(sp.detectable_pct(per_id_rate, floor));
        row.verdict = if d > bound {
            Change::Regressed
        } else if d < -bound {
            Change::Improved
        } else if d.abs() > t_alarm * sp.sd {
            Change::BelowThreshold
        } else {
            Change::CannotTell
        };
        rows.push(row);
    }
    for o in &current.results {
        let id = o.id.to_string();
        if cal.noise_of(&id).is_none() {
            let mut row = Row::alone(&id, Change::OnlyInCurrent, String::new());
            row.current = figures.get(&id).map(|f| {
                let v = f.absolute.value().exp();
                Interval {
                    value: v,
                    low: v,
                    high: v,
                }
            });
            rows.push(row);
        }
    }
    Report {
        rows,
        machine_warning: machine_difference(&cal.machine, &current.machine),
        rule: *rule,
        runs: cal.run_count(),
        per_id_rate,
    }
}

/// The class of an id the detectable changes are summed up by (`same-CPU ping-pongs`,
/// `floors`, `rings`, ...): its experiment, and for a ping-pong its placement.
pub fn class_of(id: &str) -> &'static str {
    use crate::spec::{BenchId, Experiment, PlacementKind};
    match id.parse::<BenchId>() {
        Ok(BenchId::PingPong {
            placement: PlacementKind::SameCpu,
            ..
        }) => "same-CPU ping-pongs",
        Ok(BenchId::PingPong { .. }) => "other ping-pongs",
        Ok(b) => match b.experiment() {
            Experiment::Floor => "floors",
            Experiment::Ring => "rings",
            Experiment::Workset => "working sets",
            Experiment::Spawn => "creations",
            Experiment::Uswitch => "user-space switches",
            Experiment::Regs => "register states",
            _ => "others",
        },
        Err(_) => "others",
    }
}

/// The detectable changes of one class of ids, percent.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDetectable {
    /// The class (see [`class_of`]).
    pub class: &'static str,
    /// How many ids of the class were judged.
    pub ids: usize,
    /// The smallest, median and largest detectable change among them.
    pub min: f64,
    /// The median.
    pub median: f64,
    /// The largest.
    pub max: f64,
}

impl Report {
    /// The detectable changes summed up by class of id, in the order classes first
    /// appear.
    pub fn detectable_by_class(&self) -> Vec<ClassDetectable> {
        let mut classes: Vec<(&'static str, Vec<f64>)> = Vec::new();
        for r in &self.rows {
            let Some(d) = r.detectable_pct else { continue };
            let c = class_of(&r.id);
            match classes.iter_mut().find(|(k, _)| *k == c) {
                Some((_, v)) => v.push(d),
                None => classes.push((c, vec![d])),
            }
        }
        classes
            .into_iter()
            .map(|(class, mut v)| {
                v.sort_by(f64::total_cmp);
                ClassDetectable {
                    class,
                    ids: v.len(),
                    min: v[0],
                    median: crate::stats::quantile(&v, 0.5),
                    max: v[v.len() - 1],
                }
            })
            .collect()
    }
}

/// The summary of an outcome's kept samples (those that are numbers), which the
/// exports go by rather than the stored summary.
pub fn samples_summary(o: &Outcome) -> Option<Summary> {
    let s: Vec<f64> = o
        .samples_ns_per_iteration
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    Summary::of(&s)
}

/// Says how two fingerprints differ in what matters for timings, if they do.
pub fn machine_difference(base: &Fingerprint, cur: &Fingerprint) -> Option<String> {
    let mut diffs = Vec::new();
    let mut field = |name: &str, a: &str, b: &str| {
        if a != b {
            diffs.push(format!("{name} {a:?} vs {b:?}"));
        }
    };
    field("CPU", &base.cpu_model, &cur.cpu_model);
    // One model name can stand for several generations (a VM's `AMD EPYC`).
    let kind = |m: &Fingerprint| {
        format!(
            "family {} model {} stepping {}",
            m.cpu_family, m.cpu_model_number, m.cpu_stepping
        )
    };
    field("CPU", &kind(base), &kind(cur));
    field("host", &base.hostname, &cur.hostname);
    field("microcode", &base.microcode, &cur.microcode);
    field("kernel", &base.kernel_release, &cur.kernel_release);
    if diffs.is_empty() {
        None
    } else {
        Some(format!(
            "baseline and current come from different machines or setups ({}): timings differ \
             between machines, so a change here is not a regression of the code",
            diffs.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::paired::{Arm, Paired, SetupRounds};
    use crate::stats::rng::Rng;

    /// An outcome of `id`, valid (its samples do not matter: the rounds do).
    fn outcome(id: &str) -> Outcome {
        let spec = crate::spec::PingPongSpec {
            participants: crate::spec::Participants::Process,
            mechanism: crate::spec::Mechanism::Pipe,
            placement: crate::spec::Placement::SameCpu(0),
        };
        let mut o = crate::measure::pingpong_outcome(
            &spec,
            Some(2.0),
            crate::measure::Samples {
                iters_per_sample: 100,
                ns_per_iter: vec![1000.0; 8],
            },
            crate::measure::SwitchCount {
                iters: 1,
                voluntary: 2,
                involuntary: 0,
                per_iter: 2.0,
            },
        );
        o.id = id.parse().unwrap();
        o.valid = true;
        o
    }

    /// How the synthetic machine varies, as these VMs do: a level for the whole run (a
    /// slow one, x`slow_level`, in a share `slow_runs` of runs), a normal offset per run
    /// and per set-up, and within a set-up a level that flips between x1.00 and x1.27
    /// and stays for several rounds, with 1% noise per round.
    #[derive(Clone, Copy)]
    struct Machine {
        slow_runs: f64,
        slow_level: f64,
        run_sd: f64,
        setup_sd: f64,
    }

    const VM: Machine = Machine {
        slow_runs: 0.25,
        slow_level: 1.08,
        run_sd: 0.03,
        setup_sd: 0.02,
    };

    /// One run of `ids` (each `(id, ns)`) on `m`: every id in one comparison of 8
    /// set-ups of 18 rounds, the run's level shared by all of them; an id's true value
    /// times `scale` where `scale` names it.
    fn run(
        rng: &mut Rng,
        m: Machine,
        ids: &[(&str, f64)],
        scale: Option<(&str, f64)>,
    ) -> ResultsFile {
        let run_level = if rng.unit() < m.slow_runs {
            m.slow_level
        } else {
            1.0
        } * (m.run_sd * rng.normal()).exp();
        let setups = (0..8)
            .map(|_| {
                let offsets: Vec<f64> = ids
                    .iter()
                    .map(|_| (m.setup_sd * rng.normal()).exp())
                    .collect();
                let mut level = 1.0;
                SetupRounds {
                    rounds: (0..18)
                        .map(|_| {
                            if rng.unit() < 0.1 {
                                level = if level == 1.0 { 1.27 } else { 1.0 };
                            }
                            ids.iter()
                                .zip(&offsets)
                                .map(|(&(id, ns), off)| {
                                    let s = scale.filter(|(x, _)| *x == id).map_or(1.0, |s| s.1);
                                    ns * s * run_level * off * level * (1.0 + 0.01 * rng.normal())
                                })
                                .collect()
                        })
                        .collect(),
                    taken: 18,
                }
            })
            .collect();
        let mut f = ResultsFile::new(
            crate::spec::Mode::Quick,
            ids.iter().map(|(id, _)| outcome(id)).collect(),
            vec![],
        );
        f.paired = vec![Paired {
            name: "switch".into(),
            seed: 1,
            cpu: 0,
            arms: ids
                .iter()
                .map(|(id, _)| Arm::main(id.parse().unwrap()))
                .collect(),
            iters: vec![100; ids.len()],
            setups,
            steal_ms: 0.0,
        }];
        f
    }

    fn baseline(rng: &mut Rng, m: Machine, ids: &[(&str, f64)], k: usize) -> Calibration {
        let runs: Vec<(String, ResultsFile)> = (0..k)
            .map(|i| (format!("runs/{i}.json"), run(rng, m, ids, None)))
            .collect();
        Calibration::from_runs(&runs, &[]).unwrap()
    }

    const STATS_ONLY: Rule = Rule {
        false_alarm: 0.05,
        threshold_pct: 0.0,
    };

    #[test]
    fn the_false_alarm_rate_stays_at_the_configured_rate_under_levels() {
        // One id: the check's rate is the id's.
        let ids = [("pingpong/thread-futex/same-cpu", 4800.0)];
        let mut rng = Rng::new(7);
        let trials = 600;
        let mut alarms = 0;
        for _ in 0..trials {
            let cal = baseline(&mut rng, VM, &ids, 10);
            let cur = run(&mut rng, VM, &ids, None);
            alarms += usize::from(check(&cal, &cur, &STATS_ONLY).regressed());
        }
        let rate = alarms as f64 / trials as f64;
        assert!((0.02..=0.08).contains(&rate), "one id: {rate}");

        // Twelve ids sharing the machine's levels: the whole check stays within its rate.
        let many: Vec<(String, f64)> = (0..12)
            .map(|i| {
                (
                    format!("ring/thread-pipe/{}", i + 2),
                    1000.0 * (i + 1) as f64,
                )
            })
            .collect();
        let many: Vec<(&str, f64)> = many.iter().map(|(id, v)| (id.as_str(), *v)).collect();
        let mut alarms = 0;
        for _ in 0..trials / 2 {
            let cal = baseline(&mut rng, VM, &many, 10);
            let cur = run(&mut rng, VM, &many, None);
            alarms += usize::from(check(&cal, &cur, &STATS_ONLY).regressed());
        }
        let rate = alarms as f64 / (trials / 2) as f64;
        assert!(rate <= 0.08, "twelve ids: {rate}");
    }

    #[test]
    fn a_shift_of_one_and_a_half_detectable_changes_is_caught() {
        let id = "pingpong/thread-futex/same-cpu";
        let ids = [(id, 4800.0), ("floor/getppid", 90.0)];
        let mut rng = Rng::new(11);
        let trials = 200;
        let (mut caught, mut bystander) = (0, 0);
        for _ in 0..trials {
            let cal = baseline(&mut rng, VM, &ids, 10);
            let aa = run(&mut rng, VM, &ids, None);
            let d = check(&cal, &aa, &Rule::default()).rows[0]
                .detectable_pct
                .unwrap();
            let cur = run(&mut rng, VM, &ids, Some((id, 1.0 + 1.5 * d / 100.0)));
            let r = check(&cal, &cur, &Rule::default());
            caught += usize::from(r.rows[0].verdict == Change::Regressed);
            bystander += usize::from(r.rows[1].verdict == Change::Regressed);
        }
        // The id left alone is flagged no more often than the false-alarm rate says.
        assert!(
            bystander as f64 <= 0.06 * trials as f64,
            "{bystander} of {trials}"
        );
        assert!(
            caught as f64 >= 0.95 * trials as f64,
            "{caught} of {trials}"
        );
    }

    #[test]
    fn the_null_call_beside_an_id_cancels_a_machine_slower_for_a_whole_run() {
        // Runs that differ by 10% as a whole (the host, the clock): the same for every id.
        let drifting = Machine {
            slow_runs: 0.0,
            slow_level: 1.0,
            run_sd: 0.10,
            setup_sd: 0.01,
        };
        let id = "pingpong/thread-futex/same-cpu";
        let ids = [(id, 4800.0), ("floor/getppid", 90.0)];
        let mut rng = Rng::new(21);
        let cal = baseline(&mut rng, drifting, &ids, 10);
        let n = cal.noise_of(id).unwrap();
        assert_eq!(n.reference.as_deref(), Some("floor/getppid"));
        let rel = n.relative.as_ref().unwrap();
        assert!(rel.run_sd < n.absolute.run_sd / 3.0, "{n:?}");
        assert!(cal.noise_of("floor/getppid").unwrap().relative.is_none());
        let cur = run(&mut rng, drifting, &ids, None);
        let r = check(&cal, &cur, &Rule::default());
        let (ping, null) = (&r.rows[0], &r.rows[1]);
        assert_eq!(
            (ping.over.as_deref(), null.over.as_deref()),
            (Some("floor/getppid"), None)
        );
        assert!(
            ping.detectable_pct.unwrap() < null.detectable_pct.unwrap() / 2.0,
            "{r:?}"
        );
        // What a ratio cannot see: both slower alike. The id's row cannot tell; the null
        // call, judged on its time, is flagged once the change is beyond what it detects.
        let both = null.detectable_pct.unwrap() * 1.5 / 100.0 + 1.0;
        let mut slow = run(&mut rng, drifting, &ids, None);
        for s in &mut slow.paired[0].setups {
            for row in &mut s.rounds {
                row[0] *= both;
                row[1] *= both;
            }
        }
        let r = check(&cal, &slow, &Rule::default());
        assert_eq!(r.rows[0].verdict, Change::CannotTell, "{r:?}");
        assert_eq!(r.rows[1].verdict, Change::Regressed, "{r:?}");
        // A current run without its reference is judged on its time, and says so.
        let alone = run(&mut rng, drifting, &ids[..1], None);
        let r = check(&cal, &alone, &Rule::default());
        assert!(r.rows[0].note.contains("judged on its time alone"), "{r:?}");
        assert!(
            (r.rows[0].detectable_pct.unwrap() - null.detectable_pct.unwrap()).abs()
                < 0.5 * null.detectable_pct.unwrap(),
            "{r:?}"
        );
    }

    #[test]
    fn a_busy_current_run_is_judged_wider() {
        let ids = [("floor/getppid", 90.0)];
        let mut rng = Rng::new(3);
        let cal = baseline(&mut rng, VM, &ids, 10);
        let cur = run(&mut rng, VM, &ids, None);
        let quiet = check(&cal, &cur, &Rule::default()).rows[0]
            .detectable_pct
            .unwrap();
        // The same run having lost six of its eight set-ups to other tasks.
        let mut busy = cur.clone();
        busy.paired[0].setups.truncate(2);
        let wide = check(&cal, &busy, &Rule::default()).rows[0]
            .detectable_pct
            .unwrap();
        assert!(wide > quiet, "{wide} vs {quiet}");
        // A baseline of calm runs, a current run with wild set-ups: wider again.
        let mut wild = cur.clone();
        for (k, s) in wild.paired[0].setups.iter_mut().enumerate() {
            for r in &mut s.rounds {
                r[0] *= if k % 2 == 0 { 1.3 } else { 0.77 };
            }
        }
        let wilder = check(&cal, &wild, &Rule::default()).rows[0]
            .detectable_pct
            .unwrap();
        assert!(wilder > quiet * 1.5, "{wilder} vs {quiet}");
    }

    #[test]
    fn two_generations_under_one_model_name_are_told_apart() {
        let mut base = crate::fingerprint::Fingerprint::default();
        let mut cur = base.clone();
        for (f, family, model, kernel) in [
            (&mut base, "25", "17", "6.18.44-fc-v669"),
            (&mut cur, "26", "2", "6.18.44-fc-v769"),
        ] {
            f.cpu_model = "AMD EPYC".into();
            f.cpu_family = family.into();
            f.cpu_model_number = model.into();
            f.cpu_stepping = "1".into();
            f.kernel_release = kernel.into();
        }
        let w = machine_difference(&base, &cur).unwrap();
        assert!(
            w.contains("CPU \"family 25 model 17 stepping 1\" vs \"family 26 model 2 stepping 1\"")
                && w.contains("kernel"),
            "{w}"
        );
        assert_eq!(machine_difference(&base, &base.clone()), None);
    }

    #[test]
    fn too_few_runs_lone_ids_invalid_and_other_machines() {
        let ids = [("ring/thread-pipe/2", 10.0), ("ring/thread-pipe/3", 20.0)];
        let mut rng = Rng::new(5);
        let cal = baseline(&mut rng, VM, &ids, 3);
        let e = cal
            .enough_runs(std::path::Path::new("base"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("has 3 runs") && e.contains("--calibrate"), "{e}");
        let r = check(&cal, &run(&mut rng, VM, &ids, None), &Rule::default());
        assert!(
            r.rows.iter().all(|r| r.verdict == Change::TooFewRuns),
            "{r:?}"
        );

        let mut cal = baseline(&mut rng, VM, &ids, 6);
        cal.machine.cpu_model = "CPU One".into();
        let mut cur = run(
            &mut rng,
            VM,
            &[("ring/thread-pipe/2", 10.0), ("ring/thread-pipe/4", 5.0)],
            None,
        );
        cur.results[0].valid = false;
        cur.results[0].validity = "invalid: 1.00 switches per round trip".into();
        cur.machine.cpu_model = "CPU Two".into();
        let r = check(&cal, &cur, &Rule::default());
        let verdicts: Vec<_> = r.rows.iter().map(|r| (r.id.as_str(), r.verdict)).collect();
        assert_eq!(
            verdicts,
            [
                ("ring/thread-pipe/2", Change::Invalid),
                ("ring/thread-pipe/3", Change::OnlyInBaseline),
                ("ring/thread-pipe/4", Change::OnlyInCurrent)
            ]
        );
        assert!(
            r.rows[0].note.contains("1.00 switches"),
            "{}",
            r.rows[0].note
        );
        assert!(!r.regressed());
        let w = r.machine_warning.clone().unwrap();
        assert!(
            w.contains("CPU One") && w.contains("not a regression"),
            "{w}"
        );
    }

    #[test]
    fn the_same_run_cannot_tell_and_detectables_are_summed_up_by_class() {
        let ids = [
            ("pingpong/thread-futex/same-cpu", 4800.0),
            ("pingpong/process-pipe/same-cpu", 6000.0),
            ("floor/getppid", 90.0),
        ];
        let mut rng = Rng::new(9);
        let runs: Vec<(String, ResultsFile)> = (0..6)
            .map(|i| (format!("{i}"), run(&mut rng, VM, &ids, None)))
            .collect();
        let cal = Calibration::from_runs(&runs, &["same-cpu".into()]).unwrap();
        assert_eq!(cal.filters, ["same-cpu"]);
        let r = check(&cal, &runs[0].1, &Rule::default());
        assert!(
            r.rows
                .iter()
                .all(|r| matches!(r.verdict, Change::CannotTell)),
            "{r:?}"
        );
        assert!((r.per_id_rate - 0.05 / 3.0).abs() < 1e-12);
        let classes = r.detectable_by_class();
        assert_eq!(classes.len(), 2);
        assert_eq!(
            (classes[0].class, classes[0].ids),
            ("same-CPU ping-pongs", 2)
        );
        assert_eq!((classes[1].class, classes[1].ids), ("floors", 1));
        for row in &r.rows {
            let d = row.detectable_pct.unwrap();
            assert!((DEFAULT_THRESHOLD_PCT..100.0).contains(&d), "{d}");
            let c = row.change_pct.unwrap();
            assert!(c.low < c.value && c.value < c.high, "{c:?}");
            let cur = row.current.unwrap();
            assert!(cur.low < cur.value && cur.value < cur.high, "{cur:?}");
        }
        // A calibration from runs of two machines, or made two ways, is refused.
        let mut other = runs.clone();
        other[2].1.machine.hostname = "elsewhere".into();
        let e = Calibration::from_runs(&other, &[]).unwrap_err().to_string();
        assert!(e.starts_with("2: not from the machine of 0"), "{e}");
        let mut full = runs.clone();
        full[3].1.mode = crate::spec::Mode::Full;
        let e = Calibration::from_runs(&full, &[]).unwrap_err().to_string();
        assert!(e.contains("a full run among quick runs"), "{e}");
        assert_eq!(class_of("ring/thread-pipe/8"), "rings");
        assert_eq!(
            class_of("pingpong/thread-pipe/cross-cpu"),
            "other ping-pongs"
        );
        assert_eq!(class_of("not an id"), "others");
    }
}
