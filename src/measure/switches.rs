//! Counting context switches from `/proc/<pid>/task/<tid>/status`.
//!
//! The kernel keeps, for every task, how often it gave up the CPU voluntarily (blocked)
//! and involuntarily (preempted). Summed over every participant, the delta across a run
//! is the number of context switches away from those tasks: on one CPU, two per ping-pong
//! round trip. This needs no permission and no PMU, so it always works; the perf counters
//! add `context-switches` and `sched:sched_switch` where the kernel allows them.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::harness::Task;

/// The voluntary and involuntary switch counts of one task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskSwitches {
    /// `voluntary_ctxt_switches`: the task blocked.
    pub voluntary: u64,
    /// `nonvoluntary_ctxt_switches`: the task was preempted.
    pub involuntary: u64,
}

impl TaskSwitches {
    /// Both kinds together.
    pub fn total(&self) -> u64 {
        self.voluntary + self.involuntary
    }
}

/// Parses the switch lines of a `/proc/.../status` text.
pub fn parse_status(text: &str) -> Option<TaskSwitches> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim_start_matches(':').trim().parse::<u64>().ok())
    };
    Some(TaskSwitches {
        voluntary: field("voluntary_ctxt_switches")?,
        involuntary: field("nonvoluntary_ctxt_switches")?,
    })
}

fn status_path(proc_root: &Path, task: &Task) -> PathBuf {
    proc_root.join(format!("{}/task/{}/status", task.pid, task.tid))
}

/// Reads one task's counts from `proc_root` (normally `/proc`).
pub fn read_task(proc_root: &Path, task: &Task) -> Result<TaskSwitches> {
    let path = status_path(proc_root, task);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::sys(format!("reading {}", path.display()), e))?;
    parse_status(&text).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{} has no voluntary_ctxt_switches/nonvoluntary_ctxt_switches lines",
            path.display()
        ))
    })
}

/// The summed counts of all `tasks`.
pub fn read_tasks(tasks: &[Task]) -> Result<TaskSwitches> {
    let root = Path::new("/proc");
    let mut sum = TaskSwitches::default();
    for t in tasks {
        let s = read_task(root, t)?;
        sum.voluntary += s.voluntary;
        sum.involuntary += s.involuntary;
    }
    Ok(sum)
}

/// The fields of `<proc_root>/<pid>/task/<tid>/stat` from field 3 on (the command name,
/// field 2, may hold spaces; the fields after its closing `)` are plain), with the path
/// for messages.
fn stat_fields(proc_root: &Path, task: &Task) -> Result<(String, Vec<String>)> {
    let path = proc_root.join(format!("{}/task/{}/stat", task.pid, task.tid));
    let path = path.display().to_string();
    let text =
        std::fs::read_to_string(&path).map_err(|e| Error::sys(format!("reading {path}"), e))?;
    let rest = text
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| Error::InvalidInput(format!("{path} has no command field")))?;
    Ok((path, rest.split_whitespace().map(str::to_string).collect()))
}

/// The CPU a task last ran on (field 39 of `/proc/<pid>/task/<tid>/stat`).
pub fn last_cpu(task: &Task) -> Result<usize> {
    let (path, fields) = stat_fields(Path::new("/proc"), task)?;
    fields
        .get(36) // field 39, counting from field 3 right after ')'
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Error::InvalidInput(format!("{path} has no processor field")))
}

/// A task's state letter (field 3 of its `stat`): `R` running, `S` sleeping (blocked, for
/// instance in a `read`), `D` in uninterruptible wait, `T` stopped, `Z` a zombie, ...
pub fn state(proc_root: &Path, task: &Task) -> Result<char> {
    let (path, fields) = stat_fields(proc_root, task)?;
    fields
        .first()
        .and_then(|v| v.chars().next())
        .ok_or_else(|| Error::InvalidInput(format!("{path} has no state field")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_lines() {
        let text = "Name:\tx\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n";
        let s = parse_status(text).unwrap();
        assert_eq!(
            s,
            TaskSwitches {
                voluntary: 12,
                involuntary: 3
            }
        );
        assert_eq!(s.total(), 15);
        assert!(parse_status("Name: x\n").is_none());
    }

    #[test]
    fn reads_own_thread() {
        let me = Task::current();
        let a = read_task(Path::new("/proc"), &me).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = read_task(Path::new("/proc"), &me).unwrap();
        assert!(
            b.voluntary > a.voluntary,
            "sleeping must count a voluntary switch"
        );
        assert!(last_cpu(&me).is_ok());
        // Reading its own stat, a thread is running.
        assert_eq!(state(Path::new("/proc"), &me).unwrap(), 'R');
    }
}
