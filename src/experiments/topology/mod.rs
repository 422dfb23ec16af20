//! Across the cores (`topology/<handover>/<a>-<b>`): for pairs of CPUs chosen by where
//! they sit, the cross-CPU futex wake-up round trip between two pinned threads
//! (`topology/futex/<a>-<b>`, the `thread-futex` ping-pong), and beside it the same two
//! CPUs passing one cache line with no kernel involved (`topology/cacheline/<a>-<b>`,
//! see [`crate::harness::cacheline`]): what the kernel's wake-up adds on top of what
//! coherence alone costs, pair by pair.
//!
//! - Pairs ([`plan`]): every pair where a machine has few, else a bounded, spread-out
//!   sample per class ([`crate::topology::PairClass`]: SMT siblings, same L3, same
//!   package, two packages), so the sweep's cost grows with the classes, not with the
//!   square of the CPUs.
//! - Each pair is measured one way: the driver on `a` (the lower CPU), the peer on `b`.
//!   A round trip is a hand-over each way (`a` wakes `b`, `b` wakes `a`), so `b`-to-`a`
//!   would measure the same thing again; a heatmap shows it in both cells.
//! - Per id: the median of timed batches, and percentiles from a tails pass
//!   ([`crate::measure::tails`]): single round trips for the futex, groups of
//!   [`TAIL_GROUP`] for the cache line (a clock read costs almost half its round trip).
//! - Every id is sampled like a quick run, in both modes (15 batches of 20 ms), with the
//!   mode's tails pass: a full run spends its time on more pairs instead (see
//!   [`plan::predicted`] for what a sweep costs).

pub mod plan;

/// The sweep's descriptor: the pairs of this machine's CPUs, a few per class; where the
/// CPUs given have no pair, the whole sweep is refused with the reason.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: Experiment::Topology,
    ids: |o| all_ids(o.topology_pairs_per_class),
    serves: super::serves_none,
    plan: |ids, cpus, o| {
        let (benches, why_not) =
            sweep_over(cpus, o.topology_pairs_per_class, |id| ids.contains(&id));
        super::Planning {
            planned: benches
                .into_iter()
                .map(crate::bench::Planned::new)
                .collect(),
            refused: why_not
                .map(|why| (format!("{}/*", Experiment::Topology), why))
                .into_iter()
                .collect(),
        }
    },
};

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::bench::{measure_bench, Bench, Runnable};
use crate::error::Result;
use crate::harness::cacheline::{CacheLinePingPong, TAIL_GROUP};
use crate::harness::{Driver, Harness, Stamps, WARMUP_ROUND_TRIPS};
use crate::measure::{tails, Counting, Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{BenchId, Experiment, Handover, Mechanism, Participants, PingPongSpec, Variant};
use crate::spec::{Placement, PlacementKind};
use crate::topology::PairClass;

pub use plan::{choose_pairs, FULL_PAIRS_PER_CLASS, QUICK_PAIRS_PER_CLASS};

/// One hand-over between two CPUs: `a` (the driver) < `b` (the peer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairBench {
    /// The futex wake-up or the bare cache line.
    pub handover: Handover,
    /// The driver's CPU.
    pub a: usize,
    /// The peer's CPU.
    pub b: usize,
    /// What the two share (the outcome's `variant`).
    pub class: PairClass,
}

impl PairBench {
    /// The `thread-futex` ping-pong pinned to the pair: the futex id's harness.
    pub fn futex_spec(&self) -> PingPongSpec {
        PingPongSpec {
            participants: Participants::Thread,
            mechanism: Mechanism::Futex,
            placement: Placement::CrossCpu(self.a, self.b),
        }
    }
}

/// The harness of a [`PairBench`].
pub enum PairHarness {
    /// The futex ping-pong.
    Futex(Box<dyn Harness>),
    /// The cache-line ping-pong.
    CacheLine(Box<CacheLinePingPong>),
}

impl PairHarness {
    fn inner(&mut self) -> &mut dyn Harness {
        match self {
            PairHarness::Futex(h) => h.as_mut(),
            PairHarness::CacheLine(h) => h.as_mut(),
        }
    }
}

