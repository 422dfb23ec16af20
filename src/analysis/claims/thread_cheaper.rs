//! Claim 1: a thread switch is cheaper than a process switch. Judged mechanism by
//! mechanism (pipe, futex, eventfd) on the same-CPU twins measured side by side in paired
//! rounds: each round's process round trip over its thread twin's, as a percentage. The
//! margin is 2% of a thread switch; the control (`thread-futex-shared` set up twice)
//! must come out as no difference, or the run cannot resolve the margin and the claim is
//! inconclusive.

use super::evidence::Evidence;
use super::figure::{combine, decide_difference, Figure, Margin, Unit};
use super::rounds::{all_disturbed, estimate, find, median_main};
use super::select::same_cpu_pingpong;
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::spec::{BenchId, Comparison, Mechanism, Participants, PlacementKind};

/// Claim 1 (see the module).
pub struct ThreadCheaper;

/// The margin: differences within 2% of a thread switch count as none.
pub const MARGIN_PCT: f64 = 2.0;

/// The pairs judged: the process side's mechanism, and its thread twin's (the twin of
/// `process-futex` makes the same shared futex calls).
pub const PAIRS: [(Mechanism, Mechanism); 3] = [
    (Mechanism::Pipe, Mechanism::Pipe),
    (Mechanism::Futex, Mechanism::FutexShared),
    (Mechanism::Eventfd, Mechanism::Eventfd),
];

/// The same-CPU id of `p` over `m`.
pub(crate) fn same_cpu(p: Participants, m: Mechanism) -> BenchId {
    BenchId::PingPong {
        participants: p,
        mechanism: m,
        placement: PlacementKind::SameCpu,
    }
}

/// The control: `thread-futex-shared` set up twice in the same rounds, the second copy
/// over the first, in percent; it must come out as no difference.
pub(crate) fn control_pct(p: &Paired) -> Option<Figure> {
    let twin = same_cpu(Participants::Thread, Mechanism::FutexShared);
    let arms = [(twin, ArmMode::Control), (twin, ArmMode::Main)];
    let i = estimate(p, &arms, |v| (v[0] / v[1] - 1.0) * 100.0)?;
    Some(Figure::of(
        "control",
        i,
        Unit::Percent,
        "thread-futex-shared set up twice, the copy over the first",
    ))
}

/// What the control says of a run: `None` where it came out as no difference (or was
/// not measured), else why the run cannot resolve the margin.
pub(crate) fn control_failed(control: Option<&Figure>, margin: f64) -> Option<String> {
    let c = control?;
    let i = c.interval()?;
    (decide_difference(&i, margin) != VerdictKind::NoDifference).then(|| {
        format!(
            "the control pair differed by {c}, not within ±{margin:.1}%: this run does not \
             resolve the margin (measure again on a quieter machine, or a full run for more \
             set-ups)"
        )
    })
}

