//! `thread-futex`, `thread-futex-shared` and `process-futex`: a raw futex word.
//!
//! The word says whose turn it is: `DRIVER` or `PEER`; `STOP` ends the peer. Each
//! side stores the other's turn, wakes it (`FUTEX_WAKE`), and sleeps in an untimed
//! `FUTEX_WAIT` until the turn comes back: four system calls per round trip and nothing
//! else, the same instructions for threads and processes. `thread-futex` uses the private
//! futex operations (the fastest thread path); `process-futex` and `thread-futex-shared`
//! use the shared ones on a `MAP_SHARED` word, whose key goes through the memory map, so
//! those two differ by the address space alone.
//!
//! No wait has a timeout: the [`Watchdog`] notices a peer that died or stalled and
//! interrupts the driver's wait.
//!
//! The same ping-pong carries the `regs/...` experiment: a [`BeforeHandOver`] runs on
//! each side right before it hands over. The plain ping-pong's is [`Plain`], which
//! compiles to nothing: its timed loops are the instructions they were without it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::errno::Errno;

use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::watchdog::{Alarm, Stop, Watchdog};
use super::{Driver, Harness, PeerHello, Stamps, HELLO_TIMEOUT};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};
use crate::sys::{futex_wait, futex_wake, FutexWait, SharedWords};

/// The driver's turn.
const DRIVER: u32 = 0;
/// The peer's turn.
const PEER: u32 = 1;
/// The peer must leave.
const STOP: u32 = 2;

// Word indexes in the shared mapping.
const TURN: usize = 0;
const HELLO_CPU: usize = 1;
const HELLO_TID: usize = 2;
const HELLO_READY: usize = 3;

/// What each side of a futex ping-pong does right before it hands over (stores the
/// other's turn and wakes it): the same on both sides, for threads and processes.
pub trait BeforeHandOver: Clone + Send + Sync + 'static {
    /// Runs on the driver before each wake, and on the peer before each wake back.
    /// Allocation-free: it runs in forked children too.
    fn before_hand_over(&self);

    /// Runs on the driver right before a timed batch starts (before the clock is read).
    fn before_batch(&self) {}
}

/// Nothing before a hand-over: the plain ping-pong.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl BeforeHandOver for Plain {
    #[inline(always)]
    fn before_hand_over(&self) {}

    #[inline(always)]
    fn before_batch(&self) {}
}

/// A futex ping-pong between the driver and a peer process or thread, each side running
/// `W` before it hands over.
pub struct FutexPingPong<W: BeforeHandOver = Plain> {
    words: Arc<SharedWords>,
    shared: bool,
    peer: Peer,
    driver: Driver,
    watchdog: Watchdog,
    work: W,
}

/// The peer's loop; allocation-free, so it may run in a forked child. Returns the exit
/// code.
fn peer_loop<W: BeforeHandOver>(
    words: &[AtomicU32],
    shared: bool,
    cpu: Option<usize>,
    work: &W,
) -> i32 {
    let hello = PeerHello::pin(cpu);
    words[HELLO_CPU].store(hello.cpu, Ordering::Relaxed);
    words[HELLO_TID].store(hello.tid, Ordering::Relaxed);
    words[HELLO_READY].store(1, Ordering::Release);
    let turn = &words[TURN];
    loop {
        match turn.load(Ordering::Acquire) {
            PEER => {
                work.before_hand_over();
                turn.store(DRIVER, Ordering::Release);
                if futex_wake(turn, 1, shared).is_err() {
                    return 2;
                }
            }
            STOP => return 0,
            v => {
                if futex_wait(turn, v, None, shared).is_err() {
                    return 2;
                }
            }
        }
    }
}

