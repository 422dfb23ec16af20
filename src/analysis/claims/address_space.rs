//! Claim 2: the difference is the address-space switch. Judged on `process-futex`
//! against `thread-futex-shared`, measured side by side in paired rounds: the same shared
//! futex calls on both sides, so what each round's difference leaves is the address-space
//! switch (the futex floors are the same on both sides and cancel). The margin is 2% of a
//! thread switch; the control (`thread-futex-shared` set up twice) must come out as no
//! difference. The pipe and eventfd twins say whether the gap shows there too.

use super::evidence::Evidence;
use super::figure::{decide_difference, Figure, Margin, Unit};
use super::rounds::{all_disturbed, estimate, find};
use super::select::{futex_twin, same_cpu_pingpong};
use super::thread_cheaper::same_cpu;
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::spec::{Comparison, Mechanism, Participants};

/// Claim 2 (see the module).
pub struct AddressSpace;

/// The margin, as a share of a thread switch (2%).
pub const MARGIN_SHARE: f64 = 0.02;

/// Process minus thread over `m` (the thread side over `tm`), ns per switch, round by
/// round, named `name`.
pub(crate) fn gap(p: &Paired, pm: Mechanism, tm: Mechanism, name: &str) -> Option<Figure> {
    let (pid, tid) = (
        same_cpu(Participants::Process, pm),
        same_cpu(Participants::Thread, tm),
    );
    let arms = [(pid, ArmMode::Main), (tid, ArmMode::Main)];
    let i = estimate(p, &arms, |v| (v[0] - v[1]) / 2.0)?;
    Some(Figure::of(
        name,
        i,
        Unit::NsPerSwitch,
        format!("{pid} minus {tid}, per switch, round by round"),
    ))
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
}

impl FutexPair {
    /// The pair among valid `outcomes`, if both sides were measured.
    pub(crate) fn find(outcomes: &[Outcome]) -> Option<Self> {
        let p = same_cpu_pingpong(outcomes, Participants::Process, Mechanism::Futex)?;
        let (t, _) = futex_twin(outcomes)?;
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
        })
    }

    /// What the address-space switch costs: process minus thread.
    pub(crate) fn gap(&self) -> f64 {
        self.process_ns - self.thread_ns
    }
}

