//! Liveness of every harness, process and thread: a killed peer, a stopped (or wedged)
//! peer and a killed watchdog each end a batch with the reason, in bounded time. The
//! timed loops have no timeout, so this is the watchdog's work. Behaviour only.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::futex_ring::FutexRing;
use super::regs::RegsPingPong;
use super::ring::PipeRing;
use super::stop_thread;
use super::workset::{Access, WorksetPingPong};
use super::{Harness, Task};
use crate::error::Error;
use crate::spec::{Mechanism, Participants, PingPongSpec, Placement, RegState};
use crate::sys::testing::end_thread;

/// The stall limit these tests run with.
const STALL: Duration = Duration::from_millis(1500);

/// Builds one kind of harness.
type Build = Box<dyn Fn() -> Box<dyn Harness>>;

/// Every kind of harness that has a peer, as a name and a way to build it.
fn every_harness() -> Vec<(String, Build)> {
    let cpu = crate::cpus::allowed_cpus().unwrap()[0];
    let mut v: Vec<(String, Build)> = Vec::new();
    for &(p, m) in &crate::spec::PINGPONG_HARNESSES {
        let spec = PingPongSpec {
            participants: p,
            mechanism: m,
            placement: Placement::SameCpu(cpu),
        };
        v.push((
            spec.id().to_string(),
            Box::new(move || super::build(&spec).unwrap()),
        ));
    }
    for p in [Participants::Process, Participants::Thread] {
        v.push((
            format!("ring/{p}-pipe/3"),
            Box::new(move || Box::new(PipeRing::new(p, 3, cpu).unwrap()) as Box<dyn Harness>),
        ));
        v.push((
            format!("ring/{p}-futex/3"),
            Box::new(move || Box::new(FutexRing::new(p, 3, cpu).unwrap()) as Box<dyn Harness>),
        ));
        v.push((
            format!("workset/{p}-pipe/4KiB"),
            Box::new(move || {
                Box::new(WorksetPingPong::new(p, 4096, Access::Read, cpu).unwrap())
                    as Box<dyn Harness>
            }),
        ));
        // The register-state ping-pong, with the largest vector state offered here.
        let regs = [RegState::Avx512, RegState::None]
            .into_iter()
            .find(|&s| super::regs::offered(s).is_ok());
        if let Some(s) = regs {
            v.push((
                format!("regs/{p}-futex/{}", s.name()),
                Box::new(move || {
                    Box::new(RegsPingPong::new(p, s, cpu).unwrap()) as Box<dyn Harness>
                }),
            ));
        }
    }
    // The cache-line pair spins on two CPUs (kept out of the first four: its batches are
    // too short to outlast a kill under way).
    if let [a, b, ..] = crate::cpus::allowed_cpus().unwrap()[..] {
        v.push((
            format!("topology/cacheline/{a}-{b}"),
            Box::new(move || {
                Box::new(super::cacheline::CacheLinePingPong::new(a, b).unwrap())
                    as Box<dyn Harness>
            }),
        ));
    }
    v
}

/// The peer under test: the last task (a ring's last member).
fn victim(h: &dyn Harness) -> Task {
    *h.tasks().last().unwrap()
}

fn is_thread(h: &dyn Harness, t: Task) -> bool {
    t.pid == h.tasks()[0].pid
}

/// Ends the peer under test as it would die: SIGKILL for a process, a raw thread exit for
/// a thread (a signal would end the whole process).
fn end_victim(h: &dyn Harness) {
    let t = victim(h);
    if is_thread(h, t) {
        end_thread(t.tid);
    } else {
        kill(Pid::from_raw(t.pid), Signal::SIGKILL).unwrap();
    }
}

