//! What else ran on the measured CPU while a benchmark was timed, read from procfs around
//! each timed batch (never inside one).
//!
//! On one CPU a ping-pong, ring or working set always has a participant ready to run, so
//! the CPU's wall time over a batch is the participants' run time plus whatever other
//! tasks took. `/proc/<pid>/task/<tid>/schedstat` gives each participant's run time (ns)
//! and the times it was switched in, so *other tasks' time* = wall − Σ run time, and the
//! participants' own switches are counted exactly, with no counter in the loop. A batch in
//! which other tasks took more than [`DISTURBED_SHARE`] of the CPU is *disturbed*: its
//! figures are the other tasks' as much as the harness's. A quiet batch whose switch count
//! is wrong is the harness's own mistake (INVALID).
//!
//! To say *who* disturbed, [`Census`] reads every task's run time and last CPU before and
//! after a measurement and names the busiest other tasks on the measured CPUs.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::harness::Task;

/// A batch in which other tasks ran for more than this share of the wall time is
/// disturbed.
pub const DISTURBED_SHARE: f64 = 0.01;

/// An attempt whose batches were disturbed this often (share of batches) is measured again.
pub const DISTURBED_BATCHES: f64 = 0.2;

/// A task's scheduler statistics (`/proc/<pid>/task/<tid>/schedstat`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunTime {
    /// Nanoseconds on a CPU.
    pub run_ns: u64,
    /// Times it was switched in.
    pub runs: u64,
}

impl RunTime {
    fn add(self, o: RunTime) -> RunTime {
        RunTime {
            run_ns: self.run_ns + o.run_ns,
            runs: self.runs + o.runs,
        }
    }
}

/// Parses a `schedstat` line: `<ns on CPU> <ns waiting> <times switched in>`.
pub fn parse_schedstat(text: &str) -> Option<RunTime> {
    let mut f = text.split_whitespace().map(|v| v.parse::<u64>().ok());
    let run_ns = f.next()??;
    let _wait = f.next()??;
    let runs = f.next()??;
    Some(RunTime { run_ns, runs })
}

/// One task's statistics. For the calling thread the run time comes from its CPU-time
/// clock: procfs updates a running task's figure only at a tick or a switch, so read from
/// the thread itself it can lag by a few milliseconds. Other participants on the same CPU
/// are not running while the driver reads, so theirs are current.
pub fn read_task(task: &Task) -> Result<RunTime> {
    let path = format!("/proc/{}/task/{}/schedstat", task.pid, task.tid);
    let text =
        std::fs::read_to_string(&path).map_err(|e| Error::sys(format!("reading {path}"), e))?;
    let mut rt = parse_schedstat(&text)
        .ok_or_else(|| Error::InvalidInput(format!("{path} is not a schedstat line")))?;
    if task.tid == nix::unistd::gettid().as_raw() {
        rt.run_ns = crate::sys::thread_cpu_ns().map_err(|e| Error::sys("clock_gettime", e))?;
    }
    Ok(rt)
}

/// The summed statistics of `tasks` (the driver, the calling thread, first), read right
/// after a batch: the driver's clock first, so reading the others' files does not count
/// as the participants' run time within the batch.
pub fn read_tasks(tasks: &[Task]) -> Result<RunTime> {
    tasks
        .iter()
        .try_fold(RunTime::default(), |sum, t| Ok(sum.add(read_task(t)?)))
}

/// [`read_tasks`] right before a batch: the driver's clock last, for the same reason.
pub fn read_tasks_before(tasks: &[Task]) -> Result<RunTime> {
    tasks
        .iter()
        .rev()
        .try_fold(RunTime::default(), |sum, t| Ok(sum.add(read_task(t)?)))
}

/// What one timed batch shows of the CPU it ran on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchLoad {
    /// Wall time of the batch, ns.
    pub wall_ns: f64,
    /// Other tasks' time on the CPU during it, ns (wall − the participants' run time).
    pub others_ns: f64,
    /// The participants' switches during it.
    pub switches: u64,
}

