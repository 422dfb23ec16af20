//! `uswitch/<kind>`: a round trip between two coroutines on one thread (resume, yield
//! back: two user-space switches), through corosensei and glibc `swapcontext`; what a
//! switch costs without the kernel. The same ids as `ctxbench run`.

use std::time::Duration;

use criterion::Criterion;
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::uswitch::{UswitchHarness, USWITCHES};
use ctxbench::harness::Harness;

/// Registers both user-space switches on the first allowed CPU.
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("uswitch");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for kind in USWITCHES {
        let mut h: Option<UswitchHarness> = None;
        group.bench_function(kind.name(), |b| {
            let h = h.get_or_insert_with(|| {
                ctxbench::experiments::uswitch::build(kind, cpus.first())
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.id()))
            });
            b.iter_custom(|iters| {
                h.run(iters)
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.id()))
            });
        });
        if let Some(h) = h.as_mut() {
            super::report_switches(&kind.id(), h, 100_000, "");
        }
    }
    group.finish();
}
