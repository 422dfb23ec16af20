//! Liveness at no cost in the timed loop: a small watchdog process per harness.
//!
//! The timed loops block in their mechanism and nothing else: `read` on a pipe or an
//! eventfd, an untimed `FUTEX_WAIT`, an untimed condvar wait. None of them has a timeout,
//! so something outside the loop must notice a peer that died or stopped answering and
//! wake the blocked driver. That is the watchdog, a forked process on a spare CPU:
//!
//! - it holds a pidfd for every peer (a process pidfd, or a thread pidfd with
//!   `PIDFD_THREAD` for a peer thread) and `poll`s them, so a peer that ends is seen at
//!   once;
//! - while a batch runs, it reads the driver thread's switch count from
//!   `/proc/<pid>/task/<tid>/schedstat` a few times a second: a driver that blocks and
//!   never switches again for the stall limit has a peer that is stopped or wedged, and
//!   the watchdog kills the peer processes (for a pair that spins instead of blocking, the
//!   cache-line ping-pong, it reads the peer's time on its CPU: a spinning peer's grows,
//!   a stopped one's does not);
//! - either way it records why in a shared word and interrupts the driver with
//!   `SIGURG` (a signal whose handler does nothing and does not restart), again
//!   every tick until the batch ends, so the blocked `read` or `FUTEX_WAIT` returns EINTR
//!   and the driver reports the reason. A condvar wait restarts itself on EINTR, so for
//!   the condvar harness the watchdog also writes to a pipe that a waker thread in the
//!   driver's process blocks on (the `Waker`).
//!
//! The driver pays nothing per round trip: it marks a batch as running before the loop
//! and as ended after it, and looks at the shared word only when a wait was interrupted.
//! A watchdog that dies is noticed at the next batch boundary, and the id fails with the
//! reason; the condvar waker also sees it at once (end-of-file on its pipe).
//!
//! The watchdog is a process and not a thread: a second thread in the driver's process
//! measurably slowed the process ping-pong (about 3% here, against `perf bench sched
//! pipe`), while a separate process on another CPU does not.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use nix::sched::CpuSet;
use nix::unistd::Pid;

use super::peer::{ChildGuard, Peer, Task};
use super::waker::Waker;
use super::watch::{Progress, Watch, ACTIVE, FIRED, QUIET, STALLED, WHO};
use super::Driver;
use crate::error::{Error, Result};
use crate::sys::{self, SharedWords};

/// The longest a peer may leave the driver blocked before the run fails as stalled,
/// unless [`set_stall_limit`] changed it.
pub const STALL_LIMIT: Duration = Duration::from_secs(10);

/// The stall limit in milliseconds, read when a watchdog starts.
static STALL_LIMIT_MS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(STALL_LIMIT.as_millis() as u64);

/// Changes the stall limit for watchdogs started from now on (tests use a short one).
pub fn set_stall_limit(limit: Duration) {
    STALL_LIMIT_MS.store(limit.as_millis().max(1) as u64, Ordering::Relaxed);
}

/// The stall limit watchdogs start with now.
pub fn stall_limit() -> Duration {
    Duration::from_millis(STALL_LIMIT_MS.load(Ordering::Relaxed))
}

pub use super::watch::MAX_PEERS;

/// Watches the peers of one harness; killed and reaped on drop.
pub struct Watchdog {
    words: SharedWords,
    name: String,
    stall: Duration,
    child: Mutex<Option<ChildGuard>>,
    waker: Option<Waker>,
}

impl Watchdog {
    /// Starts watching the peers recorded in `driver` (every task after the first) on
    /// behalf of the driver (the first task). `name` names the peers in messages.
    pub(crate) fn start(name: &str, driver: &Driver) -> Result<Self> {
        Self::start_with(name, driver, None, Progress::DriverSwitches)
    }

    /// [`Watchdog::start`] for a driver whose wait a signal cannot interrupt: `on_alarm`
    /// runs on a waker thread in this process when the watchdog fires or dies.
    pub(crate) fn start_waking(
        name: &str,
        driver: &Driver,
        on_alarm: Box<dyn FnOnce() + Send>,
    ) -> Result<Self> {
        Self::start_with(name, driver, Some(on_alarm), Progress::DriverSwitches)
    }

    /// [`Watchdog::start_waking`] for a pair that spins and never blocks (a driver that
    /// spins does not switch, and one preempted now and then switches without progress):
    /// the progress watched is the last peer's time on its CPU.
    pub(crate) fn start_spinning(
        name: &str,
        driver: &Driver,
        on_alarm: Box<dyn FnOnce() + Send>,
    ) -> Result<Self> {
        Self::start_with(name, driver, Some(on_alarm), Progress::PeerRunTime)
    }

