//! What every benchmark is: an id, how to build its harness, and what it adds to its
//! outcome after the common measuring path (timed batches, then a counted run on a second
//! harness).
//!
//! Adding an experiment is a type that implements [`Bench`], and a line in the plan
//! ([`crate::runner`]) that lists it. An experiment that has no timed loop (the memory
//! footprint of idle tasks) implements [`Runnable`], what the plan runs, directly.

use std::cell::RefCell;

use crate::error::Result;
use crate::harness::Harness;
use crate::measure::{measure_with, Counting, Outcome, OutcomeMeta, SampleConfig};

/// One benchmark.
pub trait Bench {
    /// The harness it runs.
    type Harness: Harness + 'static;

    /// Its id, e.g. `ring/process-pipe/8`.
    fn id(&self) -> String;

    /// What its outcome is about.
    fn meta(&self) -> OutcomeMeta;

    /// Sets up and warms up a harness. Called twice: once for the timed batches, once
    /// for the counted run (after the counters are opened, so the peers inherit them).
    fn build(&self) -> Result<Self::Harness>;

    /// What the experiment adds to its outcome once the common path has measured it,
    /// with the timed harness still set up (the working set's interleaved rounds, the
    /// spawns' page faults). Nothing by default.
    fn finish(&self, _h: &mut Self::Harness, _o: &mut Outcome, _cfg: &SampleConfig) -> Result<()> {
        Ok(())
    }
}

/// Builds, times, counts and finishes `b`: the one measuring path of every benchmark.
pub fn measure_bench<B: Bench>(b: &B, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
    let mut h = b.build()?;
    harness_up(&b.id());
    let rebuild = || b.build().map(|h| Box::new(h) as Box<dyn Harness>);
    let mut o = measure_with(b.meta(), &mut h, cfg, &rebuild, counting)?;
    b.finish(&mut h, &mut o, cfg)?;
    Ok(o)
}

/// A ping-pong: the harness of its mechanism, participants and placement.
impl Bench for crate::spec::PingPongSpec {
    type Harness = Box<dyn Harness>;

    fn id(&self) -> String {
        crate::spec::PingPongSpec::id(self)
    }

    fn meta(&self) -> OutcomeMeta {
        OutcomeMeta::pingpong(self)
    }

    fn build(&self) -> Result<Box<dyn Harness>> {
        crate::harness::build(self)
    }

    /// Off one CPU: the latency percentiles, from a pass of single round trips.
    fn finish(&self, h: &mut Box<dyn Harness>, o: &mut Outcome, cfg: &SampleConfig) -> Result<()> {
        if crate::measure::tails::has_tails(self.placement.kind()) {
            o.latency = crate::measure::tails::measure_tails(h.as_mut(), cfg.tail_round_trips)?;
        }
        Ok(())
    }
}

/// What the run loop needs of a benchmark: its id, and one attempt at measuring it.
/// Every [`Bench`] is one, measured by [`measure_bench`]; an experiment with no timed loop
/// ([`crate::experiments::footprint`], which reads memory) implements it directly.
pub trait Runnable {
    /// Its id.
    fn id(&self) -> String;
    /// Sets up, measures and tears down one attempt.
    fn attempt(&self, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome>;
}

impl<B: Bench> Runnable for B {
    fn id(&self) -> String {
        Bench::id(self)
    }

    fn attempt(&self, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
        measure_bench(self, cfg, counting)
    }
}

/// What hears that a benchmark's harness is up (see [`harness_up`]).
pub type HarnessUpHook = Box<dyn FnMut(&str)>;

thread_local! {
    /// The hook of the schedule running on this thread, and whether the benchmark running
    /// now has been reported already.
    static HARNESS_UP: RefCell<Option<(HarnessUpHook, bool)>> = const { RefCell::new(None) };
}

/// Tells the schedule running on this thread, if it listens, that benchmark `id` has its
/// harness set up and its measuring starts (the timed batches; a footprint's first idle
/// tasks parked and read): once per benchmark, however many harnesses or attempts it
/// takes.
pub(crate) fn harness_up(id: &str) {
    HARNESS_UP.with_borrow_mut(|h| {
        if let Some((hook, said)) = h {
            if !*said {
                *said = true;
                hook(id);
            }
        }
    });
}

/// While it lives, [`harness_up`] on this thread calls a schedule's hook; dropped, the
/// hook is gone (a panic included).
pub(crate) struct HarnessUpListener(());

impl HarnessUpListener {
    /// Listens with `hook` (or not at all, for `None`).
    pub(crate) fn listen(hook: Option<HarnessUpHook>) -> Self {
        HARNESS_UP.set(hook.map(|h| (h, false)));
        Self(())
    }

    /// The next benchmark starts: it will be reported in its turn.
    pub(crate) fn next(&self) {
        HARNESS_UP.with_borrow_mut(|h| {
            if let Some((_, said)) = h {
                *said = false;
            }
        });
    }
}

impl Drop for HarnessUpListener {
    fn drop(&mut self) {
        HARNESS_UP.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn harness_up_is_heard_once_per_benchmark_and_only_while_listened_for() {
        let heard = Rc::new(RefCell::new(Vec::<String>::new()));
        harness_up("before");
        {
            let h = Rc::clone(&heard);
            let listener =
                HarnessUpListener::listen(Some(Box::new(move |id| h.borrow_mut().push(id.into()))));
            listener.next();
            harness_up("a");
            harness_up("a");
            listener.next();
            harness_up("b");
        }
        harness_up("after");
        assert_eq!(*heard.borrow(), ["a", "b"]);
    }
}
