//! What every benchmark is: an id, how to build its harness, and what it adds to its
//! outcome after the common measuring path (timed batches, then a counted run on a second
//! harness).
//!
//! Adding an experiment is a type that implements [`Bench`], and a line in the plan
//! ([`crate::runner`]) that lists it. An experiment that has no timed loop (the memory
//! footprint of idle tasks) implements [`Runnable`], what the plan runs, directly.

use std::cell::RefCell;
use std::time::Duration;

use crate::error::Result;
use crate::harness::{Harness, Task};
use crate::measure::paired::{self, Arm, ArmMode, Facts, Paired, Rounds, Unit, UnitSpec};
use crate::measure::{complete, measure_with, Counting, Outcome, OutcomeMeta, SampleConfig};
use crate::measure::{Shape, Timed};
use crate::spec::{BenchId, Comparison};

/// One benchmark.
pub trait Bench {
    /// The harness it runs.
    type Harness: Harness + 'static;

    /// Its id, e.g. `ring/process-pipe/8`.
    fn id(&self) -> BenchId;

    /// What its outcome is about.
    fn meta(&self) -> OutcomeMeta;

    /// Sets up and warms up a harness. Called twice: once for the timed batches, once
    /// for the counted run (after the counters are opened, so the peers inherit them).
    fn build(&self) -> Result<Self::Harness>;

    /// What the experiment adds to its outcome once the common path has measured it,
    /// with the timed harness still set up (the working set's interleaved rounds, the
    /// spawns' page faults). Nothing by default.
    fn finish(&self, _h: &mut Self::Harness, _o: &mut Outcome, _cfg: &SampleConfig) -> Result<()> {
        Ok(())
    }

    /// The comparison it is measured in, side by side with others in paired rounds (see
    /// [`crate::measure::paired`]); `None` (the default): measured on its own.
    fn comparison(&self) -> Option<Comparison> {
        None
    }

    /// The loops its harness runs in paired rounds, its own ([`ArmMode::Main`]) first.
    fn modes(&self) -> Vec<ArmMode> {
        vec![ArmMode::Main]
    }

    /// Runs one block of `iters` iterations of the loop `mode` (one of [`Bench::modes`]).
    fn run_mode(&self, h: &mut Self::Harness, _mode: ArmMode, iters: u64) -> Result<Duration> {
        h.run(iters)
    }

    /// What an outcome measured in paired rounds records of a set-up harness besides
    /// timings (what [`Bench::finish`] records of them otherwise).
    fn facts(&self, _h: &mut Self::Harness) -> Result<Facts> {
        Ok(Facts::default())
    }

    /// What its outcome takes from the comparison it was measured in: a direct cost from
    /// its floor's arm, an indirect cost from its untouched and touches-alone arms.
    fn take_paired(&self, _o: &mut Outcome, _p: &Paired) {}
}

/// Builds, times, counts and finishes `b`: the one measuring path of every benchmark.
pub fn measure_bench<B: Bench>(b: &B, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
    let mut h = b.build()?;
    harness_up(b.id());
    let rebuild = || b.build().map(|h| Box::new(h) as Box<dyn Harness>);
    let mut o = measure_with(b.meta(), &mut h, cfg, &rebuild, counting)?;
    b.finish(&mut h, &mut o, cfg)?;
    Ok(o)
}

/// A ping-pong: the harness of its mechanism, participants and placement.
impl Bench for crate::spec::PingPongSpec {
    type Harness = Box<dyn Harness>;

    fn id(&self) -> BenchId {
        crate::spec::PingPongSpec::id(self)
    }

    fn meta(&self) -> OutcomeMeta {
        OutcomeMeta::pingpong(self)
    }

    fn build(&self) -> Result<Box<dyn Harness>> {
        crate::harness::build(self)
    }

    /// Off one CPU: the latency percentiles, from a pass of single round trips.
    fn finish(&self, h: &mut Box<dyn Harness>, o: &mut Outcome, cfg: &SampleConfig) -> Result<()> {
        if crate::measure::tails::has_tails(self.placement.kind()) {
            o.latency = crate::measure::tails::measure_tails(h.as_mut(), cfg.tail_round_trips)?;
        }
        Ok(())
    }

    /// On one CPU: beside its twin, its floor and the others (off one CPU a round trip is
    /// wake-up latency, measured on its own with its tails).
    fn comparison(&self) -> Option<Comparison> {
        matches!(self.placement, crate::spec::Placement::SameCpu(_)).then_some(Comparison::Switch)
    }

    /// The direct cost, round by round, from its floor's arm.
    fn take_paired(&self, o: &mut Outcome, p: &Paired) {
        let floor = crate::spec::FloorKind::for_pingpong(self.participants, self.mechanism);
        crate::measure::paired::direct_cost(o, p, BenchId::Floor(floor));
    }
}

