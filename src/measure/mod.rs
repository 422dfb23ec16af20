//! From a harness to an [`Outcome`]: calibrated timed samples, a separate counted run, and
//! a validity verdict.
//!
//! Time and counts never come from the same loop: the timed samples read nothing but the
//! clock, and the switch count comes from a run of its own.

mod count;
pub mod disturbance;
pub mod extra;
pub mod memory;
mod outcome;
pub mod paired;
pub mod permissions;
mod sample;
pub mod switches;
pub mod tails;
mod validity;

pub use count::*;
pub use outcome::*;
pub use sample::*;
pub use tails::Latency;
pub use validity::*;

pub(crate) use count::loaded;
use validity::{excuse_disturbed_count, excuse_preemptions};

pub use crate::counters::CounterValue;

use crate::counters;
use crate::error::Result;
use crate::harness::Harness;
use crate::spec::PingPongSpec;

/// Times `h` and counts its switches and every known perf event, giving the outcome for
/// `spec` (see [`measure_pingpong_with`]).
pub fn measure_pingpong(
    spec: &PingPongSpec,
    h: &mut dyn Harness,
    cfg: &SampleConfig,
) -> Result<Outcome> {
    measure_pingpong_with(spec, h, cfg, &Counting::all())
}

/// Times `h` and counts a separate run of a second harness for `spec` (see
/// [`measure_with`]).
pub fn measure_pingpong_with(
    spec: &PingPongSpec,
    h: &mut dyn Harness,
    cfg: &SampleConfig,
    counting: &Counting,
) -> Result<Outcome> {
    measure_with(
        OutcomeMeta::pingpong(spec),
        h,
        cfg,
        &|| crate::harness::build(spec),
        counting,
    )
}

/// Builds (and warms up) a fresh harness of the same benchmark, for the counted run.
pub type Rebuild<'a> = &'a dyn Fn() -> Result<Box<dyn Harness>>;

/// [`measure_with`] with every known perf event.
pub fn measure(
    meta: OutcomeMeta,
    h: &mut dyn Harness,
    cfg: &SampleConfig,
    rebuild: Rebuild<'_>,
) -> Result<Outcome> {
    measure_with(meta, h, cfg, rebuild, &Counting::all())
}

/// Times `h`, then counts a separate run: procfs switch counts and the perf events of
/// `counting`, the one measuring path every experiment goes through. The counted run
/// uses a second harness of the same benchmark from `rebuild`, built right after the
/// counters are opened so that its peers inherit them (the per-CPU events are attached
/// to its tasks once it is built); `h` never carries a counter (an inherited counter
/// slows every switch a little), and sits idle meanwhile.
pub fn measure_with(
    meta: OutcomeMeta,
    h: &mut dyn Harness,
    cfg: &SampleConfig,
    rebuild: Rebuild<'_>,
    counting: &Counting,
) -> Result<Outcome> {
    let census = disturbance::Census::take(std::path::Path::new("/proc"));
    let (samples, load) = time_samples_loaded(h, cfg)?;
    let census_after = disturbance::Census::take(std::path::Path::new("/proc"));
    let timed = Timed {
        samples,
        load,
        shape: Shape::of(h),
    };
    let mut o = complete(meta, timed, rebuild, counting, || Some(h))?;
    if let Some(d) = o.disturbance.as_mut() {
        if d.disturbed_batches > 0 {
            let members: Vec<i32> = h.tasks().iter().map(|t| t.tid).collect();
            d.by = census_after.busiest_since(&census, &o.cpus, &members, 3);
        }
    }
    Ok(o)
}

/// What a harness says of itself that its outcome needs once its batches are timed: the
/// switches one iteration makes, its scheduling policy, and whether its iterations are
/// slow (see [`Harness`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// [`Harness::expected_switches_per_iter`].
    pub expected: Option<f64>,
    /// [`Harness::policy`].
    pub policy: Option<crate::spec::Policy>,
    /// [`Harness::slow_iterations`].
    pub slow: bool,
}

impl Shape {
    /// The shape of `h`.
    pub fn of(h: &dyn Harness) -> Self {
        Self {
            expected: h.expected_switches_per_iter(),
            policy: h.policy(),
            slow: h.slow_iterations(),
        }
    }
}

/// Timed batches of one benchmark, from its own samples or from paired rounds (see
/// [`paired`]), and what the harness said of itself.
#[derive(Debug, Clone)]
pub struct Timed {
    /// The batches' times.
    pub samples: Samples,
    /// What procfs showed around them.
    pub load: TimedLoad,
    /// The harness's shape.
    pub shape: Shape,
}

/// Completes an outcome from its timed batches: the counted run on a harness from
/// `rebuild` (with the perf events of `counting`), or, with counting off, on the harness
/// `timed_harness` gives (a fresh one from `rebuild` where it gives none), then validity
/// from both.
pub fn complete<'h>(
    meta: OutcomeMeta,
    timed: Timed,
    rebuild: Rebuild<'_>,
    counting: &Counting,
    timed_harness: impl FnOnce() -> Option<&'h mut dyn Harness>,
) -> Result<Outcome> {
    let Timed {
        samples,
        load,
        shape,
    } = timed;
    let per_batch = samples.iters_per_sample;
    let iters = count_iters_for(&samples, shape.slow);
    let expected = shape.expected;
    let o = match counting {
        Counting::Off => {
            let mut fresh;
            let h: &mut dyn Harness = match timed_harness() {
                Some(h) => h,
                None => {
                    fresh = rebuild()?;
                    fresh.as_mut()
                }
            };
            let tasks = h.tasks().to_vec();
            let (count, load) = loaded(&tasks, || count_switches(h, iters))?;
            (outcome(meta, expected, samples, count), load)
        }
        Counting::Events(events) => {
            let mut set = counters::CounterSet::open(events);
            let mut counted = rebuild()?;
            set.attach_harness(counted.as_ref());
            let tasks = counted.tasks().to_vec();
            let ((count, readings), load) =
                loaded(&tasks, || count_run(counted.as_mut(), iters, &mut set))?;
            drop(counted);
            let mut o = outcome(meta, expected, samples, count);
            apply_counters(&mut o, expected, &readings, iters);
            (o, load)
        }
    };
    let (mut o, counted_load) = o;
    o.policy = shape.policy;
    excuse_disturbed_count(&mut o, counted_load);
    apply_timed_load(&mut o, expected, &load, per_batch);
    excuse_preemptions(&mut o, expected, load.switches);
    Ok(o)
}

#[cfg(test)]
mod tests;
