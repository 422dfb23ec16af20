//! Whether a harness did what it claims: the switch count against the expectation, on
//! the quiet batches, and a disturbed counted run excused.

use super::disturbance::{BatchLoad, Disturbance};
use super::{Outcome, SwitchCount, TimedLoad};
use crate::spec::PlacementKind;

/// The accepted band around the expected switch count: ±10%.
pub const VALID_BAND: f64 = 0.1;

/// The most switches per iteration a lone task (a floor) may show and still be valid.
pub const ZERO_SWITCH_LIMIT: f64 = 0.01;

/// Whether a harness did what it claims, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validity {
    /// The switch count is what the placement promises.
    Valid(String),
    /// The switch count is wrong: the harness's own mistake.
    Invalid(String),
    /// There is no fixed expectation (off one CPU, a creation), or the count could not
    /// be judged (a disturbed counted run); the figures stand.
    Unchecked(String),
}

impl Validity {
    /// False only for [`Validity::Invalid`].
    pub fn is_valid(&self) -> bool {
        !matches!(self, Validity::Invalid(_))
    }

    /// The reason, as results files keep it.
    pub fn message(&self) -> &str {
        match self {
            Validity::Valid(m) | Validity::Invalid(m) | Validity::Unchecked(m) => m,
        }
    }

    /// The same verdict, said of `what` (e.g. "during the timed samples").
    pub fn of(self, what: &str) -> Self {
        let say = |m: String| format!("{what}: {m}");
        match self {
            Validity::Valid(m) => Validity::Valid(say(m)),
            Validity::Invalid(m) => Validity::Invalid(say(m)),
            Validity::Unchecked(m) => Validity::Unchecked(say(m)),
        }
    }

    /// Writes it into an outcome's `valid` and `validity` fields (the results file's form).
    pub fn record(self, o: &mut Outcome) {
        o.valid = self.is_valid();
        o.validity = match self {
            Validity::Valid(m) | Validity::Invalid(m) | Validity::Unchecked(m) => m,
        };
    }
}

/// Judges a measured switch count against what the placement promises.
pub fn judge(expected: Option<f64>, measured: f64) -> Validity {
    match expected {
        // A task running alone: an occasional preemption by a timer tick is fine.
        Some(e) if e <= 0.0 && measured <= ZERO_SWITCH_LIMIT => Validity::Valid(format!(
            "ok: {measured:.4} switches per iteration (expected about 0)"
        )),
        Some(e) if e <= 0.0 => Validity::Invalid(format!(
            "invalid: {measured:.3} switches per iteration where the task should run alone: \
             another task shares the CPU, pick a quieter one with --cpus"
        )),
        Some(e) => {
            let (lo, hi) = (e * (1.0 - VALID_BAND), e * (1.0 + VALID_BAND));
            if (lo..=hi).contains(&measured) {
                return Validity::Valid(format!(
                    "ok: {measured:.2} switches per round trip (expected {lo:.1}-{hi:.1})"
                ));
            }
            let hint = if measured < lo {
                "a side did not sleep every time (a wait that never blocked is not a switch)"
            } else {
                "extra switches: preemption by other tasks, or a wake-up into a held lock"
            };
            Validity::Invalid(format!(
                "invalid: {measured:.2} switches per round trip, expected {lo:.1}-{hi:.1}: {hint}"
            ))
        }
        None => Validity::Unchecked(format!(
            "not checked: {measured:.2} switches per round trip; off one CPU a round trip is \
             wake-up latency, with no fixed switch count"
        )),
    }
}

/// Judges the timed batches: the switches of the quiet ones (other tasks under 1% of the
/// CPU) against the expectation, and how disturbed the batches were. Records both in
/// `o`. A quiet batch with the wrong switch count is the harness's mistake (invalid); a
/// disturbed one says nothing about the harness, and only makes the attempt worth
/// measuring again.
pub fn apply_timed_load(o: &mut Outcome, expected: Option<f64>, load: &TimedLoad, iters: u64) {
    if let Some(timed) = load.switches {
        o.timed_switches_per_iteration = Some(timed.per_iter);
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
    let v = judge(expected, per_iter);
    if !v.is_valid() {
        v.of(&format!(
            "during the timed samples ({} quiet batches of {})",
            quiet.len(),
            load.batches.len()
        ))
        .record(o);
    }
}

/// Records the switches of the timed batches in `o` and judges them as the counted run
/// was judged: a result whose timed loops did not switch as promised is invalid too.
pub fn apply_timed_switches(o: &mut Outcome, expected: Option<f64>, timed: Option<SwitchCount>) {
    let Some(timed) = timed else { return };
    o.timed_switches_per_iteration = Some(timed.per_iter);
    if expected.is_none() || !o.valid {
        return;
    }
    let v = judge(expected, timed.per_iter);
    if !v.is_valid() {
        v.of("during the timed samples").record(o);
    }
}

/// For a task that runs alone (no switch expected), judges its *voluntary* switches where
/// the count of both kinds failed: its own switches are voluntary (it blocked), while
/// involuntary ones are other tasks preempting it, which the disturbance figures already
/// show. It matters where iterations are long (a 1 MiB read, PEEKDATA word by word over
/// milliseconds): there one preemption now and then is over [`ZERO_SWITCH_LIMIT`] per
/// iteration. `timed` is the procfs count over the timed batches.
pub(crate) fn excuse_preemptions(
    o: &mut Outcome,
    expected: Option<f64>,
    timed: Option<SwitchCount>,
) {
    if o.valid || !expected.is_some_and(|e| e <= 0.0) {
        return;
    }
    let voluntary = |c: &SwitchCount| c.voluntary as f64 / c.iters.max(1) as f64;
    let counted = voluntary(&o.switch_count);
    let timed = timed.as_ref().map_or(0.0, voluntary);
    if counted.max(timed) > ZERO_SWITCH_LIMIT {
        return;
    }
    let preempted = o.switch_count.involuntary as f64 / o.switch_count.iters.max(1) as f64;
    Validity::Valid(format!(
        "ok: {counted:.4} voluntary switches per iteration (expected about 0: a task running \
         alone never blocks); {preempted:.3} involuntary, other tasks preempting it"
    ))
    .record(o);
}

/// Where the counted run was disturbed and its switch count fell outside the band, the
/// count says nothing about the harness: the outcome keeps its validity from the timed
/// batches, and the attempt is marked for measuring again.
pub(crate) fn excuse_disturbed_count(o: &mut Outcome, counted: Option<BatchLoad>) {
    let Some(load) = counted.filter(|l| l.disturbed()) else {
        return;
    };
    if o.placement != Some(PlacementKind::SameCpu) || o.valid {
        return;
    }
    let share = load.others_ns / load.wall_ns.max(1.0);
    Validity::Unchecked(format!(
        "not judged: other tasks took {:.1}% of the CPU during the counted run ({})",
        share * 100.0,
        o.validity
    ))
    .record(o);
    o.disturbance
        .get_or_insert_with(Disturbance::default)
        .counted_run = Some(share);
}
