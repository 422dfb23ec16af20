//! `cross/<way>/<size>`: time per read of another process's private memory (a shared
//! mapping, `process_vm_readv`, `pread` of `/proc/PID/mem`, `PTRACE_PEEKDATA` word by
//! word), 4 KiB to 1 MiB; criterion's throughput reads as bytes per second. The bytes read
//! are checked against the target's after every batch (a mismatch panics).
//!
//! Each target is forked once, the first time criterion calls its closure; PEEKDATA's
//! reads take milliseconds, so its samples are flat (one batch size) to stay short.

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use ctxbench::bench::Bench;
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::cross::{self, CrossBench};
use ctxbench::harness::cross::CrossHarness;
use ctxbench::spec::CrossWay;
use ctxbench::units::format_size;

/// Registers every way at every size this machine allows (Yama may refuse the kernel's
/// ways; they are then left out, said so).
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let (planned, refused) = cross::plan(|_| true, &ctxbench::spec::CROSS_SIZES, cpus.first());
    for (id, reason) in refused {
        eprintln!("{id}: skipped: {reason}");
    }
    let mut group = super::short_group(c, "cross");
    for b in planned {
        group.throughput(Throughput::Bytes(b.bytes));
        group.sampling_mode(if b.way == CrossWay::PtracePeek {
            SamplingMode::Flat
        } else {
            SamplingMode::Auto
        });
        let mut h: Option<CrossHarness> = None;
        group.bench_with_input(
            BenchmarkId::new(b.way.name(), format_size(b.bytes)),
            &b,
            |bencher, b: &CrossBench| {
                let h = h
                    .get_or_insert_with(|| b.build().unwrap_or_else(|e| panic!("{}: {e}", b.id())));
                bencher.iter_custom(|iters| {
                    ctxbench::harness::Harness::run(h, iters)
                        .unwrap_or_else(|e| panic!("{}: {e}", b.id()))
                });
            },
        );
    }
    group.finish();
}
