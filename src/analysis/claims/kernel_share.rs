//! Claim 8: a kernel switch pays for entering the kernel; a user-space switch is N times
//! cheaper. Judged on one CPU, measured side by side in paired rounds: the thread futex
//! ping-pong (the cheapest kernel switch between threads; its direct cost with the futex
//! floor of the same rounds taken out) against two coroutines on one thread switched by
//! `corosensei`. N is each round's ratio, the smaller of the two (with and without the
//! futex calls); the margin is 10%. glibc `swapcontext` (a user-space switch that also
//! makes system calls, counted) and the null system call (`getppid`) show what entering
//! the kernel alone costs.

use super::evidence::Evidence;
use super::figure::{decide_ratio, Figure, Margin, Unit};
use super::rounds::{all_disturbed, estimate, find};
use super::select::{same_cpu_pingpong, valid};
use super::{Claim, Finding, RunFacts};
use crate::counters::events::SYSCALLS;
use crate::measure::paired::ArmMode;
use crate::measure::{CounterValue, Outcome};
use crate::spec::{BenchId, Comparison, FloorKind, Mechanism, Participants, UswitchKind};

/// Claim 8 (see the module).
pub struct KernelShare;

/// The margin: a kernel switch within 10% of a user-space one costs the same.
pub const MARGIN: f64 = 0.10;

/// A user-space switch as measured: ns per switch, and system calls per switch where
/// they were counted.
struct UserSwitch {
    ns: f64,
    syscalls: Option<f64>,
}

impl UserSwitch {
    fn find(outcomes: &[Outcome], id: BenchId) -> Option<Self> {
        let o = valid(outcomes, crate::spec::Experiment::Uswitch).find(|o| o.id == id)?;
        let syscalls = match o.counters.get(SYSCALLS) {
            // Two switches per round trip.
            Some(CounterValue::Measured { per_iteration, .. }) => Some(per_iteration / 2.0),
            _ => None,
        };
        Some(Self {
            ns: o.ns_per_switch.filter(|ns| *ns > 0.0)?,
            syscalls,
        })
    }

    fn syscalls(&self) -> String {
        self.syscalls
            .map_or_else(|| "system calls not counted".into(), |n| format!("{n:.2}"))
    }
}

