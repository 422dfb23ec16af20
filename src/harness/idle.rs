//! Idle tasks for the footprint experiment: n forked children or n threads, each blocked
//! reading one pipe nobody writes, so that what they cost in memory can be read while
//! they sit still.
//!
//! Every task says hello (its thread id) on a second pipe, then waits for end-of-file on
//! the first; the process and the thread twin run the same allocation-free body. Dropping
//! [`IdleTasks`] closes the write end, so every task reads end-of-file and leaves; the
//! guards then reap the children (killing any that is still there) and join the threads.
//! Children also have a parent-death signal, so none outlives the run, even on Ctrl-C.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::peer::{ChildGuard, Peer, Task, ThreadGuard};
use super::{pipe, read_hello, relay_bytes, PeerHello};
use crate::error::{Error, Result};
use crate::spec::Participants;

/// The most idle tasks one set may have.
pub const MAX_IDLE_TASKS: usize = 64;

/// The stack size of an idle thread: more than glibc keeps of exited threads' stacks for
/// reuse (40 MiB in all), so no idle thread gets a cached stack whose pages are already
/// resident (it would seem to add nothing), and none is kept once it ends. Only the pages
/// a thread touches are resident, whatever the size.
pub const IDLE_THREAD_STACK: usize = 48 << 20;

/// Checks a task count before anything forks.
pub fn check_task_count(n: usize) -> Result<()> {
    if !(1..=MAX_IDLE_TASKS).contains(&n) {
        return Err(Error::InvalidInput(format!(
            "a footprint of {n} idle tasks is not possible: task counts must be between 1 \
             and {MAX_IDLE_TASKS} (e.g. 1,4,16,64)"
        )));
    }
    Ok(())
}

/// The two pipe ends every idle task uses: where it says hello, and where it waits.
struct Ends {
    hello_to: OwnedFd,
    wait_on: OwnedFd,
}

/// An idle task's life: say hello, then wait on `wait_on` for end-of-file (nothing is
/// ever written to it, so nothing is ever relayed). Allocation-free, so it may run in a
/// forked child. Returns the exit code.
fn idle(ends: &Ends) -> i32 {
    let (hello, wait) = (ends.hello_to.as_fd(), ends.wait_on.as_fd());
    relay_bytes(PeerHello::pin(None), hello, (wait, hello), || {})
}

/// n idle tasks, processes or threads, all started and parked.
pub struct IdleTasks {
    // Field order matters: the write end closes before the guards reap or join, so every
    // task reads end-of-file and leaves (see `Drop`).
    release: Option<OwnedFd>,
    peers: Vec<Peer>,
    tasks: Vec<Task>,
    started_in: Duration,
}

impl IdleTasks {
    /// Starts `n` idle `participants` and waits until each has said hello (at most
    /// [`super::HELLO_TIMEOUT`] for each).
    pub fn start(participants: Participants, n: usize) -> Result<Self> {
        check_task_count(n)?;
        let (wait_on, release) = pipe()?;
        let (hello_from, hello_to) = pipe()?;
        let ends = Arc::new(Ends { hello_to, wait_on });
        let mut me = Self {
            release: Some(release),
            peers: Vec::with_capacity(n),
            tasks: Vec::with_capacity(n),
            started_in: Duration::ZERO,
        };
        let name = format!("idle {participants}");
        let start = Instant::now();
        for _ in 0..n {
            me.peers.push(spawn(participants, &ends, &name)?);
        }
        // The tasks hold their own copies (or shares) of the ends.
        drop(ends);
        for _ in 0..n {
            let hello = read_hello(&hello_from, &name)?;
            me.tasks.push(me.task_of(participants, hello)?);
        }
        me.started_in = start.elapsed();
        Ok(me)
    }

    /// The task that said `hello`: a child of ours, or a thread of this process.
    fn task_of(&self, participants: Participants, hello: PeerHello) -> Result<Task> {
        let task = match participants {
            Participants::Thread => Task {
                pid: nix::unistd::getpid().as_raw(),
                tid: hello.tid as i32,
            },
            Participants::Process => Task {
                pid: hello.tid as i32,
                tid: hello.tid as i32,
            },
        };
        let ours = self.peers.iter().any(|p| match p {
            Peer::Process(c) => c.pid().as_raw() == task.pid,
            Peer::Thread(_) => true,
        });
        if !ours || self.tasks.contains(&task) {
            return Err(Error::InvalidInput(format!(
                "an idle task said hello as {} {}, which is not one of ours",
                task.pid, task.tid
            )));
        }
        Ok(task)
    }

