//! The typed id of a benchmark, the one place ids are built and taken apart. The same
//! text names it in the CLI (`--filter`, `ctxbench list`), criterion, results files and
//! the comparison page: `pingpong/process-pipe/same-cpu`, `floor/futex-shared`,
//! `workset/thread-pipe/page-stride/4MiB`, `ring/process-futex/8`, `spawn/fork`,
//! `footprint/thread/64`, `regs/thread-futex/avx512`, `uswitch/corosensei`,
//! `isolation/process-write`, `cross/process-vm-readv/64KiB`, `topology/cacheline/0-1`.

use std::fmt;
use std::str::FromStr;

use super::{
    Access, CrossWay, FloorKind, Handover, Mechanism, Participants, PlacementKind, RegState,
    SpawnKind, UswitchKind,
};
use super::{ACCESSES, CROSS_WAYS, FLOORS, HANDOVERS, PLACEMENTS, REG_STATES, SPAWNS, USWITCHES};
use crate::error::{Error, Result};
use crate::units::{format_size, parse_size};

/// What a benchmark id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BenchId {
    /// `pingpong/<participants>-<mechanism>/<placement>`.
    PingPong {
        /// Processes or threads.
        participants: Participants,
        /// How they wake each other.
        mechanism: Mechanism,
        /// Where they run.
        placement: PlacementKind,
    },
    /// `floor/<name>`.
    Floor(FloorKind),
    /// `workset/<participants>-pipe[/<access>]/<size>` (no access part for `read`).
    Workset {
        /// Processes or threads.
        participants: Participants,
        /// How each side touches its buffer.
        access: Access,
        /// Bytes per side.
        bytes: u64,
    },
    /// `ring/<participants>-<mechanism>/<n>`.
    Ring {
        /// Processes or threads.
        participants: Participants,
        /// A pipe ring or a futex ring.
        mechanism: Mechanism,
        /// Participants in the ring.
        n: usize,
    },
    /// `spawn/<name>`.
    Spawn(SpawnKind),
    /// `footprint/<participants>/<n>`: the memory of n idle tasks.
    Footprint {
        /// Processes or threads.
        participants: Participants,
        /// How many idle tasks.
        tasks: usize,
    },
    /// `regs/<participants>-futex/<state>`: a futex ping-pong whose sides make `state`
    /// live before every hand-over.
    Regs {
        /// Processes or threads.
        participants: Participants,
        /// The register state each side writes.
        state: RegState,
    },
    /// `uswitch/<name>`.
    Uswitch(UswitchKind),
    /// `isolation/<participants>-write`: the first write to a page the other side holds.
    Isolation(Participants),
    /// `cross/<way>/<size>`: one process reading another's private memory.
    Cross {
        /// How it reads.
        way: CrossWay,
        /// Bytes per read.
        bytes: u64,
    },
    /// `topology/<handover>/<a>-<b>`: a hand-over between CPUs `a` < `b`.
    Topology {
        /// The kernel's wake-up or the bare cache line.
        handover: Handover,
        /// The driver's CPU (the lower).
        a: usize,
        /// The peer's CPU.
        b: usize,
    },
    /// An id earlier versions wrote and this one no longer runs: kept so that their
    /// results files load and show as they were.
    Retired(Retired),
}

/// The ids of benchmarks earlier versions ran and this one does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retired {
    /// `floor/futex-wake` and `floor/futex-wake-shared`: a `FUTEX_WAKE` with no waiter
    /// (replaced by the wake-and-wait floors).
    FutexWakeFloor {
        /// The shared operations.
        shared: bool,
    },
    /// `workset/<participants>-futex/<n>KiB`: a working set over a futex ping-pong.
    FutexWorkset {
        /// Processes or threads.
        participants: Participants,
        /// KiB per side.
        kib: u64,
    },
}

/// An experiment: the first part of its ids, and the `experiment` of its outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Experiment {
    /// `pingpong/...`
    PingPong,
    /// `floor/...`
    Floor,
    /// `workset/...`
    Workset,
    /// `ring/...`
    Ring,
    /// `spawn/...`
    Spawn,
    /// `footprint/...`
    Footprint,
    /// `regs/...`
    Regs,
    /// `uswitch/...`
    Uswitch,
    /// `isolation/...`
    Isolation,
    /// `cross/...`
    Cross,
    /// `topology/...`
    Topology,
}

