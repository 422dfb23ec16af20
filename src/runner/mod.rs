//! Choosing benchmarks by id and running them: what the CLI's `run` does.

use std::collections::HashSet;

use crate::cpus::CpuChoice;
use crate::error::{Error, Result};
use crate::experiments::DESCRIPTORS;
use crate::measure::{Counting, Outcome, SampleConfig};
use crate::results::Skipped;

mod explain;

use crate::bench::BenchUnit;
pub use crate::bench::{PairedBench, Planned, Runnable};
pub use crate::experiments::{PlanOptions, QUICK_CROSS_SIZES, QUICK_RING_SIZES};
use crate::spec::{
    BenchId, Comparison, Mechanism, Participants, PingPongSpec, Placement, PlacementKind,
};
pub use explain::explain_plan;

/// What the run loop runs: one benchmark on its own, or a comparison of several side by
/// side in paired rounds (see [`crate::measure::paired`]).
pub enum Job {
    /// One benchmark.
    One(Planned),
    /// A comparison.
    Compare {
        /// Which.
        comparison: Comparison,
        /// Its members, in plan order (with the control copy where it has one).
        members: Vec<Box<dyn PairedBench>>,
    },
}

impl Job {
    /// The ids whose outcomes it gives.
    pub fn ids(&self) -> Vec<BenchId> {
        match self {
            Job::One(p) => vec![p.id()],
            Job::Compare { members, .. } => members
                .iter()
                .filter(|m| m.meta().is_some())
                .map(|m| m.id())
                .collect(),
        }
    }
}

/// The jobs of `planned`: every benchmark that belongs to a comparison joins it, at the
/// place of the comparison's first member; the comparison of ping-pongs on one CPU gets
/// its control (a second `thread-futex-shared`) where that twin is planned. The
/// creations run first, while this process is small (see [`plan_with`]).
pub fn jobs(planned: Vec<Planned>) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    for p in planned {
        let Some(m) = p.0.paired() else {
            jobs.push(Job::One(p));
            continue;
        };
        let c = m.comparison();
        let at = jobs
            .iter_mut()
            .find(|j| matches!(j, Job::Compare { comparison, .. } if *comparison == c));
        match at {
            Some(Job::Compare { members, .. }) => members.push(m),
            _ => jobs.push(Job::Compare {
                comparison: c,
                members: vec![m],
            }),
        }
    }
    for j in jobs.iter_mut() {
        if let Job::Compare {
            comparison: Comparison::Switch,
            members,
        } = j
        {
            let twin = BenchId::PingPong {
                participants: Participants::Thread,
                mechanism: Mechanism::FutexShared,
                placement: PlacementKind::SameCpu,
            };
            if let Some(cpu) = members.iter().find(|m| m.id() == twin).map(|m| m.cpu()) {
                members.push(Box::new(BenchUnit {
                    bench: PingPongSpec {
                        participants: Participants::Thread,
                        mechanism: Mechanism::FutexShared,
                        placement: Placement::SameCpu(cpu),
                    },
                    control: true,
                }));
            }
        }
    }
    if let Some(i) = jobs.iter().position(
        |j| matches!(j, Job::Compare { comparison, .. } if *comparison == Comparison::Spawn),
    ) {
        let spawn = jobs.remove(i);
        jobs.insert(0, spawn);
    }
    jobs
}

/// Every benchmark id with the default sizes, in report order.
pub fn all_ids() -> Vec<crate::spec::BenchId> {
    all_ids_with(&PlanOptions::default())
}

/// Every benchmark id with the given sizes, in report order: each experiment's, as its
/// descriptor lists them, in [`DESCRIPTORS`] order.
pub fn all_ids_with(opts: &PlanOptions) -> Vec<BenchId> {
    DESCRIPTORS.iter().flat_map(|d| (d.ids)(opts)).collect()
}

/// True when `id` matches any of `filters` (substrings); no filter matches everything.
pub fn matches(id: BenchId, filters: &[String]) -> bool {
    let id = id.to_string();
    filters.is_empty() || filters.iter().any(|f| id.contains(f.as_str()))
}

