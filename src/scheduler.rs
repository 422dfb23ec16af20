//! The one loop over benchmarks: plan → build → measure → analyse → results file.
//!
//! `ctxbench run`, `ctxbench explain`, `ctxbench check` (when it measures) and the
//! criterion benches all go through here; the binary only parses its arguments and says
//! what to print.
//!
//! ```no_run
//! use ctxbench::cpus::CpuChoice;
//! use ctxbench::measure::Counting;
//! use ctxbench::scheduler::{Mode, Schedule, Step};
//!
//! let cpus = CpuChoice::resolve(None)?;
//! let schedule = Schedule::select(&["pingpong/thread-futex/same-cpu".into()], cpus, Mode::Quick,
//!                                 None, Counting::all())?;
//! let run = schedule.run(|step| {
//!     if let Step::Done(o) = step {
//!         println!("{}: {:.0} ns per round trip", o.id, o.ns_per_round_trip.median);
//!     }
//! });
//! run.file.save(std::path::Path::new("results.json"))?;
//! # Ok::<(), ctxbench::Error>(())
//! ```

use crate::analysis::claims as verdict;
use crate::bench::{HarnessUpHook, HarnessUpListener};
use crate::cpus::CpuChoice;
use crate::error::{Error, Result};
use crate::fingerprint::{CmdlineDetail, Fingerprint};
use crate::measure::{Counting, Outcome, SampleConfig};
use crate::results::{ResultsFile, Skipped};
use crate::runner::{self, PlanOptions, Planned};

/// A quick or a full run: the one place that decides the sample sizes and the experiment
/// sizes of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// About half a second per benchmark, fewer working-set sizes.
    Quick,
    /// About three seconds per benchmark, every size.
    Full,
}

impl Mode {
    /// `Quick` when `quick` is set.
    pub fn from_quick(quick: bool) -> Self {
        if quick {
            Mode::Quick
        } else {
            Mode::Full
        }
    }

    /// How long to sample each benchmark.
    pub fn sample_config(self) -> SampleConfig {
        match self {
            Mode::Quick => SampleConfig::quick(),
            Mode::Full => SampleConfig::full(),
        }
    }

    /// The sizes of the parameterised experiments.
    pub fn plan_options(self) -> PlanOptions {
        match self {
            Mode::Quick => PlanOptions::quick(),
            Mode::Full => PlanOptions::default(),
        }
    }

    /// Its name in results files: `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }
}

/// What to run, where, and how.
pub struct Schedule {
    planned: Vec<Planned>,
    skipped: Vec<Skipped>,
    cpus: CpuChoice,
    mode: Mode,
    counting: Counting,
    judge_claims: bool,
    cmdline: CmdlineDetail,
    probe_guard: bool,
    on_harness_up: Option<HarnessUpHook>,
}