/// The driver's side of `iters` round trips over `turn`, running `each` (nothing in a
/// timed batch: it compiles away) and `work` before each one.
fn round_trips<W: BeforeHandOver>(
    turn: &AtomicU32,
    shared: bool,
    iters: u64,
    alarm: Alarm<'_>,
    work: &W,
    mut each: impl FnMut(),
) -> std::result::Result<Duration, Stop> {
    work.before_batch();
    let start = Instant::now();
    for _ in 0..iters {
        each();
        work.before_hand_over();
        turn.store(PEER, Ordering::Release);
        wake(turn, shared)?;
        wait_until(turn, DRIVER, PEER, shared, alarm)?;
    }
    Ok(start.elapsed())
}

/// `FUTEX_WAKE` of one task on `word`, inside a timed loop.
pub(crate) fn wake(word: &AtomicU32, shared: bool) -> std::result::Result<(), Stop> {
    futex_wake(word, 1, shared)
        .map(|_| ())
        .map_err(|e| Stop::Sys("FUTEX_WAKE", errno(e)))
}

/// Sleeps (untimed `FUTEX_WAIT`) while `word` holds `waiting`, until it holds `want`,
/// inside a timed loop: a wait the watchdog interrupts leaves with [`Stop::Poked`].
pub(crate) fn wait_until(
    word: &AtomicU32,
    want: u32,
    waiting: u32,
    shared: bool,
    alarm: Alarm<'_>,
) -> std::result::Result<(), Stop> {
    while word.load(Ordering::Acquire) != want {
        match futex_wait(word, waiting, None, shared) {
            Ok(FutexWait::Interrupted) if !alarm.keep_waiting() => return Err(Stop::Poked),
            Ok(_) => {}
            Err(e) => return Err(Stop::Sys("FUTEX_WAIT", errno(e))),
        }
    }
    Ok(())
}

/// One side's futex calls of a round trip without the sleep, `iters` times on `word`
/// (which must hold 0), running `work` before each: `FUTEX_WAKE` with nobody waiting,
/// then a `FUTEX_WAIT` for 1 that finds 0 and returns at once (after the kernel has
/// computed the key and read the word); the wall time. The futex floors (`floor/futex`,
/// `floor/futex-shared`) with [`Plain`], and the register-state floors.
pub(crate) fn wake_and_wait_alone<W: BeforeHandOver>(
    word: &AtomicU32,
    shared: bool,
    iters: u64,
    work: &W,
) -> Result<Duration> {
    work.before_batch();
    let start = Instant::now();
    for _ in 0..iters {
        work.before_hand_over();
        futex_wake(word, 1, shared).map_err(|e| Error::sys("FUTEX_WAKE", e))?;
        match futex_wait(word, 1, None, shared) {
            Ok(FutexWait::Mismatch) => {}
            Ok(other) => {
                return Err(Error::InvalidInput(format!(
                    "the futex floor's wait should return at once, got {other:?}"
                )))
            }
            Err(e) => return Err(Error::sys("FUTEX_WAIT", e)),
        }
    }
    Ok(start.elapsed())
}

fn errno(e: std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(0))
}

impl FutexPingPong<Plain> {
    /// Sets up the peer; the caller (see [`super::build`]) warms it up. Processes always
    /// use the shared futex operations; threads use them when `shared_ops` is set
    /// (`thread-futex-shared`), else the private ones.
    pub fn new(participants: Participants, shared_ops: bool, placement: Placement) -> Result<Self> {
        Self::with_work(participants, shared_ops, placement, Plain)
    }
}