impl Claim for AddressSpace {
    fn statement(&self) -> &'static str {
        "The difference is the address-space switch (same mechanism, processes vs threads)."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let twin = same_cpu(Participants::Thread, Mechanism::FutexShared);
        let valid = same_cpu_pingpong(outcomes, Participants::Process, Mechanism::Futex).is_some()
            && same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::FutexShared).is_some();
        let p = find(facts, Comparison::Switch).filter(|_| valid);
        if let Some(f) = p.and_then(all_disturbed) {
            return f;
        }
        let Some((p, cost)) = p.and_then(|p| {
            Some((
                p,
                gap(p, Mechanism::Futex, Mechanism::FutexShared, "address-space")?,
            ))
        }) else {
            return Finding::not_measured(
                "needs valid pingpong/process-futex/same-cpu and \
                 pingpong/thread-futex-shared/same-cpu, measured side by side in paired \
                 rounds",
            );
        };
        let thread = estimate(p, &[(twin, ArmMode::Main)], |v| v[0] / 2.0)
            .map(|i| Figure::of("thread-switch", i, Unit::Ns, format!("{twin}, per switch")));
        let thread_ns = thread.as_ref().map_or(f64::NAN, |t| t.value);
        let margin = MARGIN_SHARE * thread_ns;
        let control = estimate(p, &[(twin, ArmMode::Control), (twin, ArmMode::Main)], |v| {
            (v[0] - v[1]) / 2.0
        })
        .map(|i| {
            Figure::of(
                "control",
                i,
                Unit::NsPerSwitch,
                "thread-futex-shared set up twice, the copy minus the first, per switch",
            )
        });
        let i = cost.interval().expect("an estimate has an interval");
        let mut kind = decide_difference(&i, margin);
        let mut evidence = Evidence::new(format!(
            "process-futex against thread-futex-shared, the same shared futex calls on both \
             sides, in the same rounds: the address-space switch costs {cost} ({:+.1}% of a \
             thread switch of {thread_ns:.0} ns)",
            cost.value / thread_ns * 100.0
        ));
        let mut figures = vec![cost];
        figures.extend(thread);
        if let Some(c) = &control {
            evidence.push(format!("control {c}"));
            let ci = c.interval().expect("an estimate has an interval");
            if decide_difference(&ci, margin) != VerdictKind::NoDifference {
                kind = VerdictKind::Inconclusive;
                evidence.push(format!(
                    "the control pair differed beyond ±{margin:.0} ns: this run does not \
                     resolve the margin (measure again on a quieter machine, or a full run \
                     for more set-ups)"
                ));
            }
            figures.push(c.clone());
        }
        let others: Vec<Figure> = [Mechanism::Pipe, Mechanism::Eventfd]
            .into_iter()
            .filter(|&m| {
                same_cpu_pingpong(outcomes, Participants::Process, m).is_some()
                    && same_cpu_pingpong(outcomes, Participants::Thread, m).is_some()
            })
            .filter_map(|m| gap(p, m, m, &m.to_string()))
            .collect();
        if !others.is_empty() {
            let said: Vec<String> = others
                .iter()
                .map(|g| {
                    let i = g.interval().expect("an estimate has an interval");
                    format!("{} {g} ({})", g.name, decide_difference(&i, margin))
                })
                .collect();
            evidence.push(format!(
                "the same gap over other mechanisms: {}",
                said.join(", ")
            ));
            figures.extend(others);
        }
        let margin = Margin {
            value: margin,
            unit: Unit::NsPerSwitch,
            what: format!("2% of a thread switch ({twin})"),
        };
        Finding::new(kind, evidence).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged_in, pingpongs, switch_rounds};
    use super::*;
    use VerdictKind::*;

    fn rounds(futex: (f64, f64), control: f64) -> Paired {
        switch_rounds(&[
            ("pingpong/process-pipe/same-cpu", 4000.0),
            ("pingpong/thread-pipe/same-cpu", 4000.0),
            ("pingpong/process-futex/same-cpu", futex.0),
            ("pingpong/thread-futex-shared/same-cpu", futex.1),
            ("pingpong/thread-futex-shared/same-cpu#control", control),
            ("pingpong/process-eventfd/same-cpu", 4400.0),
            ("pingpong/thread-eventfd/same-cpu", 4000.0),
        ])
    }

    #[test]
    fn address_space_every_outcome() {
        let all = pingpongs((4000.0, 4000.0), (5000.0, 4000.0), (4400.0, 4000.0));
        let e = judged_in(
            &AddressSpace,
            &all,
            &rounds((4400.0, 4000.0), 4000.0),
            Holds,
            &[
                "the address-space switch costs +2",
                "the same shared futex calls",
                "control",
            ],
        );
        assert!(e.contains("pipe +") && e.contains("(no difference)"), "{e}");
        assert!(e.contains("eventfd +") && e.contains("(holds)"), "{e}");
        judged_in(
            &AddressSpace,
            &all,
            &rounds((4000.0, 4000.0), 4000.0),
            NoDifference,
            &[],
        );
        judged_in(
            &AddressSpace,
            &all,
            &rounds((3600.0, 4000.0), 4000.0),
            TheOpposite,
            &[],
        );
        judged_in(
            &AddressSpace,
            &all,
            &rounds((4400.0, 4000.0), 4300.0),
            Inconclusive,
            &["control pair differed"],
        );
        // Without the shared twin there is no comparison: the private one does not stand
        // in for it (it skips the shared futex key).
        let no_twin: Vec<Outcome> = all
            .into_iter()
            .filter(|o| o.mechanism != Some(Mechanism::FutexShared))
            .collect();
        judged_in(
            &AddressSpace,
            &no_twin,
            &rounds((4400.0, 4000.0), 4000.0),
            NotMeasured,
            &["thread-futex-shared"],
        );
    }
}