    fn start_with(
        name: &str,
        driver: &Driver,
        on_alarm: Option<Box<dyn FnOnce() + Send>>,
        watched: Progress,
    ) -> Result<Self> {
        let tasks = driver.tasks.as_slice();
        let (me, peers) = tasks.split_first().expect("the driver is the first task");
        if peers.len() > MAX_PEERS {
            return Err(Error::InvalidInput(format!(
                "a watchdog guards at most {MAX_PEERS} peers, not {}",
                peers.len()
            )));
        }
        sys::install_poke_handler().map_err(|e| Error::sys("sigaction(SIGURG)", e))?;
        let words = SharedWords::new(4).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?;
        let (pidfds, progress) = open_watched(name, me, peers, watched)?;
        let (alarm_r, alarm_w) = match on_alarm {
            Some(_) => {
                let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
                    .map_err(|e| Error::sys("pipe2", e))?;
                (Some(r), Some(w))
            }
            None => (None, None),
        };

        // Everything the child uses is prepared here: it must not allocate.
        let mut fds = [-1 as RawFd; MAX_PEERS];
        for (slot, fd) in fds.iter_mut().zip(&pidfds) {
            *slot = fd.as_ref().map_or(-1, |f| f.as_raw_fd());
        }
        let mut kills = [0i32; MAX_PEERS];
        for (slot, t) in kills.iter_mut().zip(peers) {
            *slot = if t.pid == me.pid { 0 } else { t.pid };
        }
        let n = peers.len();
        let (pin, set) = spare_cpu_set(driver);
        let mut keep: Vec<RawFd> = pidfds.iter().flatten().map(|f| f.as_raw_fd()).collect();
        keep.push(progress.as_raw_fd());
        keep.extend(alarm_w.as_ref().map(|w| w.as_raw_fd()));
        let watch = Watch {
            words: words.words(),
            pidfds: &fds[..n],
            kills: &kills[..n],
            driver: *me,
            progress: progress.as_raw_fd(),
            progress_field: watched.schedstat_field(),
            alarm: alarm_w.as_ref().map_or(-1, |w| w.as_raw_fd()),
            stall: stall_limit(),
        };
        // SAFETY: the closure captures only plain data (a CPU set, a flag, and `watch`, whose
        // slices borrow arrays and a mapping made before the fork); `Watch::run` polls,
        // reads, writes and signals with system calls and never allocates or frees.
        #[allow(unsafe_code)]
        let child = unsafe {
            ChildGuard::spawn(&format!("{name} watchdog"), &keep, move || {
                if pin {
                    let _ = nix::sched::sched_setaffinity(Pid::from_raw(0), &set);
                }
                watch.run()
            })
        }?;
        drop(alarm_w);
        let waker = match (on_alarm, alarm_r) {
            (Some(f), Some(r)) => Some(Waker::start(r, f)?),
            _ => None,
        };
        Ok(Self {
            words,
            name: name.to_string(),
            stall: stall_limit(),
            child: Mutex::new(Some(child)),
            waker,
        })
    }

    /// Marks a batch as running: checks that the watchdog is alive, and from now on a
    /// driver that makes no progress counts as stalled. End it with [`Watchdog::end`].
    pub(crate) fn begin(&self, peers: &mut [Peer]) -> Result<Alarm<'_>> {
        self.alive()?;
        // A peer that died or stalled since the last batch fails this one before it
        // starts (a condvar harness's poison would be overwritten by its first turn).
        if let Some(e) = self.fired(peers) {
            return Err(e);
        }
        self.words.words()[ACTIVE].store(1, Ordering::Release);
        Ok(Alarm(&self.words.words()[FIRED]))
    }

    /// Ends a batch: gives its result, or why it stopped (`stopped` says the loop left
    /// early, e.g. on end-of-file or an interrupted wait), checking the watchdog lived
    /// through it and naming a dead peer among `peers`.
    pub(crate) fn end(
        &self,
        result: std::result::Result<Duration, Stop>,
        peers: &mut [Peer],
    ) -> Result<Duration> {
        self.words.words()[ACTIVE].store(0, Ordering::Release);
        let failed = match result {
            Ok(d) => return self.alive().map(|()| d),
            Err(stop) => stop,
        };
        if let Some(e) = self.fired(peers) {
            return Err(e);
        }
        self.alive()?;
        if let Some(e) = peers.iter_mut().find_map(|p| p.check().err()) {
            return Err(e);
        }
        Err(match failed {
            Stop::Closed => Error::PeerDied {
                peer: self.name.clone(),
                how: "it closed its end".into(),
            },
            Stop::Sys(what, e) => Error::sys(what, e),
            Stop::Poked => Error::Stalled {
                peer: self.name.clone(),
                waited: self.stall,
            },
        })
    }

    /// Runs one timed batch `f` under the watchdog ([`Watchdog::begin`], then
    /// [`Watchdog::end`] with its result).
    pub(crate) fn guarded(
        &self,
        peers: &mut [Peer],
        f: impl FnOnce(Alarm<'_>) -> std::result::Result<Duration, Stop>,
    ) -> Result<Duration> {
        let alarm = self.begin(peers)?;
        let r = f(alarm);
        self.end(r, peers)
    }

    /// The error the watchdog raised, if it fired.
    fn fired(&self, peers: &mut [Peer]) -> Option<Error> {
        let w = self.words.words();
        match w[FIRED].load(Ordering::Acquire) {
            QUIET => None,
            STALLED => Some(Error::Stalled {
                peer: self.name.clone(),
                waited: self.stall,
            }),
            _ => {
                let who = w[WHO].load(Ordering::Relaxed) as usize;
                let found = peers.get_mut(who).and_then(|p| p.check().err());
                Some(found.unwrap_or_else(|| Error::PeerDied {
                    peer: format!("{} {}", self.name, who + 1),
                    how: "it ended".into(),
                }))
            }
        }
    }

    /// Ok while the watchdog process runs.
    fn alive(&self) -> Result<()> {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let Some(child) = child.as_mut() else {
            return Ok(());
        };
        child.check().map_err(|e| Error::WatchdogDied {
            harness: self.name.clone(),
            how: match e {
                Error::PeerDied { how, .. } => how,
                other => other.to_string(),
            },
        })
    }

    /// The watchdog's pid (for tests that kill it).
    pub fn pid(&self) -> Pid {
        let child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        child.as_ref().map_or(Pid::from_raw(0), ChildGuard::pid)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(w) = &self.waker {
            w.quiet();
        }
        // The guard kills and reaps the watchdog process; the waker then sees end-of-file
        // and, told to keep quiet, leaves.
        let child = self.child.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(child);
        drop(self.waker.take());
    }
}

