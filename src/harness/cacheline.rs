//! `topology/cacheline`: two pinned threads pass one cache line back and forth, with no
//! system call and no sleep: the floor that cache coherence alone costs between two CPUs,
//! beside the futex wake-up between the same two.
//!
//! The line holds one word, alone in a 128-byte block (two 64-byte lines, so that the
//! adjacent-line prefetcher some CPUs pair lines with cannot bring a neighbour into
//! play). It says whose turn it is. A round trip: the driver swaps `DRIVER` for `PEER`
//! (compare-exchange), the peer, spinning on loads, sees `PEER` and swaps it back for
//! `DRIVER`, and the driver, spinning, sees it: the line crosses from one core to the
//! other and back. The spins have no `PAUSE` (a `PAUSE` costs up to about 140 cycles on
//! recent Intel cores, which would be counted as coherence).
//!
//! A spinning peer would take its CPU for good, so between batches it sleeps: the driver
//! leaves the word `IDLE` after a batch and the peer waits on it with `FUTEX_WAIT`; before
//! the next batch the driver sets `WAKE`, wakes it and spins until the peer answers
//! `DRIVER`. The clock starts after that, so no wake-up is timed.
//!
//! Liveness: a spin cannot be interrupted by a signal, so the [`Watchdog`]'s waker thread
//! (blocked in `read` until the watchdog fires or dies) sets the word to `POISON` when a
//! peer dies or stalls. A spinning driver never blocks, so the watchdog judges a stall by
//! the peer's time on its CPU instead of the driver's switches: a stopped peer's stops
//! growing. Both sides' compare-exchange and spin already look at the word,
//! so that check costs nothing in the loop. A peer told to stop (the guard's `STOP`) or
//! poisoned leaves its loop.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::futex::wake;
use super::peer::{Peer, ThreadGuard};
use super::watchdog::{Stop, Watchdog};
use super::{read_hello_channel, Driver, Harness, PeerHello, Stamps};
use crate::error::{Error, Result};
use crate::spec::Placement;
use crate::sys::{futex_wait, futex_wake};

/// Between batches: the peer sleeps.
const IDLE: u32 = 0;
/// The driver's turn.
const DRIVER: u32 = 1;
/// The peer's turn.
const PEER: u32 = 2;
/// The driver asks a sleeping peer to spin; it answers `DRIVER`.
const WAKE: u32 = 3;
/// The peer must leave.
const STOP: u32 = 4;
/// Set by the watchdog's waker: the other side died or stalled.
const POISON: u32 = 5;

/// Round trips per clock mark in the tails pass ([`CacheLinePingPong::run_grouped`]):
/// a clock read (about 25 ns here) beside a round trip of about 60 ns would be some 40%
/// of each lap; spread over 16 it is under 2 ns a round trip.
pub const TAIL_GROUP: u64 = 16;

/// The word, alone in its 128 bytes.
#[repr(align(128))]
struct Line {
    turn: AtomicU32,
}

/// A cache-line ping-pong between the driver and a peer thread on two CPUs.
pub struct CacheLinePingPong {
    line: Arc<Line>,
    peer: Peer,
    driver: Driver,
    watchdog: Watchdog,
}

/// The peer's loop: answer each `PEER` with `DRIVER`, spin while it is the driver's turn,
/// sleep while idle, leave on `STOP` or `POISON`.
fn peer_loop(turn: &AtomicU32) {
    loop {
        match turn.load(Ordering::Acquire) {
            PEER => {
                let _ = turn.compare_exchange(PEER, DRIVER, Ordering::AcqRel, Ordering::Relaxed);
            }
            DRIVER => {}
            WAKE => {
                let _ = turn.compare_exchange(WAKE, DRIVER, Ordering::AcqRel, Ordering::Relaxed);
            }
            IDLE => {
                let _ = futex_wait(turn, IDLE, None, false);
            }
            _ => return,
        }
    }
}

