//! `ring/<participants>-pipe/<n>`: n tasks on one CPU pass a one-byte token around a ring
//! of pipes. One lap is n hand-overs, so n context switches.
//!
//! Participant 0 is the driver (the calling thread); participant k (1..n) reads the token
//! from pipe k-1 and writes it to pipe k; the driver writes pipe 0 and reads pipe n-1.
//! With processes, every hand-over changes the address space, so a ring of n processes
//! cycles through n address spaces per lap: that is what exposes the per-CPU limit on
//! address-space ids (PCID on x86, 6 slots per CPU in Linux), past which every switch is a
//! full TLB flush. Threads share one address space at every n.
//!
//! Every participant runs under the exact hand-over policy ([`super::policy`]): each
//! hand-over is the sender blocking on its next read, and a lap is exactly n switches.
//!
//! Breaking the ring breaks every link: a dead peer closes its pipe ends, so its reader
//! sees end-of-file and leaves too, down the ring to the driver, whose read ends with
//! end-of-file at once; a member that stops answering is caught by the [`Watchdog`]. When
//! the driver drops the ring, it closes pipe 0 and the peers leave the same way (children
//! are also killed and reaped by their guards).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Duration;

use super::peer::{ChildGuard, Peer, Task, ThreadGuard};
use super::policy::PolicyGuard;
use super::watchdog::{Alarm, Stop, Watchdog};
use super::{pipe, pipe_round_trips, read_hello, relay_bytes, Driver, Harness, PeerHello};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};
use crate::sys;

/// The smallest ring: two participants (a ping-pong).
pub const MIN_RING: usize = 2;
/// The largest ring accepted (each participant is a process or thread pinned to one CPU).
pub const MAX_RING: usize = 64;

/// Checks a ring size before anything forks.
pub fn check_ring_size(n: usize) -> Result<()> {
    if !(MIN_RING..=MAX_RING).contains(&n) {
        return Err(Error::InvalidInput(format!(
            "a ring of {n} participants is not possible: ring sizes must be between \
             {MIN_RING} and {MAX_RING} (e.g. --ring-sizes 2,4,8,16)"
        )));
    }
    Ok(())
}

/// What every ring holds besides its channels: the peers, the driver, the exact
/// hand-over policy and, once every member has said hello, the watchdog.
pub(super) struct RingCore {
    pub(super) peers: Vec<Peer>,
    pub(super) n: usize,
    pub(super) driver: Driver,
    _policy: PolicyGuard,
    watchdog: Option<Watchdog>,
}

impl RingCore {
    /// Checks the size, pins the driver to `cpu` expecting n switches a lap (every
    /// participant gives up the CPU once) and switches to the exact hand-over policy.
    pub(super) fn start(n: usize, cpu: usize) -> Result<(Driver, PolicyGuard)> {
        check_ring_size(n)?;
        let driver = Driver::pin(Placement::SameCpu(cpu))?.expecting(Some(n as f64));
        let policy = PolicyGuard::exact_hand_over()?;
        let driver = driver.under(policy.chosen());
        Ok((driver, policy))
    }

    /// The ring's members before the watchdog starts.
    pub(super) fn new(peers: Vec<Peer>, n: usize, driver: Driver, policy: PolicyGuard) -> Self {
        Self {
            peers,
            n,
            driver,
            _policy: policy,
            watchdog: None,
        }
    }

    /// Starts the watchdog, once every member has said hello.
    pub(super) fn watch(&mut self, name: &str) -> Result<()> {
        self.watchdog = Some(Watchdog::start(name, &self.driver)?);
        Ok(())
    }

