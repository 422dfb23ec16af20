//! Ping-pong harnesses: two tasks that hand control to each other, set up once and timed
//! over any number of batches.
//!
//! One *round trip* is: the driver (the calling thread) wakes the peer and sleeps; the
//! peer wakes the driver and sleeps. On one CPU that is exactly two context switches.
//!
//! ```no_run
//! use ctxbench::harness;
//! use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};
//!
//! let spec = PingPongSpec {
//!     participants: Participants::Process,
//!     mechanism: Mechanism::Pipe,
//!     placement: Placement::SameCpu(0),
//! };
//! let mut h = harness::build(&spec).unwrap();
//! let elapsed = h.run(10_000).unwrap();
//! println!("{:.0} ns per round trip", elapsed.as_nanos() as f64 / 10_000.0);
//! ```

pub mod cacheline;
pub mod condvar;
pub mod cross;
pub mod eventfd;
pub mod futex;
pub mod futex_ring;
pub mod guard;
pub mod idle;
pub mod isolation;
mod link;
pub mod peer;
pub mod pipe;
pub mod policy;
pub mod regs;
pub mod ring;
mod stamps;
pub mod target;
mod waker;
mod watch;
pub mod watchdog;
pub mod workset;

#[cfg(test)]
mod liveness_tests;

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;

pub use peer::{Peer, Task};
pub use stamps::Stamps;

use crate::cpus::{pin_raw, AffinityGuard};
use crate::error::{Error, Result};

use crate::spec::{Mechanism, Participants, PingPongSpec, Placement};

pub use watchdog::{set_stall_limit, stall_limit, STALL_LIMIT};

/// How long set-up waits for a new peer to say hello.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

/// Round trips run once at set-up, before any batch is timed.
pub const WARMUP_ROUND_TRIPS: u64 = 200;

/// A set-up benchmark that can run timed batches.
///
/// A harness pins the thread that builds it and restores that thread's affinity when
/// dropped; it must be run on that thread (it is not `Send`).
pub trait Harness {
    /// Runs `iters` iterations (round trips) and returns the wall time (CLOCK_MONOTONIC).
    fn run(&mut self, iters: u64) -> Result<Duration>;

    /// Runs `iters` iterations, marking `stamps` right before each: the latency-tails
    /// pass, where each round trip is timed alone (see [`crate::measure::tails`]). This
    /// loop reads the clock once per iteration, which the batches of
    /// [`run`](Harness::run) never do, so the two are separate passes. The default calls
    /// `run(1)` per iteration, which adds a call and the watchdog's batch marks to each;
    /// the ping-pong harnesses run their own loop with the mark inside instead.
    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        for _ in 0..iters {
            stamps.mark();
            self.run(1)?;
        }
        Ok(())
    }

    /// The driving side: the participants, where they run, and the switches an iteration
    /// makes.
    fn driver(&self) -> &Driver;

    /// Every task taking part, the driver first: what switch counters must cover.
    fn tasks(&self) -> &[Task] {
        &self.driver().tasks
    }

    /// The CPU each task reported it runs on after pinning (driver first); `None` for an
    /// unpinned task.
    fn cpus_seen(&self) -> &[Option<usize>] {
        &self.driver().cpus_seen
    }

    /// The scheduling policy the participants run under (`SCHED_FIFO`, `SCHED_BATCH`), or
    /// `None` for the default policy.
    fn policy(&self) -> Option<&'static str> {
        self.driver().policy.map(policy::policy_name)
    }

    /// Context switches one iteration makes when every participant shares one CPU, or
    /// `None` when the placement gives no such expectation.
    fn expected_switches_per_iter(&self) -> Option<f64> {
        self.driver().expected
    }

    /// True when one iteration alone lasts about a millisecond or more (a 1 MiB read by
    /// PEEKDATA, word by word): the sampler then starts its calibration at one iteration,
    /// lets a sample, or the counted run, hold fewer than 10, and takes only as many
    /// samples (5 at least) as fit in the time all of them would normally take.
    fn slow_iterations(&self) -> bool {
        false
    }
}

impl<H: Harness + ?Sized> Harness for Box<H> {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        (**self).run(iters)
    }

    fn run_stamped(&mut self, iters: u64, stamps: &mut Stamps) -> Result<()> {
        (**self).run_stamped(iters, stamps)
    }

    fn driver(&self) -> &Driver {
        (**self).driver()
    }

    fn slow_iterations(&self) -> bool {
        (**self).slow_iterations()
    }
}

