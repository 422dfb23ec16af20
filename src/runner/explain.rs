//! The subset `ctxbench explain` runs: what each claim needs, quickly.

use super::select::{isolation_and_crossing, regs_plan, sweep, uswitches};
use super::{Planned, QUICK_CROSS_SIZES, QUICK_RING_SIZES};
use crate::cpus::CpuChoice;
use crate::experiments::floors::{FloorBench, FloorKind};
use crate::experiments::footprint;
use crate::experiments::ring::{RingSpec, RING_PARTICIPANTS};
use crate::experiments::spawn::SPAWNS;
use crate::experiments::topology;
use crate::experiments::workset::WorksetSpec;
use crate::spec::{Participants, PingPongSpec, Placement, PINGPONG_HARNESSES};

/// What `ctxbench explain` runs: the quick subset each claim needs (floors and same-cpu
/// ping-pongs over pipe, futex and eventfd; rings around the address-space-id limit; a
/// few working-set sizes; the three spawns; the quick footprints; the user-space switches
/// and the null system call; the quick topology sweep; both isolation writes, and every way of reading another
/// process's memory at 4 KiB and 1 MiB; the register states this machine offers, see
/// [`regs_plan`] for the others).
pub fn explain_plan(cpus: &CpuChoice) -> Vec<Planned> {
    use crate::harness::workset::Access;
    use crate::spec::Mechanism;
    let cpu = cpus.first();
    let mut v = Vec::new();
    let people = [Participants::Process, Participants::Thread];
    // The same-CPU ping-pongs the claims compare: every harness over pipe, futex
    // (thread-futex-shared is process-futex's twin) and eventfd.
    let pairs: Vec<(Participants, Mechanism)> = PINGPONG_HARNESSES
        .iter()
        .copied()
        .filter(|(_, m)| m != &Mechanism::Condvar)
        .collect();
    // The null system call, beside the user-space switches.
    let mut fl: Vec<FloorKind> = vec![FloorKind::Getppid];
    for &(p, m) in &pairs {
        let f = FloorKind::for_pingpong(p, m);
        if !fl.contains(&f) {
            fl.push(f);
        }
    }
    fl.sort();
    v.extend(
        fl.into_iter()
            .map(|kind| Planned::new(FloorBench { kind, cpu })),
    );
    // Spawns early, while this process is small (see `plan_with`).
    v.extend(SPAWNS.iter().map(|&k| Planned::new(k)));
    v.extend(footprint::specs(&footprint::QUICK_TASKS).map(Planned::new));
    for (p, m) in pairs {
        v.push(Planned::new(PingPongSpec {
            participants: p,
            mechanism: m,
            placement: Placement::SameCpu(cpu),
        }));
    }
    v.extend(uswitches(cpu));
    for p in people {
        for bytes in [0, 64 << 10, 1 << 20, 4 << 20] {
            v.push(Planned::new(WorksetSpec {
                participants: p,
                access: Access::Read,
                bytes,
                cpu,
            }));
        }
    }
    for p in RING_PARTICIPANTS {
        for n in QUICK_RING_SIZES {
            v.push(Planned::new(RingSpec {
                participants: p,
                mechanism: Mechanism::Pipe,
                n,
                cpu,
            }));
        }
    }
    v.extend(sweep(&[], cpus, topology::QUICK_PAIRS_PER_CLASS).0);
    v.extend(isolation_and_crossing(|_| true, &QUICK_CROSS_SIZES, cpu).0);
    v.extend(regs_plan(&[], cpu).0);
    v
}