    /// Runs one timed batch under the watchdog.
    pub(super) fn guarded(
        &mut self,
        f: impl FnOnce(Alarm<'_>) -> std::result::Result<Duration, Stop>,
    ) -> Result<Duration> {
        let watchdog = self.watchdog.as_ref().expect("started in new");
        watchdog.guarded(&mut self.peers, f)
    }
}

/// A ring of n participants (the driver and n-1 peers) on one CPU.
pub struct PipeRing {
    // Field order matters: the pipe ends drop (close) before the peers are joined or
    // reaped, so peer threads leave on end-of-file.
    to_next: OwnedFd,
    from_last: OwnedFd,
    core: RingCore,
}

/// A ring peer's loop: say hello, then pass every byte on until end-of-file.
/// Allocation-free, so it may run in a forked child. Returns the exit code.
fn relay_loop(
    from_prev: &OwnedFd,
    to_next: &OwnedFd,
    hello_to: &OwnedFd,
    cpu: usize,
    policy: sys::SchedPolicy,
) -> i32 {
    let hello = PeerHello::pin(Some(cpu)).under(policy);
    relay_bytes(
        hello,
        hello_to.as_fd(),
        (from_prev.as_fd(), to_next.as_fd()),
        || {},
    )
}

/// What ring member `k` is started with: it reads pipe k-1 and writes pipe k.
struct Member<'a> {
    k: usize,
    cpu: usize,
    policy: sys::SchedPolicy,
    hello: &'a OwnedFd,
    name: &'a str,
}

impl Member<'_> {
    /// Forks or spawns the member. A process borrows its two pipe ends (the driver closes
    /// its copies later); a thread takes them.
    fn spawn(
        &self,
        participants: Participants,
        reads: &mut [Option<OwnedFd>],
        writes: &mut [Option<OwnedFd>],
    ) -> Result<Peer> {
        let (k, cpu, chosen) = (self.k, self.cpu, self.policy);
        let name = format!("{} {k}", self.name);
        match participants {
            Participants::Process => {
                let from_prev = reads[k - 1].as_ref().expect("read end present");
                let to_next = writes[k].as_ref().expect("write end present");
                let hello_w = self.hello;
                let keep = [
                    from_prev.as_raw_fd(),
                    to_next.as_raw_fd(),
                    hello_w.as_raw_fd(),
                ];
                // SAFETY: `relay_loop` reads and writes pipe ends it borrows, and allocates,
                // locks and frees nothing.
                #[allow(unsafe_code)]
                let child = unsafe {
                    ChildGuard::spawn(&name, &keep, || {
                        relay_loop(from_prev, to_next, hello_w, cpu, chosen)
                    })
                }?;
                Ok(Peer::Process(child))
            }
            Participants::Thread => {
                let from_prev = reads[k - 1].take().expect("read end present");
                let to_next = writes[k].take().expect("write end present");
                let hello = self
                    .hello
                    .try_clone()
                    .map_err(|e| Error::sys("dup of the hello pipe", e))?;
                let handle = std::thread::Builder::new()
                    .name(format!("ctxbench-ring-{k}"))
                    .spawn(move || {
                        relay_loop(&from_prev, &to_next, &hello, cpu, chosen);
                    })
                    .map_err(|e| Error::sys("spawning a ring thread", e))?;
                // Each thread leaves on end-of-file, down the ring from the driver.
                Ok(Peer::Thread(ThreadGuard::new(
                    &name,
                    handle,
                    Box::new(|| {}),
                )))
            }
        }
    }
}

