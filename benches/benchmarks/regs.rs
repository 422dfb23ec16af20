//! `regs/<participants>-futex/<state>`: a same-cpu futex round trip whose sides write the
//! registers of a state (none, sse, avx, avx512, amx) before every hand-over, so the
//! kernel saves and restores it at each switch. States this machine does not offer are
//! listed once with the reason. Criterion times the round trips; the extra per switch
//! over `none` (floors subtracted, interleaved rounds) is computed by
//! `ctxbench run --filter regs/`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::regs::{self, RegsSpec};
use ctxbench::harness::regs::RegsPingPong;
use ctxbench::harness::Harness;

/// Registers every offered register state, process and thread, on the first allowed CPU.
pub fn benches(c: &mut Criterion) {
    let cpus = CpuChoice::resolve(None).unwrap_or_else(|e| panic!("{e}"));
    let (specs, refused) = regs::plan(cpus.first(), |_| true);
    for (id, why) in refused {
        eprintln!("skipping {id}: {why}");
    }
    let mut group = c.benchmark_group("regs");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for spec in specs {
        let RegsSpec {
            participants,
            state,
            cpu,
        } = spec;
        let mut h: Option<RegsPingPong> = None;
        group.bench_function(
            BenchmarkId::new(format!("{participants}-futex"), state.name()),
            |b| {
                let h = h.get_or_insert_with(|| {
                    RegsPingPong::new(participants, state, cpu)
                        .unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                });
                b.iter_custom(|iters| {
                    h.run(iters)
                        .unwrap_or_else(|e| panic!("{}: {e}", spec.id()))
                });
            },
        );
        if let Some(h) = h.as_mut() {
            super::report_switches(&spec.id(), h, 10_000, "");
        }
    }
    group.finish();
}
