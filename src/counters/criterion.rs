//! A criterion [`Measurement`] whose value is an event count, so counter values reach
//! criterion's reports next to time.
//!
//! Criterion divides each sample's value by its iterations, so a sample of `iters` round
//! trips reports events per round trip. Use it with `iter_custom`, counting a harness
//! that was built after the [`CounterSet`] was opened (so its peer inherits the counter)
//! and to which the set was then attached (for the per-CPU `tlb:*` events):
//!
//! ```no_run
//! use ctxbench::counters::criterion::EventCount;
//! use ctxbench::counters::{events, CounterSet};
//! use ctxbench::harness;
//! use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};
//!
//! let def = events::find("tlb:tlb_flush").unwrap();
//! let mut set = CounterSet::open(&[def]);
//! let spec = PingPongSpec {
//!     participants: Participants::Process,
//!     mechanism: Mechanism::Pipe,
//!     placement: Placement::SameCpu(0),
//! };
//! let mut h = harness::build(&spec).unwrap();
//! set.attach_harness(h.as_ref());
//! let m = EventCount::new(set).expect("the event opened");
//! let counter = m.clone();
//! let mut c = criterion::Criterion::default().with_measurement(m);
//! c.bench_function("counters/tlb-flushes/pingpong/process-pipe/same-cpu", |b| {
//!     b.iter_custom(|iters| counter.count(|| h.run(iters)).expect("harness run").1)
//! });
//! ```
//!
//! criterion's `start`/`end` cannot fail, so the counter is opened and checked before it
//! is handed over ([`EventCount::new`] refuses an event that did not open).

use std::cell::RefCell;
use std::rc::Rc;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::Throughput;

use perf_event::events::Software;

use super::events::EventDef;
use super::open::{CounterSet, Started};
use super::reading::EventReading;

/// An event count as a criterion measurement. Cloning shares the same counter.
///
/// # Panics
/// criterion's `Measurement::end` cannot fail, so when an opened counter cannot be read
/// (the kernel never scheduled it), ending a measurement panics with "... could not be
/// counted: REASON" rather than hand criterion a made-up value; the counter benches
/// catch that per benchmark. [`EventCount::new`] refuses events that do not open at all.
#[derive(Clone)]
pub struct EventCount {
    def: &'static EventDef,
    set: Rc<RefCell<CounterSet>>,
    formatter: CountFormatter,
}

impl EventCount {
    /// Wraps a set holding exactly one event that opened, or that waits for a harness to
    /// be attached (see [`attach`](Self::attach)); otherwise returns the reason.
    pub fn new(set: CounterSet) -> Result<Self, String> {
        let status = set.status();
        let [(def, why)] = status.as_slice() else {
            return Err(format!(
                "an EventCount counts one event, not {}",
                status.len()
            ));
        };
        if let (Some(why), false) = (why, set.pending()) {
            return Err(why.to_string());
        }
        let def = *def;
        Ok(Self {
            def,
            set: Rc::new(RefCell::new(set)),
            formatter: CountFormatter { unit: unit_of(def) },
        })
    }

    /// Attaches the per-CPU events to `h`'s tasks; the reason if the event is still not
    /// open after that.
    pub fn attach(&self, h: &dyn crate::harness::Harness) -> Result<(), String> {
        let mut set = self.set.borrow_mut();
        set.attach_harness(h);
        match set.status()[0].1 {
            None => Ok(()),
            Some(why) => Err(why.to_string()),
        }
    }

    /// The event counted.
    pub fn event(&self) -> &'static EventDef {
        self.def
    }

    /// Runs `f` with the counter enabled and returns its result with the count.
    ///
    /// # Panics
    /// When the counter could not be read (see [`try_count`](Self::try_count)).
    pub fn count<T, E>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<(T, f64), E> {
        let started = self.set.borrow_mut().start();
        let out = f();
        let value = self.finish(started);
        out.map(|t| (t, value))
    }

    /// [`count`](Self::count) that says why instead of panicking: `f` failed, or the
    /// counter could not be read.
    pub fn try_count<T, E: std::fmt::Display>(
        &self,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<(T, f64), String> {
        let started = self.set.borrow_mut().start();
        let out = f().map_err(|e| format!("the harness failed: {e}"));
        let value = self.reading(started);
        Ok((out?, value?))
    }

    /// The count since `started`, or why there is none: the counter opened and was
    /// enabled, but the kernel never scheduled it (a PMU taken by another user) or its
    /// read failed.
    fn reading(&self, started: Started) -> Result<f64, String> {
        let readings = self.set.borrow_mut().stop(started);
        match &readings[0].1 {
            EventReading::Counted(r) => Ok(r.scaled),
            EventReading::Refused(why) => {
                Err(format!("{} could not be counted: {why}", self.def.name))
            }
        }
    }

    fn finish(&self, started: Started) -> f64 {
        // criterion's `end` cannot fail and a zero would be a lie: this panics with the
        // reason instead (the counter benches use `try_count`, which says it).
        self.reading(started).unwrap_or_else(|why| panic!("{why}"))
    }
}

