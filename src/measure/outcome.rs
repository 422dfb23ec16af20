//! The result of one benchmark, and how it is assembled from measurements.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::disturbance::Disturbance;
use super::{judge, Latency, Samples, SwitchCount};
use crate::counters::CounterValue;
use crate::spec::{
    BenchId, Experiment, Mechanism, Participants, PingPongSpec, PlacementKind, Policy, Variant,
};
use crate::stats::Summary;

/// The result of one benchmark (a ping-pong, a floor, a working set, a ring, a spawn, a
/// footprint, a register state or a user-space switch).
///
/// One *iteration* is a round trip for a ping-pong, one lap for a ring, one operation for
/// a floor, one creation for a spawn, one idle task for a footprint (its time is the time
/// to start the task, its switches those it made while its memory was read, and the
/// memory itself is in `extra`); the `*_iteration` fields hold per-iteration values,
/// written to results files under their older `*_round_trip` names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The id, e.g. `pingpong/process-pipe/same-cpu` (its text in JSON).
    pub id: BenchId,
    /// The experiment, the id's first part (its name in JSON).
    pub experiment: Experiment,
    /// Processes or threads (`None` for a floor or a user-space switch, where one task runs
    /// alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Participants>,
    /// The wake-up mechanism (`None` where none is involved: the getppid floor, spawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<Mechanism>,
    /// Where the sides ran (`None` when the experiment has no placement choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementKind>,
    /// The experiment's size parameter: participants in a ring, bytes each side touches in
    /// a working set, bytes of register state each side keeps live in `regs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<u64>,
    /// The experiment's variant, where it has several (working set: `read`, `write` or
    /// `page-stride`; `regs`: the register state, `none` ... `amx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// The CPUs used, driver first (empty when unpinned).
    pub cpus: Vec<usize>,
    /// Iterations in each timed sample.
    pub iterations_per_sample: u64,
    /// Nanoseconds per iteration, one value per sample, in the order taken.
    #[serde(rename = "samples_ns_per_round_trip")]
    pub samples_ns_per_iteration: Vec<f64>,
    /// Summary of the samples.
    #[serde(rename = "ns_per_round_trip")]
    pub ns_per_iteration: Summary,
    /// Median round trip / 2 on one CPU, where a round trip is two switches (for
    /// `uswitch`, two user-space switches between coroutines); `None` elsewhere.
    pub ns_per_switch: Option<f64>,
    /// Context switches per iteration, counted in a separate run.
    #[serde(rename = "switches_per_round_trip")]
    pub switches_per_iteration: f64,
    /// Where the switch count came from.
    pub switch_count_source: String,
    /// The raw count behind `switches_per_iteration`.
    pub switch_count: SwitchCount,
    /// Context switches per iteration during the timed samples themselves (procfs, read
    /// around all the batches); judged like `switches_per_iteration`.
    #[serde(
        rename = "timed_switches_per_round_trip",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub timed_switches_per_iteration: Option<f64>,
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
    pub policy: Option<Policy>,
    /// How much other tasks ran on the measured CPU during the timed batches (same-CPU
    /// placements), for the attempt kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disturbance: Option<Disturbance>,
    /// Attempts that were measured again because other tasks disturbed them, one line
    /// each saying how; empty when the first attempt was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
    /// Wake-up latency: percentiles of single round trips from a pass of their own after
    /// the timed batches (cross-CPU and unpinned ping-pongs; see
    /// [`tails`](super::tails)). Absent elsewhere, and in files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// The levels its rounds fell into, where it was measured in paired rounds and they
    /// fell into two (each level's median ns per round trip and share of the rounds; see
    /// [`crate::stats::levels`]): its median stands for neither.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<crate::stats::levels::Level>,
    /// Secondary figures by name (documented where each experiment sets them, e.g.
    /// `touch_ns_per_round_trip`, `idle_ns_per_round_trip`, `minor_faults_per_iter`,
    /// the footprint's `pss_bytes`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, f64>,
}

/// What an outcome is about, apart from its measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeMeta {
    /// The id.
    pub id: BenchId,
    /// The experiment.
    pub experiment: Experiment,
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
    pub variant: Option<Variant>,
}

impl OutcomeMeta {
    /// The meta of a ping-pong.
    pub fn pingpong(spec: &PingPongSpec) -> Self {
        Self {
            id: spec.id(),
            experiment: Experiment::PingPong,
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
    /// Whether it is an outcome of `e`.
    pub fn is(&self, e: Experiment) -> bool {
        self.experiment == e
    }

    /// The counter `name` per switch, when it was measured; `None` when it is missing,
    /// unsupported, or the iteration has no known switch count.
    pub fn counter_per_switch(&self, name: &str) -> Option<f64> {
        match self.counters.get(name)? {
            CounterValue::Measured { per_switch, .. } => *per_switch,
            CounterValue::Unsupported { .. } => None,
        }
    }
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
    let validity = judge(expected_switches, count.per_iter);
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
        samples_ns_per_iteration: samples.ns_per_iter,
        ns_per_switch: per_switch.map(|e| summary.median / e),
        ns_per_iteration: summary,
        switches_per_iteration: count.per_iter,
        switch_count_source: "procfs: voluntary + involuntary switches of every participant".into(),
        switch_count: count,
        timed_switches_per_iteration: None,
        valid: validity.is_valid(),
        validity: validity.message().to_string(),
        counters: BTreeMap::new(),
        direct_ns_per_switch: None,
        floor_used: None,
        indirect_ns_per_switch: None,
        policy: None,
        disturbance: None,
        retries: Vec::new(),
        latency: None,
        levels: Vec::new(),
        extra: BTreeMap::new(),
    }
}
