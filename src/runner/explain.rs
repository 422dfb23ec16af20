//! The subset `ctxbench explain` runs: what each claim needs, quickly.

use super::{plan_ids, PlanOptions, Planned};
use crate::cpus::CpuChoice;
use crate::experiments::DESCRIPTORS;
use crate::results::Skipped;
use crate::spec::{Access, BenchId, Experiment, Mechanism, PlacementKind, PINGPONG_HARNESSES};

/// The working-set sizes `ctxbench explain` runs (reading one byte per line).
pub const EXPLAIN_WORKSET_SIZES: [u64; 4] = [0, 64 << 10, 1 << 20, 4 << 20];

/// What `ctxbench explain` runs: the quick subset each claim needs (same-CPU ping-pongs
/// over pipe, futex and eventfd and their floors; rings of the pipe around the
/// address-space-id limit; the reading working sets at a few sizes; the three spawns;
/// the quick footprints; the user-space switches and the null system call; the quick
/// topology sweep; both isolation writes, and every way of reading another process's
/// memory at 4 KiB and 1 MiB; the register states), planned by each experiment's
/// descriptor, with what cannot run here and why.
pub fn explain_plan(cpus: &CpuChoice) -> (Vec<Planned>, Vec<Skipped>) {
    let opts = PlanOptions {
        workset_sizes: EXPLAIN_WORKSET_SIZES.to_vec(),
        ..PlanOptions::quick()
    };
    let wanted = DESCRIPTORS
        .iter()
        .flat_map(|d| (d.ids)(&opts))
        .filter(|&id| needed(id));
    plan_ids(wanted.collect(), cpus, &opts)
}

/// Whether a claim needs `id` (see [`explain_plan`]).
fn needed(id: BenchId) -> bool {
    match id {
        BenchId::PingPong {
            participants,
            mechanism,
            placement,
        } => {
            placement == PlacementKind::SameCpu
                && mechanism != Mechanism::Condvar
                && PINGPONG_HARNESSES.contains(&(participants, mechanism))
        }
        BenchId::Workset { access, .. } => access == Access::Read,
        BenchId::Ring { mechanism, .. } => mechanism == Mechanism::Pipe,
        // The floors the ping-pongs and user-space switches need come with them.
        BenchId::Floor(_) => false,
        other => matches!(
            other.experiment(),
            Experiment::Spawn
                | Experiment::Footprint
                | Experiment::Uswitch
                | Experiment::Isolation
                | Experiment::Cross
                | Experiment::Topology
                | Experiment::Regs
        ),
    }
}
