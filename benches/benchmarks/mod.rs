//! One module per experiment, each exposing `benches(&mut Criterion)`.

pub mod counters;
pub mod cross;
pub mod floors;
pub mod footprint;
pub mod isolation;
pub mod pingpong;
pub mod regs;
pub mod ring;
pub mod spawn;
pub mod topology;
pub mod uswitch;
pub mod workset;

/// Counts the switches of `iters` iterations of a harness criterion has just timed and
/// prints them, judged (`INVALID` where the count is off), after its group.
pub fn report_switches(
    id: &dyn std::fmt::Display,
    h: &mut dyn ctxbench::harness::Harness,
    iters: u64,
    per: &str,
) {
    match ctxbench::measure::count_switches(h, iters) {
        Ok(count) => {
            let v = ctxbench::measure::judge(h.expected_switches_per_iter(), count.per_iter);
            let mark = if v.is_valid() { "" } else { "INVALID " };
            eprintln!("{id}: {mark}{}{per}", v.message());
        }
        Err(e) => eprintln!("{id}: switch count failed: {e}"),
    }
}

/// A group of `name` with 10 samples, 300 ms of warm-up and a second of measurement:
/// what the slower experiments (isolation, cross) use.
pub fn short_group<'a>(
    c: &'a mut criterion::Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    group
}
