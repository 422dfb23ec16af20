//! From a harness to an [`Outcome`]: calibrated timed samples, a separate counted run, and
//! a validity verdict.
//!
//! Time and counts never come from the same loop: the timed samples read nothing but the
//! clock, and the switch count comes from a run of its own.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::counters;
use crate::disturbance::{self, BatchLoad, Disturbance};
use crate::error::Result;
use crate::harness::Harness;
use crate::spec::{Mechanism, Participants, PingPongSpec, PlacementKind};
use crate::stats::Summary;
use crate::switches::{self, TaskSwitches};

/// How long to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleConfig {
    /// Untimed running before the samples (after the harness's own warm-up).
    pub warmup: Duration,
    /// How many timed samples.
    pub samples: usize,
    /// The target wall time of one sample.
    pub sample_time: Duration,
}

impl SampleConfig {
    /// About half a second per benchmark.
    pub fn quick() -> Self {
        Self {
            warmup: Duration::from_millis(50),
            samples: 15,
            sample_time: Duration::from_millis(20),
        }
    }

    /// About three seconds per benchmark.
    pub fn full() -> Self {
        Self {
            warmup: Duration::from_millis(300),
            samples: 40,
            sample_time: Duration::from_millis(60),
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
/// [`crate::disturbance`]). This is what the timed loops themselves did: a futex that
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
    // Calibrate while warming up: grow the batch until it takes a measurable time.
    let mut iters = 16u64;
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
    let iters_per_sample =
        ((cfg.sample_time.as_nanos() as f64 / per_iter.max(1.0)) as u64).clamp(10, 100_000_000);
    let mut ns_per_iter = Vec::with_capacity(cfg.samples);
    let mut batches = Vec::with_capacity(cfg.samples);
    let before = switches::read_tasks(h.tasks()).ok();
    for _ in 0..cfg.samples.max(1) {
        let ran_before = disturbance::read_tasks(h.tasks()).ok();
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

/// Judges the timed batches: the switches of the quiet ones (other tasks under 1% of the
/// CPU) against the expectation, and how disturbed the batches were. Records both in
/// `o`. A quiet batch with the wrong switch count is the harness's mistake (invalid); a
/// disturbed one says nothing about the harness, and only makes the attempt worth
/// measuring again.
pub fn apply_timed_load(o: &mut Outcome, expected: Option<f64>, load: &TimedLoad, iters: u64) {
    if let Some(timed) = load.switches {
        o.timed_switches_per_round_trip = Some(timed.per_iter);
    }
    let same_cpu = o.placement == Some(PlacementKind::SameCpu);
    if !same_cpu || load.batches.is_empty() {
        // Off one CPU the CPU idles between wake-ups: other tasks' time cannot be told
        // from the idle time, and the switch count has no fixed value anyway.
        apply_timed_switches(o, expected, load.switches);
        return;
    }
    let counted_run = o.disturbance.as_ref().and_then(|d| d.counted_run);
    o.disturbance = Some(Disturbance {
        counted_run,
        ..Disturbance::of(&load.batches)
    });
    let quiet: Vec<&BatchLoad> = load.batches.iter().filter(|b| !b.disturbed()).collect();
    if quiet.is_empty() || expected.is_none() || !o.valid {
        return;
    }
    let per_iter =
        quiet.iter().map(|b| b.switches).sum::<u64>() as f64 / (quiet.len() as u64 * iters) as f64;
    let (valid, why) = judge(expected, per_iter);
    if !valid {
        o.valid = false;
        o.validity = format!(
            "during the timed samples ({} quiet batches of {}): {why}",
            quiet.len(),
            load.batches.len()
        );
    }
}

/// Records the switches of the timed batches in `o` and judges them as the counted run
/// was judged: a result whose timed loops did not switch as promised is invalid too.
pub fn apply_timed_switches(o: &mut Outcome, expected: Option<f64>, timed: Option<SwitchCount>) {
    let Some(timed) = timed else { return };
    o.timed_switches_per_round_trip = Some(timed.per_iter);
    if expected.is_none() || !o.valid {
        return;
    }
    let (valid, why) = judge(expected, timed.per_iter);
    if !valid {
        o.valid = false;
        o.validity = format!("during the timed samples: {why}");
    }
}

/// Context switches counted over a run of its own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SwitchCount {
    /// Iterations in the counted run.
    pub iters: u64,
    /// Voluntary switches of all participants.
    pub voluntary: u64,
    /// Involuntary switches of all participants.
    pub involuntary: u64,
    /// Switches per iteration, both kinds, all participants.
    pub per_iter: f64,
}

impl SwitchCount {
    /// The switches between two procfs readings of the same tasks, over `iters`
    /// iterations.
    pub fn between(before: TaskSwitches, after: TaskSwitches, iters: u64) -> Self {
        let voluntary = after.voluntary.saturating_sub(before.voluntary);
        let involuntary = after.involuntary.saturating_sub(before.involuntary);
        SwitchCount {
            iters,
            voluntary,
            involuntary,
            per_iter: (voluntary + involuntary) as f64 / iters.max(1) as f64,
        }
    }
}

/// Counts the switches of every participant over `iters` iterations (from `/proc`).
pub fn count_switches(h: &mut dyn Harness, iters: u64) -> Result<SwitchCount> {
    let iters = iters.max(1);
    let before = switches::read_tasks(h.tasks())?;
    h.run(iters)?;
    let after = switches::read_tasks(h.tasks())?;
    Ok(SwitchCount::between(before, after, iters))
}

/// The accepted band around the expected switch count: ±10%.
pub const VALID_BAND: f64 = 0.1;

/// The most switches per iteration a lone task (a floor) may show and still be valid.
pub const ZERO_SWITCH_LIMIT: f64 = 0.01;

/// Judges a measured switch count against what the placement promises.
pub fn judge(expected: Option<f64>, measured: f64) -> (bool, String) {
    match expected {
        Some(e) if e <= 0.0 => {
            // A task running alone: an occasional preemption by a timer tick is fine.
            if measured <= ZERO_SWITCH_LIMIT {
                (
                    true,
                    format!("ok: {measured:.4} switches per iteration (expected about 0)"),
                )
            } else {
                (
                    false,
                    format!(
                        "invalid: {measured:.3} switches per iteration where the task should \
                         run alone: another task shares the CPU, pick a quieter one with --cpus"
                    ),
                )
            }
        }
        Some(e) => {
            let (lo, hi) = (e * (1.0 - VALID_BAND), e * (1.0 + VALID_BAND));
            if (lo..=hi).contains(&measured) {
                (
                    true,
                    format!("ok: {measured:.2} switches per round trip (expected {lo:.1}-{hi:.1})"),
                )
            } else {
                let hint = if measured < lo {
                    "a side did not sleep every time (a wait that never blocked is not a switch)"
                } else {
                    "extra switches: preemption by other tasks, or a wake-up into a held lock"
                };
                (
                    false,
                    format!("invalid: {measured:.2} switches per round trip, expected {lo:.1}-{hi:.1}: {hint}"),
                )
            }
        }
        None => (
            true,
            format!(
                "not checked: {measured:.2} switches per round trip; off one CPU a round trip \
                 is wake-up latency, with no fixed switch count"
            ),
        ),
    }
}

pub use crate::counters::CounterValue;

/// The result of one benchmark (a ping-pong, a floor, a working set, a ring or a spawn).
///
/// One *iteration* is a round trip for a ping-pong, one lap for a ring, one operation for
/// a floor, one creation for a spawn; the `*_round_trip` fields hold per-iteration values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The id, e.g. `pingpong/process-pipe/same-cpu`.
    pub id: String,
    /// The experiment: `pingpong`, `floor`, `workset`, `ring` or `spawn`.
    pub experiment: String,
    /// Processes or threads (`None` for a floor, where one task runs alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Participants>,
    /// The wake-up mechanism (`None` where none is involved: the getppid floor, spawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<Mechanism>,
    /// Where the sides ran (`None` when the experiment has no placement choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementKind>,
    /// The experiment's size parameter: participants in a ring, bytes each side touches in
    /// a working set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<u64>,
    /// The experiment's variant, where it has several (working set: `read`, `write` or
    /// `page-stride`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The CPUs used, driver first (empty when unpinned).
    pub cpus: Vec<usize>,
    /// Round trips in each timed sample.
    pub iterations_per_sample: u64,
    /// Nanoseconds per round trip, one value per sample, in the order taken.
    pub samples_ns_per_round_trip: Vec<f64>,
    /// Summary of the samples.
    pub ns_per_round_trip: Summary,
    /// Median round trip / 2 on one CPU, where a round trip is two switches; `None`
    /// elsewhere.
    pub ns_per_switch: Option<f64>,
    /// Context switches per round trip, counted in a separate run.
    pub switches_per_round_trip: f64,
    /// Where the switch count came from.
    pub switch_count_source: String,
    /// The raw count behind `switches_per_round_trip`.
    pub switch_count: SwitchCount,
    /// Context switches per round trip during the timed samples themselves (procfs, read
    /// around all the batches); judged like `switches_per_round_trip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timed_switches_per_round_trip: Option<f64>,
    /// Whether the harness did what it claims (see `validity`).
    pub valid: bool,
    /// Why the result is valid, invalid, or not checked.
    pub validity: String,
    /// Counter readings by perf event name (`context-switches`, `tlb:tlb_flush`,
    /// `tlb:tlb_flush:full`, `dTLB-load-misses`, ...); empty when counting was skipped.
    #[serde(default)]
    pub counters: BTreeMap<String, CounterValue>,
    /// The per-switch cost without the mechanism: (round trip − the floors of both sides)
    /// / 2, on one CPU, where a floor applies (see `floor_used`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_ns_per_switch: Option<f64>,
    /// The floor subtracted for `direct_ns_per_switch` (its id and median ns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_used: Option<String>,
    /// Working set: what the switches cost beyond the direct cost, per switch, after
    /// subtracting the same touches made without switching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indirect_ns_per_switch: Option<f64>,
    /// The scheduling policy the participants ran under where the experiment sets one
    /// (rings and working sets: `SCHED_FIFO`, else `SCHED_BATCH`); absent for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// How much other tasks ran on the measured CPU during the timed batches (same-CPU
    /// placements), for the attempt kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disturbance: Option<Disturbance>,
    /// Attempts that were measured again because other tasks disturbed them, one line
    /// each saying how; empty when the first attempt was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
    /// Secondary figures by name (documented where each experiment sets them, e.g.
    /// `touch_ns_per_round_trip`, `idle_ns_per_round_trip`, `minor_faults_per_iter`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, f64>,
}

/// What an outcome is about, apart from its measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeMeta {
    /// The id.
    pub id: String,
    /// The experiment name.
    pub experiment: String,
    /// Processes or threads.
    pub participants: Option<Participants>,
    /// The mechanism.
    pub mechanism: Option<Mechanism>,
    /// The placement kind.
    pub placement: Option<PlacementKind>,
    /// The CPUs used.
    pub cpus: Vec<usize>,
    /// The size parameter.
    pub parameter: Option<u64>,
    /// The variant.
    pub variant: Option<String>,
}

impl OutcomeMeta {
    /// The meta of a ping-pong.
    pub fn pingpong(spec: &PingPongSpec) -> Self {
        Self {
            id: spec.id(),
            experiment: "pingpong".into(),
            participants: Some(spec.participants),
            mechanism: Some(spec.mechanism),
            placement: Some(spec.placement.kind()),
            cpus: spec.placement.cpus(),
            parameter: None,
            variant: None,
        }
    }
}

impl Outcome {
    /// The counter `name` per switch, when it was measured; `None` when it is missing,
    /// unsupported, or the iteration has no known switch count.
    pub fn counter_per_switch(&self, name: &str) -> Option<f64> {
        match self.counters.get(name)? {
            CounterValue::Measured { per_switch, .. } => *per_switch,
            CounterValue::Unsupported { .. } => None,
        }
    }
}

/// Times `h` and counts its switches and every known perf event, giving the outcome for
/// `spec` (see [`measure_pingpong_with`]).
pub fn measure_pingpong(
    spec: &PingPongSpec,
    h: &mut dyn Harness,
    cfg: &SampleConfig,
) -> Result<Outcome> {
    measure_pingpong_with(spec, h, cfg, &Counting::all())
}

/// Which perf events the counted run opens.
#[derive(Debug, Clone, PartialEq)]
pub enum Counting {
    /// None: switches come from procfs and `counters` stays empty.
    Off,
    /// These events (refused ones are reported as unsupported, never as zero).
    Events(Vec<&'static counters::EventDef>),
}

impl Counting {
    /// Every known event.
    pub fn all() -> Self {
        Counting::Events(counters::events::all())
    }
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

/// One counted run: procfs switch counts of every participant and the perf events of
/// `set`, both over the same `iters` iterations (the counters are enabled right before
/// the run and disabled right after it). `h` must have been built after `set` was opened
/// on this thread, or the counters miss its peer, and `set` attached to it
/// ([`counters::CounterSet::attach_harness`]).
pub fn count_run(
    h: &mut dyn Harness,
    iters: u64,
    set: &mut counters::CounterSet,
) -> Result<(
    SwitchCount,
    Vec<(&'static counters::EventDef, counters::EventReading)>,
)> {
    let iters = iters.max(1);
    let before = switches::read_tasks(h.tasks())?;
    let started = set.start();
    let run = h.run(iters);
    let readings = set.stop(started);
    run?;
    let after = switches::read_tasks(h.tasks())?;
    Ok((SwitchCount::between(before, after, iters), readings))
}

/// Runs `f` over the participants `tasks` and returns what other tasks took of the CPU
/// meanwhile (see [`crate::disturbance`]), or `None` where procfs could not be read.
fn loaded<T>(
    tasks: &[crate::harness::Task],
    f: impl FnOnce() -> Result<T>,
) -> Result<(T, Option<BatchLoad>)> {
    let before = disturbance::read_tasks(tasks).ok();
    let wall = Instant::now();
    let out = f()?;
    let wall = wall.elapsed().as_nanos() as f64;
    let after = disturbance::read_tasks(tasks).ok();
    Ok((
        out,
        before
            .zip(after)
            .map(|(b, a)| BatchLoad::between(b, a, wall)),
    ))
}

/// Where the counted run was disturbed and its switch count fell outside the band, the
/// count says nothing about the harness: the outcome keeps its validity from the timed
/// batches, and the attempt is marked for measuring again.
fn excuse_disturbed_count(o: &mut Outcome, counted: Option<BatchLoad>) {
    let Some(load) = counted.filter(|l| l.disturbed()) else {
        return;
    };
    if o.placement != Some(PlacementKind::SameCpu) || o.valid {
        return;
    }
    let share = load.others_ns / load.wall_ns.max(1.0);
    o.valid = true;
    o.validity = format!(
        "not judged: other tasks took {:.1}% of the CPU during the counted run ({})",
        share * 100.0,
        o.validity
    );
    o.disturbance
        .get_or_insert_with(Disturbance::default)
        .counted_run = Some(share);
}

/// Puts counter readings over `iters` iterations into an outcome: the `counters` map,
/// and `switches_per_round_trip` from the `context-switches` counter where it counted
/// (else `sched:sched_switch`, else the procfs count already there), judged again.
///
/// Per-switch values divide by the switches an iteration is expected to make where the
/// placement gives that (2 on one CPU), else by the measured switches per round trip.
pub fn apply_counters(
    o: &mut Outcome,
    expected_switches: Option<f64>,
    readings: &[(&'static counters::EventDef, counters::EventReading)],
    iters: u64,
) {
    if let Some((per_iter, source)) = counters::switches_from(readings, iters) {
        o.switches_per_round_trip = per_iter;
        o.switch_count_source = source.to_string();
        // The procfs count of the same run was judged already; a failure of either stands.
        let (valid, validity) = judge(expected_switches, per_iter);
        if o.valid {
            o.valid = valid;
            o.validity = validity;
        } else {
            o.validity = format!("procfs: {}", o.validity);
        }
    }
    let divisor = expected_switches.or(Some(o.switches_per_round_trip));
    o.counters = counters::to_map(readings, iters, divisor);
}

/// Iterations of the counted run: at least one sample's worth and 1000, but no more than
/// about a quarter of a second for slow iterations (a ring of 16, a 32 MiB working set).
pub fn count_iters(samples: &Samples) -> u64 {
    let mut sorted = samples.ns_per_iter.clone();
    sorted.sort_by(f64::total_cmp);
    let median = crate::stats::quantile(&sorted, 0.5);
    let affordable = if median.is_finite() && median > 0.0 {
        (250e6 / median) as u64
    } else {
        1000
    };
    samples.iters_per_sample.max(1000.min(affordable)).max(10)
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
    let iters = count_iters(&samples);
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
    if let Some(d) = o.disturbance.as_mut() {
        if d.disturbed_batches > 0 {
            let members: Vec<i32> = h.tasks().iter().map(|t| t.tid).collect();
            d.by = census_after.busiest_since(&census, &o.cpus, &members, 3);
        }
    }
    Ok(o)
}

/// Assembles a ping-pong outcome from measurements (pure: unit-testable).
pub fn pingpong_outcome(
    spec: &PingPongSpec,
    expected_switches: Option<f64>,
    samples: Samples,
    count: SwitchCount,
) -> Outcome {
    outcome(
        OutcomeMeta::pingpong(spec),
        expected_switches,
        samples,
        count,
    )
}

/// Assembles an outcome of any experiment from measurements (pure: unit-testable).
pub fn outcome(
    meta: OutcomeMeta,
    expected_switches: Option<f64>,
    samples: Samples,
    count: SwitchCount,
) -> Outcome {
    let summary = Summary::of(&samples.ns_per_iter).unwrap_or(Summary {
        n: 0,
        median: f64::NAN,
        mean: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
        p25: f64::NAN,
        p75: f64::NAN,
        stddev: f64::NAN,
    });
    let (valid, validity) = judge(expected_switches, count.per_iter);
    let per_switch = expected_switches.filter(|&e| e > 0.0);
    Outcome {
        id: meta.id,
        experiment: meta.experiment,
        participants: meta.participants,
        mechanism: meta.mechanism,
        placement: meta.placement,
        parameter: meta.parameter,
        variant: meta.variant,
        cpus: meta.cpus,
        iterations_per_sample: samples.iters_per_sample,
        samples_ns_per_round_trip: samples.ns_per_iter,
        ns_per_switch: per_switch.map(|e| summary.median / e),
        ns_per_round_trip: summary,
        switches_per_round_trip: count.per_iter,
        switch_count_source: "procfs: voluntary + involuntary switches of every participant".into(),
        switch_count: count,
        timed_switches_per_round_trip: None,
        valid,
        validity,
        counters: BTreeMap::new(),
        direct_ns_per_switch: None,
        floor_used: None,
        indirect_ns_per_switch: None,
        policy: None,
        disturbance: None,
        retries: Vec::new(),
        extra: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Placement;

    #[test]
    fn timed_switches_invalidate_a_loop_that_did_not_sleep() {
        let spec = PingPongSpec {
            participants: Participants::Thread,
            mechanism: Mechanism::Futex,
            placement: Placement::SameCpu(0),
        };
        let samples = Samples {
            iters_per_sample: 100,
            ns_per_iter: vec![1000.0, 1100.0],
        };
        let count = SwitchCount {
            iters: 1000,
            voluntary: 2000,
            involuntary: 0,
            per_iter: 2.0,
        };
        let timed = |per_iter: f64| SwitchCount {
            iters: 200,
            voluntary: (per_iter * 200.0) as u64,
            involuntary: 0,
            per_iter,
        };
        let mut o = pingpong_outcome(&spec, Some(2.0), samples.clone(), count);
        apply_timed_switches(&mut o, Some(2.0), Some(timed(2.0)));
        assert!(o.valid, "{}", o.validity);
        assert_eq!(o.timed_switches_per_round_trip, Some(2.0));

        let mut o = pingpong_outcome(&spec, Some(2.0), samples.clone(), count);
        apply_timed_switches(&mut o, Some(2.0), Some(timed(0.3)));
        assert!(!o.valid);
        assert!(
            o.validity.starts_with("during the timed samples"),
            "{}",
            o.validity
        );

        // Off one CPU nothing is promised: recorded, not judged.
        let mut o = pingpong_outcome(&spec, None, samples, count);
        apply_timed_switches(&mut o, None, Some(timed(0.3)));
        assert!(o.valid);
        assert_eq!(o.timed_switches_per_round_trip, Some(0.3));
    }

    #[test]
    fn judge_band() {
        assert!(judge(Some(2.0), 2.0).0);
        assert!(judge(Some(2.0), 1.8).0);
        assert!(judge(Some(2.0), 2.2).0);
        let (ok, why) = judge(Some(2.0), 1.0);
        assert!(!ok && why.contains("did not sleep"), "{why}");
        let (ok, why) = judge(Some(2.0), 5.1);
        assert!(!ok && why.contains("extra switches"), "{why}");
        let (ok, why) = judge(None, 0.3);
        assert!(ok && why.starts_with("not checked"));
    }

    #[test]
    fn outcome_per_switch_only_on_one_cpu() {
        let count = SwitchCount {
            iters: 1000,
            voluntary: 2000,
            involuntary: 1,
            per_iter: 2.001,
        };
        let samples = Samples {
            iters_per_sample: 100,
            ns_per_iter: vec![1000.0, 1200.0, 1100.0],
        };
        let spec = PingPongSpec {
            participants: Participants::Process,
            mechanism: Mechanism::Pipe,
            placement: Placement::SameCpu(0),
        };
        let o = pingpong_outcome(&spec, Some(2.0), samples.clone(), count);
        assert_eq!(o.ns_per_switch, Some(550.0));
        assert!(o.valid);
        let cross = PingPongSpec {
            placement: Placement::CrossCpu(0, 1),
            ..spec
        };
        let o = pingpong_outcome(&cross, None, samples, count);
        assert_eq!(o.ns_per_switch, None);
        assert_eq!(o.id, "pingpong/process-pipe/cross-cpu");
    }
}
