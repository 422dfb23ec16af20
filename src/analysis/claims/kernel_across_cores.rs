//! Claim 11: waking a task on another core costs more than the cache line it waits on.
//! Judged on the topology sweep, class by class: the futex wake-up round trip between two
//! pinned threads against the cache-line round trip between the same two CPUs (see
//! [`crate::analysis::topology`]). What the wake-up costs beyond the line is the work of
//! waking a sleeping task on another CPU: the system calls, the scheduler, the
//! interprocessor interrupt and waking the CPU from idle, which on a VM includes the
//! hypervisor's waking of the idle vCPU. The two are not told apart here.
//!
//! Each pair's figure is the ratio of the two hand-overs' batch medians, with an interval
//! from blocks of each one's batches (one set-up each, measured apart: the ratio's
//! interval is the widest its ends allow); a class holds when the interval clears 2x.

use super::evidence::Evidence;
use super::figure::{combine, decide, Figure, Margin, Unit};
use super::rounds::{of_batches, ratio};
use super::select::valid;
use super::{Claim, Finding, VerdictKind};
use crate::analysis::topology::{class_rows, pairs_of_outcomes, time, times, ClassRow};
use crate::measure::Outcome;
use crate::spec::{BenchId, Experiment, Handover};

/// Claim 11 (see the module).
pub struct KernelAcrossCores;

/// How many times the cache line a wake-up must cost, in a class, to count as clearly
/// more.
pub const CLEAR_MARGIN: f64 = 2.0;

fn clause(r: &ClassRow) -> String {
    let p99 = |v: Option<f64>| v.map_or_else(String::new, |v| format!(", p99 {}", time(v)));
    format!(
        "{} ({} pair{}): wake-up {} median{} vs cache line {}{} ({}; {:.1}% of the wake-up \
         is beyond the line)",
        r.class,
        r.pairs,
        if r.pairs == 1 { "" } else { "s" },
        time(r.wake_p50_ns),
        p99(r.wake_p99_ns),
        time(r.line_p50_ns),
        p99(r.line_p99_ns),
        times(r.ratio()),
        r.kernel_share() * 100.0
    )
}

/// The valid outcome of `handover` between `a` and `b`.
fn outcome(outcomes: &[Outcome], handover: Handover, a: usize, b: usize) -> Option<&Outcome> {
    let id = BenchId::Topology { handover, a, b };
    valid(outcomes, Experiment::Topology).find(|o| o.id == id)
}

impl Claim for KernelAcrossCores {
    fn statement(&self) -> &'static str {
        "Waking a task on another core costs more than the cache line it waits on."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let pairs = pairs_of_outcomes(outcomes);
        let rows = class_rows(&pairs);
        if rows.is_empty() {
            return Finding::not_measured(
                "needs valid topology/futex/<a>-<b> and topology/cacheline/<a>-<b> of one \
                 pair (ctxbench run --filter topology/)",
            );
        }
        let mut figures = Vec::new();
        let mut kinds = Vec::new();
        let mut evidence = Evidence::of(rows.iter().map(clause));
        for r in &rows {
            let mut class_kinds = Vec::new();
            for p in pairs.iter().filter(|p| p.class == r.class) {
                let (Some(w), Some(l)) = (
                    outcome(outcomes, Handover::Futex, p.a, p.b).and_then(of_batches),
                    outcome(outcomes, Handover::CacheLine, p.a, p.b).and_then(of_batches),
                ) else {
                    continue;
                };
                let f = Figure::of(
                    &format!("wake-over-line/{}-{}", p.a, p.b),
                    ratio(w, l),
                    Unit::Ratio,
                    format!(
                        "{} pair {}-{}: the wake-up's batch median over the cache line's",
                        r.class, p.a, p.b
                    ),
                );
                class_kinds.push(decide(
                    &f.interval().expect("an interval"),
                    1.0 / CLEAR_MARGIN,
                    CLEAR_MARGIN,
                ));
                figures.push(f);
            }
            if let Some(k) = combine(&class_kinds) {
                kinds.push(k);
            }
        }
        let listed: Vec<String> = figures.iter().map(|f| format!("{} {f}", f.name)).collect();
        if !listed.is_empty() {
            evidence.push(format!(
                "batch medians, pair by pair: {}",
                listed.join(", ")
            ));
        }
        let kind = combine(&kinds).unwrap_or(VerdictKind::NotMeasured);
        let evidence = evidence.remark(format!(
            "medians of single round trips, the cache line's over groups of 16; beyond the \
             line is the kernel's work and, on a VM, the hypervisor's, not told apart here; \
             a class holds when its interval clears {CLEAR_MARGIN:.0}x"
        ));
        let margin = Margin {
            value: CLEAR_MARGIN,
            unit: Unit::Ratio,
            what: "the wake-up must cost more than twice the line to count as more".into(),
        };
        Finding::new(kind, evidence).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::judged;
    use super::*;
    use crate::analysis::topology::fixtures::both;
    use crate::topology::PairClass;
    use VerdictKind::*;

    #[test]
    fn every_class_measured_must_show_the_kernel() {
        let holds = [
            both(0, 1, PairClass::SameL3, 48_900, 110),
            both(0, 8, PairClass::CrossPackage, 9_000, 400),
        ]
        .concat();
        let e = judged(
            &KernelAcrossCores,
            &holds,
            Holds,
            &[
                "same-l3 (1 pair): wake-up 48.9 us median, p99 97.8 us vs cache line 110 ns, \
                 p99 220 ns (445x; 99.8% of the wake-up is beyond the line)",
                "; cross-package (1 pair): wake-up 9.0 us",
                "(medians of single round trips",
            ],
        );
        assert!(e.find("same-l3") < e.find("cross-package"), "{e}");
        let partly = [
            both(0, 1, PairClass::SameL3, 48_900, 110),
            both(0, 8, PairClass::CrossPackage, 600, 400),
        ]
        .concat();
        judged(
            &KernelAcrossCores,
            &partly,
            HoldsPartly,
            &["(445x;", "(1.5x;", "wake-over-line/0-8 1.50x"],
        );
        let not = both(0, 1, PairClass::Smt, 300, 250);
        judged(&KernelAcrossCores, &not, NoDifference, &["smt (1 pair)"]);
    }

    #[test]
    fn a_pair_measured_one_way_or_invalid_is_not_enough() {
        let mut o = both(0, 1, PairClass::SameL3, 48_900, 110).to_vec();
        o[1].valid = false;
        judged(
            &KernelAcrossCores,
            &o,
            NotMeasured,
            &["topology/cacheline/<a>-<b>"],
        );
        judged(&KernelAcrossCores, &o[..1], NotMeasured, &["needs valid"]);
    }
}
