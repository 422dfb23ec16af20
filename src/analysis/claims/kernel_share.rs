//! Claim 6: a kernel switch pays for entering the kernel; a user-space switch is N times
//! cheaper. Judged on ns per switch on one CPU: the thread futex ping-pong (the cheapest
//! kernel switch between threads, and its direct cost with the futex floors subtracted)
//! against two coroutines on one thread switched by `corosensei`. glibc `swapcontext`,
//! the same user-space switch plus one system call (the signal mask), and the null system
//! call (`getppid`) show what entering the kernel alone costs.

use super::evidence::Evidence;
use super::select::{same_cpu_pingpong, valid};
use super::{Claim, Finding, VerdictKind, NOISE};
use crate::counters::events::SYSCALLS;
use crate::measure::{CounterValue, Outcome};
use crate::spec::{Mechanism, Participants};

/// Claim 6 (see the module).
pub struct KernelShare;

/// The claim holds when a kernel switch costs at least this many user-space switches (an
/// order of magnitude).
pub const KERNEL_SHARE_RATIO: f64 = 10.0;

/// A user-space switch as measured: ns per switch, and system calls per switch where
/// they were counted.
struct UserSwitch {
    ns: f64,
    syscalls: Option<f64>,
}

impl UserSwitch {
    fn find(outcomes: &[Outcome], id: &str) -> Option<Self> {
        let o = valid(outcomes, crate::spec::Experiment::Uswitch).find(|o| o.id == id)?;
        let syscalls = match o.counters.get(SYSCALLS) {
            // Two switches per round trip.
            Some(CounterValue::Measured { per_round_trip, .. }) => Some(per_round_trip / 2.0),
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

/// A ratio for the evidence: whole numbers from 10 up, one decimal below.
fn times(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

impl Claim for KernelShare {
    fn statement(&self) -> &'static str {
        "A kernel switch pays for entering the kernel: a user-space switch is N times cheaper."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let kernel = same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::Futex);
        let (Some(kernel), Some(user)) = (kernel, UserSwitch::find(outcomes, "uswitch/corosensei"))
        else {
            return Finding::not_measured(
                "needs valid pingpong/thread-futex/same-cpu and uswitch/corosensei",
            );
        };
        let k = kernel.ns_per_switch.unwrap_or(f64::NAN);
        let ratio = k / user.ns;
        let direct = kernel.direct_ns_per_switch.filter(|d| *d > 0.0);
        // N is the smaller ratio: the switch with its futex calls, or without them.
        let n = direct.map_or(ratio, |d| ratio.min(d / user.ns));
        let direct_part = direct.map_or_else(String::new, |d| {
            format!(" ({d:.0} ns direct, futex floors subtracted)")
        });
        let direct_ratio =
            direct.map_or_else(String::new, |d| format!(", {}x direct", times(d / user.ns)));
        let mut evidence = Evidence::new(format!(
            "N = {}: a kernel switch (thread-futex) {k:.0} ns{direct_part} vs a user-space \
             switch (corosensei) {:.1} ns: {}x{direct_ratio}; corosensei system calls per \
             switch: {}",
            times(n),
            user.ns,
            times(ratio),
            user.syscalls()
        ));
        evidence.push_some(UserSwitch::find(outcomes, "uswitch/swapcontext").map(|s| {
            format!(
                "glibc swapcontext {:.0} ns per switch ({:+.0} ns over corosensei), \
                     system calls per switch: {} (rt_sigprocmask)",
                s.ns,
                s.ns - user.ns,
                s.syscalls()
            )
        }));
        evidence.push_some(
            valid(outcomes, crate::spec::Experiment::Floor)
                .find(|o| o.id == "floor/getppid")
                .map(|g| {
                    format!(
                        "a null system call (getppid) {:.0} ns",
                        g.ns_per_round_trip.median
                    )
                }),
        );
        let kind = if n >= KERNEL_SHARE_RATIO {
            VerdictKind::Holds
        } else if n > 1.0 + NOISE {
            VerdictKind::HoldsPartly
        } else {
            VerdictKind::DoesNotHold
        };
        let remark = format!(
            "same CPU, median; holds from {KERNEL_SHARE_RATIO:.0}x, the smaller ratio counts"
        );
        Finding::new(kind, evidence.remark(remark))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{getppid, judged, pp, uswitch};
    use super::*;
    use VerdictKind::*;

    fn futex(rt: f64, direct: Option<f64>) -> Outcome {
        let mut o = pp(Participants::Thread, Mechanism::Futex, rt);
        o.direct_ns_per_switch = direct;
        o
    }

    #[test]
    fn kernel_share_every_outcome() {
        let all = [
            getppid(170.0),
            futex(4200.0, Some(1500.0)),
            uswitch("uswitch/corosensei", 4.0, Some(0.0)),
            uswitch("uswitch/swapcontext", 460.0, Some(2.0)),
        ];
        let e = judged(
            &KernelShare,
            &all,
            Holds,
            &[
                "N = 750: a kernel switch (thread-futex) 2100 ns (1500 ns direct",
                "corosensei) 2.0 ns: 1050x, 750x direct",
                "corosensei system calls per switch: 0.00",
                "swapcontext 230 ns per switch (+228 ns over corosensei), system calls per \
                 switch: 1.00",
                "getppid) 170 ns",
            ],
        );
        assert!(e.ends_with("the smaller ratio counts)"), "{e}");
        // Without the floors, counters and the other figures: the round trips alone.
        let bare = [
            futex(4200.0, None),
            uswitch("uswitch/corosensei", 4.0, None),
        ];
        let e = judged(
            &KernelShare,
            &bare,
            Holds,
            &["N = 1050", "system calls not counted"],
        );
        assert!(!e.contains("swapcontext") && !e.contains("getppid"), "{e}");
        let close = [
            futex(4200.0, None),
            uswitch("uswitch/corosensei", 1400.0, None),
        ];
        judged(&KernelShare, &close, HoldsPartly, &["N = 3.0"]);
        let same = [
            futex(4200.0, None),
            uswitch("uswitch/corosensei", 4100.0, None),
        ];
        judged(&KernelShare, &same, DoesNotHold, &[]);
    }

    #[test]
    fn kernel_share_needs_both_switches_valid() {
        let need = "needs valid pingpong/thread-futex/same-cpu and uswitch/corosensei";
        judged(&KernelShare, &[], NotMeasured, &[need]);
        let no_user = [futex(4200.0, None), getppid(170.0)];
        judged(&KernelShare, &no_user, NotMeasured, &[need]);
        let mut bad = uswitch("uswitch/corosensei", 4.0, None);
        bad.valid = false;
        judged(
            &KernelShare,
            &[futex(4200.0, None), bad],
            NotMeasured,
            &[need],
        );
    }
}
