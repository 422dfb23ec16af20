//! Ping-pong harnesses: two tasks that hand control to each other, set up once and timed
//! over any number of batches.
//!
//! One *round trip* is: the driver (the calling thread) wakes the peer and sleeps; the
//! peer wakes the driver and sleeps. On one CPU that is exactly two context switches.
//!
//! ```no_run
//! use ctxbench::harness;
//! use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};
//!
//! let spec = PingPongSpec {
//!     participants: Participants::Process,
//!     mechanism: Mechanism::Pipe,
//!     placement: Placement::SameCpu(0),
//! };
//! let mut h = harness::build(&spec).unwrap();
//! let elapsed = h.run(10_000).unwrap();
//! println!("{:.0} ns per round trip", elapsed.as_nanos() as f64 / 10_000.0);
//! ```

pub mod cacheline;
pub mod condvar;
pub mod cross;
mod driver;
pub mod eventfd;
mod fdio;
pub mod futex;
pub mod futex_ring;
mod hello;
pub mod idle;
pub mod isolation;
mod link;
pub mod peer;
pub mod permissions;
pub mod pipe;
pub mod policy;
pub mod regs;
pub mod ring;
mod stamps;
pub mod target;
mod testing;
mod trips;
mod waker;
mod watch;
pub mod watchdog;
pub mod workset;

#[cfg(test)]
mod liveness_tests;

use std::time::Duration;

pub use driver::Driver;
pub(crate) use fdio::{pipe, read_exact_timeout, relay_bytes, write_all};
pub(crate) use hello::{read_hello, read_hello_channel, PeerHello};
pub use peer::{Peer, Task};
pub use stamps::Stamps;
pub use testing::exclusive;
#[cfg(test)]
pub(crate) use testing::stop_thread;
#[cfg(test)]
pub(crate) use testing::{assert_children, children_of_me, retry_on_cpus};
pub(crate) use trips::{pipe_round_trips, write_read_round_trips, Ends};

use crate::error::{Error, Result};

use crate::spec::{Mechanism, Participants, PingPongSpec};

pub use watchdog::{set_stall_limit, stall_limit, STALL_LIMIT};

/// How long set-up waits for a new peer to say hello.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

/// Round trips run once at set-up, before any batch is timed.
pub const WARMUP_ROUND_TRIPS: u64 = 200;

/// A set-up benchmark that can run timed batches.
///
/// A harness pins the thread that builds it and restores that thread's affinity when
/// dropped; it must be run on that thread (it is not `Send`).
pub trait Harness {
    /// Runs `iters` iterations (round trips) and returns the wall time (CLOCK_MONOTONIC).
    fn run(&mut self, iters: u64) -> Result<Duration>;

    /// Runs `iters` iterations, marking `stamps` right before each: the latency-tails
    /// pass, where each round trip is timed alone (see [`crate::measure::tails`]). This
    /// loop reads the clock once per iteration, which the batches of
    /// [`run`](Harness::run) never do, so the two are separate passes. The default calls
    /// `run(1)` per iteration, which adds a call and the watchdog's batch marks to each;
    /// the ping-pong harnesses run their own loop with the mark inside instead.
    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        for _ in 0..iters {
            stamps.mark();
            self.run(1)?;
        }
        Ok(())
    }

    /// The driving side: the participants, where they run, and the switches an iteration
    /// makes.
    fn driver(&self) -> &Driver;

    /// Every task taking part, the driver first: what switch counters must cover.
    fn tasks(&self) -> &[Task] {
        &self.driver().tasks
    }

    /// The CPU each task reported it runs on after pinning (driver first); `None` for an
    /// unpinned task.
    fn cpus_seen(&self) -> &[Option<usize>] {
        &self.driver().cpus_seen
    }

    /// The scheduling policy the participants run under (`SCHED_FIFO`, `SCHED_BATCH`), or
    /// `None` for the default policy.
    fn policy(&self) -> Option<crate::spec::Policy> {
        self.driver().policy.map(policy::policy_name)
    }

    /// Context switches one iteration makes when every participant shares one CPU, or
    /// `None` when the placement gives no such expectation.
    fn expected_switches_per_iter(&self) -> Option<f64> {
        self.driver().expected
    }

    /// True when one iteration alone lasts about a millisecond or more (a 1 MiB read by
    /// PEEKDATA, word by word): the sampler then starts its calibration at one iteration,
    /// lets a sample, or the counted run, hold fewer than 10, and takes only as many
    /// samples (5 at least) as fit in the time all of them would normally take.
    fn slow_iterations(&self) -> bool {
        false
    }
}

impl<H: Harness + ?Sized> Harness for Box<H> {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        (**self).run(iters)
    }

    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        (**self).run_stamped(iters, stamps)
    }

    fn driver(&self) -> &Driver {
        (**self).driver()
    }

    fn slow_iterations(&self) -> bool {
        (**self).slow_iterations()
    }
}

/// Builds and warms up the harness for `spec`.
pub fn build(spec: &PingPongSpec) -> Result<Box<dyn Harness>> {
    let mut h: Box<dyn Harness> = match (spec.participants, spec.mechanism) {
        (p, Mechanism::Pipe) => Box::new(pipe::PipePingPong::new(p, spec.placement)?),
        (p, Mechanism::Futex) => Box::new(futex::FutexPingPong::new(p, false, spec.placement)?),
        (Participants::Thread, Mechanism::FutexShared) => Box::new(futex::FutexPingPong::new(
            Participants::Thread,
            true,
            spec.placement,
        )?),
        (Participants::Process, Mechanism::FutexShared) => {
            return Err(Error::InvalidInput(
                "process-futex-shared is not a harness: process-futex already uses the \
                 shared futex operations"
                    .into(),
            ))
        }
        (p, Mechanism::Eventfd) => Box::new(eventfd::EventfdPingPong::new(p, spec.placement)?),
        (Participants::Thread, Mechanism::Condvar) => {
            Box::new(condvar::CondvarPingPong::new(spec.placement)?)
        }
        (Participants::Process, Mechanism::Condvar) => {
            return Err(Error::InvalidInput(
                "process-condvar is not a harness: a condvar between processes needs a \
                 process-shared pthread condvar; use process-futex for the same mechanism"
                    .into(),
            ))
        }
    };
    h.run(WARMUP_ROUND_TRIPS)?;
    Ok(h)
}
