//! `spawn/<what>`: time to create and wait for a process (fork, posix_spawn of
//! /bin/true) or a thread. Every child is reaped within its iteration.

use std::time::Duration;

use criterion::Criterion;
use ctxbench::experiments::spawn::{SpawnHarness, SPAWNS};
use ctxbench::harness::Harness;

/// Registers the three kinds of creation.
pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for kind in SPAWNS {
        let mut h: Option<SpawnHarness> = None;
        group.bench_function(kind.name(), |b| {
            let h = h.get_or_insert_with(|| {
                SpawnHarness::new(kind).unwrap_or_else(|e| panic!("{}: {e}", kind.id()))
            });
            b.iter_custom(|iters| {
                h.run(iters)
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.id()))
            });
        });
    }
    group.finish();
}
