//! `process-eventfd` and `thread-eventfd`: an eventfd each way.
//!
//! A side wakes the other by writing 1 to the other's eventfd, then waits on its own with
//! a blocking `read`: two system calls per side and nothing else, the same for threads and
//! processes (the eventfd floor, `floor/eventfd`, makes the same two calls without a
//! switch). An eventfd has no end-of-file, so a dead or stalled peer is caught by the
//! [`Watchdog`](super::watchdog::Watchdog), which interrupts the driver's `read`.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::eventfd::{EfdFlags, EventFd};

use super::link::{Joined, Link};
use super::peer::{ChildGuard, Peer, ThreadGuard};
use super::{write_all, write_read_round_trips, Driver, Ends, Harness, PeerHello};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};

/// A value written to the peer's eventfd that tells it to leave (any sum this large).
const STOP: u64 = 1 << 40;

/// An eventfd ping-pong between the driver and a peer process or thread.
pub struct EventfdPingPong {
    link: Link<Arc<OwnedFd>>,
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

/// The peer's loop; allocation-free, so it may run in a forked child. Returns the exit
/// code.
fn peer_loop(
    mine: BorrowedFd<'_>,
    theirs: BorrowedFd<'_>,
    hello_to: BorrowedFd<'_>,
    cpu: Option<usize>,
) -> i32 {
    let hello = PeerHello::pin(cpu);
    if write_all(hello_to, &hello.to_bytes()).is_err() {
        return 3;
    }
    loop {
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
        let driver = Driver::pin(placement)?;
        let to_peer = Arc::new(new_eventfd()?);
        let from_peer = new_eventfd()?;
        let (hello_r, hello_w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| Error::sys("pipe2", e))?;
        let peer_cpu = placement.peer_cpu();
        let name = format!("{participants}-eventfd peer");
        let peer = match participants {
            Participants::Process => {
                let keep = [
                    to_peer.as_raw_fd(),
                    from_peer.as_raw_fd(),
                    hello_w.as_raw_fd(),
                ];
                let (mine, theirs, hw) = (to_peer.as_fd(), from_peer.as_fd(), hello_w.as_fd());
                // SAFETY: `peer_loop` reads and writes descriptors opened before the fork
                // and borrows them; it allocates, locks and frees nothing.
                #[allow(unsafe_code)]
                let child = unsafe {
                    ChildGuard::spawn(&name, &keep, || peer_loop(mine, theirs, hw, peer_cpu))
                }?;
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
                        peer_loop(mine.as_fd(), theirs.as_fd(), hw.as_fd(), peer_cpu);
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
        let ends = Joined {
            to_peer,
            from_peer,
            peer,
        };
        let link = Link::welcome(ends, driver, Some(&hello_r), &name)?;
        Ok(Self { link })
    }
}

impl Drop for EventfdPingPong {
    fn drop(&mut self) {
        // Ask a peer process to leave too; its guard kills it regardless.
        let _ = signal(self.link.to_peer(), STOP);
    }
}

impl Harness for EventfdPingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.link.guarded(|to, from, alarm| {
            let names = ("write to an eventfd", "read from an eventfd");
            let ends = Ends { to, from, names };
            write_read_round_trips(ends, 1u64.to_ne_bytes(), iters, alarm, || {})
        })
    }

    fn driver(&self) -> &Driver {
        self.link.driver()
    }
}
