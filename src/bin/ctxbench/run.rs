//! `ctxbench run`: run the benchmarks, print the table, write JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use ctxbench::cpus::CpuChoice;
use ctxbench::measure::SampleConfig;
use ctxbench::report::table;
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
    cpus: Option<super::List<usize>>,
    /// Also write the results as JSON to this file (atomically).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Ring sizes for the ring experiment (participants per ring, 2-64), e.g. `2,4,8,16`.
    #[arg(long, value_name = "LIST", value_parser = parse_ring_sizes)]
    ring_sizes: Option<super::List<usize>>,
    /// Working-set sizes per side, e.g. `0,64KiB,1MiB` (units B, KiB, MiB, GiB).
    /// Default: 0, 4KiB to 16MiB in powers of 4, and 32MiB (quick: 0,16KiB,256KiB,4MiB,32MiB).
    #[arg(long, value_name = "LIST", value_parser = parse_sizes)]
    sizes: Option<super::List<u64>>,
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
    fn plan_options(&self) -> runner::PlanOptions {
        let mut o = if self.quick {
            runner::PlanOptions::quick()
        } else {
            runner::PlanOptions::default()
        };
        if let Some(s) = &self.sizes {
            o.workset_sizes = s.0.clone();
        }
        if let Some(r) = &self.ring_sizes {
            o.ring_sizes = r.0.clone();
        }
        o
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let cpus = CpuChoice::resolve(args.cpus.as_ref().map(|c| c.0.as_slice()))?;
    let (planned, mut skipped) = runner::plan_with(&args.filter, &cpus, &args.plan_options())?;
    let (cfg, mode) = if args.quick {
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
        match runner::run_one(p, &cfg) {
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
    runner::finish(&mut outcomes);
    print!("{}", table::render(&outcomes, &skipped));
    let workset = ctxbench::report::workset::render(&outcomes);
    if !workset.is_empty() {
        print!("\n{workset}");
    }
    let ring = ctxbench::report::ring::render(&outcomes);
    if !ring.is_empty() {
        print!("\n{ring}");
    }
    // A full run (no filter) has every experiment: judge the claims on it.
    let verdicts = if args.filter.is_empty() {
        let v = ctxbench::experiments::verdict::judge_all(&outcomes);
        print!("\n{}", ctxbench::experiments::verdict::render(&v));
        v
    } else {
        Vec::new()
    };
    if let Some(path) = &args.json {
        let mut file = ResultsFile::new(mode, outcomes, skipped);
        file.verdicts = verdicts;
        file.save(path)
            .with_context(|| format!("saving results to {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
