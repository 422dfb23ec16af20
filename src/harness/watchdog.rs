//! A stall watchdog for harnesses whose driver blocks in `read` with no timeout (the pipe
//! ping-pong, ring and working set, which keep the same loop as lmbench and
//! `perf bench sched pipe`).
//!
//! A dead peer closes its pipe ends, so the driver sees end-of-file at once. A peer that is
//! alive but never answers (stopped with SIGSTOP, held by a debugger, wedged) would block
//! the driver for ever; the watchdog notices that the driver made no progress during a
//! batch for [`STALL_LIMIT`] and kills the peer processes, which turns the stall into
//! end-of-file, reported as [`Error::Stalled`].
//!
//! The watchdog is a small forked process, not a thread: a second thread in the driver's
//! process measurably slowed the process ping-pong (about 3% here, against
//! `perf bench sched pipe`), while a separate process on another CPU, reading a shared
//! progress word a few times a second, does not. The timed loop pays one relaxed store to
//! that word per round trip.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::sched::CpuSet;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::peer::{ChildGuard, Peer};
use super::Driver;
use super::STALL_LIMIT;
use crate::error::{Error, Result};
use crate::sys::{futex_wait, futex_wake, SharedWords};

/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(250);

// Word indexes in the shared mapping.
const PROGRESS: usize = 0;
const ACTIVE: usize = 1;
const FIRED: usize = 2;
const STOP: usize = 3;

/// The most peer processes one watchdog guards (a ring's members).
pub const MAX_PIDS: usize = 64;

/// Kills the guarded processes when a batch makes no progress for [`STALL_LIMIT`];
/// stopped and reaped on drop.
pub struct Watchdog {
    words: SharedWords,
    name: String,
    child: Option<ChildGuard>,
}

impl Watchdog {
    /// Starts watching on behalf of the peer processes `pids` (at most [`MAX_PIDS`]).
    /// The watchdog runs on the CPUs of `allowed` not in `avoid` where there are any, so
    /// its wake-ups do not land on the CPUs being measured.
    pub fn start(
        name: &str,
        pids: Vec<Pid>,
        (allowed, avoid): (Vec<usize>, Vec<usize>),
    ) -> Result<Self> {
        if pids.len() > MAX_PIDS {
            return Err(Error::InvalidInput(format!(
                "a watchdog guards at most {MAX_PIDS} processes, not {}",
                pids.len()
            )));
        }
        let words = SharedWords::new(4).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?;
        let spare: Vec<usize> = allowed.into_iter().filter(|c| !avoid.contains(c)).collect();
        let mut set = CpuSet::new();
        for &c in &spare {
            let _ = set.set(c);
        }
        let mut guarded = [Pid::from_raw(0); MAX_PIDS];
        guarded[..pids.len()].copy_from_slice(&pids);
        let count = pids.len();
        let w = words.words();
        let child = ChildGuard::spawn(&format!("{name} watchdog"), &[], move || {
            if !spare.is_empty() {
                let _ = nix::sched::sched_setaffinity(Pid::from_raw(0), &set);
            }
            watch(w, &guarded[..count], STALL_LIMIT)
        })?;
        Ok(Self {
            words,
            name: name.to_string(),
            child: Some(child),
        })
    }

    /// A watchdog for `peer` when it is a process; `None` for a thread, which cannot be
    /// stopped alone.
    pub(crate) fn for_peer(name: &str, peer: &Peer, driver: &Driver) -> Result<Option<Self>> {
        match peer {
            Peer::Process(c) => Self::start(name, vec![c.pid()], driver.spare_cpus()).map(Some),
            Peer::Thread(_) => Ok(None),
        }
    }

    /// Marks a batch as running until the returned guard drops; `tick` inside it.
    pub fn batch(&self) -> Batch<'_> {
        let w = self.words.words();
        w[ACTIVE].store(1, Ordering::Release);
        Batch {
            progress: &w[PROGRESS],
            active: &w[ACTIVE],
            base: w[PROGRESS].load(Ordering::Relaxed),
        }
    }

    /// The error to report when the peer's pipe closed: [`Error::Stalled`] if the
    /// watchdog killed it.
    pub fn stalled(&self) -> Option<Error> {
        (self.words.words()[FIRED].load(Ordering::Acquire) != 0).then(|| Error::Stalled {
            peer: self.name.clone(),
            waited: STALL_LIMIT,
        })
    }
}

/// A running batch (see [`Watchdog::batch`]).
pub struct Batch<'a> {
    progress: &'a AtomicU32,
    active: &'a AtomicU32,
    base: u32,
}

impl Batch<'_> {
    /// Records that iteration `i` of the batch completed.
    #[inline]
    pub fn tick(&self, i: u64) {
        self.progress.store(
            self.base.wrapping_add(i as u32).wrapping_add(1),
            Ordering::Relaxed,
        );
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        self.active.store(0, Ordering::Release);
    }
}

/// The watchdog's loop, in its own process: allocation-free. Returns when told to stop.
fn watch(w: &[AtomicU32], pids: &[Pid], limit: Duration) -> i32 {
    let mut last = w[PROGRESS].load(Ordering::Relaxed);
    let mut since = Instant::now();
    loop {
        if w[STOP].load(Ordering::Acquire) != 0 {
            return 0;
        }
        let _ = futex_wait(&w[STOP], 0, Some(POLL), true);
        let now = w[PROGRESS].load(Ordering::Relaxed);
        if now != last || w[ACTIVE].load(Ordering::Acquire) == 0 {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= limit && w[FIRED].load(Ordering::Relaxed) == 0 {
            w[FIRED].store(1, Ordering::Release);
            for &pid in pids {
                let _ = kill(pid, Signal::SIGKILL);
            }
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let stop = &self.words.words()[STOP];
        stop.store(1, Ordering::Release);
        let _ = futex_wake(stop, 1, true);
        // The guard kills and reaps the watchdog process whether or not it has left yet.
        drop(self.child.take());
    }
}
