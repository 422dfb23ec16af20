//! The watchdog process's side (see [`super::watchdog`]): its loop, and the words it
//! shares with the driver. Everything here runs in a forked child: allocation-free.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::peer::Task;
use crate::sys;

/// How often the watchdog looks at the driver's progress (a peer's death is seen at once).
const TICK: Duration = Duration::from_millis(100);

/// The most peers one watchdog guards (a ring's members).
pub const MAX_PEERS: usize = 64;

// Word indexes in the shared mapping.
pub(crate) const ACTIVE: usize = 0;
pub(crate) const FIRED: usize = 1;
pub(crate) const WHO: usize = 2;

// What FIRED holds.
pub(crate) const QUIET: u32 = 0;
pub(crate) const DIED: u32 = 1;
pub(crate) const STALLED: u32 = 2;

/// What the watchdog reads, during a batch, as progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The driver's switches: a driver that blocks in its mechanism switches at every
    /// round trip.
    DriverSwitches,
    /// The last peer's time on its CPU: a pair that spins never switches, but a peer that
    /// runs accrues time.
    PeerRunTime,
}

impl Progress {
    /// The task whose `schedstat` it reads, of `me` (the driver) and `peers`.
    pub(crate) fn task<'a>(self, me: &'a Task, peers: &'a [Task]) -> &'a Task {
        match self {
            Progress::DriverSwitches => me,
            Progress::PeerRunTime => peers.last().unwrap_or(me),
        }
    }

    /// The field of `schedstat` (`<ns on CPU> <ns waiting> <timeslices>`) it reads.
    pub(crate) fn schedstat_field(self) -> usize {
        match self {
            Progress::DriverSwitches => 2,
            Progress::PeerRunTime => 0,
        }
    }
}

/// The watchdog process's state; everything in it was prepared before the fork.
#[derive(Clone, Copy)]
pub(crate) struct Watch<'a> {
    pub(crate) words: &'a [AtomicU32],
    pub(crate) pidfds: &'a [RawFd],
    pub(crate) kills: &'a [i32],
    pub(crate) driver: Task,
    pub(crate) progress: RawFd,
    /// The field of the `progress` schedstat read: 2 for switches, 0 for time on CPU.
    pub(crate) progress_field: usize,
    pub(crate) alarm: RawFd,
    pub(crate) stall: Duration,
}

impl Watch<'_> {
    /// The watchdog's loop; allocation-free. Runs until it is killed.
    pub(crate) fn run(self) -> i32 {
        let mut fds = [-1 as RawFd; MAX_PEERS];
        fds[..self.pidfds.len()].copy_from_slice(self.pidfds);
        let fds = &mut fds[..self.pidfds.len()];
        let w = self.words;
        let mut last = self.progress();
        let mut since = Instant::now();
        loop {
            let ready = match sys::poll_readable(fds, TICK) {
                Ok(r) => r,
                Err(_) => {
                    // Never spin: wait the tick a failed poll did not.
                    std::thread::sleep(TICK);
                    None
                }
            };
            let active = w[ACTIVE].load(Ordering::Acquire) != 0;
            if let Some(i) = ready {
                // Poll that one no more; the first death is the one reported.
                fds[i] = -1;
                if w[FIRED].load(Ordering::Relaxed) == QUIET {
                    w[WHO].store(i as u32, Ordering::Relaxed);
                    self.fire(DIED);
                }
            }
            let now = self.progress();
            if !active || now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= self.stall && w[FIRED].load(Ordering::Relaxed) == QUIET {
                for &pid in self.kills.iter().filter(|&&p| p != 0) {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
                self.fire(STALLED);
            }
            if active && w[FIRED].load(Ordering::Acquire) != QUIET {
                // Again every tick: a poke that lands between two waits wakes nothing.
                let _ = sys::tgkill(self.driver.pid, self.driver.tid, sys::SIGPOKE);
            }
        }
    }

    fn fire(&self, why: u32) {
        self.words[FIRED].store(why, Ordering::Release);
        if self.alarm >= 0 {
            let _ = sys::write_raw(self.alarm, &[1u8]);
        }
    }

    /// The watched task's progress: the driver thread's switch count (schedstat's third
    /// field: times it was switched in), or a spinning peer's time on its CPU (the first),
    /// as `progress_field` says; 0 when it cannot be read.
    fn progress(&self) -> u64 {
        let mut buf = [0u8; 96];
        let n = sys::pread0(self.progress, &mut buf).unwrap_or(0);
        parse_schedstat_field(&buf[..n], self.progress_field).unwrap_or(0)
    }
}

/// The `field`-th number (from 0) of a `schedstat` line (`<ns on CPU> <ns waiting>
/// <timeslices>`).
fn parse_schedstat_field(text: &[u8], field: usize) -> Option<u64> {
    text.split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
        .nth(field)
        .and_then(|f| std::str::from_utf8(f).ok()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn schedstat_runs_is_the_third_field() {
        assert_eq!(parse_schedstat_field(b"311953 114851 3\n", 2), Some(3));
        assert_eq!(parse_schedstat_field(b"311953 114851 3\n", 0), Some(311953));
        assert_eq!(parse_schedstat_field(b"1 2\n", 2), None);
        assert_eq!(parse_schedstat_field(b"", 0), None);
    }

    #[test]
    fn own_schedstat_is_readable() {
        let f = std::fs::File::open("/proc/thread-self/schedstat").unwrap();
        let mut buf = [0u8; 96];
        let n = sys::pread0(f.as_raw_fd(), &mut buf).unwrap();
        let a = parse_schedstat_field(&buf[..n], 2).unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let n = sys::pread0(f.as_raw_fd(), &mut buf).unwrap();
        assert!(
            parse_schedstat_field(&buf[..n], 2).unwrap() > a,
            "a sleep is a switch"
        );
    }
}
