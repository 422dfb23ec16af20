//! Claim 7: waking a task on another core costs more than the cache line it waits on.
//! Judged on the topology sweep, class by class: the futex wake-up round trip between two
//! pinned threads against the cache-line round trip between the same two CPUs (see
//! [`crate::analysis::topology`]). What the wake-up costs beyond the line is the kernel's
//! share: the system calls, the scheduler, the interrupt that wakes the other CPU, and
//! waking the CPU itself from idle.

use super::evidence::Evidence;
use super::{Claim, Finding, VerdictKind};
use crate::analysis::topology::{class_rows, pairs_of_outcomes, time, times, ClassRow};
use crate::measure::Outcome;

/// Claim 7 (see the module).
pub struct KernelAcrossCores;

/// How many times the cache line a wake-up must cost, in a class, to count as clearly
/// more.
pub const CLEAR_MARGIN: f64 = 2.0;

fn clause(r: &ClassRow) -> String {
    let p99 = |v: Option<f64>| v.map_or_else(String::new, |v| format!(", p99 {}", time(v)));
    format!(
        "{} ({} pair{}): wake-up {} median{} vs cache line {}{} ({}; the kernel's share {:.1}%)",
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

impl Claim for KernelAcrossCores {
    fn statement(&self) -> &'static str {
        "Waking a task on another core costs more than the cache line it waits on: the \
         kernel's share across cores."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let rows = class_rows(&pairs_of_outcomes(outcomes));
        if rows.is_empty() {
            return Finding::not_measured(
                "needs valid topology/futex/<a>-<b> and topology/cacheline/<a>-<b> of one \
                 pair (ctxbench run --filter topology/)",
            );
        }
        let clear = rows.iter().filter(|r| r.ratio() >= CLEAR_MARGIN).count();
        let kind = if clear == rows.len() {
            VerdictKind::Holds
        } else if clear > 0 {
            VerdictKind::HoldsPartly
        } else {
            VerdictKind::DoesNotHold
        };
        let evidence = Evidence::of(rows.iter().map(clause)).remark(format!(
            "medians of single round trips, the cache line's over groups of 16; a class \
             counts when the wake-up costs at least {CLEAR_MARGIN:.0}x the line"
        ));
        Finding::new(kind, evidence)
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
                 p99 220 ns (445x; the kernel's share 99.8%)",
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
            &["(445x;", "(1.5x;"],
        );
        let not = both(0, 1, PairClass::Smt, 300, 250);
        judged(&KernelAcrossCores, &not, DoesNotHold, &["smt (1 pair)"]);
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
