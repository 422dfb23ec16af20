//! The topology sweep's figures, pair by pair and class by class: what every output of it
//! (the terminal's class table, the page's heatmaps and class table) and its claim read.
//!
//! A pair's figure for each hand-over is the median (p50) and p99 of its tails pass:
//! single round trips for the futex, the means of groups of 16 for the cache line (see
//! [`crate::experiments::topology`]). The median of the timed batches is a mean over
//! hundreds of round trips, and a few slow wake-ups (or a spinning peer preempted on a
//! busy machine) pull it well above the typical round trip; the two figures are compared
//! like with like. A class's figure is the median over its pairs.

use crate::measure::{Latency, Outcome};
use crate::spec::{BenchId, Experiment, Handover};
use crate::topology::{PairClass, CLASSES};

/// One hand-over's figures for a pair, in ns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// The median round trip: the tails pass's p50, else the median of the batches.
    pub p50_ns: f64,
    /// The 99th percentile, where a tails pass ran.
    pub p99_ns: Option<f64>,
    /// Whether the run judged the outcome valid.
    pub valid: bool,
}

impl Figures {
    /// The figures of an outcome whose batches' median is `batch_median_ns`.
    pub fn of(batch_median_ns: f64, latency: Option<&Latency>, valid: bool) -> Self {
        Self {
            p50_ns: latency.map_or(batch_median_ns, |l| l.p50_ns as f64),
            p99_ns: latency.map(|l| l.p99_ns as f64),
            valid,
        }
    }
}

/// One pair of CPUs, `a < b`, with what was measured between them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairFigures {
    /// The driver's CPU.
    pub a: usize,
    /// The peer's CPU.
    pub b: usize,
    /// What the two share.
    pub class: PairClass,
    /// The futex wake-up round trip, if measured.
    pub futex: Option<Figures>,
    /// The cache-line round trip, if measured.
    pub line: Option<Figures>,
}

/// The pairs of a set of topology measurements, each `(handover, a, b, class, figures)`,
/// in first-seen order.
pub fn pairs_of(
    items: impl IntoIterator<Item = (Handover, usize, usize, PairClass, Figures)>,
) -> Vec<PairFigures> {
    let mut out: Vec<PairFigures> = Vec::new();
    for (h, a, b, class, f) in items {
        let i = match out.iter().position(|p| (p.a, p.b) == (a, b)) {
            Some(i) => i,
            None => {
                out.push(PairFigures {
                    a,
                    b,
                    class,
                    futex: None,
                    line: None,
                });
                out.len() - 1
            }
        };
        match h {
            Handover::Futex => out[i].futex = Some(f),
            Handover::CacheLine => out[i].line = Some(f),
        }
    }
    out
}

/// The pairs measured in `outcomes`, each outcome's class from its `variant`.
pub fn pairs_of_outcomes(outcomes: &[Outcome]) -> Vec<PairFigures> {
    pairs_of(
        outcomes
            .iter()
            .filter(|o| o.is(Experiment::Topology))
            .filter_map(|o| {
                let BenchId::Topology { handover, a, b } = o.id else {
                    return None;
                };
                let class = o.variant?.pair()?;
                let f = Figures::of(o.ns_per_iteration.median, o.latency.as_ref(), o.valid);
                Some((handover, a, b, class, f))
            }),
    )
}

/// One class's figures: the median over its pairs measured both ways, both valid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassRow {
    /// The class.
    pub class: PairClass,
    /// How many pairs it rests on.
    pub pairs: usize,
    /// The futex wake-up round trip's median (p50), in ns.
    pub wake_p50_ns: f64,
    /// Its p99, where every pair has one.
    pub wake_p99_ns: Option<f64>,
    /// The cache-line round trip's median, in ns.
    pub line_p50_ns: f64,
    /// Its p99, where every pair has one.
    pub line_p99_ns: Option<f64>,
}

impl ClassRow {
    /// How many times the cache line the wake-up costs.
    pub fn ratio(&self) -> f64 {
        self.wake_p50_ns / self.line_p50_ns
    }

    /// The kernel's share of the wake-up: what it costs beyond the cache line, as a
    /// fraction of it.
    pub fn kernel_share(&self) -> f64 {
        1.0 - self.line_p50_ns / self.wake_p50_ns
    }
}

/// A round trip for people, with its unit: `110 ns`, `48.9 us`, `1.2 ms` (see
/// [`crate::units::time_short`]).
pub use crate::units::time_short as time;

/// A ratio for people: `445x`, `22x`, `1.5x`.
pub fn times(ratio: f64) -> String {
    if !ratio.is_finite() {
        "-".into()
    } else if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else {
        format!("{ratio:.1}x")
    }
}

