//! Spawn (`spawn/<what>`): what creating a task costs, the other half of "processes are
//! heavier than threads".
//!
//! - `spawn/fork`: `fork`, the child exits at once (`_exit`, after the crate's usual
//!   child set-up: parent-death signal and closing inherited descriptors), `waitpid`;
//! - `spawn/posix-spawn`: `posix_spawn` of `/bin/true` (a new program: exec included),
//!   `waitpid`;
//! - `spawn/thread`: `std::thread::spawn` of an empty closure, `join`.
//!
//! One iteration is one creation, waited for. Minor page faults per creation come from a
//! separate run (`getrusage`: this process, and its reaped children), kept in `extra` as
//! `minor_faults_parent_per_iter` and `minor_faults_child_per_iter`.

use std::ffi::CStr;
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};

use crate::error::{Error, Result};
use crate::harness::peer::ChildGuard;
use crate::harness::{Driver, Harness};
use crate::measure::extra::{MINOR_FAULTS_CHILD, MINOR_FAULTS_PARENT};
use crate::measure::paired::Facts;
use crate::measure::{Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{Participants, Placement};
use crate::sys;

/// The program `spawn/posix-spawn` starts.
pub const TRUE_PROGRAM: &CStr = c"/bin/true";

pub use crate::spec::{SpawnKind, SPAWNS};

impl SpawnKind {
    /// Its id, e.g. `spawn/fork`.
    pub fn id(self) -> crate::spec::BenchId {
        crate::spec::BenchId::Spawn(self)
    }

    /// What it creates.
    pub fn participants(self) -> Participants {
        match self {
            SpawnKind::Fork | SpawnKind::PosixSpawn => Participants::Process,
            SpawnKind::Thread => Participants::Thread,
        }
    }

    /// What its outcome is about.
    pub fn meta(self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Spawn,
            participants: Some(self.participants()),
            mechanism: None,
            placement: None,
            cpus: vec![],
            parameter: None,
            variant: None,
        }
    }
}

/// Creates and waits for one task per iteration. Nothing it creates outlives an
/// iteration: each child is reaped (and killed first if an error cuts the wait short).
pub struct SpawnHarness {
    kind: SpawnKind,
    driver: Driver,
}

impl SpawnHarness {
    /// Checks what the kind needs (`/bin/true` for posix-spawn). Runs unpinned.
    pub fn new(kind: SpawnKind) -> Result<Self> {
        if kind == SpawnKind::PosixSpawn {
            let path = std::path::Path::new(TRUE_PROGRAM.to_str().unwrap_or("/bin/true"));
            if !path.is_file() {
                return Err(Error::InvalidInput(format!(
                    "{} starts {} and it is missing; install coreutils or leave this \
                     benchmark out (--filter)",
                    crate::spec::BenchId::Spawn(kind),
                    path.display()
                )));
            }
        }
        Ok(Self {
            kind,
            // Creation has no fixed switch count (unpinned expects none already).
            driver: Driver::pin(Placement::Unpinned)?,
        })
    }

    fn once(&self) -> Result<()> {
        match self.kind {
            SpawnKind::Fork => {
                // SAFETY: the child returns 0 at once: nothing to allocate, lock or free.
                #[allow(unsafe_code)]
                let child = unsafe { ChildGuard::spawn("spawned child", &[], || 0) }?;
                expect_success(child.wait_exit()?, "the forked child")
            }
            SpawnKind::PosixSpawn => {
                let pid = sys::posix_spawn(TRUE_PROGRAM, &[TRUE_PROGRAM])
                    .map_err(|e| Error::sys("posix_spawn of /bin/true", e))?;
                let child = ChildGuard::adopt("/bin/true", pid);
                expect_success(child.wait_exit()?, "/bin/true")
            }
            SpawnKind::Thread => std::thread::Builder::new()
                .name("ctxbench-spawned".into())
                .spawn(|| {})
                .map_err(|e| Error::sys("spawning a thread", e))?
                .join()
                .map_err(|_| Error::PeerDied {
                    peer: "spawned thread".into(),
                    how: "it panicked".into(),
                }),
        }
    }