fn unit_of(def: &EventDef) -> &'static str {
    match def.kind {
        super::events::Kind::Software(s) if s == Software::TASK_CLOCK => "ns",
        _ => "events",
    }
}

impl Measurement for EventCount {
    type Intermediate = Started;
    type Value = f64;

    fn start(&self) -> Started {
        self.set.borrow_mut().start()
    }

    fn end(&self, i: Started) -> f64 {
        self.finish(i)
    }

    fn add(&self, v1: &f64, v2: &f64) -> f64 {
        v1 + v2
    }

    fn zero(&self) -> f64 {
        0.0
    }

    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &self.formatter
    }
}

/// Formats counts as they are (no SI scaling: "2.0000 events" per round trip reads
/// better than "2.0000 events" in some prefix).
#[derive(Clone, Copy)]
struct CountFormatter {
    unit: &'static str,
}

impl ValueFormatter for CountFormatter {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        self.unit
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per = match throughput {
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => *n as f64,
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => *n as f64,
            Throughput::Bits(n) => *n as f64,
        };
        for v in values.iter_mut() {
            *v /= per.max(1.0);
        }
        match throughput {
            Throughput::Bytes(_) | Throughput::BytesDecimal(_) => "per byte",
            Throughput::Bits(_) => "per bit",
            _ => "per element",
        }
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        self.unit
    }
}

/// What a pilot of counted batches says about handing an event to criterion.
///
/// criterion cannot take two kinds of sample: all zero (it reports "zero time per
/// iteration" and skips the benchmark), and identical values in a run and in the saved
/// baseline it compares with (its t-test then has no finite statistic, and plotting the
/// empty distribution panics). A pilot that shows either is reported as it is instead
/// of being handed over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pilot {
    /// Every batch counted zero events.
    Zero,
    /// Every batch counted exactly this many events per round trip.
    Constant(f64),
    /// The batches differ: criterion gets it. The median per round trip.
    Varies(f64),
}

/// Classifies per-round-trip values from pilot batches of equal size.
pub fn classify(per_iteration: &[f64]) -> Pilot {
    let mut v: Vec<f64> = per_iteration.to_vec();
    v.sort_by(f64::total_cmp);
    match (v.first(), v.last()) {
        (Some(&lo), Some(&hi)) if lo == hi && lo == 0.0 => Pilot::Zero,
        (Some(&lo), Some(&hi)) if lo == hi => Pilot::Constant(lo),
        (Some(_), Some(_)) => Pilot::Varies(v[v.len() / 2]),
        _ => Pilot::Zero,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::events;

    #[test]
    fn pilot_classes() {
        assert_eq!(classify(&[0.0, 0.0, 0.0]), Pilot::Zero);
        assert_eq!(classify(&[2.0, 2.0, 2.0]), Pilot::Constant(2.0));
        assert_eq!(classify(&[2.0, 2.001, 2.0]), Pilot::Varies(2.0));
        assert_eq!(classify(&[0.0, 0.001, 0.0]), Pilot::Varies(0.0));
        assert_eq!(classify(&[]), Pilot::Zero);
    }

    #[test]
    fn refuses_an_event_that_did_not_open_with_its_reason() {
        // A hardware event is refused on a machine without a PMU (or without permission);
        // where it opens, EventCount takes it.
        let set = CounterSet::open(&[events::find("cycles").unwrap()]);
        // (cycles is not a per-CPU event: nothing to attach.)
        let why = set.status()[0].1.map(str::to_string);
        match (EventCount::new(set), why) {
            (Err(e), Some(why)) => assert_eq!(e, why),
            (Ok(m), None) => assert_eq!(m.event().name, "cycles"),
            (r, why) => panic!("{:?} / {why:?}", r.map(|m| m.event().name)),
        }
    }

    #[test]
    fn formatter_keeps_counts_unscaled() {
        let f = CountFormatter { unit: "events" };
        let mut v = [2.0, 2000.0];
        assert_eq!(f.scale_values(2.0, &mut v), "events");
        assert_eq!(v, [2.0, 2000.0]);
        let mut v = [10.0];
        assert_eq!(
            f.scale_throughputs(10.0, &Throughput::Elements(5), &mut v),
            "per element"
        );
        assert_eq!(v, [2.0]);
    }
}
