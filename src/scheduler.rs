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
//!         println!("{}: {:.0} ns per round trip", o.id, o.ns_per_iteration.median);
//!     }
//! });
//! run.file.save(std::path::Path::new("results.json"))?;
//! # Ok::<(), ctxbench::Error>(())
//! ```

use crate::analysis::anatomy::Anatomy;
use crate::analysis::claims as verdict;
use crate::bench::{HarnessUpHook, HarnessUpListener};
use crate::cpus::CpuChoice;
use crate::error::{Error, Result};
use crate::fingerprint::{CmdlineDetail, Fingerprint};
use crate::measure::paired::Rounds;
use crate::measure::{Counting, Outcome, SampleConfig};
use crate::results::{ResultsFile, Skipped};
use crate::runner::{self, Job, PlanOptions, Planned};
use crate::spec::{BenchId, Comparison, Experiment};
use crate::stats::rng::{fresh_seed, Rng};

pub use crate::spec::Mode;

/// What a quick and a full run each decide: the one place for the sample sizes, the
/// rounds and the experiment sizes.
impl Mode {
    /// How long to sample each benchmark.
    pub fn sample_config(self) -> SampleConfig {
        match self {
            Mode::Quick => SampleConfig::quick(),
            Mode::Full => SampleConfig::full(),
        }
    }

    /// How many set-ups and rounds comparison `c` takes: the most for the comparisons
    /// whose figures are a few percent of a switch (the twins on one CPU, the register
    /// states), fewer for the others.
    pub fn rounds(self, c: Comparison) -> Rounds {
        let base = match self {
            Mode::Quick => Rounds::quick(),
            Mode::Full => Rounds::full(),
        };
        match c {
            Comparison::Switch | Comparison::Regs => base,
            _ => base.lighter(),
        }
    }

    /// The sizes of the parameterised experiments.
    pub fn plan_options(self) -> PlanOptions {
        match self {
            Mode::Quick => PlanOptions::quick(),
            Mode::Full => PlanOptions::default(),
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
    probe_permissions: bool,
    seed: u64,
    on_harness_up: Option<HarnessUpHook>,
}

/// What the loop reports as it goes, for a caller to print.
pub enum Step<'a> {
    /// Benchmark `index` (from 0) of `total` starts; for a comparison, `id` names it
    /// and its ids follow as they are done.
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
        let probe_permissions = probes_permissions(&planned, &skipped);
        Ok(Self {
            planned,
            skipped,
            cpus,
            mode,
            counting,
            judge_claims: filters.is_empty(),
            cmdline: CmdlineDetail::default(),
            probe_permissions,
            seed: fresh_seed(),
            on_harness_up: None,
        })
    }

    /// What `ctxbench explain` runs: the quick subset each claim needs, with every
    /// counter, the claims judged.
    pub fn explain(cpus: CpuChoice) -> Self {
        let (planned, skipped) = runner::explain_plan(&cpus);
        Self {
            planned,
            skipped,
            cpus,
            mode: Mode::Quick,
            counting: Counting::all(),
            judge_claims: true,
            cmdline: CmdlineDetail::default(),
            probe_permissions: true,
            seed: fresh_seed(),
            on_harness_up: None,
        }
    }

    /// The same schedule, the order of its paired rounds (and the resamples of their
    /// intervals) drawn from `seed`: a run with the seed of another runs its rounds in
    /// the same order.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
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

