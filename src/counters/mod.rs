//! Perf-event counters: what the hardware and the kernel did during a harness's switches.
//!
//! Three families ([`events::Family`]): hardware (the PMU; absent in most VMs), software
//! (the kernel's own counts) and tracepoints (`sched:sched_switch`, and
//! `sched:sched_switch:preempted` filtered to tasks still runnable; system calls
//! `raw_syscalls:sys_enter`; timers armed `timer:hrtimer_start`; `tlb:tlb_flush`, and
//! `tlb:tlb_flush:full` filtered to `pages != 0`). Each event is
//! opened once per harness set-up, on the driver thread *before* the harness is built so
//! that every participant inherits it, kernel included, and enabled only around a counted
//! run of a harness of its own (never around timed samples). The `tlb:*` tracepoints are
//! the exception: they are counted per CPU, filtered to the participants' thread ids, and
//! opened after the harness is built (see [`EventDef::cpu_wide`] for why).
//!
//! ```no_run
//! use ctxbench::counters::{self, CounterSet};
//! use ctxbench::harness;
//! use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};
//!
//! let spec = PingPongSpec {
//!     participants: Participants::Process,
//!     mechanism: Mechanism::Pipe,
//!     placement: Placement::SameCpu(0),
//! };
//! // Open first, then build: the peer inherits the counters; then attach the per-CPU
//! // events to the harness's tasks.
//! let mut set = CounterSet::open(&counters::events::all());
//! let mut h = harness::build(&spec).unwrap();
//! set.attach_harness(h.as_ref());
//! let started = set.start();
//! h.run(10_000).unwrap();
//! for (event, reading) in set.stop(started) {
//!     println!("{}: {:?}", event.name, counters::value_of(&reading, 10_000, Some(2.0)));
//! }
//! ```
//!
//! [`count_round_trips`] does these steps for one run, and [`per_iteration`] gives one
//! event's count per round trip.

pub mod criterion;
pub mod events;
pub mod open;
pub mod reading;
pub mod reasons;
pub mod tracefs;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use events::{EventDef, Family, EVENTS};
pub use open::CounterSet;
pub use reading::{EventReading, Reading};

/// An event's per-round-trip and per-switch value from a reading over `iters` round
/// trips. `switches_per_iter` divides for the per-switch value: the harness's expected
/// switches per round trip where it has one (2 on one CPU), else the measured count;
/// `None` or zero leaves `per_switch` empty.
pub fn value_of(
    reading: &EventReading,
    iters: u64,
    switches_per_iter: Option<f64>,
) -> CounterValue {
    match reading {
        EventReading::Counted(r) => {
            let per_iteration = r.scaled / iters.max(1) as f64;
            CounterValue::Measured {
                per_iteration,
                per_switch: switches_per_iter
                    .filter(|s| *s > 0.0 && s.is_finite())
                    .map(|s| per_iteration / s),
                total: r.scaled,
                multiplexed: r.multiplexed,
            }
        }
        EventReading::Refused(reason) => CounterValue::Unsupported {
            unsupported: reason.clone(),
        },
    }
}

