//! Harness correctness: round trips happen, sides run where they were put, switches are
//! counted, children are reaped, dead peers are noticed. Behaviour only, never speed.

use std::time::{Duration, Instant};

use ctxbench::cpus::allowed_cpus;
use ctxbench::harness::{self, exclusive, Harness, Stamps, Task};
use ctxbench::measure::count_switches;
use ctxbench::measure::switches::{last_cpu, read_task};
use ctxbench::spec::{Participants, PingPongSpec, Placement, PINGPONG_HARNESSES};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

fn spec(p: Participants, m: ctxbench::spec::Mechanism, placement: Placement) -> PingPongSpec {
    PingPongSpec {
        participants: p,
        mechanism: m,
        placement,
    }
}

fn process_gone(pid: i32) -> bool {
    // ESRCH: no such process, not even a zombie, so it was reaped.
    matches!(
        kill(Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    )
}

/// Asserts that each side of `h` (on one CPU) gives the CPU up once per round trip while
/// `go` makes `n` of them.
fn one_switch_per_side(
    h: &mut Box<dyn Harness>,
    n: u64,
    id: &str,
    go: impl FnOnce(&mut Box<dyn Harness>),
) {
    let root = std::path::Path::new("/proc");
    let tasks = h.tasks().to_vec();
    let read = || -> Vec<_> { tasks.iter().map(|t| read_task(root, t).unwrap()).collect() };
    let before = read();
    go(h);
    let after = read();
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        let d = (a.total() - b.total()) as f64 / n as f64;
        assert!(
            (0.9..=1.1).contains(&d),
            "{id} side {i}: {d} switches per round trip"
        );
    }
}

#[test]
fn same_cpu_round_trips_are_two_switches_on_the_asked_cpu() {
    let _x = exclusive();
    let cpu = allowed_cpus().unwrap()[0];
    for &(p, m) in &PINGPONG_HARNESSES {
        let s = spec(p, m, Placement::SameCpu(cpu));
        let mut h = harness::build(&s).unwrap();
        assert_eq!(h.tasks().len(), 2, "{}", s.id());
        assert_eq!(h.cpus_seen(), &[Some(cpu), Some(cpu)], "{}", s.id());

        // N round trips: each side gives up the CPU once per round trip.
        let n = 5_000;
        one_switch_per_side(&mut h, n, &s.id().to_string(), |h| {
            h.run(n).unwrap();
        });
        // The same in the latency-tails pass, with a clock mark before each round trip.
        let mut stamps = Stamps::with_capacity(n as usize);
        one_switch_per_side(&mut h, n, &s.id().to_string(), |h| {
            h.run_stamped(n, &mut stamps).unwrap();
        });
        assert_eq!(stamps.len(), n as usize, "{}: a mark a round trip", s.id());
        let c = count_switches(h.as_mut(), n).unwrap();
        assert!(
            (1.8..=2.2).contains(&c.per_iter),
            "{}: {} switches per round trip",
            s.id(),
            c.per_iter
        );
        for t in h.tasks() {
            assert_eq!(last_cpu(t).unwrap(), cpu, "{} task {t:?}", s.id());
        }
    }
}

#[test]
fn cross_cpu_sides_run_on_their_cpus() {
    let _x = exclusive();
    let cpus = allowed_cpus().unwrap();
    if cpus.len() < 2 {
        eprintln!("skipped: cross-cpu needs two allowed CPUs, this process has {cpus:?}");
        return;
    }
    for &(p, m) in &PINGPONG_HARNESSES {
        let s = spec(p, m, Placement::CrossCpu(cpus[0], cpus[1]));
        let mut h = harness::build(&s).unwrap();
        h.run(200).unwrap();
        assert_eq!(h.cpus_seen(), &[Some(cpus[0]), Some(cpus[1])], "{}", s.id());
        assert_eq!(last_cpu(&h.tasks()[0]).unwrap(), cpus[0], "{}", s.id());
        assert_eq!(last_cpu(&h.tasks()[1]).unwrap(), cpus[1], "{}", s.id());
    }
}

#[test]
fn unpinned_runs_and_restores_affinity() {
    let _x = exclusive();
    let before = allowed_cpus().unwrap();
    for &(p, m) in &PINGPONG_HARNESSES {
        let s = spec(p, m, Placement::SameCpu(before[0]));
        let mut h = harness::build(&s).unwrap();
        h.run(100).unwrap();
        drop(h);
        assert_eq!(
            allowed_cpus().unwrap(),
            before,
            "{} left the thread pinned",
            s.id()
        );
        let s = spec(p, m, Placement::Unpinned);
        let mut h = harness::build(&s).unwrap();
        h.run(100).unwrap();
        assert_eq!(h.cpus_seen(), &[None, None]);
    }
}

fn process_harnesses() -> Vec<PingPongSpec> {
    let cpu = allowed_cpus().unwrap()[0];
    PINGPONG_HARNESSES
        .iter()
        .filter(|(p, _)| *p == Participants::Process)
        .map(|&(p, m)| spec(p, m, Placement::SameCpu(cpu)))
        .collect()
}

