//! Floors (`floor/<name>`): what a mechanism costs when nobody has to switch, measured by
//! one pinned task on the CPU the same-cpu ping-pongs use.
//!
//! A same-cpu round trip is two switches plus, on each side, one use of the mechanism
//! (wake the other, wait for it). Subtracting the floor of both sides leaves the direct
//! cost of the switches themselves:
//! `direct_ns_per_switch = (round trip − 2 × floor) / 2` (the analysis, in
//! `analysis::floors`). The floors run before the ping-pongs in the same run whenever a ping-pong is selected
//! (they take about half a second each in a quick run).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::AtomicU32;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use crate::error::{Error, Result};
use crate::harness::eventfd::{new_eventfd, signal, take};
use crate::harness::futex::{wake_and_wait_alone, Plain};
use crate::harness::{write_all, Driver, Harness};
use crate::measure::OutcomeMeta;
use crate::spec::{Mechanism, Placement, PlacementKind};
use crate::sys::SharedWords;

pub use crate::spec::{FloorKind, FLOORS};

impl FloorKind {
    /// Its id, e.g. `floor/pipe`.
    pub fn id(self) -> crate::spec::BenchId {
        crate::spec::BenchId::Floor(self)
    }

    /// The mechanism it is the floor of, if any.
    pub fn mechanism(self) -> Option<Mechanism> {
        match self {
            FloorKind::Getppid => None,
            FloorKind::Pipe => Some(Mechanism::Pipe),
            FloorKind::Futex => Some(Mechanism::Futex),
            FloorKind::FutexShared => Some(Mechanism::FutexShared),
            FloorKind::CondvarNotify => Some(Mechanism::Condvar),
            FloorKind::Eventfd => Some(Mechanism::Eventfd),
        }
    }

    /// What its outcome is about.
    pub fn meta(self, cpu: usize) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Floor,
            participants: None,
            mechanism: self.mechanism(),
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![cpu],
            parameter: None,
            variant: None,
        }
    }
}

/// What a floor works on.
enum State {
    None,
    Pipe(OwnedFd, OwnedFd),
    Futex(SharedWords, bool),
    Condvar(Mutex<u32>, Condvar),
    Eventfd(OwnedFd),
}

/// One task, pinned, repeating a mechanism's operation: a [`Harness`] whose iterations
/// make no switch (validity checks about 0 switches per iteration).
pub struct FloorHarness {
    kind: FloorKind,
    state: State,
    driver: Driver,
}

impl FloorHarness {
    /// Pins the calling thread to `cpu` and sets up the floor.
    pub fn new(kind: FloorKind, cpu: usize) -> Result<Self> {
        // A floor runs alone: no switch at all.
        let driver = Driver::pin(Placement::SameCpu(cpu))?.expecting(Some(0.0));
        let state = match kind {
            FloorKind::Getppid => State::None,
            FloorKind::Pipe => {
                let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
                    .map_err(|e| Error::sys("pipe2", e))?;
                State::Pipe(r, w)
            }
            FloorKind::Futex | FloorKind::FutexShared => State::Futex(
                SharedWords::new(1).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?,
                kind == FloorKind::FutexShared,
            ),
            FloorKind::CondvarNotify => State::Condvar(Mutex::new(0), Condvar::new()),
            FloorKind::Eventfd => State::Eventfd(new_eventfd()?),
        };
        Ok(Self {
            kind,
            state,
            driver,
        })
    }

    /// Which floor.
    pub fn kind(&self) -> FloorKind {
        self.kind
    }
}

fn futex_word(w: &SharedWords) -> &AtomicU32 {
    &w.words()[0]
}

