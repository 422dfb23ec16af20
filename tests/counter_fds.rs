//! The counter lifecycle leaks no file descriptors. Alone in its own test binary, so no
//! other test opens or closes descriptors while it counts them.

use ctxbench::counters::{events, CounterSet, Family};
use ctxbench::harness::Task;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn cycles(evs: &[&'static events::EventDef], n: usize) -> usize {
    let cpus = ctxbench::cpus::allowed_cpus().unwrap();
    let mut opened = 0;
    for _ in 0..n {
        let mut set = CounterSet::open(evs);
        set.attach(&[Task::current()], &cpus);
        opened = set.open_count();
        let started = set.start();
        let _ = set.stop(started);
    }
    opened
}

/// 1,000 cycles of the software and hardware events (opened, or refused: both paths must
/// close what they opened), and 20 of the tracepoints, whose every close waits for the
/// kernel to unregister the probe (tens of milliseconds each).
#[test]
fn a_thousand_open_close_cycles_leak_no_fds() {
    let (tp, rest): (Vec<_>, Vec<_>) = events::all()
        .into_iter()
        .partition(|e| e.family == Family::Tracepoint);
    // Warm up anything opened once per process (e.g. a cached file).
    drop(CounterSet::open(&events::all()));
    let before = open_fds();
    let opened = cycles(&rest, 1000);
    let opened_tp = cycles(&tp, 20);
    let after = open_fds();
    assert_eq!(before, after, "{before} fds before, {after} after");
    eprintln!("{opened} software/hardware and {opened_tp} tracepoint events opened per cycle");
}