/// Counts `events` over `iters` round trips of a harness from `build`, and returns what
/// each counted, in the order given.
///
/// `build` is called after the counters are opened, so that the peer it starts inherits
/// them (a harness built before cannot be counted); the per-CPU events are then attached
/// to its tasks. Call it on the thread that is to drive the harness. An `Err` is the
/// harness failing; an event this machine refuses is an [`EventReading::Refused`] with
/// the reason.
pub fn count_round_trips(
    build: impl FnOnce() -> crate::error::Result<Box<dyn crate::harness::Harness>>,
    events: &[&'static EventDef],
    iters: u64,
) -> crate::error::Result<Vec<(&'static EventDef, EventReading)>> {
    let iters = iters.max(1);
    let mut set = CounterSet::open(events);
    let mut h = build()?;
    set.attach_harness(h.as_ref());
    let started = set.start();
    let run = h.run(iters);
    let readings = set.stop(started);
    run?;
    Ok(readings)
}

/// The event `name` (perf or short name) per round trip over `iters` round trips of a
/// harness from `build` (see [`count_round_trips`]): `Ok(Ok(count))`, `Ok(Err(why))` when
/// this machine refuses the event, `Err` when the name is unknown or the harness fails.
///
/// ```no_run
/// use ctxbench::{counters, harness};
/// use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};
///
/// let spec = PingPongSpec {
///     participants: Participants::Thread,
///     mechanism: Mechanism::Futex,
///     placement: Placement::SameCpu(0),
/// };
/// match counters::per_iteration(|| harness::build(&spec), "timer-starts", 2000).unwrap() {
///     Ok(n) => println!("{n:.3} timers armed per round trip"),
///     Err(why) => println!("not counted: {why}"),
/// }
/// ```
pub fn per_iteration(
    build: impl FnOnce() -> crate::error::Result<Box<dyn crate::harness::Harness>>,
    name: &str,
    iters: u64,
) -> crate::error::Result<Result<f64, String>> {
    let def = events::find(name).ok_or_else(|| {
        crate::error::Error::InvalidInput(format!(
            "unknown event {name:?}; known events: {}",
            events::known_names()
        ))
    })?;
    let readings = count_round_trips(build, &[def], iters)?;
    Ok(match &readings[0].1 {
        EventReading::Counted(r) => Ok(r.scaled / iters.max(1) as f64),
        EventReading::Refused(why) => Err(why.clone()),
    })
}

/// The events that count context switches, best first, with how the source is named in
/// results (`switch_count_source`).
pub const SWITCH_SOURCES: [(&str, &str); 2] = [
    (
        "context-switches",
        "perf: context-switches (software event, every participant, kernel included)",
    ),
    (
        "sched:sched_switch",
        "perf: sched:sched_switch (tracepoint, every participant)",
    ),
];

/// Switches per round trip from the best switch-counting event that counted, with its
/// source description; `None` when neither did.
pub fn switches_from(
    readings: &[(&'static EventDef, EventReading)],
    iters: u64,
) -> Option<(f64, &'static str)> {
    SWITCH_SOURCES.iter().find_map(|(name, source)| {
        readings.iter().find_map(|(def, r)| match r {
            EventReading::Counted(r) if def.name == *name => {
                Some((r.scaled / iters.max(1) as f64, *source))
            }
            _ => None,
        })
    })
}

/// The readings as an outcome's `counters` map.
pub fn to_map(
    readings: &[(&'static EventDef, EventReading)],
    iters: u64,
    switches_per_iter: Option<f64>,
) -> BTreeMap<String, CounterValue> {
    readings
        .iter()
        .map(|(def, r)| (def.name.to_string(), value_of(r, iters, switches_per_iter)))
        .collect()
}

/// Whether this machine lets this process count each event, tried on the calling thread:
/// `None` if it opens, else the reason.
pub fn machine_status(events: &[&'static EventDef]) -> Vec<(&'static EventDef, Option<String>)> {
    let mut set = CounterSet::open(events);
    let cpus = crate::cpus::allowed_cpus().unwrap_or_default();
    set.attach(&[crate::harness::Task::current()], &cpus);
    set.status()
        .into_iter()
        .map(|(d, r)| (d, r.map(str::to_string)))
        .collect()
}

/// Which counter families this process can count, for the machine fingerprint: per family
/// `available`, `available except ...`, or `unsupported: <reason>`.
pub fn family_status() -> BTreeMap<String, String> {
    summarise_families(&machine_status(&events::all()))
}

/// Folds per-event statuses into one line per family.
pub fn summarise_families(
    status: &[(&'static EventDef, Option<String>)],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut families: Vec<Family> = Vec::new();
    for (d, _) in status {
        if !families.contains(&d.family) {
            families.push(d.family);
        }
    }
    for fam in families {
        let of: Vec<_> = status.iter().filter(|(d, _)| d.family == fam).collect();
        let refused: Vec<_> = of.iter().filter(|(_, r)| r.is_some()).collect();
        let line = if refused.is_empty() {
            "available".to_string()
        } else if refused.len() == of.len() {
            format!("unsupported: {}", refused[0].1.as_deref().unwrap_or(""))
        } else {
            let names: Vec<&str> = refused.iter().map(|(d, _)| d.name).collect();
            format!("available except {}", names.join(", "))
        };
        out.insert(fam.to_string(), line);
    }
    out
}

/// One counter's reading in an outcome. In JSON either
/// `{"per_round_trip": x, "per_switch": y, ...}` or `{"unsupported": "reason"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CounterValue {
    /// The event opened and counted.
    Measured {
        /// Events per iteration (round trip, or lap of a ring); `per_round_trip` in JSON.
        #[serde(rename = "per_round_trip")]
        per_iteration: f64,
        /// Events per context switch, where the iteration has a known switch count.
        per_switch: Option<f64>,
        /// The (scaled) total over the counted run.
        total: f64,
        /// True when the kernel multiplexed the counter and the total was scaled by
        /// `time_enabled / time_running`.
        multiplexed: bool,
    },
    /// The event could not be counted here.
    Unsupported {
        /// Why, and how to allow it where that is possible.
        unsupported: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(scaled: f64, multiplexed: bool) -> EventReading {
        EventReading::Counted(Reading {
            raw: scaled as u64,
            scaled,
            multiplexed,
        })
    }

    #[test]
    fn families_fold_into_one_line_each() {
        let all = events::all();
        let status: Vec<_> = all
            .iter()
            .map(|d| {
                let refused = match d.family {
                    Family::Hardware => Some("no hardware PMU (ENOENT)".to_string()),
                    Family::Tracepoint if d.name == "tlb:tlb_flush" => Some("no tracefs".into()),
                    _ => None,
                };
                (*d, refused)
            })
            .collect();
        let f = summarise_families(&status);
        assert_eq!(f["software"], "available");
        assert_eq!(f["hardware"], "unsupported: no hardware PMU (ENOENT)");
        assert!(f["tracepoint"].starts_with("available except tlb:tlb_flush"));
    }

    #[test]
    fn per_round_trip_and_per_switch() {
        match value_of(&counted(4000.0, false), 1000, Some(2.0)) {
            CounterValue::Measured {
                per_iteration,
                per_switch,
                total,
                multiplexed,
            } => {
                assert_eq!(per_iteration, 4.0);
                assert_eq!(per_switch, Some(2.0));
                assert_eq!(total, 4000.0);
                assert!(!multiplexed);
            }
            other => panic!("{other:?}"),
        }
        match value_of(&counted(500.0, true), 1000, Some(0.0)) {
            CounterValue::Measured {
                per_iteration,
                per_switch,
                multiplexed,
                ..
            } => {
                assert_eq!(per_iteration, 0.5);
                assert_eq!(per_switch, None);
                assert!(multiplexed);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            value_of(&counted(1.0, false), 10, None),
            CounterValue::Measured {
                per_switch: None,
                ..
            }
        ));
    }

    #[test]
    fn refusals_stay_refusals() {
        let v = value_of(&EventReading::Refused("no PMU".into()), 1000, Some(2.0));
        assert_eq!(
            v,
            CounterValue::Unsupported {
                unsupported: "no PMU".into()
            }
        );
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, r#"{"unsupported":"no PMU"}"#);
    }

    #[test]
    fn switch_source_prefers_context_switches() {
        let cs = events::find("context-switches").unwrap();
        let ss = events::find("sched:sched_switch").unwrap();
        let r = vec![(ss, counted(1990.0, false)), (cs, counted(2000.0, false))];
        let (v, src) = switches_from(&r, 1000).unwrap();
        assert_eq!(v, 2.0);
        assert!(src.contains("context-switches"));
        let r = vec![
            (cs, EventReading::Refused("x".into())),
            (ss, counted(1990.0, false)),
        ];
        let (v, src) = switches_from(&r, 1000).unwrap();
        assert_eq!(v, 1.99);
        assert!(src.contains("sched_switch"));
        let r = vec![(cs, EventReading::Refused("x".into()))];
        assert!(switches_from(&r, 1000).is_none());
    }
}