/// Builds and warms up the harness for `spec`.
pub fn build(spec: &PingPongSpec) -> Result<Box<dyn Harness>> {
    let mut h: Box<dyn Harness> = match (spec.participants, spec.mechanism) {
        (p, Mechanism::Pipe) => Box::new(pipe::PipePingPong::new(p, spec.placement)?),
        (p, Mechanism::Futex) => Box::new(futex::FutexPingPong::new(p, false, spec.placement)?),
        (Participants::Thread, Mechanism::FutexShared) => Box::new(futex::FutexPingPong::new(
            Participants::Thread,
            true,
            spec.placement,
        )?),
        (Participants::Process, Mechanism::FutexShared) => {
            return Err(Error::InvalidInput(
                "process-futex-shared is not a harness: process-futex already uses the \
                 shared futex operations"
                    .into(),
            ))
        }
        (p, Mechanism::Eventfd) => Box::new(eventfd::EventfdPingPong::new(p, spec.placement)?),
        (Participants::Thread, Mechanism::Condvar) => {
            Box::new(condvar::CondvarPingPong::new(spec.placement)?)
        }
        (Participants::Process, Mechanism::Condvar) => {
            return Err(Error::InvalidInput(
                "process-condvar is not a harness: a condvar between processes needs a \
                 process-shared pthread condvar; use process-futex for the same mechanism"
                    .into(),
            ))
        }
    };
    h.run(WARMUP_ROUND_TRIPS)?;
    Ok(h)
}

/// What the driver side of every harness holds: its affinity guard, every participating
/// task (its own first), the CPUs they reported, and the switches one iteration makes
/// (two per round trip on one CPU unless the harness says otherwise).
pub struct Driver {
    pub(crate) tasks: Vec<Task>,
    pub(crate) cpus_seen: Vec<Option<usize>>,
    pub(crate) placement: Placement,
    pub(crate) expected: Option<f64>,
    /// The scheduling policy every participant runs under, where the harness sets one.
    pub(crate) policy: Option<crate::sys::SchedPolicy>,
    affinity: AffinityGuard,
    // A harness is tied to the thread that pinned itself.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Driver {
    /// Saves this thread's affinity, pins it where the placement says, and checks it.
    pub(crate) fn pin(placement: Placement) -> Result<Self> {
        let affinity = AffinityGuard::save()?;
        let seen = match placement.driver_cpu() {
            Some(cpu) => {
                crate::cpus::pin_current_thread(cpu)?;
                Some(cpu)
            }
            None => None,
        };
        let expected = match placement {
            Placement::SameCpu(_) => Some(2.0),
            _ => None,
        };
        Ok(Self {
            tasks: vec![Task::current()],
            cpus_seen: vec![seen],
            placement,
            expected,
            policy: None,
            affinity,
            _not_send: std::marker::PhantomData,
        })
    }

    /// Records `peer`, which said `hello`, checking its CPU against the placement.
    pub(crate) fn add_peer(&mut self, peer: &Peer, hello: PeerHello, name: &str) -> Result<()> {
        self.add_task(peer.task(hello.tid), hello, name)
    }

    /// Reads the hello of `peer` from `hello_from`, records the peer, and starts the
    /// watchdog that guards it: the end of every pipe or eventfd harness's set-up.
    pub(crate) fn welcome(
        &mut self,
        peer: &Peer,
        hello_from: &impl AsFd,
        name: &str,
    ) -> Result<watchdog::Watchdog> {
        let hello = read_hello(hello_from, name)?;
        self.add_peer(peer, hello, name)?;
        watchdog::Watchdog::start(name, self)
    }

    /// Records the task that said `hello`, checking its CPU against the placement.
    pub(crate) fn add_task(&mut self, task: Task, hello: PeerHello, name: &str) -> Result<()> {
        let cpu = hello.check(self.placement.peer_cpu(), name)?;
        self.tasks.push(task);
        self.cpus_seen.push(self.placement.peer_cpu().map(|_| cpu));
        Ok(())
    }

    /// CPUs a helper thread (the watchdog) may use without disturbing the measured ones:
    /// this thread's mask before pinning, less the CPUs of the placement.
    pub(crate) fn spare_cpus(&self) -> (Vec<usize>, Vec<usize>) {
        (self.affinity.cpus(), self.placement.cpus())
    }

