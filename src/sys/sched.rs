//! Scheduling: a thread's policy and priority, and its CPU time.

use std::io;

/// The calling thread's CPU time in ns (`CLOCK_THREAD_CPUTIME_ID`), up to date to the
/// call (procfs' `schedstat` of a running thread lags by up to a scheduler tick).
pub fn thread_cpu_ns() -> io::Result<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// A thread's scheduling policy and static priority, as `sched_getscheduler` and
/// `sched_getparam` report them for the calling thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedPolicy {
    /// `SCHED_OTHER`, `SCHED_BATCH`, `SCHED_FIFO`, ...
    pub policy: i32,
    /// The static priority (0 for the non-real-time policies).
    pub priority: i32,
}

/// The calling thread's scheduling policy.
pub fn sched_policy() -> io::Result<SchedPolicy> {
    let mut param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread; `param` is a valid, writable sched_param.
    let policy = unsafe { libc::sched_getscheduler(0) };
    if policy < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::sched_getparam(0, &mut param) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(SchedPolicy {
        policy,
        priority: param.sched_priority,
    })
}

/// Sets the calling thread's scheduling policy. Allocation-free (safe in a forked child).
pub fn set_sched_policy(p: SchedPolicy) -> io::Result<()> {
    let param = libc::sched_param {
        sched_priority: p.priority,
    };
    // SAFETY: pid 0 is the calling thread; `param` is a valid sched_param read by the call.
    if unsafe { libc::sched_setscheduler(0, p.policy, &param) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl SchedPolicy {
    /// The same policy, with `SCHED_RESET_ON_FORK`: tasks this thread creates start under
    /// the default policy.
    pub fn reset_on_fork(self) -> Self {
        SchedPolicy {
            policy: self.policy | libc::SCHED_RESET_ON_FORK,
            ..self
        }
    }

    /// The policy without the reset-on-fork flag.
    pub fn base(self) -> i32 {
        self.policy & !libc::SCHED_RESET_ON_FORK
    }
}

/// `SCHED_FIFO` at priority 1: a task runs until it blocks; a woken task of the same
/// priority waits at the back of the queue, and no tick preempts it.
pub const FIFO: SchedPolicy = SchedPolicy {
    policy: libc::SCHED_FIFO,
    priority: 1,
};

/// `SCHED_BATCH` at priority 0: a woken batch task does not preempt the task that woke it.
pub const BATCH: SchedPolicy = SchedPolicy {
    policy: libc::SCHED_BATCH,
    priority: 0,
};
