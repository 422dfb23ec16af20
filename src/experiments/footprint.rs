//! Footprint (`footprint/<process|thread>/<n>`): what n idle tasks cost in memory, n
//! forked children against n threads, the other half of "processes are heavier".
//!
//! One measurement starts n idle tasks ([`IdleTasks`]: each blocked reading a pipe), waits
//! until every one sleeps in that read, and reads procfs: the RSS, PSS and page tables
//! (`VmPTE`) of this process and, for processes, of every child, summed; and the
//! machine's `KernelStack`. Subtracting the same figures read just before the tasks
//! started gives what the n tasks added. The measurement is repeated (3 times in a quick
//! run, 8 in a full one) and the median of each figure kept in `extra`, in bytes:
//! `pss_bytes`, `page_table_bytes`, `kernel_stack_bytes`, `rss_bytes` (n is the outcome's
//! `parameter`). The bytes per task are the slope of these over n, fitted by least
//! squares in [`crate::analysis::footprint`]. Idle threads get large stacks, so that none
//! reuses a stack an earlier thread left resident (see
//! [`crate::harness::idle::IDLE_THREAD_STACK`]).
//!
//! There is no timed loop. The time fields hold what starting the tasks took, per task
//! (from the first fork or spawn until the last task said hello; one sample per
//! repetition), and the switch count is the idle tasks' own while their memory was read:
//! 0 when they were idle, as they must be (the outcome is invalid otherwise).
//!
//! PSS is the honest sum: a page shared by k processes counts 1/k in each, so the PSS of
//! the driver and its children together counts every page once. RSS counts a shared page
//! in every process that maps it, which is what `ps` and `top` show for each child.
//! What the kernel keeps in its slab for each task (the task itself, an address space
//! and its mappings for a process) is not counted: `/proc/meminfo`'s `Slab` is
//! machine-wide and moves with everything else running.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::bench::Runnable;
use crate::error::{Error, Result};
use crate::harness::idle::IdleTasks;
use crate::harness::Task;
use crate::measure::memory::{self, ProcessMemory};
pub use crate::measure::memory::{Quantity, QUANTITIES};
use crate::measure::switches::{self, TaskSwitches};
use crate::measure::{
    outcome, Counting, Outcome, OutcomeMeta, SampleConfig, Samples, SwitchCount, Validity,
};
use crate::spec::{BenchId, Participants};

pub use crate::harness::idle::{check_task_count, MAX_IDLE_TASKS};

/// Task counts of a full run.
pub const DEFAULT_TASKS: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

/// Task counts of a quick run.
pub const QUICK_TASKS: [usize; 4] = [1, 4, 16, 64];

/// Who the idle tasks are, in report order.
pub const FOOTPRINT_PARTICIPANTS: [Participants; 2] = [Participants::Process, Participants::Thread];

/// How long the tasks may take, after their hello, to be seen asleep in their read.
pub const PARK_LIMIT: Duration = Duration::from_secs(2);

/// One footprint benchmark: `tasks` idle processes or threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FootprintSpec {
    /// Processes or threads.
    pub participants: Participants,
    /// How many idle tasks.
    pub tasks: usize,
}

/// What one measurement found.
struct Reading {
    /// Nanoseconds to start the tasks, per task.
    start_ns_per_task: f64,
    /// What the tasks added, per quantity (in [`QUANTITIES`] order), in bytes.
    added: [f64; 4],
    /// The tasks' switches while their memory was read.
    switched: TaskSwitches,
    /// Whether the kernel let the per-CPU statistics be folded before `KernelStack` was
    /// read.
    refreshed: bool,
}

/// How many times a quick or a full run measures each footprint: 3 or 8.
pub fn repetitions(cfg: &SampleConfig) -> usize {
    (cfg.samples / 4).clamp(3, 8)
}

impl FootprintSpec {
    /// Its id, e.g. `footprint/thread/64`.
    pub fn id(&self) -> BenchId {
        BenchId::Footprint {
            participants: self.participants,
            tasks: self.tasks,
        }
    }

