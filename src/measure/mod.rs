//! From a harness to an [`Outcome`]: calibrated timed samples, a separate counted run, and
//! a validity verdict.
//!
//! Time and counts never come from the same loop: the timed samples read nothing but the
//! clock, and the switch count comes from a run of its own.

mod count;
pub mod disturbance;
pub mod guard;
pub mod memory;
mod outcome;
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
    let per_batch = samples.iters_per_sample;
    let iters = count_iters_for(&samples, h.slow_iterations());
    let expected = h.expected_switches_per_iter();
    let o = match counting {
        Counting::Off => {
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
    o.policy = h.policy().map(str::to_string);
    excuse_disturbed_count(&mut o, counted_load);
    apply_timed_load(&mut o, expected, &load, per_batch);
    excuse_preemptions(&mut o, expected, load.switches);
    if let Some(d) = o.disturbance.as_mut() {
        if d.disturbed_batches > 0 {
            let members: Vec<i32> = h.tasks().iter().map(|t| t.tid).collect();
            d.by = census_after.busiest_since(&census, &o.cpus, &members, 3);
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests;
