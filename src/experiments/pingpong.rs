//! The ping-pong (`pingpong/<participants>-<mechanism>/<placement>`): two tasks that
//! hand control to each other through one mechanism, on one CPU (every hand-over a
//! switch), on two (a wake-up on another CPU), or where the scheduler puts them. The
//! harnesses are in [`crate::harness`]; [`crate::spec::PingPongSpec`] is the benchmark.

use super::{Descriptor, PlanOptions, Planning};
use crate::bench::Planned;
use crate::cpus::CpuChoice;
use crate::spec::{all_pingpong_ids, BenchId, Experiment, FloorKind, PingPongSpec, Placement};
use crate::spec::{PlacementKind, PINGPONG_HARNESSES};

/// The ping-pong's descriptor: every harness at every placement; a placement the CPUs
/// given cannot offer is refused with the reason.
pub const DESCRIPTOR: Descriptor = Descriptor {
    experiment: Experiment::PingPong,
    ids: |_| all_pingpong_ids(),
    serves: super::serves_none,
    plan,
};

fn plan(ids: &[BenchId], cpus: &CpuChoice, _: &PlanOptions) -> Planning {
    let mut out = Planning::default();
    for &id in ids {
        let BenchId::PingPong {
            participants,
            mechanism,
            placement,
        } = id
        else {
            continue;
        };
        match Placement::from_kind(placement, cpus) {
            Ok(placement) => out.planned.push(Planned::new(PingPongSpec {
                participants,
                mechanism,
                placement,
            })),
            Err(e) => out.refused.push((id.to_string(), e.to_string())),
        }
    }
    out
}

/// The floor a same-CPU ping-pong subtracts (see [`crate::analysis::floors`]).
pub fn floor_of(id: BenchId) -> Option<BenchId> {
    match id {
        BenchId::PingPong {
            participants,
            mechanism,
            placement: PlacementKind::SameCpu,
        } if PINGPONG_HARNESSES.contains(&(participants, mechanism)) => Some(BenchId::Floor(
            FloorKind::for_pingpong(participants, mechanism),
        )),
        _ => None,
    }
}
