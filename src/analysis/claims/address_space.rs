//! Claim 2: the difference is the address-space switch. Judged on `process-futex`
//! against `thread-futex-shared`, floors subtracted where measured: the same system calls
//! on both sides, so what is left is the address-space switch. The other mechanisms say
//! whether the gap shows there too.

use super::evidence::{listed, Evidence};
use super::select::{futex_twin, same_cpu_pingpong};
use super::{Claim, Finding, VerdictKind, NOISE};
use crate::measure::Outcome;
use crate::spec::{Mechanism, Participants};

/// Claim 2 (see the module).
pub struct AddressSpace;

/// The process/thread gap over a mechanism other than the futex, ns per switch.
struct Gap {
    mechanism: Mechanism,
    /// Process minus thread.
    ns: f64,
    /// The thread side.
    thread_ns: f64,
}

impl Gap {
    fn find(outcomes: &[Outcome], m: Mechanism) -> Option<Self> {
        let a = same_cpu_pingpong(outcomes, Participants::Process, m)?.ns_per_switch?;
        let b = same_cpu_pingpong(outcomes, Participants::Thread, m)?.ns_per_switch?;
        Some(Self {
            mechanism: m,
            ns: a - b,
            thread_ns: b,
        })
    }

    /// Processes not costlier beyond noise.
    fn within_noise(&self) -> bool {
        self.ns <= self.thread_ns * NOISE
    }

    fn figure(&self) -> String {
        format!(
            "{} gap {:+.0} ns ({:+.0}%)",
            self.mechanism,
            self.ns,
            self.ns / self.thread_ns * 100.0
        )
    }
}

/// The futex comparison: process against its thread twin, ns per switch (the direct cost
/// where both floors were measured).
pub(crate) struct FutexPair {
    /// The process side.
    pub(crate) process_ns: f64,
    /// The thread side.
    pub(crate) thread_ns: f64,
    /// The twin's name, e.g. `thread-futex-shared`.
    pub(crate) twin: String,
    /// Whether floors were subtracted.
    pub(crate) how: &'static str,
    /// Which calls the two sides make.
    pairing: &'static str,
}

impl FutexPair {
    /// The pair among valid `outcomes`, if both sides were measured.
    pub(crate) fn find(outcomes: &[Outcome]) -> Option<Self> {
        let p = same_cpu_pingpong(outcomes, Participants::Process, Mechanism::Futex)?;
        let (t, pairing) = futex_twin(outcomes)?;
        let (process_ns, thread_ns, how) = match (p.direct_ns_per_switch, t.direct_ns_per_switch) {
            (Some(a), Some(b)) => (a, b, "direct cost, futex floors subtracted"),
            _ => (
                p.ns_per_switch.unwrap_or(f64::NAN),
                t.ns_per_switch.unwrap_or(f64::NAN),
                "per switch, no floors measured",
            ),
        };
        Some(Self {
            process_ns,
            thread_ns,
            twin: format!("thread-{}", t.mechanism.unwrap_or(Mechanism::Futex)),
            how,
            pairing,
        })
    }

    /// What the address-space switch costs: process minus thread.
    pub(crate) fn gap(&self) -> f64 {
        self.process_ns - self.thread_ns
    }

    fn clause(&self) -> String {
        let (ps, ts, d) = (self.process_ns, self.thread_ns, self.gap());
        format!(
            "process-futex {ps:.0} ns vs {} {ts:.0} ns per switch ({}; {}): the \
             address-space switch costs {d:+.0} ns ({:+.0}% of a thread switch)",
            self.twin,
            self.how,
            self.pairing,
            d / ts * 100.0
        )
    }
}

impl Claim for AddressSpace {
    fn statement(&self) -> &'static str {
        "The difference is the address-space switch (same mechanism, processes vs threads)."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let Some(futex) = FutexPair::find(outcomes) else {
            return Finding::not_measured(
                "needs valid pingpong/process-futex/same-cpu and \
                 pingpong/thread-futex-shared/same-cpu",
            );
        };
        let gaps: Vec<Gap> = [Mechanism::Pipe, Mechanism::Eventfd]
            .into_iter()
            .filter_map(|m| Gap::find(outcomes, m))
            .collect();
        let mut evidence = Evidence::new(futex.clause());
        if !gaps.is_empty() {
            evidence.push(listed(
                "over other mechanisms",
                gaps.iter().map(Gap::figure),
            ));
        }
        // If no other mechanism shows a gap, the address-space cost is there but masked
        // elsewhere.
        let others_show_no_gap = !gaps.is_empty() && gaps.iter().all(Gap::within_noise);
        if futex.gap() <= futex.thread_ns * NOISE {
            Finding::new(VerdictKind::DoesNotHold, evidence)
        } else if others_show_no_gap {
            let evidence = evidence.remark(
                "there processes are not costlier beyond noise: the address-space switch is \
                 measurable with futexes, masked by the mechanism elsewhere",
            );
            Finding::new(VerdictKind::HoldsPartly, evidence)
        } else {
            Finding::new(VerdictKind::Holds, evidence)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, pingpongs, pp};
    use super::*;
    use VerdictKind::*;

    #[test]
    fn address_space_every_outcome() {
        // Futex gap, and a gap over the other mechanisms too.
        let mut v = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        v[2].direct_ns_per_switch = Some(2300.0);
        v[3].direct_ns_per_switch = Some(1900.0);
        judged(&AddressSpace, &v, Holds, &["+400 ns", "floors subtracted"]);
        // Futex gap only.
        let futex_only = pingpongs((4000.0, 4000.0), (5000.0, 4000.0), (4000.0, 4000.0));
        judged(&AddressSpace, &futex_only, HoldsPartly, &["masked"]);
        let none = pingpongs((4000.0, 4000.0), (4050.0, 4000.0), (4000.0, 4000.0));
        judged(&AddressSpace, &none, DoesNotHold, &[]);
        judged(&AddressSpace, &[], NotMeasured, &[]);
        // A negative gap elsewhere (processes faster) does not confirm it either.
        let faster = pingpongs((3700.0, 4000.0), (5000.0, 4000.0), (4040.0, 4000.0));
        let gaps = "; over other mechanisms: pipe gap -150 ns (-8%), eventfd gap +20 ns";
        let e = judged(&AddressSpace, &faster, HoldsPartly, &[gaps]);
        assert!(e.ends_with("masked by the mechanism elsewhere)"), "{e}");
        // The futex pair alone: the direct evidence holds, and says it compared the same
        // system calls.
        let all = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        let same = ["thread-futex-shared", "the same shared futex calls"];
        judged(&AddressSpace, &all[2..4], Holds, &same);
        // Results from before thread-futex-shared: the private twin, said so.
        let mut old = all[2..4].to_vec();
        old[1] = pp(Participants::Thread, Mechanism::Futex, 4000.0);
        judged(&AddressSpace, &old, Holds, &["private futex calls"]);
    }
}