/// The class rows of `pairs`, nearest class first; a class none of whose pairs has both
/// hand-overs valid is left out.
pub fn class_rows(pairs: &[PairFigures]) -> Vec<ClassRow> {
    CLASSES
        .iter()
        .filter_map(|&class| {
            let both: Vec<(Figures, Figures)> = pairs
                .iter()
                .filter(|p| p.class == class)
                .filter_map(|p| Some((p.futex?, p.line?)))
                .filter(|(f, l)| f.valid && l.valid)
                .collect();
            if both.is_empty() {
                return None;
            }
            let all = |v: Vec<Option<f64>>| {
                v.into_iter()
                    .collect::<Option<Vec<f64>>>()
                    .map(|mut v| crate::stats::median(&mut v))
            };
            Some(ClassRow {
                class,
                pairs: both.len(),
                wake_p50_ns: crate::stats::median(
                    &mut both.iter().map(|(f, _)| f.p50_ns).collect::<Vec<f64>>(),
                ),
                wake_p99_ns: all(both.iter().map(|(f, _)| f.p99_ns).collect()),
                line_p50_ns: crate::stats::median(
                    &mut both.iter().map(|(_, l)| l.p50_ns).collect::<Vec<f64>>(),
                ),
                line_p99_ns: all(both.iter().map(|(_, l)| l.p99_ns).collect()),
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Topology outcomes for the tests of the claim and the tables.

    use crate::measure::{Latency, Outcome};
    use crate::spec::{Handover, PlacementKind};
    use crate::topology::PairClass;

    /// The outcome of `handover` between `a` and `b` of `class`, whose single round trips
    /// have a median of `p50` ns and a p99 of twice that (batches: `p50` x 1.5).
    pub fn pair(handover: Handover, a: usize, b: usize, class: PairClass, p50: u64) -> Outcome {
        let id = format!("topology/{}/{a}-{b}", handover.name());
        let batches = p50 as f64 * 1.5;
        let mut o =
            crate::analysis::claims::fixtures::o(&id, "topology", None, None, None, batches, None);
        o.placement = Some(PlacementKind::CrossCpu);
        o.cpus = vec![a, b];
        o.variant = Some(crate::spec::Variant::Pair(class));
        o.latency = Some(Latency {
            round_trips: 1000,
            p50_ns: p50,
            p90_ns: p50,
            p99_ns: 2 * p50,
            p999_ns: 3 * p50,
            max_ns: 4 * p50,
        });
        o
    }

    /// Both hand-overs of a pair.
    pub fn both(a: usize, b: usize, class: PairClass, wake: u64, line: u64) -> [Outcome; 2] {
        [
            pair(Handover::Futex, a, b, class, wake),
            pair(Handover::CacheLine, a, b, class, line),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{both, pair};
    use super::*;

    #[test]
    fn pairs_gather_both_hand_overs_and_classes_take_the_median() {
        let mut o: Vec<Outcome> = [
            both(0, 1, PairClass::SameL3, 50_000, 100),
            both(0, 2, PairClass::SameL3, 60_000, 120),
            both(0, 3, PairClass::SameL3, 70_000, 500),
            both(0, 8, PairClass::CrossPackage, 90_000, 300),
        ]
        .concat();
        // A pair with one hand-over only, and an invalid one: in the pairs, not the rows.
        o.push(pair(Handover::Futex, 4, 5, PairClass::Smt, 10_000));
        o.extend(both(6, 7, PairClass::Smt, 10_000, 50));
        o.last_mut().unwrap().valid = false;
        let pairs = pairs_of_outcomes(&o);
        assert_eq!(pairs.len(), 6);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 1));
        assert_eq!(pairs[0].futex.unwrap().p50_ns, 50_000.0);
        assert_eq!(pairs[0].line.unwrap().p99_ns, Some(200.0));
        let rows = class_rows(&pairs);
        assert_eq!(rows.len(), 2, "{rows:?}");
        let l3 = rows[0];
        assert_eq!((l3.class, l3.pairs), (PairClass::SameL3, 3));
        assert_eq!((l3.wake_p50_ns, l3.line_p50_ns), (60_000.0, 120.0));
        assert_eq!(l3.wake_p99_ns, Some(120_000.0));
        assert_eq!(l3.ratio(), 500.0);
        assert!((l3.kernel_share() - 0.998).abs() < 1e-9);
        assert_eq!(rows[1].class, PairClass::CrossPackage);
    }

    #[test]
    fn without_tails_the_batches_median_stands_in() {
        let mut o = both(0, 1, PairClass::SameL3, 50_000, 100);
        o[0].latency = None;
        let pairs = pairs_of_outcomes(&o);
        assert_eq!(pairs[0].futex.unwrap().p50_ns, 75_000.0);
        assert_eq!(pairs[0].futex.unwrap().p99_ns, None);
        assert_eq!(class_rows(&pairs)[0].wake_p99_ns, None);
        assert!(class_rows(&pairs_of_outcomes(&[])).is_empty());
    }

    #[test]
    fn times_carry_their_unit() {
        assert_eq!(time(110.0), "110 ns");
        assert_eq!(time(48_900.0), "48.9 us");
        assert_eq!(time(1_234_567.0), "1.2 ms");
        assert_eq!(time(f64::NAN), "- ns");
        assert_eq!(
            (times(444.5), times(1.5), times(f64::NAN)),
            ("444x".into(), "1.5x".into(), "-".into())
        );
    }
}
