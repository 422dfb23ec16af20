//! What to run: participants, mechanism and placement, and the ids that name them.
//!
//! Ids read like criterion ids and are the same in criterion, the CLI and JSON:
//! `pingpong/process-pipe/same-cpu`, `pingpong/thread-futex/cross-cpu`.

use std::fmt;

use serde::{Deserialize, Serialize};

mod comparison;
mod id;
mod kinds;
mod mode;
mod variant;

pub use comparison::Comparison;
pub use id::{BenchId, Experiment, Retired, Shown, EXPERIMENTS};
pub use kinds::{
    Access, FloorKind, RegState, SpawnKind, UswitchKind, ACCESSES, FLOORS, REG_STATES, SPAWNS,
    USWITCHES,
};
pub use kinds::{CrossWay, ReadWay, CROSS_SIZES, CROSS_WAYS, READ_WAYS};
pub use kinds::{Handover, Policy, HANDOVERS};
pub use mode::Mode;
pub use variant::Variant;

use crate::cpus::CpuChoice;
use crate::error::Result;

/// Who takes turns: two processes (separate address spaces) or two threads of one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Participants {
    /// `fork`ed processes: every switch between them changes the address space.
    Process,
    /// Threads of this process: switches keep the address space.
    Thread,
}

/// How one side wakes the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// One byte each way through two pipes.
    Pipe,
    /// A raw futex word: `FUTEX_WAKE` and an untimed `FUTEX_WAIT` (private operations for
    /// threads, shared ones on a `MAP_SHARED` word for processes).
    Futex,
    /// The shared futex operations on a `MAP_SHARED` word between threads: the same
    /// system calls as `process-futex`, so the two differ by the address space alone.
    FutexShared,
    /// `std::sync::Mutex` + `Condvar`, notified after unlocking.
    Condvar,
    /// An eventfd each way: `write` of 1, a blocking `read` to wait.
    Eventfd,
}

/// Where the two sides run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlacementKind {
    /// Both pinned to one CPU: every hand-over is a real context switch.
    SameCpu,
    /// Pinned to two CPUs: a round trip is two cross-CPU wake-ups.
    CrossCpu,
    /// Left to the scheduler: measures its choices as much as the switch.
    Unpinned,
}

/// A placement with its CPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Both sides on this CPU.
    SameCpu(usize),
    /// The driver on the first CPU, the peer on the second.
    CrossCpu(usize, usize),
    /// No pinning.
    Unpinned,
}

impl Placement {
    /// The kind, without CPUs.
    pub fn kind(&self) -> PlacementKind {
        match self {
            Placement::SameCpu(_) => PlacementKind::SameCpu,
            Placement::CrossCpu(..) => PlacementKind::CrossCpu,
            Placement::Unpinned => PlacementKind::Unpinned,
        }
    }

    /// The CPU of the driving side (this thread), if pinned.
    pub fn driver_cpu(&self) -> Option<usize> {
        match *self {
            Placement::SameCpu(c) | Placement::CrossCpu(c, _) => Some(c),
            Placement::Unpinned => None,
        }
    }

    /// The CPU of the peer, if pinned.
    pub fn peer_cpu(&self) -> Option<usize> {
        match *self {
            Placement::SameCpu(c) | Placement::CrossCpu(_, c) => Some(c),
            Placement::Unpinned => None,
        }
    }

    /// The CPUs used, driver first.
    pub fn cpus(&self) -> Vec<usize> {
        match *self {
            Placement::SameCpu(c) => vec![c],
            Placement::CrossCpu(a, b) => vec![a, b],
            Placement::Unpinned => vec![],
        }
    }

    /// Builds the placement of `kind` from the chosen CPUs.
    pub fn from_kind(kind: PlacementKind, cpus: &CpuChoice) -> Result<Self> {
        Ok(match kind {
            PlacementKind::SameCpu => Placement::SameCpu(cpus.first()),
            PlacementKind::CrossCpu => {
                let c = cpus.take(2, "the cross-cpu placement")?;
                Placement::CrossCpu(c[0], c[1])
            }
            PlacementKind::Unpinned => Placement::Unpinned,
        })
    }
}

