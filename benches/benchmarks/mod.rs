//! One module per experiment, each exposing `benches(&mut Criterion)`.

pub mod counters;
pub mod floors;
pub mod footprint;
pub mod pingpong;
pub mod ring;
pub mod spawn;
pub mod topology;
pub mod workset;

/// Counts the switches of `iters` iterations of a harness criterion has just timed and
/// prints them, judged (`INVALID` where the count is off), after its group.
pub fn report_switches(id: &str, h: &mut dyn ctxbench::harness::Harness, iters: u64, per: &str) {
    match ctxbench::measure::count_switches(h, iters) {
        Ok(count) => {
            let v = ctxbench::measure::judge(h.expected_switches_per_iter(), count.per_iter);
            let mark = if v.is_valid() { "" } else { "INVALID " };
            eprintln!("{id}: {mark}{}{per}", v.message());
        }
        Err(e) => eprintln!("{id}: switch count failed: {e}"),
    }
}
