//! What every benchmark is: an id, how to build its harness, and what it adds to its
//! outcome after the common measuring path (timed batches, then a counted run on a second
//! harness).
//!
//! Adding an experiment is a type that implements [`Bench`], and a line in the plan
//! ([`crate::runner`]) that lists it. An experiment that has no timed loop (the memory
//! footprint of idle tasks) implements [`Runnable`], what the plan runs, directly.

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
