//! The experiments beyond the plain ping-pong, each decomposing a switch's cost a
//! different way:
//!
//! - [`floors`]: the mechanism alone, without a switch (`floor/<name>`), subtracted from
//!   the ping-pongs to give their direct cost per switch;
//! - [`workset`]: the indirect cost, when each side touches its own buffer between
//!   switches (`workset/<participants>-pipe/<size>`);
//! - [`ring`]: n participants on one CPU (`ring/<participants>-pipe/<n>`), which exposes
//!   the per-CPU limit on address-space ids (full TLB flushes past it);
//! - [`spawn`]: what it costs to create a process or a thread (`spawn/<what>`);
//! - [`footprint`]: what n idle processes or threads cost in memory
//!   (`footprint/<participants>/<n>`);
//! - [`regs`]: what live register state adds to a switch, for the kernel to save and
//!   restore (`regs/<participants>-futex/<state>`);
//! - [`uswitch`]: a switch without the kernel's scheduler, between two coroutines on one
//!   thread (`uswitch/<kind>`): the kernel's share of a switch;
//! - [`isolation`]: what a separate address space is, shown: a child's write stays its own
//!   (a copy-on-write fault), a thread's is seen at once (`isolation/<participants>-write`);
//! - [`cross`]: what reading another process's memory costs, by each way there is
//!   (`cross/<way>/<size>`), and [`permissions`]: who the kernel lets read whom;
//! - [`pingpong`]: two tasks handing control to each other, on one CPU, two, or where the
//!   scheduler puts them (`pingpong/<participants>-<mechanism>/<placement>`);
//! - [`topology`]: across the cores, the futex wake-up beside the bare cache line between
//!   pairs of CPUs chosen by what they share (`topology/<futex|cacheline>/<a>-<b>`).

pub mod cross;
pub mod floors;
pub mod footprint;
pub mod isolation;
pub mod permissions;
pub mod pingpong;
pub mod regs;
pub mod ring;
pub mod spawn;
pub mod topology;
pub mod uswitch;
pub mod workset;

use crate::bench::Planned;
use crate::cpus::CpuChoice;
use crate::error::Result;
use crate::spec::{BenchId, Experiment};

/// The sizes the parameterised experiments run at (checked before anything forks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Ring sizes (participants per ring).
    pub ring_sizes: Vec<usize>,
    /// Working-set sizes (bytes per side).
    pub workset_sizes: Vec<u64>,
    /// Footprint task counts (idle tasks per measurement).
    pub footprint_tasks: Vec<usize>,
    /// Sizes of the reads across processes (bytes per read).
    pub cross_sizes: Vec<u64>,
    /// Pairs of CPUs per topology class the sweep measures on a machine with many (see
    /// [`topology::plan`]).
    pub topology_pairs_per_class: usize,
}

/// Ring sizes of a quick run: both sides of the address-space-id limit and the step.
pub const QUICK_RING_SIZES: [usize; 6] = [2, 4, 6, 7, 8, 16];

/// Read sizes of a quick run: the smallest and the largest.
pub const QUICK_CROSS_SIZES: [u64; 2] = [4 << 10, 1 << 20];

impl Default for PlanOptions {
    /// The sizes of a full run.
    fn default() -> Self {
        Self {
            ring_sizes: ring::DEFAULT_RING_SIZES.to_vec(),
            workset_sizes: workset::DEFAULT_SIZES.to_vec(),
            footprint_tasks: footprint::DEFAULT_TASKS.to_vec(),
            cross_sizes: crate::spec::CROSS_SIZES.to_vec(),
            topology_pairs_per_class: topology::FULL_PAIRS_PER_CLASS,
        }
    }
}

impl PlanOptions {
    /// The sizes of a quick run: fewer working-set sizes, ring sizes, footprint task
    /// counts and read sizes.
    pub fn quick() -> Self {
        Self {
            ring_sizes: QUICK_RING_SIZES.to_vec(),
            workset_sizes: workset::QUICK_SIZES.to_vec(),
            footprint_tasks: footprint::QUICK_TASKS.to_vec(),
            cross_sizes: QUICK_CROSS_SIZES.to_vec(),
            topology_pairs_per_class: topology::QUICK_PAIRS_PER_CLASS,
        }
    }