    /// What its outcome is about.
    pub fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Footprint,
            participants: Some(self.participants),
            mechanism: None,
            placement: None,
            cpus: vec![],
            parameter: Some(self.tasks as u64),
            variant: None,
        }
    }

    /// The processes whose memory counts: this one, and the children for processes.
    fn processes(&self, tasks: &[Task]) -> Vec<i32> {
        let mut pids = vec![std::process::id() as i32];
        if self.participants == Participants::Process {
            pids.extend(tasks.iter().map(|t| t.pid));
        }
        pids
    }

    /// Starts the tasks, waits until they are parked, reads what they added, stops them
    /// and waits until they are gone (so that the next reading starts clean).
    fn once(&self) -> Result<Reading> {
        let proc = Path::new("/proc");
        let before = memory::read_process(proc, std::process::id() as i32)?;
        let refreshed = memory::refresh_vm_stats(proc);
        let stacks_before = memory::kernel_stacks(proc)?;
        let mut idle = IdleTasks::start(self.participants, self.tasks)?;
        wait_parked(proc, idle.tasks())?;
        memory::refresh_vm_stats(proc);
        let stacks_after = memory::kernel_stacks(proc)?;
        let switches_before = switches::read_tasks(idle.tasks())?;
        let after = memory::read_processes(proc, &self.processes(idle.tasks()))?;
        let switches_after = switches::read_tasks(idle.tasks())?;
        // Under way: said once the tasks are up and read, so the line is not in the reading.
        crate::bench::harness_up(self.id());
        // Every task is still there, one of ours, and asleep.
        idle.check()?;
        wait_parked(proc, idle.tasks())?;
        let tasks = idle.tasks().to_vec();
        let started_in = idle.started_in();
        drop(idle);
        wait_gone(proc, &tasks)?;
        let grew = |f: fn(&ProcessMemory) -> u64| f(&after) as f64 - f(&before) as f64;
        Ok(Reading {
            start_ns_per_task: started_in.as_nanos() as f64 / self.tasks as f64,
            added: QUANTITIES.map(|q| match q {
                Quantity::Pss => grew(|m| m.pss),
                Quantity::PageTables => grew(|m| m.page_tables),
                Quantity::KernelStacks => stacks_after as f64 - stacks_before as f64,
                Quantity::Rss => grew(|m| m.rss),
            }),
            switched: TaskSwitches {
                voluntary: switches_after.voluntary - switches_before.voluntary,
                involuntary: switches_after.involuntary - switches_before.involuntary,
            },
            refreshed,
        })
    }

    /// Measures `repetitions` times and assembles the outcome (see the module).
    pub fn measure(&self, repetitions: usize) -> Result<Outcome> {
        check_task_count(self.tasks)?;
        let readings: Vec<Reading> = (0..repetitions.max(1))
            .map(|_| self.once())
            .collect::<Result<_>>()?;
        let samples = Samples {
            iters_per_sample: self.tasks as u64,
            ns_per_iter: readings.iter().map(|r| r.start_ns_per_task).collect(),
        };
        let switched = readings
            .iter()
            .fold(TaskSwitches::default(), |s, r| TaskSwitches {
                voluntary: s.voluntary + r.switched.voluntary,
                involuntary: s.involuntary + r.switched.involuntary,
            });
        let looked_at = (self.tasks * readings.len()) as u64;
        let count = SwitchCount::between(TaskSwitches::default(), switched, looked_at);
        let mut o = outcome(self.meta(), Some(0.0), samples, count);
        o.switch_count_source =
            "procfs: switches of the idle tasks while their memory was read".into();
        for (i, q) in QUANTITIES.iter().enumerate() {
            let mut v: Vec<f64> = readings.iter().map(|r| r.added[i]).collect();
            v.sort_by(f64::total_cmp);
            o.extra
                .insert(q.key().into(), crate::stats::quantile(&v, 0.5));
        }
        let refreshed = readings.iter().all(|r| r.refreshed);
        self.validity(readings.len(), switched, refreshed)
            .record(&mut o);
        Ok(o)
    }

    fn validity(&self, repetitions: usize, switched: TaskSwitches, refreshed: bool) -> Validity {
        let n = self.tasks;
        let stacks = if refreshed {
            ""
        } else {
            "; kernel stacks read without folding the per-CPU counters first (that needs \
             root), so they may be off by some tens of KiB"
        };
        if switched.total() == 0 {
            Validity::Valid(format!(
                "ok: {n} idle tasks, each asleep in a pipe read, none ran while its memory \
                 was read ({repetitions} repetitions; the time is to start one task){stacks}"
            ))
        } else {
            Validity::Invalid(format!(
                "invalid: the {n} idle tasks switched {} times while their memory was read \
                 ({repetitions} repetitions): something woke them, so they were not idle",
                switched.total()
            ))
        }
    }
}

