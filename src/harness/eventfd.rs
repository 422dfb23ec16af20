//! `process-eventfd` and `thread-eventfd`: an eventfd each way.
//!
//! A side wakes the other by writing 1 to the other's eventfd, then waits on its own with
//! `poll` (bounded by [`LIVENESS_POLL`]) and `read`. An eventfd has no end-of-file, so the
//! bounded poll is what lets the driver notice a dead peer; both sides poll, so the round
//! trip is symmetric and the eventfd floor (`floor/eventfd`) makes the same three calls.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};

use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::{read_hello, write_all, Driver, Harness, Patience, PeerHello, LIVENESS_POLL};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};

/// A value written to the peer's eventfd that tells it to leave (any sum this large).
const STOP: u64 = 1 << 40;

/// An eventfd ping-pong between the driver and a peer process or thread.
pub struct EventfdPingPong {
    to_peer: Arc<OwnedFd>,
    from_peer: OwnedFd,
    peer: Peer,
    name: String,
    driver: Driver,
}

/// A new eventfd (close-on-exec, blocking, counter mode).
pub fn new_eventfd() -> Result<OwnedFd> {
    EventFd::from_value_and_flags(0, EfdFlags::EFD_CLOEXEC)
        .map(OwnedFd::from)
        .map_err(|e| Error::sys("eventfd", e))
}

/// Adds `v` to an eventfd's counter; allocation-free.
pub fn signal(fd: BorrowedFd<'_>, v: u64) -> std::result::Result<(), Errno> {
    write_all(fd, &v.to_ne_bytes())
}

/// Waits up to `timeout` for the eventfd to be readable; true when it is.
pub fn wait_readable(fd: BorrowedFd<'_>, timeout: Duration) -> std::result::Result<bool, Errno> {
    let ms = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
    loop {
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(&mut fds, ms) {
            Ok(0) => return Ok(false),
            Ok(_) => return Ok(true),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads (and so resets) an eventfd's counter; allocation-free.
pub fn take(fd: BorrowedFd<'_>) -> std::result::Result<u64, Errno> {
    let mut b = [0u8; 8];
    loop {
        match nix::unistd::read(fd.as_raw_fd(), &mut b) {
            Ok(8) => return Ok(u64::from_ne_bytes(b)),
            Ok(_) => return Err(Errno::EIO),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The peer's loop; allocation-free, so it may run in a forked child. `still_wanted` is
/// polled after each wait that timed out. Returns the exit code.
fn peer_loop(
    mine: BorrowedFd<'_>,
    theirs: BorrowedFd<'_>,
    hello_to: BorrowedFd<'_>,
    cpu: Option<usize>,
    still_wanted: impl Fn() -> bool,
) -> i32 {
    let hello = PeerHello::pin(cpu);
    if write_all(hello_to, &hello.to_bytes()).is_err() {
        return 3;
    }
    loop {
        match wait_readable(mine, LIVENESS_POLL * 2) {
            Ok(true) => {}
            Ok(false) if still_wanted() => continue,
            Ok(false) => return 4,
            Err(_) => return 2,
        }
        match take(mine) {
            Ok(v) if v >= STOP => return 0,
            Ok(_) => {
                if signal(theirs, 1).is_err() {
                    return 2;
                }
            }
            Err(_) => return 2,
        }
    }
}

impl EventfdPingPong {
    /// Sets up the peer and the two eventfds; the caller warms it up.
    pub fn new(participants: Participants, placement: Placement) -> Result<Self> {
        let mut driver = Driver::pin(placement)?;
        let to_peer = Arc::new(new_eventfd()?);
        let from_peer = new_eventfd()?;
        let (hello_r, hello_w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| Error::sys("pipe2", e))?;
        let peer_cpu = placement.peer_cpu();
        let name = format!("{participants}-eventfd peer");
        let peer = match participants {
            Participants::Process => {
                let parent = nix::unistd::getpid();
                let keep = [
                    to_peer.as_raw_fd(),
                    from_peer.as_raw_fd(),
                    hello_w.as_raw_fd(),
                ];
                let (mine, theirs, hw) = (to_peer.as_fd(), from_peer.as_fd(), hello_w.as_fd());
                let child = ChildGuard::spawn(&name, &keep, || {
                    peer_loop(mine, theirs, hw, peer_cpu, || {
                        nix::unistd::getppid() == parent
                    })
                })?;
                Peer::Process(child)
            }
            Participants::Thread => {
                let mine = Arc::clone(&to_peer);
                let theirs = from_peer
                    .try_clone()
                    .map_err(|e| Error::sys("dup of an eventfd", e))?;
                let hw = hello_w
                    .try_clone()
                    .map_err(|e| Error::sys("dup of the hello pipe", e))?;
                let handle = std::thread::Builder::new()
                    .name("ctxbench-eventfd-peer".into())
                    .spawn(move || {
                        peer_loop(mine.as_fd(), theirs.as_fd(), hw.as_fd(), peer_cpu, || true);
                    })
                    .map_err(|e| Error::sys("spawning the peer thread", e))?;
                let stop_fd = Arc::clone(&to_peer);
                let guard = ThreadGuard::new(
                    &name,
                    handle,
                    Box::new(move || {
                        let _ = signal(stop_fd.as_fd(), STOP);
                    }),
                );
                Peer::Thread(guard)
            }
        };
        drop(hello_w);
        let hello = read_hello(&hello_r, &name)?;
        driver.add_peer(&peer, hello, &name)?;
        Ok(Self {
            to_peer,
            from_peer,
            peer,
            name,
            driver,
        })
    }
}

impl Drop for EventfdPingPong {
    fn drop(&mut self) {
        // Ask a peer process to leave too; its guard kills it regardless.
        let _ = signal(self.to_peer.as_fd(), STOP);
    }
}

impl Harness for EventfdPingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let start = Instant::now();
        for _ in 0..iters {
            signal(self.to_peer.as_fd(), 1).map_err(|e| Error::sys("write to an eventfd", e))?;
            let mut patience = Patience::new();
            loop {
                match wait_readable(self.from_peer.as_fd(), LIVENESS_POLL) {
                    Ok(true) => break,
                    Ok(false) => patience.timed_out(&mut self.peer, &self.name)?,
                    Err(e) => return Err(Error::sys("poll on an eventfd", e)),
                }
            }
            take(self.from_peer.as_fd()).map_err(|e| Error::sys("read from an eventfd", e))?;
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_is_two_switches_and_a_dead_peer_is_reported() {
        let _x = crate::harness::exclusive();
        for p in [Participants::Process, Participants::Thread] {
            crate::harness::retry_on_cpus(|cpu| {
                let mut h = EventfdPingPong::new(p, Placement::SameCpu(cpu)).unwrap();
                h.run(100).unwrap();
                let c = crate::measure::count_switches(&mut h, 1000).unwrap();
                if (1.8..=2.2).contains(&c.per_iter) {
                    Ok(())
                } else {
                    Err(format!("{p}: {c:?}"))
                }
            });
        }
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let mut h = EventfdPingPong::new(Participants::Process, Placement::SameCpu(cpu)).unwrap();
        let child = nix::unistd::Pid::from_raw(h.tasks()[1].pid);
        nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL).unwrap();
        let t = Instant::now();
        let e = h.run(1_000_000).unwrap_err();
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "took {:?}",
            t.elapsed()
        );
        assert!(e.to_string().contains("ended during the run"), "{e}");
    }
}
