//! `ctxbench run`: run the benchmarks, print the table, write JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use ctxbench::counters::{events, EventDef};
use ctxbench::cpus::CpuChoice;
use ctxbench::fingerprint::Fingerprint;
use ctxbench::measure::{Counting, SampleConfig};
use ctxbench::report::{counters as counters_table, table};
use ctxbench::results::{ResultsFile, Skipped};
use ctxbench::runner;

/// Options of `ctxbench run`.
#[derive(Args)]
pub struct RunArgs {
    /// Only benchmarks whose id contains this text (may be repeated).
    #[arg(long, short)]
    filter: Vec<String>,
    /// A short run: fewer, shorter samples (about half a second per benchmark).
    #[arg(long)]
    quick: bool,
    /// CPUs to use: the first for same-cpu, the first two for cross-cpu (e.g. `0` or
    /// `2,3`). Default: this process's allowed CPUs.
    #[arg(long, value_parser = super::parse_cpus)]
    cpus: Option<super::CpuList>,
    /// Also write the results as JSON to this file (atomically).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Save the results as `<results-dir>/<machine>/<UTC time>.json` and print the path.
    #[arg(long)]
    save: bool,
    /// Where --save puts results files.
    #[arg(long, value_name = "DIR", default_value = "results")]
    results_dir: PathBuf,
    /// Skip the perf-event counters (switches are then counted from procfs).
    #[arg(long, conflicts_with = "events")]
    no_counters: bool,
    /// Count only these perf events, comma-separated (`ctxbench counters` lists them).
    /// Default: every known event.
    #[arg(long, value_name = "A,B,..", value_parser = parse_events)]
    events: Option<EventList>,
}

/// The events of one `--events` list.
#[derive(Clone)]
pub struct EventList(Vec<&'static EventDef>);

fn parse_events(s: &str) -> Result<EventList, String> {
    events::parse_list(s).map(EventList)
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let counting = match (args.no_counters, args.events) {
        (true, _) => Counting::Off,
        (false, Some(EventList(evs))) => Counting::Events(evs),
        (false, None) => Counting::all(),
    };
    let (file, failed) = measure(
        &args.filter,
        args.quick,
        args.cpus.as_ref().map(|c| c.0.as_slice()),
        &counting,
    )?;
    print!("{}", table::render(&file.results, &file.skipped));
    print!("{}", counters_table::render(&file.results));
    if let Some(path) = &args.json {
        file.save(path)
            .with_context(|| format!("saving results to {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if args.save {
        let path = file
            .save_in(&args.results_dir)
            .with_context(|| format!("saving results under {}", args.results_dir.display()))?;
        eprintln!("saved {}", path.display());
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs the benchmarks matching `filter` on `cpus`, printing the machine and progress to
/// stderr. Returns the results file (stamped with the machine) and whether any benchmark
/// failed or was invalid.
pub fn measure(
    filter: &[String],
    quick: bool,
    cpus: Option<&[usize]>,
    counting: &Counting,
) -> anyhow::Result<(ResultsFile, bool)> {
    let cpus = CpuChoice::resolve(cpus)?;
    let (planned, mut skipped) = runner::plan(filter, &cpus)?;
    let mut machine = Fingerprint::this_machine(&cpus.cpus);
    machine.counter_families = match counting {
        Counting::Off => [("all".to_string(), "not counted (--no-counters)".to_string())].into(),
        _ => ctxbench::counters::family_status(),
    };
    eprint!("{}", machine.summary());
    let (cfg, mode) = if quick {
        (SampleConfig::quick(), "quick")
    } else {
        (SampleConfig::full(), "full")
    };
    let mut outcomes = Vec::new();
    let mut failed = false;
    for p in &planned {
        let id = p.id();
        eprint!("running {id} ... ");
        let _ = std::io::stderr().flush();
        match runner::run_one_with(p, &cfg, counting) {
            Ok(o) => {
                eprintln!("{:.0} ns/rt", o.ns_per_round_trip.median);
                failed |= !o.valid;
                outcomes.push(o);
            }
            Err(e) => {
                eprintln!("failed: {e}");
                failed = true;
                skipped.push(Skipped {
                    id,
                    reason: format!("failed: {e}"),
                });
            }
        }
    }
    Ok((
        ResultsFile::new(mode, outcomes, skipped).with_machine(machine),
        failed,
    ))
}
