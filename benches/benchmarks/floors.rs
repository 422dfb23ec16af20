//! `floor/<name>`: one pinned task repeating a mechanism's operation with nobody to
//! switch to; what `ctxbench run` subtracts from the same-cpu ping-pongs.

use std::time::Duration;

use criterion::Criterion;
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::floors::{FloorHarness, FLOORS};
use ctxbench::harness::Harness;

/// Registers every floor on the first allowed CPU.
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("floor");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for kind in FLOORS {
        let mut h: Option<FloorHarness> = None;
        group.bench_function(kind.name(), |b| {
            let h = h.get_or_insert_with(|| {
                FloorHarness::new(kind, cpus.first())
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.id()))
            });
            b.iter_custom(|iters| {
                h.run(iters)
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.id()))
            });
        });
    }
    group.finish();
}