#[test]
fn child_is_reaped_after_drop() {
    let _x = exclusive();
    for s in process_harnesses() {
        let h = harness::build(&s).unwrap();
        let child: Task = h.tasks()[1];
        assert!(!process_gone(child.pid));
        drop(h);
        assert!(
            process_gone(child.pid),
            "{}: child {} left behind",
            s.id(),
            child.pid
        );
    }
}

#[test]
fn child_is_reaped_after_a_panic_in_a_batch() {
    let _x = exclusive();
    for s in process_harnesses() {
        let mut pid = 0;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut h = harness::build(&s).unwrap();
            pid = h.tasks()[1].pid;
            h.run(10).unwrap();
            panic!("injected failure inside a batch");
        }));
        assert!(r.is_err());
        assert!(
            pid > 0 && process_gone(pid),
            "{}: child {pid} left behind",
            s.id()
        );
    }
}

#[test]
fn killed_peer_is_an_error_promptly() {
    let _x = exclusive();
    for s in process_harnesses() {
        let mut h = harness::build(&s).unwrap();
        let pid = h.tasks()[1].pid;
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
        let start = Instant::now();
        let err = h.run(u64::MAX).unwrap_err();
        let took = start.elapsed();
        assert!(
            matches!(err, ctxbench::Error::PeerDied { .. }),
            "{}: {err}",
            s.id()
        );
        assert!(took < Duration::from_secs(2), "{}: took {took:?}", s.id());
        drop(h);
        assert!(process_gone(pid));
    }
}

#[test]
fn refused_cpu_is_an_error_before_forking() {
    let _x = exclusive();
    let allowed = allowed_cpus().unwrap();
    let bad = (0..1024).find(|c| !allowed.contains(c)).unwrap();
    let s = spec(
        Participants::Process,
        ctxbench::spec::Mechanism::Pipe,
        Placement::SameCpu(bad),
    );
    assert!(harness::build(&s).is_err());
    let e = ctxbench::cpus::CpuChoice::resolve(Some(&[bad])).unwrap_err();
    assert!(e.is_usage());
    assert!(e.to_string().contains("allowed:"), "{e}");
}

#[test]
fn many_setups_leak_no_fds_or_processes() {
    let _x = exclusive();
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let cpu = allowed_cpus().unwrap()[0];
    let start = fds();
    for _ in 0..30 {
        for &(p, m) in &PINGPONG_HARNESSES {
            let mut h = harness::build(&spec(p, m, Placement::SameCpu(cpu))).unwrap();
            h.run(10).unwrap();
        }
    }
    assert_eq!(fds(), start, "file descriptors leaked");
    // No child of ours is left: waitpid has nothing to wait for.
    assert_eq!(
        nix::sys::wait::waitpid(None, Some(nix::sys::wait::WaitPidFlag::WNOHANG)),
        Err(nix::errno::Errno::ECHILD)
    );
}

#[test]
fn a_peer_that_cannot_pin_is_an_error_not_a_hang() {
    let _x = exclusive();
    let allowed = allowed_cpus().unwrap();
    let bad = (0..1024).find(|c| !allowed.contains(c)).unwrap();
    for &(p, m) in &PINGPONG_HARNESSES {
        // The driver pins fine; the peer's own pinning fails, after it started.
        let s = spec(p, m, Placement::CrossCpu(allowed[0], bad));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let r = harness::build(&s).map(|_| ()).map_err(|e| e.to_string());
            let _ = tx.send(r);
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Err(e)) => assert!(e.contains("pinning the peer"), "{}: {e}", s.id()),
            Ok(Ok(())) => panic!("{}: a peer pinned to CPU {bad} was accepted", s.id()),
            Err(_) => panic!("{}: set-up hung after the peer failed to pin", s.id()),
        }
    }
}

#[test]
fn a_stopped_peer_is_reported_as_stalled_not_waited_for() {
    let _x = exclusive();
    harness::set_stall_limit(Duration::from_secs(2));
    // A peer that is alive but never answers (SIGSTOP): every process harness gives up
    // after the stall limit, whether it waits in a futex, an eventfd or a pipe read.
    let handles: Vec<_> = process_harnesses()
        .into_iter()
        .map(|s| {
            std::thread::spawn(move || {
                let mut h = harness::build(&s).unwrap();
                let pid = h.tasks()[1].pid;
                kill(Pid::from_raw(pid), Signal::SIGSTOP).unwrap();
                let start = Instant::now();
                let err = h.run(u64::MAX).unwrap_err();
                let took = start.elapsed();
                drop(h);
                (s.id(), err.to_string(), took, process_gone(pid))
            })
        })
        .collect();
    for h in handles {
        let (id, err, took, gone) = h.join().unwrap();
        assert!(err.contains("made no progress"), "{id}: {err}");
        assert!(
            took >= harness::stall_limit()
                && took < harness::stall_limit() + Duration::from_secs(5),
            "{id}: gave up after {took:?}"
        );
        assert!(gone, "{id}: the stopped child was left behind");
    }
}
