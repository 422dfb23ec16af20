//! `cargo bench`: every ctxbench experiment through criterion. Each topic lives in its own
//! file under `benches/benchmarks/`; this file only lists them.
//!
//! Narrow a run with a filter (`cargo bench -- pingpong/thread`, `cargo bench -- ring/`),
//! shorten it with `cargo bench -- --quick`, or run each benchmark once with
//! `cargo bench -- --test`.

use criterion::{criterion_group, criterion_main, Criterion};

mod benchmarks;

fn config() -> Criterion {
    // 20 000 bootstrap resamples instead of 100 000: the analysis of ~150 benchmarks was
    // about a third of a whole `cargo bench` here, and the intervals barely move.
    Criterion::default().nresamples(20_000)
}

criterion_group! {
    name = experiments;
    config = config();
    targets =
        benchmarks::floors::benches,
        benchmarks::spawn::benches,
        benchmarks::footprint::benches,
        benchmarks::pingpong::benches,
        benchmarks::uswitch::benches,
        benchmarks::ring::benches,
        benchmarks::workset::benches,
        benchmarks::regs::benches,
        benchmarks::isolation::benches,
        benchmarks::cross::benches,
        benchmarks::topology::benches,
}

criterion_group! {
    name = counters;
    config = config();
    targets = benchmarks::counters::benches
}

criterion_main!(experiments, counters);
