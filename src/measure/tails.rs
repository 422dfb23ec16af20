//! Wake-up latency tails: after the timed batches of a cross-CPU or unpinned ping-pong, a
//! separate pass of round trips, each timed alone, summed up in a histogram.
//!
//! Off one CPU a round trip is two wake-ups of another (often idle, virtual) CPU, and its
//! time varies far more than on one CPU: the median of batch means hides the slow ones.
//! Users of schbench and cyclictest read wake-up latency as percentiles, so these
//! ping-pongs also report p50, p90, p99, p99.9 and the maximum of single round trips.
//!
//! The pass's loop holds the mechanism and one clock read per round trip
//! ([`Harness::run_stamped`]); each round trip's time is the difference of two consecutive
//! reads, and the histogram (3 significant digits, nanoseconds) is filled after the loop.
//! The timed batches stay as they are: the two are separate passes over the same harness.
//! Same-CPU ping-pongs keep batch timing alone, since a clock read per round trip would
//! cost them a few percent.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::harness::{Harness, Stamps, WARMUP_ROUND_TRIPS};
use crate::spec::PlacementKind;

/// Significant decimal digits the histogram keeps: values within 0.1%.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// The longest round trip the histogram tells apart (an hour; the watchdog ends a stalled
/// one long before): a longer one counts as this long, while the maximum stays exact.
const HIGHEST_NS: u64 = 3_600_000_000_000;

/// Percentiles of single round trips, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Round trips timed.
    pub round_trips: u64,
    /// The median round trip.
    pub p50_ns: u64,
    /// The 90th percentile.
    pub p90_ns: u64,
    /// The 99th percentile.
    pub p99_ns: u64,
    /// The 99.9th percentile.
    pub p999_ns: u64,
    /// The slowest round trip (exact).
    pub max_ns: u64,
}

impl Latency {
    /// The percentiles of `laps_ns` (each within 0.1%, and never above the exact
    /// maximum), or `None` when there is no value.
    pub fn of(laps_ns: impl IntoIterator<Item = u64>) -> Option<Self> {
        let mut h = Histogram::<u64>::new_with_bounds(1, HIGHEST_NS, SIGNIFICANT_DIGITS)
            .expect("1 ns to an hour at 3 significant digits is a valid histogram");
        let mut max = 0;
        for v in laps_ns {
            h.saturating_record(v);
            max = max.max(v);
        }
        if h.is_empty() {
            return None;
        }
        // The histogram gives the top of a value's bucket, which can pass the exact max.
        let at = |q: f64| h.value_at_quantile(q).min(max);
        Some(Self {
            round_trips: h.len(),
            p50_ns: at(0.50),
            p90_ns: at(0.90),
            p99_ns: at(0.99),
            p999_ns: at(0.999),
            max_ns: max,
        })
    }
}

/// The names of the figures of [`Latency::values`], as every output heads them.
pub const COLUMNS: [&str; 5] = ["p50", "p90", "p99", "p99.9", "max"];

impl Latency {
    /// The figures every output shows, in the order of [`COLUMNS`] (nanoseconds).
    pub fn values(&self) -> [u64; 5] {
        [
            self.p50_ns,
            self.p90_ns,
            self.p99_ns,
            self.p999_ns,
            self.max_ns,
        ]
    }
}

/// Whether a ping-pong at `placement` gets a tails pass: cross-CPU and unpinned ones.
pub fn has_tails(placement: PlacementKind) -> bool {
    placement != PlacementKind::SameCpu
}

/// Runs `h` untimed for a moment (it sat idle while the counted run ran), then times
/// `round_trips` round trips one by one: `None` when asked for none.
pub fn measure_tails(h: &mut dyn Harness, round_trips: u64) -> Result<Option<Latency>> {
    if round_trips == 0 {
        return Ok(None);
    }
    h.run(WARMUP_ROUND_TRIPS)?;
    // One mark before each round trip, and one more round trip to end the last lap.
    let mut stamps = Stamps::with_capacity(round_trips as usize + 1);
    h.run_stamped(round_trips + 1, &mut stamps)?;
    Ok(Latency::of(stamps.laps_ns()))
}

/// The percentiles of round trips timed in groups of `group` (a hand-over too quick for
/// a clock read each, the cache line's): each group's mean round trip is one value, the
/// maximum included, and `round_trips` counts every round trip timed. `None` without a
/// whole group.
pub fn of_groups(stamps: &Stamps, group: u64) -> Option<Latency> {
    let group = group.max(1);
    let mut l = Latency::of(stamps.laps_ns().map(|lap| lap / group))?;
    l.round_trips *= group;
    Some(l)
}

/// Percentiles of a cross-CPU ping-pong, for the tests of the tables that show them.
#[cfg(test)]
pub(crate) const EXAMPLE: Latency = Latency {
    round_trips: 20_000,
    p50_ns: 51_200,
    p90_ns: 60_100,
    p99_ns: 81_000,
    p999_ns: 140_000,
    max_ns: 2_310_000,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_known_values() {
        let l = Latency::of(1..=1000).unwrap();
        assert_eq!(
            l,
            Latency {
                round_trips: 1000,
                p50_ns: 500,
                p90_ns: 900,
                p99_ns: 990,
                p999_ns: 999,
                max_ns: 1000,
            }
        );
        assert!(Latency::of([]).is_none());
    }

    #[test]
    fn large_values_keep_three_digits_and_stay_under_the_max() {
        // 999 round trips of 50 us and one of 2 ms: the tail is the one slow wake-up.
        let laps = std::iter::repeat_n(50_000, 999).chain([2_000_000]);
        let l = Latency::of(laps).unwrap();
        assert_eq!(l.round_trips, 1000);
        for p in [l.p50_ns, l.p90_ns, l.p99_ns, l.p999_ns] {
            assert!((50_000..=50_050).contains(&p), "{l:?}");
        }
        assert_eq!(l.max_ns, 2_000_000);
        // All equal: every percentile is the value itself, not the top of its bucket.
        let l = Latency::of(std::iter::repeat_n(123_456, 10)).unwrap();
        assert_eq!((l.p50_ns, l.p999_ns, l.max_ns), (123_456, 123_456, 123_456));
    }

    #[test]
    fn groups_give_their_mean_round_trip() {
        let mut s = Stamps::with_capacity(3);
        assert!(of_groups(&s, 16).is_none());
        s.mark();
        std::thread::sleep(std::time::Duration::from_millis(2));
        s.mark();
        let l = of_groups(&s, 16).unwrap();
        assert_eq!(l.round_trips, 16);
        assert!(l.max_ns >= 125_000 && l.p50_ns == l.max_ns, "{l:?}");
    }

    #[test]
    fn only_off_one_cpu() {
        assert!(!has_tails(PlacementKind::SameCpu));
        assert!(has_tails(PlacementKind::CrossCpu));
        assert!(has_tails(PlacementKind::Unpinned));
    }
}
