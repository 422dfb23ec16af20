//! `ctxbench run`: run the benchmarks, print the tables, write JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use ctxbench::fingerprint::{CmdlineDetail, Fingerprint};

use ctxbench::analysis::claims as verdict;
use ctxbench::counters::{events, EventDef};
use ctxbench::export::terminal::{counters as counters_table, run as table};
use ctxbench::measure::Counting;
use ctxbench::runner::PlanOptions;

/// Options of `ctxbench run`.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    select: super::Selection,
    /// Also write the results as JSON to this file (atomically; checked before the run).
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
    /// Ring sizes for the ring experiment (participants per ring, 2-64), e.g. `2,4,8,16`.
    #[arg(long, value_name = "LIST", value_parser = parse_ring_sizes)]
    ring_sizes: Option<super::List<usize>>,
    /// Working-set sizes per side, e.g. `0,64KiB,1MiB` (units B, KiB, MiB, GiB).
    /// Default: 0, 4KiB to 16MiB in powers of 4, and 32MiB (quick: 0,16KiB,256KiB,4MiB).
    #[arg(long, value_name = "LIST", value_parser = parse_sizes)]
    sizes: Option<super::List<u64>>,
    /// Keep the whole kernel command line in the results (boot image, root device,
    /// console, ...). Default: only the parameters that change switch costs.
    #[arg(long)]
    full_cmdline: bool,
}

/// The events of one `--events` list.
#[derive(Clone)]
pub struct EventList(Vec<&'static EventDef>);

fn parse_events(s: &str) -> Result<EventList, String> {
    events::parse_list(s).map(EventList)
}

fn parse_sizes(s: &str) -> Result<super::List<u64>, String> {
    ctxbench::experiments::workset::parse_sizes(s)
        .map(super::List)
        .map_err(|e| e.to_string())
}

fn parse_ring_sizes(s: &str) -> Result<super::List<usize>, String> {
    ctxbench::experiments::ring::parse_ring_sizes(s)
        .map(super::List)
        .map_err(|e| e.to_string())
}

impl RunArgs {
    fn plan_options(&self) -> PlanOptions {
        let mut o = self.select.plan_options();
        if let Some(s) = &self.sizes {
            o.workset_sizes = s.0.clone();
        }
        if let Some(r) = &self.ring_sizes {
            o.ring_sizes = r.0.clone();
        }
        o
    }

    fn cmdline(&self) -> CmdlineDetail {
        if self.full_cmdline {
            CmdlineDetail::Full
        } else {
            CmdlineDetail::SwitchRelevant
        }
    }

    /// Checks every output path before anything runs: `--json FILE`, and the machine's
    /// folder under `--results-dir` with `--save`.
    fn check_outputs(&self) -> anyhow::Result<()> {
        super::check_output_files(&[("--json", self.json.as_deref())])?;
        if self.save {
            let folder = self
                .results_dir
                .join(Fingerprint::read_from(std::path::Path::new("/")).slug());
            ctxbench::results::check_dir_target(&folder).context("--results-dir")?;
        }
        Ok(())
    }

    fn counting(&self) -> Counting {
        match (self.no_counters, &self.events) {
            (true, _) => Counting::Off,
            (false, Some(EventList(evs))) => Counting::Events(evs.clone()),
            (false, None) => Counting::all(),
        }
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    args.check_outputs()?;
    let (file, failed) = super::measure(
        &args.select,
        &args.plan_options(),
        &args.counting(),
        args.cmdline(),
    )?;
    print!("{}", table::render(&file.results, &file.skipped));
    print!("{}", counters_table::render(&file.results));
    for section in [
        ctxbench::export::terminal::tails::render(&file.results),
        ctxbench::export::terminal::workset::render(&file.results),
        ctxbench::export::terminal::ring::render(&file.results),
        ctxbench::export::terminal::footprint::render(&file.results),
        ctxbench::export::terminal::regs::render(&file.results),
        ctxbench::export::terminal::isolation::render(&file.results),
        ctxbench::export::terminal::permissions::render(&file),
        ctxbench::export::terminal::topology::render(&file.results),
        ctxbench::export::terminal::paired::render(&file),
    ] {
        if !section.is_empty() {
            print!("\n{section}");
        }
    }
    if !file.verdicts.is_empty() {
        print!("\n{}", verdict::render(&file.verdicts));
    }
    let anatomy = ctxbench::export::terminal::anatomy::render(&file.anatomy);
    if !anatomy.is_empty() {
        print!("\n{anatomy}");
    }
    let mut outputs = Vec::new();
    if let Some(path) = &args.json {
        outputs.push(("wrote", path.clone()));
    }
    if args.save {
        outputs.push(("saved", file.path_in(&args.results_dir)));
    }
    super::save_all(&file, &outputs)?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
