//! `process-pipe` and `thread-pipe`: one byte each way through two pipes.
//!
//! The classic lmbench `lat_ctx` / `perf bench sched pipe` method: the timed loop is a
//! `write` and a `read` per side, the same for a process and a thread peer. A dead peer
//! closes its pipe ends, so the driver's read returns end-of-file at once; a peer that
//! stops answering is caught by the [`Watchdog`] after the stall limit.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::OFlag;

use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::watchdog::Watchdog;
use super::{pipe_round_trips, read_hello, write_all, Driver, Harness, PeerHello};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};

/// Two pipes between the driver and a peer process or thread.
pub struct PipePingPong {
    // Field order matters: the pipe ends drop (close) before the peer guard joins a peer
    // thread, which leaves its loop on end-of-file.
    to_peer: OwnedFd,
    from_peer: OwnedFd,
    peer: Peer,
    driver: Driver,
    watchdog: Watchdog,
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| Error::sys("pipe2", e))
}

/// The peer's loop: say hello, then echo every byte until end-of-file. Allocation-free,
/// so it may run in a forked child. Returns the exit code.
fn echo_loop(from_driver: &OwnedFd, to_driver: &OwnedFd, cpu: Option<usize>) -> i32 {
    let hello = PeerHello::pin(cpu);
    if write_all(to_driver.as_fd(), &hello.to_bytes()).is_err() {
        return 3;
    }
    let mut b = [0u8; 1];
    loop {
        match nix::unistd::read(from_driver.as_raw_fd(), &mut b) {
            Ok(0) => return 0,
            Ok(_) => {
                if write_all(to_driver.as_fd(), &b).is_err() {
                    return 0; // the driver went away
                }
            }
            Err(Errno::EINTR) => continue,
            Err(_) => return 2,
        }
    }
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
        // Should the hello or the CPU check fail, the pipe ends drop before the peer
        // guard: a peer thread sees end-of-file and the guard's join returns.
        let (to_peer, from_peer, mut driver) = (p2c_w, c2p_r, driver);
        let hello = read_hello(&from_peer, &name)?;
        driver.add_peer(&peer, hello, &name)?;
        let watchdog = Watchdog::start(&name, &driver)?;
        Ok(Self {
            to_peer,
            from_peer,
            peer,
            driver,
            watchdog,
        })
    }
}

impl Harness for PipePingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let alarm = self.watchdog.begin()?;
        let (to, from) = (self.to_peer.as_fd(), self.from_peer.as_fd());
        let r = pipe_round_trips(to, from, iters, alarm, || {});
        self.watchdog.end(r, std::slice::from_mut(&mut self.peer))
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}
