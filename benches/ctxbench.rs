//! `cargo bench`: every ctxbench experiment through criterion. Each topic lives in its own
//! file under `benches/benchmarks/`; this file only lists them.
//!
//! Narrow a run with a filter (`cargo bench -- pingpong/thread`, `cargo bench -- ring/`),
//! shorten it with `cargo bench -- --quick`, or run each benchmark once with
//! `cargo bench -- --test`.

use criterion::{criterion_group, criterion_main, Criterion};

mod benchmarks;

fn config() -> Criterion {
    Criterion::default()
}

criterion_group! {
    name = experiments;
    config = config();
    targets =
        benchmarks::floors::benches,
        benchmarks::spawn::benches,
        benchmarks::pingpong::benches,
        benchmarks::ring::benches,
        benchmarks::workset::benches,
}

criterion_group! {
    name = counters;
    config = config();
    targets = benchmarks::counters::benches
}

criterion_main!(experiments, counters);