/// How the comparison page shows an experiment's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// As a finding's curves (rings by size, working sets by size), near the top.
    Findings,
    /// As numbers alone: its figures read best in the table (and in their own sections:
    /// the claims, the permission probe, the heatmaps), and a chart per id would take more of the
    /// page's budget than it tells.
    Table,
    /// As bars, one chart per placement.
    Bars,
}

impl Experiment {
    /// How the comparison page shows it.
    pub fn shown(self) -> Shown {
        match self {
            Experiment::Ring | Experiment::Workset => Shown::Findings,
            Experiment::PingPong => Shown::Bars,
            Experiment::Floor
            | Experiment::Spawn
            | Experiment::Footprint
            | Experiment::Uswitch
            | Experiment::Isolation
            | Experiment::Cross
            | Experiment::Topology
            | Experiment::Regs => Shown::Table,
        }
    }

    /// Its name, as ids and results files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Experiment::PingPong => "pingpong",
            Experiment::Floor => "floor",
            Experiment::Workset => "workset",
            Experiment::Ring => "ring",
            Experiment::Spawn => "spawn",
            Experiment::Footprint => "footprint",
            Experiment::Regs => "regs",
            Experiment::Uswitch => "uswitch",
            Experiment::Isolation => "isolation",
            Experiment::Cross => "cross",
            Experiment::Topology => "topology",
        }
    }
}

impl fmt::Display for Experiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Every experiment, in report order.
pub const EXPERIMENTS: [Experiment; 11] = [
    Experiment::Floor,
    Experiment::Spawn,
    Experiment::Footprint,
    Experiment::PingPong,
    Experiment::Uswitch,
    Experiment::Workset,
    Experiment::Ring,
    Experiment::Isolation,
    Experiment::Cross,
    Experiment::Topology,
    Experiment::Regs,
];

impl FromStr for Experiment {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        EXPERIMENTS
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| Error::InvalidInput(format!("{s:?} is not an experiment")))
    }
}

impl PartialEq<&str> for Experiment {
    /// Whether its name is `other`.
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl serde::Serialize for Experiment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Experiment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl BenchId {
    /// The experiment, the id's first part.
    pub fn experiment(&self) -> Experiment {
        match self {
            BenchId::PingPong { .. } => Experiment::PingPong,
            BenchId::Floor(_) => Experiment::Floor,
            BenchId::Workset { .. } => Experiment::Workset,
            BenchId::Ring { .. } => Experiment::Ring,
            BenchId::Spawn(_) => Experiment::Spawn,
            BenchId::Footprint { .. } => Experiment::Footprint,
            BenchId::Regs { .. } => Experiment::Regs,
            BenchId::Uswitch(_) => Experiment::Uswitch,
            BenchId::Isolation(_) => Experiment::Isolation,
            BenchId::Cross { .. } => Experiment::Cross,
            BenchId::Topology { .. } => Experiment::Topology,
            BenchId::Retired(Retired::FutexWakeFloor { .. }) => Experiment::Floor,
            BenchId::Retired(Retired::FutexWorkset { .. }) => Experiment::Workset,
        }
    }
}

impl fmt::Display for BenchId {
    /// Its text, padded to the width asked for (`{:<40}` in a table).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.text())
    }
}

impl BenchId {
    /// Its text without the experiment, e.g. `process-pipe/same-cpu`: what a table of
    /// one experiment's ids shows.
    pub fn within_experiment(&self) -> String {
        let t = self.text();
        match t.split_once('/') {
            Some((_, rest)) => rest.to_string(),
            None => t,
        }
    }

    /// The placement of a ping-pong (the group its bars are drawn in); `None` for the
    /// other experiments.
    pub fn placement(&self) -> Option<PlacementKind> {
        match *self {
            BenchId::PingPong { placement, .. } => Some(placement),
            _ => None,
        }
    }

    /// Who takes part, where the id names processes or threads.
    pub fn participants(&self) -> Option<Participants> {
        match *self {
            BenchId::PingPong { participants, .. }
            | BenchId::Workset { participants, .. }
            | BenchId::Ring { participants, .. }
            | BenchId::Footprint { participants, .. }
            | BenchId::Regs { participants, .. }
            | BenchId::Retired(Retired::FutexWorkset { participants, .. }) => Some(participants),
            BenchId::Isolation(p) => Some(p),
            _ => None,
        }
    }

