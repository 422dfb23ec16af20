//! What a counter read: raw snapshots, their scaling when the kernel multiplexed the
//! counter, and their sum over every task.

/// What one event counted over one run, summed over every task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The raw count, summed over tasks.
    pub raw: u64,
    /// The count scaled by `time_enabled / time_running` per task (equal to `raw`
    /// unless multiplexed).
    pub scaled: f64,
    /// True when some task's counter ran for only part of the time it was enabled.
    pub multiplexed: bool,
}

/// An event's outcome over one run: counted, or refused with a reason.
#[derive(Debug, Clone, PartialEq)]
pub enum EventReading {
    /// It counted.
    Counted(Reading),
    /// It could not be counted here, and why.
    Refused(String),
}

/// One counter's values at a moment: count, time enabled, time running (ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// The count.
    pub count: u64,
    /// Nanoseconds enabled.
    pub enabled: u64,
    /// Nanoseconds actually counting.
    pub running: u64,
}

/// Scales a counter's delta for multiplexing: `count * enabled / running`. Returns the
/// scaled count and whether it was multiplexed, or `None` when the counter was enabled
/// but never ran (the kernel could not schedule it, so it measured nothing).
pub fn scale(delta: Snapshot) -> Option<(f64, bool)> {
    if delta.running == 0 {
        if delta.enabled == 0 {
            // The task never ran while enabled: nothing happened to count.
            Some((delta.count as f64, false))
        } else {
            None
        }
    } else if delta.running < delta.enabled {
        Some((
            delta.count as f64 * delta.enabled as f64 / delta.running as f64,
            true,
        ))
    } else {
        Some((delta.count as f64, false))
    }
}

/// Sums per-task deltas into one reading, or a refusal when a counter never ran.
pub fn combine(deltas: &[Snapshot]) -> EventReading {
    let mut r = Reading {
        raw: 0,
        scaled: 0.0,
        multiplexed: false,
    };
    for d in deltas {
        match scale(*d) {
            Some((v, m)) => {
                r.raw += d.count;
                r.scaled += v;
                r.multiplexed |= m;
            }
            None => {
                return EventReading::Refused(
                    "opened, but the kernel never scheduled the counter (the PMU was busy \
                     with other events for the whole run)"
                        .into(),
                )
            }
        }
    }
    EventReading::Counted(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(count: u64, enabled: u64, running: u64) -> Snapshot {
        Snapshot {
            count,
            enabled,
            running,
        }
    }

    #[test]
    fn scaling_by_enabled_over_running() {
        assert_eq!(scale(snap(100, 1000, 1000)), Some((100.0, false)));
        assert_eq!(scale(snap(100, 1000, 250)), Some((400.0, true)));
        assert_eq!(scale(snap(0, 0, 0)), Some((0.0, false)));
        assert_eq!(scale(snap(0, 1000, 0)), None);
    }

    #[test]
    fn combine_sums_tasks_and_flags_multiplexing() {
        match combine(&[snap(10, 100, 100), snap(5, 100, 50)]) {
            EventReading::Counted(r) => {
                assert_eq!(r.raw, 15);
                assert_eq!(r.scaled, 20.0);
                assert!(r.multiplexed);
            }
            other => panic!("{other:?}"),
        }
        match combine(&[snap(10, 100, 100), snap(7, 100, 100)]) {
            EventReading::Counted(r) => assert!(!r.multiplexed && r.scaled == 17.0),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            combine(&[snap(10, 100, 100), snap(0, 100, 0)]),
            EventReading::Refused(r) if r.contains("never scheduled")
        ));
    }
}