impl Claim for ThreadCheaper {
    fn statement(&self) -> &'static str {
        "A thread switch is cheaper than a process switch."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let Some(p) = find(facts, Comparison::Switch) else {
            return Finding::not_measured(
                "needs the same-CPU ping-pongs measured side by side in paired rounds \
                 (ctxbench run; files from before paired rounds have none)",
            );
        };
        if let Some(f) = all_disturbed(p) {
            return f;
        }
        let mut figures = Vec::new();
        let mut kinds = Vec::new();
        let mut evidence = Evidence::default();
        for (pm, tm) in PAIRS {
            let (pid, tid) = (
                same_cpu(Participants::Process, pm),
                same_cpu(Participants::Thread, tm),
            );
            let valid = same_cpu_pingpong(outcomes, Participants::Process, pm).is_some()
                && same_cpu_pingpong(outcomes, Participants::Thread, tm).is_some();
            let arms = [(pid, ArmMode::Main), (tid, ArmMode::Main)];
            let Some(i) = valid
                .then(|| estimate(p, &arms, |v| (v[0] / v[1] - 1.0) * 100.0))
                .flatten()
            else {
                evidence.push(format!("{tm}: not measured (needs valid {pid} and {tid})"));
                continue;
            };
            let kind = decide_difference(&i, MARGIN_PCT);
            let (ps, ts) = (
                median_main(p, pid).unwrap_or(f64::NAN) / 2.0,
                median_main(p, tid).unwrap_or(f64::NAN) / 2.0,
            );
            let f = Figure::of(
                &tm.to_string(),
                i,
                Unit::Percent,
                format!("{pid} over {tid}, round by round"),
            );
            evidence.push(format!(
                "{tm}: process {ps:.0} vs thread {ts:.0} ns per switch, {f} ({kind})"
            ));
            figures.push(f);
            kinds.push(kind);
        }
        let Some(mut kind) = combine(&kinds) else {
            return Finding::not_measured(
                "no valid same-cpu ping-pong pair (process and thread over one mechanism)",
            );
        };
        let control = control_pct(p);
        if let Some(c) = &control {
            evidence.push(format!("control {c}"));
            figures.push(c.clone());
        }
        let mut remark = format!(
            "same CPU, paired rounds: {} set-ups, {} quiet rounds of {}",
            p.setups.len(),
            p.quiet_rounds(),
            p.taken_rounds()
        );
        if let Some(why) = control_failed(control.as_ref(), MARGIN_PCT) {
            kind = VerdictKind::Inconclusive;
            remark = format!("{remark}; {why}");
        }
        let margin = Margin {
            value: MARGIN_PCT,
            unit: Unit::Percent,
            what: "2% of a thread switch, mechanism by mechanism".into(),
        };
        Finding::new(kind, evidence.remark(remark)).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged_in, pingpongs, switch_rounds};
    use super::*;
    use VerdictKind::*;

    #[test]
    fn thread_cheaper_every_outcome() {
        let all = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        let rounds = |pipe: (f64, f64), futex: (f64, f64), efd: (f64, f64), control: f64| {
            switch_rounds(&[
                ("pingpong/process-pipe/same-cpu", pipe.0),
                ("pingpong/thread-pipe/same-cpu", pipe.1),
                ("pingpong/process-futex/same-cpu", futex.0),
                ("pingpong/thread-futex-shared/same-cpu", futex.1),
                ("pingpong/thread-futex-shared/same-cpu#control", control),
                ("pingpong/process-eventfd/same-cpu", efd.0),
                ("pingpong/thread-eventfd/same-cpu", efd.1),
            ])
        };
        let p = rounds((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0), 4000.0);
        let e = judged_in(
            &ThreadCheaper,
            &all,
            &p,
            Holds,
            &[
                "pipe: process 25",
                "vs thread 20",
                "ns per switch, +2",
                "control",
            ],
        );
        assert!(e.contains("paired rounds: 4 set-ups"), "{e}");
        // One pair the other way, one equal: holds partly.
        let p = rounds((4000.0, 4000.0), (5000.0, 4000.0), (3600.0, 4000.0), 4000.0);
        judged_in(
            &ThreadCheaper,
            &all,
            &p,
            HoldsPartly,
            &["(no difference)", "(the opposite)"],
        );
        let p = rounds((4000.0, 4000.0), (4000.0, 4000.0), (4000.0, 4000.0), 4000.0);
        judged_in(&ThreadCheaper, &all, &p, NoDifference, &[]);
        // A control that differs makes the run inconclusive, whatever the pairs say.
        let p = rounds((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0), 4400.0);
        judged_in(
            &ThreadCheaper,
            &all,
            &p,
            Inconclusive,
            &["does not resolve the margin"],
        );
        // No paired rounds: not measured, and said why.
        let v = ThreadCheaper.verdict(&all);
        assert_eq!(v.verdict, NotMeasured);
        assert!(v.evidence.contains("paired rounds"), "{}", v.evidence);
        // Invalid outcomes do not count.
        let mut bad = all;
        bad.iter_mut().for_each(|o| o.valid = false);
        let p = rounds((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0), 4000.0);
        judged_in(&ThreadCheaper, &bad, &p, NotMeasured, &[]);
    }
}