    /// The same benchmark with threads in place of processes, for an id that names
    /// processes (`pingpong/process-pipe/same-cpu` -> `pingpong/thread-pipe/same-cpu`);
    /// `None` for any other, and for footprints (a footprint's thread side is set against
    /// it in the footprint's own table, per task, not as a ratio of times).
    pub fn thread_twin(&self) -> Option<BenchId> {
        let t = Participants::Thread;
        Some(match *self {
            BenchId::PingPong {
                participants: Participants::Process,
                mechanism,
                placement,
            } => BenchId::PingPong {
                participants: t,
                mechanism,
                placement,
            },
            BenchId::Workset {
                participants: Participants::Process,
                access,
                bytes,
            } => BenchId::Workset {
                participants: t,
                access,
                bytes,
            },
            BenchId::Ring {
                participants: Participants::Process,
                mechanism,
                n,
            } => BenchId::Ring {
                participants: t,
                mechanism,
                n,
            },
            BenchId::Regs {
                participants: Participants::Process,
                state,
            } => BenchId::Regs {
                participants: t,
                state,
            },
            BenchId::Isolation(Participants::Process) => BenchId::Isolation(t),
            BenchId::Retired(Retired::FutexWorkset {
                participants: Participants::Process,
                kib,
            }) => BenchId::Retired(Retired::FutexWorkset {
                participants: t,
                kib,
            }),
            _ => return None,
        })
    }

    /// Its text, e.g. `pingpong/process-pipe/same-cpu`.
    fn text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let f = &mut s;
        let _ = match *self {
            BenchId::PingPong {
                participants,
                mechanism,
                placement,
            } => write!(f, "pingpong/{participants}-{mechanism}/{placement}"),
            BenchId::Floor(k) => write!(f, "floor/{}", k.name()),
            BenchId::Workset {
                participants,
                access: Access::Read,
                bytes,
            } => write!(f, "workset/{participants}-pipe/{}", format_size(bytes)),
            BenchId::Workset {
                participants,
                access,
                bytes,
            } => write!(
                f,
                "workset/{participants}-pipe/{}/{}",
                access.name(),
                format_size(bytes)
            ),
            BenchId::Ring {
                participants,
                mechanism,
                n,
            } => write!(f, "ring/{participants}-{mechanism}/{n}"),
            BenchId::Spawn(k) => write!(f, "spawn/{}", k.name()),
            BenchId::Footprint {
                participants,
                tasks,
            } => write!(f, "footprint/{participants}/{tasks}"),
            BenchId::Regs {
                participants,
                state,
            } => write!(f, "regs/{participants}-futex/{}", state.name()),
            BenchId::Uswitch(k) => write!(f, "uswitch/{}", k.name()),
            BenchId::Isolation(p) => write!(f, "isolation/{p}-write"),
            BenchId::Cross { way, bytes } => {
                write!(f, "cross/{}/{}", way.name(), format_size(bytes))
            }
            BenchId::Topology { handover, a, b } => {
                write!(f, "topology/{}/{a}-{b}", handover.name())
            }
            BenchId::Retired(Retired::FutexWakeFloor { shared: false }) => {
                f.write_str("floor/futex-wake")
            }
            BenchId::Retired(Retired::FutexWakeFloor { shared: true }) => {
                f.write_str("floor/futex-wake-shared")
            }
            BenchId::Retired(Retired::FutexWorkset { participants, kib }) => {
                write!(f, "workset/{participants}-futex/{kib}KiB")
            }
        };
        s
    }
}

/// The one of `all` whose printed name is `name`.
fn named<T: Copy>(all: &[T], name: &str, show: impl Fn(T) -> String) -> Option<T> {
    all.iter().copied().find(|&t| show(t) == name)
}

/// `process` or `thread`.
fn participants(s: &str) -> Option<Participants> {
    named(&[Participants::Process, Participants::Thread], s, |p| {
        p.to_string()
    })
}

/// `<participants>-<mechanism>`, e.g. `thread-futex-shared`.
fn harness(s: &str) -> Option<(Participants, Mechanism)> {
    let (p, m) = s.split_once('-')?;
    let p = participants(p)?;
    let mechanisms = [
        Mechanism::Pipe,
        Mechanism::Futex,
        Mechanism::FutexShared,
        Mechanism::Condvar,
        Mechanism::Eventfd,
    ];
    Some((p, named(&mechanisms, m, |m| m.to_string())?))
}

