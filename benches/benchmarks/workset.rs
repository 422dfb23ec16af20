//! `workset/<participants>-pipe[/<variant>]/<size>`: a same-cpu pipe round trip where
//! each side touches its own buffer of the given size between switches. Parameterised
//! groups (one per access variant): criterion draws the size per side, in bytes, on the
//! x axis. The indirect cost itself (touches without switching subtracted) is computed by
//! `ctxbench run --filter workset`; here criterion times the round trips.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::workset::{WorksetSpec, WORKSET_PARTICIPANTS};
use ctxbench::harness::workset::{Access, WorksetPingPong};
use ctxbench::harness::Harness;

/// Sizes per side for criterion: kept short so `cargo bench` stays within minutes.
const SIZES: [u64; 5] = [0, 16 << 10, 256 << 10, 1 << 20, 4 << 20];

/// Registers the read and page-stride variants, process and thread, at [`SIZES`].
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    for access in [Access::Read, Access::PageStride] {
        let name = match access {
            Access::Read => "workset".to_string(),
            a => format!("workset-{}", a.name()),
        };
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        for participants in WORKSET_PARTICIPANTS {
            for bytes in SIZES {
                let spec = WorksetSpec {
                    participants,
                    access,
                    bytes,
                    cpu: cpus.first(),
                };
                let mut h: Option<WorksetPingPong> = None;
                group.bench_with_input(
                    BenchmarkId::new(format!("{participants}-pipe"), bytes),
                    &spec,
                    |b, spec| {
                        let h = h.get_or_insert_with(|| {
                            let mut h = WorksetPingPong::new(
                                spec.participants,
                                spec.bytes as usize,
                                spec.access,
                                spec.cpu,
                            )
                            .unwrap_or_else(|e| panic!("{}: {e}", spec.id()));
                            h.run(20).unwrap_or_else(|e| panic!("{}: {e}", spec.id()));
                            h
                        });
                        b.iter_custom(|iters| {
                            h.run(iters)
                                .unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                        });
                    },
                );
            }
        }
        group.finish();
    }
}