/// A benchmark as one member of a comparison in paired rounds: its arms and unit, and
/// what its outcome needs once the rounds are done.
pub trait PairedBench: UnitSpec {
    /// Its id.
    fn id(&self) -> BenchId;
    /// The comparison it belongs to.
    fn comparison(&self) -> Comparison;
    /// What its outcome is about; `None` for a control copy, which has no outcome.
    fn meta(&self) -> Option<OutcomeMeta>;
    /// A fresh harness, for the counted run.
    fn rebuild(&self) -> Result<Box<dyn Harness>>;
    /// The CPU it runs on.
    fn cpu(&self) -> usize;
    /// See [`Bench::take_paired`].
    fn take_paired(&self, o: &mut Outcome, p: &Paired);
}

/// A [`Bench`] as a member of a comparison: its own loops, or (`control`) its main loop
/// set up a second time, as the [`ArmMode::Control`] arm.
#[derive(Debug, Clone)]
pub struct BenchUnit<B> {
    /// The benchmark.
    pub bench: B,
    /// Whether this is the control copy.
    pub control: bool,
}

/// A set-up [`Bench`]: its harness and the bench that runs its loops.
struct Built<B: Bench> {
    bench: B,
    h: B::Harness,
}

impl<B: Bench> Unit for Built<B> {
    fn run_arm(&mut self, mode: ArmMode, iters: u64) -> Result<Duration> {
        let mode = if mode == ArmMode::Control {
            ArmMode::Main
        } else {
            mode
        };
        self.bench.run_mode(&mut self.h, mode, iters)
    }

    fn tasks(&self) -> &[Task] {
        self.h.tasks()
    }

    fn shape(&self) -> Shape {
        Shape::of(&self.h)
    }

    fn facts(&mut self) -> Result<Facts> {
        self.bench.facts(&mut self.h)
    }
}

impl<B: Bench + Clone + 'static> UnitSpec for BenchUnit<B> {
    fn arms(&self) -> Vec<Arm> {
        let id = self.bench.id();
        if self.control {
            return vec![Arm {
                id,
                mode: ArmMode::Control,
            }];
        }
        self.bench
            .modes()
            .into_iter()
            .map(|mode| Arm { id, mode })
            .collect()
    }

    fn build(&self) -> Result<Box<dyn Unit>> {
        Ok(Box::new(Built {
            bench: self.bench.clone(),
            h: self.bench.build()?,
        }))
    }
}

impl<B: Bench + Clone + 'static> PairedBench for BenchUnit<B> {
    fn id(&self) -> BenchId {
        self.bench.id()
    }

    fn comparison(&self) -> Comparison {
        self.bench
            .comparison()
            .expect("a member of a comparison names it")
    }

    fn meta(&self) -> Option<OutcomeMeta> {
        (!self.control).then(|| self.bench.meta())
    }

    fn rebuild(&self) -> Result<Box<dyn Harness>> {
        self.bench.build().map(|h| Box::new(h) as Box<dyn Harness>)
    }

    fn take_paired(&self, o: &mut Outcome, p: &Paired) {
        self.bench.take_paired(o, p)
    }

    fn cpu(&self) -> usize {
        self.bench.meta().cpus.first().copied().unwrap_or(0)
    }
}

/// Measures the comparison `c` of `members` on `cpu` in paired rounds (see
/// [`crate::measure::paired`]), the order drawn from `seed`; then each member's outcome
/// from the blocks of its main loop, counted and judged as every outcome, with what it
/// takes from the comparison. `on_setup` hears each set-up as it starts.
pub fn measure_paired(
    c: Comparison,
    members: &[Box<dyn PairedBench>],
    cpu: usize,
    rounds: &Rounds,
    seed: u64,
    counting: &Counting,
    mut on_setup: impl FnMut(usize),
) -> Result<(Paired, Vec<Outcome>)> {
    let specs: Vec<&dyn UnitSpec> = members
        .iter()
        .map(|m| m.as_ref() as &dyn UnitSpec)
        .collect();
    let ids: Vec<BenchId> = members
        .iter()
        .filter(|m| m.meta().is_some())
        .map(|m| m.id())
        .collect();
    let run = paired::run(&c.to_string(), &specs, cpu, rounds, seed, |s| {
        if s == 0 {
            harnesses_up(&ids);
        }
        on_setup(s)
    })?;
    let mut outcomes = Vec::new();
    for (k, m) in members.iter().enumerate() {
        let Some(meta) = m.meta() else { continue };
        let Some(i) = run.paired.main(m.id()) else {
            continue;
        };
        let (samples, load) = run.blocks[i].timed(run.paired.iters[i]);
        let timed = Timed {
            samples,
            load,
            shape: run.shapes[k],
        };
        let rebuild = || m.rebuild();
        let mut o = complete(meta, timed, &rebuild, counting, || None)?;
        let facts = &run.facts[k];
        if facts.parameter.is_some() {
            o.parameter = facts.parameter;
        }
        o.extra.extend(facts.extra.iter().cloned());
        m.take_paired(&mut o, &run.paired);
        let levels = run.paired.levels(i);
        if levels.len() > 1 {
            o.levels = levels;
        }
        outcomes.push(o);
    }
    Ok((run.paired, outcomes))
}