fn parse(s: &str) -> Option<BenchId> {
    let parts: Vec<&str> = s.split('/').collect();
    Some(match parts.as_slice() {
        ["pingpong", h, k] => {
            let (participants, mechanism) = harness(h)?;
            BenchId::PingPong {
                participants,
                mechanism,
                placement: named(&PLACEMENTS, k, |k| k.to_string())?,
            }
        }
        ["floor", "futex-wake"] => BenchId::Retired(Retired::FutexWakeFloor { shared: false }),
        ["floor", "futex-wake-shared"] => {
            BenchId::Retired(Retired::FutexWakeFloor { shared: true })
        }
        ["floor", name] => BenchId::Floor(named(&FLOORS, name, |k| k.name().into())?),
        ["spawn", name] => BenchId::Spawn(named(&SPAWNS, name, |k| k.name().into())?),
        ["uswitch", name] => BenchId::Uswitch(named(&USWITCHES, name, |k| k.name().into())?),
        ["isolation", h] => {
            let people = [Participants::Process, Participants::Thread];
            BenchId::Isolation(named(&people, h, |p| format!("{p}-write"))?)
        }
        ["cross", way, size] => BenchId::Cross {
            way: named(&CROSS_WAYS, way, |w| w.name().into())?,
            bytes: parse_size(size).ok()?,
        },
        ["ring", h, n] => {
            let (participants, mechanism) = harness(h)?;
            BenchId::Ring {
                participants,
                mechanism,
                n: n.parse().ok()?,
            }
        }
        ["footprint", p, n] => BenchId::Footprint {
            participants: participants(p)?,
            tasks: n.parse().ok()?,
        },
        ["regs", h, state] => {
            let (participants, Mechanism::Futex) = harness(h)? else {
                return None;
            };
            BenchId::Regs {
                participants,
                state: named(&REG_STATES, state, |s| s.name().into())?,
            }
        }
        ["topology", h, pair] => {
            let (a, b) = pair.split_once('-')?;
            let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
            if a >= b {
                return None;
            }
            BenchId::Topology {
                handover: named(&HANDOVERS, h, |h| h.name().into())?,
                a,
                b,
            }
        }
        ["workset", h, size] if size.ends_with("KiB") && harness(h)?.1 == Mechanism::Futex => {
            BenchId::Retired(Retired::FutexWorkset {
                participants: harness(h)?.0,
                kib: size.strip_suffix("KiB")?.parse().ok()?,
            })
        }
        ["workset", h, rest @ ..] => {
            let (participants, Mechanism::Pipe) = harness(h)? else {
                return None;
            };
            let (access, size) = match rest {
                [size] => (Access::Read, size),
                [a, size] if *a != "read" => (named(&ACCESSES, a, |a| a.name().into())?, size),
                _ => return None,
            };
            BenchId::Workset {
                participants,
                access,
                bytes: parse_size(size).ok()?,
            }
        }
        _ => return None,
    })
}

impl PartialEq<&str> for BenchId {
    /// Whether its text is `other` (for tests and for reading ids a user typed).
    fn eq(&self, other: &&str) -> bool {
        other.parse::<BenchId>().is_ok_and(|o| o == *self)
    }
}

impl serde::Serialize for BenchId {
    /// As its text, the form results files have always had.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BenchId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for BenchId {
    type Err = Error;

    /// Parses an id as [`fmt::Display`] writes it; anything else is refused, naming the
    /// list of ids.
    fn from_str(s: &str) -> Result<Self> {
        parse(s).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{s:?} is not a benchmark id; `ctxbench list` prints the ids"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_of_a_plan_reads_back_as_itself() {
        let ids = crate::runner::all_ids();
        assert!(ids.len() > 100);
        for id in ids.iter().map(BenchId::to_string) {
            let parsed: BenchId = id.parse().unwrap();
            assert_eq!(parsed.to_string(), id);
            assert_eq!(id.split('/').next(), Some(parsed.experiment().name()));
        }
    }

