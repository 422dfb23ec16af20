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

/// criterion options that take a value (so the next argument is not the filter).
const VALUE_OPTIONS: [&str; 18] = [
    "-c",
    "--color",
    "-s",
    "--save-baseline",
    "-b",
    "--baseline",
    "--baseline-lenient",
    "--format",
    "--profile-time",
    "--load-baseline",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
];

/// Whether criterion's command-line filter can select `id`, so that ids filtered out are
/// not set up and piloted for nothing. A filter with regex syntax is left to criterion.
fn wanted(id: &str, args: &[String]) -> bool {
    let mut filter = None;
    let mut exact = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--exact" {
            exact = true;
        } else if VALUE_OPTIONS.contains(&a) || a == "--output-format" {
            i += 1;
        } else if !a.starts_with('-') && filter.is_none() {
            filter = Some(a);
        }
        i += 1;
    }
    match filter {
        None => true,
        Some(f) if f.contains(|c: char| "\\.^$*+?()[]{}|".contains(c)) => true,
        Some(f) if exact => id == f,
        Some(f) => id.contains(f),
    }
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

/// Per-round-trip counts of `PILOT_BATCHES` batches.
fn pilot(m: &EventCount, h: &mut dyn harness::Harness) -> ctxbench::Result<Vec<f64>> {
    (0..PILOT_BATCHES)
        .map(|_| {
            m.count(|| h.run(PILOT_ITERS))
                .map(|(_, n)| n / PILOT_ITERS as f64)
        })
        .collect()
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

/// Benchmarks every event that opens here over the chosen ping-pong ids.
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--test` runs each benchmark once and `--list` none: criterion analyses nothing.
    let analysed = !args.iter().any(|a| a == "--test" || a == "--list");
    let mut notes = Vec::new();
    for (def, _) in status.iter().filter(|(_, why)| why.is_none()) {
        for spec in &specs {
            let id = format!(
                "counters/{}/pingpong/{}/{}",
                def.short,
                spec.harness_name(),
                spec.placement.kind()
            );
            if wanted(&id, &args) {
                let _x = harness::exclusive();
                bench_one(def, spec, &id, analysed, &mut notes);
            }
        }
    }
    if !notes.is_empty() {
        eprintln!("counters: reported here instead of by criterion:");
        for n in &notes {
            eprintln!("  {n}");
        }
    }
}

/// Sets up `spec` counted by `def`, pilots it, and hands it to criterion unless the pilot
/// counted nothing; what criterion cannot report goes to `notes`.
fn bench_one(
    def: &'static counters::EventDef,
    spec: &PingPongSpec,
    id: &str,
    analysed: bool,
    notes: &mut Vec<String>,
) {
    // Open first, then build (the peer inherits the counter), then attach the per-CPU
    // events to the harness's tasks.
    let mut set = CounterSet::open(&[def]);
    let mut h = match harness::build(spec) {
        Ok(h) => h,
        Err(e) => return notes.push(format!("{id}: failed to set up: {e}")),
    };
    set.attach_harness(h.as_ref());
    let m = match EventCount::new(set) {
        Ok(m) => m,
        Err(why) => return notes.push(format!("{id}: not benchmarked: {why}")),
    };
    let values = match pilot(&m, h.as_mut()) {
        Ok(v) => v,
        Err(e) => return notes.push(format!("{id}: failed: {e}")),
    };
    if def.name == "context-switches" {
        let median = match classify(&values) {
            Pilot::Zero => 0.0,
            Pilot::Constant(v) | Pilot::Varies(v) => v,
        };
        let v = measure::judge(h.expected_switches_per_iter(), median);
        if !v.is_valid() {
            eprintln!("{id}: INVALID: {}", v.message());
            notes.push(format!("{id}: INVALID: {}", v.message()));
        }
    }
    if classify(&values) == Pilot::Zero {
        return notes.push(format!(
            "{id}: 0 per round trip in every pilot batch ({} round trips); criterion \
             refuses samples of zero",
            PILOT_ITERS * PILOT_BATCHES as u64
        ));
    }
    let counter = m.clone();
    let mut seen: Vec<f64> = Vec::new();
    let panicked = quiet_catch(|| {
        let mut c = criterion_for(m);
        c.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let (_, n) = counter
                    .count(|| h.run(iters))
                    .unwrap_or_else(|e| panic!("{id}: the harness failed: {e}"));
                seen.push(n / iters.max(1) as f64);
                n
            })
        });
    });
    notes.extend(unreported(id, &seen, panicked, analysed));
}

/// Why criterion gave no report for `id`, if it did not: it panicked (a failed harness,
/// or its comparison of identical samples), or some samples were zero.
fn unreported(id: &str, seen: &[f64], panicked: Option<String>, analysed: bool) -> Option<String> {
    let (lo, hi) = seen
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    match panicked {
        Some(msg) if msg.contains("the harness failed") || msg.contains("could not be counted") => {
            Some(msg)
        }
        Some(msg) => {
            // criterion's comparison with a saved baseline has no finite t statistic when
            // both runs are one identical value, and plotting it panics. The report of the
            // run that saved the baseline stands.
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