    /// Records the scheduling policy the participants run under.
    pub(crate) fn under(mut self, policy: crate::sys::SchedPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Sets the switches one iteration makes where it is not a ping-pong round trip (a
    /// ring lap: n; a floor: 0; a creation: none fixed).
    pub(crate) fn expecting(mut self, switches: Option<f64>) -> Self {
        self.expected = switches;
        self
    }
}

/// What a peer reports once it is set up: the CPU it runs on, or why pinning failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerHello {
    /// CPU number, or `u32::MAX - errno` when pinning failed.
    pub(crate) cpu: u32,
    /// The peer's thread id.
    pub(crate) tid: u32,
}

impl PeerHello {
    /// Pins the calling (peer) thread if asked to and builds its hello; allocation-free.
    pub(crate) fn pin(cpu: Option<usize>) -> Self {
        let res = match cpu {
            Some(c) => pin_raw(c),
            None => nix::sched::sched_getcpu().map_err(|e| e as i32),
        };
        PeerHello {
            cpu: match res {
                Ok(c) => c as u32,
                Err(errno) => u32::MAX - errno as u32,
            },
            tid: nix::unistd::gettid().as_raw() as u32,
        }
    }

    /// Puts the calling (peer) thread under `policy`; a refusal is reported like a pinning
    /// failure, so the driver refuses the harness. Allocation-free.
    pub(crate) fn under(mut self, policy: crate::sys::SchedPolicy) -> Self {
        if let Err(e) = crate::sys::set_sched_policy(policy) {
            self.cpu = u32::MAX - e.raw_os_error().unwrap_or(libc::EINVAL) as u32;
        }
        self
    }

    pub(crate) fn to_bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&self.cpu.to_le_bytes());
        b[4..].copy_from_slice(&self.tid.to_le_bytes());
        b
    }

    pub(crate) fn from_bytes(b: [u8; 8]) -> Self {
        PeerHello {
            cpu: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            tid: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    fn check(self, expected: Option<usize>, name: &str) -> Result<usize> {
        if self.cpu > u32::MAX - 4096 {
            let errno = Errno::from_raw((u32::MAX - self.cpu) as i32);
            return Err(Error::sys(
                format!("pinning the peer {name} to CPU {expected:?}"),
                errno,
            ));
        }
        let cpu = self.cpu as usize;
        match expected {
            Some(e) if e != cpu => Err(Error::WrongCpu {
                who: format!("the peer {name}"),
                expected: e,
                actual: cpu,
            }),
            _ => Ok(cpu),
        }
    }
}

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

/// Reads a peer's hello from `fd`.
pub(crate) fn read_hello(fd: &impl AsFd, what: &str) -> Result<PeerHello> {
    let mut b = [0u8; 8];
    read_exact_timeout(fd.as_fd(), &mut b, HELLO_TIMEOUT, what)?;
    Ok(PeerHello::from_bytes(b))
}

/// Receives a peer thread's hello from a channel, within [`HELLO_TIMEOUT`].
pub(crate) fn read_hello_channel(
    rx: &std::sync::mpsc::Receiver<PeerHello>,
    what: &str,
) -> Result<PeerHello> {
    rx.recv_timeout(HELLO_TIMEOUT).map_err(|e| match e {
        std::sync::mpsc::RecvTimeoutError::Timeout => Error::Stalled {
            peer: what.to_string(),
            waited: HELLO_TIMEOUT,
        },
        std::sync::mpsc::RecvTimeoutError::Disconnected => Error::PeerDied {
            peer: what.to_string(),
            how: "it ended before saying hello".into(),
        },
    })
}

/// Serialises tests (and anything else) that run harnesses in one process: two ping-pongs
/// sharing a CPU would disturb each other's switch counts. Poisoning is ignored.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// For tests on a shared machine: runs `attempt` on each allowed CPU, a few times each,
/// until one attempt passes; panics with every failure otherwise. Other programs' tasks
/// waking on a CPU preempt a pinned benchmark (extra, involuntary switches), so a count
/// check must be allowed an undisturbed attempt; a harness that is wrong fails them all.
#[cfg(test)]
pub(crate) fn retry_on_cpus(mut attempt: impl FnMut(usize) -> std::result::Result<(), String>) {
    let mut failures = Vec::new();
    for cpu in crate::cpus::allowed_cpus().expect("allowed CPUs") {
        for _ in 0..8 {
            match attempt(cpu) {
                Ok(()) => return,
                Err(e) => failures.push(format!("CPU {cpu}: {e}")),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    panic!("no attempt passed:\n{}", failures.join("\n"));
}

/// Panics, naming `what`, unless this process has `kids` children again (for tests that
/// check a harness left nothing behind).
#[cfg(test)]
pub(crate) fn assert_children(kids: usize, what: &str) {
    assert_eq!(children_of_me(), kids, "{what} was left behind");
}

/// How many children this process has right now, over all its threads (for tests that
/// check nothing is left behind).
#[cfg(test)]
pub(crate) fn children_of_me() -> usize {
    let me = std::process::id();
    std::fs::read_dir(format!("/proc/{me}/task"))
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .map(|s| s.split_whitespace().count())
        .sum()
}

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
