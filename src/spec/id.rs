//! The typed id of a benchmark, the one place ids are built and taken apart. The same
//! text names it in the CLI (`--filter`, `ctxbench list`), criterion, results files and
//! the comparison page: `pingpong/process-pipe/same-cpu`, `floor/futex-shared`,
//! `workset/thread-pipe/page-stride/4MiB`, `ring/process-futex/8`, `spawn/fork`,
//! `isolation/process-write`, `cross/process-vm-readv/64KiB`.

use std::fmt;
use std::str::FromStr;

use super::CROSS_WAYS;
use super::{Access, CrossWay, FloorKind, Mechanism, Participants, PlacementKind, SpawnKind};
use super::{ACCESSES, FLOORS, PLACEMENTS, SPAWNS};
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
    /// `isolation/<participants>-write`: the first write to a page the other side holds.
    Isolation(Participants),
    /// `cross/<way>/<size>`: one process reading another's private memory.
    Cross {
        /// How it reads.
        way: CrossWay,
        /// Bytes per read.
        bytes: u64,
    },
}

impl BenchId {
    /// The experiment's name, the id's first part: `pingpong`, `floor`, `workset`,
    /// `ring`, `spawn`, `isolation` or `cross`.
    pub fn experiment(&self) -> &'static str {
        match self {
            BenchId::PingPong { .. } => "pingpong",
            BenchId::Floor(_) => "floor",
            BenchId::Workset { .. } => "workset",
            BenchId::Ring { .. } => "ring",
            BenchId::Spawn(_) => "spawn",
            BenchId::Isolation(_) => "isolation",
            BenchId::Cross { .. } => "cross",
        }
    }
}

impl fmt::Display for BenchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
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
            BenchId::Isolation(p) => write!(f, "isolation/{p}-write"),
            BenchId::Cross { way, bytes } => {
                write!(f, "cross/{}/{}", way.name(), format_size(bytes))
            }
        }
    }
}

/// The one of `all` whose printed name is `name`.
fn named<T: Copy>(all: &[T], name: &str, show: impl Fn(T) -> String) -> Option<T> {
    all.iter().copied().find(|&t| show(t) == name)
}

/// `<participants>-<mechanism>`, e.g. `thread-futex-shared`.
fn harness(s: &str) -> Option<(Participants, Mechanism)> {
    let (p, m) = s.split_once('-')?;
    let p = named(&[Participants::Process, Participants::Thread], p, |p| {
        p.to_string()
    })?;
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
        ["floor", name] => BenchId::Floor(named(&FLOORS, name, |k| k.name().into())?),
        ["spawn", name] => BenchId::Spawn(named(&SPAWNS, name, |k| k.name().into())?),
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
        for id in &ids {
            let parsed: BenchId = id.parse().unwrap();
            assert_eq!(&parsed.to_string(), id);
            assert_eq!(id.split('/').next(), Some(parsed.experiment()));
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
    fn malformed_ids_are_refused_with_the_fix() {
        for bad in [
            "",
            "pingpong/process-pipe",
            "pingpong/fish-pipe/same-cpu",
            "floor/nothing",
            "ring/process-pipe/many",
            "workset/process-futex/4KiB",
            "workset/process-pipe/read/4KiB",
            "spawn/fork/again",
            "isolation/process",
            "cross/ptrace/4KiB",
            "cross/proc-mem",
        ] {
            let e = bad.parse::<BenchId>().unwrap_err();
            assert!(
                e.is_usage() && e.to_string().contains("ctxbench list"),
                "{bad}: {e}"
            );
        }
    }
}