    /// Runs every planned benchmark in order, the members of a comparison side by side
    /// in paired rounds (see [`runner::jobs`]), telling `on` what happens; then completes
    /// the outcomes that depend on each other (the direct costs from the floors), judges
    /// the claims and takes the anatomy of a switch where the run was not narrowed, and
    /// assembles the results file.
    pub fn run(mut self, mut on: impl FnMut(Step<'_>)) -> Run {
        let machine = self.machine();
        let listener = HarnessUpListener::listen(self.on_harness_up.take());
        let cfg = self.mode.sample_config();
        let total = self.planned.len();
        let mut outcomes = Vec::with_capacity(total);
        let mut paired = Vec::new();
        let mut skipped = self.skipped;
        let mut failed = false;
        let seed = self.seed;
        for job in runner::jobs(self.planned) {
            let index = outcomes.len();
            listener.next();
            match job {
                Job::One(p) => {
                    let id = p.id();
                    let label = id.to_string();
                    on(Step::Start {
                        index,
                        total,
                        id: &label,
                    });
                    match runner::run_one_with(&p, &cfg, &self.counting) {
                        Ok(o) => {
                            on(Step::Done(&o));
                            failed |= !o.valid;
                            outcomes.push(o);
                        }
                        Err(e) => {
                            on(Step::Failed(&e));
                            failed = true;
                            skipped.push(Skipped::of(id, format!("failed: {e}")));
                        }
                    }
                }
                Job::Compare {
                    comparison,
                    members,
                } => {
                    let ids: Vec<BenchId> = members
                        .iter()
                        .filter(|m| m.meta().is_some())
                        .map(|m| m.id())
                        .collect();
                    let label = paired_label(&comparison.to_string(), &ids);
                    on(Step::Start {
                        index,
                        total,
                        id: &label,
                    });
                    let group_seed =
                        Rng::derived(seed, &[name_hash(&comparison.to_string())]).next_u64();
                    let cpu = members.first().map_or(0, |m| m.cpu());
                    match crate::bench::measure_paired(
                        comparison,
                        &members,
                        cpu,
                        &self.mode.rounds(comparison),
                        group_seed,
                        &self.counting,
                        |_| {},
                    ) {
                        Ok((p, os)) => {
                            for o in os {
                                on(Step::Done(&o));
                                failed |= !o.valid;
                                outcomes.push(o);
                            }
                            paired.push(p);
                        }
                        Err(e) => {
                            on(Step::Failed(&e));
                            failed = true;
                            for m in members.iter().filter(|m| m.meta().is_some()) {
                                skipped.push(Skipped::of(
                                    m.id(),
                                    format!("failed: {comparison} in paired rounds: {e}"),
                                ));
                            }
                        }
                    }
                }
            }
        }
        drop(listener);
        runner::finish(&mut outcomes);
        // Who may read whose memory: facts, not timings, probed with the reads.
        let permissions = self
            .probe_permissions
            .then(crate::experiments::permissions::probe);
        let (verdicts, anatomy) = if self.judge_claims {
            let not_run: Vec<(&str, &str)> = skipped.iter().map(Skipped::pair).collect();
            let facts = verdict::RunFacts {
                skipped: &not_run,
                permissions: permissions.as_ref(),
                paired: &paired,
            };
            (
                verdict::judge_all_in(&outcomes, &facts),
                Anatomy::of(&outcomes, &facts, machine.l2_bytes),
            )
        } else {
            Default::default()
        };
        let mut file = ResultsFile::new(self.mode, outcomes, skipped).with_machine(machine);
        file.verdicts = verdicts;
        file.permissions = permissions;
        file.seed = Some(seed);
        file.paired = paired;
        file.anatomy = anatomy;
        Run { file, failed }
    }
}

/// What the progress line says of a comparison: `switch, side by side in paired rounds:
/// floor/pipe, floor/futex, pingpong/... and 14 more`.
fn paired_label(name: &str, ids: &[BenchId]) -> String {
    let shown = ids
        .iter()
        .take(3)
        .map(BenchId::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let more = match ids.len() {
        0..=3 => String::new(),
        n => format!(" and {} more", n - 3),
    };
    format!("{name}, side by side in paired rounds: {shown}{more}")
}

/// A number naming `name`, to derive a comparison's seed from the run's.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Whether a run of `planned` (and `skipped`) probes the permission probe: when it reads another
/// process's memory (`cross/...`), planned or refused.
fn probes_permissions(planned: &[Planned], skipped: &[Skipped]) -> bool {
    let cross = |id: &str| {
        id.parse::<BenchId>()
            .is_ok_and(|i| i.experiment() == Experiment::Cross)
    };
    planned
        .iter()
        .any(|p| p.id().experiment() == Experiment::Cross)
        || skipped.iter().any(|s| cross(&s.id))
}