    /// Refuses sizes no harness can run, with the reason and the fix.
    pub fn check(&self) -> Result<()> {
        workset::check_sizes(&self.workset_sizes, workset::mem_available())?;
        for &n in &self.ring_sizes {
            crate::harness::ring::check_ring_size(n)?;
        }
        for &n in &self.footprint_tasks {
            footprint::check_task_count(n)?;
        }
        Ok(())
    }
}

/// What the plan takes of one experiment's descriptor: the benchmarks to run, and the ids
/// this machine cannot run, each with the reason.
#[derive(Default)]
pub struct Planning {
    /// The benchmarks, in report order.
    pub planned: Vec<Planned>,
    /// `(id, reason)` of each id that cannot run here (or of `<experiment>/*` for an
    /// experiment that cannot run at all).
    pub refused: Vec<(String, String)>,
}

impl Planning {
    /// The benchmarks `planned`, and `refused`'s ids, each with why it cannot run here.
    pub fn of<B: crate::bench::Runnable + 'static>(
        planned: Vec<B>,
        refused: Vec<(BenchId, String)>,
    ) -> Self {
        Planning {
            planned: planned.into_iter().map(Planned::new).collect(),
            refused: refused
                .into_iter()
                .map(|(id, why)| (id.to_string(), why))
                .collect(),
        }
    }
}

/// One experiment, in one place: what the plan, `ctxbench list` and the run loop need of
/// it. Adding an experiment is its harness, a type that implements [`Bench`](crate::bench::Bench), its
/// descriptor, a line in [`DESCRIPTORS`], and its tests (and its id in
/// [`crate::spec::BenchId`]).
pub struct Descriptor {
    /// Which experiment (its id prefix; what the comparison page shows of it is
    /// [`Experiment::shown`]).
    pub experiment: Experiment,
    /// Every id with the sizes of `opts`, in report order: what `ctxbench list` prints.
    pub ids: fn(&PlanOptions) -> Vec<BenchId>,
    /// The id another experiment's benchmark `id` needs run beside it, where it is this
    /// experiment's (a same-CPU ping-pong's floor, the null system call beside the
    /// user-space switches).
    pub serves: fn(BenchId) -> Option<BenchId>,
    /// The benchmarks of `ids` (some of this experiment's) on `cpus`, with the sizes of
    /// `opts`.
    pub plan: fn(&[BenchId], &CpuChoice, &PlanOptions) -> Planning,
}

/// Every experiment, in the order a run measures them: the floors first (while nothing
/// has run yet), creations and footprints while this process is small (fork copies its
/// mappings, and thread harnesses leave cached stacks behind: measured here, a fork,
/// exit and wait took 130 us in a fresh ctxbench, 170 us after one thread ping-pong),
/// the register states last (AMX asks the kernel for the tiles, once for the process).
pub const DESCRIPTORS: [&Descriptor; 11] = [
    &floors::DESCRIPTOR,
    &spawn::DESCRIPTOR,
    &footprint::DESCRIPTOR,
    &pingpong::DESCRIPTOR,
    &uswitch::DESCRIPTOR,
    &workset::DESCRIPTOR,
    &ring::DESCRIPTOR,
    &isolation::DESCRIPTOR,
    &cross::DESCRIPTOR,
    &topology::DESCRIPTOR,
    &regs::DESCRIPTOR,
];

/// The descriptor of `e`.
pub fn descriptor(e: Experiment) -> &'static Descriptor {
    DESCRIPTORS
        .iter()
        .find(|d| d.experiment == e)
        .expect("every experiment has a descriptor")
}

/// A descriptor's `serves` for an experiment that runs nothing for others.
pub fn serves_none(_: BenchId) -> Option<BenchId> {
    None
}

/// Plans each of `ids` as `bench` builds it on `cpu`, for experiments whose every id can
/// run on one CPU.
pub fn each_on(
    ids: &[BenchId],
    cpu: usize,
    bench: impl Fn(BenchId, usize) -> Option<Planned>,
) -> Planning {
    Planning {
        planned: ids.iter().filter_map(|&id| bench(id, cpu)).collect(),
        refused: Vec::new(),
    }
}