impl<W: BeforeHandOver> FutexPingPong<W> {
    /// [`FutexPingPong::new`], with `work` run on each side before every hand-over (the
    /// peer gets a clone; a forked peer, its copy).
    pub fn with_work(
        participants: Participants,
        shared_ops: bool,
        placement: Placement,
        work: W,
    ) -> Result<Self> {
        let driver = Driver::pin(placement)?;
        let words = Arc::new(SharedWords::new(4).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?);
        let shared = shared_ops || participants == Participants::Process;
        let peer_cpu = placement.peer_cpu();
        let name = match (participants, shared) {
            (Participants::Thread, true) => "thread-futex-shared peer".to_string(),
            _ => format!("{participants}-futex peer"),
        };
        let peer = match participants {
            Participants::Process => {
                let (w, work) = (words.words(), &work);
                // SAFETY: `peer_loop` works on a shared mapping made before the fork, which
                // it borrows, with futex calls and atomics only; `W` is allocation-free
                // (the trait's contract).
                #[allow(unsafe_code)]
                let child = unsafe {
                    ChildGuard::spawn(&name, &[], || peer_loop(w, true, peer_cpu, work))
                }?;
                Peer::Process(child)
            }
            Participants::Thread => {
                let (w, work) = (Arc::clone(&words), work.clone());
                let handle = std::thread::Builder::new()
                    .name("ctxbench-futex-peer".into())
                    .spawn(move || {
                        peer_loop(w.words(), shared, peer_cpu, &work);
                    })
                    .map_err(|e| Error::sys("spawning the peer thread", e))?;
                let w = Arc::clone(&words);
                Peer::Thread(ThreadGuard::new(
                    &name,
                    handle,
                    Box::new(move || {
                        w.words()[TURN].store(STOP, Ordering::Release);
                        let _ = futex_wake(&w.words()[TURN], 1, shared);
                    }),
                ))
            }
        };
        // Should anything below fail, dropping `peer` stops a thread (its guard's stop)
        // or kills a process.
        let (mut driver, mut peer) = (driver, peer);
        let hello = wait_hello(&words, &mut peer, &name)?;
        driver.add_peer(&peer, hello, &name)?;
        let watchdog = Watchdog::start(&name, &driver)?;
        Ok(Self {
            words,
            shared,
            peer,
            driver,
            watchdog,
            work,
        })
    }

    /// What each side runs before a hand-over (the driver's copy).
    pub fn work(&self) -> &W {
        &self.work
    }
}

/// Tells the peer to leave (its guard kills a process peer regardless).
fn stop_peer(words: &SharedWords, shared: bool) {
    let turn = &words.words()[TURN];
    turn.store(STOP, Ordering::Release);
    let _ = futex_wake(turn, 1, shared);
}

/// Waits for the peer's hello in the shared words.
fn wait_hello(words: &SharedWords, peer: &mut Peer, name: &str) -> Result<PeerHello> {
    let start = Instant::now();
    let w = words.words();
    while w[HELLO_READY].load(Ordering::Acquire) == 0 {
        peer.check()?;
        if start.elapsed() > HELLO_TIMEOUT {
            return Err(Error::Stalled {
                peer: name.to_string(),
                waited: HELLO_TIMEOUT,
            });
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    Ok(PeerHello {
        cpu: w[HELLO_CPU].load(Ordering::Relaxed),
        tid: w[HELLO_TID].load(Ordering::Relaxed),
    })
}

impl<W: BeforeHandOver> Drop for FutexPingPong<W> {
    fn drop(&mut self) {
        // Ask a peer process to leave too; the guard kills it regardless.
        stop_peer(&self.words, self.shared);
    }
}

impl<W: BeforeHandOver> FutexPingPong<W> {
    /// `iters` round trips under the watchdog, running `each` before each one: what
    /// [`Harness::run`] does, for this ping-pong and for those built on it (`regs/...`).
    pub(crate) fn guarded_round_trips(
        &mut self,
        iters: u64,
        each: impl FnMut(),
    ) -> Result<Duration> {
        let (turn, shared, work) = (&self.words.words()[TURN], self.shared, &self.work);
        let peers = std::slice::from_mut(&mut self.peer);
        self.watchdog.guarded(peers, |alarm| {
            round_trips(turn, shared, iters, alarm, work, each)
        })
    }

    /// The driving side.
    pub(crate) fn driving(&self) -> &Driver {
        &self.driver
    }
}

// For the plain ping-pong only, and not generic: that keeps its loop in this module's
// code (a generic instance is compiled where it is used), the same instructions as
// before the hook existed, checked in the disassembly.
impl Harness for FutexPingPong<Plain> {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.guarded_round_trips(iters, || {})
    }

    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        self.guarded_round_trips(iters, || stamps.mark()).map(drop)
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}
