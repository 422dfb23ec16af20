//! `process-pipe` and `thread-pipe`: one byte each way through two pipes.
//!
//! The classic lmbench `lat_ctx` / `perf bench sched pipe` method: the timed loop is a
//! `write` and a `read` per side, the same for a process and a thread peer. A dead peer
//! closes its pipe ends, so the driver's read returns end-of-file at once; a peer that
//! stops answering is caught by the [`Watchdog`](super::watchdog::Watchdog) after the stall limit.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Duration;

use super::link::{Joined, Link};
use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::{pipe, pipe_round_trips, relay_bytes, Driver, Harness, PeerHello};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};

/// Two pipes between the driver and a peer process or thread.
pub struct PipePingPong {
    link: Link<OwnedFd>,
}

/// The peer's loop: say hello, then echo every byte until end-of-file. Allocation-free,
/// so it may run in a forked child. Returns the exit code.
fn echo_loop(from_driver: &OwnedFd, to_driver: &OwnedFd, cpu: Option<usize>) -> i32 {
    let (from, to) = (from_driver.as_fd(), to_driver.as_fd());
    relay_bytes(PeerHello::pin(cpu), to, (from, to), || {})
}

impl PipePingPong {
    /// Sets up the peer and pipes; the caller (see [`super::build`]) warms it up.
    pub fn new(participants: Participants, placement: Placement) -> Result<Self> {
        let driver = Driver::pin(placement)?;
        let (p2c_r, p2c_w) = pipe()?;
        let (c2p_r, c2p_w) = pipe()?;
        let peer_cpu = placement.peer_cpu();
        let name = format!("{participants}-pipe peer");
        let peer = match participants {
            Participants::Process => {
                let keep = [p2c_r.as_raw_fd(), c2p_w.as_raw_fd()];
                // SAFETY: `echo_loop` reads and writes two pipe ends it borrows, and
                // allocates, locks and frees nothing.
                #[allow(unsafe_code)]
                let child = unsafe {
                    ChildGuard::spawn(&name, &keep, || echo_loop(&p2c_r, &c2p_w, peer_cpu))
                }?;
                // Close the parent's copies of the child's ends: a dead child must mean
                // end-of-file for the driver, and the driver's exit for the child.
                drop(p2c_r);
                drop(c2p_w);
                Peer::Process(child)
            }
            Participants::Thread => {
                let (r, w) = (p2c_r, c2p_w);
                let handle = std::thread::Builder::new()
                    .name("ctxbench-pipe-peer".into())
                    .spawn(move || {
                        echo_loop(&r, &w, peer_cpu);
                    })
                    .map_err(|e| Error::sys("spawning the peer thread", e))?;
                // The peer leaves on end-of-file, when `to_peer` closes: nothing to signal.
                let guard = ThreadGuard::new(&name, handle, Box::new(|| {}));
                Peer::Thread(guard)
            }
        };
        let ends = Joined {
            to_peer: p2c_w,
            from_peer: c2p_r,
            peer,
        };
        let link = Link::welcome(ends, driver, None, &name)?;
        Ok(Self { link })
    }
}

impl Harness for PipePingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.link
            .guarded(|to, from, alarm| pipe_round_trips(to, from, iters, alarm, || {}))
    }

    fn driver(&self) -> &Driver {
        self.link.driver()
    }
}
