//! `thread-condvar`: `std::sync::Mutex` + `Condvar` between two threads.
//!
//! Each side changes the turn under the lock, *unlocks*, then notifies: notifying while
//! holding the lock wakes the peer straight into a lock it cannot take, which costs extra
//! switches (about 5 per round trip instead of 2 on one CPU). Both waits are untimed.
//!
//! A condvar wait restarts itself when a signal interrupts it, so the [`Watchdog`] cannot
//! wake the driver the way it wakes the other harnesses; instead its waker thread (blocked
//! in `read` until the watchdog fires or dies) sets the turn to `POISON` and notifies.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::peer::{Peer, ThreadGuard};
use super::watchdog::{Stop, Watchdog};
use super::{read_hello_channel, Driver, Harness, Stamps};
use crate::error::{Error, Result};
use crate::spec::Placement;

const DRIVER: u32 = 0;
const PEER: u32 = 1;
const STOP: u32 = 2;
/// Set by the watchdog's waker: the peer died or stalled.
const POISON: u32 = 3;

struct Shared {
    turn: Mutex<u32>,
    wake_driver: Condvar,
    wake_peer: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, u32> {
        // A poisoned lock means the other side panicked; the turn value is still a plain
        // integer, so carry on and let the liveness check report the dead peer.
        self.turn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A condvar ping-pong between the driver and a peer thread.
pub struct CondvarPingPong {
    shared: Arc<Shared>,
    peer: Peer,
    driver: Driver,
    watchdog: Watchdog,
}

fn peer_loop(s: &Shared) {
    let mut g = s.lock();
    loop {
        while *g == DRIVER {
            g = s.wake_peer.wait(g).unwrap_or_else(|p| p.into_inner());
        }
        if *g != PEER {
            return; // STOP, or POISON
        }
        *g = DRIVER;
        drop(g);
        s.wake_driver.notify_one();
        g = s.lock();
    }
}

impl CondvarPingPong {
    /// Sets up the peer thread; the caller (see [`super::build`]) warms it up.
    pub fn new(placement: Placement) -> Result<Self> {
        let mut driver = Driver::pin(placement)?;
        let shared = Arc::new(Shared {
            turn: Mutex::new(DRIVER),
            wake_driver: Condvar::new(),
            wake_peer: Condvar::new(),
        });
        let peer_cpu = placement.peer_cpu();
        let (tx, rx) = std::sync::mpsc::channel();
        let s = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("ctxbench-condvar-peer".into())
            .spawn(move || {
                let _ = tx.send(super::PeerHello::pin(peer_cpu));
                drop(tx);
                peer_loop(&s);
            })
            .map_err(|e| Error::sys("spawning the peer thread", e))?;
        let s = Arc::clone(&shared);
        let name = "thread-condvar peer";
        let peer = Peer::Thread(ThreadGuard::new(
            name,
            handle,
            Box::new(move || {
                *s.lock() = STOP;
                s.wake_peer.notify_one();
            }),
        ));
        let hello = read_hello_channel(&rx, name)?;
        driver.add_peer(&peer, hello, name)?;
        let s = Arc::clone(&shared);
        let watchdog = Watchdog::start_waking(
            name,
            &driver,
            Box::new(move || {
                *s.lock() = POISON;
                s.wake_driver.notify_all();
                s.wake_peer.notify_all();
            }),
        )?;
        Ok(Self {
            shared,
            peer,
            driver,
            watchdog,
        })
    }
}

/// The driver's side of `iters` round trips, running `each` before each one (nothing in
/// a timed batch: it compiles away).
fn round_trips(
    s: &Shared,
    iters: u64,
    mut each: impl FnMut(),
) -> std::result::Result<Duration, Stop> {
    let start = Instant::now();
    for _ in 0..iters {
        each();
        {
            // Between round trips the turn is the driver's, unless the waker poisoned it.
            let mut g = s.lock();
            if *g != DRIVER {
                return Err(Stop::Poked);
            }
            *g = PEER;
        }
        s.wake_peer.notify_one();
        let mut g = s.lock();
        while *g == PEER {
            g = s.wake_driver.wait(g).unwrap_or_else(|p| p.into_inner());
        }
        if *g != DRIVER {
            return Err(Stop::Poked);
        }
    }
    Ok(start.elapsed())
}

impl CondvarPingPong {
    /// `iters` round trips under the watchdog, running `each` before each one.
    fn guarded_round_trips(&mut self, iters: u64, each: impl FnMut()) -> Result<Duration> {
        let shared = &self.shared;
        let peers = std::slice::from_mut(&mut self.peer);
        self.watchdog
            .guarded(peers, |_| round_trips(shared, iters, each))
    }
}

impl Harness for CondvarPingPong {
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
