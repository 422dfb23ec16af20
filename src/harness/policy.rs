//! The scheduling policy of the experiments whose every hand-over must be exactly one
//! switch (the rings and the working sets).
//!
//! A ping-pong under the default policy makes exactly two switches per round trip, but
//! about half of them are wake-up preemptions: the woken side runs before the sender has
//! blocked. That is the normal regime, the one `perf bench sched pipe` runs in, and the
//! ping-pongs stay in it. A ring of n, or a working set whose sides work for a millisecond
//! between hand-overs, needs more: each hand-over must be the sender blocking, so that a
//! lap is n switches and the receiver's work is never interrupted by the preempted sender
//! coming back. Measured on this project's 6.18 VMs: under the default policy 32 MiB
//! working sets made 2.1-2.3 switches per round trip; under `SCHED_BATCH` (no wake-up
//! preemption) sustained rings still drifted to 1.5-1.75 n switches per lap (26 of 32
//! ring ids invalid over two sweeps), while under `SCHED_FIFO` at priority 1 every ring
//! made exactly n (32 of 32): a FIFO task runs until it blocks, a woken one of the same
//! priority waits its turn, and no tick preempts either.
//!
//! So the driver and every member run under `SCHED_FIFO` where the process may (root, or
//! an `RLIMIT_RTPRIO` of at least 1), else under `SCHED_BATCH`; the outcome says which.
//! Under `SCHED_FIFO` the driver's policy carries `SCHED_RESET_ON_FORK`, so the watchdog
//! and other children start under the default policy. `SCHED_BATCH` goes without it: the
//! kernel resets only real-time policies (and negative nice values) on fork, and a thread
//! without `CAP_SYS_NICE` may never clear the flag again, so the driver's policy could not
//! be restored. Either way it is restored when the harness drops.

use crate::error::{Error, Result};
use crate::spec::Policy;
use crate::sys::{self, SchedPolicy};

/// Puts the calling thread under the exact hand-over policy and restores its policy on
/// drop.
pub(crate) struct PolicyGuard {
    old: SchedPolicy,
    chosen: SchedPolicy,
}

impl PolicyGuard {
    /// `SCHED_FIFO` at priority 1 where permitted, else `SCHED_BATCH`.
    pub(crate) fn exact_hand_over() -> Result<Self> {
        let old = sys::sched_policy().map_err(|e| Error::sys("sched_getscheduler", e))?;
        let chosen = if sys::set_sched_policy(sys::FIFO.reset_on_fork()).is_ok() {
            sys::FIFO
        } else {
            sys::set_sched_policy(sys::BATCH)
                .map_err(|e| Error::sys("sched_setscheduler(SCHED_BATCH)", e))?;
            sys::BATCH
        };
        Ok(Self { old, chosen })
    }

    /// The policy chosen, for the other participants to take.
    pub(crate) fn chosen(&self) -> SchedPolicy {
        self.chosen
    }
}

impl Drop for PolicyGuard {
    fn drop(&mut self) {
        let _ = sys::set_sched_policy(self.old);
    }
}

/// The name of the policy participants ran under, as outcomes report it.
pub fn policy_name(p: SchedPolicy) -> Policy {
    match p.base() {
        libc::SCHED_FIFO => Policy::Fifo,
        libc::SCHED_BATCH => Policy::Batch,
        libc::SCHED_OTHER => Policy::Other,
        _ => Policy::Another,
    }
}