impl BatchLoad {
    /// From the participants' statistics before and after a batch of `wall_ns`.
    pub fn between(before: RunTime, after: RunTime, wall_ns: f64) -> Self {
        let ran = after.run_ns.saturating_sub(before.run_ns) as f64;
        BatchLoad {
            wall_ns,
            others_ns: (wall_ns - ran).max(0.0),
            switches: after.runs.saturating_sub(before.runs),
        }
    }

    /// Whether other tasks took more than [`DISTURBED_SHARE`] of the batch.
    pub fn disturbed(&self) -> bool {
        self.others_ns > self.wall_ns * DISTURBED_SHARE
    }
}

/// How disturbed the timed batches of one attempt were.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Disturbance {
    /// Batches timed.
    pub batches: usize,
    /// Batches in which other tasks took more than 1% of the CPU.
    pub disturbed_batches: usize,
    /// Other tasks' share of the CPU over all batches.
    pub others_share: f64,
    /// The busiest other tasks on the measured CPUs meanwhile, with their run time (ms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<(String, f64)>,
    /// Other tasks' share of the CPU during the separate counted run, where it was
    /// disturbed (its switch count is then not judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_run: Option<f64>,
}

impl Disturbance {
    /// Summarises the batches' loads.
    pub fn of(loads: &[BatchLoad]) -> Self {
        let wall: f64 = loads.iter().map(|l| l.wall_ns).sum();
        let others: f64 = loads.iter().map(|l| l.others_ns).sum();
        Disturbance {
            batches: loads.len(),
            disturbed_batches: loads.iter().filter(|l| l.disturbed()).count(),
            others_share: if wall > 0.0 { others / wall } else { 0.0 },
            by: Vec::new(),
            counted_run: None,
        }
    }

    /// Whether the attempt should be measured again.
    pub fn too_much(&self) -> bool {
        self.counted_run.is_some()
            || (self.batches > 0
                && self.disturbed_batches as f64 > self.batches as f64 * DISTURBED_BATCHES)
    }

    /// One line for a report: "4 of 15 batches disturbed, other tasks 3.1% of the CPU
    /// (kworker/0:1 1.2 ms, cc1 0.8 ms)".
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} of {} batches disturbed, other tasks {:.1}% of the CPU",
            self.disturbed_batches,
            self.batches,
            self.others_share * 100.0
        );
        if let Some(c) = self.counted_run {
            s += &format!(
                "; the counted run disturbed ({:.1}% other tasks)",
                c * 100.0
            );
        }
        if !self.by.is_empty() {
            let who: Vec<String> = self
                .by
                .iter()
                .map(|(c, ms)| format!("{c} {ms:.1} ms"))
                .collect();
            s += &format!(" ({})", who.join(", "));
        }
        s
    }
}

/// Every task's run time and last CPU at one moment.
#[derive(Debug, Clone, Default)]
pub struct Census {
    tasks: Vec<(i32, String, u64, usize)>,
}

impl Census {
    /// Reads every task of the machine under `proc_root` (normally `/proc`); tasks that
    /// end while it reads are skipped.
    pub fn take(proc_root: &Path) -> Self {
        let mut tasks = Vec::new();
        let Ok(procs) = std::fs::read_dir(proc_root) else {
            return Census::default();
        };
        for p in procs.flatten() {
            let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            let Ok(threads) = std::fs::read_dir(p.path().join("task")) else {
                continue;
            };
            for t in threads.flatten() {
                let Some(tid) = t.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                    continue;
                };
                let dir = t.path();
                let stat = std::fs::read_to_string(dir.join("stat")).ok();
                let sched = std::fs::read_to_string(dir.join("schedstat")).ok();
                if let (Some(stat), Some(rt)) = (stat, sched.as_deref().and_then(parse_schedstat)) {
                    if let Some((comm, cpu)) = parse_stat(&stat) {
                        tasks.push((tid, comm, rt.run_ns, cpu));
                    }
                }
                let _ = pid;
            }
        }
        tasks.sort_by_key(|t| t.0);
        Census { tasks }
    }

    /// The `n` tasks, not in `exclude`, that ran longest on `cpus` since `earlier`: their
    /// names and run time in ms (a task last seen on another CPU is not counted).
    pub fn busiest_since(
        &self,
        earlier: &Census,
        cpus: &[usize],
        exclude: &[i32],
        n: usize,
    ) -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = self
            .tasks
            .iter()
            .filter(|(tid, _, _, cpu)| cpus.contains(cpu) && !exclude.contains(tid))
            .filter_map(|(tid, comm, ns, _)| {
                let before = earlier
                    .tasks
                    .binary_search_by_key(tid, |t| t.0)
                    .map(|i| earlier.tasks[i].2)
                    .unwrap_or(0);
                let d = ns.saturating_sub(before);
                (d > 0).then(|| (comm.clone(), d as f64 / 1e6))
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.truncate(n);
        v
    }
}