    /// Minor page faults per creation over `iters` creations: (this process, its children).
    pub fn minor_faults(&mut self, iters: u64) -> Result<(f64, f64)> {
        let read = |who| {
            getrusage(who)
                .map(|u| u.minor_page_faults() as f64)
                .map_err(|e| Error::sys("getrusage", e))
        };
        let (s0, c0) = (
            read(UsageWho::RUSAGE_SELF)?,
            read(UsageWho::RUSAGE_CHILDREN)?,
        );
        self.run(iters)?;
        let (s1, c1) = (
            read(UsageWho::RUSAGE_SELF)?,
            read(UsageWho::RUSAGE_CHILDREN)?,
        );
        let n = iters.max(1) as f64;
        Ok(((s1 - s0) / n, (c1 - c0) / n))
    }
}

fn expect_success(code: i32, what: &str) -> Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(Error::PeerDied {
            peer: what.into(),
            how: format!("exit code {code}"),
        })
    }
}

impl Harness for SpawnHarness {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let start = Instant::now();
        for _ in 0..iters {
            self.once()?;
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}

/// A spawn benchmark: time per creation, then page faults per creation.
impl crate::bench::Bench for SpawnKind {
    type Harness = SpawnHarness;

    fn id(&self) -> crate::spec::BenchId {
        SpawnKind::id(*self)
    }

    fn meta(&self) -> OutcomeMeta {
        SpawnKind::meta(*self)
    }

    fn build(&self) -> Result<SpawnHarness> {
        let mut h = SpawnHarness::new(*self)?;
        h.run(20)?;
        Ok(h)
    }

    fn finish(&self, h: &mut SpawnHarness, o: &mut Outcome, _cfg: &SampleConfig) -> Result<()> {
        let facts = self.facts(h)?;
        o.extra.extend(facts.extra);
        say_faults(o);
        Ok(())
    }

    /// The three ways of creating a task, side by side.
    fn comparison(&self) -> Option<crate::spec::Comparison> {
        Some(crate::spec::Comparison::Spawn)
    }

    /// Page faults per creation, in this process and in the child.
    fn facts(&self, h: &mut SpawnHarness) -> Result<Facts> {
        let (parent, child) = h.minor_faults(200)?;
        Ok(Facts {
            parameter: None,
            extra: vec![
                (MINOR_FAULTS_PARENT.key().to_string(), parent),
                (MINOR_FAULTS_CHILD.key().to_string(), child),
            ],
        })
    }

    fn take_paired(&self, o: &mut Outcome, _p: &crate::measure::paired::Paired) {
        say_faults(o);
    }
}

/// The validity of a creation, with its page faults: a creation has no fixed switch count.
fn say_faults(o: &mut Outcome) {
    let get = |k| o.get(k).unwrap_or(f64::NAN);
    let (parent, child) = (get(MINOR_FAULTS_PARENT), get(MINOR_FAULTS_CHILD));
    o.validity = format!(
        "not checked: a creation has no fixed switch count ({:.2} counted per creation); \
         {parent:.1} minor page faults per creation in this process, {child:.1} in the child",
        o.switches_per_iteration
    );
}

/// The creations' descriptor.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Spawn,
    ids: |_| {
        SPAWNS
            .iter()
            .map(|&k| crate::spec::BenchId::Spawn(k))
            .collect()
    },
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, _| match id {
            crate::spec::BenchId::Spawn(kind) => Some(crate::bench::Planned::new(kind)),
            _ => None,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spawn_reaps_everything_it_creates() {
        let _x = crate::harness::exclusive();
        let kids = crate::harness::children_of_me();
        for kind in SPAWNS {
            let mut h = SpawnHarness::new(kind).unwrap();
            h.run(30).unwrap();
            let (parent, child) = h.minor_faults(10).unwrap();
            assert!(parent >= 0.0 && child >= 0.0);
            if kind != SpawnKind::Thread {
                // A new process faults in at least a page of its own.
                assert!(child >= 1.0, "{kind:?}: {child} faults per child");
            }
            assert_eq!(
                crate::harness::children_of_me(),
                kids,
                "{kind:?} left a child behind"
            );
        }
        // No child of ours is left to wait for.
        assert_eq!(
            nix::sys::wait::waitpid(None, Some(nix::sys::wait::WaitPidFlag::WNOHANG)),
            Err(nix::errno::Errno::ECHILD)
        );
    }

    #[test]
    fn ids() {
        let ids: Vec<_> = SPAWNS.iter().map(|k| k.id()).collect();
        assert_eq!(ids, ["spawn/fork", "spawn/posix-spawn", "spawn/thread"]);
    }
}
