//! `footprint/<process|thread>/<n>`: the time to start n idle tasks, per task (what the
//! CLI keeps as ns per iteration for these ids). The footprint itself is memory, which
//! criterion does not measure: for every id that ran, the CLI's measurement runs after
//! the group and its tables are printed (bytes n tasks added, bytes per task).

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use ctxbench::experiments::footprint::{specs, QUICK_TASKS};
use ctxbench::harness::idle::IdleTasks;

/// Registers processes and threads at the quick task counts.
pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("footprint");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let mut ran = Vec::new();
    for spec in specs(&QUICK_TASKS) {
        let id = BenchmarkId::new(spec.participants.to_string(), spec.tasks);
        group.bench_with_input(id, &spec, |b, spec| {
            if !ran.contains(spec) {
                ran.push(*spec);
            }
            b.iter_custom(|iters| {
                let mut per_task = Duration::ZERO;
                for _ in 0..iters {
                    // Started, timed, then stopped untimed as the set drops.
                    let idle = IdleTasks::start(spec.participants, spec.tasks)
                        .unwrap_or_else(|e| panic!("{}: {e}", spec.id()));
                    per_task += idle.started_in() / spec.tasks as u32;
                }
                per_task
            });
        });
    }
    group.finish();
    let outcomes: Vec<_> = ran
        .iter()
        .map(|spec| {
            spec.measure(3)
                .unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
        })
        .collect();
    eprint!(
        "{}",
        ctxbench::export::terminal::footprint::render(&outcomes)
    );
}
