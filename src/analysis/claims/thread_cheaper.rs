//! Claim 1: a thread switch is cheaper than a process switch. Judged on same-cpu ns per
//! switch, process against thread, mechanism by mechanism.

use super::evidence::Evidence;
use super::select::{pct, twins};
use super::{Claim, Finding, VerdictKind, NOISE};
use crate::measure::Outcome;
use crate::spec::Mechanism;

/// Claim 1 (see the module).
pub struct ThreadCheaper;

/// A process ping-pong and its thread twin over one mechanism, ns per switch.
struct Pair {
    /// The thread side's mechanism (`futex-shared` where that is the twin).
    name: String,
    process_ns: f64,
    thread_ns: f64,
}

impl Pair {
    fn find(outcomes: &[Outcome], m: Mechanism) -> Option<Self> {
        let (process, thread) = twins(outcomes, m)?;
        Some(Self {
            name: thread
                .mechanism
                .map_or_else(|| m.to_string(), |tm| tm.to_string()),
            process_ns: process.ns_per_switch.unwrap_or(f64::NAN),
            thread_ns: thread.ns_per_switch.unwrap_or(f64::NAN),
        })
    }

    /// Processes costlier beyond noise.
    fn thread_cheaper(&self) -> bool {
        self.process_ns > self.thread_ns * (1.0 + NOISE)
    }

    fn clause(&self) -> String {
        let (ps, ts) = (self.process_ns, self.thread_ns);
        format!(
            "{}: process {ps:.0} ns vs thread {ts:.0} ns per switch ({:+.0}%)",
            self.name,
            pct(ps, ts)
        )
    }
}

impl Claim for ThreadCheaper {
    fn statement(&self) -> &'static str {
        "A thread switch is cheaper than a process switch."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let pairs: Vec<Pair> = [Mechanism::Pipe, Mechanism::Futex, Mechanism::Eventfd]
            .into_iter()
            .filter_map(|m| Pair::find(outcomes, m))
            .collect();
        if pairs.is_empty() {
            return Finding::not_measured(
                "no valid same-cpu ping-pong pair (process and thread over one mechanism)",
            );
        }
        let cheaper = pairs.iter().filter(|p| p.thread_cheaper()).count();
        let kind = if cheaper == pairs.len() {
            VerdictKind::Holds
        } else if cheaper == 0 {
            VerdictKind::DoesNotHold
        } else {
            VerdictKind::HoldsPartly
        };
        let evidence = Evidence::of(pairs.iter().map(Pair::clause)).remark("same CPU, median");
        Finding::new(kind, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, pingpongs};
    use super::*;
    use VerdictKind::*;

    #[test]
    fn thread_cheaper_every_outcome() {
        let all = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        let e = judged(
            &ThreadCheaper,
            &all,
            Holds,
            &["pipe: process 2500 ns vs thread 2000 ns"],
        );
        assert!(e.ends_with("(+25%) (same CPU, median)"), "{e}");
        let some = pingpongs((4000.0, 4000.0), (5000.0, 4000.0), (4000.0, 4050.0));
        judged(&ThreadCheaper, &some, HoldsPartly, &[]);
        let none = pingpongs((4000.0, 4000.0), (4000.0, 4100.0), (4000.0, 4050.0));
        judged(&ThreadCheaper, &none, DoesNotHold, &[]);
        judged(
            &ThreadCheaper,
            &[],
            NotMeasured,
            &["no valid same-cpu ping-pong pair"],
        );
        // Invalid outcomes do not count.
        let mut bad = all;
        bad.iter_mut().for_each(|o| o.valid = false);
        judged(&ThreadCheaper, &bad, NotMeasured, &[]);
    }
}
