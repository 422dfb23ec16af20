//! Which benchmarks of each experiment a plan holds: the selection `plan_with` makes,
//! one function per experiment.

use super::{matches, PlanOptions, Planned};
use crate::cpus::CpuChoice;
use crate::experiments::cross;
use crate::experiments::floors::{FloorBench, FloorKind, FLOORS};
use crate::experiments::isolation::{isolation_id, IsolationBench, ISOLATION_PARTICIPANTS};
use crate::experiments::ring::{RingSpec, RING_MECHANISMS, RING_PARTICIPANTS};
use crate::experiments::topology;
use crate::experiments::uswitch::{UswitchBench, USWITCHES};
use crate::experiments::workset::{WorksetSpec, WORKSET_PARTICIPANTS};
use crate::harness::workset::ACCESSES;
use crate::results::Skipped;
use crate::spec::{BenchId, PingPongSpec, Placement, PINGPONG_HARNESSES, PLACEMENTS};

/// The floors `filters` name, the floor of every same-CPU ping-pong they name (the
/// ping-pongs subtract them, see [`super::finish`]), and the null system call beside the
/// user-space switches (what entering the kernel costs), in order, on `cpu`.
pub(super) fn floors_for(filters: &[String], cpu: usize) -> Vec<Planned> {
    let mut wanted: Vec<FloorKind> = FLOORS
        .iter()
        .copied()
        .filter(|f| matches(f.id(), filters))
        .collect();
    for &(p, m) in &PINGPONG_HARNESSES {
        let f = FloorKind::for_pingpong(p, m);
        let same = BenchId::PingPong {
            participants: p,
            mechanism: m,
            placement: crate::spec::PlacementKind::SameCpu,
        };
        if matches(same, filters) && !wanted.contains(&f) {
            wanted.push(f);
        }
    }
    let user_switch = USWITCHES.iter().any(|k| matches(k.id(), filters));
    if user_switch && !wanted.contains(&FloorKind::Getppid) {
        wanted.push(FloorKind::Getppid);
    }
    wanted.sort();
    wanted
        .into_iter()
        .map(|kind| Planned::new(FloorBench { kind, cpu }))
        .collect()
}

/// The ping-pongs `filters` name; those whose placement `cpus` cannot give are skipped.
pub(super) fn pingpongs(
    filters: &[String],
    cpus: &CpuChoice,
    planned: &mut Vec<Planned>,
    skipped: &mut Vec<Skipped>,
) {
    for &(p, m) in &PINGPONG_HARNESSES {
        for &k in &PLACEMENTS {
            let id = BenchId::PingPong {
                participants: p,
                mechanism: m,
                placement: k,
            };
            if !matches(id, filters) {
                continue;
            }
            match Placement::from_kind(k, cpus) {
                Ok(placement) => planned.push(Planned::new(PingPongSpec {
                    participants: p,
                    mechanism: m,
                    placement,
                })),
                Err(e) => skipped.push(Skipped::of(id, e.to_string())),
            }
        }
    }
}

/// Every user-space switch, on `cpu`.
pub(super) fn uswitches(cpu: usize) -> impl Iterator<Item = Planned> {
    USWITCHES
        .into_iter()
        .map(move |kind| Planned::new(UswitchBench { kind, cpu }))
}

/// The isolation and read benchmarks whose ids are `wanted`, on `cpu`; reads this
/// machine's Yama setting refuses are skipped with the reason.
pub(super) fn isolation_and_crossing(
    wanted: impl Fn(BenchId) -> bool,
    sizes: &[u64],
    cpu: usize,
) -> (Vec<Planned>, Vec<Skipped>) {
    let mut planned: Vec<Planned> = ISOLATION_PARTICIPANTS
        .into_iter()
        .filter(|&p| wanted(isolation_id(p)))
        .map(|participants| Planned::new(IsolationBench { participants, cpu }))
        .collect();
    let (reads, refused) = cross::plan(wanted, sizes, cpu);
    planned.extend(reads.into_iter().map(Planned::new));
    let refused = refused
        .into_iter()
        .map(|(id, reason)| Skipped::of(id, reason));
    (planned, refused.collect())
}

/// Every working set of `opts`' sizes, on `cpu`.
pub(super) fn worksets(cpu: usize, opts: &PlanOptions) -> impl Iterator<Item = Planned> + '_ {
    ACCESSES.into_iter().flat_map(move |access| {
        WORKSET_PARTICIPANTS.iter().flat_map(move |&participants| {
            opts.workset_sizes.iter().map(move |&bytes| {
                Planned::new(WorksetSpec {
                    participants,
                    access,
                    bytes,
                    cpu,
                })
            })
        })
    })
}

/// Every ring of `opts`' sizes, on `cpu`.
pub(super) fn rings(cpu: usize, opts: &PlanOptions) -> impl Iterator<Item = Planned> + '_ {
    RING_MECHANISMS.into_iter().flat_map(move |mechanism| {
        RING_PARTICIPANTS.iter().flat_map(move |&participants| {
            opts.ring_sizes.iter().map(move |&n| {
                Planned::new(RingSpec {
                    participants,
                    mechanism,
                    n,
                    cpu,
                })
            })
        })
    })
}

/// The register-state benchmarks `filters` name on `cpu`, and those this machine does not
/// offer, skipped with the reason.
pub fn regs_plan(filters: &[String], cpu: usize) -> (Vec<Planned>, Vec<Skipped>) {
    let (planned, refused) = crate::experiments::regs::plan(cpu, |id| matches(id, filters));
    let skipped = refused
        .into_iter()
        .map(|(id, reason)| Skipped::of(id, reason))
        .collect();
    (planned.into_iter().map(Planned::new).collect(), skipped)
}

/// The topology sweep's ids `filters` name, over the pairs of `cpus`, and the skipped
/// entry that says why there is none (where `filters` ask for the sweep).
pub(super) fn sweep(
    filters: &[String],
    cpus: &CpuChoice,
    k: usize,
) -> (Vec<Planned>, Option<Skipped>) {
    let (benches, why_not) = topology::sweep_over(cpus, k, |id| matches(id, filters));
    let asked = filters.is_empty() || filters.iter().any(|f| f.contains("topology"));
    let id = format!("{}/*", crate::spec::Experiment::Topology);
    let skipped = why_not
        .filter(|_| asked)
        .map(|reason| Skipped { id, reason });
    (benches.into_iter().map(Planned::new).collect(), skipped)
}
