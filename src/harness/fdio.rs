//! Pipes and the byte I/O of peers and drivers: allocation-free, EINTR retried, reads
//! with a deadline.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use super::*;
use crate::error::{Error, Result};

/// A pipe, both ends close-on-exec.
pub(crate) fn pipe() -> Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| Error::sys("pipe2", e))
}

/// A pipe peer's life: say `hello` on `hello_to`, then pass every byte read from `from`
/// on to `to`, running `each` in between, until end-of-file. Allocation-free (`each`
/// must be too), so it may run in a forked child. Returns the exit code.
pub(crate) fn relay_bytes(
    hello: PeerHello,
    hello_to: BorrowedFd<'_>,
    (from, to): (BorrowedFd<'_>, BorrowedFd<'_>),
    mut each: impl FnMut(),
) -> i32 {
    if write_all(hello_to, &hello.to_bytes()).is_err() {
        return 3;
    }
    let mut b = [0u8; 1];
    loop {
        match nix::unistd::read(from.as_raw_fd(), &mut b) {
            Ok(0) => return 0,
            Ok(_) => {
                each();
                if write_all(to, &b).is_err() {
                    return 0; // the other side went away
                }
            }
            Err(Errno::EINTR) => continue,
            Err(_) => return 2,
        }
    }
}

/// Writes all of `buf`, retrying on EINTR; allocation-free (safe in a forked child).
pub(crate) fn write_all(fd: BorrowedFd<'_>, mut buf: &[u8]) -> std::result::Result<(), Errno> {
    while !buf.is_empty() {
        match nix::unistd::write(fd, buf) {
            Ok(0) => return Err(Errno::EPIPE),
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes, waiting at most `timeout` for each to arrive.
pub(crate) fn read_exact_timeout(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    timeout: Duration,
    what: &str,
) -> Result<()> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let deadline = Instant::now() + timeout;
    let mut got = 0;
    while got < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(&mut fds, ms) {
            Ok(0) => {
                return Err(Error::Stalled {
                    peer: what.to_string(),
                    waited: timeout,
                })
            }
            Ok(_) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(Error::sys(format!("poll for {what}"), e)),
        }
        match nix::unistd::read(fd.as_raw_fd(), &mut buf[got..]) {
            Ok(0) => {
                return Err(Error::PeerDied {
                    peer: what.to_string(),
                    how: "its end of the pipe closed".into(),
                })
            }
            Ok(n) => got += n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(Error::sys(format!("read from {what}"), e)),
        }
    }
    Ok(())
}
