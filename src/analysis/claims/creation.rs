//! Claim 5: processes are costlier to create than threads. Judged on time per creation,
//! fork against thread spawn (and posix_spawn).

use super::evidence::Evidence;
use super::select::valid;
use super::{Claim, Finding, VerdictKind, NOISE};
use crate::measure::Outcome;
use crate::spec::Experiment;

/// Claim 5 (see the module).
pub struct Creation;

/// One way of creating, as measured.
struct Spawn {
    /// Median ns per creation.
    ns: f64,
    /// Minor page faults in each child, where counted.
    child_faults: Option<f64>,
}

impl Spawn {
    fn find(outcomes: &[Outcome], id: &str) -> Option<Self> {
        valid(outcomes, Experiment::Spawn)
            .find(|o| o.id == id)
            .map(|o| Self {
                ns: o.ns_per_round_trip.median,
                child_faults: o.extra.get("minor_faults_child_per_iter").copied(),
            })
    }

    fn us(&self) -> f64 {
        self.ns / 1000.0
    }
}

impl Claim for Creation {
    fn statement(&self) -> &'static str {
        "Processes are costlier to create than threads."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let (Some(fork), Some(thread)) = (
            Spawn::find(outcomes, "spawn/fork"),
            Spawn::find(outcomes, "spawn/thread"),
        ) else {
            return Finding::not_measured("needs valid spawn/fork and spawn/thread");
        };
        let mut evidence = Evidence::new(format!(
            "fork + exit + wait {:.1} us vs thread spawn + join {:.1} us per creation ({:.1}x)",
            fork.us(),
            thread.us(),
            fork.ns / thread.ns
        ));
        evidence.push_some(
            fork.child_faults
                .map(|f| format!("{f:.0} minor page faults in each forked child")),
        );
        evidence.push_some(Spawn::find(outcomes, "spawn/posix-spawn").map(|ps| {
            let faults = ps
                .child_faults
                .map_or_else(String::new, |f| format!(" ({f:.0} faults in the child)"));
            format!("posix_spawn of /bin/true {:.1} us{faults}", ps.us())
        }));
        let kind = if fork.ns >= 2.0 * thread.ns {
            VerdictKind::Holds
        } else if fork.ns > thread.ns * (1.0 + NOISE) {
            VerdictKind::HoldsPartly
        } else {
            VerdictKind::DoesNotHold
        };
        Finding::new(kind, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, spawn};
    use super::*;
    use VerdictKind::*;

    #[test]
    fn creation_every_outcome() {
        let all = [
            spawn("spawn/fork", 120_000.0),
            spawn("spawn/thread", 25_000.0),
            spawn("spawn/posix-spawn", 480_000.0),
        ];
        let e = judged(
            &Creation,
            &all,
            Holds,
            &["120.0 us vs thread spawn + join 25.0 us"],
        );
        let posix = "; posix_spawn of /bin/true 480.0 us (11 faults in the child)";
        assert!(e.ends_with(posix), "{e}");
        let some = [
            spawn("spawn/fork", 40_000.0),
            spawn("spawn/thread", 25_000.0),
        ];
        judged(&Creation, &some, HoldsPartly, &[]);
        let none = [
            spawn("spawn/fork", 25_000.0),
            spawn("spawn/thread", 25_000.0),
        ];
        judged(&Creation, &none, DoesNotHold, &[]);
        judged(&Creation, &[spawn("spawn/fork", 1.0)], NotMeasured, &[]);
    }
}
