//! Claim 5: processes are costlier to create than threads. Judged on time per creation,
//! fork against thread spawn measured side by side in paired rounds (each round's ratio),
//! with posix_spawn beside them; the margin is 10%.

use super::evidence::Evidence;
use super::figure::{decide_ratio, Figure, Margin, Unit};
use super::rounds::{all_disturbed, estimate, find};
use super::select::valid;
use super::{Claim, Finding, RunFacts};
use crate::measure::paired::ArmMode;
use crate::measure::Outcome;
use crate::spec::{BenchId, Comparison, Experiment, SpawnKind};

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
    fn find(outcomes: &[Outcome], id: BenchId) -> Option<Self> {
        valid(outcomes, Experiment::Spawn)
            .find(|o| o.id == id)
            .map(|o| Self {
                ns: o.ns_per_iteration.median,
                child_faults: o.get(crate::measure::extra::MINOR_FAULTS_CHILD),
            })
    }

    fn us(&self) -> f64 {
        self.ns / 1000.0
    }
}

/// The margin: creation times within 10% of each other count as the same.
pub const MARGIN: f64 = 0.10;

impl Claim for Creation {
    fn statement(&self) -> &'static str {
        "Processes are costlier to create than threads."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let (fork_id, thread_id) = (
            BenchId::Spawn(SpawnKind::Fork),
            BenchId::Spawn(SpawnKind::Thread),
        );
        let (Some(fork), Some(thread)) = (
            Spawn::find(outcomes, fork_id),
            Spawn::find(outcomes, thread_id),
        ) else {
            return Finding::not_measured("needs valid spawn/fork and spawn/thread");
        };
        if let Some(f) = find(facts, Comparison::Spawn).and_then(all_disturbed) {
            return f;
        }
        let arms = [(fork_id, ArmMode::Main), (thread_id, ArmMode::Main)];
        let Some(ratio) =
            find(facts, Comparison::Spawn).and_then(|p| estimate(p, &arms, |v| v[0] / v[1]))
        else {
            return Finding::not_measured(
                "needs spawn/fork and spawn/thread measured side by side in paired rounds",
            );
        };
        let ratio = Figure::of(
            "fork-over-thread",
            ratio,
            Unit::Ratio,
            "fork + exit + wait over thread spawn + join, round by round",
        );
        let kind = decide_ratio(&ratio.interval().expect("an interval"), MARGIN);
        let mut evidence = Evidence::new(format!(
            "fork + exit + wait {:.1} us vs thread spawn + join {:.1} us per creation: {ratio}",
            fork.us(),
            thread.us(),
        ));
        evidence.push_some(
            fork.child_faults
                .map(|f| format!("{f:.0} minor page faults in each forked child")),
        );
        let posix_id = BenchId::Spawn(SpawnKind::PosixSpawn);
        evidence.push_some(Spawn::find(outcomes, posix_id).map(|ps| {
            let faults = ps
                .child_faults
                .map_or_else(String::new, |f| format!(" ({f:.0} faults in the child)"));
            format!("posix_spawn of /bin/true {:.1} us{faults}", ps.us())
        }));
        let margin = Margin {
            value: MARGIN * 100.0,
            unit: Unit::Percent,
            what: "creation times within 10% of each other count as the same".into(),
        };
        Finding::new(kind, evidence).with(vec![ratio], Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged_in, rounds, spawn};
    use super::*;
    use crate::analysis::claims::VerdictKind::*;

    fn side_by_side(fork: f64, thread: f64) -> crate::measure::paired::Paired {
        rounds("spawn", &[("spawn/fork", fork), ("spawn/thread", thread)])
    }

    #[test]
    fn creation_every_outcome() {
        let all = [
            spawn("spawn/fork", 120_000.0),
            spawn("spawn/thread", 25_000.0),
            spawn("spawn/posix-spawn", 480_000.0),
        ];
        let e = judged_in(
            &Creation,
            &all,
            &side_by_side(120_000.0, 25_000.0),
            Holds,
            &["120.0 us vs thread spawn + join 25.0 us per creation: 4.7"],
        );
        let posix = "; posix_spawn of /bin/true 480.0 us (11 faults in the child)";
        assert!(e.ends_with(posix), "{e}");
        let p = side_by_side(25_000.0, 25_000.0);
        judged_in(&Creation, &all, &p, NoDifference, &[]);
        let p = side_by_side(20_000.0, 25_000.0);
        judged_in(&Creation, &all, &p, TheOpposite, &[]);
        judged_in(&Creation, &[spawn("spawn/fork", 1.0)], &p, NotMeasured, &[]);
        assert_eq!(Creation.verdict(&all).verdict, NotMeasured);
    }
}
