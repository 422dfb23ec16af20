//! A driver and one peer joined by two descriptors (pipes or eventfds) and watched: the
//! part the pipe, eventfd and working-set ping-pongs share.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use super::peer::Peer;
use super::watchdog::{Alarm, Stop, Watchdog};
use super::Driver;
use crate::error::Result;

/// The two ends the driver keeps and the peer they lead to. Field order matters: the ends
/// drop (close) before the peer guard joins a peer thread, which leaves its loop on
/// end-of-file (or on the stop its guard sends).
pub(crate) struct Joined<To> {
    /// Where the driver writes.
    pub to_peer: To,
    /// Where the driver reads.
    pub from_peer: OwnedFd,
    /// The peer process or thread.
    pub peer: Peer,
}

/// [`Joined`] whose peer said hello, with the driver and the peer's watchdog.
pub(crate) struct Link<To> {
    ends: Joined<To>,
    driver: Driver,
    watchdog: Watchdog,
}

impl<To: AsFd> Link<To> {
    /// Reads the peer's hello on `hello_from`, checks its CPU and starts its watchdog.
    /// Should that fail, the ends close before the peer guard waits for a peer thread.
    pub(crate) fn welcome(
        ends: Joined<To>,
        mut driver: Driver,
        hello_from: Option<&OwnedFd>,
        name: &str,
    ) -> Result<Self> {
        let hello_from = hello_from.unwrap_or(&ends.from_peer);
        let watchdog = driver.welcome(&ends.peer, hello_from, name)?;
        Ok(Self {
            ends,
            driver,
            watchdog,
        })
    }

    /// Runs one timed batch `f(to_peer, from_peer, alarm)` under the watchdog.
    pub(crate) fn guarded(
        &mut self,
        f: impl FnOnce(BorrowedFd<'_>, BorrowedFd<'_>, Alarm<'_>) -> std::result::Result<Duration, Stop>,
    ) -> Result<Duration> {
        let Joined {
            to_peer,
            from_peer,
            peer,
        } = &mut self.ends;
        let (to, from) = (to_peer.as_fd(), from_peer.as_fd());
        self.watchdog
            .guarded(std::slice::from_mut(peer), |alarm| f(to, from, alarm))
    }

    /// Where the driver writes.
    pub(crate) fn to_peer(&self) -> BorrowedFd<'_> {
        self.ends.to_peer.as_fd()
    }

    /// The driving side.
    pub(crate) fn driver(&self) -> &Driver {
        &self.driver
    }
}