/// The benchmarks matching `filters`, with the ones that cannot run on `cpus` set aside
/// with their reason. An empty selection is an error naming the fix.
pub fn plan(filters: &[String], cpus: &CpuChoice) -> Result<(Vec<Planned>, Vec<Skipped>)> {
    plan_with(filters, cpus, &PlanOptions::default())
}

/// [`plan`] with chosen sizes for the parameterised experiments: every id some filter
/// matches, and what those ids need run beside them (a same-CPU ping-pong's floor), each
/// experiment planned by its descriptor, in [`DESCRIPTORS`] order.
pub fn plan_with(
    filters: &[String],
    cpus: &CpuChoice,
    opts: &PlanOptions,
) -> Result<(Vec<Planned>, Vec<Skipped>)> {
    opts.check()?;
    let wanted = all_ids_with(opts)
        .into_iter()
        .filter(|&id| matches(id, filters))
        .collect();
    let (planned, skipped) = plan_ids(wanted, cpus, opts);
    if planned.is_empty() && skipped.is_empty() {
        return Err(Error::InvalidInput(format!(
            "no benchmark id matches {}; `ctxbench list` prints the ids",
            filters
                .iter()
                .map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    Ok((planned, skipped))
}

/// The benchmarks of `wanted` and what they need run beside them (a same-CPU ping-pong's
/// floor), each experiment planned by its descriptor, in [`DESCRIPTORS`] order; the ids
/// that cannot run here are set aside with their reason.
pub fn plan_ids(
    mut wanted: HashSet<BenchId>,
    cpus: &CpuChoice,
    opts: &PlanOptions,
) -> (Vec<Planned>, Vec<Skipped>) {
    let served: Vec<BenchId> = wanted
        .iter()
        .flat_map(|&id| DESCRIPTORS.iter().filter_map(move |d| (d.serves)(id)))
        .collect();
    wanted.extend(served);
    let (mut planned, mut skipped) = (Vec::new(), Vec::new());
    for d in DESCRIPTORS {
        let mine: Vec<BenchId> = (d.ids)(opts)
            .into_iter()
            .filter(|id| wanted.contains(id))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let p = (d.plan)(&mine, cpus, opts);
        planned.extend(p.planned);
        skipped.extend(
            p.refused
                .into_iter()
                .map(|(id, reason)| Skipped { id, reason }),
        );
    }
    (planned, skipped)
}

/// The register-state benchmarks `filters` name on `cpu`, and those this machine does not
/// offer, skipped with the reason.
pub fn regs_plan(filters: &[String], cpu: usize) -> (Vec<Planned>, Vec<Skipped>) {
    let cpus = CpuChoice::resolve_with(Some(&[cpu]), &[cpu]).expect("one CPU is a choice");
    let d = crate::experiments::descriptor(crate::spec::Experiment::Regs);
    let ids: Vec<BenchId> = (d.ids)(&PlanOptions::default())
        .into_iter()
        .filter(|&id| matches(id, filters))
        .collect();
    let p = (d.plan)(&ids, &cpus, &PlanOptions::default());
    let skipped = p
        .refused
        .into_iter()
        .map(|(id, reason)| Skipped { id, reason })
        .collect();
    (p.planned, skipped)
}

/// Completes outcomes that depend on each other once all have run: the direct cost of
/// each same-cpu ping-pong from its floor.
pub fn finish(outcomes: &mut [Outcome]) {
    crate::analysis::floors::apply(outcomes);
}

/// Runs one planned benchmark: set up, time, count every known event, tear down.
pub fn run_one(p: &Planned, cfg: &SampleConfig) -> Result<Outcome> {
    run_one_with(p, cfg, &Counting::all())
}

/// How many times one id is measured at most while other tasks disturb it.
pub const MAX_ATTEMPTS: usize = 3;

/// Runs one planned benchmark, counting the events of `counting`. An attempt that other
/// tasks disturbed (see [`crate::measure::disturbance`]) is measured again, up to
/// [`MAX_ATTEMPTS`] in all; the least disturbed attempt is kept, and the outcome lists
/// what disturbed the others. An invalid attempt that was not disturbed is the harness's
/// own mistake and is kept as it is.
pub fn run_one_with(p: &Planned, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
    let mut tried: Vec<Outcome> = Vec::new();
    loop {
        let o = match p.0.attempt(cfg, counting) {
            Ok(o) => o,
            // A retry that fails keeps what the earlier attempts measured.
            Err(e) if !tried.is_empty() => {
                let mut kept = keep_least_disturbed_attempt(tried);
                kept.retries.push(format!("a further attempt failed: {e}"));
                return Ok(kept);
            }
            Err(e) => return Err(e),
        };
        let disturbed = o.disturbance.as_ref().is_some_and(|d| d.too_much());
        let harness_mistake = !o.valid && !disturbed;
        tried.push(o);
        if !disturbed || harness_mistake || tried.len() >= MAX_ATTEMPTS {
            break;
        }
    }
    Ok(keep_least_disturbed_attempt(tried))
}

/// Of several attempts at one id, the valid one whose batches other tasks disturbed
/// least, with a line for each attempt given up.
fn keep_least_disturbed_attempt(mut tried: Vec<Outcome>) -> Outcome {
    let share = |o: &Outcome| o.disturbance.as_ref().map_or(0.0, |d| d.others_share);
    let best = (0..tried.len())
        .min_by(|&a, &b| {
            let (x, y) = (&tried[a], &tried[b]);
            (!x.valid, share(x))
                .partial_cmp(&(!y.valid, share(y)))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(0);
    let lines: Vec<String> = tried
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .map(|(i, o)| {
            let how = o
                .disturbance
                .as_ref()
                .map_or_else(|| "disturbed".to_string(), |d| d.describe());
            format!("attempt {} of {}: {how}", i + 1, tried.len())
        })
        .collect();
    let mut kept = tried.swap_remove(best);
    kept.retries = lines;
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::ring::DEFAULT_RING_SIZES;
    use crate::experiments::{footprint, topology, workset};

    #[test]
    fn filters_select_by_substring() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let (p, s) = plan(&["pingpong/thread".into()], &cpus).unwrap();
        // 15 ping-pongs and the 5 floors they subtract, floors first.
        assert_eq!(p.len(), 20);
        assert!(s.is_empty());
        assert!(p[..5]
            .iter()
            .all(|x| x.id().experiment() == crate::spec::Experiment::Floor));
        assert!(p[5..]
            .iter()
            .all(|x| x.id().to_string().starts_with("pingpong/thread-")));
        let (p, _) = plan(&["pingpong/process-pipe/cross".into()], &cpus).unwrap();
        assert_eq!(p.len(), 1, "a cross-cpu ping-pong needs no floor");
        // Everything, less the register states not offered and the reads a Yama setting
        // refuses (skipped, with the reason).
        let (p, s) = plan(&[], &cpus).unwrap();
        assert_eq!(p.len() + s.len(), all_ids().len());
        assert!(
            s.iter()
                .all(|s| s.id.starts_with("cross/") || s.id.starts_with("regs/")),
            "{s:?}"
        );
        let (p, _) = plan(&["ring/process".into()], &cpus).unwrap();
        assert_eq!(
            p.len(),
            2 * DEFAULT_RING_SIZES.len(),
            "pipe and futex rings"
        );
        let (p, _) = plan(&["ring/thread-futex/".into()], &cpus).unwrap();
        assert_eq!(p.len(), DEFAULT_RING_SIZES.len());
    }

    #[test]
    fn the_null_system_call_runs_beside_the_user_space_switches() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let ids = |f: &str| -> Vec<String> {
            plan(&[f.into()], &cpus)
                .unwrap()
                .0
                .iter()
                .map(|p| p.id())
                .map(|i| i.to_string())
                .collect()
        };
        assert_eq!(
            ids("uswitch"),
            ["floor/getppid", "uswitch/corosensei", "uswitch/swapcontext"]
        );
        assert_eq!(
            ids("uswitch/swapcontext"),
            ["floor/getppid", "uswitch/swapcontext"]
        );
        assert_eq!(ids("floor/getppid"), ["floor/getppid"]);
        // Asked for both, the floor is planned once.
        let (p, _) = plan(&["uswitch/".into(), "getppid".into()], &cpus).unwrap();
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn workset_sizes_are_checked_and_quick_is_smaller() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let opts = PlanOptions {
            workset_sizes: vec![0, 2 << 30],
            ..PlanOptions::default()
        };
        let e = plan_with(&["workset".into()], &cpus, &opts).unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("--sizes"), "{e}");
        let (q, _) = plan_with(&["workset".into()], &cpus, &PlanOptions::quick()).unwrap();
        let (f, _) = plan_with(&["workset".into()], &cpus, &PlanOptions::default()).unwrap();
        assert!(!q.is_empty() && q.len() < f.len());
        let (p, _) = plan(&["workset/thread-pipe/page-stride/".into()], &cpus).unwrap();
        assert_eq!(p.len(), workset::DEFAULT_SIZES.len());
    }

    #[test]
    fn explain_runs_what_each_claim_needs() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let ids: Vec<String> = explain_plan(&cpus)
            .0
            .iter()
            .map(|p| p.id())
            .map(|i| i.to_string())
            .collect();
        for needed in [
            "floor/futex-shared",
            "pingpong/process-futex/same-cpu",
            "pingpong/thread-futex/same-cpu",
            "pingpong/thread-futex-shared/same-cpu",
            "ring/process-pipe/4",
            "ring/process-pipe/8",
            "ring/thread-pipe/8",
            "workset/process-pipe/1MiB",
            "workset/thread-pipe/0B",
            "spawn/fork",
            "spawn/thread",
            "footprint/process/64",
            "footprint/thread/1",
            "floor/getppid",
            "uswitch/corosensei",
            "uswitch/swapcontext",
            "isolation/process-write",
            "isolation/thread-write",
            "cross/shared-mapping/4KiB",
            "cross/ptrace-peek/1MiB",
        ] {
            assert!(ids.iter().any(|i| i == needed), "{needed} missing");
        }
        // Every register state, run where offered, else skipped with the reason.
        let (_, refused) = regs_plan(&[], 0);
        for id in crate::experiments::regs::all_ids() {
            let skipped = refused
                .iter()
                .any(|s| s.id == id.to_string() && !s.reason.is_empty());
            assert!(ids.contains(&id.to_string()) != skipped, "{id}");
        }
        assert!(ids.iter().any(|i| i.starts_with("topology/cacheline/")));
        // Every id it runs is one `ctxbench list` knows.
        let all = all_ids_with(&PlanOptions {
            workset_sizes: vec![0, 64 << 10, 1 << 20, 4 << 20],
            footprint_tasks: footprint::QUICK_TASKS.to_vec(),
            topology_pairs_per_class: topology::QUICK_PAIRS_PER_CLASS,
            ..PlanOptions::default()
        });
        assert!(ids.iter().all(|i| all.iter().any(|a| *a == i.as_str())));
    }

    #[test]
    fn the_least_disturbed_valid_attempt_is_kept_and_the_others_said() {
        use crate::analysis::claims::fixtures::pp;
        use crate::measure::disturbance::Disturbance;
        let o = |ns: f64, valid: bool, share: f64| {
            let mut x = pp(Participants::Thread, Mechanism::Pipe, ns);
            x.valid = valid;
            x.disturbance = Some(Disturbance {
                batches: 10,
                disturbed_batches: (share * 10.0).round() as usize,
                others_share: share,
                ..Disturbance::default()
            });
            x
        };
        // The invalid attempt is passed over even though it was the quietest.
        let kept = keep_least_disturbed_attempt(vec![
            o(9000.0, true, 0.30),
            o(4000.0, false, 0.001),
            o(5000.0, true, 0.05),
        ]);
        assert_eq!(kept.ns_per_iteration.median, 5000.0);
        assert_eq!(kept.retries.len(), 2);
        assert!(kept.retries[0].starts_with("attempt 1 of 3: 3 of 10 batches disturbed"));
        assert!(kept.retries[1].starts_with("attempt 2 of 3:"));
        // One attempt: nothing to say.
        let kept = keep_least_disturbed_attempt(vec![o(4000.0, true, 0.0)]);
        assert!(kept.retries.is_empty());
    }

    #[test]
    fn bad_ring_sizes_are_refused_before_running() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        for n in [0, 1, 65] {
            let opts = PlanOptions {
                ring_sizes: vec![4, n],
                ..PlanOptions::default()
            };
            let e = plan_with(&["ring".into()], &cpus, &opts).unwrap_err();
            assert!(
                e.is_usage() && e.to_string().contains("between 2 and 64"),
                "{e}"
            );
        }
    }

    #[test]
    fn footprints_follow_the_spawns_and_bad_counts_are_refused() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let (p, _) = plan(&["spawn/".into(), "footprint/".into()], &cpus).unwrap();
        let ids: Vec<String> = p.iter().map(|x| x.id()).map(|i| i.to_string()).collect();
        assert_eq!(ids.len(), 3 + 2 * footprint::DEFAULT_TASKS.len());
        assert!(ids[..3].iter().all(|i| i.starts_with("spawn/")), "{ids:?}");
        assert_eq!(ids[3], "footprint/process/1");
        let (q, _) = plan_with(&["footprint/".into()], &cpus, &PlanOptions::quick()).unwrap();
        assert_eq!(q.len(), 2 * footprint::QUICK_TASKS.len());
        let opts = PlanOptions {
            footprint_tasks: vec![4, 65],
            ..PlanOptions::default()
        };
        let e = plan_with(&["footprint".into()], &cpus, &opts).unwrap_err();
        assert!(
            e.is_usage() && e.to_string().contains("between 1 and 64"),
            "{e}"
        );
    }

    #[test]
    fn empty_match_is_a_usage_error() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let e = plan(&["nothing-like-this".into()], &cpus).unwrap_err();
        assert!(
            e.is_usage() && e.to_string().contains("ctxbench list"),
            "{e}"
        );
    }

    #[test]
    fn cross_cpu_is_skipped_with_one_cpu() {
        let cpus = CpuChoice::resolve_with(Some(&[0]), &[0, 1]).unwrap();
        let (p, s) = plan(&["cross-cpu".into()], &cpus).unwrap();
        assert!(p.is_empty());
        assert_eq!(s.len(), 8);
        assert!(s[0].reason.contains("needs 2 distinct CPUs"));
        let (p, s) = plan(&["topology/".into()], &cpus).unwrap();
        assert!(p.is_empty());
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "topology/*");
        assert!(
            s[0].reason
                .contains("the topology sweep needs 2 distinct CPUs"),
            "{}",
            s[0].reason
        );
    }

    #[test]
    fn the_topology_sweep_is_planned_on_the_pairs_of_the_cpus_given() {
        let cpus = CpuChoice::resolve(None).unwrap();
        let (p, s) = plan_with(&["topology/".into()], &cpus, &PlanOptions::quick()).unwrap();
        let ids: Vec<BenchId> = p.iter().map(|x| x.id()).collect();
        if cpus.cpus.len() < 2 {
            return assert_eq!(s.len(), 1);
        }
        assert!(s.is_empty(), "{s:?}");
        // Both hand-overs of every pair, the futex first.
        assert!(!ids.is_empty() && ids.len() % 2 == 0, "{ids:?}");
        for pair in ids.chunks(2) {
            let [BenchId::Topology {
                handover: crate::spec::Handover::Futex,
                a,
                b,
            }, BenchId::Topology {
                handover: crate::spec::Handover::CacheLine,
                a: a2,
                b: b2,
            }] = pair
            else {
                panic!("not a futex and a cache-line pair: {pair:?}");
            };
            assert_eq!((a, b), (a2, b2));
        }
        let (only, _) = plan(&["topology/cacheline/".into()], &cpus).unwrap();
        assert!(only.iter().all(|x| matches!(
            x.id(),
            BenchId::Topology {
                handover: crate::spec::Handover::CacheLine,
                ..
            }
        )));
    }
}
