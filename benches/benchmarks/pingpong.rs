//! `pingpong/<participants>-<mechanism>/<placement>`: time per round trip.
//!
//! Each harness is set up once, the first time criterion calls its closure (a filtered-out
//! id never forks), and every sample is one `iter_custom` batch of round trips. After the
//! timing, a separate counted run checks the switch count and prints the verdict, so an
//! invalid result is never shown without saying so.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use ctxbench::cpus::CpuChoice;
use ctxbench::harness::{self, Harness};
use ctxbench::spec::{PingPongSpec, Placement, PINGPONG_HARNESSES, PLACEMENTS};

/// Registers every ping-pong harness at every placement.
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("pingpong");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for &(participants, mechanism) in &PINGPONG_HARNESSES {
        for &kind in &PLACEMENTS {
            let placement = match Placement::from_kind(kind, &cpus) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("skipping pingpong/{participants}-{mechanism}/{kind}: {e}");
                    continue;
                }
            };
            let spec = PingPongSpec {
                participants,
                mechanism,
                placement,
            };
            let mut h: Option<Box<dyn Harness>> = None;
            group.bench_function(
                BenchmarkId::new(spec.harness_name(), kind.to_string()),
                |b| {
                    let h = h.get_or_insert_with(|| {
                        harness::build(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                    });
                    b.iter_custom(|iters| {
                        h.run(iters)
                            .unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                    });
                },
            );
            if let Some(h) = h.as_mut() {
                super::report_switches(&spec.id(), h.as_mut(), 10_000, "");
            }
        }
    }
    group.finish();
}