impl Harness for PairHarness {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.inner().run(iters)
    }

    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        self.inner().run_stamped(iters, stamps)
    }

    fn driver(&self) -> &Driver {
        match self {
            PairHarness::Futex(h) => h.driver(),
            PairHarness::CacheLine(h) => h.driver(),
        }
    }
}

impl Bench for PairBench {
    type Harness = PairHarness;

    fn id(&self) -> crate::spec::BenchId {
        BenchId::Topology {
            handover: self.handover,
            a: self.a,
            b: self.b,
        }
    }

    fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: Bench::id(self),
            experiment: Experiment::Topology,
            participants: Some(Participants::Thread),
            mechanism: (self.handover == Handover::Futex).then_some(Mechanism::Futex),
            placement: Some(PlacementKind::CrossCpu),
            cpus: vec![self.a, self.b],
            parameter: None,
            variant: Some(Variant::Pair(self.class)),
        }
    }

    fn build(&self) -> Result<PairHarness> {
        Ok(match self.handover {
            Handover::Futex => PairHarness::Futex(crate::harness::build(&self.futex_spec())?),
            Handover::CacheLine => {
                PairHarness::CacheLine(Box::new(CacheLinePingPong::new(self.a, self.b)?))
            }
        })
    }

    /// The tails: the futex's as every cross-CPU ping-pong's; the cache line's in groups
    /// of [`TAIL_GROUP`] round trips (`tail_group_round_trips` in `extra`).
    fn finish(&self, h: &mut PairHarness, o: &mut Outcome, cfg: &SampleConfig) -> Result<()> {
        match h {
            PairHarness::Futex(h) => self.futex_spec().finish(h, o, cfg),
            PairHarness::CacheLine(h) => {
                let groups = cfg.tail_round_trips;
                if groups == 0 {
                    return Ok(());
                }
                h.run(WARMUP_ROUND_TRIPS)?;
                let mut stamps = Stamps::with_capacity(groups as usize + 1);
                h.run_grouped(groups + 1, &mut stamps)?;
                o.latency = tails::of_groups(&stamps, TAIL_GROUP);
                o.set(
                    crate::measure::extra::TAIL_GROUP_ROUND_TRIPS,
                    TAIL_GROUP as f64,
                );
                Ok(())
            }
        }
    }
}

/// The ids of the sweep over the CPUs this process may use, `per_class` pairs per class
/// where there are many (what `ctxbench list` shows).
pub fn all_ids(per_class: usize) -> Vec<BenchId> {
    let t = crate::topology::Topology::this_machine();
    plan::plan(&t, per_class).iter().map(Bench::id).collect()
}

/// The sweep over the pairs of `cpus` on this machine, `per_class` pairs per class where
/// it has many, each measured as [`Sweep`], keeping the ids `wanted`; and the reason when
/// it has no pair at all.
pub fn sweep_over(
    cpus: &crate::cpus::CpuChoice,
    per_class: usize,
    wanted: impl Fn(BenchId) -> bool,
) -> (Vec<Sweep>, Option<String>) {
    let t = crate::topology::Topology::read(
        std::path::Path::new(crate::topology::SYS_CPU),
        Some(&cpus.cpus),
    );
    let benches = plan::plan(&t, per_class);
    let why_not = benches.is_empty().then(|| plan::why_no_pair(&t, cpus));
    let kept = benches.into_iter().filter(|b| wanted(Bench::id(b)));
    (kept.map(Sweep).collect(), why_not)
}

/// How every sweep id is sampled: the batches of a quick run, the tails pass of `mode`.
pub fn sweep_config(mode: &SampleConfig) -> SampleConfig {
    SampleConfig {
        tail_round_trips: mode.tail_round_trips,
        ..SampleConfig::quick()
    }
}

/// A [`PairBench`] as the plan runs it: measured with [`sweep_config`].
pub struct Sweep(pub PairBench);

impl Runnable for Sweep {
    fn id(&self) -> crate::spec::BenchId {
        Bench::id(&self.0)
    }

    fn attempt(&self, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
        measure_bench(&self.0, &sweep_config(cfg), counting)
    }
}
