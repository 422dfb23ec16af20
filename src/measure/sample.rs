//! Timed samples: calibrate a batch, take the batches, and read around each one (never
//! inside it) what the participants and other tasks did.

use std::time::{Duration, Instant};

use super::disturbance::{self, BatchLoad};
use super::switches;
use super::SwitchCount;
use crate::error::Result;
use crate::harness::Harness;

/// How long to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleConfig {
    /// Untimed running before the samples (after the harness's own warm-up).
    pub warmup: Duration,
    /// How many timed samples.
    pub samples: usize,
    /// The target wall time of one sample.
    pub sample_time: Duration,
    /// Round trips timed one by one after the batches, for the latency percentiles of
    /// cross-CPU and unpinned ping-pongs (see [`super::tails`]); 0 for none.
    pub tail_round_trips: u64,
}

impl SampleConfig {
    /// About half a second per benchmark, and 3 000 single round trips off one CPU
    /// (about 0.15 s at 50 us each).
    pub fn quick() -> Self {
        Self {
            warmup: Duration::from_millis(50),
            samples: 15,
            sample_time: Duration::from_millis(20),
            tail_round_trips: 3_000,
        }
    }

    /// `samples` samples of `ms` milliseconds after as long a warm-up: for tests that
    /// only check what a benchmark records.
    #[cfg(test)]
    pub(crate) fn brief(ms: u64, samples: usize) -> Self {
        Self {
            warmup: Duration::from_millis(ms),
            samples,
            sample_time: Duration::from_millis(ms),
            tail_round_trips: 0,
        }
    }

    /// About two and a half seconds per benchmark, and 20 000 single round trips off one CPU
    /// (about a second at 50 us each).
    pub fn full() -> Self {
        Self {
            warmup: Duration::from_millis(300),
            samples: 32,
            sample_time: Duration::from_millis(60),
            tail_round_trips: 20_000,
        }
    }
}

/// Timed samples of one harness.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    /// Iterations in each sample.
    pub iters_per_sample: u64,
    /// Nanoseconds per iteration, one value per sample.
    pub ns_per_iter: Vec<f64>,
}

/// Warms up, picks a batch size that lasts about `cfg.sample_time`, and takes
/// `cfg.samples` timed batches.
pub fn time_samples(h: &mut dyn Harness, cfg: &SampleConfig) -> Result<Samples> {
    time_samples_counted(h, cfg).map(|(s, _)| s)
}

/// What the timed batches showed besides their times.
#[derive(Debug, Clone, Default)]
pub struct TimedLoad {
    /// The participants' switches over all the timed batches together (procfs `status`,
    /// read before the first batch and after the last), or `None` where procfs could not
    /// be read.
    pub switches: Option<SwitchCount>,
    /// Each batch's wall time, other tasks' time on the CPU and the participants'
    /// switches (procfs `schedstat` around each batch, never inside it); empty where it
    /// could not be read.
    pub batches: Vec<BatchLoad>,
}

/// [`time_samples`], also returning what procfs shows around the batches: the
/// participants' switches and, batch by batch, how much other tasks ran (see
/// [`crate::measure::disturbance`]). This is what the timed loops themselves did: a futex that
/// stopped sleeping while timed shows here even when the separate counted run looks right.
pub fn time_samples_counted(
    h: &mut dyn Harness,
    cfg: &SampleConfig,
) -> Result<(Samples, Option<SwitchCount>)> {
    time_samples_loaded(h, cfg).map(|(s, l)| (s, l.switches))
}

/// [`time_samples`] with the [`TimedLoad`] of its batches.
pub fn time_samples_loaded(
    h: &mut dyn Harness,
    cfg: &SampleConfig,
) -> Result<(Samples, TimedLoad)> {
    // Calibrate while warming up: grow the batch until it takes a measurable time (from
    // one iteration where a single one already takes milliseconds).
    let slow = h.slow_iterations();
    let mut iters = if slow { 1 } else { 16u64 };
    let start = Instant::now();
    let mut per_iter;
    loop {
        let t = h.run(iters)?;
        per_iter = t.as_nanos() as f64 / iters as f64;
        if t >= Duration::from_millis(2) && start.elapsed() >= cfg.warmup {
            break;
        }
        if t < Duration::from_millis(2) {
            iters *= 2;
        }
    }
    let iters_per_sample = ((cfg.sample_time.as_nanos() as f64 / per_iter.max(1.0)) as u64)
        .clamp(fewest(slow), 100_000_000);
    let samples = if slow {
        slow_samples(cfg, per_iter * iters_per_sample as f64)
    } else {
        cfg.samples.max(1)
    };
    let mut ns_per_iter = Vec::with_capacity(samples);
    let mut batches = Vec::with_capacity(samples);
    let before = switches::read_tasks(h.tasks()).ok();
    for _ in 0..samples {
        let ran_before = disturbance::read_tasks_before(h.tasks()).ok();
        let wall = Instant::now();
        let t = h.run(iters_per_sample)?;
        let wall = wall.elapsed();
        if let (Some(b), Ok(a)) = (ran_before, disturbance::read_tasks(h.tasks())) {
            batches.push(BatchLoad::between(b, a, wall.as_nanos() as f64));
        }
        ns_per_iter.push(t.as_nanos() as f64 / iters_per_sample as f64);
    }
    let after = switches::read_tasks(h.tasks()).ok();
    let iters = iters_per_sample * ns_per_iter.len() as u64;
    let timed = before
        .zip(after)
        .map(|(b, a)| SwitchCount::between(b, a, iters));
    if batches.len() != ns_per_iter.len() {
        batches.clear();
    }
    Ok((
        Samples {
            iters_per_sample,
            ns_per_iter,
        },
        TimedLoad {
            switches: timed,
            batches,
        },
    ))
}

/// The fewest iterations in a sample or a counted run: 10, or 1 for a harness whose one
/// iteration already takes milliseconds ([`Harness::slow_iterations`]).
fn fewest(slow: bool) -> u64 {
    if slow {
        1
    } else {
        10
    }
}

/// How many samples of `sample_ns` each a slow harness takes: as many as fit in the time
/// `cfg` gives all its samples, but at least 5 (or `cfg.samples` where that is fewer).
fn slow_samples(cfg: &SampleConfig, sample_ns: f64) -> usize {
    let all = cfg.samples.max(1);
    let budget = all as f64 * cfg.sample_time.as_nanos() as f64;
    let fit = (budget / sample_ns.max(1.0)).ceil() as usize;
    fit.clamp(5.min(all), all)
}

/// Iterations of the counted run: at least one sample's worth and 1000, but no more than
/// about a quarter of a second for slow iterations (a ring of 16, a 32 MiB working set).
pub fn count_iters(samples: &Samples) -> u64 {
    count_iters_for(samples, false)
}

/// [`count_iters`] for a harness that may have said its iterations are slow: then as few
/// as one.
pub fn count_iters_for(samples: &Samples, slow: bool) -> u64 {
    let mut sorted = samples.ns_per_iter.clone();
    sorted.sort_by(f64::total_cmp);
    let median = crate::stats::quantile(&sorted, 0.5);
    let affordable = if median.is_finite() && median > 0.0 {
        (250e6 / median) as u64
    } else {
        1000
    };
    samples
        .iters_per_sample
        .max(1000.min(affordable))
        .max(fewest(slow))
}