/// The pidfd of every peer (a thread pidfd for a thread of the driver's process) and
/// the `schedstat` of the task whose progress is watched (the driver's, or a spinning
/// pair's peer's), opened before the fork for the watchdog to keep.
fn open_watched(
    name: &str,
    me: &Task,
    peers: &[Task],
    watched: Progress,
) -> Result<(Vec<Option<OwnedFd>>, std::fs::File)> {
    let pidfds = peers
        .iter()
        .map(|t| {
            let thread = t.pid == me.pid;
            let id = if thread { t.tid } else { t.pid };
            match sys::pidfd_open(id, thread) {
                Ok(fd) => Ok(Some(fd)),
                // A kernel before 6.9 has no thread pidfds: such a peer's end is then seen
                // through the stall limit (and a panic through its own guard).
                Err(e) if thread && e.raw_os_error() == Some(libc::EINVAL) => Ok(None),
                Err(e) => Err(Error::sys(
                    format!("pidfd_open for the {name} (task {id})"),
                    e,
                )),
            }
        })
        .collect::<Result<Vec<Option<OwnedFd>>>>()?;
    let t = watched.task(me, peers);
    let progress = std::fs::File::open(format!("/proc/{}/task/{}/schedstat", t.pid, t.tid))
        .map_err(|e| Error::sys("opening the watched task's /proc schedstat", e))?;
    Ok((pidfds, progress))
}

/// The CPUs the watchdog may use without disturbing the measured ones (this thread's mask
/// before pinning, less the placement's; all of that mask when nothing is left), and
/// whether there are any.
fn spare_cpu_set(driver: &Driver) -> (bool, CpuSet) {
    let (allowed, avoid) = driver.spare_cpus();
    let spare: Vec<usize> = allowed
        .iter()
        .copied()
        .filter(|c| !avoid.contains(c))
        .collect();
    // With no spare CPU, anywhere the driver could run before it pinned itself, rather
    // than the measured CPU its pinning would leave the watchdog on.
    let cpus = if spare.is_empty() { allowed } else { spare };
    let mut set = CpuSet::new();
    let mut any = false;
    for c in cpus {
        any |= set.set(c).is_ok();
    }
    (any, set)
}

/// What the driver's loop sees of the watchdog: whether it fired. Reading it is a load of
/// a shared word, done only when a wait was interrupted.
#[derive(Clone, Copy)]
pub(crate) struct Alarm<'a>(&'a AtomicU32);

impl Alarm<'_> {
    /// After a wait returned EINTR: true to wait again, false when the watchdog fired
    /// (leave the loop with [`Stop::Poked`]).
    #[cold]
    #[inline(never)]
    pub(crate) fn keep_waiting(self) -> bool {
        self.0.load(Ordering::Acquire) == QUIET
    }
}

/// Why a timed loop left before its last iteration.
#[derive(Debug)]
pub(crate) enum Stop {
    /// A pipe or eventfd closed, or a poison value arrived: a peer ended.
    Closed,
    /// A wait was interrupted and the watchdog had fired.
    Poked,
    /// A system call failed.
    Sys(&'static str, nix::errno::Errno),
}