impl PipeRing {
    /// Sets up a ring of `n` participants pinned to `cpu`; the caller warms it up.
    pub fn new(participants: Participants, n: usize, cpu: usize) -> Result<Self> {
        let (driver, policy) = RingCore::start(n, cpu)?;
        let chosen = policy.chosen();
        // pipes[k] carries the token from participant k to participant k+1 (mod n).
        let mut reads: Vec<Option<OwnedFd>> = Vec::with_capacity(n);
        let mut writes: Vec<Option<OwnedFd>> = Vec::with_capacity(n);
        for _ in 0..n {
            let (r, w) = pipe()?;
            reads.push(Some(r));
            writes.push(Some(w));
        }
        let (hello_r, hello_w) = pipe()?;
        let name = format!("{participants}-pipe ring peer");
        let mut peers = Vec::with_capacity(n - 1);
        let mut pids = Vec::with_capacity(n - 1);
        let spawned = (1..n).try_for_each(|k| {
            let ends = Member {
                k,
                cpu,
                policy: chosen,
                hello: &hello_w,
                name: &name,
            };
            let peer = ends.spawn(participants, &mut reads, &mut writes)?;
            if let Peer::Process(c) = &peer {
                pids.push(c.pid().as_raw());
            }
            peers.push(peer);
            Ok::<(), Error>(())
        });
        if let Err(e) = spawned {
            // Close every pipe end first: each peer thread then reads end-of-file, down
            // the ring, so the guards' joins return.
            drop(reads);
            drop(writes);
            drop(hello_w);
            drop(peers);
            return Err(e);
        }
        // Keep only the driver's ends: a dead participant must mean end-of-file downstream.
        let to_next = writes[0].take().expect("driver write end");
        let from_last = reads[n - 1].take().expect("driver read end");
        drop(reads);
        drop(writes);
        drop(hello_w);
        let mut me = Self {
            to_next,
            from_last,
            core: RingCore::new(peers, n, driver, policy),
        };
        let pid = nix::unistd::getpid().as_raw();
        for _ in 1..n {
            let hello = match read_hello(&hello_r, &name) {
                Ok(h) => h,
                Err(e) => return Err(me.ring_broken().unwrap_or(e)),
            };
            let tid = hello.tid as i32;
            let task = match participants {
                Participants::Process if pids.contains(&tid) => Task { pid: tid, tid },
                Participants::Process => {
                    return Err(Error::InvalidInput(format!(
                        "ring hello from unknown task {tid}"
                    )))
                }
                Participants::Thread => Task { pid, tid },
            };
            me.core.driver.add_task(task, hello, &name)?;
        }
        me.core.watch(&name)?;
        Ok(me)
    }

    /// Participants in the ring, the driver included.
    pub fn len(&self) -> usize {
        self.core.n
    }

    /// Always false: a ring has at least two participants.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The first peer found dead, if any.
    fn ring_broken(&mut self) -> Option<Error> {
        self.core.peers.iter_mut().find_map(|p| p.check().err())
    }
}

