//! User-space switches (`uswitch/<kind>`): two stackful coroutines on one thread handing
//! control to each other, with no scheduler and (for `corosensei`) no kernel at all.
//!
//! - `uswitch/corosensei`: a coroutine of the `corosensei` crate, resumed, yielding back
//!   at once. A switch saves the callee-saved registers and swaps the stack pointer;
//! - `uswitch/swapcontext`: glibc `swapcontext` between the caller and a context made
//!   with `makecontext`. The same switch, plus the signal mask: glibc calls
//!   `rt_sigprocmask` on every switch, so each one enters the kernel once.
//!
//! One iteration, a *round trip*, is resume and yield: two user-space switches, so
//! `ns_per_switch` is half a round trip, as for a same-CPU ping-pong. The thread is pinned
//! to the same-CPU ping-pongs' CPU and makes no context switch (validity checks about 0
//! per round trip). Set beside a kernel switch (`pingpong/thread-futex/same-cpu`) and the
//! null system call (`floor/getppid`), they show the kernel's share of a switch; the
//! counted run shows the system calls (`raw_syscalls:sys_enter`: 2 per round trip for
//! `swapcontext`, 0 for `corosensei`).

use std::convert::Infallible;
use std::time::{Duration, Instant};

use corosensei::{Coroutine, CoroutineResult};

use crate::error::{Error, Result};
use crate::harness::{Driver, Harness};
use crate::measure::{Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{Placement, PlacementKind};
use crate::sys::ucontext::ContextPair;

pub use crate::spec::{UswitchKind, USWITCHES};

/// User-space switches per round trip: resume, then yield back.
pub const SWITCHES_PER_ROUND_TRIP: f64 = 2.0;

impl UswitchKind {
    /// Its id, e.g. `uswitch/corosensei`.
    pub fn id(self) -> crate::spec::BenchId {
        crate::spec::BenchId::Uswitch(self)
    }

    /// What its outcome is about.
    pub fn meta(self, cpu: usize) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Uswitch,
            participants: None,
            mechanism: None,
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![cpu],
            parameter: None,
            variant: None,
        }
    }
}

/// The second context of a harness, by kind.
enum Switcher {
    /// A coroutine that yields back every time it is resumed, for ever.
    Corosensei(Coroutine<(), (), Infallible>),
    /// The caller's context and one made with `makecontext`.
    Swapcontext(ContextPair),
}

/// A coroutine that runs `each` and yields back every time it is resumed, for ever (the
/// harness's `each` does nothing; a test's counts the resumes).
fn yielding_coroutine(mut each: impl FnMut() + 'static) -> Coroutine<(), (), Infallible> {
    Coroutine::new(move |yielder, ()| loop {
        each();
        yielder.suspend(());
    })
}

/// One pinned thread switching to a coroutine and back: a [`Harness`] whose iterations
/// make no context switch in the kernel's sense.
pub struct UswitchHarness {
    kind: UswitchKind,
    switcher: Switcher,
    driver: Driver,
}

impl UswitchHarness {
    /// Pins the calling thread to `cpu` and makes the coroutine (started once).
    pub fn new(kind: UswitchKind, cpu: usize) -> Result<Self> {
        // One thread, alone on its CPU: no kernel switch at all.
        let driver = Driver::pin(Placement::SameCpu(cpu))?.expecting(Some(0.0));
        let switcher = match kind {
            UswitchKind::Corosensei => Switcher::Corosensei(yielding_coroutine(|| {})),
            UswitchKind::Swapcontext => Switcher::Swapcontext(
                ContextPair::new().map_err(|e| Error::sys("makecontext + swapcontext", e))?,
            ),
        };
        Ok(Self {
            kind,
            switcher,
            driver,
        })
    }

    /// Which switch.
    pub fn kind(&self) -> UswitchKind {
        self.kind
    }
}