/// The driver's timed loop: `groups` times, run `each`, then `G` round trips. A word that
/// is not the driver's when it should be was poisoned: the watchdog fired.
#[inline(always)]
fn timed<const G: u64>(
    turn: &AtomicU32,
    groups: u64,
    mut each: impl FnMut(),
) -> std::result::Result<Duration, Stop> {
    let start = Instant::now();
    for _ in 0..groups {
        each();
        for _ in 0..G {
            if turn
                .compare_exchange(DRIVER, PEER, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
            {
                return Err(Stop::Poked);
            }
            let mut v = turn.load(Ordering::Acquire);
            while v == PEER {
                v = turn.load(Ordering::Acquire);
            }
            if v != DRIVER {
                return Err(Stop::Poked);
            }
        }
    }
    Ok(start.elapsed())
}

/// Wakes the sleeping peer and waits until it spins (untimed), runs `timed`, then lets
/// the peer sleep again.
fn batch(
    turn: &AtomicU32,
    timed: impl FnOnce() -> std::result::Result<Duration, Stop>,
) -> std::result::Result<Duration, Stop> {
    if turn
        .compare_exchange(IDLE, WAKE, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        return Err(Stop::Poked);
    }
    wake(turn, false)?;
    loop {
        match turn.load(Ordering::Acquire) {
            DRIVER => break,
            WAKE => std::hint::spin_loop(),
            _ => return Err(Stop::Poked),
        }
    }
    let r = timed();
    // Left as it is when poisoned.
    let _ = turn.compare_exchange(DRIVER, IDLE, Ordering::AcqRel, Ordering::Relaxed);
    r
}

impl CacheLinePingPong {
    /// Pins this thread to `a`, starts the peer thread on `b`, and warms up.
    pub fn new(a: usize, b: usize) -> Result<Self> {
        if a == b {
            return Err(Error::InvalidInput(format!(
                "a cache-line ping-pong needs two distinct CPUs, not {a} twice"
            )));
        }
        let placement = Placement::CrossCpu(a, b);
        let mut driver = Driver::pin(placement)?.expecting(Some(0.0));
        let line = Arc::new(Line {
            turn: AtomicU32::new(IDLE),
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let l = Arc::clone(&line);
        let handle = std::thread::Builder::new()
            .name("ctxbench-cacheline-peer".into())
            .spawn(move || {
                let _ = tx.send(PeerHello::pin(Some(b)));
                drop(tx);
                peer_loop(&l.turn);
            })
            .map_err(|e| Error::sys("spawning the peer thread", e))?;
        let name = "the cache line's peer";
        let l = Arc::clone(&line);
        let peer = Peer::Thread(ThreadGuard::new(
            name,
            handle,
            Box::new(move || {
                l.turn.store(STOP, Ordering::Release);
                let _ = futex_wake(&l.turn, 1, false);
            }),
        ));
        let hello = read_hello_channel(&rx, name)?;
        driver.add_peer(&peer, hello, name)?;
        let l = Arc::clone(&line);
        let watchdog = Watchdog::start_spinning(
            name,
            &driver,
            Box::new(move || {
                l.turn.store(POISON, Ordering::Release);
                let _ = futex_wake(&l.turn, 1, false);
            }),
        )?;
        let mut h = Self {
            line,
            peer,
            driver,
            watchdog,
        };
        h.run(super::WARMUP_ROUND_TRIPS)?;
        Ok(h)
    }

    /// `groups` groups of `G` round trips in one batch under the watchdog, `each` run
    /// before each group.
    fn guarded<const G: u64>(&mut self, groups: u64, each: impl FnMut()) -> Result<Duration> {
        let turn = &self.line.turn;
        let peers = std::slice::from_mut(&mut self.peer);
        self.watchdog
            .guarded(peers, |_| batch(turn, || timed::<G>(turn, groups, each)))
    }

    /// The tails pass of a hand-over too quick to time alone: `groups` groups of
    /// [`TAIL_GROUP`] round trips in one batch, `stamps` marked before each group.
    pub fn run_grouped(&mut self, groups: u64, stamps: &mut Stamps) -> Result<()> {
        self.guarded::<TAIL_GROUP>(groups, || stamps.mark())
            .map(drop)
    }
}

impl Harness for CacheLinePingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.guarded::<1>(iters, || {})
    }

    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        self.guarded::<1>(iters, || stamps.mark()).map(drop)
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::exclusive;

    fn pair() -> Option<(usize, usize)> {
        match crate::cpus::allowed_cpus().unwrap()[..] {
            [a, b, ..] => Some((a, b)),
            _ => None,
        }
    }

    #[test]
    fn round_trips_run_on_the_two_cpus_without_switching() {
        let _x = exclusive();
        let Some((a, b)) = pair() else { return };
        let mut h = CacheLinePingPong::new(a, b).unwrap();
        assert_eq!(h.cpus_seen(), &[Some(a), Some(b)]);
        assert_eq!(h.expected_switches_per_iter(), Some(0.0));
        // Many batches: the peer sleeps between them and answers each wake.
        for _ in 0..50 {
            assert!(h.run(1000).unwrap() > Duration::ZERO);
        }
        let mut s = Stamps::with_capacity(101);
        h.run_grouped(101, &mut s).unwrap();
        assert_eq!(s.len(), 101);
        let mut s = Stamps::with_capacity(10);
        h.run_stamped(10, &mut s).unwrap();
        assert_eq!(s.len(), 10);
        // Between batches the peer sleeps: the word is idle and its thread blocked.
        assert_eq!(h.line.turn.load(Ordering::Acquire), IDLE);
    }

    #[test]
    fn a_peer_stopped_in_the_middle_of_a_batch_is_a_stall() {
        let _x = exclusive();
        let Some((a, b)) = pair() else { return };
        let limit = Duration::from_millis(1500);
        crate::harness::set_stall_limit(limit);
        let mut h = CacheLinePingPong::new(a, b).unwrap();
        let tid = h.tasks()[1].tid;
        // Stopped while the pair spins: the driver keeps spinning (and may be preempted,
        // which is a switch), and only the peer's frozen time on its CPU says it stalled.
        // The tracer lives as long as the thread that forked it, so that one waits; should
        // the stall go unnoticed, it ends the peer after 10 s, so the test fails, not hangs.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let tracer = crate::harness::stop_thread(tid);
            if released.recv_timeout(Duration::from_secs(10)).is_err() {
                crate::sys::testing::end_thread(tid);
            }
            drop(tracer);
        });
        let start = Instant::now();
        let e = h.run(u64::MAX).unwrap_err();
        let took = start.elapsed();
        release.send(()).unwrap();
        stopper.join().unwrap();
        assert!(matches!(e, Error::Stalled { .. }), "{e}");
        assert!(
            took >= limit && took < limit + Duration::from_secs(3),
            "{took:?}"
        );
    }

    #[test]
    fn the_same_cpu_twice_is_refused() {
        let e = CacheLinePingPong::new(0, 0).err().unwrap();
        assert!(
            e.is_usage() && e.to_string().contains("two distinct CPUs"),
            "{e}"
        );
    }

    #[test]
    fn a_poisoned_word_ends_the_batch_and_the_peer() {
        let _x = exclusive();
        let Some((a, b)) = pair() else { return };
        let mut h = CacheLinePingPong::new(a, b).unwrap();
        // What the waker does when the watchdog fires.
        h.line.turn.store(POISON, Ordering::Release);
        let _ = futex_wake(&h.line.turn, 1, false);
        assert!(h.run(10).is_err());
        let deadline = Instant::now() + Duration::from_secs(2);
        while h.peer.check().is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(h.peer.check().is_err(), "the peer left its loop");
    }
}