    #[test]
    fn ids_are_typed() {
        assert_eq!(
            "workset/thread-pipe/page-stride/4MiB"
                .parse::<BenchId>()
                .unwrap(),
            BenchId::Workset {
                participants: Participants::Thread,
                access: Access::PageStride,
                bytes: 4 << 20,
            }
        );
        assert_eq!(
            "pingpong/thread-futex-shared/cross-cpu"
                .parse::<BenchId>()
                .unwrap(),
            BenchId::PingPong {
                participants: Participants::Thread,
                mechanism: Mechanism::FutexShared,
                placement: PlacementKind::CrossCpu,
            }
        );
        assert_eq!(
            "regs/process-futex/amx".parse::<BenchId>().unwrap(),
            BenchId::Regs {
                participants: Participants::Process,
                state: RegState::Amx,
            }
        );
    }

    #[test]
    fn isolation_and_cross_ids_are_typed() {
        assert_eq!(
            "isolation/thread-write".parse::<BenchId>().unwrap(),
            BenchId::Isolation(Participants::Thread)
        );
        let id = BenchId::Cross {
            way: CrossWay::ProcessVmReadv,
            bytes: 64 << 10,
        };
        assert_eq!(id.to_string(), "cross/process-vm-readv/64KiB");
        assert_eq!(id.to_string().parse::<BenchId>().unwrap(), id);
    }

    #[test]
    fn ids_of_earlier_versions_read_back_as_themselves() {
        for id in [
            "floor/futex-wake",
            "floor/futex-wake-shared",
            "workset/process-futex/0KiB",
            "workset/thread-futex/256KiB",
        ] {
            let parsed: BenchId = id.parse().unwrap();
            assert!(matches!(parsed, BenchId::Retired(_)), "{id}");
            assert_eq!(parsed.to_string(), id);
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(json, format!("{id:?}"));
            assert_eq!(serde_json::from_str::<BenchId>(&json).unwrap(), parsed);
        }
    }

    #[test]
    fn twins_and_parts() {
        let id = |s: &str| s.parse::<BenchId>().unwrap();
        for (p, t) in [
            (
                "pingpong/process-pipe/same-cpu",
                "pingpong/thread-pipe/same-cpu",
            ),
            (
                "pingpong/process-futex/cross-cpu",
                "pingpong/thread-futex/cross-cpu",
            ),
            (
                "workset/process-pipe/write/4MiB",
                "workset/thread-pipe/write/4MiB",
            ),
            (
                "workset/process-futex/256KiB",
                "workset/thread-futex/256KiB",
            ),
            ("ring/process-futex/8", "ring/thread-futex/8"),
            ("regs/process-futex/avx", "regs/thread-futex/avx"),
            ("isolation/process-write", "isolation/thread-write"),
        ] {
            assert_eq!(id(p).thread_twin(), Some(id(t)), "{p}");
            assert_eq!(id(t).thread_twin(), None, "{t}");
        }
        assert_eq!(id("spawn/fork").thread_twin(), None);
        assert_eq!(id("footprint/process/4").thread_twin(), None);
        assert_eq!(
            id("pingpong/thread-pipe/same-cpu").within_experiment(),
            "thread-pipe/same-cpu"
        );
        assert_eq!(id("floor/pipe").placement(), None);
        assert_eq!(format!("{:<12}|", id("floor/pipe")), "floor/pipe  |");
    }

    #[test]
    fn topology_ids_are_typed() {
        assert_eq!(
            "topology/cacheline/3-17".parse::<BenchId>().unwrap(),
            BenchId::Topology {
                handover: Handover::CacheLine,
                a: 3,
                b: 17,
            }
        );
    }

    #[test]
    fn malformed_ids_are_refused_with_the_fix() {
        for bad in [
            "",
            "pingpong/process-pipe",
            "pingpong/fish-pipe/same-cpu",
            "floor/nothing",
            "ring/process-pipe/many",
            "workset/process-futex/4MiB",
            "workset/process-pipe/read/4KiB",
            "spawn/fork/again",
            "footprint/process-pipe/8",
            "footprint/thread/many",
            "regs/thread-pipe/avx",
            "regs/process-futex/mmx",
            "uswitch/greenlet",
            "isolation/process",
            "cross/ptrace/4KiB",
            "cross/proc-mem",
            "topology/futex/1-0",
            "topology/futex/0-0",
            "topology/spin/0-1",
            "topology/cacheline/0",
            "topology/cacheline/a-b",
        ] {
            let e = bad.parse::<BenchId>().unwrap_err();
            assert!(
                e.is_usage() && e.to_string().contains("ctxbench list"),
                "{bad}: {e}"
            );
        }
    }
}
