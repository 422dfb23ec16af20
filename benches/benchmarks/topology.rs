//! `topology/<futex|cacheline>/<a>-<b>`: time per round trip between two CPUs chosen by
//! what they share, the kernel's futex wake-up beside the bare cache line. The pairs are
//! those of a quick `ctxbench run` (every pair on a small machine, two per class on a big
//! one); the ids are the CLI's.
//!
//! Each harness is set up once, the first time criterion calls its closure; a counted run
//! afterwards prints the switches (two per futex round trip off one CPU, none for the
//! cache line).

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use ctxbench::bench::Bench;
use ctxbench::experiments::topology::{plan::plan, PairHarness, QUICK_PAIRS_PER_CLASS};
use ctxbench::harness::Harness;
use ctxbench::topology::Topology;

/// Registers both hand-overs of every pair a quick run measures on this machine.
pub fn benches(c: &mut Criterion) {
    let sweep = plan(&Topology::this_machine(), QUICK_PAIRS_PER_CLASS);
    if sweep.is_empty() {
        eprintln!("skipping topology/: fewer than 2 CPUs with a readable topology");
        return;
    }
    let mut group = c.benchmark_group("topology");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for bench in sweep {
        let id = Bench::id(&bench);
        let mut h: Option<PairHarness> = None;
        group.bench_function(
            BenchmarkId::new(bench.handover.name(), format!("{}-{}", bench.a, bench.b)),
            |b| {
                let h =
                    h.get_or_insert_with(|| bench.build().unwrap_or_else(|e| panic!("{id}: {e}")));
                b.iter_custom(|iters| h.run(iters).unwrap_or_else(|e| panic!("{id}: {e}")));
            },
        );
        if let Some(h) = h.as_mut() {
            super::report_switches(&id, h, 10_000, "");
        }
    }
    group.finish();
}
