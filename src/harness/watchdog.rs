//! A stall watchdog for harnesses whose driver blocks in `read` with no timeout (the pipe
//! ping-pong, ring and working set, which keep the same loop as lmbench and
//! `perf bench sched pipe`).
//!
//! A dead peer closes its pipe ends, so the driver sees end-of-file at once. A peer that is
//! alive but never answers (stopped with SIGSTOP, held by a debugger, wedged) would block
//! the driver for ever; the watchdog, a thread of its own, notices that the driver made no
//! progress during a batch for [`STALL_LIMIT`] and kills the peer processes, which turns
//! the stall into end-of-file, reported as [`Error::Stalled`]. The timed loop pays one
//! relaxed store per iteration; the watchdog wakes a few times a second.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::STALL_LIMIT;
use crate::error::Error;

/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(250);

#[derive(Default)]
struct State {
    progress: AtomicU64,
    active: AtomicBool,
    fired: AtomicBool,
    stop: Mutex<bool>,
    wake: Condvar,
}

/// Kills `pids` when a batch makes no progress for `limit`; stopped and joined on drop.
pub struct Watchdog {
    state: Arc<State>,
    name: String,
    limit: Duration,
    handle: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts watching on behalf of the peer processes `pids`.
    pub fn start(name: &str, pids: Vec<Pid>) -> crate::Result<Self> {
        Self::with_limit(name, pids, STALL_LIMIT)
    }

    /// [`Watchdog::start`] with another limit (for tests).
    pub fn with_limit(name: &str, pids: Vec<Pid>, limit: Duration) -> crate::Result<Self> {
        let state = Arc::new(State::default());
        let s = Arc::clone(&state);
        let handle = std::thread::Builder::new()
            .name("ctxbench-watchdog".into())
            .spawn(move || watch(&s, &pids, limit))
            .map_err(|e| Error::sys("spawning the watchdog thread", e))?;
        Ok(Self {
            state,
            name: name.to_string(),
            limit,
            handle: Some(handle),
        })
    }

    /// Marks a batch as running until the returned guard drops; `tick` inside it.
    pub fn batch(&self) -> Batch<'_> {
        self.state.active.store(true, Ordering::Release);
        Batch {
            state: &self.state,
            base: self.state.progress.load(Ordering::Relaxed),
        }
    }

    /// The error to report when the peer's pipe closed: [`Error::Stalled`] if the
    /// watchdog killed it.
    pub fn stalled(&self) -> Option<Error> {
        self.state
            .fired
            .load(Ordering::Acquire)
            .then(|| Error::Stalled {
                peer: self.name.clone(),
                waited: self.limit,
            })
    }
}

/// A running batch (see [`Watchdog::batch`]).
pub struct Batch<'a> {
    state: &'a State,
    base: u64,
}

impl Batch<'_> {
    /// Records that iteration `i` of the batch completed.
    #[inline]
    pub fn tick(&self, i: u64) {
        self.state
            .progress
            .store(self.base.wrapping_add(i + 1), Ordering::Relaxed);
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        self.state.active.store(false, Ordering::Release);
    }
}

fn watch(s: &State, pids: &[Pid], limit: Duration) {
    let mut last = s.progress.load(Ordering::Relaxed);
    let mut since = Instant::now();
    let mut stop = s.stop.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if *stop {
            return;
        }
        stop = s
            .wake
            .wait_timeout(stop, POLL)
            .unwrap_or_else(|p| p.into_inner())
            .0;
        let now = s.progress.load(Ordering::Relaxed);
        if now != last || !s.active.load(Ordering::Acquire) {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= limit && !s.fired.load(Ordering::Relaxed) {
            s.fired.store(true, Ordering::Release);
            for &pid in pids {
                let _ = kill(pid, Signal::SIGKILL);
            }
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        *self.state.stop.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.state.wake.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
