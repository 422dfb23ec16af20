//! `ring/<participants>-<pipe|futex>/<n>`: time per lap of a token around n tasks on one CPU
//! (n switches per lap). A parameterised group: criterion draws n on the x axis, so the
//! step past the per-CPU address-space ids (n > 6 on x86 Linux) shows in the plot.
//!
//! Each ring is set up once, the first time criterion calls its closure (a filtered-out
//! id never forks); a separate counted run afterwards checks n switches per lap.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::ring::{
    RingSpec, DEFAULT_RING_SIZES, RING_MECHANISMS, RING_PARTICIPANTS,
};
use ctxbench::harness::Harness;

/// Registers process and thread rings, over pipes and futexes, at every default size.
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("ring");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (mechanism, participants) in RING_MECHANISMS
        .into_iter()
        .flat_map(|m| RING_PARTICIPANTS.into_iter().map(move |p| (m, p)))
    {
        for n in DEFAULT_RING_SIZES {
            let spec = RingSpec {
                participants,
                mechanism,
                n,
                cpu: cpus.first(),
            };
            // One element per switch: criterion's throughput reads as switches per second.
            group.throughput(Throughput::Elements(n as u64));
            let mut h: Option<Box<dyn Harness>> = None;
            group.bench_with_input(
                BenchmarkId::new(format!("{participants}-{mechanism}"), n),
                &spec,
                |b, spec| {
                    let h = h.get_or_insert_with(|| {
                        spec.build()
                            .unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                    });
                    b.iter_custom(|laps| {
                        h.run(laps).unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                    });
                },
            );
            if let Some(h) = h.as_mut() {
                super::report_switches(&spec.id(), h.as_mut(), 2_000, " (per lap)");
            }
        }
    }
    group.finish();
}