impl Harness for UswitchHarness {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let start = Instant::now();
        match &mut self.switcher {
            Switcher::Corosensei(co) => {
                for _ in 0..iters {
                    match co.resume(()) {
                        CoroutineResult::Yield(()) => {}
                        CoroutineResult::Return(never) => match never {},
                    }
                }
            }
            Switcher::Swapcontext(pair) => {
                for _ in 0..iters {
                    pair.resume().map_err(|e| Error::sys("swapcontext", e))?;
                }
            }
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}

/// Sets up and warms up a user-space switch on `cpu`.
pub fn build(kind: UswitchKind, cpu: usize) -> Result<UswitchHarness> {
    let mut h = UswitchHarness::new(kind, cpu)?;
    h.run(10_000)?;
    Ok(h)
}

/// One user-space switch benchmark: a kind on a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UswitchBench {
    /// Which switch.
    pub kind: UswitchKind,
    /// The CPU it runs on (the same-CPU ping-pongs' CPU).
    pub cpu: usize,
}

impl crate::bench::Bench for UswitchBench {
    type Harness = UswitchHarness;

    fn id(&self) -> crate::spec::BenchId {
        self.kind.id()
    }

    fn meta(&self) -> OutcomeMeta {
        self.kind.meta(self.cpu)
    }

    fn build(&self) -> Result<UswitchHarness> {
        build(self.kind, self.cpu)
    }

    /// A round trip is two user-space switches: `ns_per_switch` is half of it.
    fn finish(&self, _h: &mut UswitchHarness, o: &mut Outcome, _cfg: &SampleConfig) -> Result<()> {
        per_switch(o);
        Ok(())
    }

    /// Measured beside the kernel's switches and the null system call.
    fn comparison(&self) -> Option<crate::spec::Comparison> {
        Some(crate::spec::Comparison::Switch)
    }

    fn take_paired(&self, o: &mut Outcome, _p: &crate::measure::paired::Paired) {
        per_switch(o);
    }
}

/// A round trip is two user-space switches: `ns_per_switch` is half of it.
fn per_switch(o: &mut Outcome) {
    o.ns_per_switch = Some(o.ns_per_iteration.median / SWITCHES_PER_ROUND_TRIP);
    o.set(
        crate::measure::extra::USER_SWITCHES_PER_ROUND_TRIP,
        SWITCHES_PER_ROUND_TRIP,
    );
}

/// The user-space switches' descriptor.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Uswitch,
    ids: |_| {
        USWITCHES
            .iter()
            .map(|&k| crate::spec::BenchId::Uswitch(k))
            .collect()
    },
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, cpu| match id {
            crate::spec::BenchId::Uswitch(kind) => {
                Some(crate::bench::Planned::new(UswitchBench { kind, cpu }))
            }
            _ => None,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let ids: Vec<_> = USWITCHES.iter().map(|k| k.id()).collect();
        assert_eq!(ids, ["uswitch/corosensei", "uswitch/swapcontext"]);
    }

    #[test]
    fn every_round_trip_runs_the_coroutine_once() {
        use std::cell::Cell;
        use std::rc::Rc;
        let runs = Rc::new(Cell::new(0u64));
        let seen = Rc::clone(&runs);
        let mut co = yielding_coroutine(move || seen.set(seen.get() + 1));
        for _ in 0..1000 {
            assert!(matches!(co.resume(()), CoroutineResult::Yield(())));
        }
        assert_eq!(runs.get(), 1000);
    }

    #[test]
    fn a_user_switch_never_enters_the_scheduler() {
        let _x = crate::harness::exclusive();
        for kind in USWITCHES {
            crate::harness::retry_on_cpus(|cpu| {
                let mut h = build(kind, cpu).map_err(|e| e.to_string())?;
                assert_eq!(h.kind(), kind);
                let c = crate::measure::count_switches(&mut h, 200_000).unwrap();
                if c.per_iter < crate::measure::ZERO_SWITCH_LIMIT {
                    Ok(())
                } else {
                    Err(format!("{kind:?} switched: {c:?}"))
                }
            });
        }
    }

    #[test]
    fn the_outcome_has_a_time_per_user_switch() {
        let _x = crate::harness::exclusive();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let cfg = SampleConfig {
            warmup: Duration::from_millis(5),
            samples: 3,
            sample_time: Duration::from_millis(2),
            tail_round_trips: 0,
        };
        let b = UswitchBench {
            kind: UswitchKind::Corosensei,
            cpu,
        };
        let o = crate::bench::measure_bench(&b, &cfg, &crate::measure::Counting::Off).unwrap();
        assert_eq!(o.experiment, "uswitch");
        assert_eq!(o.ns_per_switch, Some(o.ns_per_iteration.median / 2.0));
        assert!(o.ns_per_iteration.median > 0.0);
    }
}