/// Waits until every task of `tasks` sleeps (state `S`: after its hello, that is its
/// read), at most [`PARK_LIMIT`].
fn wait_parked(proc: &Path, tasks: &[Task]) -> Result<()> {
    let deadline = Instant::now() + PARK_LIMIT;
    for t in tasks {
        loop {
            let s = switches::state(proc, t)?;
            if s == 'S' {
                break;
            }
            if Instant::now() > deadline {
                return Err(Error::Stalled {
                    peer: format!("idle task {} (state {s}, not asleep in its read)", t.tid),
                    waited: PARK_LIMIT,
                });
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(())
}

/// Waits until every task of `tasks` has left procfs (reaped, or a thread that has
/// ended), at most [`PARK_LIMIT`], then a little longer: a task leaves procfs before it
/// gives back its kernel stack.
fn wait_gone(proc: &Path, tasks: &[Task]) -> Result<()> {
    let deadline = Instant::now() + PARK_LIMIT;
    for t in tasks {
        let path = proc.join(format!("{}/task/{}", t.pid, t.tid));
        while path.exists() {
            if Instant::now() > deadline {
                return Err(Error::Stalled {
                    peer: format!("idle task {} (still there after it was told to end)", t.tid),
                    waited: PARK_LIMIT,
                });
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    std::thread::sleep(Duration::from_millis(2));
    Ok(())
}

/// A footprint is measured by its own path (there is no timed loop): `counting` does
/// not apply, as no perf event describes memory.
impl Runnable for FootprintSpec {
    fn id(&self) -> crate::spec::BenchId {
        FootprintSpec::id(self)
    }

    fn attempt(&self, cfg: &SampleConfig, _counting: &Counting) -> Result<Outcome> {
        self.measure(repetitions(cfg))
    }
}

/// Every footprint id of `tasks`, processes first.
pub fn all_ids(tasks: &[usize]) -> Vec<crate::spec::BenchId> {
    specs(tasks).map(|s| s.id()).collect()
}

/// Every footprint of `tasks`, processes first.
pub fn specs(tasks: &[usize]) -> impl Iterator<Item = FootprintSpec> + '_ {
    FOOTPRINT_PARTICIPANTS
        .into_iter()
        .flat_map(move |participants| {
            tasks.iter().map(move |&tasks| FootprintSpec {
                participants,
                tasks,
            })
        })
}

/// The footprints' descriptor: every task count of the plan's sizes, processes first.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Footprint,
    ids: |o| all_ids(&o.footprint_tasks),
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, _| match id {
            BenchId::Footprint {
                participants,
                tasks,
            } => Some(crate::bench::Planned::new(FootprintSpec {
                participants,
                tasks,
            })),
            _ => None,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back() {
        assert_eq!(
            all_ids(&[1, 64]),
            [
                "footprint/process/1",
                "footprint/process/64",
                "footprint/thread/1",
                "footprint/thread/64"
            ]
        );
        for id in all_ids(&DEFAULT_TASKS) {
            assert_eq!(id.to_string().parse::<BenchId>().unwrap(), id);
        }
        assert_eq!(repetitions(&SampleConfig::quick()), 3);
        assert_eq!(repetitions(&SampleConfig::full()), 8);
    }

    #[test]
    fn a_measurement_sees_its_tasks_idle_and_leaves_none() {
        let _x = crate::harness::exclusive();
        let kids = crate::harness::children_of_me();
        for participants in FOOTPRINT_PARTICIPANTS {
            let spec = FootprintSpec {
                participants,
                tasks: 4,
            };
            let o = spec.measure(2).unwrap();
            assert!(o.valid, "{}", o.validity);
            assert_eq!(o.parameter, Some(4));
            assert_eq!(o.samples_ns_per_iteration.len(), 2);
            assert_eq!(o.switch_count.iters, 8);
            assert_eq!(o.switches_per_iteration, 0.0);
            for q in QUANTITIES {
                assert!(o.extra[q.key()].is_finite(), "{q:?}");
            }
            // Each task has a kernel stack of its own, and a process its page tables:
            // four tasks add to both (the kernel stack figure is machine-wide, so only
            // its sign is asserted).
            if participants == Participants::Process {
                assert!(o.extra["page_table_bytes"] > 0.0, "{:?}", o.extra);
                assert!(o.extra["rss_bytes"] > o.extra["pss_bytes"], "{:?}", o.extra);
            }
            assert_eq!(crate::harness::children_of_me(), kids, "{participants:?}");
        }
    }
}
