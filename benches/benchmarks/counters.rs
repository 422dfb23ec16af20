//! Counter groups: perf-event counts per round trip in criterion's reports, through the
//! `EventCount` measurement, one benchmark per event that opens on this machine:
//! `counters/<event>/pingpong/<harness>/<placement>`, e.g.
//! `counters/tlb-full-flushes/pingpong/process-pipe/same-cpu`.
//!
//! Default: the same-CPU ping-pongs. `CTXBENCH_COUNTER_IDS=all` adds every placement.
//! Events this machine refuses are listed once with the reason. Counts vary little, so
//! the groups are short (10 samples, 0.3 s each).
//!
//! Two criterion limits, worked around without touching the data: criterion refuses a
//! benchmark with any sample of zero ("took zero time per iteration"), and when a run's
//! samples and the saved baseline's are all one identical value (e.g. exactly 2.0
//! switches per round trip, twice), its t-test has no finite statistic and plotting that
//! empty distribution panics. So a pilot of counted batches comes first, and an event
//! that counted zero in all of them is printed with its value instead; a benchmark whose
//! samples held a zero, or that hit the comparison panic, is printed with what it
//! counted (the baseline run's report stands for the identical case).
//!
//! criterion's filter chooses what runs: a benchmark is set up (harness built, counter
//! attached, pilot counted) only when criterion first calls it, so ids the filter leaves
//! out cost nothing. Why a benchmark has no report is recorded where it happens (set-up,
//! pilot, a failed batch), never read back from a panic's message.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use criterion::Criterion;

use ctxbench::counters::criterion::{classify, EventCount, Pilot};
use ctxbench::counters::{self, events, CounterSet};
use ctxbench::cpus::CpuChoice;
use ctxbench::harness;
use ctxbench::measure;
use ctxbench::spec::{PingPongSpec, Placement, PlacementKind, PINGPONG_HARNESSES, PLACEMENTS};

/// Round trips in each pilot batch, and how many batches.
const PILOT_ITERS: u64 = 2000;
const PILOT_BATCHES: usize = 5;

/// The environment variable that widens the set of ids.
pub const IDS_ENV: &str = "CTXBENCH_COUNTER_IDS";

fn specs() -> Vec<PingPongSpec> {
    let all = std::env::var(IDS_ENV).is_ok_and(|v| v == "all");
    let cpus = match CpuChoice::resolve(None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("counters: no CPUs to run on: {e}");
            return Vec::new();
        }
    };
    let kinds: &[PlacementKind] = if all {
        &PLACEMENTS
    } else {
        &[PlacementKind::SameCpu]
    };
    let mut specs = Vec::new();
    for &(participants, mechanism) in &PINGPONG_HARNESSES {
        for &kind in kinds {
            match Placement::from_kind(kind, &cpus) {
                Ok(placement) => specs.push(PingPongSpec {
                    participants,
                    mechanism,
                    placement,
                }),
                Err(e) => eprintln!(
                    "counters: skipping {}: {e}",
                    ctxbench::spec::pingpong_id(participants, mechanism, kind)
                ),
            }
        }
    }
    specs
}

fn criterion_for(m: EventCount) -> Criterion<EventCount> {
    Criterion::default()
        .with_measurement(m)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(300))
        .nresamples(10_000)
        .configure_from_args()
}

