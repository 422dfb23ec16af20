//! `isolation/<participants>-write`: time per first write to a page the other side also
//! holds: a forked child's copy-on-write fault (the parent checked to keep its own value)
//! against the same write by a thread (checked to be seen at once). A check that fails
//! panics.

use criterion::Criterion;
use ctxbench::bench::Bench;
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::isolation::{IsolationBench, ISOLATION_PARTICIPANTS};
use ctxbench::harness::isolation::IsolationHarness;
use ctxbench::harness::Harness;

/// Registers the process and the thread write.
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let mut group = super::short_group(c, "isolation");
    for participants in ISOLATION_PARTICIPANTS {
        let b = IsolationBench {
            participants,
            cpu: cpus.first(),
        };
        let mut h: Option<IsolationHarness> = None;
        group.bench_function(format!("{participants}-write"), |bencher| {
            let h =
                h.get_or_insert_with(|| b.build().unwrap_or_else(|e| panic!("{}: {e}", b.id())));
            bencher.iter_custom(|iters| h.run(iters).unwrap_or_else(|e| panic!("{}: {e}", b.id())));
        });
    }
    group.finish();
}