impl Claim for KernelShare {
    fn statement(&self) -> &'static str {
        "A kernel switch pays for entering the kernel: a user-space switch is N times cheaper."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let kernel = same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::Futex);
        let coro_id = BenchId::Uswitch(UswitchKind::Corosensei);
        let user = UserSwitch::find(outcomes, coro_id);
        let p = find(facts, Comparison::Switch);
        let (Some(kernel), Some(user), Some(p)) = (kernel, user, p) else {
            return Finding::not_measured(
                "needs valid pingpong/thread-futex/same-cpu and uswitch/corosensei, measured \
                 side by side in paired rounds",
            );
        };
        if let Some(f) = all_disturbed(p) {
            return f;
        }
        let floor_id = BenchId::Floor(FloorKind::Futex);
        let k = (kernel.id, ArmMode::Main);
        let u = (coro_id, ArmMode::Main);
        let f = (floor_id, ArmMode::Main);
        let Some(whole) = estimate(p, &[k, u], |v| v[0] / v[1]) else {
            return Finding::not_measured(
                "needs pingpong/thread-futex/same-cpu and uswitch/corosensei in the same \
                 quiet rounds",
            );
        };
        let whole = Figure::of(
            "n",
            whole,
            Unit::Ratio,
            "a thread-futex switch over a corosensei switch",
        );
        let direct = estimate(p, &[k, u, f], |v| (v[0] - 2.0 * v[2]) / v[1]).map(|i| {
            Figure::of(
                "n-direct",
                i,
                Unit::Ratio,
                "the same with the futex floor of each side taken out",
            )
        });
        // N is the smaller ratio: the switch with its futex calls, or without them.
        let n = match &direct {
            Some(d) if d.value < whole.value => d,
            _ => &whole,
        };
        let kind = decide_ratio(&n.interval().expect("an interval"), MARGIN);
        let per_switch = |id: BenchId, name: &str| {
            estimate(p, &[(id, ArmMode::Main)], |v| v[0] / 2.0)
                .map(|i| Figure::of(name, i, Unit::Ns, format!("{id}, per switch")))
        };
        let kernel_ns = per_switch(kernel.id, "kernel-switch");
        let mut evidence = Evidence::new(format!(
            "N = {n}: a kernel switch (thread-futex) {} vs a user-space switch (corosensei) \
             {:.1} ns; with the futex calls {whole}{}; corosensei system calls per switch: {}",
            kernel_ns.as_ref().map_or("-".into(), |f| f.to_string()),
            user.ns,
            direct
                .as_ref()
                .map_or_else(String::new, |d| format!(", without them {d}")),
            user.syscalls()
        ));
        let swap_id = BenchId::Uswitch(UswitchKind::Swapcontext);
        evidence.push_some(UserSwitch::find(outcomes, swap_id).map(|s| {
            format!(
                "glibc swapcontext {:.0} ns per switch ({:+.0} ns over corosensei), system \
                 calls per switch: {} (which call is not counted here: glibc's source makes \
                 it rt_sigprocmask, to save and restore the signal mask)",
                s.ns,
                s.ns - user.ns,
                s.syscalls()
            )
        }));
        let getppid = BenchId::Floor(FloorKind::Getppid);
        evidence.push_some(
            valid(outcomes, crate::spec::Experiment::Floor)
                .find(|o| o.id == getppid)
                .map(|g| {
                    format!(
                        "a null system call (getppid) {:.0} ns",
                        g.ns_per_iteration.median
                    )
                }),
        );
        let mut figures = vec![whole.clone()];
        figures.extend(direct.clone());
        figures.extend(kernel_ns);
        figures.extend(per_switch(coro_id, "user-switch"));
        let margin = Margin {
            value: MARGIN * 100.0,
            unit: Unit::Percent,
            what: "a kernel switch within 10% of a user-space one costs the same; N is the \
                   smaller ratio"
                .into(),
        };
        Finding::new(kind, evidence.remark("same CPU, paired rounds")).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{getppid, judged_in, pp, switch_rounds, uswitch};
    use super::*;
    use crate::analysis::claims::VerdictKind::*;

    fn rounds(futex: f64, floor: f64, coro: f64) -> crate::measure::paired::Paired {
        switch_rounds(&[
            ("pingpong/thread-futex/same-cpu", futex),
            ("floor/futex", floor),
            ("uswitch/corosensei", coro),
            ("uswitch/swapcontext", 460.0),
        ])
    }

    #[test]
    fn kernel_share_every_outcome() {
        let all = [
            getppid(170.0),
            pp(Participants::Thread, Mechanism::Futex, 4200.0),
            uswitch("uswitch/corosensei", 4.0, Some(0.0)),
            uswitch("uswitch/swapcontext", 460.0, Some(2.0)),
        ];
        let e = judged_in(
            &KernelShare,
            &all,
            &rounds(4200.0, 600.0, 4.0),
            Holds,
            &[
                "N = 7",
                "corosensei system calls per switch: 0.00",
                "swapcontext 230 ns per switch (+228 ns over corosensei), system calls per \
                 switch: 1.00 (which call is not counted here",
                "getppid) 170 ns",
            ],
        );
        assert!(
            e.contains("with the futex calls 10") && e.contains("without them 7"),
            "{e}"
        );
        judged_in(
            &KernelShare,
            &all,
            &rounds(4200.0, 10.0, 4180.0),
            NoDifference,
            &[],
        );
        judged_in(
            &KernelShare,
            &all,
            &rounds(4200.0, 600.0, 4150.0),
            TheOpposite,
            &[],
        );
        judged_in(
            &KernelShare,
            &all,
            &rounds(4200.0, 600.0, 1400.0),
            Holds,
            &["N = 2."],
        );
    }

    #[test]
    fn kernel_share_needs_both_switches_valid() {
        let need = "needs valid pingpong/thread-futex/same-cpu and uswitch/corosensei";
        let p = rounds(4200.0, 600.0, 4.0);
        judged_in(&KernelShare, &[], &p, NotMeasured, &[need]);
        let futex = pp(Participants::Thread, Mechanism::Futex, 4200.0);
        judged_in(
            &KernelShare,
            &[futex.clone(), getppid(170.0)],
            &p,
            NotMeasured,
            &[need],
        );
        let mut bad = uswitch("uswitch/corosensei", 4.0, None);
        bad.valid = false;
        judged_in(&KernelShare, &[futex, bad], &p, NotMeasured, &[need]);
    }
}
