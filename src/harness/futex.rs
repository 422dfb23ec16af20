//! `thread-futex` and `process-futex`: a raw futex word, the same mechanism for threads
//! (private futex operations) and processes (a `MAP_SHARED` word, shared operations), so
//! the difference between the two is the address-space switch alone.
//!
//! The word says whose turn it is: [`DRIVER`] or [`PEER`]; [`STOP`] ends the peer. Each
//! side sets the other's turn, wakes it, and sleeps until the turn comes back. Both sides
//! always sleep with a timeout, so a dead peer is noticed and nothing waits forever.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::{Driver, Harness, Patience, PeerHello, HELLO_TIMEOUT, LIVENESS_POLL};
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

/// A futex ping-pong between the driver and a peer process or thread.
pub struct FutexPingPong {
    words: Arc<SharedWords>,
    shared: bool,
    peer: Peer,
    name: String,
    driver: Driver,
}

/// The peer's loop; allocation-free, so it may run in a forked child. `still_wanted`
/// is polled after each timed-out wait. Returns the exit code.
fn peer_loop(
    words: &[AtomicU32],
    shared: bool,
    cpu: Option<usize>,
    still_wanted: impl Fn() -> bool,
) -> i32 {
    let hello = PeerHello::pin(cpu);
    words[HELLO_CPU].store(hello.cpu, Ordering::Relaxed);
    words[HELLO_TID].store(hello.tid, Ordering::Relaxed);
    words[HELLO_READY].store(1, Ordering::Release);
    let turn = &words[TURN];
    loop {
        match turn.load(Ordering::Acquire) {
            PEER => {
                turn.store(DRIVER, Ordering::Release);
                if futex_wake(turn, 1, shared).is_err() {
                    return 2;
                }
            }
            STOP => return 0,
            v => match futex_wait(turn, v, Some(LIVENESS_POLL * 2), shared) {
                Ok(FutexWait::TimedOut) if !still_wanted() => return 4,
                Ok(_) => {}
                Err(_) => return 2,
            },
        }
    }
}

impl FutexPingPong {
    /// Sets up the peer; the caller (see [`super::build`]) warms it up.
    pub fn new(participants: Participants, placement: Placement) -> Result<Self> {
        let driver = Driver::pin(placement)?;
        let words = Arc::new(SharedWords::new(4).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?);
        let shared = participants == Participants::Process;
        let peer_cpu = placement.peer_cpu();
        let name = format!("{participants}-futex peer");
        let peer = match participants {
            Participants::Process => {
                let parent = nix::unistd::getpid();
                let w = words.words();
                Peer::Process(ChildGuard::spawn(&name, &[], || {
                    peer_loop(w, true, peer_cpu, || nix::unistd::getppid() == parent)
                })?)
            }
            Participants::Thread => {
                let w = Arc::clone(&words);
                let handle = std::thread::Builder::new()
                    .name("ctxbench-futex-peer".into())
                    .spawn(move || {
                        peer_loop(w.words(), false, peer_cpu, || true);
                    })
                    .map_err(|e| Error::sys("spawning the peer thread", e))?;
                let w = Arc::clone(&words);
                Peer::Thread(ThreadGuard::new(
                    &name,
                    handle,
                    Box::new(move || {
                        w.words()[TURN].store(STOP, Ordering::Release);
                        let _ = futex_wake(&w.words()[TURN], 1, false);
                    }),
                ))
            }
        };
        let mut me = Self {
            words,
            shared,
            peer,
            name,
            driver,
        };
        let hello = me.wait_hello()?;
        me.driver.add_peer(&me.peer, hello, &me.name)?;
        Ok(me)
    }

    fn wait_hello(&mut self) -> Result<PeerHello> {
        let start = Instant::now();
        let w = self.words.words();
        while w[HELLO_READY].load(Ordering::Acquire) == 0 {
            self.peer.check()?;
            if start.elapsed() > HELLO_TIMEOUT {
                return Err(Error::Stalled {
                    peer: self.name.clone(),
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
}

impl Drop for FutexPingPong {
    fn drop(&mut self) {
        // Ask a peer process to leave too; the guard kills it regardless.
        let turn = &self.words.words()[TURN];
        turn.store(STOP, Ordering::Release);
        let _ = futex_wake(turn, 1, self.shared);
    }
}

impl Harness for FutexPingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let words = Arc::clone(&self.words);
        let turn = &words.words()[TURN];
        let shared = self.shared;
        let start = Instant::now();
        for _ in 0..iters {
            turn.store(PEER, Ordering::Release);
            futex_wake(turn, 1, shared).map_err(|e| Error::sys("FUTEX_WAKE", e))?;
            let mut patience = Patience::new();
            while turn.load(Ordering::Acquire) != DRIVER {
                match futex_wait(turn, PEER, Some(LIVENESS_POLL), shared) {
                    Ok(FutexWait::TimedOut) => patience.timed_out(&mut self.peer, &self.name)?,
                    Ok(_) => {}
                    Err(e) => return Err(Error::sys("FUTEX_WAIT", e)),
                }
            }
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}