impl Harness for PipeRing {
    /// Runs `iters` laps of the token.
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let (to, from) = (self.to_next.as_fd(), self.from_last.as_fd());
        self.core
            .guarded(|alarm| pipe_round_trips(to, from, iters, alarm, || {}))
    }

    fn driver(&self) -> &Driver {
        &self.core.driver
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn ring_sizes_are_checked() {
        assert!(check_ring_size(1).unwrap_err().is_usage());
        assert!(check_ring_size(65)
            .unwrap_err()
            .to_string()
            .contains("between 2 and 64"));
        assert!(check_ring_size(2).is_ok() && check_ring_size(64).is_ok());
    }

    fn cpu() -> usize {
        crate::cpus::allowed_cpus().unwrap()[0]
    }

    #[test]
    fn a_lap_is_n_switches() {
        laps_are_n_switches("pipe ring", PipeRing::new);
    }

    /// Kills the third member of a running process ring `h` and checks that the next run
    /// fails at once, saying the member ended.
    pub(in crate::harness) fn a_dead_member_ends_the_run(h: &mut impl Harness) {
        let victim = nix::unistd::Pid::from_raw(h.tasks()[2].pid);
        nix::sys::signal::kill(victim, nix::sys::signal::Signal::SIGKILL).unwrap();
        let t = Instant::now();
        let e = h.run(1_000_000).unwrap_err();
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "took {:?}",
            t.elapsed()
        );
        assert!(e.to_string().contains("ended during the run"), "{e}");
    }

    /// Checks, for process and thread rings of 3 and 8 made by `new`, that every member
    /// is pinned where asked and that a lap makes n switches. A lap is exactly n switches
    /// under `SCHED_FIFO` alone (see [`crate::harness::policy`]): where this process may
    /// not have it (not root, no `RLIMIT_RTPRIO`), the rings run under `SCHED_BATCH`,
    /// which is checked instead, and the laps are skipped, saying why.
    pub(in crate::harness) fn laps_are_n_switches<H: Harness>(
        what: &str,
        new: impl Fn(Participants, usize, usize) -> Result<H>,
    ) {
        let _x = crate::harness::exclusive();
        let policy = new(Participants::Thread, 2, cpu()).unwrap().policy();
        if policy != Some(crate::spec::Policy::Fifo) {
            assert_eq!(policy, Some(crate::spec::Policy::Batch));
            eprintln!("skipped: {what} laps: SCHED_FIFO is not permitted here, and a lap under {policy:?} is not exactly n switches");
            return;
        }
        for p in [Participants::Process, Participants::Thread] {
            for n in [3, 8] {
                crate::harness::retry_on_cpus(|cpu| {
                    let mut h = new(p, n, cpu).unwrap();
                    assert_eq!(h.tasks().len(), n);
                    assert!(h.cpus_seen().iter().all(|c| *c == Some(cpu)));
                    assert_eq!(h.expected_switches_per_iter(), Some(n as f64));
                    h.run(50).unwrap();
                    let c = crate::measure::count_switches(&mut h, 200).unwrap();
                    if (c.per_iter - n as f64).abs() <= 0.1 * n as f64 {
                        Ok(())
                    } else {
                        Err(format!("{p} {what} of {n}: {c:?} switches per lap"))
                    }
                });
            }
        }
    }

    #[test]
    fn a_dead_peer_breaks_the_ring_quickly_and_all_are_reaped() {
        let _x = crate::harness::exclusive();
        let before = crate::harness::children_of_me();
        let mut h = PipeRing::new(Participants::Process, 5, cpu()).unwrap();
        h.run(10).unwrap();
        // Four ring members and the watchdog.
        assert_eq!(crate::harness::children_of_me(), before + 5);
        a_dead_member_ends_the_run(&mut h);
        drop(h);
        assert_eq!(crate::harness::children_of_me(), before);
        // Threads leave too when the ring drops.
        let h = PipeRing::new(Participants::Thread, 4, cpu()).unwrap();
        drop(h);
    }

    /// Waits (briefly) for this process to hold exactly `want` descriptors: tests running
    /// alongside may hold a file open for a moment.
    fn fds_settle_at(want: usize) -> std::result::Result<(), usize> {
        let mut got = 0;
        for _ in 0..100 {
            got = std::fs::read_dir("/proc/self/fd").unwrap().count();
            if got == want {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(got)
    }

    #[test]
    fn rings_leak_no_descriptor() {
        let _x = crate::harness::exclusive();
        // The fewest descriptors seen over a moment: not counting a file another test has
        // open right now.
        let before = (0..5)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(5));
                std::fs::read_dir("/proc/self/fd").unwrap().count()
            })
            .min()
            .unwrap();
        for p in [Participants::Process, Participants::Thread] {
            for n in [2, 5, 16] {
                let mut h = PipeRing::new(p, n, cpu()).unwrap();
                h.run(5).unwrap();
                if p == Participants::Process {
                    // The driver keeps its two ring ends only.
                    assert_eq!(fds_settle_at(before + 2), Ok(()), "{p} ring of {n}");
                }
                drop(h);
                assert_eq!(fds_settle_at(before), Ok(()), "{p} ring of {n} after drop");
            }
        }
    }

    #[test]
    fn policy_is_restored() {
        let _x = crate::harness::exclusive();
        let before = sys::sched_policy().unwrap();
        let h = PipeRing::new(Participants::Thread, 2, cpu()).unwrap();
        let now = sys::sched_policy().unwrap().base();
        assert!(now == libc::SCHED_FIFO || now == libc::SCHED_BATCH, "{now}");
        drop(h);
        assert_eq!(sys::sched_policy().unwrap(), before);
    }
}