/// What the loop reports as it goes, for a caller to print.
pub enum Step<'a> {
    /// Benchmark `index` (from 0) of `total` starts.
    Start {
        /// Its position in the plan.
        index: usize,
        /// How many are planned.
        total: usize,
        /// Its id.
        id: &'a str,
    },
    /// It ended with this outcome.
    Done(&'a Outcome),
    /// It failed (it is listed as skipped, with the reason).
    Failed(&'a Error),
}

/// A finished run: the results file (machine, outcomes, skipped ids, verdicts) and
/// whether any benchmark failed or was invalid.
pub struct Run {
    /// Everything the run produced, ready to save.
    pub file: ResultsFile,
    /// True when a benchmark failed or its outcome is invalid.
    pub failed: bool,
}

impl Schedule {
    /// The benchmarks whose ids contain one of `filters` (all when empty), on `cpus`, with
    /// the sizes of `mode` unless `sizes` gives others. The claims are judged when no
    /// filter narrows the run. Sizes and CPUs are checked before anything forks.
    pub fn select(
        filters: &[String],
        cpus: CpuChoice,
        mode: Mode,
        sizes: Option<PlanOptions>,
        counting: Counting,
    ) -> Result<Self> {
        let opts = sizes.unwrap_or_else(|| mode.plan_options());
        let (planned, skipped) = runner::plan_with(filters, &cpus, &opts)?;
        let probe_guard = probes_guard(&planned, &skipped);
        Ok(Self {
            planned,
            skipped,
            cpus,
            mode,
            counting,
            judge_claims: filters.is_empty(),
            cmdline: CmdlineDetail::default(),
            probe_guard,
            on_harness_up: None,
        })
    }

    /// What `ctxbench explain` runs: the quick subset each claim needs, with every
    /// counter, the claims judged.
    pub fn explain(cpus: CpuChoice) -> Self {
        Self {
            planned: runner::explain_plan(&cpus),
            skipped: runner::regs_plan(&[], cpus.first()).1,
            cpus,
            mode: Mode::Quick,
            counting: Counting::all(),
            judge_claims: true,
            cmdline: CmdlineDetail::default(),
            probe_guard: true,
            on_harness_up: None,
        }
    }

    /// The same schedule, its results file keeping as much of the kernel command line as
    /// `cmdline` says (by default only what changes switch costs).
    pub fn with_cmdline(mut self, cmdline: CmdlineDetail) -> Self {
        self.cmdline = cmdline;
        self
    }

    /// The same schedule, calling `hook` with a benchmark's id once its harness is set up
    /// and its measuring starts (after [`Step::Start`], before [`Step::Done`]): once per
    /// benchmark, from inside the run, so a caller can say that a benchmark is under way.
    pub fn on_harness_up(mut self, hook: impl FnMut(&str) + 'static) -> Self {
        self.on_harness_up = Some(Box::new(hook));
        self
    }

    /// How many benchmarks will run.
    pub fn len(&self) -> usize {
        self.planned.len()
    }

    /// True when nothing will run (every selected id was skipped).
    pub fn is_empty(&self) -> bool {
        self.planned.is_empty()
    }

    /// This machine as the results file will describe it: the CPUs used and which
    /// counter families open.
    pub fn machine(&self) -> Fingerprint {
        let mut machine = Fingerprint::this_machine(&self.cpus.cpus, self.cmdline);
        machine.counter_families = match self.counting {
            Counting::Off => {
                [("all".to_string(), "not counted (--no-counters)".to_string())].into()
            }
            _ => crate::counters::family_status(),
        };
        machine
    }

    /// Runs every planned benchmark in order, telling `on` what happens, then completes
    /// the outcomes that depend on each other (the direct costs from the floors), judges
    /// the claims where the run was not narrowed, and assembles the results file.
    pub fn run(mut self, mut on: impl FnMut(Step<'_>)) -> Run {
        let machine = self.machine();
        let listener = HarnessUpListener::listen(self.on_harness_up.take());
        let cfg = self.mode.sample_config();
        let total = self.planned.len();
        let mut outcomes = Vec::with_capacity(total);
        let mut skipped = self.skipped;
        let mut failed = false;
        for (index, p) in self.planned.iter().enumerate() {
            let id = p.id();
            listener.next();
            on(Step::Start {
                index,
                total,
                id: &id,
            });
            match runner::run_one_with(p, &cfg, &self.counting) {
                Ok(o) => {
                    on(Step::Done(&o));
                    failed |= !o.valid;
                    outcomes.push(o);
                }
                Err(e) => {
                    on(Step::Failed(&e));
                    failed = true;
                    skipped.push(Skipped {
                        id,
                        reason: format!("failed: {e}"),
                    });
                }
            }
        }
        drop(listener);
        runner::finish(&mut outcomes);
        // Who may read whose memory: facts, not timings, probed with the reads.
        let guard = self.probe_guard.then(crate::experiments::guard::probe);
        let verdicts = if self.judge_claims {
            let not_run: Vec<(&str, &str)> = skipped.iter().map(Skipped::pair).collect();
            let facts = verdict::RunFacts {
                skipped: &not_run,
                guard: guard.as_ref(),
            };
            verdict::judge_all_in(&outcomes, &facts)
        } else {
            Vec::new()
        };
        let mut file = ResultsFile::new(self.mode.name(), outcomes, skipped).with_machine(machine);
        file.verdicts = verdicts;
        file.guard = guard;
        Run { file, failed }
    }
}

/// Whether a run of `planned` (and `skipped`) probes the guard: when it reads another
/// process's memory (`cross/...`), planned or refused.
fn probes_guard(planned: &[Planned], skipped: &[Skipped]) -> bool {
    planned.iter().any(|p| p.id().starts_with("cross/"))
        || skipped.iter().any(|s| s.id.starts_with("cross/"))
}