impl fmt::Display for Participants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Participants::Process => "process",
            Participants::Thread => "thread",
        })
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mechanism::Pipe => "pipe",
            Mechanism::Futex => "futex",
            Mechanism::FutexShared => "futex-shared",
            Mechanism::Condvar => "condvar",
            Mechanism::Eventfd => "eventfd",
        })
    }
}

impl fmt::Display for PlacementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlacementKind::SameCpu => "same-cpu",
            PlacementKind::CrossCpu => "cross-cpu",
            PlacementKind::Unpinned => "unpinned",
        })
    }
}

/// All placements, in report order.
pub const PLACEMENTS: [PlacementKind; 3] = [
    PlacementKind::SameCpu,
    PlacementKind::CrossCpu,
    PlacementKind::Unpinned,
];

/// The ping-pong harnesses that exist: every process harness has a thread twin over the
/// same mechanism, except the condvar (between processes it would need a process-shared
/// pthread condvar). `process-futex`'s twin over the same system calls is
/// `thread-futex-shared`; `thread-futex` is the fastest thread path (private futexes).
pub const PINGPONG_HARNESSES: [(Participants, Mechanism); 8] = [
    (Participants::Process, Mechanism::Pipe),
    (Participants::Thread, Mechanism::Pipe),
    (Participants::Process, Mechanism::Futex),
    (Participants::Thread, Mechanism::FutexShared),
    (Participants::Thread, Mechanism::Futex),
    (Participants::Thread, Mechanism::Condvar),
    (Participants::Process, Mechanism::Eventfd),
    (Participants::Thread, Mechanism::Eventfd),
];

/// One ping-pong benchmark: A wakes B, B wakes A, repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PingPongSpec {
    /// Processes or threads.
    pub participants: Participants,
    /// How they wake each other.
    pub mechanism: Mechanism,
    /// Where they run.
    pub placement: Placement,
}

impl PingPongSpec {
    /// The harness name, e.g. `process-pipe`.
    pub fn harness_name(&self) -> String {
        format!("{}-{}", self.participants, self.mechanism)
    }

    /// The id, e.g. `pingpong/process-pipe/same-cpu`.
    pub fn id(&self) -> BenchId {
        BenchId::PingPong {
            participants: self.participants,
            mechanism: self.mechanism,
            placement: self.placement.kind(),
        }
    }
}

/// The id of a ping-pong benchmark without building its placement.
pub fn pingpong_id(p: Participants, m: Mechanism, k: PlacementKind) -> BenchId {
    BenchId::PingPong {
        participants: p,
        mechanism: m,
        placement: k,
    }
}

/// Every ping-pong id, in report order (harness by harness, placement by placement).
pub fn all_pingpong_ids() -> Vec<BenchId> {
    PINGPONG_HARNESSES
        .iter()
        .flat_map(|&(p, m)| PLACEMENTS.iter().map(move |&k| pingpong_id(p, m, k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_twenty_four_and_unique() {
        let ids = all_pingpong_ids();
        assert_eq!(ids.len(), 24);
        let mut d: Vec<String> = ids.iter().map(BenchId::to_string).collect();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 24);
        assert!(ids.contains(&"pingpong/thread-futex-shared/same-cpu".parse().unwrap()));
        assert!(ids.contains(&"pingpong/thread-eventfd/same-cpu".parse().unwrap()));
        assert!(ids.contains(&"pingpong/process-pipe/same-cpu".parse().unwrap()));
        assert!(ids.contains(&"pingpong/thread-condvar/unpinned".parse().unwrap()));
    }

    #[test]
    fn placement_from_kind() {
        let c = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        assert_eq!(
            Placement::from_kind(PlacementKind::CrossCpu, &c).unwrap(),
            Placement::CrossCpu(0, 1)
        );
        let one = CpuChoice::resolve_with(Some(&[1]), &[0, 1]).unwrap();
        assert!(Placement::from_kind(PlacementKind::CrossCpu, &one).is_err());
        assert_eq!(
            Placement::from_kind(PlacementKind::SameCpu, &one).unwrap(),
            Placement::SameCpu(1)
        );
    }
}