/// Runs `f`; if it panics, returns the panic message instead of printing it (the panic
/// hook is swapped for the call and restored after).
fn quiet_catch(f: impl FnOnce()) -> Option<String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    r.err().map(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// Benchmarks every event that opens here over the chosen ping-pong ids. criterion's own
/// filter decides which run: a benchmark's harness is set up only when criterion first
/// calls it.
pub fn benches(_c: &mut Criterion) {
    let status = counters::machine_status(&events::all());
    let refused: Vec<String> = status
        .iter()
        .filter_map(|(e, why)| why.as_ref().map(|w| format!("  {}: {w}", e.name)))
        .collect();
    if !refused.is_empty() {
        eprintln!(
            "counters: not benchmarked (refused on this machine):\n{}",
            refused.join("\n")
        );
    }
    let specs = specs();
    let mut notes = Vec::new();
    for (def, _) in status.iter().filter(|(_, why)| why.is_none()) {
        for spec in &specs {
            let id = format!(
                "counters/{}/pingpong/{}/{}",
                def.short,
                spec.harness_name(),
                spec.placement.kind()
            );
            notes.extend(bench_one(def, spec, &id));
        }
    }
    if !notes.is_empty() {
        eprintln!("counters: reported here instead of by criterion:");
        for n in &notes {
            eprintln!("  {n}");
        }
    }
}

/// A counted harness, set up when criterion first calls its benchmark.
struct Counted {
    h: Box<dyn harness::Harness>,
    _exclusive: std::sync::MutexGuard<'static, ()>,
}

/// Builds `spec` (after the counter opened, so a peer inherits it), attaches the counter
/// and pilots it. `Err` says why criterion gets no samples: the set-up failed, the
/// harness is INVALID, or the pilot counted nothing (criterion refuses zero samples).
fn set_up(m: &EventCount, spec: &PingPongSpec, id: &str) -> Result<Counted, String> {
    let _exclusive = harness::exclusive();
    let mut h = harness::build(spec).map_err(|e| format!("{id}: failed to set up: {e}"))?;
    m.attach(h.as_ref())
        .map_err(|why| format!("{id}: not benchmarked: {why}"))?;
    let values = (0..PILOT_BATCHES)
        .map(|_| {
            m.try_count(|| h.run(PILOT_ITERS))
                .map(|(_, n)| n / PILOT_ITERS as f64)
        })
        .collect::<Result<Vec<f64>, String>>()
        .map_err(|e| format!("{id}: {e}"))?;
    if m.event().name == events::CONTEXT_SWITCHES {
        let median = match classify(&values) {
            Pilot::Zero => 0.0,
            Pilot::Constant(v) | Pilot::Varies(v) => v,
        };
        let v = measure::judge(h.expected_switches_per_iter(), median);
        if !v.is_valid() {
            eprintln!("{id}: INVALID: {}", v.message());
            return Err(format!("{id}: INVALID: {}", v.message()));
        }
    }
    if classify(&values) == Pilot::Zero {
        return Err(format!(
            "{id}: 0 per round trip in every pilot batch ({} round trips); criterion \
             refuses samples of zero",
            PILOT_ITERS * PILOT_BATCHES as u64
        ));
    }
    Ok(Counted { h, _exclusive })
}

/// Hands `spec` counted by `def` to criterion; returns what criterion could not report.
fn bench_one(def: &'static counters::EventDef, spec: &PingPongSpec, id: &str) -> Option<String> {
    let m = match EventCount::new(CounterSet::open(&[def])) {
        Ok(m) => m,
        Err(why) => return Some(format!("{id}: not benchmarked: {why}")),
    };
    let counter = m.clone();
    let mut counted: Option<Result<Counted, String>> = None;
    let mut failed: Option<String> = None;
    let mut seen: Vec<f64> = Vec::new();
    let panicked = quiet_catch(|| {
        criterion_for(m).bench_function(id, |b| {
            let Ok(c) = counted.get_or_insert_with(|| set_up(&counter, spec, id)) else {
                // No iteration: criterion stops this benchmark (with a panic caught
                // above), and the reason set up gave stands.
                return;
            };
            b.iter_custom(|iters| match counter.try_count(|| c.h.run(iters)) {
                Ok((_, n)) => {
                    seen.push(n / iters.max(1) as f64);
                    n
                }
                Err(e) => {
                    let why = format!("{id}: {e}");
                    failed = Some(why.clone());
                    panic!("{why}")
                }
            })
        });
    });
    if let Some(Err(why)) = counted {
        return Some(why);
    }
    failed.or_else(|| unreported(id, &seen, panicked))
}

/// Why criterion gave no report for `id` that ran, if it did not: its comparison of
/// samples identical to the saved baseline's panicked, or some samples were zero. A
/// benchmark criterion called once (`--test`) has nothing analysed.
fn unreported(id: &str, seen: &[f64], panicked: Option<String>) -> Option<String> {
    let (lo, hi) = seen
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let analysed = seen.len() > 1;
    match panicked {
        Some(msg) => {
            // Our own failures are recorded before they panic, so this is criterion's:
            // its comparison with a saved baseline has no finite t statistic when both
            // runs are one identical value, and plotting it panics. The report of the run
            // that saved the baseline stands.
            let value = if lo == hi {
                format!("{lo}")
            } else {
                format!("{lo}..{hi}")
            };
            Some(format!(
                "{id}: {value} per round trip over {} counted batches (warm-up included), \
                 samples identical to the saved baseline's: criterion cannot plot that \
                 comparison (its panic: {msg}); the report from the baseline run stands",
                seen.len()
            ))
        }
        None if analysed && seen.contains(&0.0) => Some(format!(
            "{id}: some samples counted zero events ({lo}..{hi} per round trip): criterion \
             refuses such samples, so there is no report"
        )),
        None => None,
    }
}