/// The watchdog: the child of the driving thread that is not a participant.
fn watchdog_pid(h: &dyn Harness) -> i32 {
    let me = nix::unistd::gettid().as_raw();
    let children = std::fs::read_to_string(format!("/proc/self/task/{me}/children")).unwrap();
    let members: Vec<i32> = h.tasks().iter().map(|t| t.pid).collect();
    let mut found = children
        .split_whitespace()
        .map(|c| c.parse::<i32>().unwrap())
        .filter(|c| !members.contains(c));
    let pid = found.next().expect("a watchdog process");
    assert!(found.next().is_none(), "one watchdog per harness");
    pid
}

/// Waits until process `pid`, sent SIGKILL, has died (a zombie its parent has not reaped
/// yet, or gone): on a busy machine a killed process may wait tens of milliseconds for a
/// CPU to die on.
fn wait_dead(pid: i32) {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The state follows the command name, which is in parentheses.
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        if matches!(state, None | Some('Z' | 'X')) {
            return;
        }
        assert!(
            Instant::now() < end,
            "process {pid} lives 5 s after SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_killed_peer_is_an_error_within_a_second() {
    let _x = super::exclusive();
    super::set_stall_limit(STALL);
    // Every harness at once (see `on_every_harness`).
    for (id, outcome) in on_every_harness(|_, set_up| {
        // On a loaded machine the watchdog may wait for a CPU: a slow notice is tried
        // again; a harness that does not notice at all fails every time.
        let mut slow = Vec::new();
        for _ in 0..3 {
            let mut h = set_up.harness();
            end_victim(h.as_ref());
            let start = Instant::now();
            let e = h.run(u64::MAX).unwrap_err();
            let took = start.elapsed();
            if !matches!(e, Error::PeerDied { .. }) {
                return Err(e.to_string());
            }
            if took < Duration::from_secs(1) {
                return Ok(());
            }
            slow.push(took);
        }
        Err(format!("noticed after {slow:?}"))
    }) {
        outcome.unwrap_or_else(|e| panic!("{id}: {e}"));
    }
}

/// Runs `check` on every harness at once, each on a thread of its own (a harness stays
/// on the thread that built it), and returns what each gave once every thread has ended,
/// and so dropped its harness. What makes these tests slow is waiting: for a stall, and
/// the second a dropped harness waits for a peer thread made to exit where it stood (it
/// never says it finished) before leaving it behind; those waits overlap. The set-ups do
/// not: see [`SetUp`].
fn on_every_harness<T: Send + 'static>(
    check: impl Fn(&str, &SetUp) -> T + Clone + Send + 'static,
) -> Vec<(String, T)> {
    let turn = std::sync::Arc::new(std::sync::Mutex::new(()));
    let threads: Vec<_> = (0..every_harness().len())
        .map(|i| {
            let (check, turn) = (check.clone(), turn.clone());
            std::thread::spawn(move || {
                let (id, build) = every_harness().swap_remove(i);
                let out = check(&id, &SetUp { build, turn });
                (id, out)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// How a test of [`on_every_harness`] gets its harness: built and run for a first batch
/// while no other harness is being set up. A ring or a working set runs under
/// `SCHED_FIFO`, and one lapping starves every other task on its CPU: a harness warming up
/// beside it would see a stall where there is none. Once set up, a harness whose peer is
/// dead or stopped only waits.
struct SetUp {
    build: Build,
    turn: std::sync::Arc<std::sync::Mutex<()>>,
}

impl SetUp {
    /// The harness, set up and through a first batch of 100 round trips.
    fn harness(&self) -> Box<dyn Harness> {
        let _turn = self.turn.lock().unwrap_or_else(|p| p.into_inner());
        let mut h = (self.build)();
        h.run(100).unwrap();
        h
    }
}

#[test]
fn a_stopped_peer_is_an_error_within_the_stall_limit() {
    let _x = super::exclusive();
    super::set_stall_limit(STALL);
    // Every harness at once: one stall limit for them all (see `on_every_harness`).
    for (id, (e, took)) in on_every_harness(|_, set_up| {
        let mut h = set_up.harness();
        let t = victim(h.as_ref());
        // A thread cannot be stopped alone with a signal: a tracer holds it instead.
        let tracer = if is_thread(h.as_ref(), t) {
            Some(stop_thread(t.tid))
        } else {
            kill(Pid::from_raw(t.pid), Signal::SIGSTOP).unwrap();
            None
        };
        let start = Instant::now();
        let e = h.run(u64::MAX).unwrap_err();
        let took = start.elapsed();
        drop(tracer); // lets a held thread go, so it can leave when the harness drops
        drop(h);
        (e, took)
    }) {
        assert!(matches!(e, Error::Stalled { .. }), "{id}: {e}");
        assert!(
            took >= STALL && took < STALL + Duration::from_secs(2),
            "{id}: gave up after {took:?}"
        );
    }
}

#[test]
fn a_killed_watchdog_fails_the_next_batch_and_one_under_way() {
    let _x = super::exclusive();
    super::set_stall_limit(STALL);
    for (id, build) in every_harness() {
        let mut h = build();
        h.run(100).unwrap();
        let wd = watchdog_pid(h.as_ref());
        kill(Pid::from_raw(wd), Signal::SIGKILL).unwrap();
        wait_dead(wd);
        let e = h.run(100).unwrap_err();
        assert!(matches!(e, Error::WatchdogDied { .. }), "{id}: {e}");
    }
    // Killed while a batch runs: that batch fails, at its end.
    for (id, build) in every_harness().into_iter().take(4) {
        let mut h = build();
        let wd = watchdog_pid(h.as_ref());
        let killer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            kill(Pid::from_raw(wd), Signal::SIGKILL).unwrap();
        });
        // Long enough to outlast the kill on any machine (about a second here).
        let e = h.run(200_000).unwrap_err();
        killer.join().unwrap();
        assert!(matches!(e, Error::WatchdogDied { .. }), "{id}: {e}");
    }
}

#[test]
fn the_thread_futex_twins_differ_in_their_futex_operations_only() {
    let _x = super::exclusive();
    let cpu = crate::cpus::allowed_cpus().unwrap()[0];
    for m in [Mechanism::Futex, Mechanism::FutexShared] {
        let spec = PingPongSpec {
            participants: Participants::Thread,
            mechanism: m,
            placement: Placement::SameCpu(cpu),
        };
        let mut h = super::build(&spec).unwrap();
        assert_eq!(h.tasks()[0].pid, h.tasks()[1].pid, "{}: threads", spec.id());
        h.run(1000).unwrap();
    }
    let spec = PingPongSpec {
        participants: Participants::Process,
        mechanism: Mechanism::FutexShared,
        placement: Placement::SameCpu(cpu),
    };
    assert!(super::build(&spec).err().is_some_and(|e| e.is_usage()));
}

#[test]
fn a_peer_that_died_between_batches_fails_the_next_batch_and_nothing_hangs() {
    let _x = super::exclusive();
    super::set_stall_limit(STALL);
    let (tx, rx) = std::sync::mpsc::channel();
    // Run in threads of their own, so that a harness that hangs fails the test instead.
    let all = std::thread::spawn(move || {
        on_every_harness(move |id, set_up| {
            let mut h = set_up.harness();
            end_victim(h.as_ref());
            // Long enough for the watchdog to see the end while no batch runs.
            std::thread::sleep(Duration::from_millis(300));
            let e = h.run(1000).map(|_| ()).map_err(|e| e.to_string());
            let _ = tx.send((id.to_string(), e));
        })
    });
    for _ in every_harness() {
        let (id, e) = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a batch after a peer died hung");
        let e = e.expect_err(&format!("{id}: a batch ran with a dead peer"));
        assert!(e.contains("ended"), "{id}: {e}");
    }
    // Every harness dropped before the next test.
    all.join().unwrap();
}
