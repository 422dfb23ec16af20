//! The counted run: procfs switch counts and perf events over a run of its own.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::disturbance::{self, BatchLoad};
use super::switches::{self, TaskSwitches};
use super::{judge, Outcome};
use crate::counters;
use crate::error::Result;
use crate::harness::Harness;

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
/// meanwhile (see [`crate::measure::disturbance`]), or `None` where procfs could not be read.
pub(crate) fn loaded<T>(
    tasks: &[crate::harness::Task],
    f: impl FnOnce() -> Result<T>,
) -> Result<(T, Option<BatchLoad>)> {
    let before = disturbance::read_tasks_before(tasks).ok();
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

/// Puts counter readings over `iters` iterations into an outcome: the `counters` map,
/// and `switches_per_iteration` from the `context-switches` counter where it counted
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
        o.switches_per_iteration = per_iter;
        o.switch_count_source = source.to_string();
        // The procfs count of the same run was judged already; a failure of either stands.
        // The procfs count of the same run was judged already; a failure of either stands.
        let v = judge(expected_switches, per_iter);
        if o.valid {
            v.record(o);
        } else {
            o.validity = format!("procfs: {}", o.validity);
        }
    }
    let divisor = expected_switches.or(Some(o.switches_per_iteration));
    o.counters = counters::to_map(readings, iters, divisor);
}
