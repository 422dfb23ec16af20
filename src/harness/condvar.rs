//! `thread-condvar`: `std::sync::Mutex` + `Condvar` between two threads.
//!
//! Each side changes the turn under the lock, *unlocks*, then notifies: notifying while
//! holding the lock wakes the peer straight into a lock it cannot take, which costs extra
//! switches (about 5 per round trip instead of 2 on one CPU).

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::peer::{Peer, ThreadGuard};
use super::{read_hello_channel, Driver, Harness, Patience, LIVENESS_POLL};
use crate::error::{Error, Result};
use crate::spec::Placement;

const DRIVER: u32 = 0;
const PEER: u32 = 1;
const STOP: u32 = 2;

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
}

fn peer_loop(s: &Shared) {
    let mut g = s.lock();
    loop {
        while *g == DRIVER {
            g = s
                .wake_peer
                .wait_timeout(g, LIVENESS_POLL * 2)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        if *g == STOP {
            return;
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
        Ok(Self {
            shared,
            peer,
            driver,
        })
    }
}

impl Harness for CondvarPingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let s = Arc::clone(&self.shared);
        let start = Instant::now();
        for _ in 0..iters {
            *s.lock() = PEER;
            s.wake_peer.notify_one();
            let mut patience = Patience::new();
            let mut g = s.lock();
            while *g == PEER {
                let (g2, res) = s
                    .wake_driver
                    .wait_timeout(g, LIVENESS_POLL)
                    .unwrap_or_else(|p| p.into_inner());
                g = g2;
                if res.timed_out() && *g == PEER {
                    drop(g);
                    patience.timed_out(&mut self.peer, "thread-condvar peer")?;
                    g = s.lock();
                }
            }
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}