/// What the run loop needs of a benchmark: its id, and one attempt at measuring it.
/// Every [`Bench`] is one, measured by [`measure_bench`]; an experiment with no timed loop
/// ([`crate::experiments::footprint`], which reads memory) implements it directly.
pub trait Runnable {
    /// Its id.
    fn id(&self) -> BenchId;
    /// Sets up, measures and tears down one attempt.
    fn attempt(&self, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome>;
    /// It as a member of the comparison it is measured in, where it is one (see
    /// [`Bench::comparison`]).
    fn paired(&self) -> Option<Box<dyn PairedBench>> {
        None
    }
}

impl<B: Bench + Clone + 'static> Runnable for B {
    fn id(&self) -> BenchId {
        Bench::id(self)
    }

    fn attempt(&self, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
        measure_bench(self, cfg, counting)
    }

    fn paired(&self) -> Option<Box<dyn PairedBench>> {
        self.comparison().map(|_| {
            Box::new(BenchUnit {
                bench: self.clone(),
                control: false,
            }) as Box<dyn PairedBench>
        })
    }
}

/// A benchmark ready to run: any [`Runnable`].
pub struct Planned(pub(crate) Box<dyn Runnable>);

impl Planned {
    /// Plans `b`.
    pub fn new(b: impl Runnable + 'static) -> Self {
        Planned(Box::new(b))
    }

    /// Its id.
    pub fn id(&self) -> crate::spec::BenchId {
        self.0.id()
    }
}

impl std::fmt::Debug for Planned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id())
    }
}

/// What hears that a benchmark's harness is up (its id), once per benchmark.
pub type HarnessUpHook = Box<dyn FnMut(&str)>;

thread_local! {
    /// The hook of the schedule running on this thread, and whether the benchmark running
    /// now has been reported already.
    static HARNESS_UP: RefCell<Option<(HarnessUpHook, bool)>> = const { RefCell::new(None) };
}

/// Tells the schedule running on this thread, if it listens, that benchmark `id` has its
/// harness set up and its measuring starts (the timed batches; a footprint's first idle
/// tasks parked and read): once per benchmark, however many harnesses or attempts it
/// takes.
pub(crate) fn harness_up(id: BenchId) {
    HARNESS_UP.with_borrow_mut(|h| {
        if let Some((hook, said)) = h {
            if !*said {
                *said = true;
                hook(&id.to_string());
            }
        }
    });
}

/// [`harness_up`] for every member of a comparison measured in paired rounds, whose
/// harnesses are all up at once: each id once.
fn harnesses_up(ids: &[BenchId]) {
    HARNESS_UP.with_borrow_mut(|h| {
        if let Some((hook, said)) = h {
            if !*said {
                *said = true;
                for id in ids {
                    hook(&id.to_string());
                }
            }
        }
    });
}

/// While it lives, [`harness_up`] on this thread calls a schedule's hook; dropped, the
/// hook is gone (a panic included).
pub(crate) struct HarnessUpListener(());

impl HarnessUpListener {
    /// Listens with `hook` (or not at all, for `None`).
    pub(crate) fn listen(hook: Option<HarnessUpHook>) -> Self {
        HARNESS_UP.set(hook.map(|h| (h, false)));
        Self(())
    }

    /// The next benchmark starts: it will be reported in its turn.
    pub(crate) fn next(&self) {
        HARNESS_UP.with_borrow_mut(|h| {
            if let Some((_, said)) = h {
                *said = false;
            }
        });
    }
}

impl Drop for HarnessUpListener {
    fn drop(&mut self) {
        HARNESS_UP.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn harness_up_is_heard_once_per_benchmark_and_only_while_listened_for() {
        let heard = Rc::new(RefCell::new(Vec::<String>::new()));
        use crate::spec::FloorKind::{Getppid, Pipe};
        let (a, b) = (BenchId::Floor(Getppid), BenchId::Floor(Pipe));
        harness_up(a);
        {
            let h = Rc::clone(&heard);
            let listener =
                HarnessUpListener::listen(Some(Box::new(move |id| h.borrow_mut().push(id.into()))));
            listener.next();
            harness_up(a);
            harness_up(a);
            listener.next();
            harnesses_up(&[a, b]);
            harness_up(b);
        }
        harness_up(b);
        assert_eq!(*heard.borrow(), [a, a, b].map(|i| i.to_string()));
    }
}
