//! `ring/<participants>-futex/<n>`: the ring of [`super::ring`] over futex words instead
//! of pipes, so each hand-over costs a `FUTEX_WAKE` and a `FUTEX_WAIT` (shared operations
//! between processes, private between threads) rather than a pipe write and read.
//!
//! Participant k sleeps on its own word while it holds 0; whoever passes it the token
//! stores 1 there and wakes it; it stores 0 back, passes the token to k+1 the same way and
//! sleeps again. `STOP` in a word ends that participant. No wait has a timeout: the
//! [`Watchdog`](super::watchdog::Watchdog) notices a member that died or stalled and interrupts the driver's wait.
//! Participants run under the exact hand-over policy, as in the pipe ring, so a lap is
//! exactly n switches.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::futex::{wait_until, wake};
use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::ring::RingCore;
use super::watchdog::Stop;
use super::{Driver, Harness, PeerHello, HELLO_TIMEOUT};
use crate::error::{Error, Result};
use crate::spec::Participants;
use crate::sys::{self, futex_wait, futex_wake, SharedWords};

/// A participant's word while it waits.
const WAIT: u32 = 0;
/// A participant's word when the token is its.
const GO: u32 = 1;
/// A participant's word when it must leave.
const STOP: u32 = 2;

/// Word layout: `n` turn words, then per participant (cpu, tid, ready).
fn hello_base(n: usize, k: usize) -> usize {
    n + 3 * k
}

/// A ring of n participants (the driver and n-1 peers) on one CPU, over futex words.
pub struct FutexRing {
    words: Arc<SharedWords>,
    shared: bool,
    core: RingCore,
}

/// Peer k's loop; allocation-free, so it may run in a forked child.
fn relay_loop(
    words: &[AtomicU32],
    (n, k): (usize, usize),
    shared: bool,
    cpu: usize,
    policy: sys::SchedPolicy,
) -> i32 {
    let hello = PeerHello::pin(Some(cpu)).under(policy);
    let h = hello_base(n, k);
    words[h].store(hello.cpu, Ordering::Relaxed);
    words[h + 1].store(hello.tid, Ordering::Relaxed);
    words[h + 2].store(1, Ordering::Release);
    let mine = &words[k];
    let next = &words[(k + 1) % n];
    loop {
        match mine.load(Ordering::Acquire) {
            GO => {
                mine.store(WAIT, Ordering::Relaxed);
                if next
                    .compare_exchange(WAIT, GO, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                    && futex_wake(next, 1, shared).is_err()
                {
                    return 2;
                }
            }
            STOP => return 0,
            v => {
                if futex_wait(mine, v, None, shared).is_err() {
                    return 2;
                }
            }
        }
    }
}

impl FutexRing {
    /// Sets up a ring of `n` participants pinned to `cpu`; the caller warms it up.
    pub fn new(participants: Participants, n: usize, cpu: usize) -> Result<Self> {
        let (driver, policy) = RingCore::start(n, cpu)?;
        let chosen = policy.chosen();
        let words =
            Arc::new(SharedWords::new(n + 3 * n).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?);
        let shared = participants == Participants::Process;
        let name = format!("{participants}-futex ring peer");
        let mut peers = Vec::with_capacity(n - 1);
        for k in 1..n {
            let peer = match participants {
                Participants::Process => {
                    let w = words.words();
                    // SAFETY: `relay_loop` works on a shared mapping made before the fork,
                    // which it borrows, with futex calls and atomics only.
                    #[allow(unsafe_code)]
                    let child = unsafe {
                        ChildGuard::spawn(&format!("{name} {k}"), &[], || {
                            relay_loop(w, (n, k), true, cpu, chosen)
                        })
                    }?;
                    Peer::Process(child)
                }
                Participants::Thread => {
                    let w = Arc::clone(&words);
                    let handle = std::thread::Builder::new()
                        .name(format!("ctxbench-fring-{k}"))
                        .spawn(move || {
                            relay_loop(w.words(), (n, k), false, cpu, chosen);
                        })
                        .map_err(|e| Error::sys("spawning a ring thread", e))?;
                    let w = Arc::clone(&words);
                    Peer::Thread(ThreadGuard::new(
                        &format!("{name} {k}"),
                        handle,
                        Box::new(move || {
                            w.words()[k].store(STOP, Ordering::Release);
                            let _ = futex_wake(&w.words()[k], 1, false);
                        }),
                    ))
                }
            };
            peers.push(peer);
        }
        let mut me = Self {
            words,
            shared,
            core: RingCore::new(peers, n, driver, policy),
        };
        for k in 1..n {
            let hello = me.wait_hello(k, &name)?;
            let core = &mut me.core;
            core.driver.add_peer(&core.peers[k - 1], hello, &name)?;
        }
        me.core.watch(&name)?;
        Ok(me)
    }

    fn wait_hello(&mut self, k: usize, name: &str) -> Result<PeerHello> {
        let start = Instant::now();
        let h = hello_base(self.core.n, k);
        let words = Arc::clone(&self.words);
        let w = words.words();
        while w[h + 2].load(Ordering::Acquire) == 0 {
            self.core.peers[k - 1].check()?;
            if start.elapsed() > HELLO_TIMEOUT {
                return Err(Error::Stalled {
                    peer: format!("{name} {k}"),
                    waited: HELLO_TIMEOUT,
                });
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(PeerHello {
            cpu: w[h].load(Ordering::Relaxed),
            tid: w[h + 1].load(Ordering::Relaxed),
        })
    }
}

impl Drop for FutexRing {
    fn drop(&mut self) {
        // Ask every peer to leave; process guards kill theirs regardless.
        for w in &self.words.words()[..self.core.n] {
            w.store(STOP, Ordering::Release);
            let _ = futex_wake(w, 1, self.shared);
        }
    }
}

/// The driver's side of `iters` laps: pass the token to `next`, wait on `mine`.
fn laps(
    mine: &AtomicU32,
    next: &AtomicU32,
    shared: bool,
    iters: u64,
    alarm: super::watchdog::Alarm<'_>,
) -> std::result::Result<Duration, Stop> {
    let start = Instant::now();
    for _ in 0..iters {
        next.store(GO, Ordering::Release);
        wake(next, shared)?;
        wait_until(mine, GO, WAIT, shared, alarm)?;
        mine.store(WAIT, Ordering::Relaxed);
    }
    Ok(start.elapsed())
}

impl Harness for FutexRing {
    /// Runs `iters` laps of the token.
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let (w, shared) = (self.words.words(), self.shared);
        self.core
            .guarded(|alarm| laps(&w[0], &w[1], shared, iters, alarm))
    }

    fn driver(&self) -> &Driver {
        &self.core.driver
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lap_is_n_switches_and_a_dead_peer_is_reported() {
        crate::harness::ring::tests::laps_are_n_switches("futex ring", FutexRing::new);
        let _x = crate::harness::exclusive();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let mut h = FutexRing::new(Participants::Process, 4, cpu).unwrap();
        h.run(10).unwrap();
        crate::harness::ring::tests::a_dead_member_ends_the_run(&mut h);
        // Threads leave when the ring drops.
        drop(FutexRing::new(Participants::Thread, 5, cpu).unwrap());
    }
}