/// The command name and last CPU (field 39) of a `/proc/.../stat` line.
fn parse_stat(text: &str) -> Option<(String, usize)> {
    let open = text.find('(')?;
    let (name, rest) = text[open + 1..].rsplit_once(')')?;
    let cpu = rest.split_whitespace().nth(36)?.parse().ok()?;
    Some((name.to_string(), cpu))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedstat_and_stat_parse() {
        assert_eq!(
            parse_schedstat("311953 114851 3\n"),
            Some(RunTime {
                run_ns: 311953,
                runs: 3
            })
        );
        assert_eq!(parse_schedstat("1 2"), None);
        let stat = "42 (kworker/0:1 x) S 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 \
                    5 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0";
        assert_eq!(parse_stat(stat), Some(("kworker/0:1 x".to_string(), 1)));
    }

    #[test]
    fn a_batch_is_disturbed_when_others_take_over_one_percent() {
        let b = RunTime {
            run_ns: 1000,
            runs: 10,
        };
        let quiet = BatchLoad::between(
            b,
            RunTime {
                run_ns: 1000 + 995_000,
                runs: 2010,
            },
            1_000_000.0,
        );
        assert_eq!(quiet.switches, 2000);
        assert!(!quiet.disturbed());
        let busy = BatchLoad::between(
            b,
            RunTime {
                run_ns: 1000 + 900_000,
                runs: 2010,
            },
            1_000_000.0,
        );
        assert!(busy.disturbed());
        let d = Disturbance::of(&[quiet, busy, quiet, quiet, quiet]);
        assert_eq!((d.batches, d.disturbed_batches), (5, 1));
        assert!(!d.too_much());
        assert!((d.others_share - 0.024).abs() < 1e-9, "{}", d.others_share);
        assert!(Disturbance::of(&[busy, busy, quiet]).too_much());
        assert!(d.describe().starts_with("1 of 5 batches disturbed"));
    }

    #[test]
    fn census_names_the_busy_task_on_a_cpu() {
        let cpus = crate::cpus::allowed_cpus().unwrap();
        let before = Census::take(Path::new("/proc"));
        let me = nix::unistd::gettid().as_raw();
        // Run for 20 ms of this thread's own CPU time, however loaded the machine is.
        let start = crate::sys::thread_cpu_ns().unwrap();
        while crate::sys::thread_cpu_ns().unwrap() - start < 20_000_000 {
            std::hint::black_box(0);
        }
        let after = Census::take(Path::new("/proc"));
        let busiest = after.busiest_since(&before, &cpus, &[], 10_000);
        let mine = std::fs::read_to_string(format!("/proc/self/task/{me}/comm")).unwrap();
        assert!(
            busiest
                .iter()
                .any(|(c, ms)| c == mine.trim() && *ms >= 19.0),
            "{busiest:?}"
        );
        let without_me = after.busiest_since(&before, &cpus, &[me], 10_000);
        assert!(
            without_me.len() < busiest.len(),
            "excluded tasks are left out"
        );
    }
}
