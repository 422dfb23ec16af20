//! The driver's loops of pipe round trips, shared by the pipe and eventfd harnesses.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use super::*;

/// The driver's side of `iters` pipe round trips: run `each` (work between switches, or
/// nothing), write a byte to `to`, read it back from `from`; returns the wall time. The
/// loop holds the two system calls and nothing else (the same instructions for a process
/// and a thread peer): a peer that ends closes its end (end-of-file), and a wait that the
/// watchdog interrupts returns EINTR, after which `alarm` says whether to leave.
pub(crate) fn pipe_round_trips(
    to: BorrowedFd<'_>,
    from: BorrowedFd<'_>,
    iters: u64,
    alarm: watchdog::Alarm<'_>,
    each: impl FnMut(),
) -> std::result::Result<Duration, watchdog::Stop> {
    let ends = Ends {
        to,
        from,
        names: ("write to a pipe", "read from a pipe"),
    };
    write_read_round_trips(ends, [0u8; 1], iters, alarm, each)
}

/// The driver's two descriptors of a write-then-read round trip, and what to call a
/// failure of each.
pub(crate) struct Ends<'a> {
    pub(crate) to: BorrowedFd<'a>,
    pub(crate) from: BorrowedFd<'a>,
    pub(crate) names: (&'static str, &'static str),
}

/// `iters` round trips of writing `msg` (N bytes) to `to` and reading N bytes back from
/// `from`, running `each` before each: the timed loop of every pipe and eventfd harness,
/// two system calls per round trip and nothing else. End-of-file (or a short transfer)
/// means the other side ended; a wait the watchdog interrupts returns EINTR, after which
/// `alarm` says whether to leave.
pub(crate) fn write_read_round_trips<const N: usize>(
    ends: Ends<'_>,
    msg: [u8; N],
    iters: u64,
    alarm: watchdog::Alarm<'_>,
    mut each: impl FnMut(),
) -> std::result::Result<Duration, watchdog::Stop> {
    use watchdog::Stop;
    let mut b = [0u8; N];
    let (to, from) = (ends.to, ends.from.as_raw_fd());
    let start = Instant::now();
    for _ in 0..iters {
        each();
        loop {
            match nix::unistd::write(to, &msg) {
                Ok(n) if n == N => break,
                Ok(_) | Err(Errno::EPIPE) => return Err(Stop::Closed),
                Err(Errno::EINTR) if alarm.keep_waiting() => continue,
                Err(Errno::EINTR) => return Err(Stop::Poked),
                Err(e) => return Err(Stop::Sys(ends.names.0, e)),
            }
        }
        loop {
            match nix::unistd::read(from, &mut b) {
                Ok(n) if n == N => break,
                Ok(_) => return Err(Stop::Closed),
                Err(Errno::EINTR) if alarm.keep_waiting() => continue,
                Err(Errno::EINTR) => return Err(Stop::Poked),
                Err(e) => return Err(Stop::Sys(ends.names.1, e)),
            }
        }
    }
    Ok(start.elapsed())
}
