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

#[test]
fn a_killed_peer_is_an_error_within_a_second() {
    let _x = super::exclusive();
    super::set_stall_limit(STALL);
    for (id, build) in every_harness() {
        // On a loaded machine the watchdog may wait for a CPU: a slow notice is tried
        // again; a harness that does not notice at all fails every time.
        let mut slow = Vec::new();
        for _ in 0..3 {
            let mut h = build();
            h.run(100).unwrap();
            end_victim(h.as_ref());
            let start = Instant::now();
            let e = h.run(u64::MAX).unwrap_err();
            let took = start.elapsed();
            assert!(matches!(e, Error::PeerDied { .. }), "{id}: {e}");
            if took < Duration::from_secs(1) {
                slow.clear();
                break;
            }
            slow.push(took);
        }
        assert!(slow.is_empty(), "{id}: noticed after {slow:?}");
    }
}

#[test]
fn a_stopped_peer_is_an_error_within_the_stall_limit() {
    let _x = super::exclusive();
    super::set_stall_limit(STALL);
    for (id, build) in every_harness() {
        let mut h = build();
        h.run(100).unwrap();
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
        assert!(matches!(e, Error::Stalled { .. }), "{id}: {e}");
        assert!(
            took >= STALL && took < STALL + Duration::from_secs(2),
            "{id}: gave up after {took:?}"
        );
        drop(tracer); // lets a held thread go, so it can leave when the harness drops
        drop(h);
    }
}

/// Whether process `pid` has ended: a zombie, or gone.
fn dead(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
        Err(_) => true,
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
        // However loaded the machine, the watchdog has died once it is a zombie (or gone).
        let start = std::time::Instant::now();
        while !dead(wd) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(dead(wd), "{id}: the watchdog outlived SIGKILL for 5 s");
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
    // Run in a thread of its own, so that a harness that hangs fails the test instead.
    std::thread::spawn(move || {
        for (id, build) in every_harness() {
            let mut h = build();
            h.run(100).unwrap();
            end_victim(h.as_ref());
            // Long enough for the watchdog to see the end while no batch runs.
            std::thread::sleep(Duration::from_millis(300));
            let e = h.run(1000).map(|_| ()).map_err(|e| e.to_string());
            let _ = tx.send((id, e));
        }
    });
    for _ in every_harness() {
        let (id, e) = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a batch after a peer died hung");
        let e = e.expect_err(&format!("{id}: a batch ran with a dead peer"));
        assert!(e.contains("ended"), "{id}: {e}");
    }
}