    /// The idle tasks, in the order they said hello.
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// How long starting them took: from the first fork or spawn until the last hello.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// Ok while every task is there; [`Error::PeerDied`] for the first that is not.
    pub fn check(&mut self) -> Result<()> {
        self.peers.iter_mut().try_for_each(Peer::check)
    }
}

/// Forks or spawns one idle task on `ends`.
fn spawn(participants: Participants, ends: &Arc<Ends>, name: &str) -> Result<Peer> {
    match participants {
        Participants::Process => {
            let keep = [ends.hello_to.as_raw_fd(), ends.wait_on.as_raw_fd()];
            // SAFETY: `idle` writes to and reads from two pipe ends it borrows, and
            // allocates, locks and frees nothing.
            #[allow(unsafe_code)]
            let child = unsafe { ChildGuard::spawn(name, &keep, || idle(ends)) }?;
            Ok(Peer::Process(child))
        }
        Participants::Thread => {
            let ends = Arc::clone(ends);
            let handle = std::thread::Builder::new()
                .name("ctxbench-idle".into())
                .stack_size(IDLE_THREAD_STACK)
                .spawn(move || {
                    idle(&ends);
                })
                .map_err(|e| Error::sys("spawning an idle thread", e))?;
            // The thread leaves on end-of-file, when the set drops: nothing to signal.
            Ok(Peer::Thread(ThreadGuard::new(
                name,
                handle,
                Box::new(|| {}),
            )))
        }
    }
}

impl Drop for IdleTasks {
    fn drop(&mut self) {
        // End-of-file for every task first, then reap and join them (the guards kill a
        // child that is still there).
        drop(self.release.take());
        self.peers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threads_of_me() -> Vec<i32> {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect()
    }

    #[test]
    fn n_tasks_exist_while_held_and_none_after() {
        let _x = super::super::exclusive();
        let kids = super::super::children_of_me();
        for p in [Participants::Process, Participants::Thread] {
            let mut idle = IdleTasks::start(p, 5).unwrap();
            assert_eq!(idle.tasks().len(), 5);
            idle.check().unwrap();
            let threads = threads_of_me();
            for t in idle.tasks() {
                match p {
                    Participants::Process => assert!(
                        std::path::Path::new(&format!("/proc/{}", t.pid)).exists(),
                        "child {} missing",
                        t.pid
                    ),
                    Participants::Thread => assert!(threads.contains(&t.tid), "{t:?}"),
                }
            }
            if p == Participants::Process {
                assert_eq!(super::super::children_of_me(), kids + 5);
            }
            let ours: Vec<i32> = idle.tasks().iter().map(|t| t.tid).collect();
            drop(idle);
            assert_eq!(super::super::children_of_me(), kids, "{p:?}");
            // A joined thread may take a moment more to leave procfs.
            let deadline = Instant::now() + Duration::from_secs(1);
            while ours.iter().any(|t| threads_of_me().contains(t)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            let left = threads_of_me();
            assert!(ours.iter().all(|t| !left.contains(t)), "{p:?}: {ours:?}");
        }
    }

    #[test]
    fn a_panic_while_held_leaves_nothing_behind() {
        let _x = super::super::exclusive();
        let kids = super::super::children_of_me();
        let r = std::panic::catch_unwind(|| {
            let _idle = IdleTasks::start(Participants::Process, 3).unwrap();
            assert_eq!(super::super::children_of_me(), kids + 3);
            panic!("on purpose");
        });
        assert!(r.is_err());
        assert_eq!(super::super::children_of_me(), kids);
    }

    #[test]
    fn task_counts_are_checked() {
        for n in [0, 65] {
            let e = check_task_count(n).unwrap_err();
            assert!(
                e.is_usage() && e.to_string().contains("between 1 and 64"),
                "{e}"
            );
        }
        assert!(IdleTasks::start(Participants::Thread, 0).is_err());
    }
}