impl Harness for FloorHarness {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let start = Instant::now();
        match &self.state {
            State::None => {
                for _ in 0..iters {
                    std::hint::black_box(nix::unistd::getppid());
                }
            }
            State::Pipe(r, w) => {
                let mut b = [0u8; 1];
                for _ in 0..iters {
                    write_all(w.as_fd(), &b).map_err(|e| Error::sys("write to a pipe", e))?;
                    loop {
                        match nix::unistd::read(r.as_raw_fd(), &mut b) {
                            Ok(1) => break,
                            Ok(_) => return Err(Error::sys("read from a pipe", Errno::EIO)),
                            Err(Errno::EINTR) => continue,
                            Err(e) => return Err(Error::sys("read from a pipe", e)),
                        }
                    }
                }
            }
            State::Futex(words, shared) => {
                // Timed by the loop shared with the register-state floors.
                return wake_and_wait_alone(futex_word(words), *shared, iters, &Plain);
            }
            State::Condvar(m, cv) => {
                for i in 0..iters {
                    *m.lock().unwrap_or_else(|p| p.into_inner()) = i as u32;
                    cv.notify_one();
                    let g = m.lock().unwrap_or_else(|p| p.into_inner());
                    std::hint::black_box(*g == u32::MAX);
                }
            }
            State::Eventfd(fd) => {
                for _ in 0..iters {
                    signal(fd.as_fd(), 1).map_err(|e| Error::sys("write to an eventfd", e))?;
                    take(fd.as_fd()).map_err(|e| Error::sys("read from an eventfd", e))?;
                }
            }
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}

/// Sets up and warms up a floor on `cpu`.
pub fn build(kind: FloorKind, cpu: usize) -> Result<FloorHarness> {
    let mut h = FloorHarness::new(kind, cpu)?;
    h.run(1000)?;
    Ok(h)
}

/// One floor benchmark: a kind on a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloorBench {
    /// Which floor.
    pub kind: FloorKind,
    /// The CPU it runs on (the same-CPU ping-pongs' CPU).
    pub cpu: usize,
}

impl crate::bench::Bench for FloorBench {
    type Harness = FloorHarness;

    fn id(&self) -> crate::spec::BenchId {
        self.kind.id()
    }

    fn meta(&self) -> OutcomeMeta {
        self.kind.meta(self.cpu)
    }

    fn build(&self) -> Result<FloorHarness> {
        build(self.kind, self.cpu)
    }

    /// Measured beside the ping-pongs it is subtracted from.
    fn comparison(&self) -> Option<crate::spec::Comparison> {
        Some(crate::spec::Comparison::Switch)
    }
}

/// The floors' descriptor: every floor; each same-CPU ping-pong runs its own beside it,
/// and the user-space switches the null system call.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Floor,
    ids: |_| {
        FLOORS
            .iter()
            .map(|&k| crate::spec::BenchId::Floor(k))
            .collect()
    },
    serves: |id| match id {
        crate::spec::BenchId::Uswitch(_) => Some(crate::spec::BenchId::Floor(FloorKind::Getppid)),
        _ => super::pingpong::floor_of(id),
    },
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, cpu| match id {
            crate::spec::BenchId::Floor(kind) => {
                Some(crate::bench::Planned::new(FloorBench { kind, cpu }))
            }
            _ => None,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Participants;
    use crate::spec::PingPongSpec;

    #[test]
    fn every_pingpong_has_a_floor() {
        for (p, m) in crate::spec::PINGPONG_HARNESSES {
            // process-futex makes the shared futex calls, as thread-futex-shared does.
            let calls = match (p, m) {
                (Participants::Process, Mechanism::Futex) => Mechanism::FutexShared,
                _ => m,
            };
            assert_eq!(FloorKind::for_pingpong(p, m).mechanism(), Some(calls));
        }
        let ids: Vec<_> = FLOORS.iter().map(|f| f.id()).collect();
        assert!(ids.contains(&"floor/getppid".parse().unwrap()));
    }

    #[test]
    fn floors_are_below_their_round_trips() {
        let _x = crate::harness::exclusive();
        for (p, m) in crate::spec::PINGPONG_HARNESSES {
            let kind = FloorKind::for_pingpong(p, m);
            crate::harness::retry_on_cpus(|cpu| {
                let mut f = FloorHarness::new(kind, cpu).unwrap();
                let c = crate::measure::count_switches(&mut f, 2000).unwrap();
                if c.per_iter >= 0.01 {
                    return Err(format!("{kind:?} switched: {c:?}"));
                }
                let floor = best_of(&mut f, 2000);
                drop(f);
                let spec = PingPongSpec {
                    participants: p,
                    mechanism: m,
                    placement: Placement::SameCpu(cpu),
                };
                let mut h = crate::harness::build(&spec).unwrap();
                let rt = best_of(h.as_mut(), 500);
                if floor < rt {
                    Ok(())
                } else {
                    Err(format!("{kind:?}: floor {floor} ns >= round trip {rt} ns"))
                }
            });
        }
    }

    /// The fastest of a few batches, in ns per iteration (robust to a noisy neighbour).
    fn best_of(h: &mut dyn Harness, iters: u64) -> f64 {
        (0..5)
            .map(|_| h.run(iters).unwrap().as_nanos() as f64 / iters as f64)
            .fold(f64::INFINITY, f64::min)
    }
}
